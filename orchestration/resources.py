"""The warehouse resource: where the landing files are, which DuckDB file a run writes, and the run's
other settings, carried as resource config (one settings object per run)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from orchestration.dbt_environment import dbt_environment
from orchestration.publish.files import ensure_candidate, published_path, spill_dir
from orchestration.settings import (
    DEFAULT_DUCKDB_MEMORY_LIMIT, DEFAULT_MAPPINGS_DIR, REFERENCE_DATA_DIR, Settings, read_pseudonymisation_key,
)


class Warehouse(ConfigurableResource):
    """The settings of a run, except the pseudonymisation key: run configuration is stored with the run
    and shown in the Dagster UI and its logs, so the key is never a config field. Dagster builds the
    resource again from its config for every run, so the key is read (through the settings module,
    validated against `mode`) once per run when the resource is set up, and kept off the config."""

    landing_dir: str
    warehouse_dir: str
    mode: str = "demo"
    keep_versions: int = 3
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    report_pdf: bool = True
    chromium: str = ""  # empty: the first Chromium on PATH
    mappings_dir: str = str(DEFAULT_MAPPINGS_DIR)
    trusts_left: list[str] = []  # ODS codes whose missing files are withdrawn, not an error (EDI_TRUSTS_LEFT)
    engine: str = "duckdb"  # where dbt builds the models unless the run's edi/engine tag says otherwise

    _pseudonymisation_key: bytes = PrivateAttr(default=b"")

    @classmethod
    def from_settings(cls, settings: Settings) -> Warehouse:
        return cls(landing_dir=str(settings.landing_dir), warehouse_dir=str(settings.warehouse_dir),
                   mode=settings.mode, keep_versions=settings.keep_versions,
                   duckdb_memory_limit=settings.duckdb_memory_limit, report_pdf=settings.report_pdf,
                   chromium=str(settings.chromium or ""), mappings_dir=str(settings.mappings_dir),
                   trusts_left=list(settings.trusts_left), engine=settings.engine)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._pseudonymisation_key = read_pseudonymisation_key(self.mode)

    @property
    def published_path(self) -> Path:
        return published_path(Path(self.warehouse_dir))

    def candidate(self, run_id: str) -> Path:
        """The DuckDB file this run writes (write-audit-publish: never the published one)."""
        return ensure_candidate(Path(self.warehouse_dir), run_id)

    @property
    def reference_dir(self) -> Path:
        return REFERENCE_DATA_DIR

    def pseudonymisation_key(self) -> bytes:
        if not self._pseudonymisation_key:  # never pseudonymise with an empty key
            raise RuntimeError("the warehouse resource was not set up by Dagster: no pseudonymisation key")
        return self._pseudonymisation_key

    def duckdb_config(self) -> dict[str, str]:
        """Memory limit and spill folder (the run's warehouse folder, not the default's)."""
        return {"memory_limit": self.duckdb_memory_limit,
                "temp_directory": str(spill_dir(Path(self.warehouse_dir)))}

    def dbt_environment(self, run_id: str) -> dict[str, str]:
        """The variables dbt's profile and models read, for this run."""
        return dbt_environment(Path(self.warehouse_dir), self.duckdb_memory_limit, run_id)

    @contextmanager
    def connect(self, run_id: str, read_only: bool = False):
        """A short-lived connection to the run's candidate: DuckDB allows one writer, so none is
        held between steps."""
        con = duckdb.connect(str(self.candidate(run_id)), read_only=read_only, config=self.duckdb_config())
        try:
            yield con
        finally:
            con.close()


def default_warehouse(settings: Settings) -> Warehouse:
    return Warehouse.from_settings(settings)
