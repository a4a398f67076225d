"""`edi validate`: the landing's verdicts on incoming files, without building or publishing anything."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing import land_source, source_files
from orchestration.settings import REPO_ROOT
from orchestration.synthetic import SOURCES, generate

SEED = 11
DATIX = "datix_incident/datix_incident_RBL.csv"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    return landing, generate(1, SEED, landing)


@pytest.fixture
def landing_copy(demo, tmp_path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(demo[0], copy)
    return copy


def validate(*args: str, env: dict | None = None):
    result = CliRunner().invoke(app, ["validate", *args], env={"COLUMNS": "200", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def verdicts(result) -> dict[str, dict]:
    return {f["file"]: f for f in json.loads(result.stdout)["files"]}


def rewrite_csv(path: Path, change) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = change(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_the_clean_demo_passes_with_the_generator_counts(demo):
    landing, report = demo
    result = validate(str(landing), "--json")
    assert result.exit_code == 0, result.output
    files = verdicts(result)
    assert set(files) == set(report.rows)
    for label, rows in report.rows.items():
        assert files[label]["error"] is None
        assert files[label]["rows_read"] == rows
        assert files[label]["rows_quarantined"] == report.quarantine_expected(label)
        assert files[label]["rows_landed"] == rows - report.quarantine_expected(label)


def test_the_table_shows_each_file_and_its_verdict(demo):
    result = validate(str(demo[0]))
    assert result.exit_code == 0, result.output
    for source in SOURCES:
        assert f"{source}_RBL.csv" in result.stdout
    assert "header ok" in result.stdout


def test_a_datix_file_without_a_column_fails_naming_file_and_column(landing_copy):
    rewrite_csv(landing_copy / DATIX, lambda rows: [r[:12] + r[13:] for r in rows])  # drops "Harm"
    result = validate(str(landing_copy), "--json")
    assert result.exit_code == 1
    error = verdicts(result)[DATIX]["error"]
    assert "missing column(s) 'Harm'" in error and "datix_incident_RBL.csv" in error
    assert verdicts(result)["esr_assignment/esr_assignment_RBL.csv"]["error"] is None


def test_one_file_can_be_validated_alone(landing_copy):
    rewrite_csv(landing_copy / DATIX, lambda rows: [r[:12] + r[13:] for r in rows])
    result = validate(str(landing_copy / DATIX))
    assert result.exit_code == 1
    assert "missing column(s) 'Harm'" in result.stdout
    assert "esr_assignment" not in result.stdout


def test_one_source_folder_can_be_validated_alone(landing_copy):
    clean = validate(str(landing_copy / "datix_incident"), "--json")
    assert clean.exit_code == 0, clean.output
    assert set(verdicts(clean)) == {DATIX}  # labelled as landing labels it; no other source is missing
    rewrite_csv(landing_copy / DATIX, lambda rows: [r[:12] + r[13:] for r in rows])
    broken = validate(str(landing_copy / "datix_incident"), "--json")
    assert broken.exit_code == 1 and "missing column(s) 'Harm'" in verdicts(broken)[DATIX]["error"]


def bad_harm_codes(rows: list[list[str]]) -> list[list[str]]:
    """Every 10th row's Harm is a code the contract does not know: 10 % quarantined, above the 5 % limit."""
    return [rows[0]] + [r[:12] + ["Catastrophic-ish"] + r[13:] if i % 10 == 0 else r
                        for i, r in enumerate(rows[1:], 1)]


def test_bad_codes_report_the_same_counts_and_reasons_as_a_real_landing(landing_copy, tmp_path):
    rewrite_csv(landing_copy / DATIX, bad_harm_codes)
    result = validate(str(landing_copy), "--json")
    assert result.exit_code == 1  # the source would fail its quarantine gate
    reported = json.loads(result.stdout)
    datix = verdicts(result)[DATIX]
    assert datix["reasons"][0]["rule"] == "valid_values:harm"
    assert datix["reasons"][0]["rows"] >= datix["rows_read"] // 10  # and the demo's own few
    assert any("datix_incident" in e and "above the contract's" in e for e in reported["errors"])

    con = duckdb.connect(str(tmp_path / "landed.duckdb"))
    for name in ("datix_incident", "esr_assignment"):
        contract = load_contracts()[name]
        land_source(con, contract, source_files(contract, landing_copy, landing_copy), key=b"k",
                    run_id="run", loaded_at=datetime(2026, 1, 1), label_root=landing_copy)
    landed = {path: (read, landed_rows, held) for path, read, landed_rows, held in con.execute(
        "select file_path, rows_read, rows_landed, rows_quarantined from audit.source_load").fetchall()}
    assert landed == {f["file"]: (f["rows_read"], f["rows_landed"], f["rows_quarantined"])
                      for f in reported["files"] if f["source"] in ("datix_incident", "esr_assignment")}
    rules = dict(con.execute("select _rule, count(*) from raw.datix_incident__quarantine group by 1").fetchall())
    assert {r["rule"]: r["rows"] for r in datix["reasons"]} == rules


