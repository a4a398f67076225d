"""The run history: JSON lines appended by one writer at a time, read without any lock."""

import fcntl
import threading

from orchestration.publish import run_store
from orchestration.publish.run_store import append_run, read_runs, store_path


def test_runs_are_read_back_oldest_first_and_a_run_is_recorded_once(tmp_path):
    assert read_runs(tmp_path) == []
    assert append_run(tmp_path, {"run_id": "a", "status": "published", "checks": []})
    assert append_run(tmp_path, {"run_id": "b", "status": "failed", "checks": [{"passed": False}]})
    assert not append_run(tmp_path, {"run_id": "a", "status": "failed", "checks": []})
    assert [(r["run_id"], r["status"]) for r in read_runs(tmp_path)] == [("a", "published"), ("b", "failed")]


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_on_its_own_line(tmp_path):
    append_run(tmp_path, {"run_id": "a"})
    with open(store_path(tmp_path), "ab") as handle:
        handle.write(b'{"run_id": "killed-mid-wri')
    assert [r["run_id"] for r in read_runs(tmp_path)] == ["a"]
    append_run(tmp_path, {"run_id": "b"})
    assert [r["run_id"] for r in read_runs(tmp_path)] == ["a", "b"]


def test_the_store_is_the_owners_only(tmp_path):
    append_run(tmp_path, {"run_id": "a"})
    assert store_path(tmp_path).stat().st_mode & 0o777 == 0o600
    assert store_path(tmp_path).parent.stat().st_mode & 0o777 == 0o700


def test_a_second_writer_waits_for_the_first(tmp_path):
    append_run(tmp_path, {"run_id": "a"})
    with open(store_path(tmp_path).with_name("runs.jsonl.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another writer is appending
        writer = threading.Thread(target=append_run, args=(tmp_path, {"run_id": "b"}))
        writer.start()
        writer.join(timeout=0.3)
        assert writer.is_alive() and [r["run_id"] for r in read_runs(tmp_path)] == ["a"]
    writer.join(timeout=5)
    assert [r["run_id"] for r in read_runs(tmp_path)] == ["a", "b"]


def test_only_the_newest_runs_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(run_store, "KEEP_RUNS", 3)
    for n in range(5):
        append_run(tmp_path, {"run_id": f"run-{n}"})
    assert [r["run_id"] for r in read_runs(tmp_path)] == ["run-2", "run-3", "run-4"]
    assert store_path(tmp_path).stat().st_mode & 0o777 == 0o600
