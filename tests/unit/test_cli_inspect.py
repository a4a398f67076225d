"""`edi status` and `edi lineage`, on a small hand-built warehouse and run history."""

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.publish.audit import content_version, write_table_hashes
from orchestration.publish.files import ensure_candidate, publish
from orchestration.publish.run_store import append_run

runner = CliRunner()

EDGES = [
    ("model.p.fct_measure", "model", "model.p.stg_staff"),
    ("model.p.fct_measure", "model", "seed.p.ref_codes"),
    ("model.p.stg_staff", "model", "source.p.raw.esr_assignment"),
    ("seed.p.ref_codes", "seed", None),
]
LANDED = [  # an older load and the latest one of the same source
    ("run-0", "esr_assignment", "1", "esr/old.csv", "0" * 64, 10, 5, 5, 0, "2026-01-01 01:00:00"),
    ("run-1", "esr_assignment", "1", "esr/esr_RBL.csv", "ab" * 32, 100, 12, 10, 2, "2026-01-02 01:00:00"),
]


def build_warehouse(warehouse_dir):
    with duckdb.connect(str(ensure_candidate(warehouse_dir, "run-1"))) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_measure as select 'RBL' as org_code, 12 as n")
        con.execute("create schema audit")
        con.execute("create table audit.refresh_run as select 'run-1' as run_id, "
                    "timestamp '2026-01-02 02:00:00' as finished_at, 'published' as status")
        con.execute("create table audit.lineage (node varchar, node_type varchar, parent varchar)")
        con.executemany("insert into audit.lineage values (?, ?, ?)", EDGES)
        con.execute("""create table audit.source_load (run_id varchar, source varchar,
            contract_version varchar, file_path varchar, sha256 varchar, size_bytes bigint,
            rows_read bigint, rows_landed bigint, rows_quarantined bigint, loaded_at timestamp)""")
        con.executemany("insert into audit.source_load values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", LANDED)
        hashes = write_table_hashes(con, "run-1")
    publish(warehouse_dir, "run-1", keep=1)
    return content_version(hashes)


def record(run_id, status, checks=(), version=None):
    return {"run_id": run_id, "status": status, "started_at": "2026-01-02T02:00:00+00:00",
            "finished_at": "2026-01-02T02:00:42.500000+00:00", "published_version": version,
            "checks": list(checks), "errors": []}


FAILED_CHECK = {"target": "raw/esr_assignment", "check_name": "row_accounting", "passed": False,
                "severity": "ERROR", "observed": {"quarantine_ratio": 0.2},
                "sample": [{"file": "esr/esr_RBL.csv", "read": 100, "landed": 80, "quarantined": 20}]}
