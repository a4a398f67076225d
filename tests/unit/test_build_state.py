"""A partial dbt build must not pass for a whole one: the next whole run still rebuilds fully when
the dbt project changed since the last whole build."""

import duckdb

from orchestration.quality.build_state import rebuild_reason, record_build


def test_a_subset_build_with_new_dbt_code_leaves_the_next_whole_build_full():
    con = duckdb.connect()
    record_build(con, "night-1", "code-v1", full=True, dbt_elapsed_seconds=1.0, subset=False)
    assert rebuild_reason(con, "night-2", "code-v1", requested=False) is None
    # the dbt project changes; a --select run rebuilds only its selection with the new code
    record_build(con, "partial", "code-v2", full=True, dbt_elapsed_seconds=1.0, subset=True)
    assert rebuild_reason(con, "night-3", "code-v2", requested=False) == "the dbt project changed since the last build"
    record_build(con, "night-3", "code-v2", full=True, dbt_elapsed_seconds=1.0, subset=False)
    assert rebuild_reason(con, "night-4", "code-v2", requested=False) is None


def test_the_rebuild_reason_reads_a_warehouse_built_before_partial_builds_read_only(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema audit")
        con.execute("""create table audit.build_state (run_id varchar, fingerprint varchar,
                       full_rebuild boolean, built_at timestamp, dbt_elapsed_seconds double)""")
        con.execute("insert into audit.build_state values ('old', 'code-v1', true, now(), 1.0)")
    with duckdb.connect(str(path), read_only=True) as con:
        assert rebuild_reason(con, "new", "code-v1", requested=False) is None
        assert rebuild_reason(con, "new", "code-v2", requested=False) == "the dbt project changed since the last build"


def test_a_spark_build_is_always_full_and_the_duckdb_build_after_it_too():
    con = duckdb.connect()
    record_build(con, "night-1", "code-v1", full=True, dbt_elapsed_seconds=1.0, subset=False)
    assert rebuild_reason(con, "night-2", "code-v1", requested=False, engine="spark") == "every build on spark is a full one"
    record_build(con, "night-2", "code-v1", full=True, dbt_elapsed_seconds=1.0, subset=False, engine="spark")
    # the candidate's tables were typed by Spark: DuckDB must not extend them incrementally
    assert rebuild_reason(con, "night-3", "code-v1", requested=False) == "the last build ran on spark"
    record_build(con, "night-3", "code-v1", full=True, dbt_elapsed_seconds=1.0, subset=False)
    assert rebuild_reason(con, "night-4", "code-v1", requested=False) is None


def test_a_partial_spark_build_makes_the_next_duckdb_build_full():
    con = duckdb.connect()
    record_build(con, "night-1", "code-v1", full=True, dbt_elapsed_seconds=1.0, subset=False)
    record_build(con, "partial", "code-v1", full=True, dbt_elapsed_seconds=1.0, subset=True, engine="spark")
    assert rebuild_reason(con, "night-2", "code-v1", requested=False) == "the last build ran on spark"
