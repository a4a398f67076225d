"""The `edi` command line."""

from typer.testing import CliRunner

from orchestration.cli import app

runner = CliRunner()


def test_generate_writes_extracts_and_skips_when_present(tmp_path):
    out = tmp_path / "landing"
    result = runner.invoke(app, ["generate", "--trusts", "1", "--seed", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "generated 1 trust(s) (RBL)" in result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.glob("*/*.csv"))
    assert len(files) == 10 and "esr_assignment/esr_assignment_RBL.csv" in files
    before = {p: p.stat().st_mtime_ns for p in out.glob("*/*.csv")}
    again = runner.invoke(app, ["generate", "--trusts", "2", "--out", str(out), "--skip-if-present"])
    assert again.exit_code == 0 and "already present" in again.output
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/*.csv")} == before


def test_generate_a_full_refresh_as_at_a_day_then_a_monthly_increment(tmp_path):
    out = tmp_path / "landing"
    base = runner.invoke(app, ["generate", "--trusts", "1", "--as-at", "2025-02-28", "--out", str(out)])
    assert base.exit_code == 0 and "as at 2025-02-28" in base.output, base.output
    night = runner.invoke(app, ["generate", "--trusts", "1", "--increment", "2025-03", "--out", str(out)])
    assert night.exit_code == 0 and "increment 2025-03 (10 files)" in night.output, night.output
    files = sorted(p.name for p in (out / "er_case").glob("*.csv"))
    assert files == ["er_case_RBL.csv", "er_case_RBL_2025-03.csv"]  # the base is kept, sorts first
    for wrong in (["--increment", "2025-3"], ["--increment", "2025-04"], ["--as-at", "2021-03-31"],
                  ["--increment", "2025-03", "--as-at", "2025-02-28"]):
        refused = runner.invoke(app, ["generate", "--trusts", "1", "--out", str(tmp_path / "x"), *wrong])
        assert refused.exit_code == 2 and "Invalid value" in refused.output, (wrong, refused.output)
    assert not (tmp_path / "x").exists()


def test_contracts_sync_reports_the_committed_sources_up_to_date():
    result = runner.invoke(app, ["contracts", "sync"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_rollback_restores_a_kept_version_and_its_bi_extract_or_lists_what_is_kept(tmp_path, monkeypatch):
    import duckdb

    from orchestration.publish.bi_extract import bi_file_path
    from orchestration.publish.files import ensure_candidate, publish, published_path

    monkeypatch.setenv("EDI_WAREHOUSE_DIR", str(tmp_path))
    assert runner.invoke(app, ["rollback"]).exit_code == 1
    for value in ("first", "second"):
        with duckdb.connect(str(ensure_candidate(tmp_path, value))) as con:
            con.execute("create or replace table t as select $v as v", {"v": value})
            con.execute("create schema if not exists bi")
            con.execute("create or replace table bi.trust_count as select $v as label", {"v": value})
        publish(tmp_path, value, keep=3)
    result = runner.invoke(app, ["rollback"])
    assert result.exit_code == 0 and "rolled back to content version" in result.output
    with duckdb.connect(str(published_path(tmp_path)), read_only=True) as con:
        assert con.execute("select v from t").fetchone()[0] == "first"
    with duckdb.connect(str(bi_file_path(tmp_path)), read_only=True) as con:
        assert con.execute("select label from trust_count").fetchone()[0] == "first"
    missing = runner.invoke(app, ["rollback", "no-such-version"])
    assert missing.exit_code == 1 and "kept versions" in missing.output
