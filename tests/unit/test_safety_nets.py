"""The guards of the test suite can themselves fail: a stale dbt sources file stops `make test`."""

import re
import shutil
import subprocess

import yaml
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.quality import dbt_sources
from orchestration.settings import CONTRACTS_DIR, REPO_ROOT

runner = CliRunner()


def _project_copy(tmp_path, monkeypatch):
    """The contracts and the committed sources file, copied so a test can edit them."""
    contracts = tmp_path / "data_contracts"
    shutil.copytree(CONTRACTS_DIR, contracts)
    sources = tmp_path / "_sources.yml"
    shutil.copyfile(dbt_sources.SOURCES_FILE, sources)
    monkeypatch.setattr(dbt_sources, "CONTRACTS_DIR", contracts)
    monkeypatch.setattr(dbt_sources, "SOURCES_FILE", sources)
    return contracts, sources


def _edit_a_column_description(contracts):
    path = contracts / "ods_icb.odcs.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["schema"][0]["properties"][0]["description"] = "Edited without running edi contracts sync."
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def test_sync_check_passes_on_the_committed_sources(tmp_path, monkeypatch):
    _project_copy(tmp_path, monkeypatch)
    result = runner.invoke(app, ["contracts", "sync", "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_sync_check_fails_on_a_contract_edit_without_sync_and_writes_nothing(tmp_path, monkeypatch):
    contracts, sources = _project_copy(tmp_path, monkeypatch)
    _edit_a_column_description(contracts)
    before = sources.read_bytes()
    result = runner.invoke(app, ["contracts", "sync", "--check"])
    assert result.exit_code == 1, result.output
    assert "stale" in result.output and "edi contracts sync" in result.output
    assert re.search(r"^\+ +description: Edited without running edi contracts sync\.$", result.output, re.M)  # the diff
    assert sources.read_bytes() == before
    synced = runner.invoke(app, ["contracts", "sync"])
    assert synced.exit_code == 0 and "updated" in synced.output
    assert runner.invoke(app, ["contracts", "sync", "--check"]).exit_code == 0


def _make_dry_run(target: str) -> list[str]:
    result = subprocess.run(["make", "-n", target], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_make_test_checks_the_sources_before_pytest_and_never_regenerates_them():
    for target in ("test", "test-slow"):
        commands = _make_dry_run(target)
        pytest_at = next(i for i, c in enumerate(commands) if "-m pytest" in c)
        before_pytest = commands[:pytest_at]
        assert any(re.search(r"edi contracts sync --check\b", c) for c in before_pytest), commands
        writes_sources = [c for c in before_pytest
                          if re.search(r"edi contracts sync(?! --check)", c)
                          or (re.search(r"edi prepare\b", c) and "--no-sync" not in c)]
        assert not writes_sources, f"`make {target}` regenerates _sources.yml before pytest: {writes_sources}"
        assert "--durations=15" in commands[pytest_at], commands[pytest_at]
