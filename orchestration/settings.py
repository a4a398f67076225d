"""The one place that reads the environment: paths, the DuckDB file, the pseudonymisation key.

The entry points (orchestration/definitions.py, the `edi` command) call load_settings() once and hand
the values on: the Dagster resources carry them as config, every other module takes them as arguments
(tests/unit/test_settings_reach.py fails on any other module reading the environment)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = REPO_ROOT / "data_contracts"
REFERENCE_DATA_DIR = REPO_ROOT / "reference_data"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt of this environment, not whatever `dbt` is first on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
# The dbt target every invocation names (dbt reuses a saved parse only for the same target).
DBT_TARGET = "duckdb"

# Clearly a demo value: accepted only when EDI_MODE is "demo" (the default for `make run`).
DEMO_PSEUDONYMISATION_KEY = "DEMO-KEY-NOT-FOR-REAL-STAFF-DATA"
# DuckDB spills to disk beyond this, so a national refresh fits the machine by design (README "Settings").
DEFAULT_DUCKDB_MEMORY_LIMIT = "4GB"
MEMORY_SIZE = re.compile(r"^[0-9]+(\.[0-9]+)?(MB|GB|MiB|GiB)$")


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    mode: str
    pseudonymisation_key: bytes = b""
    keep_versions: int = 3
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    report_pdf: bool = True
    chromium: Path | None = None  # the browser that prints the PDFs; None: the first on PATH
    dagster_home: Path | None = None  # Dagster's own DAGSTER_HOME; None: a throwaway instance

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_dir / "edi.duckdb"

    def __repr__(self) -> str:  # never print the key
        return (
            f"Settings(landing_dir={self.landing_dir}, warehouse_dir={self.warehouse_dir}, "
            f"mode={self.mode})"
        )


def _resolve_key(mode: str) -> bytes:
    key = os.environ.get("EDI_PSEUDONYMISATION_KEY", "")
    if mode == "demo":
        return (key or DEMO_PSEUDONYMISATION_KEY).encode()
    if mode != "production":
        raise SettingsError(f"EDI_MODE must be 'demo' or 'production', not {mode!r}")
    if not key or key == DEMO_PSEUDONYMISATION_KEY or len(key) < 32:
        raise SettingsError(
            "EDI_MODE=production needs EDI_PSEUDONYMISATION_KEY: a secret of at least 32 "
            "characters that is not the demo key"
        )
    return key.encode()


def read_pseudonymisation_key(mode: str) -> bytes:
    """The key alone, for the warehouse resource: it is never part of a run's configuration."""
    return _resolve_key(mode)


def child_process_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment plus `extra`, for a child process (dbt run by `edi prepare`)."""
    return {**os.environ, **extra}


def load_settings() -> Settings:
    """Read settings from the environment; relative paths are taken from the repository root."""
    mode = os.environ.get("EDI_MODE", "demo")
    return Settings(
        landing_dir=_path_from_env("EDI_LANDING_DIR", "landing"),
        warehouse_dir=_path_from_env("EDI_WAREHOUSE_DIR", "warehouse"),
        mode=mode,
        pseudonymisation_key=_resolve_key(mode),
        keep_versions=int(os.environ.get("EDI_KEEP_VERSIONS", "3")),
        duckdb_memory_limit=_memory_limit(os.environ.get("EDI_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)),
        report_pdf=_flag("EDI_REPORT_PDF", default=True),
        chromium=_optional_path("EDI_CHROMIUM"),
        dagster_home=_optional_path("DAGSTER_HOME"),
    )


def _optional_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false", "1", "0"):
        raise SettingsError(f"{name} must be true or false, not {value!r}")
    return value.lower() in ("true", "1")


def _memory_limit(value: str) -> str:
    value = value.replace(" ", "")
    if not MEMORY_SIZE.match(value):
        raise SettingsError(f"EDI_DUCKDB_MEMORY_LIMIT must look like 4GB or 512MB, not {value!r}")
    return value


def _path_from_env(name: str, default: str) -> Path:
    path = Path(os.environ.get(name, default))
    return path if path.is_absolute() else REPO_ROOT / path
