"""The large facts are incremental by period: an incremental run over an already-built warehouse
gives exactly the tables a full rebuild gives, whether its change scope covers most rows (the model
then rebuilds its whole table) or a few (it deletes and appends those)."""

import os
import shutil
import subprocess
from datetime import date

import duckdb

from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

INCREMENTAL_FACTS = ("fct_workforce_snapshot", "fct_recruitment_application", "fct_staff_incident")
SCOPE_MODEL = "stg_audit__change_scope"
SCOPE_ALIAS = "edi_scope"  # in a model's compiled SQL only when it filters by the change scope
NARROW_RUN = "pytest-narrow-scope"


def dbt_build(db_path, target_path, *extra, run_id=""):
    """Build the incremental facts (and the change scope of `run_id`; none: everything changed)."""
    subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", SCOPE_MODEL, *INCREMENTAL_FACTS, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target_path), "--quiet", *extra],
        check=True, env={**os.environ, "EDI_DUCKDB_PATH": str(db_path), "EDI_RUN_ID": run_id},
    )


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
