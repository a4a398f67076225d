"""The project's Dagster instance stores its thousands of events per refresh without a disk sync each."""

import sqlite3
from pathlib import Path

from orchestration.instance_storage import project_instance


def test_storing_an_event_does_not_checkpoint_the_runs_event_log(tmp_path, tiny_job):
    # Dagster opens and closes a connection per event; the last connection to close a WAL database
    # checkpoints it (a sync of the log and of the file) and deletes the log. A run's event log that
    # still has its write-ahead log after the run was written to without a checkpoint per event.
    with project_instance(tmp_path / "home") as instance:
        run_id = tiny_job.execute_in_process(instance=instance).run_id
        shard = Path(instance.event_log_storage.path_for_shard(run_id))
        assert Path(f"{shard}-wal").stat().st_size > 0
        assert len(instance.all_logs(run_id)) > 5


def test_the_events_are_in_the_database_for_another_process(tmp_path, tiny_job):
    with project_instance(tmp_path / "home") as instance:
        run_id = tiny_job.execute_in_process(instance=instance).run_id
        shard = instance.event_log_storage.path_for_shard(run_id)
        stored = len(instance.all_logs(run_id))
        # what the UI's process reads: a plain connection of its own, while this process runs on
        reader = sqlite3.connect(shard)
        assert reader.execute("select count(*) from event_logs").fetchone()[0] == stored
        reader.close()


def test_dagster_builds_one_engine_per_database_file_not_one_per_event(tmp_path, tiny_job):
    # A new engine per connection compiles every statement again (its cache dies with it): a refresh's
    # thousands of events cost seconds of CPU. Every connection the storages open comes from a few engines.
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    engines, connections = set(), []

    def seen(connection) -> None:
        engines.add(id(connection.engine))
        connections.append(connection)

    event.listen(Engine, "engine_connect", seen)
    try:
        with project_instance(tmp_path / "home") as instance:
            tiny_job.execute_in_process(instance=instance)
    finally:
        event.remove(Engine, "engine_connect", seen)
    assert len(connections) > 20
    assert len(engines) == 4  # the run's event log, the index, the runs, the schedules
