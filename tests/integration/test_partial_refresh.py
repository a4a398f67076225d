"""`edi refresh --select`: a partial refresh runs the selection and everything downstream, still
through write-audit-publish; the rest of the published warehouse carries over byte for byte, the run
history says what was refreshed, and every landed delivery is archived once under its hash."""

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.publish.files import published_path
from orchestration.publish.run_store import read_runs
from orchestration.quality.contracts import load_contracts
from orchestration.selection import RefreshSelection, refresh_tags, resolve_selection
from tests.integration.conftest import run_refresh
from tests.integration.test_audit_trail import damage_codes
from tests.integration.test_refresh import materialized, step_errors

RAW_SUFFIXES = ("__quarantine", "__superseded")
LANDING_SOURCES = {n for n, c in load_contracts().items() if c.location == "landing"}


def copy_demo(demo_refresh, root: Path) -> tuple[Path, Path]:
    landing, warehouse = root / "landing", root / "warehouse"
    shutil.copytree(demo_refresh.landing, landing)
    shutil.copytree(demo_refresh.warehouse, warehouse, symlinks=True)  # warehouse/bi is a relative link
    return landing, warehouse


def drop_last_rows(path: Path, rows: int) -> None:
    """A corrected extract: the same file with its last rows gone."""
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-rows]))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_hashes(db_path: Path, run_id: str) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {(schema, table): digest for schema, table, digest in con.execute(
            "select schema_name, table_name, content_hash from audit.table_hash where run_id = ?",
            [run_id]).fetchall()}


def landed(db_path: Path) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {(s, f): h for s, f, h in con.execute("select source, file_path, sha256 from audit.landed_file").fetchall()}


def in_selection(schema: str, table: str, selection: RefreshSelection) -> bool:
    """A table belongs to the asset of its name (a raw table's quarantine and superseded rows too)."""
    for suffix in RAW_SUFFIXES:
        table = table.removesuffix(suffix) if schema == "raw" else table
    return table in {key.path[-1] for key in selection.asset_keys}


def dbt_nodes_run(db_path: Path, run_id: str) -> set[str]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {uid for (uid,) in con.execute(
            "select unique_id from audit.dbt_node_timing where run_id = ?", [run_id]).fetchall()}


@dataclass
class PartialRun:
    landing: Path
    warehouse: Path
    selection: RefreshSelection
    result: object
    before_run_id: str
    landed_before: dict
    resent: Path
    datix_file: Path

    @property
    def db_path(self) -> Path:
        return published_path(self.warehouse)


@pytest.fixture(scope="module")
def datix_only(demo_refresh, tmp_path_factory) -> PartialRun:
    """The demo warehouse; then a corrected Datix extract, the same extract re-sent under another
    name, and a corrected training extract too; then `--select datix`."""
    landing, warehouse = copy_demo(demo_refresh, tmp_path_factory.mktemp("partial"))
    landed_before = landed(published_path(warehouse))
    datix_file = next((landing / "datix_incident").glob("*.csv"))
    drop_last_rows(datix_file, 25)
    resent = datix_file.with_name(f"{datix_file.stem}_resent.csv")
    shutil.copyfile(datix_file, resent)
    drop_last_rows(next((landing / "training_record").glob("*.csv")), 25)  # not selected: must wait
    selection = resolve_selection(["datix"])
    result = run_refresh(landing, warehouse, asset_selection=list(selection.asset_keys),
                         tags=refresh_tags(full_refresh=False, selection=selection))
    return PartialRun(landing, warehouse, selection, result, demo_refresh.result.run_id, landed_before,
                      resent, datix_file)


def test_a_partial_refresh_runs_the_selection_and_its_downstream_and_publishes(datix_only):
    assert datix_only.result.success, step_errors(datix_only.result)
    ran = materialized(datix_only.result)
    assert ran == set(datix_only.selection.asset_names)
    assert {"raw/datix_incident", "marts/fct_staff_incident", "published/warehouse", "published/board_report"} <= ran
    assert not {"raw/training_record", "raw/esr_assignment", "marts/fct_training"} & ran


def test_tables_outside_the_selection_carry_over_byte_for_byte(datix_only):
    before = table_hashes(datix_only.db_path, datix_only.before_run_id)
    after = table_hashes(datix_only.db_path, datix_only.result.run_id)
    assert before.keys() == after.keys()
    outside = [t for t in after if not in_selection(*t, datix_only.selection)]
    assert len(outside) > 50 and ("raw", "training_record") in outside and ("marts", "fct_training") in outside
    assert [t for t in outside if before[t] != after[t]] == []
    assert before[("raw", "datix_incident")] != after[("raw", "datix_incident")]  # the selection did run
    assert before[("marts", "fct_staff_incident")] != after[("marts", "fct_staff_incident")]
    now = landed(datix_only.db_path)
    training = {k: v for k, v in now.items() if k[0] == "training_record"}
    assert training == {k: v for k, v in datix_only.landed_before.items() if k[0] == "training_record"}


def test_dbt_builds_only_the_selected_models(datix_only):
    nodes = dbt_nodes_run(datix_only.db_path, datix_only.result.run_id)
    models = {uid.split(".")[-1] for uid in nodes if uid.startswith("model.")}
    assert "fct_staff_incident" in models
    assert models <= {key.path[-1] for key in datix_only.selection.asset_keys}


