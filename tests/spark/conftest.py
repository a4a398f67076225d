"""The dbt project built on a local Apache Spark from the demo refresh's own raw tables (issue #14).

One Spark session (one JVM start) serves the whole module: dbt runs in this process through dbtRunner,
and dbt-spark's session method reuses the session it started.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.spark_target import dbt_spark_environment, export_sources_to_parquet
# the shared 1-trust refresh (a DuckDB build through the nightly job) is the reference
from tests.integration.conftest import demo_refresh, pseudonymisation_key  # noqa: F401


@dataclass
class SparkBuild:
    duckdb_path: Path          # the DuckDB build it is compared with (the published demo warehouse)
    exported_rows: dict        # rows exported per source table
    build: object              # dbt's result of `build --target spark`


def invoke_dbt_on_spark(spark_dir: Path, *args: str):
    """dbt on the `spark` target, writing its artefacts under spark_dir (never dbt_project/target,
    which holds the DuckDB parse the refresh reuses)."""
    from dbt.cli.main import dbtRunner  # imported here: a plain `pytest` run never loads dbt-spark

    return dbtRunner().invoke([*args, "--target", "spark", "--project-dir", str(DBT_PROJECT_DIR),
                               "--profiles-dir", str(DBT_PROJECT_DIR),
                               "--target-path", str(spark_dir / "target"),
                               "--log-path", str(spark_dir / "logs")])


@pytest.fixture(scope="session")
def spark_build(demo_refresh, tmp_path_factory) -> SparkBuild:  # noqa: F811
    root = tmp_path_factory.mktemp("spark")
    parquet_dir, spark_dir = root / "parquet", root / "spark"
    exported = export_sources_to_parquet(demo_refresh.db_path, parquet_dir)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in dbt_spark_environment(spark_dir).items():
            patch.setenv(name, value)
        registered = invoke_dbt_on_spark(spark_dir, "run-operation", "edi_register_parquet_sources",
                                         "--args", f"{{parquet_dir: '{parquet_dir}'}}")
        assert registered.success, registered.exception
        build = invoke_dbt_on_spark(spark_dir, "build")
    return SparkBuild(demo_refresh.db_path, exported, build)
