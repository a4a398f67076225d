"""`edi rollback`: it says which version it put back, records itself in the run history (so `edi
status` shows what readers see), and with nothing kept says what to do."""

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.publish.audit import content_version, write_table_hashes
from orchestration.publish.files import ensure_candidate, history_versions, publish
from orchestration.publish.run_store import append_run, read_runs

runner = CliRunner()


def publish_run(warehouse_dir, run_id: str, value: str) -> str:
    """Publish a warehouse built by run_id holding value; returns its content version."""
    with duckdb.connect(str(ensure_candidate(warehouse_dir, run_id))) as con:
        con.execute("create or replace table t as select $v as v", {"v": value})
        con.execute("create schema if not exists bi")
        con.execute("create or replace table bi.trust_count as select $v as label", {"v": value})
        con.execute("create schema if not exists audit")
        con.execute("create or replace table audit.refresh_run as select $r as run_id, "
                    "now()::timestamp as finished_at, 'published' as status", {"r": run_id})
        version = content_version(write_table_hashes(con, run_id))
    publish(warehouse_dir, run_id, keep=3)
    append_run(warehouse_dir, {"run_id": run_id, "status": "published", "published_version": version,
                               "started_at": None, "finished_at": None, "checks": [], "errors": []})
    return version


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("EDI_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")
    return tmp_path


def test_a_kept_version_is_named_after_the_run_it_holds(warehouse):
    publish_run(warehouse, "run-1", "first")
    publish_run(warehouse, "run-2", "second")
    [kept] = history_versions(warehouse)
    assert kept.stem.endswith("__run-1"), kept.name


def test_rollback_names_the_version_it_restores_and_status_shows_it_published(warehouse):
    first = publish_run(warehouse, "run-1", "first")
    second = publish_run(warehouse, "run-2", "second")
    result = runner.invoke(app, ["rollback"])
    assert result.exit_code == 0, result.output
    assert f"rolled back to content version {first} (built by run run-1" in result.output
    assert "run-2" not in result.output
    rollback = read_runs(warehouse)[-1]
    assert rollback["status"] == "rolled back" and rollback["published_version"] == first
    assert rollback["parameters"]["restored_run_id"] == "run-1"
    status = runner.invoke(app, ["status"]).output
    assert f"published: {warehouse / 'edi.duckdb'}  version {first}  run run-1" in status
    assert f"put back by {rollback['run_id']}" in status
    assert "Failed checks" not in status  # a rollback is no failed run
    rows = [line for line in status.splitlines() if rollback["run_id"] in line]
    assert rows and "rolled back" in rows[0] and first in rows[0] and second not in rows[0]


def test_rollback_by_run_id_and_an_unknown_version_lists_what_is_kept(warehouse):
    first = publish_run(warehouse, "run-1", "first")
    publish_run(warehouse, "run-2", "second")
    missing = runner.invoke(app, ["rollback", "run-7"])
    assert missing.exit_code == 1
    assert "no kept version 'run-7'" in missing.output
    assert f"content version {first}, built by run run-1" in missing.output
    assert runner.invoke(app, ["rollback", "run-1"]).exit_code == 0


def test_rollback_with_nothing_kept_says_why_and_what_to_do(warehouse):
    result = runner.invoke(app, ["rollback"])
    assert result.exit_code == 1
    assert "version  in" not in result.output
    assert "no kept version to roll back to in" in result.output
    assert "until a second refresh has published" in result.output
