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
