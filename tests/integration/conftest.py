"""One real refresh, through the nightly job, on a tiny generated dataset in a temporary folder."""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster import DagsterInstance

from orchestration.definitions import defs
from orchestration.publish.files import published_path
from orchestration.publish.run_record import record_run
from orchestration.schedules import REFRESH_JOB_NAME
from orchestration.synthetic import generate

# Set for every refresh of the session, so a test can search outputs for it (see test_security).
PSEUDONYMISATION_TEST_KEY = "pytest-distinctive-key-7f3a9c1e-must-never-be-written"


@dataclass
class Refresh:
    landing: Path
    warehouse: Path
    result: object
    report: object = None

    @property
    def db_path(self) -> Path:
        """The published warehouse."""
        return published_path(self.warehouse)


def run_refresh(landing: Path, warehouse: Path, asset_selection=None, tags=None, report_pdf: bool = False):
    """Execute the same job the schedule runs, pointed at temporary folders. No board-report PDFs
    (a second each in Chromium) unless asked: the demo refresh prints them for the browser tests."""
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        asset_selection=asset_selection,
        run_config={"resources": {"warehouse": {"config": {
            "landing_dir": str(landing), "warehouse_dir": str(warehouse), "report_pdf": report_pdf}}}},
        tags=tags,
    )
    record_run(instance, result.run_id, defs.resources["warehouse"])  # as `edi refresh` does
    return result


@pytest.fixture(scope="session")
def pseudonymisation_key() -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EDI_PSEUDONYMISATION_KEY", PSEUDONYMISATION_TEST_KEY)
        yield PSEUDONYMISATION_TEST_KEY


@pytest.fixture(scope="session")
def demo_refresh(tmp_path_factory, pseudonymisation_key) -> Refresh:
    root = tmp_path_factory.mktemp("demo")
    report = generate(trusts=1, seed=11, out=root / "landing")
    result = run_refresh(root / "landing", root / "warehouse", report_pdf=True)
    return Refresh(root / "landing", root / "warehouse", result, report)


@pytest.fixture
def copied_refresh(demo_refresh, tmp_path) -> Refresh:
    """A private copy of the demo landing folder and warehouse, free to damage."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(demo_refresh.landing, landing)
    shutil.copytree(demo_refresh.warehouse, warehouse, symlinks=True)  # warehouse/bi is a relative link
    return Refresh(landing, warehouse, None, demo_refresh.report)
