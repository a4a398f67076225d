"""Issue #14: the dbt project builds on Apache Spark, and every mart equals the DuckDB build's.

Both builds read the same rows (the DuckDB refresh's raw and audit tables, exported to Parquet). A
table is equal when its rows match as multisets in a canonical text form: every value as DuckDB types
that column (a Spark value is cast to the DuckDB column's type first), and a double written with 10
significant digits, since the engines add doubles in different orders (a relative difference of about
1e-15). So counts, keys, text, dates and decimals compare exactly; doubles to 10 significant digits.
"""

import duckdb
import pytest

from orchestration.publish.audit import LOAD_TIME_COLUMNS

pytestmark = pytest.mark.spark

COMPARED_SCHEMAS = ("marts", "bi")
FLOAT_TYPES = {"DOUBLE", "FLOAT"}
SIGNIFICANT_DIGITS = 10


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def compared_tables(con) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) -> [(column, DuckDB type)] of every table the DuckDB build has in the marts."""
    tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in con.execute(
            """select c.schema_name, c.table_name, c.column_name, c.data_type
               from duckdb_columns() c join duckdb_tables() t using (database_name, schema_name, table_name)
               where c.database_name = current_database() and c.schema_name in ?
               order by c.schema_name, c.table_name, c.column_index""", [list(COMPARED_SCHEMAS)]).fetchall():
        if column not in LOAD_TIME_COLUMNS:
            tables.setdefault((schema, table), []).append((column, data_type))
    return tables


def canonical(relation: str, columns: list[tuple[str, str]]) -> str:
    """A query giving the relation's rows as text, each value in its DuckDB column's type."""
    values = []
    for column, data_type in columns:
        typed = f"cast({_quoted(column)} as {data_type})"
        if data_type in FLOAT_TYPES:
            # + 0.0 turns -0.0 into 0.0; format() rounds to significant digits ('nan', 'inf' kept)
            values.append(f"format('{{:.{SIGNIFICANT_DIGITS}g}}', cast({typed} as double) + 0.0)")
        else:
            values.append(f"cast({typed} as varchar)")
    return f"select {', '.join(values)} from {relation}"


def table_difference(con, duck_table: str, spark_table: str, columns) -> str | None:
    """None when both hold the same rows, else a short description of the first differences."""
    duck, spark = canonical(duck_table, columns), canonical(spark_table, columns)
    only_duck = con.execute(f"{duck} except all {spark} limit 3").fetchall()
    only_spark = con.execute(f"{spark} except all {duck} limit 3").fetchall()
    if not only_duck and not only_spark:
        return None
    return f"only in DuckDB: {only_duck}; only in Spark: {only_spark}"


def test_spark_build_passes_every_model_and_test(spark_build):
    failed = [f"{result.node.unique_id}: {result.status} {str(result.message).strip().splitlines()[:3]}"
              for result in spark_build.build.result.results if result.status not in ("success", "pass")]
    assert spark_build.build.success and not failed, "\n".join(failed)


def test_every_mart_equals_the_duckdb_build(spark_build):
    from pyspark.sql import SparkSession  # the session dbt-spark started in this process

    spark = SparkSession.builder.getOrCreate()
    differences = {}
    with duckdb.connect(str(spark_build.duckdb_path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")  # Spark's timestamps arrive as UTC instants
        tables = compared_tables(con)
        assert len(tables) > 40, "the DuckDB build has too few marts to compare"
        for (schema, table), columns in tables.items():
            name = f"{schema}.{table}"
            if not spark.catalog.tableExists(name):
                differences[name] = "not built on Spark"
                continue
            spark_rows = spark.table(name).toArrow()
            missing = {column for column, _ in columns} - set(spark_rows.column_names)
            if missing:
                differences[name] = f"columns missing on Spark: {sorted(missing)}"
                continue
            con.register("spark_rows", spark_rows)
            duck_count = con.execute(f"select count(*) from {_quoted(schema)}.{_quoted(table)}").fetchall()[0][0]
            if duck_count != spark_rows.num_rows:
                differences[name] = f"{duck_count} rows on DuckDB, {spark_rows.num_rows} on Spark"
            elif difference := table_difference(con, f"{_quoted(schema)}.{_quoted(table)}", "spark_rows", columns):
                differences[name] = difference
            con.unregister("spark_rows")
    assert not differences, "\n".join(f"{name}: {what}" for name, what in sorted(differences.items()))