PASSED_CHECK = {"target": "raw/er_case", "check_name": "contract_expectations", "passed": True,
                "severity": "ERROR", "observed": {"expectations": 12}, "sample": None}


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("EDI_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def test_status_shows_runs_what_is_published_and_the_latest_failure_with_its_sample(warehouse):
    version = build_warehouse(warehouse)
    append_run(warehouse, record("run-1", "published", [PASSED_CHECK], version))
    append_run(warehouse, record("run-2", "failed", [PASSED_CHECK, FAILED_CHECK]))
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "run-1" in out and "run-2" in out and "42.5 s" in out
    assert f"version {version}" in out and "run run-1" in out and "2026-01-02 02:00:00" in out
    assert "Failed checks of the latest failed run run-2" in out
    assert "row_accounting" in out and "esr/esr_RBL.csv" in out and '"quarantined": 20' in out
    assert "contract_expectations" not in out.split("Failed checks")[1]


def test_status_limits_the_runs_shown(warehouse):
    for n in range(5):
        append_run(warehouse, record(f"run-{n}", "published"))
    out = runner.invoke(app, ["status", "-n", "2"]).output
    assert "run-4" in out and "run-3" in out and "run-2" not in out


def test_status_without_history_or_warehouse_says_so(warehouse):
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert "no runs recorded yet" in result.output and "published: nothing" in result.output


def test_lineage_prints_the_chain_down_to_the_latest_landed_files(warehouse):
    build_warehouse(warehouse)
    result = runner.invoke(app, ["lineage", "fct_measure"])
    assert result.exit_code == 0, result.output
    out = result.output
    for text in ("fct_measure (model)", "stg_staff (model)", "ref_codes (seed)",
                 "esr_assignment (source)", "esr/esr_RBL.csv", "ab" * 32, "quarantined 2"):
        assert text in out, text
    assert "old.csv" not in out
    assert out.index("fct_measure") < out.index("stg_staff") < out.index("esr_assignment") < out.index("esr_RBL")


def test_lineage_of_an_unknown_model_suggests_close_names(warehouse):
    build_warehouse(warehouse)
    result = runner.invoke(app, ["lineage", "fct_measures"])
    assert result.exit_code == 1
    assert "unknown model, seed, source or landed file 'fct_measures'" in result.output and "did you mean: fct_measure" in result.output


def test_lineage_without_a_published_warehouse_is_a_clear_error(warehouse):
    result = runner.invoke(app, ["lineage", "fct_measure"])
    assert result.exit_code == 1 and "no published warehouse" in result.output


@pytest.mark.parametrize("name", ["FCT_MEASURE", "marts.fct_measure", "Marts.Fct_Measure", "model.p.fct_measure"])
def test_lineage_takes_a_model_in_any_case_and_as_schema_dot_model(warehouse, name):
    build_warehouse(warehouse)
    result = runner.invoke(app, ["lineage", name])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("fct_measure (model)") and "esr/esr_RBL.csv" in result.output


@pytest.mark.parametrize("name", ["raw.esr_assignment", "esr_assignment", "RAW.ESR_ASSIGNMENT"])
def test_lineage_takes_a_source_by_its_contract_or_raw_table_name(warehouse, name):
    build_warehouse(warehouse)
    result = runner.invoke(app, ["lineage", name])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("esr_assignment (source)") and "esr/esr_RBL.csv" in result.output


@pytest.mark.parametrize("name", ["esr_assignment", "esr/esr_RBL.csv", "esr_rbl.csv"])
def test_lineage_downstream_shows_what_a_source_or_a_landed_file_feeds(warehouse, name):
    build_warehouse(warehouse)
    result = runner.invoke(app, ["lineage", name, "--downstream"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("esr_assignment (source)") < out.index("esr/esr_RBL.csv") < out.index("stg_staff (model)") \
        < out.index("fct_measure (model)")
    assert "ref_codes" not in out  # a sibling parent of fct_measure is no part of what the source feeds


def test_lineage_json_is_a_graph_a_script_can_read(warehouse):
    import json

    build_warehouse(warehouse)
    upstream = json.loads(runner.invoke(app, ["lineage", "fct_measure", "--json"]).output)
    assert upstream["root"] == "model.p.fct_measure" and upstream["direction"] == "upstream"
    assert {"from": "model.p.stg_staff", "to": "source.p.raw.esr_assignment"} in upstream["edges"]
    source = next(n for n in upstream["nodes"] if n["type"] == "source")
    assert source["files"][0]["path"] == "esr/esr_RBL.csv" and source["files"][0]["rows_quarantined"] == 2
    downstream = json.loads(runner.invoke(app, ["lineage", "raw.esr_assignment", "--downstream", "--json"]).output)
    assert downstream["direction"] == "downstream"
    assert {n["name"] for n in downstream["nodes"]} == {"esr_assignment", "stg_staff", "fct_measure"}
    assert {"from": "model.p.stg_staff", "to": "model.p.fct_measure"} in downstream["edges"]


def test_status_says_what_a_failed_check_found_in_words(warehouse):
    append_run(warehouse, record("run-2", "failed", [FAILED_CHECK]))
    out = runner.invoke(app, ["status"]).output
    assert "what failed" in out and "20 of 100 rows quarantined (20.0%)" in out
