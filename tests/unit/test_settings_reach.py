"""One settings object per run: only settings.py reads the environment, and dbt gets its variables
through the dbt resource, never by changing this process's environment."""

import ast
import os
import stat
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT
from orchestration.resources import Warehouse
from orchestration.transform import dbt_project, dbt_resource, engine_runner

PACKAGE = REPO_ROOT / "orchestration"
ENVIRONMENT_READERS = {"environ", "getenv", "putenv", "unsetenv", "environb"}
# The entry points that load the settings (once) and hand them on.
SETTINGS_LOADERS = {"orchestration/settings.py", "orchestration/cli.py", "orchestration/definitions.py"}


def _environment_uses(tree: ast.AST) -> list[int]:
    """Lines naming os.environ / os.getenv / ..., or importing them from os."""
    lines = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_READERS
             and isinstance(node.value, ast.Name) and node.value.id == "os"]
    lines += [node.lineno for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
              and node.module == "os" and any(a.name in ENVIRONMENT_READERS for a in node.names)]
    return lines


def _settings_loads(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "load_settings"]


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(REPO_ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_the_scan_finds_an_environment_read():
    assert _environment_uses(ast.parse("import os\nx = os.environ.get('A')\n")) == [2]
    assert _environment_uses(ast.parse("from os import getenv\n")) == [1]
    assert _settings_loads(ast.parse("s = load_settings()\nt = settings.load_settings()\n")) == [1, 2]


def test_only_settings_py_reads_the_environment():
    readers = {name: lines for name, tree in _modules()
               if name != "orchestration/settings.py" and (lines := _environment_uses(tree))}
    assert not readers, f"modules reading the environment (add a Settings field instead): {readers}"


def test_settings_are_loaded_only_by_the_entry_points():
    loaders = {name: lines for name, tree in _modules()
               if name not in SETTINGS_LOADERS and (lines := _settings_loads(tree))}
    assert not loaders, f"modules loading settings themselves (take them as arguments): {loaders}"


@pytest.fixture
def fake_dbt(tmp_path) -> tuple[Path, Path]:
    """A 'dbt' that writes the environment it was started with to a file and exits."""
    seen = tmp_path / "environment.txt"
    script = tmp_path / "dbt"
    script.write_text(f"#!/bin/sh\nenv > '{seen}'\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, seen


def test_the_dbt_invocation_passes_its_variables_without_touching_os_environ(fake_dbt, monkeypatch, tmp_path):
    script, seen = fake_dbt
    before = dict(os.environ)

    def refuse(*args):
        raise AssertionError(f"os.environ changed during the dbt invocation: {args[1:2]}")

    resource = dbt_resource().model_copy(update={"dbt_executable": str(script)})
    with monkeypatch.context() as guard:
        guard.setattr(os._Environ, "__setitem__", refuse)
        guard.setattr(os._Environ, "__delitem__", refuse)
        runner = resource.with_environment({"EDI_DUCKDB_PATH": "/tmp/run.duckdb", "EDI_RUN_ID": "run-1"})
        runner.cli(["build"], manifest=dbt_project.manifest_path, raise_on_error=False,
                   target_path=tmp_path / "target").wait()
    assert dict(os.environ) == before
    child = dict(line.split("=", 1) for line in seen.read_text(encoding="utf-8").splitlines() if "=" in line)
    assert child["EDI_DUCKDB_PATH"] == "/tmp/run.duckdb" and child["EDI_RUN_ID"] == "run-1"


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_the_build_writes_no_dbt_debug_log_file(fake_dbt, tmp_path, engine):
    """dbt's debug log goes into the invocation's target folder, which the build removes unread:
    the runner of either engine turns it off, beside the run's own variables."""
    script, seen = fake_dbt
    warehouse = Warehouse(landing_dir=str(tmp_path / "landing"), warehouse_dir=str(tmp_path / "warehouse"))
    resource = dbt_resource().model_copy(update={"dbt_executable": str(script)})
    runner, _ = engine_runner(engine, resource, warehouse, "run-1")
    runner.cli(["build"], manifest=dbt_project.manifest_path, raise_on_error=False,
               target_path=tmp_path / "target").wait()
    child = dict(line.split("=", 1) for line in seen.read_text(encoding="utf-8").splitlines() if "=" in line)
    assert child["DBT_LOG_LEVEL_FILE"] == "none" and child["EDI_RUN_ID"] == "run-1"
