"""Read-only views for `edi status` and `edi lineage`: the run history and the published file.

The published warehouse is only ever opened read-only, so inspecting it never blocks a refresh
(which writes its own candidate file) nor another reader.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.publish.audit import content_version
from orchestration.publish.files import UNKNOWN_RUN, history_versions, published_path
from orchestration.publish.run_store import read_runs

ROLLED_BACK = "rolled back"
NOT_FAILED = {"published", "not published", ROLLED_BACK}


class InspectError(RuntimeError):
    """What was asked for is not there; the message says what is."""


@dataclass
class Published:
    path: Path
    run_id: str
    published_at: datetime | None
    version: str
    restored_by: dict | None = None  # the rollback that published this version again, if one did


@dataclass
class LandedFile:
    path: str
    sha256: str
    rows_read: int
    rows_landed: int
    rows_quarantined: int


@dataclass
class LineageNode:
    unique_id: str
    node_type: str
    parents: list[LineageNode] = field(default_factory=list)
    files: list[LandedFile] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.unique_id.split(".")[-1]


def _connect_published(warehouse_dir: Path) -> duckdb.DuckDBPyConnection:
    path = published_path(warehouse_dir)
    if not path.exists():
        raise InspectError(f"no published warehouse at {path}: run `edi refresh`")
    return duckdb.connect(str(path), read_only=True)


def recent_runs(warehouse_dir: Path, limit: int) -> list[dict]:
    """The last runs of the history, newest first."""
    return list(reversed(read_runs(warehouse_dir)))[:limit]


def latest_failed_run(warehouse_dir: Path) -> dict | None:
    return next((r for r in reversed(read_runs(warehouse_dir)) if r["status"] not in NOT_FAILED), None)


def warehouse_version(path: Path) -> Published:
    """The run that built a warehouse file and its content version, from the audit tables inside it."""
    with duckdb.connect(str(path), read_only=True) as con:
        audit = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'audit'").fetchall()}
        if "refresh_run" not in audit:  # a file from before the audit trail
            return Published(path, UNKNOWN_RUN, None, "unknown")
        run_id, finished = con.execute(
            "select run_id, finished_at from audit.refresh_run where status = 'published' "
            "order by finished_at desc limit 1").fetchone()
        hashed = "table_hash" in audit
        hashes = con.execute(
            "select schema_name, table_name, row_count, content_hash from audit.table_hash "
            "where run_id = $r", {"r": run_id}).fetchall() if hashed else []
    # warehouses published before table hashes were recorded have no content version
    return Published(path, run_id, finished, content_version(hashes) if hashes else "unknown")


def _latest_publication(warehouse_dir: Path) -> dict | None:
    """The newest run-history record that put a version in place: a published run or a rollback."""
    return next((r for r in reversed(read_runs(warehouse_dir)) if r["status"] in ("published", ROLLED_BACK)), None)


def published(warehouse_dir: Path) -> Published | None:
    """What readers see now, from the audit tables inside the published file; when a rollback put it
    back in place, that rollback's record too."""
    if not published_path(warehouse_dir).exists():
        return None
    now = warehouse_version(published_path(warehouse_dir))
    latest = _latest_publication(warehouse_dir)
    if latest is not None and latest["status"] == ROLLED_BACK and latest.get("published_version") == now.version:
        now.restored_by = latest
    return now


def kept_versions(warehouse_dir: Path) -> list[tuple[Path, Published]]:
    """The kept previous versions, newest first, each with the run and content version it holds."""
    return [(path, warehouse_version(path)) for path in history_versions(warehouse_dir)]


def _landed_files(con: duckdb.DuckDBPyConnection, source: str) -> list[LandedFile]:
    """The files behind a source table: its latest load (what the raw table holds)."""
    rows = con.execute(
        """select file_path, sha256, rows_read, rows_landed, rows_quarantined from audit.source_load
           where source = $s and run_id = (select run_id from audit.source_load where source = $s
                                           order by loaded_at desc limit 1)
           order by file_path""", {"s": source}).fetchall()
    return [LandedFile(*row) for row in rows]


def _resolve(name: str, nodes: dict[str, str]) -> str:
    """A unique id from a model or seed name (or a unique id); suggests close names if unknown."""
    if name in nodes:
        return name
    by_name = {uid.split(".")[-1]: uid for uid in nodes}
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(name, sorted(by_name), n=5, cutoff=0.6)
    hint = f"; did you mean: {', '.join(close)}" if close else ""
    raise InspectError(f"unknown model {name!r} in audit.lineage{hint}")


def lineage(warehouse_dir: Path, model: str) -> LineageNode:
    """The chain model -> parents -> ... -> sources -> landed files, from the published file."""
    with _connect_published(warehouse_dir) as con:
        edges = con.execute("select node, node_type, parent from audit.lineage").fetchall()
        nodes = {node: node_type for node, node_type, _ in edges}
        parents: dict[str, list[str]] = {}
        for node, _, parent in edges:
            if parent is not None:
                parents.setdefault(node, []).append(parent)

        built: dict[str, LineageNode] = {}  # shared ancestors are built once

        def build(unique_id: str) -> LineageNode:
            if unique_id not in built:
                node = LineageNode(unique_id, nodes.get(unique_id, unique_id.split(".")[0]))
                if node.node_type == "source":
                    node.files = _landed_files(con, node.name)
                node.parents = [build(p) for p in sorted(parents.get(unique_id, []))]
                built[unique_id] = node
            return built[unique_id]

        return build(_resolve(model, nodes))
