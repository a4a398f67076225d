"""The dbt project on a local Apache Spark (issue #14): the `spark` target of dbt_project/profiles.yml.

Spark reads the same raw and audit tables that DuckDB's landing wrote: each table of the dbt sources is
exported from a built DuckDB warehouse to Parquet, and `edi_register_parquet_sources` (a dbt operation)
registers those files as Spark tables. The rows are those the contracts let through on landing, the
column types those the contracts declare, so both engines build from identical inputs.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import yaml

from orchestration.settings import DBT_PROJECT_DIR

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml"
# Names come from the dbt sources file (generated from the contracts); anything else is refused.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def source_tables(sources_file: Path = SOURCES_FILE) -> list[tuple[str, str]]:
    """(schema, table) of every dbt source table, checked to be a plain lower-case identifier."""
    document = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    tables = [(source.get("schema", source["name"]), table["name"])
              for source in document["sources"] for table in source["tables"]]
    for schema, table in tables:
        if not (_IDENTIFIER.match(schema) and _IDENTIFIER.match(table)):
            raise ValueError(f"{sources_file}: source table {schema}.{table} is not a plain identifier")
    return tables


def parquet_location(parquet_dir: Path, schema: str, table: str) -> Path:
    """The folder holding one source table's Parquet file (the layout the dbt operation registers)."""
    return parquet_dir / schema / table


def export_sources_to_parquet(duckdb_path: Path, parquet_dir: Path) -> dict[str, int]:
    """Write every source table of the DuckDB warehouse to Parquet; returns rows written per table."""
    rows = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for schema, table in source_tables():
            location = parquet_location(parquet_dir, schema, table)
            location.mkdir(parents=True, exist_ok=True)
            relation = con.table(f"{schema}.{table}")
            relation.write_parquet(str(location / "part-0.parquet"))
            rows[f"{schema}.{table}"] = con.execute(f"select count(*) from {schema}.{table}").fetchall()[0][0]
    return rows


def dbt_spark_environment(spark_dir: Path) -> dict[str, str]:
    """What the `spark` output of profiles.yml reads: its warehouse folder and metastore live here."""
    return {"EDI_SPARK_DIR": str(spark_dir), "SPARK_LOCAL_IP": "127.0.0.1"}
