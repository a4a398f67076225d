"""Dagster's own run and event storage on SQLite, without an fsync per event.

Dagster's default SQLite storage opens a connection and commits once per event, and SQLite's default
(rollback journal, synchronous=FULL) syncs the disk on every commit: a refresh logs thousands of
events (every dbt model and test, every check), which cost minutes. In WAL mode with
synchronous=NORMAL a commit is a write to the log, and the database still cannot be corrupted by a
crash; only the last moments of UI history could be lost at a power cut. The warehouse's own run
history (warehouse/audit/runs.jsonl) and the published file do not depend on it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dagster import DagsterInstance
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _fast_sqlite(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma journal_mode = wal")
        cursor.execute("pragma synchronous = normal")
        cursor.close()


def use_fast_sqlite_storage() -> None:
    """Every SQLite database SQLAlchemy opens in this process (Dagster's instance storage) gets the
    settings above; registering twice is harmless."""
    if not event.contains(Engine, "connect", _fast_sqlite):
        event.listen(Engine, "connect", _fast_sqlite)


def project_instance(dagster_home: Path) -> DagsterInstance:
    """The project's persistent Dagster instance (Settings.dagster_home: the repository's dagster_home/
    unless DAGSTER_HOME names another), so a run started by `edi` shows in the UI `make dev` opens,
    from whatever folder `edi` was started."""
    use_fast_sqlite_storage()
    Path(dagster_home).mkdir(parents=True, exist_ok=True)
    return DagsterInstance.from_config(str(dagster_home))
