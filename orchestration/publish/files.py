"""The warehouse files: the published file, per-run candidates and the kept previous versions.

    warehouse/edi.duckdb                 published: what readers open (read-only)
    warehouse/candidates/<run id>.duckdb what one run writes; never opened by readers
    warehouse/history/<stamp>__<run id>.duckdb   previous published versions (the newest N kept)

A run starts from a copy of the published file (so a run of a few assets still sees the rest of
the warehouse) and publishing is one os.replace: a reader sees the old file or the new one, never
a mixture, and a failed or killed run leaves the published file untouched.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

PUBLISHED_NAME = "edi.duckdb"


def published_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / PUBLISHED_NAME


def candidate_path(warehouse_dir: Path, run_id: str) -> Path:
    return Path(warehouse_dir) / "candidates" / f"{run_id}.duckdb"


def history_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / "history"


def ensure_candidate(warehouse_dir: Path, run_id: str) -> Path:
    """The run's candidate file, created on first use as a copy of the published warehouse."""
    candidate = candidate_path(warehouse_dir, run_id)
    if candidate.exists():
        return candidate
    candidate.parent.mkdir(parents=True, exist_ok=True)
    published = published_path(warehouse_dir)
    if published.exists():
        partial = candidate.with_suffix(".copying")
        shutil.copyfile(published, partial)
        os.replace(partial, candidate)  # a half-finished copy is never taken for a candidate
    return candidate


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def publish(warehouse_dir: Path, run_id: str, keep: int) -> Path:
    """Swap the run's candidate into place, keeping the previous version in history/."""
    candidate = candidate_path(warehouse_dir, run_id)
    if not candidate.exists():
        raise FileNotFoundError(f"{candidate}: run {run_id} has no candidate warehouse to publish")
    if candidate.with_suffix(".duckdb.wal").exists():
        raise RuntimeError(f"{candidate}: has an unfinished write-ahead log; not publishing")
    published = published_path(warehouse_dir)
    if published.exists():
        history = history_dir(warehouse_dir)
        history.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        os.link(published, history / f"{stamp}__{run_id}.duckdb")
    _fsync(candidate)
    os.replace(candidate, published)
    prune_history(warehouse_dir, keep)
    return published


def prune_history(warehouse_dir: Path, keep: int) -> None:
    versions = sorted(history_dir(warehouse_dir).glob("*.duckdb"), reverse=True)
    for old in versions[keep:]:
        old.unlink()
