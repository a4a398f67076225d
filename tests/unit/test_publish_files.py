"""Write-audit-publish files: candidates start from the published file; publishing is a swap."""

import duckdb
import pytest

from orchestration.publish.files import (
    candidate_as_dbt_build,
    candidate_path,
    dbt_build_path,
    ensure_candidate,
    history_dir,
    prune_stale_candidates,
    publish,
    published_path,
    rollback,
)


def write_table(path, value):
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace table t as select $v as v", {"v": value})


def read_value(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def test_first_candidate_is_new_and_later_ones_copy_the_published_file(tmp_path):
    first = ensure_candidate(tmp_path, "run-1")
    with duckdb.connect(str(first), read_only=True) as con:  # a new, empty database
        assert con.execute("select count(*) from duckdb_tables()").fetchone()[0] == 0
    write_table(first, "one")
    publish(tmp_path, "run-1", keep=2)
    second = ensure_candidate(tmp_path, "run-2")
    assert read_value(second) == "one" and second != published_path(tmp_path)


def test_publish_swaps_in_the_candidate_and_keeps_the_newest_versions(tmp_path):
    for n in range(1, 5):
        write_table(ensure_candidate(tmp_path, f"run-{n}"), f"v{n}")
        publish(tmp_path, f"run-{n}", keep=2)
        assert not candidate_path(tmp_path, f"run-{n}").exists()
    assert read_value(published_path(tmp_path)) == "v4"
    kept = sorted(history_dir(tmp_path).glob("*.duckdb"))
    assert [read_value(p) for p in kept] == ["v2", "v3"]


def test_a_reader_keeps_its_version_while_a_new_one_is_published(tmp_path):
    write_table(ensure_candidate(tmp_path, "run-1"), "old")
    publish(tmp_path, "run-1", keep=1)
    reader = duckdb.connect(str(published_path(tmp_path)), read_only=True)
    write_table(ensure_candidate(tmp_path, "run-2"), "new")  # the reader does not block the writer
    publish(tmp_path, "run-2", keep=1)
    assert reader.execute("select v from t").fetchone()[0] == "old"
    reader.close()
    assert read_value(published_path(tmp_path)) == "new"


def test_nothing_to_publish_is_an_error_and_changes_nothing(tmp_path):
    write_table(ensure_candidate(tmp_path, "run-1"), "kept")
    publish(tmp_path, "run-1", keep=1)
    before = published_path(tmp_path).read_bytes()
    with pytest.raises(FileNotFoundError, match="run-9 has no candidate"):
        publish(tmp_path, "run-9", keep=1)
    assert published_path(tmp_path).read_bytes() == before


def test_rollback_restores_the_newest_kept_version_and_keeps_the_current_one(tmp_path):
    for n in (1, 2):
        write_table(ensure_candidate(tmp_path, f"run-{n}"), f"v{n}")
        publish(tmp_path, f"run-{n}", keep=3)
    restored = rollback(tmp_path)
    assert read_value(restored) == "v1"
    assert read_value(published_path(tmp_path)) == "v1"
    assert "v2" in [read_value(p) for p in history_dir(tmp_path).glob("*.duckdb")]  # the replaced one is kept


def test_rollback_without_history_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no kept version"):
        rollback(tmp_path)


def test_warehouse_files_are_the_owners_only_and_the_folder_only_passable(tmp_path):
    write_table(ensure_candidate(tmp_path, "run-1"), "x")
    publish(tmp_path, "run-1", keep=1)
    write_table(ensure_candidate(tmp_path, "run-2"), "y")
    publish(tmp_path, "run-2", keep=1)
    for path in [published_path(tmp_path), *history_dir(tmp_path).glob("*.duckdb")]:
        assert path.stat().st_mode & 0o777 == 0o600, path
    for folder in (history_dir(tmp_path), candidate_path(tmp_path, "x").parent):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    # others reach the BI extract by name but cannot list the folder
    assert tmp_path.stat().st_mode & 0o777 == 0o711


HOLD_CANDIDATE = """
import sys, time, duckdb
from orchestration.publish.files import ensure_candidate
with duckdb.connect(str(ensure_candidate(sys.argv[1], sys.argv[2]))) as con:
    con.execute("create table t as select 1 as v")
print("ready", flush=True)
time.sleep(60)
"""


def start_run_in_another_process(warehouse_dir, run_id):
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", HOLD_CANDIDATE, str(warehouse_dir), run_id],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def test_a_new_run_prunes_what_a_killed_run_left_but_not_a_live_run(tmp_path):
    killed = start_run_in_another_process(tmp_path, "killed-run")
    live = start_run_in_another_process(tmp_path, "live-run")
    try:
        killed.kill()
        killed.wait()
        leftover = candidate_path(tmp_path, "killed-run")
        leftover.with_name(leftover.name + ".wal").write_bytes(b"half a log")
        leftover.with_name(leftover.name + ".copying").write_bytes(b"half a copy")
        ensure_candidate(tmp_path, "run-2")
        names = sorted(p.name for p in leftover.parent.iterdir())
        assert not [n for n in names if n.startswith("killed-run")], names
        assert "live-run.duckdb" in names and "run-2.duckdb" in names
    finally:
        live.kill()
        live.wait()


def test_publishing_releases_the_claim_on_the_candidate(tmp_path):
    write_table(ensure_candidate(tmp_path, "run-1"), "x")
    publish(tmp_path, "run-1", keep=1)
    assert list(candidate_path(tmp_path, "run-1").parent.iterdir()) == []


def test_dbt_reaches_the_candidate_through_one_fixed_name(tmp_path):
    warehouse = tmp_path / "warehouse"
    candidate = ensure_candidate(warehouse, "run-a")
    link = dbt_build_path(warehouse)
    link.parent.joinpath(link.name + ".wal").write_bytes(b"left by a killed build")  # a stale log
    with candidate_as_dbt_build(warehouse, "run-a") as path:
        assert path == link and path.resolve() == candidate.resolve()
        assert not link.parent.joinpath(link.name + ".wal").exists()
        with duckdb.connect(str(path)) as con:
            con.execute("create table t as select 42 as answer")
    assert not link.exists()
    with duckdb.connect(str(candidate), read_only=True) as con:
        assert con.execute("select answer from t").fetchone() == (42,)
    assert "dbt_build" not in prune_stale_candidates(warehouse)
