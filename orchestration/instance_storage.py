"""Dagster's own run and event storage on SQLite, without an fsync per event.

Dagster's default SQLite storage opens a connection and commits once per event, and SQLite's default
(rollback journal, synchronous=FULL) syncs the disk on every commit: a refresh logs thousands of
events (every dbt model and test, every check), which cost minutes. In WAL mode with
synchronous=NORMAL a commit is a write to the log, and the database still cannot be corrupted by a
crash; only the last moments of UI history could be lost at a power cut. The warehouse's own run
history (warehouse/audit/runs.jsonl) and the published file do not depend on it.

WAL alone is not enough: the last connection to close a WAL database checkpoints it (syncs the log,
copies it into the file, syncs the file) and deletes the log, and Dagster's connection per event is
always the last one. So the process keeps one idle connection open to each database it writes
(the few most recent: a run's event log, the index, the run storage); a connection then closes
without a checkpoint, and SQLite checkpoints on its own every 1,000 pages of log, as it is designed to.

Dagster also builds a new SQLAlchemy engine for every connection (`create_engine` in its SQLite run,
event-log and schedule storages), and an engine's cache of compiled statements dies with it: every event was
compiled again (measured: 2,889 events of a 1-trust refresh stored in 28 s of CPU, 17 s with one
engine per database file). The engines are shared per database file instead; they keep Dagster's
NullPool, so a connection is still opened and closed per use exactly as before.
"""

from __future__ import annotations

import atexit
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.runs.sqlite import sqlite_run_storage
from dagster._core.storage.schedules.sqlite import sqlite_schedule_storage
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine


# Bounded, so a long-lived process (the UI, the daemon) does not hold a file open per run it ever read.
KEEP_OPEN_AT_MOST = 8
_kept_open: OrderedDict[str, sqlite3.Connection] = OrderedDict()
_kept_open_lock = threading.Lock()


def _database_file(cursor: sqlite3.Cursor) -> str:
    """The file of the connection's main database; '' for an in-memory one."""
    return next(row[2] for row in cursor.execute("pragma database_list") if row[1] == "main")


def _keep_open(path: str) -> None:
    with _kept_open_lock:
        if path in _kept_open:
            _kept_open.move_to_end(path)
            return
        keeper = sqlite3.connect(path, check_same_thread=False)
        # SQLite attaches a connection to the log only at its first read; the read ends at once.
        keeper.execute("select count(*) from sqlite_master").fetchall()
        _kept_open[path] = keeper
        while len(_kept_open) > KEEP_OPEN_AT_MOST:
            _kept_open.popitem(last=False)[1].close()


@atexit.register
def _close_kept_open() -> None:
    """The last close checkpoints each database, so the process leaves no log behind."""
    with _kept_open_lock:
        while _kept_open:
            _kept_open.popitem()[1].close()


def _fast_sqlite(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma journal_mode = wal")
        cursor.execute("pragma synchronous = normal")
        path = _database_file(cursor)
        cursor.close()
        if path:
            _keep_open(path)


_engines: OrderedDict[tuple, Engine] = OrderedDict()
_engines_lock = threading.Lock()


def _shared_engine(url, **options) -> Engine:
    """Dagster's `create_engine(url, poolclass=NullPool, ...)`, one engine per database file and
    options, the most recently used few kept."""
    key = (str(url), tuple(sorted((name, repr(value)) for name, value in options.items())))
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = create_engine(url, **options)
            while len(_engines) > KEEP_OPEN_AT_MOST:
                _engines.popitem(last=False)
        _engines.move_to_end(key)
        return engine


def use_fast_sqlite_storage() -> None:
    """Every SQLite database SQLAlchemy opens in this process (Dagster's instance storage) gets the
    settings above, and Dagster's SQLite storages share their engines; doing it twice is harmless."""
    if not event.contains(Engine, "connect", _fast_sqlite):
        event.listen(Engine, "connect", _fast_sqlite)
    sqlite_event_log.create_engine = _shared_engine
    sqlite_run_storage.create_engine = _shared_engine
    sqlite_schedule_storage.create_engine = _shared_engine


def project_instance(dagster_home: Path) -> DagsterInstance:
    """The project's persistent Dagster instance (Settings.dagster_home: the repository's dagster_home/
    unless DAGSTER_HOME names another), so a run started by `edi` shows in the UI `make dev` opens,
    from whatever folder `edi` was started."""
    use_fast_sqlite_storage()
    Path(dagster_home).mkdir(parents=True, exist_ok=True)
    return DagsterInstance.from_config(str(dagster_home))
