"""Audit tables written into the candidate just before it is published, so the published warehouse
carries the record of the run that built it: what ran, which checks passed, and the lineage."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration.identifiers import quoted
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

AUDITED_PACKAGES = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "great-expectations")
# When a row was landed is a fact about the run, not the content: left out so the same inputs give the
# same hashes, and so the same content version, whenever they are loaded.
LOAD_TIME_COLUMNS = frozenset({"_loaded_at"})


def code_version() -> str:
    """The git commit of the code that ran, or 'unknown' outside a checkout."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    return {name: version(name) for name in AUDITED_PACKAGES}


def lineage_edges(manifest_path: Path) -> list[tuple[str, str, str]]:
    """(node, node type, parent) for every model and seed in the manifest (seeds have no parent)."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    edges = []
    for node in manifest["nodes"].values():
        if node["resource_type"] in {"model", "seed"}:
            for parent in node["depends_on"].get("nodes") or [None]:
                edges.append((node["unique_id"], node["resource_type"], parent))
    return edges


def table_hashes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, str]]:
    """(schema, table, rows, hash) for every base table outside `audit`. The hash is the sum of
    DuckDB's 64-bit row hashes modulo 2^64: independent of row order, and a duplicated row still
    changes it (an XOR would cancel it out). Every value is hashed exactly, doubles to the last bit:
    the models compute them reproducibly (decimal sums, complete window orders), so equal inputs give
    equal hashes; LOAD_TIME_COLUMNS are left out. Names come from the catalog and are quoted."""
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(
        """select c.schema_name, c.table_name, c.column_name
           from duckdb_columns() c join duckdb_tables() t using (database_name, schema_name, table_name)
           where c.database_name = current_database() and c.schema_name <> 'audit'
           order by c.schema_name, c.table_name, c.column_index""").fetchall():
        if column not in LOAD_TIME_COLUMNS:
            columns.setdefault((schema, table), []).append(quoted(column))
    hashes = []
    for (schema, table), expressions in columns.items():
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash({', '.join(expressions)})::hugeint), 0) "
            f"from {quoted(schema)}.{quoted(table)}").fetchone()
        hashes.append((schema, table, rows, f"{int(total) % 2**64:016x}"))
    return hashes


def content_version(hashes: list[tuple[str, str, int, str]]) -> str:
    """One short identifier of the whole warehouse's content: equal content, equal version."""
    lines = sorted(f"{schema}.{table}:{rows}:{digest}" for schema, table, rows, digest in hashes)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def write_table_hashes(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, int, str]]:
    hashes = table_hashes(con)
    con.execute("create schema if not exists audit")
    con.execute(
        """create table if not exists audit.table_hash (run_id varchar, schema_name varchar,
           table_name varchar, row_count bigint, content_hash varchar)""")
    con.execute("delete from audit.table_hash where run_id = $r", {"r": run_id})
    con.executemany("insert into audit.table_hash values (?, ?, ?, ?, ?)",
                    [(run_id, *row) for row in hashes])
    return hashes


def write_audit(con: duckdb.DuckDBPyConnection, run_id: str, started_at: datetime | None,
                parameters: dict, checks: list[dict]) -> None:
    con.execute("create schema if not exists audit")
    con.execute(
        """create table if not exists audit.refresh_run (run_id varchar, started_at timestamp,
           finished_at timestamp, status varchar, code_version varchar, package_versions varchar,
           parameters varchar)""")
    con.execute("delete from audit.refresh_run where run_id = $r", {"r": run_id})
    con.execute(
        "insert into audit.refresh_run values ($r, $s, $f, 'published', $c, $p, $params)",
        {"r": run_id, "s": started_at, "f": datetime.now(timezone.utc).replace(tzinfo=None),
         "c": code_version(), "p": json.dumps(package_versions()), "params": json.dumps(parameters)})
    con.execute(
        """create table if not exists audit.check_result (run_id varchar, target varchar,
           check_name varchar, passed boolean, severity varchar, observed varchar)""")
    con.execute("delete from audit.check_result where run_id = $r", {"r": run_id})
    con.executemany("insert into audit.check_result values (?, ?, ?, ?, ?, ?)", [
        (run_id, c["target"], c["check_name"], c["passed"], c["severity"],
         json.dumps(c["observed"], default=str)) for c in checks])
    con.execute(
        "create or replace table audit.lineage (node varchar, node_type varchar, parent varchar)")
    con.executemany("insert into audit.lineage values (?, ?, ?)",
                    lineage_edges(DBT_PROJECT_DIR / "target" / "manifest.json"))
