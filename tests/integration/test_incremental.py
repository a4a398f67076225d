"""The large facts are incremental by period: an incremental run over an already-built warehouse
gives exactly the tables a full rebuild gives, whether its change scope covers most rows (the model
then rebuilds its whole table) or a few (it deletes and appends those)."""

import json
import os
import shutil
import subprocess
from datetime import date

import duckdb

from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_SAVED_PARSE_ARGS

INCREMENTAL_FACTS = ("fct_workforce_snapshot", "fct_recruitment_application", "fct_staff_incident")
SCOPE_MODEL = "stg_audit__change_scope"
SCOPE_ALIAS = "edi_scope"  # in a model's compiled SQL only when it filters by the change scope
NARROW_RUN = "pytest-narrow-scope"


def dbt(command, db_path, target_path, *args, run_id="", check=True):
    subprocess.run(
        [DBT_EXECUTABLE, command, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target_path), *DBT_SAVED_PARSE_ARGS, "--quiet"],
        check=check, env={**os.environ, "EDI_DUCKDB_PATH": str(db_path), "EDI_RUN_ID": run_id},
    )


def dbt_build(db_path, target_path, *extra, run_id=""):
    """Build the incremental facts (and the change scope of `run_id`; none: everything changed)."""
    dbt("build", db_path, target_path, "--select", SCOPE_MODEL, *INCREMENTAL_FACTS, *extra, run_id=run_id)


def table_digest(db_path, table) -> tuple[int, int]:
    """Row count and an order-independent hash of every row."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f"select count(*), sum(hash(t)) from marts.{table} t").fetchone()


def compiled_sql(target_path, model) -> str:
    return next(target_path.glob(f"compiled/**/{model}.sql")).read_text()


def assert_equals_full_rebuild(incremental, full):
    for table in INCREMENTAL_FACTS:
        rows, digest = table_digest(full, table)
        assert rows > 0, table
        assert table_digest(incremental, table) == (rows, digest), table


def test_a_scope_covering_every_row_rebuilds_the_whole_table(demo_refresh, tmp_path):
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    shutil.copyfile(demo_refresh.db_path, incremental)
    shutil.copyfile(demo_refresh.db_path, full)
    dbt_build(incremental, tmp_path / "incremental")  # outside a run: everything changed
    dbt_build(full, tmp_path / "full", "--full-refresh")
    for model in INCREMENTAL_FACTS:
        assert SCOPE_ALIAS not in compiled_sql(tmp_path / "incremental", model), model
    assert_equals_full_rebuild(incremental, full)


def test_a_narrow_scope_rebuilds_only_its_rows(demo_refresh, tmp_path):
    """The demo trust's last months changed: each fact deletes and appends those rows only."""
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    shutil.copyfile(demo_refresh.db_path, incremental)
    shutil.copyfile(demo_refresh.db_path, full)
    with duckdb.connect(str(incremental)) as con:
        (trust,) = con.execute("select distinct organisation_code from marts.fct_workforce_snapshot").fetchone()
        for source in ("esr_assignment", "trac_application", "datix_incident"):
            con.execute("insert into audit.change_scope values (?, ?, ?, ?)",
                        [NARROW_RUN, source, trust, date(2024, 12, 1)])
        kept = con.execute("select count(*) from marts.fct_workforce_snapshot where date_key < ?",
                           [date(2024, 12, 1)]).fetchone()
    dbt_build(incremental, tmp_path / "incremental", run_id=NARROW_RUN)
    dbt_build(full, tmp_path / "full", "--full-refresh")
    for model in INCREMENTAL_FACTS:
        assert SCOPE_ALIAS in compiled_sql(tmp_path / "incremental", model), model
    assert kept[0] > 0
    assert_equals_full_rebuild(incremental, full)


def failing_rows_by_test(db_path, target_path, model, run_id) -> dict[str, int]:
    """`dbt test` of one model in the change scope of `run_id`: failing rows per test, by the test's name
    up to its hash. The scope is a view of its run's rows, so it is built again first."""
    dbt("run", db_path, target_path / "scope", "--select", SCOPE_MODEL, run_id=run_id)
    dbt("test", db_path, target_path, "--select", model, run_id=run_id, check=False)  # tests fail: planted rows
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: r["failures"] for r in results if r["unique_id"].startswith("test.")}


def plant_copy(con, values: dict[str, str], comparison: str, scope_from: date) -> None:
    """A copy of one fct_workforce_snapshot row dated before (`<`) or from (`>=`) `scope_from`, with
    `values` in place of its own (the column names are this test's, the values bound)."""
    assert comparison in ("<", ">=") and set(values) <= {"staff_version_key", "staff_key", "organisation_code"}
    replaced = ", ".join(f"cast(? as varchar) as {column}" for column in values)
    con.execute(f"insert into marts.fct_workforce_snapshot select * replace ({replaced}) "
                f"from marts.fct_workforce_snapshot where date_key {comparison} ? limit 1",
                [*values.values(), scope_from])


def test_an_incremental_run_tests_the_rebuilt_rows_and_every_row_sharing_their_keys(demo_refresh, tmp_path):
    """Rows a run kept passed their tests when they were built, so the generic tests of an incremental
    fact read the rows the run rebuilt; a key test also reads every row holding one of their keys."""
    db = tmp_path / "incremental.duckdb"
    shutil.copyfile(demo_refresh.db_path, db)
    scope_from = date(2024, 12, 1)
    with duckdb.connect(str(db)) as con:
        (trust,) = con.execute("select distinct organisation_code from marts.fct_workforce_snapshot").fetchone()
        con.execute("insert into audit.change_scope values (?, 'esr_assignment', ?, ?)",
                    [NARROW_RUN, trust, scope_from])
    dbt_build(db, tmp_path / "build", run_id=NARROW_RUN)
    with duckdb.connect(str(db)) as con:
        plant_copy(con, {"staff_version_key": "planted-missing", "staff_key": "planted-kept"}, "<", scope_from)
        plant_copy(con, {"staff_version_key": "planted-missing", "staff_key": "planted-rebuilt"}, ">=", scope_from)
        # a row of an organisation outside the scope holding the key of a rebuilt row
        plant_copy(con, {"organisation_code": "PLANTED"}, ">=", scope_from)
    prefix = "{}_fct_workforce_snapshot_{}"
    checks = {prefix.format("relationships", "staff_version_key"): (1, 2),  # the rebuilt orphan | both
              prefix.format("relationships", "organisation_code"): (0, 1),  # the planted organisation is kept
              prefix.format("unique_combination", "date_key__staff_key"): (1, 1)}  # kept row, rebuilt key
    scoped = failing_rows_by_test(db, tmp_path / "scoped", "fct_workforce_snapshot", NARROW_RUN)
    every_row = failing_rows_by_test(db, tmp_path / "every_row", "fct_workforce_snapshot", "")  # everything changed
    for name, (rebuilt_rows, all_rows) in checks.items():
        (test,) = [t for t in scoped if t.startswith(name)]
        assert (scoped[test], every_row[test]) == (rebuilt_rows, all_rows), test
