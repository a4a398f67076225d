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

import duckdb

PUBLISHED_NAME = "edi.duckdb"


def published_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / PUBLISHED_NAME


def candidate_path(warehouse_dir: Path, run_id: str) -> Path:
    return Path(warehouse_dir) / "candidates" / f"{run_id}.duckdb"


def history_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / "history"


def _private_dir(path: Path) -> Path:
    """The full warehouse holds person-level rows: its folders are the owner's only."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _private_copy(source: Path, target: Path) -> None:
    """Copy then rename, so a half-finished copy is never taken for the real file."""
    partial = target.with_name(target.name + ".copying")
    shutil.copyfile(source, partial)
    partial.chmod(0o600)
    os.replace(partial, target)


def ensure_candidate(warehouse_dir: Path, run_id: str) -> Path:
    """The run's candidate file, created on first use as a copy of the published warehouse."""
    candidate = candidate_path(warehouse_dir, run_id)
    if candidate.exists():
        return candidate
    _private_dir(Path(warehouse_dir))
    _private_dir(candidate.parent)
    published = published_path(warehouse_dir)
    if published.exists():
        _private_copy(published, candidate)
    else:  # DuckDB would create it with the default umask
        with duckdb.connect(str(candidate)):
            pass
        candidate.chmod(0o600)
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
    _keep_current_version(warehouse_dir, run_id)
    _fsync(candidate)
    os.replace(candidate, published_path(warehouse_dir))
    prune_history(warehouse_dir, keep)
    return published_path(warehouse_dir)


def _keep_current_version(warehouse_dir: Path, label: str) -> None:
    """Hard-link the published file into history/ before it is replaced (no copy, no gap)."""
    published = published_path(warehouse_dir)
    if published.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        os.link(published, _private_dir(history_dir(warehouse_dir)) / f"{stamp}__{label}.duckdb")


def history_versions(warehouse_dir: Path) -> list[Path]:
    """Kept versions, newest first."""
    return sorted(history_dir(warehouse_dir).glob("*.duckdb"), reverse=True)


def rollback(warehouse_dir: Path, version: str | None = None) -> Path:
    """Publish a kept version again (the newest by default); the current one is kept too."""
    versions = history_versions(warehouse_dir)
    chosen = [v for v in versions if version is None or v.name == version or v.stem == version]
    if not chosen:
        raise FileNotFoundError(f"no kept version {version or ''} in {history_dir(warehouse_dir)}")
    restoring = candidate_path(warehouse_dir, f"rollback-{chosen[0].stem}")
    _private_dir(restoring.parent)
    _private_copy(chosen[0], restoring)
    _keep_current_version(warehouse_dir, "before-rollback")
    os.replace(restoring, published_path(warehouse_dir))
    return chosen[0]


def prune_history(warehouse_dir: Path, keep: int) -> None:
    for old in history_versions(warehouse_dir)[keep:]:
        old.unlink()
