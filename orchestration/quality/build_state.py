"""Whether this run's dbt build may be incremental, and the record of what built the warehouse.

Incremental models rebuild only the organisations and periods the run's deliveries changed
(audit.change_scope, written by landing). That is only sound while everything else they depend on is
unchanged, so the build is a full one when:
- the run asks for it (tag edi/full_refresh=true, `edi refresh --full-refresh`);
- landing recorded a change to everything (public reference data changed, or a source was reloaded
  because it was new to the warehouse or its contract changed);
- the dbt project differs from the one that built the whole warehouse (models, macros, seeds, tests,
  dbt_project.yml): a changed mapping must reach every period, not only the new one. A partial build
  (`edi refresh --select`) rebuilt only its selection with that code, so it does not count;
- the build runs on Spark, which keeps no state between runs here (orchestration/spark_target.py), or
  the last build did: its tables are typed by Spark, and an incremental DuckDB build would extend them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.quality.supersession import ANY_ORGANISATION, CHANGE_SCOPE, EVERYTHING

BUILD_STATE = "audit.build_state"
FINGERPRINTED = ("dbt_project.yml", "models", "macros", "seeds", "tests")


def code_fingerprint(project_dir: Path) -> str:
    """sha256 over the dbt project's own files (path and content), independent of file times."""
    digest = hashlib.sha256()
    for entry in FINGERPRINTED:
        root = Path(project_dir) / entry
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute("select count(*) from duckdb_tables() where database_name = current_database() "
                       "and schema_name = ? and table_name = ?", [schema, table]).fetchone()[0] > 0


def rebuild_reason(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str, requested: bool,
                   engine: str = "duckdb") -> str | None:
    """Why this run's dbt build must be a full one, or None when incremental is sound."""
    if requested:
        return "requested"
    if engine != "duckdb":
        return f"every build on {engine} is a full one"
    if not _table_exists(con, "audit", "build_state"):
        return "first build of this warehouse"
    whole = "where not subset" if _has_column(con, "subset") else ""
    built = con.execute(f"select fingerprint from {BUILD_STATE} {whole} order by built_at desc limit 1").fetchone()
    if built is None or built[0] != fingerprint:
        return "the dbt project changed since the last build"
    if _has_column(con, "engine"):  # recorded since Spark builds exist; a partial build counts here
        last_engine = con.execute(f"select engine from {BUILD_STATE} order by built_at desc limit 1").fetchone()[0]
        if last_engine != engine:
            return f"the last build ran on {last_engine}"
    if not _table_exists(con, "audit", "change_scope"):
        return None  # nothing landed in this warehouse's runs: the incremental models find no change
    everything = con.execute(
        f"select list(distinct source order by source) from {CHANGE_SCOPE} "
        "where run_id = ? and organisation_code = ? and affected_from = cast(? as date)",
        [run_id, ANY_ORGANISATION, EVERYTHING]).fetchone()[0]
    if everything:
        return f"reloaded or public sources changed: {', '.join(everything)}"
    return None


def _has_column(con: duckdb.DuckDBPyConnection, column: str) -> bool:
    return con.execute("select count(*) from duckdb_columns() where database_name = current_database() "
                       "and schema_name = 'audit' and table_name = 'build_state' and column_name = ?",
                       [column]).fetchone()[0] > 0


def _add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Builds recorded before partial refreshes existed were whole ones, and before Spark on DuckDB."""
    con.execute(f"alter table {BUILD_STATE} add column if not exists subset boolean default false")
    con.execute(f"alter table {BUILD_STATE} add column if not exists engine varchar default 'duckdb'")


def record_build(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str, full: bool,
                 dbt_elapsed_seconds: float | None, subset: bool, engine: str = "duckdb") -> None:
    """Record the build; subset: it built only a selection of the dbt project."""
    con.execute("create schema if not exists audit")
    con.execute(f"""create table if not exists {BUILD_STATE} (run_id varchar, fingerprint varchar,
                    full_rebuild boolean, built_at timestamp, dbt_elapsed_seconds double)""")
    con.execute(f"alter table {BUILD_STATE} add column if not exists dbt_elapsed_seconds double")
    _add_new_columns(con)
    con.execute(f"insert into {BUILD_STATE} (run_id, fingerprint, full_rebuild, built_at, dbt_elapsed_seconds, "
                "subset, engine) values (?, ?, ?, ?, ?, ?, ?)",
                [run_id, fingerprint, full, datetime.now(timezone.utc).replace(tzinfo=None), dbt_elapsed_seconds,
                 subset, engine])


DBT_NODE_TIMING = "audit.dbt_node_timing"


def node_layer(unique_id: str, path: str) -> str:
    """What a dbt node is for, for timing: 'test', 'metrics' (the metric layer and its BI marts) or
    'models' (seeds, staging, the conformed star schema)."""
    if unique_id.startswith(("test.", "unit_test.")):
        return "test"
    core = path.startswith(("staging/", "marts/core/")) or (
        path.startswith("intermediate/") and not path.startswith("intermediate/metrics/"))
    return "models" if core or unique_id.startswith("seed.") else "metrics"


def record_node_timings(con: duckdb.DuckDBPyConnection, run_id: str, run_results: dict, manifest: dict) -> None:
    """Seconds per dbt node of the run, so an auditor (and the benchmark) can see where a build spent
    its time."""
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    rows = []
    for result in run_results.get("results", []):
        node = nodes.get(result["unique_id"], {})
        rows.append((run_id, result["unique_id"], node_layer(result["unique_id"], node.get("path", "")),
                     result.get("status"), float(result.get("execution_time") or 0.0)))
    con.execute("create schema if not exists audit")
    con.execute(f"""create table if not exists {DBT_NODE_TIMING} (run_id varchar, unique_id varchar,
                    layer varchar, status varchar, seconds double)""")
    if rows:
        con.executemany(f"insert into {DBT_NODE_TIMING} values (?, ?, ?, ?, ?)", rows)
