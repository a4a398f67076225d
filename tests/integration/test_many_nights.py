"""Correct over many nights: the warehouse built night after night from changing deliveries equals
a full rebuild of the same deliveries, for the four cases that break naive incremental loads -
a new month, a corrected history, a trust that leaves and a re-sent identical file - and
`--full-refresh` rebuilds it from scratch.

Two trusts, seed 11, a base as at 31 January 2025, then night by night."""

import csv
import shutil
from datetime import date

import duckdb
import pytest

from orchestration.publish.audit import table_hashes
from orchestration.quality.landing_runs import FULL_REFRESH_TAG
from orchestration.synthetic import generate, generate_increment
from tests.integration.conftest import run_refresh

pytestmark = pytest.mark.slow
COMPARED_SCHEMAS = ("marts", "bi", "intermediate", "reference")
LEAVER = "R1L"


def built_tables(db_path) -> dict:
    """Content hash of every dbt-built table (raw tables hold load times, so they differ by design)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {f"{s}.{t}": (rows, digest) for s, t, rows, digest in table_hashes(con) if s in COMPARED_SCHEMAS}


def rows_of(db_path, sql, params=()):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def landed_this_run(db_path, run_id):
    return rows_of(db_path, "select source, file_path from audit.source_load where run_id = ? order by 1, 2", [run_id])


class Nights:
    """One landing folder and one warehouse refreshed night after night, plus full rebuilds to compare."""

    def __init__(self, root):
        self.root, self.landing, self.warehouse = root, root / "landing", root / "warehouse"
        self.checks = 0

    def refresh(self, **tags):
        result = run_refresh(self.landing, self.warehouse, tags=tags or None)
        assert result.success, "a night's refresh failed"
        return result

    def assert_equals_full_rebuild(self):
        """A fresh warehouse built from the same landing folder in one go has the same tables."""
        self.checks += 1
        fresh = self.root / f"fresh-{self.checks}"
        assert run_refresh(self.landing, fresh).success
        incremental, full = built_tables(self.warehouse / "edi.duckdb"), built_tables(fresh / "edi.duckdb")
        assert incremental.keys() == full.keys()
        differing = sorted(name for name in full if incremental[name] != full[name])
        assert differing == [], f"incremental build differs from a full rebuild in {differing}"
        shutil.rmtree(fresh)


@pytest.fixture(scope="module")
def nights(tmp_path_factory, pseudonymisation_key):
    nights = Nights(tmp_path_factory.mktemp("nights"))
    generate(trusts=2, seed=11, out=nights.landing, as_at=date(2025, 1, 31))
    assert nights.refresh().success
    return nights


def test_a_new_month_lands_only_its_files_and_equals_a_full_rebuild(nights):
    generate_increment(trusts=2, seed=11, out=nights.landing, month="2025-02")
    result = nights.refresh()
    landed = landed_this_run(nights.warehouse / "edi.duckdb", result.run_id)
    assert landed and all(path.endswith("_2025-02.csv") for _, path in landed)
    assert rows_of(nights.warehouse / "edi.duckdb",
                   "select max(date_key) from marts.fct_workforce_snapshot") == [(date(2025, 2, 28),)]
    db = nights.warehouse / "edi.duckdb"
    scope, floor = esr_scope(db, result.run_id), esr_scope_floor(db)
    assert scope.keys() == floor.keys() and all(scope[trust] >= floor[trust] for trust in scope), (scope, floor)
    nights.assert_equals_full_rebuild()


def esr_scope(db_path, run_id) -> dict:
    return dict(rows_of(db_path, "select organisation_code, affected_from from audit.change_scope "
                        "where run_id = ? and source = 'esr_assignment'", [run_id]))


def esr_scope_floor(db_path) -> dict:
    """The earliest date February's ESR files can move: 1 February (versions closed, leavers), or earlier only
    where they bring a version the warehouse did not hold (e.g. one quarantined in the base). The
    versions they re-send are not dated from their start (they were: from the 1990s in every trust)."""
    return dict(rows_of(db_path, """
        select upper(trim(n.organisation_code)), least(date '2025-02-01', min(case when s.assignment_number is null
                                                                       then n.effective_start_date end))
        from raw.esr_assignment n
        left join raw.esr_assignment__superseded s
            on upper(trim(s.organisation_code)) = upper(trim(n.organisation_code))
            and s.assignment_number = n.assignment_number and s.effective_start_date = n.effective_start_date
        where n._source_file like '%\\_2025-02.csv' escape '\\'
        group by 1"""))


def test_a_corrected_history_wins(nights):
    """RBL re-sends one 2022 assignment version with another payscale, as a new delivery."""
    source = nights.landing / "esr_assignment" / "esr_assignment_RBL.csv"
    with open(source, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    row = next(r for r in rows if r["Effective Start Date"].endswith("/2022") and r["Payscale"].strip() == "XN05"
               and not r["Effective End Date"])
    corrected = {**row, "Payscale": "XN06"}
    with open(source.with_name("esr_assignment_RBL_correction.csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(corrected)
    nights.refresh()
    db = nights.warehouse / "edi.duckdb"
    current = rows_of(db, "select payscale, _source_file from raw.esr_assignment where effective_start_date = "
                      "strptime(?, '%d/%m/%Y') and assignment_number = (select assignment_number from "
                      "raw.esr_assignment__superseded where _superseded_by like '%correction%')",
                      [row["Effective Start Date"]])
    assert current == [("XN06", "esr_assignment/esr_assignment_RBL_correction.csv")]
    nights.assert_equals_full_rebuild()


def test_a_trust_that_leaves_leaves_no_rows(nights):
    for path in nights.landing.glob(f"*/*_{LEAVER}*.csv"):
        path.unlink()
    nights.refresh()
    db = nights.warehouse / "edi.duckdb"
    for table in ("fct_workforce_snapshot", "fct_recruitment_application", "fct_staff_incident", "fct_edi_measure"):
        assert rows_of(db, f"select count(*) from marts.{table} where organisation_code = ?", [LEAVER]) == [(0,)]
    nights.assert_equals_full_rebuild()


def test_a_resent_identical_file_changes_nothing(nights):
    db = nights.warehouse / "edi.duckdb"
    before = built_tables(db)
    original = nights.landing / "training_record" / "training_record_RBL.csv"
    shutil.copyfile(original, original.with_name("training_record_RBL_resent.csv"))
    result = nights.refresh()
    assert landed_this_run(db, result.run_id) == []
    assert built_tables(db) == before


def test_full_refresh_is_the_escape_hatch(nights):
    db = nights.warehouse / "edi.duckdb"
    before = built_tables(db)
    result = nights.refresh(**{FULL_REFRESH_TAG: "true"})
    assert len(landed_this_run(db, result.run_id)) > 14  # every delivery read again
    assert rows_of(db, "select full_rebuild from audit.build_state where run_id = ?", [result.run_id]) == [(True,)]
    assert built_tables(db) == before
