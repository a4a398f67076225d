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
    linked: list[LineageNode] = field(default_factory=list)  # its parents upstream, its children downstream
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


def _names(unique_id: str, schema_of: dict[str, str]) -> set[str]:
    """Every name a node answers to, lower case: model.p.fct_x -> fct_x, marts.fct_x;
    source.p.raw.esr_assignment -> esr_assignment (its contract), raw.esr_assignment."""
    parts = unique_id.lower().split(".")
    names = {unique_id.lower(), parts[-1]}
    if parts[0] == "source":
        names.add(".".join(parts[2:]))
    elif parts[-1] in schema_of:
        names.add(f"{schema_of[parts[-1]]}.{parts[-1]}")
    return names


def _schemas(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Table or view name -> its schema in the published file (lower case), for schema.model names."""
    rows = con.execute("select lower(table_name), lower(schema_name) from duckdb_tables() "
                       "union all select lower(view_name), lower(schema_name) from duckdb_views() "
                       "where not internal").fetchall()
    return dict(rows)


def _file_sources(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A landed file's path and its base name (lower case) -> its source, from the latest loads."""
    files = {}
    for path, source in con.execute("select distinct file_path, source from audit.source_load").fetchall():
        files[path.lower()] = files[Path(path).name.lower()] = source
    return files


def _resolve(name: str, nodes: set[str], schema_of: dict[str, str], file_sources: dict[str, str]) -> str:
    """A unique id from any name a node answers to (case-insensitive), or from a landed file (its
    source); suggests close names if unknown."""
    wanted = name.strip().lower()
    if wanted in file_sources:
        wanted = file_sources[wanted].lower()
    matches = sorted(uid for uid in nodes if wanted in _names(uid, schema_of))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InspectError(f"{name!r} names several nodes: {', '.join(matches)}; give one of them")
    known = sorted({n for uid in nodes for n in _names(uid, schema_of) if not n.startswith(("model.", "seed.", "source."))})
    close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.6)
    hint = f"; did you mean: {', '.join(close)}" if close else ""
    raise InspectError(f"unknown model, seed, source or landed file {name!r} in audit.lineage{hint}")


def lineage(warehouse_dir: Path, name: str, downstream: bool = False) -> LineageNode:
    """From the published file: the chain node -> parents -> ... -> sources -> landed files, or with
    downstream, what the node (a source, a landed file's source, a model) feeds. `name` is a model,
    seed or source name in any case, schema.model, raw.<source>, or a landed file."""
    with _connect_published(warehouse_dir) as con:
        edges = con.execute("select node, node_type, parent from audit.lineage").fetchall()
        types = {node: node_type for node, node_type, _ in edges}
        links: dict[str, list[str]] = {}
        for node, _, parent in edges:
            if parent is not None:
                start, end = (parent, node) if downstream else (node, parent)
                links.setdefault(start, []).append(end)
        nodes = set(types) | {parent for _, _, parent in edges if parent is not None}
        root = _resolve(name, nodes, _schemas(con), _file_sources(con))

        built: dict[str, LineageNode] = {}  # shared nodes are built once

        def build(unique_id: str) -> LineageNode:
            if unique_id not in built:
                node = LineageNode(unique_id, types.get(unique_id, unique_id.split(".")[0]))
                built[unique_id] = node
                if node.node_type == "source" and (not downstream or unique_id == root):
                    node.files = _landed_files(con, node.name)
                node.linked = [build(p) for p in sorted(links.get(unique_id, []))]
            return built[unique_id]

        return build(root)


def lineage_json(root: LineageNode, downstream: bool) -> dict:
    """The lineage as a graph for machines: every node once (with its landed files), and the edges
    in the direction asked (node -> parent upstream, node -> child downstream)."""
    nodes, edges, seen = [], [], set()
    pending = [root]
    while pending:
        node = pending.pop()
        if node.unique_id in seen:
            continue
        seen.add(node.unique_id)
        nodes.append({"unique_id": node.unique_id, "name": node.name, "type": node.node_type,
                      "files": [vars(f) for f in node.files]})
        for linked in node.linked:
            edges.append({"from": node.unique_id, "to": linked.unique_id})
            pending.append(linked)
    return {"root": root.unique_id, "direction": "downstream" if downstream else "upstream",
            "nodes": sorted(nodes, key=lambda n: n["unique_id"]),
            "edges": sorted(edges, key=lambda e: (e["from"], e["to"]))}
