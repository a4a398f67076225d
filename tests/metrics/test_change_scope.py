"""The change scope the incremental facts rebuild: each organisation from its own earliest changed date,
only for the sources a model reads, '*' meaning every organisation."""

import re
from datetime import date

SCOPE = [("RBL", "trac_application", date(2024, 10, 12)), ("R1L", "trac_application", date(2024, 10, 9)),
         ("RBL", "esr_assignment", date(2020, 1, 1))]
FACTS = [("RBL", date(2024, 10, 10)), ("RBL", date(2024, 10, 12)), ("R1L", date(2024, 10, 8)),
         ("R1L", date(2024, 10, 9)), ("RXX", date(2025, 1, 1))]


def in_scope(macros, db, scope):
    sql = macros.render("select organisation_code, d from facts "
                        "where {{ edi_in_change_scope('organisation_code', 'd', ['trac_application']) }}")
    sql = re.sub(r'(?:"[^"]+"\.)?"staging"\."stg_audit__change_scope"', "scope", sql)
    db.execute("create table scope (organisation_code varchar, source varchar, affected_from date)")
    db.executemany("insert into scope values (?, ?, ?)", scope)
    db.execute("create table facts (organisation_code varchar, d date)")
    db.executemany("insert into facts values (?, ?)", FACTS)
    return set(db.execute(sql).fetchall())


def test_each_organisation_is_rebuilt_from_its_own_date_for_the_sources_read(macros, db):
    # An unqualified organisation_code in the caller's expression must not bind to the scope's own column
    # (it did once: every organisation was then rebuilt from the earliest date of any).
    assert in_scope(macros, db, SCOPE) == {("RBL", date(2024, 10, 12)), ("R1L", date(2024, 10, 9))}


def test_everything_changed_means_every_organisation(macros, db):
    rows = in_scope(macros, db, [("*", "*", date(1, 1, 1))])
    assert rows == set(FACTS)
