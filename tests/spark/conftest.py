"""The nightly job on Apache Spark (issue #14): the demo refresh's landing folder refreshed again with
the run tag edi/engine=spark, so landing, the checks and publishing are the job's own and only `dbt build`
runs on a local Spark (one JVM, started by dbt-spark in the dbt process)."""

import shutil

import pytest

from orchestration.quality.landing_runs import ENGINE_TAG
# the shared 1-trust refresh (a DuckDB build through the nightly job) is the reference
from tests.integration.conftest import Refresh, demo_refresh, pseudonymisation_key, run_refresh  # noqa: F401


@pytest.fixture(scope="session")
def spark_refresh(demo_refresh, tmp_path_factory) -> Refresh:  # noqa: F811
    root = tmp_path_factory.mktemp("spark")
    landing = root / "landing"
    shutil.copytree(demo_refresh.landing, landing)
    result = run_refresh(landing, root / "warehouse", tags={ENGINE_TAG: "spark"})
    return Refresh(landing, root / "warehouse", result)
