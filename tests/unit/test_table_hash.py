"""Content hashes of the published tables: equal content, equal hash, whatever the row order."""

import duckdb

from orchestration.publish.audit import content_version, table_hashes, write_table_hashes


def build(rows, extra_audit_row=False):
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create schema audit")
    con.execute("create table marts.t (k varchar, share double, n integer)")
    con.executemany("insert into marts.t values (?, ?, ?)", rows)
    con.execute("create table audit.noise as select $v as v", {"v": "x" if extra_audit_row else "y"})
    return con


ROWS = [("a", 0.1, 1), ("b", 0.2, 2), ("c", None, 3)]


def test_row_order_and_the_audit_schema_do_not_change_the_hash():
    first = table_hashes(build(ROWS))
    second = table_hashes(build(list(reversed(ROWS)), extra_audit_row=True))
    assert first == second and [(s, t, n) for s, t, n, _ in first] == [("marts", "t", 3)]


def test_a_changed_or_duplicated_row_changes_the_hash():
    base = table_hashes(build(ROWS))[0][3]
    assert table_hashes(build([("a", 0.1, 1), ("b", 0.2, 2), ("c", None, 4)]))[0][3] != base
    assert table_hashes(build(ROWS + [ROWS[0], ROWS[0]]))[0][3] != base  # an XOR would cancel these


def test_doubles_are_hashed_exactly_down_to_the_last_bit():
    # The models compute their doubles reproducibly (decimal sums, complete window orders), so a hash
    # need not absorb noise: a difference in the last bit is a difference in content.
    base = table_hashes(build(ROWS))
    assert table_hashes(build([("a", 0.1 * (1 + 1e-14), 1), *ROWS[1:]])) != base
    assert table_hashes(build([("a", 0.1, 1), *ROWS[1:]])) == base
    large = table_hashes(build([("a", 123456.789, 1)]))
    assert table_hashes(build([("a", 123456.789 * (1 + 1e-15), 1)])) != large
    assert table_hashes(build([("a", 1e-300, 1)])) != table_hashes(build([("a", 0.0, 1)]))


def test_the_load_time_of_a_row_is_not_content():
    hashes = []
    for loaded_at in ("2026-12-06 02:00:00", "2026-12-07 02:00:05"):
        con = build(ROWS)
        con.execute("create schema raw")
        con.execute("create table raw.r (k varchar, _loaded_at timestamp)")
        con.execute("insert into raw.r values ('a', cast($t as timestamp))", {"t": loaded_at})
        hashes.append(table_hashes(con))
    assert hashes[0] == hashes[1]
    assert content_version(hashes[0]) == content_version(hashes[1])


def test_content_version_follows_the_hashes_and_hashes_are_recorded_per_run():
    con = build(ROWS)
    hashes = write_table_hashes(con, "run-1")
    write_table_hashes(con, "run-1")  # recording again replaces the run's rows
    assert con.execute("select run_id, schema_name, table_name, row_count, content_hash "
                       "from audit.table_hash").fetchall() == [("run-1", *hashes[0])]
    assert content_version(hashes) == content_version(list(reversed(hashes)))
    assert content_version(hashes) != content_version(table_hashes(build(ROWS[:2])))
