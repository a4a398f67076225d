"""The Spark target's inputs: the dbt source tables exported from a DuckDB warehouse to Parquet."""

import duckdb
import pytest

from orchestration import spark_target
from orchestration.spark_target import (
    SparkUnavailableError, built_tables_dir, check_spark_available, copy_spark_tables_into, export_sources_to_parquet,
    parquet_location, source_tables,
)


def test_source_tables_refuse_a_name_that_is_not_a_plain_identifier(tmp_path):
    sources = tmp_path / "_sources.yml"
    sources.write_text("sources:\n- name: raw\n  tables:\n  - name: ok_table\n  - name: 'x; drop table y'\n")
    with pytest.raises(ValueError, match=r"raw\.x; drop table y"):
        source_tables(sources)


def test_every_source_table_is_exported_with_all_its_rows(tmp_path):
    warehouse = tmp_path / "edi.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for schema, table in source_tables():
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as select 1 as a, 'x' as b from range(3)")
    rows = export_sources_to_parquet(warehouse, tmp_path / "parquet")
    assert rows == {f"{schema}.{table}": 3 for schema, table in source_tables()}
    schema, table = source_tables()[0]
    written = parquet_location(tmp_path / "parquet", schema, table) / "part-0.parquet"
    assert duckdb.sql(f"select count(*) from read_parquet('{written}')").fetchall() == [(3,)]


def _hand_back(root, schema, table, query):
    """Write what a Spark build's on-run-end hook writes: <built>/<schema>/<table>/part-*.parquet."""
    folder = built_tables_dir(root) / schema / table
    folder.mkdir(parents=True)
    duckdb.sql(query).write_parquet(str(folder / "part-00000.parquet"))


def test_the_tables_spark_built_replace_the_candidates_with_utc_timestamps_as_the_contracts_type_them(tmp_path):
    _hand_back(tmp_path, "marts", "fct_x",
               "select 1::integer as n, timestamptz '2025-03-31 23:30:00+00' as loaded_at, 2.5::decimal(9, 2) as d")
    _hand_back(tmp_path, "intermediate", "int_y", "select 'a' as k from range(3)")
    con = duckdb.connect()
    con.execute("set TimeZone = 'Europe/London'")  # a BST offset would move the instant if it were applied
    con.execute("create schema marts")
    con.execute("create table marts.fct_x as select 99 as n")  # an earlier build's table
    con.execute("create schema intermediate")
    con.execute("create view intermediate.int_y as select 'stale' as k")  # a view on DuckDB, a table on Spark
    copied = copy_spark_tables_into(con, tmp_path)
    assert copied == {"intermediate.int_y": 3, "marts.fct_x": 1}
    assert con.execute("select n, cast(loaded_at as varchar), d from marts.fct_x").fetchall() == [
        (1, "2025-03-31 23:30:00", 2.5)]
    assert dict(con.execute("select column_name, data_type from duckdb_columns() where table_name = 'fct_x'").fetchall()) == {
        "n": "INTEGER", "loaded_at": "TIMESTAMP", "d": "DECIMAL(9,2)"}
    assert con.execute("select count(*) from duckdb_views() where view_name = 'int_y'").fetchone()[0] == 0


def test_a_handed_back_table_without_a_file_or_with_an_odd_name_stops_the_copy(tmp_path):
    (built_tables_dir(tmp_path) / "marts" / "fct_empty").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="fct_empty"):
        copy_spark_tables_into(duckdb.connect(), tmp_path)
    (built_tables_dir(tmp_path) / "marts" / "fct_empty").rmdir()
    (built_tables_dir(tmp_path) / "marts" / "x;drop").mkdir()
    with pytest.raises(ValueError, match="not a plain identifier"):
        copy_spark_tables_into(duckdb.connect(), tmp_path)


def test_the_spark_engine_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(spark_target.shutil, "which", lambda name: None)
    with pytest.raises(SparkUnavailableError, match="Java 17"):
        check_spark_available()
