"""The dbt project on Apache Spark (issue #14): the `spark` target of dbt_project/profiles.yml, and the
nightly job's Spark engine (EDI_ENGINE=spark, `edi refresh --engine spark`).

Landing, the source checks, publishing, the BI extract and the board report are the same on both engines:
they work on the run's DuckDB candidate. Only `dbt build` moves. Spark reads the same raw and audit tables
that DuckDB's landing wrote: each table of the dbt sources is exported from the candidate to Parquet, and
`edi_register_parquet_sources` (an on-run-start hook) registers those files as Spark tables. The rows are
those the contracts let through on landing, the column types those the contracts declare, so both engines
build from identical inputs. After the build, an on-run-end hook writes every table Spark built to Parquet
and the job copies them into the candidate, replacing what an earlier build left there, so the checks and
everything after them read the Spark build in the candidate (views stay DuckDB's: they are queries over
the tables, not data).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import duckdb
import yaml

from orchestration.identifiers import quoted
from orchestration.publish.files import private_dir
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


class SparkUnavailableError(RuntimeError):
    """The Spark engine was asked for on a machine without Java or the Spark packages."""


def check_spark_available() -> None:
    missing = [what for what, present in (
        ("Java 17 (`java` on the PATH; Debian/Ubuntu: apt-get install openjdk-17-jre-headless)",
         shutil.which("java") is not None),
        ("the Spark packages (`make spark-install` installs requirements-spark.lock)",
         importlib.util.find_spec("pyspark") is not None and importlib.util.find_spec("dbt.adapters.spark") is not None),
    ) if not present]
    if missing:
        raise SparkUnavailableError(f"the spark engine needs {' and '.join(missing)}")


def spark_dir(warehouse_dir: Path) -> Path:
    """The Spark warehouse, its metastore and the Parquet hand-overs of a warehouse folder: person-level
    rows, so the owner's only. One build at a time uses it (the dbt build lock of publish/files.py)."""
    return private_dir(Path(warehouse_dir) / "spark")


def sources_dir(root: Path) -> Path:
    return root / "sources"


def built_tables_dir(root: Path) -> Path:
    return root / "built"


def partial_parse_path(root: Path) -> Path:
    """Spark's own saved parse: dbt_project/target holds the DuckDB target's, which a Spark parse would
    overwrite (dbt writes it back to the path it read)."""
    return root / "partial_parse.msgpack"


def spark_build_environment(root: Path, run_id: str) -> dict[str, str]:
    """What the `spark` output of profiles.yml and the two hooks read, for one run."""
    return {**dbt_spark_environment(root), "EDI_RUN_ID": run_id,
            "EDI_SPARK_SOURCES_DIR": str(sources_dir(root)), "EDI_SPARK_EXPORT_DIR": str(built_tables_dir(root))}


def hand_sources_to_spark(candidate: Path, root: Path) -> dict[str, int]:
    """Export the candidate's raw and audit tables for this run's build; clears the last run's hand-overs."""
    for folder in (sources_dir(root), built_tables_dir(root)):
        shutil.rmtree(folder, ignore_errors=True)
    return export_sources_to_parquet(candidate, sources_dir(root))


def exported_tables(root: Path) -> list[tuple[str, str]]:
    """(schema, table) of every table the build handed back, checked to be plain identifiers."""
    folder = built_tables_dir(root)
    tables = sorted((path.parent.name, path.name) for path in folder.glob("*/*") if path.is_dir())
    for schema, table in tables:
        if not (_IDENTIFIER.match(schema) and _IDENTIFIER.match(table)):
            raise ValueError(f"{folder}: {schema}/{table} is not a plain identifier")
    return tables


def _typed_columns(con: duckdb.DuckDBPyConnection, files: list[str]) -> str:
    """The Parquet columns as the DuckDB build types them: Spark's timestamps arrive as UTC instants
    (timestamp with time zone), the contracts' `timestamp` has none."""
    described = con.execute("select column_name, column_type from (describe select * from read_parquet($files))",
                            {"files": files}).fetchall()
    return ", ".join(
        f"cast({quoted(name)} as timestamp) as {quoted(name)}" if kind == "TIMESTAMP WITH TIME ZONE"
        else quoted(name)
        for name, kind in described)


def copy_spark_tables_into(con: duckdb.DuckDBPyConnection, root: Path) -> dict[str, int]:
    """Replace each table the Spark build handed back in the candidate; returns rows per table."""
    con.execute("set TimeZone = 'UTC'")
    copied = {}
    for schema, table in exported_tables(root):
        files = sorted(str(path) for path in (built_tables_dir(root) / schema / table).glob("*.parquet"))
        if not files:  # Spark writes a file with the columns even for an empty table
            raise FileNotFoundError(f"{built_tables_dir(root) / schema / table}: the Spark build wrote no Parquet file")
        columns = _typed_columns(con, files)
        con.execute(f"create schema if not exists {quoted(schema)}")
        if con.execute("select count(*) from duckdb_views() where database_name = current_database() "
                       "and schema_name = ? and view_name = ?", [schema, table]).fetchone()[0]:
            con.execute(f"drop view {quoted(schema)}.{quoted(table)}")  # a view on DuckDB, a table on Spark
        con.execute(f"create or replace table {quoted(schema)}.{quoted(table)} as "
                    f"select {columns} from read_parquet($files)", {"files": files})
        copied[f"{schema}.{table}"] = con.execute(
            f"select count(*) from {quoted(schema)}.{quoted(table)}").fetchone()[0]
    return copied
