"""The warehouse resource: where the landing files are and which DuckDB file the run writes."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration.settings import REFERENCE_DATA_DIR, load_settings


class Warehouse(ConfigurableResource):
    """Paths only: the pseudonymisation key is read from the environment when needed, never
    stored in run configuration (which Dagster shows in the UI and logs)."""

    landing_dir: str
    warehouse_dir: str

    @property
    def db_path(self) -> Path:
        return Path(self.warehouse_dir) / "edi.duckdb"

    @property
    def reference_dir(self) -> Path:
        return REFERENCE_DATA_DIR

    @staticmethod
    def pseudonymisation_key() -> bytes:
        return load_settings().pseudonymisation_key

    @contextmanager
    def connect(self, read_only: bool = False):
        """A short-lived connection: DuckDB allows one writer, so none is held between steps."""
        if not read_only:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.db_path), read_only=read_only)
        try:
            yield con
        finally:
            con.close()


def default_warehouse() -> Warehouse:
    settings = load_settings()
    return Warehouse(landing_dir=str(settings.landing_dir), warehouse_dir=str(settings.warehouse_dir))