def test_the_table_lists_the_top_reasons(landing_copy):
    rewrite_csv(landing_copy / DATIX, bad_harm_codes)
    result = validate(str(landing_copy / DATIX))
    assert result.exit_code == 1
    assert "valid_values:harm" in result.stdout


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("datix_incident/datix_incident_RCB.csv", b"", "the file is empty"),
    ("datix_incident/datix_incident_RCB.csv", "Ref;Link Seq;Organisation Code\n1;2;3\n".encode(), "wrong delimiter"),
    ("datix_incident/datix_incident_RCB.csv", "Ref,Link Seq\n".encode("utf-16"), "cannot be read as utf-8"),
    ("payroll/payroll_RBL.csv", b"a,b\n1,2\n", "no contract"),
])
def test_file_level_errors_exit_non_zero(tmp_path, name, content, expected):
    (tmp_path / name).parent.mkdir()
    (tmp_path / name).write_bytes(content)
    result = validate(str(tmp_path / name), "--json")
    assert result.exit_code == 1
    assert expected in verdicts(result)[name]["error"]


def test_a_missing_source_is_reported(landing_copy):
    shutil.rmtree(landing_copy / "er_case")
    result = validate(str(landing_copy), "--json")
    assert result.exit_code == 1
    assert any("no file found for source er_case" in e for e in json.loads(result.stdout)["errors"])


def test_validate_reads_the_configured_landing_folder_and_writes_nothing(landing_copy, tmp_path):
    warehouse = tmp_path / "warehouse"
    before = sorted((p.relative_to(landing_copy), p.stat().st_mtime_ns) for p in landing_copy.rglob("*"))
    result = validate(env={"EDI_LANDING_DIR": str(landing_copy), "EDI_WAREHOUSE_DIR": str(warehouse)})
    assert result.exit_code == 0, result.output
    assert "esr_assignment_RBL.csv" in result.stdout
    assert not warehouse.exists()
    assert sorted((p.relative_to(landing_copy), p.stat().st_mtime_ns) for p in landing_copy.rglob("*")) == before


def test_a_trust_extract_with_local_headings_validates_with_its_mapping(tmp_path, demo):
    esr = Path("esr_assignment") / "esr_assignment_RBL.csv"
    landing = tmp_path / "landing"
    generate(1, SEED, landing, local_esr={"RBL"})
    without = validate(str(landing / esr), "--json", env={"EDI_MAPPINGS_DIR": str(tmp_path / "none")})
    assert without.exit_code == 1
    assert "missing column(s)" in verdicts(without)[esr.as_posix()]["error"]
    mapped = validate(str(landing / esr), "--json",
                      env={"EDI_MAPPINGS_DIR": str(REPO_ROOT / "docs" / "examples" / "mappings")})
    assert mapped.exit_code == 0, mapped.output
    counts = lambda result: {k: (f["rows_read"], f["rows_landed"], f["rows_quarantined"], f["reasons"])
                             for k, f in verdicts(result).items()}
    assert counts(mapped) == counts(validate(str(demo[0] / esr), "--json"))
    assert verdicts(mapped)[esr.as_posix()]["mapping"].endswith("mappings/RBL/esr_assignment.yaml")


def test_a_broken_mapping_is_a_file_level_error(landing_copy, tmp_path):
    mappings = tmp_path / "mappings"
    (mappings / "RBL").mkdir(parents=True)
    (mappings / "RBL" / "esr_assignment.yaml").write_text("columns:\n  sexx: Sex\n", encoding="utf-8")
    result = validate(str(landing_copy / "esr_assignment" / "esr_assignment_RBL.csv"), "--json",
                      env={"EDI_MAPPINGS_DIR": str(mappings)})
    assert result.exit_code == 1
    assert any("sexx" in e for e in json.loads(result.stdout)["errors"])
