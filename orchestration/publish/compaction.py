"""Keep the published file from growing night after night on the same data.

A run starts from a copy of the published file and rebuilds tables inside it; DuckDB reuses the
blocks freed by dropped tables only partly, so a file rewritten in place creeps up (152 MB to 222 MB
over six identical runs was measured). Before publishing, a candidate whose free blocks exceed
MAX_FREE_SHARE of the file is copied table by table into a fresh file (COPY FROM DATABASE), which
holds only live data. Rewriting costs time in proportion to the warehouse, so it is done only when
the waste is worth it: the file never carries more than about MAX_FREE_SHARE of dead space.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

MAX_FREE_SHARE = 0.25


def free_share(con: duckdb.DuckDBPyConnection) -> float:
    """The share of the file's blocks that hold no data."""
    _, _, _, total, _, free, *_ = con.execute("pragma database_size").fetchone()
    return free / total if total else 0.0


def compact_if_fragmented(path: Path, config: dict[str, str] | None = None,
                          max_free_share: float = MAX_FREE_SHARE) -> bool:
    """Rewrite the DuckDB file at `path` into a fresh file when too much of it is free; True if it did.
    The fresh file replaces the old one in one rename, so a reader of `path` never sees a partial file."""
    config = config or {}
    with duckdb.connect(str(path), config=config) as con:
        con.execute("checkpoint")
        if free_share(con) <= max_free_share:
            return False
    compacted = path.with_name(path.stem + ".compacting.duckdb")
    compacted.unlink(missing_ok=True)
    with duckdb.connect(config=config) as con:
        con.execute("set enable_progress_bar = false")
        con.execute("attach ? as old (read_only)", [str(path)])
        con.execute("attach ? as fresh", [str(compacted)])
        con.execute("copy from database old to fresh")
        con.execute("detach fresh")
    os.chmod(compacted, 0o600)
    os.replace(compacted, path)
    return True
