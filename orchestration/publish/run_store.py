"""The run history: one JSON line per refresh, passed or failed, kept outside the published file.

    warehouse/audit/runs.jsonl       one record per run, appended when the run has finished
    warehouse/audit/runs.jsonl.lock  flock taken by the writer only

A failed run publishes nothing, so its record cannot live in the warehouse it failed to build.
JSON lines rather than a DuckDB file: DuckDB allows one writer or many readers, so `edi status`
reading a DuckDB store would collide with the refresh recording into it. Appending one
line under a flock lets one writer at a time add a run while readers read without any lock;
a reader that meets a half-written last line (a writer killed mid-write) skips it. The newest
KEEP_RUNS runs are kept.
DuckDB can query the file as it is: `select * from read_json('warehouse/audit/runs.jsonl')`.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

STORE_NAME = "runs.jsonl"
# A nightly record with ~900 checks is ~0.4 MB; a year and a bit of runs stays under ~160 MB.
KEEP_RUNS = 400


def store_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / "audit" / STORE_NAME


def read_runs(warehouse_dir: Path) -> list[dict]:
    """Every recorded run, oldest first."""
    path = store_path(warehouse_dir)
    if not path.exists():
        return []
    runs = []
    for line in path.read_bytes().splitlines():
        try:
            runs.append(json.loads(line))
        except ValueError:  # a torn line from a killed writer
            continue
    return runs


def append_run(warehouse_dir: Path, record: dict) -> bool:
    """Add a run's record unless that run is already recorded; True if it was added."""
    path = store_path(warehouse_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)  # the samples are identifiers and codes, but still the owner's
    line = json.dumps(record, sort_keys=True, default=str).encode() + b"\n"
    with open(path.with_name(STORE_NAME + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time; released when the file closes
        runs = read_runs(warehouse_dir)
        if any(run.get("run_id") == record["run_id"] for run in runs):
            return False
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            _start_on_a_new_line(fd, path)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if len(runs) >= KEEP_RUNS:
            _keep_newest(path, KEEP_RUNS)
    return True


def _keep_newest(path: Path, keep: int) -> None:
    """Rewrite the store with its newest runs; a rename, so a reader sees the old or new file."""
    lines = [line for line in path.read_bytes().splitlines() if line.strip()][-keep:]
    partial = path.with_name(STORE_NAME + ".rewriting")
    partial.write_bytes(b"\n".join(lines) + b"\n")
    partial.chmod(0o600)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, path)


def _start_on_a_new_line(fd: int, path: Path) -> None:
    """After a torn write the file ends mid-line: end that line so the new record stands alone."""
    size = path.stat().st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")
