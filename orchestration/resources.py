"""The warehouse resource: where the landing files are and which DuckDB file a run writes."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration.publish.files import ensure_candidate, published_path, spill_dir
from orchestration.settings import DEFAULT_MAPPINGS_DIR, REFERENCE_DATA_DIR, load_settings


class Warehouse(ConfigurableResource):
    """Paths only: the pseudonymisation key is read from the environment when needed, never
    stored in run configuration (which Dagster shows in the UI and logs)."""

    landing_dir: str
    warehouse_dir: str
    mappings_dir: str = str(DEFAULT_MAPPINGS_DIR)

    @property
    def published_path(self) -> Path:
        return published_path(Path(self.warehouse_dir))

    def candidate(self, run_id: str) -> Path:
        """The DuckDB file this run writes (write-audit-publish: never the published one)."""
        return ensure_candidate(Path(self.warehouse_dir), run_id)

    @property
    def reference_dir(self) -> Path:
        return REFERENCE_DATA_DIR

    @staticmethod
    def pseudonymisation_key() -> bytes:
        return load_settings().pseudonymisation_key

    def duckdb_config(self) -> dict[str, str]:
        """Memory limit and spill folder (the run's warehouse folder, not the default's)."""
        return {"memory_limit": load_settings().duckdb_memory_limit,
                "temp_directory": str(spill_dir(Path(self.warehouse_dir)))}

    @contextmanager
    def connect(self, run_id: str, read_only: bool = False):
        """A short-lived connection to the run's candidate: DuckDB allows one writer, so none is
        held between steps."""
        con = duckdb.connect(str(self.candidate(run_id)), read_only=read_only, config=self.duckdb_config())
        try:
            yield con
        finally:
            con.close()


def default_warehouse() -> Warehouse:
    settings = load_settings()
    return Warehouse(landing_dir=str(settings.landing_dir), warehouse_dir=str(settings.warehouse_dir),
                     mappings_dir=str(settings.mappings_dir))
