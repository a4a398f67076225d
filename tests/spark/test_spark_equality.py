"""Issue #14: the nightly job builds the warehouse on Apache Spark, and what it publishes equals the
DuckDB build's.

Both runs land the same files the same way (landing is DuckDB's on both engines); only `dbt build` runs on
Spark, and its tables are copied into the run's candidate before the checks. A table is equal when the
audit trail's order-independent content hash of the two published files agrees (exact, to the last bit),
or else when its rows match as multisets in a canonical text form with doubles written to 10 significant
digits: the engines add doubles in different orders (a relative difference of about 1e-15), so counts,
keys, text, dates and decimals compare exactly and doubles to 10 significant digits.
"""

import duckdb
import pytest

from orchestration.identifiers import quoted
from orchestration.publish.audit import LOAD_TIME_COLUMNS
from orchestration.spark_target import exported_tables, spark_dir
from tests.integration.test_refresh import check_outcomes, step_errors

pytestmark = pytest.mark.spark

FLOAT_TYPES = {"DOUBLE", "FLOAT"}
SIGNIFICANT_DIGITS = 10


def published_tables(con) -> dict[tuple[str, str], dict]:
    """(schema, table) -> its columns with their types and its content hash, for every table the
    publish step hashed (everything outside `audit`)."""
    hashes = dict(((schema, table), (rows, digest)) for schema, table, rows, digest in con.execute(
        """select schema_name, table_name, row_count, content_hash from audit.table_hash
           where run_id = (select run_id from audit.table_hash order by rowid desc limit 1)""").fetchall())
    tables = {key: {"columns": [], "rows": rows, "hash": digest} for key, (rows, digest) in hashes.items()}
    for schema, table, column, data_type in con.execute(
            """select schema_name, table_name, column_name, data_type from duckdb_columns()
               where database_name = current_database() and schema_name <> 'audit'
               order by schema_name, table_name, column_index""").fetchall():
        if (schema, table) in tables and column not in LOAD_TIME_COLUMNS:
            tables[(schema, table)]["columns"].append((column, data_type))
    return tables


def canonical(relation: str, columns: list[tuple[str, str]]) -> str:
    """A query giving the relation's rows as text, doubles rounded to significant digits."""
    values = []
    for column, data_type in columns:
        if data_type in FLOAT_TYPES:
            # + 0.0 turns -0.0 into 0.0; format() rounds to significant digits ('nan', 'inf' kept)
            values.append(f"format('{{:.{SIGNIFICANT_DIGITS}g}}', cast({quoted(column)} as double) + 0.0)")
        else:
            values.append(f"cast({quoted(column)} as varchar)")
    return f"select {', '.join(values)} from {relation}"


def rows_difference(con, duck_table: str, spark_rows, columns) -> str | None:
    """None when both hold the same rows to the tolerance, else the first differences."""
    con.register("spark_rows", spark_rows)
    try:
        duck, spark = canonical(duck_table, columns), canonical("spark_rows", columns)
        only_duck = con.execute(f"{duck} except all {spark} limit 3").fetchall()
        only_spark = con.execute(f"{spark} except all {duck} limit 3").fetchall()
    finally:
        con.unregister("spark_rows")
    return None if not only_duck and not only_spark else f"only in DuckDB: {only_duck}; only in Spark: {only_spark}"


def test_the_nightly_job_on_spark_runs_every_check_the_duckdb_job_runs_and_publishes(spark_refresh, demo_refresh):
    result = spark_refresh.result
    assert result.success, step_errors(result)
    outcomes, reference = check_outcomes(result), check_outcomes(demo_refresh.result)
    assert not [check for check, passed in outcomes.items() if not passed]
    assert outcomes.keys() == reference.keys(), "the Spark run evaluated other checks than the DuckDB run"
    with duckdb.connect(str(spark_refresh.db_path), read_only=True) as con:
        assert con.execute("select engine, full_rebuild from audit.build_state order by built_at desc limit 1"
                           ).fetchone() == ("spark", True)
    # the tables in the published file came from Spark's build
    handed_back = {f"{schema}.{table}" for schema, table in exported_tables(spark_dir(spark_refresh.warehouse))}
    assert {"marts.fct_workforce_snapshot", "bi.bi_edi_measure", "marts.dim_staff"} <= handed_back
    assert (spark_refresh.warehouse / "edi_bi.duckdb").exists(), "the BI extract was published"


def test_every_published_table_equals_the_duckdb_build(spark_refresh, demo_refresh):
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as duck, \
            duckdb.connect(str(spark_refresh.db_path), read_only=True) as spark:
        duck_tables, spark_tables = published_tables(duck), published_tables(spark)
        assert sum(schema == "marts" for schema, _ in duck_tables) > 40, "the DuckDB build has too few marts"
        differences = {f"{s}.{t}": "not published by the Spark run" for s, t in duck_tables.keys() - spark_tables.keys()}
        differences |= {f"{s}.{t}": "not in the DuckDB build" for s, t in spark_tables.keys() - duck_tables.keys()}
        exact = 0
        for (schema, table), expected in sorted(duck_tables.items()):
            got = spark_tables.get((schema, table))
            name = f"{schema}.{table}"
            if got is None:
                continue
            if got["columns"] != expected["columns"]:
                differences[name] = f"columns {got['columns']} on Spark, {expected['columns']} on DuckDB"
            elif got["rows"] != expected["rows"]:
                differences[name] = f"{expected['rows']} rows on DuckDB, {got['rows']} on Spark"
            elif got["hash"] == expected["hash"]:
                exact += 1
            else:
                spark_rows = spark.table(f"{quoted(schema)}.{quoted(table)}").to_arrow_table()
                if difference := rows_difference(duck, f"{quoted(schema)}.{quoted(table)}", spark_rows,
                                                 expected["columns"]):
                    differences[name] = difference
    print(f"{exact} of {len(duck_tables)} tables equal to the last bit; the rest to {SIGNIFICANT_DIGITS} digits")
    assert not differences, "\n".join(f"{name}: {what}" for name, what in sorted(differences.items()))
