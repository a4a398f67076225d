"""A fragmented candidate is rewritten into a fresh file before it is published; content is kept."""

import duckdb

from orchestration.publish.audit import table_hashes
from orchestration.publish.compaction import compact_if_fragmented, free_share


def fragmented(path):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.kept as select range as id, md5(range::varchar) as v from range(200000)")
        con.execute("create table marts.dropped as select range as id, md5(range::varchar) as v from range(800000)")
        con.execute("create view marts.kept_view as select id from marts.kept")
        con.execute("comment on table marts.kept is 'the table that stays'")
        con.execute("checkpoint")
        con.execute("drop table marts.dropped")
        con.execute("checkpoint")
        assert free_share(con) > 0.5


def test_a_fragmented_file_is_rewritten_with_the_same_content(tmp_path):
    path = tmp_path / "candidate.duckdb"
    fragmented(path)
    with duckdb.connect(str(path), read_only=True) as con:
        before = table_hashes(con)
    size = path.stat().st_size
    assert compact_if_fragmented(path)
    assert path.stat().st_size < size / 2
    with duckdb.connect(str(path), read_only=True) as con:
        assert table_hashes(con) == before
        assert con.execute("select count(*) from marts.kept_view").fetchone() == (200000,)
        assert con.execute("select comment from duckdb_tables() where table_name = 'kept'").fetchone() == (
            "the table that stays",)
        assert free_share(con) < 0.1


def test_a_tight_file_is_left_alone(tmp_path):
    path = tmp_path / "candidate.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select range as id from range(100000)")
    modified = path.stat().st_mtime_ns
    assert not compact_if_fragmented(path)
    assert path.stat().st_mtime_ns == modified
