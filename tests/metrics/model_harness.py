"""Run a chain of the project's real dbt models on hand-made rows in an in-memory DuckDB.

Each model's SQL is compiled by dbt (one `compile --inline` for the whole chain), its relations are
rewritten to plain `schema.table` names, and it is materialised as a table in the schema dbt would use.
Inputs that are not built here come from their YAML contracts (column names and types) or, for seeds,
from the seed file itself. Identifiers come only from the project's YAML and file names.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import yaml

from orchestration.settings import DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
SEEDS = DBT_PROJECT_DIR / "seeds"
SPLIT = "\n-- <<next model>>\n"
# An inline compile may leave a ref to an ephemeral model as its CTE name without the CTE: the harness
# builds that model as a table of its own, so point such a reference there.
EPHEMERAL = re.compile(r"__dbt__cte__([a-z0-9_]+)")


def ephemeral_as_table(sql: str) -> str:
    injected = set(re.findall(r"__dbt__cte__([a-z0-9_]+) as \(", sql))
    return EPHEMERAL.sub(lambda m: m[0] if m[1] in injected else f"intermediate.{m[1]}", sql)
RELATION = re.compile(r'(?:"[^"]+"\.)?"(reference|staging|intermediate|marts|bi)"\."([a-z0-9_]+)"')
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@cache
def model_file(name: str) -> Path:
    (path,) = MODELS.rglob(f"{name}.sql")
    return path


def schema_of(name: str) -> str:
    """The schema dbt_project.yml gives the model's folder (bi inside marts has its own)."""
    parts = model_file(name).relative_to(MODELS).parts
    return "bi" if parts[:2] == ("marts", "bi") else parts[0]


def compile_models(macros, names: list[str], dbt_vars: dict | None = None) -> dict[str, str]:
    """Every model of `names` compiled in one dbt call, with relations as plain schema.table."""
    sources = [full_build_sql(model_file(n).read_text()) for n in names]
    compiled = macros.render(SPLIT.join(sources), dbt_vars).split(SPLIT.strip())
    assert len(compiled) == len(names)
    return {n: ephemeral_as_table(RELATION.sub(lambda m: f"{m.group(1)}.{m.group(2)}", sql))
            for n, sql in zip(names, compiled)}


def _identifier(name: str) -> str:
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


@cache
def contract_columns(name: str) -> tuple[tuple[str, str], ...]:
    """(column, data_type) of a model with an enforced contract, from its YAML."""
    spec = yaml.safe_load(model_file(name).with_suffix(".yml").read_text())
    (model,) = [m for m in spec["models"] if m["name"] == name]
    return tuple((_identifier(c["name"]), c["data_type"]) for c in model["columns"])


def full_build_sql(model_sql: str) -> str:
    """A model's SQL as its full build: is_incremental() asks the warehouse whether the model's table
    exists, which an inline compile cannot, and the harness always builds models whole - a model built
    in batches of organisations (table_in_batches) too, as one table of every organisation."""
    return (model_sql.replace("is_incremental()", "false")
            .replace("'table_in_batches'", "'table'"))


def create_schemas(db) -> None:
    for schema in ("reference", "staging", "intermediate", "marts", "bi"):
        db.execute(f"create schema if not exists {schema}")
    create_change_scope(db)


def create_change_scope(db) -> None:
    """The run's change scope as a build outside a refresh sees it: everything changed."""
    db.execute("create or replace table staging.stg_audit__change_scope as select '*' as organisation_code, "
               "'*' as source, date '0001-01-01' as affected_from")


def create_from_contract(db, name: str, rows: list[dict] = ()) -> None:
    """An input model as an empty table of its contract's columns, then `rows` (dicts by column)."""
    columns = ", ".join(f"{c} {t}" for c, t in contract_columns(name))
    db.execute(f"create or replace table {schema_of(name)}.{name} ({columns})")
    insert(db, f"{schema_of(name)}.{name}", rows)


def create_table(db, relation: str, columns: dict[str, str], rows: list[dict] = ()) -> None:
    """An input without a contract (intermediate models): the columns the tested models read."""
    schema, name = (_identifier(p) for p in relation.split("."))
    ddl = ", ".join(f"{_identifier(c)} {t}" for c, t in columns.items())
    db.execute(f"create or replace table {schema}.{name} ({ddl})")
    insert(db, relation, rows)


def insert(db, relation: str, rows: list[dict]) -> None:
    for row in rows:
        names = ", ".join(_identifier(c) for c in row)
        db.execute(f"insert into {relation} ({names}) values ({', '.join(['?'] * len(row))})", list(row.values()))


def load_seed(db, name: str) -> None:
    """reference.<seed> from the seed file, typed by the seed YAML's column_types."""
    path = SEEDS / f"{name}.csv"
    spec = yaml.safe_load((SEEDS / f"{name}.yml").read_text())
    (seed,) = [s for s in spec["seeds"] if s["name"] == name]
    types = seed.get("config", {}).get("column_types", {})
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    select = ", ".join(f"cast({_identifier(c)} as {types.get(c, 'varchar')}) as {c}" for c in header)
    db.execute(f"create or replace table reference.{_identifier(name)} as "
               f"select {select} from read_csv(?, header = true, all_varchar = true)", [str(path)])


def materialise(db, name: str, sql: str) -> None:
    db.execute(f"create or replace table {schema_of(name)}.{_identifier(name)} as {sql}")


def query(db, sql: str, params: list | None = None) -> list[dict]:
    cursor = db.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]
