"""The one-query not_null test (dbt_project/tests/generic/not_null_columns.sql), run on DuckDB: it
returns one row per column holding a NULL, naming the column and counting its NULL rows."""

import re

import duckdb
import jinja2

from orchestration.quality.failing_samples import safe_rows
from orchestration.settings import DBT_PROJECT_DIR

TEST_FILE = DBT_PROJECT_DIR / "tests" / "generic" / "not_null_columns.sql"


def not_null_columns_sql(model: str, columns: list[str]) -> str:
    """The test's SQL as dbt renders it for `model` (the body between `{% test %}` and `{% endtest %}`)."""
    body = re.search(r"{%\s*test not_null_columns\(model, columns\)\s*%}(.*){%\s*endtest\s*%}",
                     TEST_FILE.read_text(), re.S).group(1)
    return jinja2.Template(body).render(model=model, columns=columns)


def failures(rows: list[tuple], columns: list[str]) -> list[tuple[str, int]]:
    con = duckdb.connect()
    con.execute("create table t (a integer, b integer, c varchar)")
    con.executemany("insert into t values (?, ?, ?)", rows)
    return sorted(con.execute(not_null_columns_sql("t", columns)).fetchall())


def test_a_null_fails_naming_its_column_and_counting_its_rows():
    rows = [(1, None, "x"), (2, None, None), (3, 30, "z")]
    assert failures(rows, ["a", "b", "c"]) == [("b", 2), ("c", 1)]


def test_columns_without_nulls_pass():
    assert failures([(1, 10, "x"), (2, 20, "y")], ["a", "b", "c"]) == []
    assert failures([(1, None, None)], ["a"]) == []  # only the listed columns are checked


def test_an_empty_table_passes():
    con = duckdb.connect()
    con.execute("create table t (a integer, b varchar)")
    assert con.execute(not_null_columns_sql("t", ["a", "b"])).fetchall() == []


def test_the_run_history_sample_of_a_failure_names_the_column():
    con = duckdb.connect()
    con.execute("create table t (a integer, b integer)")
    con.execute("insert into t values (1, null)")
    relation = con.sql(not_null_columns_sql("t", ["a", "b"]))
    assert safe_rows(relation.columns, relation.fetchall()) == [{"failing_column": "b", "null_rows": 1}]
