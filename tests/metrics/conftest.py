"""Metric tests run the project's real dbt macros: Jinja is compiled by dbt, the SQL runs in DuckDB."""

import os

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from orchestration.settings import DBT_PROJECT_DIR


class MacroRenderer:
    """Compiles inline Jinja SQL with the project's macros and variables (`dbt compile --inline`)."""

    def __init__(self, tmp_dir):
        self._runner = dbtRunner()
        self._args = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
                      "--target-path", str(tmp_dir / "target"), "--log-path", str(tmp_dir / "logs"),
                      "--quiet"]
        os.environ.setdefault("EDI_DUCKDB_PATH", str(tmp_dir / "compile.duckdb"))

    def render(self, sql: str, dbt_vars: dict | None = None) -> str:
        args = ["compile", "--inline", sql, *self._args]
        if dbt_vars:
            args += ["--vars", repr(dbt_vars)]
        result = self._runner.invoke(args)
        if not result.success:
            raise AssertionError(f"dbt could not compile the inline SQL: {result.exception}")
        return result.result.results[0].node.compiled_code


@pytest.fixture(scope="session")
def macros(tmp_path_factory) -> MacroRenderer:
    return MacroRenderer(tmp_path_factory.mktemp("dbt_inline"))


@pytest.fixture
def db():
    """An empty in-memory DuckDB for running compiled macro SQL against test-vector tables."""
    con = duckdb.connect()
    yield con
    con.close()
