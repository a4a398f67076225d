"""The warehouse files: the published file, per-run candidates and the kept previous versions.

    warehouse/edi.duckdb                 published: what readers open (read-only)
    warehouse/candidates/<run id>.duckdb what one run writes; never opened by readers
    warehouse/history/<stamp>__<run id>.duckdb   previous published versions (the newest N kept),
                                         each named after the run that built it (its audit trail)

A run starts from a copy of the published file (so a run of a few assets still sees the rest of
the warehouse) and publishing is one os.replace: a reader sees the old file or the new one, never
a mixture, and a failed or killed run leaves the published file untouched.

A run claims its candidate with an exclusive flock on `candidates/<run id>.lock`, held until it
publishes or its process ends (the kernel drops the lock even after SIGKILL). A new run deletes
every unclaimed candidate: what killed and failed runs left behind.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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


DBT_BUILD_NAME = "dbt_build.duckdb"


def dbt_build_path(warehouse_dir: Path) -> Path:
    """The one path dbt always opens: dbt's saved parse is reused only while its profile (this path
    included) is unchanged, so a run's candidate is reached through this fixed name."""
    return Path(warehouse_dir) / "candidates" / DBT_BUILD_NAME


@contextmanager
def candidate_as_dbt_build(warehouse_dir: Path, run_id: str) -> Iterator[Path]:
    """Point dbt_build.duckdb at the run's candidate while dbt runs. One dbt build at a time holds the
    name (a flock on dbt_build.lock, which a killed run's kernel releases); what a killed build left
    (the link, its write-ahead log) belonged to a candidate nobody will publish, so it is removed."""
    link = dbt_build_path(warehouse_dir)
    private_dir(link.parent)
    fd = os.open(link.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        for leftover in (link, link.with_name(link.name + ".wal")):
            leftover.unlink(missing_ok=True)
        link.symlink_to(candidate_path(warehouse_dir, run_id).name)
        yield link
        if link.with_name(link.name + ".wal").exists():
            raise RuntimeError(f"{link}: dbt left a write-ahead log; the candidate is incomplete")
    finally:
        link.unlink(missing_ok=True)
        os.close(fd)


def spill_dir(warehouse_dir: Path) -> Path:
    """Where DuckDB spills what does not fit under its memory limit: person-level, so owner-only."""
    return private_dir(Path(warehouse_dir) / "spill")


def private_dir(path: Path) -> Path:
    """The full warehouse holds person-level rows: its folders are the owner's only."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _shared_root(path: Path) -> Path:
    """Others may pass through the warehouse folder to the shareable BI extract (edi_bi.duckdb, bi/)
    but not list it; every person-level file in it stays owner-only."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o711)
    return path


def _private_copy(source: Path, target: Path) -> None:
    """Copy then rename, so a half-finished copy is never taken for the real file."""
    partial = target.with_name(target.name + ".copying")
    shutil.copyfile(source, partial)
    partial.chmod(0o600)
    os.replace(partial, target)


# run id -> open lock file descriptor; the flock lives as long as the descriptor
_CLAIMS: dict[str, int] = {}


def _lock_path(warehouse_dir: Path, run_id: str) -> Path:
    return candidate_path(warehouse_dir, run_id).with_suffix(".lock")


def _try_lock(path: Path) -> int | None:
    """An open descriptor holding an exclusive flock on path, or None if someone else holds it."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _claim(warehouse_dir: Path, run_id: str) -> None:
    if run_id not in _CLAIMS:
        fd = _try_lock(_lock_path(warehouse_dir, run_id))
        if fd is not None:
            _CLAIMS[run_id] = fd


def _release(warehouse_dir: Path, run_id: str) -> None:
    fd = _CLAIMS.pop(run_id, None)
    if fd is not None:
        _lock_path(warehouse_dir, run_id).unlink(missing_ok=True)
        os.close(fd)


def prune_stale_candidates(warehouse_dir: Path) -> list[str]:
    """Delete the files of every run whose candidate nobody holds (killed or finished runs);
    returns their run ids."""
    folder = candidate_path(warehouse_dir, "x").parent
    pruned = []
    names = {p.name.split(".")[0] for p in folder.glob("*")} - set(_CLAIMS) - {Path(DBT_BUILD_NAME).stem}
    for run_id in sorted(names):
        fd = _try_lock(_lock_path(warehouse_dir, run_id))
        if fd is None:  # a live run in another process
            continue
        for leftover in folder.glob(f"{run_id}.*"):  # .duckdb, .duckdb.wal, .duckdb.copying, .lock
            leftover.unlink(missing_ok=True)
        os.close(fd)
        pruned.append(run_id)
    return pruned


def ensure_candidate(warehouse_dir: Path, run_id: str) -> Path:
    """The run's candidate file, created on first use as a copy of the published warehouse.
    Creating it claims it and first prunes what earlier runs left behind."""
    candidate = candidate_path(warehouse_dir, run_id)
    if candidate.exists():
        _claim(warehouse_dir, run_id)
        return candidate
    _shared_root(Path(warehouse_dir))
    private_dir(candidate.parent)
    _claim(warehouse_dir, run_id)
    prune_stale_candidates(warehouse_dir)
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
    _keep_current_version(warehouse_dir)
    _fsync(candidate)
    os.replace(candidate, published_path(warehouse_dir))
    _release(warehouse_dir, run_id)
    prune_history(warehouse_dir, keep)
    return published_path(warehouse_dir)


UNKNOWN_RUN = "unknown-run"


def built_by(path: Path) -> str:
    """The run that built a warehouse file, from the audit trail inside it (read-only, so a reader
    or the refresh is never blocked); UNKNOWN_RUN for a file without one."""
    with duckdb.connect(str(path), read_only=True) as con:
        audited = con.execute("select count(*) from duckdb_tables() where schema_name = 'audit' "
                              "and table_name = 'refresh_run'").fetchone()[0]
        row = con.execute("select run_id from audit.refresh_run where status = 'published' "
                          "order by finished_at desc limit 1").fetchone() if audited else None
    return row[0] if row else UNKNOWN_RUN


def _keep_current_version(warehouse_dir: Path) -> None:
    """Hard-link the published file into history/ before it is replaced (no copy, no gap), named
    after the run that built it, so a kept version says which run's warehouse it holds."""
    published = published_path(warehouse_dir)
    if published.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        os.link(published, private_dir(history_dir(warehouse_dir)) / f"{stamp}__{built_by(published)}.duckdb")


def history_versions(warehouse_dir: Path) -> list[Path]:
    """Kept versions, newest first."""
    return sorted(history_dir(warehouse_dir).glob("*.duckdb"), reverse=True)


def rollback(warehouse_dir: Path, version: str | None = None) -> Path:
    """Publish a kept version again (the newest by default); the current one is kept too."""
    versions = history_versions(warehouse_dir)
    chosen = [v for v in versions
              if version is None or version in (v.name, v.stem) or v.stem.endswith(f"__{version}")]
    if not versions:
        raise FileNotFoundError(
            f"no kept version to roll back to in {history_dir(warehouse_dir)}: a version is kept each time "
            "a refresh publishes over the one before (EDI_KEEP_VERSIONS), so there is none until a second "
            "refresh has published")
    if not chosen:
        raise FileNotFoundError(f"no kept version {version!r} in {history_dir(warehouse_dir)}")
    label = f"rollback-{chosen[0].stem}"
    restoring = candidate_path(warehouse_dir, label)
    private_dir(restoring.parent)
    _claim(warehouse_dir, label)
    _private_copy(chosen[0], restoring)
    _keep_current_version(warehouse_dir)
    os.replace(restoring, published_path(warehouse_dir))
    _release(warehouse_dir, label)
    return chosen[0]


def prune_history(warehouse_dir: Path, keep: int) -> None:
    for old in history_versions(warehouse_dir)[keep:]:
        old.unlink()