def test_a_resent_extract_is_recognised_and_counts_nothing(datix_only):
    with duckdb.connect(str(datix_only.db_path), read_only=True) as con:
        files = con.execute("select file_path, rows_read from audit.landed_file where source = 'datix_incident'"
                            ).fetchall()
        rows = con.execute("select (select count(*) from raw.datix_incident)"
                           " + (select count(*) from raw.datix_incident__quarantine)").fetchone()[0]
        from_resent = con.execute("select count(*) from raw.datix_incident where _source_file like '%_resent.csv'"
                                  ).fetchone()[0]
    assert files == [(f"datix_incident/{datix_only.datix_file.name}", rows)]
    assert from_resent == 0


def test_the_run_history_says_what_was_refreshed(datix_only, monkeypatch):
    record = next(r for r in read_runs(datix_only.warehouse) if r["run_id"] == datix_only.result.run_id)
    assert record["status"] == "published"
    assert record["parameters"]["selection"] == "datix"
    assert record["parameters"]["full_refresh"] is False
    assert record["assets_materialized"] == sorted(datix_only.selection.asset_names)
    with duckdb.connect(str(datix_only.db_path), read_only=True) as con:
        parameters = con.execute("select parameters from audit.refresh_run where run_id = ?",
                                 [datix_only.result.run_id]).fetchone()[0]
    assert '"selection": "datix"' in parameters

    monkeypatch.setenv("EDI_WAREHOUSE_DIR", str(datix_only.warehouse))
    monkeypatch.setenv("COLUMNS", "250")
    status = CliRunner().invoke(app, ["status"])
    assert status.exit_code == 0, status.output
    line = next(x for x in status.output.splitlines() if datix_only.result.run_id in x)
    assert "datix" in line
    first = next(x for x in status.output.splitlines() if datix_only.before_run_id in x)
    assert "all" in first


def test_the_archive_holds_each_landed_file_once_under_its_hash(datix_only):
    archive = datix_only.warehouse / "archive"
    held = {p.relative_to(archive).as_posix() for p in archive.rglob("*") if p.is_file()}
    every = [*datix_only.landed_before.items(), *landed(datix_only.db_path).items()]
    expected = {f"{source}/{digest}.csv" for (source, _), digest in every if source in LANDING_SOURCES}
    assert held == expected
    assert len([p for p in held if p.startswith("datix_incident/")]) == 2  # the first and the corrected one
    for name in held:
        assert sha256(archive / name) == Path(name).stem
    assert sha256(archive / "datix_incident" / f"{sha256(datix_only.resent)}.csv") == sha256(datix_only.resent)


@pytest.mark.slow  # a whole partial refresh of its own: the default suite keeps to 10 min
def test_full_refresh_with_select_rebuilds_only_the_selection(demo_refresh, tmp_path):
    landing, warehouse = copy_demo(demo_refresh, tmp_path)
    selection = resolve_selection(["datix"])
    result = run_refresh(landing, warehouse, asset_selection=list(selection.asset_keys),
                         tags=refresh_tags(full_refresh=True, selection=selection))
    assert result.success, step_errors(result)
    db_path = published_path(warehouse)
    with duckdb.connect(str(db_path), read_only=True) as con:
        reread = {s for (s,) in con.execute("select distinct source from audit.source_load where run_id = ?",
                                            [result.run_id]).fetchall()}
        full = con.execute("select full_rebuild from audit.build_state where run_id = ?",
                           [result.run_id]).fetchone()[0]
    assert reread == {"datix_incident"} and full is True
    models = {uid.split(".")[-1] for uid in dbt_nodes_run(db_path, result.run_id) if uid.startswith("model.")}
    assert "fct_staff_incident" in models and "fct_workforce_snapshot" not in models
    assert models <= {key.path[-1] for key in selection.asset_keys}
    # the same files rebuilt from scratch give the same content, selected or not
    assert table_hashes(db_path, result.run_id) == table_hashes(db_path, demo_refresh.result.run_id)


@pytest.mark.slow  # a whole partial refresh of its own: the default suite keeps to 10 min
def test_a_failed_blocking_check_in_a_partial_run_publishes_nothing(demo_refresh, tmp_path):
    landing, warehouse = copy_demo(demo_refresh, tmp_path)
    contract = load_contracts()["datix_incident"]
    datix_file = next((landing / "datix_incident").glob("*.csv"))
    damage_codes(datix_file, next(c for c in contract.columns if c.valid_values and c.required).source_name)
    published_before = sha256(published_path(warehouse))
    selection = resolve_selection(["datix"])
    result = run_refresh(landing, warehouse, asset_selection=list(selection.asset_keys),
                         tags=refresh_tags(full_refresh=False, selection=selection))
    assert not result.success
    assert "published/warehouse" not in materialized(result)
    assert sha256(published_path(warehouse)) == published_before
    record = next(r for r in read_runs(warehouse) if r["run_id"] == result.run_id)
    assert record["status"] == "failed" and record["parameters"]["selection"] == "datix"
    assert any(not c["passed"] and c["target"] == "raw/datix_incident" for c in record["checks"])
    assert not (warehouse / "archive" / "datix_incident" / f"{sha256(datix_file)}.csv").exists()
