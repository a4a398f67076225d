"""Where an enforced contract says a column is never null, DuckDB itself refuses the null: the table is
created with NOT NULL and an insert of a null fails, so no dbt `not_null` test is needed there
(tests/unit/test_dbt_project_rules.py keeps such tests out)."""

import json
import shutil

import duckdb
import pytest

from orchestration.settings import DBT_PROJECT_DIR


def required_columns(manifest: dict) -> dict[tuple[str, str], list[str]]:
    """(schema, table) → columns the project requires a value in, for every model with an enforced
    contract: those its contract declares not null and those a whole-table `not_null` test covers."""
    nodes = manifest["nodes"]
    required: dict[tuple[str, str], set[str]] = {}
    for node in nodes.values():
        if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced"):
            required[(node["schema"], node["alias"])] = {
                name for name, column in node["columns"].items()
                if any(c["type"] == "not_null" for c in column.get("constraints", []))}
    for test in nodes.values():
        if test["resource_type"] == "test" and test.get("test_metadata", {}).get("name") == "not_null" \
                and not test["config"].get("where"):
            model = nodes[test["attached_node"]]
            if (model["schema"], model["alias"]) in required:
                required[(model["schema"], model["alias"])].add(test["column_name"])
    return {table: sorted(columns) for table, columns in required.items() if columns}


@pytest.fixture(scope="module")
def warehouse_copy(demo_refresh, tmp_path_factory):
    """A private copy of the published file: the test tries inserts into it."""
    copy = tmp_path_factory.mktemp("constraints") / "edi.duckdb"
    shutil.copyfile(demo_refresh.db_path, copy)
    con = duckdb.connect(str(copy))
    yield con
    con.close()


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def test_the_warehouse_declares_not_null_wherever_the_project_requires_a_value(warehouse_copy, manifest):
    required = required_columns(manifest)
    assert sum(map(len, required.values())) > 200, "the marts require values in hundreds of columns"
    nullable = []
    for (schema, table), columns in required.items():
        declared = dict(warehouse_copy.execute(
            "select column_name, is_nullable from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table]).fetchall())
        nullable += [f"{schema}.{table}.{c}" for c in columns if declared.get(c) != "NO"]
    assert not nullable, f"nullable in the warehouse although the project requires a value: {nullable}"


def test_duckdb_rejects_a_null_in_every_required_column(warehouse_copy, manifest):
    accepted = []
    tried = 0
    for (schema, table), columns in required_columns(manifest).items():
        relation = f'"{schema}"."{table}"'  # identifiers from the dbt manifest, never from data
        if warehouse_copy.execute(f"select count(*) from {relation}").fetchone()[0] == 0:
            continue  # nothing to copy a row from; the catalog test above covers it
        for column in columns:
            tried += 1
            try:
                warehouse_copy.execute(f'insert into {relation} select * replace (null as "{column}") from {relation} limit 1')
            except duckdb.ConstraintException as error:
                assert column in str(error), error  # the failure names the column
            else:
                accepted.append(f"{schema}.{table}.{column}")
    assert tried > 200
    assert not accepted, f"a null was inserted into {accepted}"
