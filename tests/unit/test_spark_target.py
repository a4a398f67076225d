"""The Spark target's inputs: the dbt source tables exported from a DuckDB warehouse to Parquet."""

import duckdb
import pytest

from orchestration.spark_target import export_sources_to_parquet, parquet_location, source_tables


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
