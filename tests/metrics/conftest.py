"""Metric tests run the project's real dbt macros: Jinja is compiled by dbt, the SQL runs in DuckDB."""

import os

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from orchestration.settings import DBT_PROJECT_DIR, DBT_SAVED_PARSE_ARGS


class MacroRenderer:
    """Compiles inline Jinja SQL with the project's macros and variables (`dbt compile --inline`)."""

    def __init__(self, tmp_dir):
        # dbt re-parses only what changed since `edi prepare`'s parse, read from the project's target
        # folder; what it writes goes to a folder of its own, not where another test process reads.
        self._args = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
                      "--target-path", str(tmp_dir / "target"), "--log-path", str(tmp_dir / "logs"),
                      *DBT_SAVED_PARSE_ARGS,
                      "--quiet"]
        os.environ.setdefault("EDI_DUCKDB_PATH", str(tmp_dir / "compile.duckdb"))
        # Parsing is the slow part: parse once, compile many times against the parsed manifest.
        parsed = dbtRunner().invoke(["parse", *self._args])
        if not parsed.success:
            raise AssertionError(f"dbt could not parse the project: {parsed.exception}")
        self._runner = dbtRunner(manifest=parsed.result)

    def render(self, sql: str, dbt_vars: dict | None = None) -> str:
        """Compile `sql`; with `dbt_vars` the project is re-parsed (slow), since variables shape the
        manifest: prefer macro arguments for test-specific settings."""
        # No cache population, introspection or JSON writing: a compile takes ~1 s instead of ~4 s.
        args = ["compile", "--inline", sql, *self._args, "--no-populate-cache", "--no-introspect",
                "--no-write-json"]
        runner = self._runner
        if dbt_vars:
            args += ["--vars", repr(dbt_vars)]
            runner = dbtRunner()
        result = runner.invoke(args)
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
