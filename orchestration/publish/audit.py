"""Audit tables written into the candidate just before it is published, so the published warehouse
carries the record of the run that built it: what ran, which checks passed, and the lineage."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

AUDITED_PACKAGES = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "great-expectations")


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
        (run_id, c["target"], c["check_name"], c["passed"], c["severity"], c["observed"]) for c in checks])
    con.execute(
        "create or replace table audit.lineage (node varchar, node_type varchar, parent varchar)")
    con.executemany("insert into audit.lineage values (?, ?, ?)",
                    lineage_edges(DBT_PROJECT_DIR / "target" / "manifest.json"))
