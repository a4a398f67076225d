"""SIGKILL a real refresh (`edi refresh` in a subprocess) at chosen points: the published warehouse
is byte-for-byte untouched and readable, and the next refresh publishes. Plus a read-only reader
held open across a refresh and publish.

Each kill point is either a log line (dbt prints one per model) or a function the run calls, where
tests/fault/pause.py stops the process so the kill lands exactly there. A whole refresh takes
minutes, so those tests are slow; the publish step alone, killed at each of its steps, is not.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading

import duckdb
import pytest

from orchestration.publish.files import ensure_candidate, history_versions, publish, published_path
from orchestration.settings import REPO_ROOT
from tests.fault.conftest import published_runs, sha256, tables
from tests.fault.pause import MARKER

DBT_MODEL_BUILT = "OK created sql"

# kill point -> (function stopped at, its n-th call); what the published file must be afterwards.
# The killed run is a --full-refresh: every delivery is read and checked again, so every step runs
# (a plain refresh of the files already published lands and checks nothing).
STOP_POINTS = {
    "publish: history linked, not yet swapped": ("orchestration.publish.files:_fsync", 1, "old"),
    "landing: inside a source's transaction": ("orchestration.quality.landing:count_batch", 8, "old"),
    "GX checks": ("orchestration.quality.source_assets:validate_table", 3, "old"),
    "after dbt: audit about to be written": ("orchestration.publish.assets:write_audit", 1, "old"),
    "publish: swapped, history not yet pruned": ("orchestration.publish.files:prune_history", 1, "new"),
}


@pytest.mark.parametrize("label", STOP_POINTS)
def test_every_kill_point_names_a_function_that_exists(label):
    """A renamed function would leave its kill point never reached: the slow test would fail only
    after minutes, in CI's slow lane. This says which, at once."""
    module_name, name = STOP_POINTS[label][0].split(":")
    assert callable(getattr(importlib.import_module(module_name), name, None)), f"{label}: no {module_name}.{name}"


def kill_and_check(site, stop_at=None, label: str = "mid-dbt") -> str:
    """Kill a refresh at a point and return the killed run's id; the published file must be as before."""
    before, expected_tables = sha256(site.published), tables(site.published)
    run = site.start(stop_at, "--full-refresh") if stop_at else site.start()
    if stop_at:
        run.wait_for(MARKER)
    else:
        run.wait_for(DBT_MODEL_BUILT, times=5)
    run.kill()
    assert run.proc.returncode == -signal.SIGKILL, f"{label}: the refresh ended before it was killed"
    assert stop_at or "Finished running" not in run.output, "dbt had finished before the kill"
    assert sha256(site.published) == before, f"{label}: a killed refresh changed the published file"
    assert not site.published.with_name(site.published.name + ".wal").exists(), label
    assert tables(site.published) == expected_tables, label
    return run.run_id


def assert_published_after_kills(site, run, killed_run_ids: list[str], previous_sha: str) -> None:
    """The whole refresh `run` after the kills published, and cleared what each killed run left."""
    runs = published_runs(site.published)
    assert runs.get(run.run_id) == "published"
    assert not set(killed_run_ids) & set(runs)
    assert previous_sha in {sha256(p) for p in history_versions(site.warehouse)}
    leftovers = [p for killed in killed_run_ids for p in (site.warehouse / "candidates").glob(f"{killed}.*")]
    assert not leftovers, "the next run did not clear what the killed runs left"


STOPPED_PUBLISH = """
import sys
from pathlib import Path
from tests.fault.pause import stop_at
stop_at(sys.argv[1], 1)
from orchestration.publish.files import publish
publish(Path(sys.argv[2]), "second", keep=3)
"""


@pytest.mark.parametrize("function, published_after", [
    pytest.param("orchestration.publish.files:_keep_current_version", "first", id="before the history link"),
    pytest.param("orchestration.publish.files:_fsync", "first", id="linked, not yet swapped"),
    pytest.param("orchestration.publish.files:prune_history", "second", id="swapped, not yet pruned"),
])
def test_kill_inside_publish_leaves_one_whole_version_published(tmp_path, function, published_after):
    """The publish step alone, killed at each of its steps: fast enough for every test run."""
    write_value(ensure_candidate(tmp_path, "first"), "first")
    publish(tmp_path, "first", keep=3)
    write_value(ensure_candidate(tmp_path, "second"), "second")
    child = subprocess.Popen([sys.executable, "-c", STOPPED_PUBLISH, function, str(tmp_path)], cwd=REPO_ROOT,
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert MARKER in child.stdout.readline()
    os.killpg(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert read_value(published_path(tmp_path)) == published_after
    write_value(ensure_candidate(tmp_path, "third"), "third")
    publish(tmp_path, "third", keep=3)  # nothing left behind stops the next publish
    assert read_value(published_path(tmp_path)) == "third"
    assert {"first", published_after} <= {read_value(p) for p in history_versions(tmp_path)}


def write_value(path, value):
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace table t as select $v as v", {"v": value})


def read_value(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


READ = "select count(*), max(run_id) from audit.refresh_run"


def refresh_under_a_reader(site):
    """A whole refresh while a read-only connection to the published file reads it every 0.2 s: the
    refresh must not block on the reader, and the reader must see the old version until it reconnects.
    (DuckDB shares one database per file within a process, so the new version is read only once the
    reader has closed.)"""
    with duckdb.connect(str(site.published), read_only=True) as reader:
        old = reader.execute(READ).fetchone()
        seen, stop = set(), threading.Event()

        def keep_reading():
            cursor = reader.cursor()
            while not stop.is_set():
                seen.add(cursor.execute(READ).fetchone())
                stop.wait(0.2)

        thread = threading.Thread(target=keep_reading)
        thread.start()
        try:
            run = site.refresh()  # must finish (not block on the reader) and publish
        finally:
            stop.set()
            thread.join()
        assert seen == {old}
        assert reader.execute(READ).fetchone() == old
    with duckdb.connect(str(site.published), read_only=True) as fresh:
        count, _ = fresh.execute(READ).fetchone()
    assert count == old[0] + 1
    return run


# One warehouse is killed at every point in turn, each run starting on what the killed ones left, the
# kill after the swap last; then it is refreshed once, under a reader holding the published file open.
# Every kill before the swap must leave the published file as it was, the one after it the new version
# published and the old one kept; the one whole refresh after them all must publish (not blocked by the
# reader, which sees the old version until it reconnects), clear what each killed run left and prune the
# history. A refresh after each kill, and one more for the reader, would check the same seven times
# over, at about two minutes a refresh: the slow lane's budget (README, `make test-slow`).
@pytest.mark.slow
def test_kills_at_every_point_leave_one_whole_version_published_and_the_next_refresh_publishes(site):
    previous = sha256(site.published)
    killed = [kill_and_check(site)]
    for point, (function, call, after) in STOP_POINTS.items():
        if after == "old":
            killed.append(kill_and_check(site, (function, call), label=point))

    function, call, _ = STOP_POINTS["publish: swapped, history not yet pruned"]
    expected_tables = tables(site.published)
    swapped = site.start((function, call))
    swapped.wait_for(MARKER)
    swapped.kill()
    assert published_runs(site.published).get(swapped.run_id) == "published"
    assert tables(site.published) == expected_tables
    assert previous in {sha256(p) for p in history_versions(site.warehouse)}

    run = refresh_under_a_reader(site)
    assert_published_after_kills(site, run, killed, previous)
    assert len(history_versions(site.warehouse)) <= 3  # EDI_KEEP_VERSIONS default
