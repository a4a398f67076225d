"""The one place that reads the environment: paths, the DuckDB file, the pseudonymisation key,
where alerts go.

The entry points (orchestration/definitions.py, the `edi` command) call load_settings() once and hand
the values on: the Dagster resources carry them as config, every other module takes them as arguments
(tests/unit/test_settings_reach.py fails on any other module reading the environment). The secrets (the
key, the alert webhook and SMTP password) are never config, which Dagster stores and shows: they are
read when used (read_pseudonymisation_key, read_alert_settings)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = REPO_ROOT / "data_contracts"
DEFAULT_MAPPINGS_DIR = CONTRACTS_DIR / "mappings"
REFERENCE_DATA_DIR = REPO_ROOT / "reference_data"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The project's Dagster instance (dagster.yaml, run and event storage): `edi` and `make dev` share it,
# so a run started from the command line shows in the UI.
DEFAULT_DAGSTER_HOME = REPO_ROOT / "dagster_home"
# The dbt of this environment, not whatever `dbt` is first on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
# The dbt target every invocation names (dbt reuses a saved parse only for the same target).
DBT_TARGET = "duckdb"
# The project's parse saved by `edi prepare`, and the arguments with which another dbt invocation (a test's)
# re-parses only what changed since: without the same named target dbt parses everything again (~13 s).
DBT_SAVED_PARSE = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
DBT_SAVED_PARSE_ARGS = ("--target", DBT_TARGET, "--partial-parse-file-path", str(DBT_SAVED_PARSE))
# Where dbt builds the warehouse (EDI_ENGINE, `edi refresh --engine`); every engine lands, checks and
# publishes through the same DuckDB candidate (orchestration/spark_target.py).
ENGINES = ("duckdb", "spark")

# Clearly a demo value: accepted only when EDI_MODE is "demo" (the default for `make run`).
DEMO_PSEUDONYMISATION_KEY = "DEMO-KEY-NOT-FOR-REAL-STAFF-DATA"
# DuckDB spills to disk beyond this, so a national refresh fits the machine by design (README "Settings").
DEFAULT_DUCKDB_MEMORY_LIMIT = "4GB"
MEMORY_SIZE = re.compile(r"^[0-9]+(\.[0-9]+)?(MB|GB|MiB|GiB)$")
EMAIL_ADDRESS = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$")
ODS_CODE = re.compile(r"^[A-Z0-9]{3,5}$")


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


WEBHOOK_FORMATS = ("text", "teams-workflow")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class AlertSettings:
    """Where a failed run or a stale source is reported; empty values mean that channel is off.
    The webhook URL carries its own credential and the password is one: neither is ever printed."""

    webhook_url: str = field(default="", repr=False)
    webhook_format: str = "text"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_from: str = ""
    smtp_to: tuple[str, ...] = ()
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    mode: str
    pseudonymisation_key: bytes = b""
    keep_versions: int = 3
    keep_logs: int = 90  # run logs kept in warehouse/logs/: about a quarter of nightly runs
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    report_pdf: bool = True
    mappings_dir: Path = DEFAULT_MAPPINGS_DIR
    alerts: AlertSettings = AlertSettings()
    trusts_left: tuple[str, ...] = ()  # ODS codes whose missing files are withdrawn, not an error
    dagster_home: Path = DEFAULT_DAGSTER_HOME
    chromium: Path | None = None  # the browser that prints the PDFs; None: the first on PATH
    engine: str = "duckdb"  # one of ENGINES: where dbt builds the models

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


@dataclass(frozen=True)
class DbtConnection:
    """The warehouse file dbt builds in and DuckDB's limits, as the dbt process finds them in its
    environment (set by orchestration/dbt_environment.py); read by orchestration/dbt_connection.py."""

    duckdb_path: str
    memory_limit: str
    temp_directory: str


def read_dbt_connection() -> DbtConnection:
    path = os.environ.get("EDI_DUCKDB_PATH")
    if not path:
        raise SettingsError("EDI_DUCKDB_PATH is not set: dbt is run by `edi prepare` and `edi refresh`, which set it")
    return DbtConnection(
        duckdb_path=path,
        memory_limit=_memory_limit(os.environ.get("EDI_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)),
        temp_directory=os.environ.get("EDI_DUCKDB_TEMP_DIR", f"{path}.tmp"),
    )


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
        keep_logs=_at_least_one("EDI_KEEP_LOGS", default=90),
        duckdb_memory_limit=_memory_limit(os.environ.get("EDI_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)),
        report_pdf=_flag("EDI_REPORT_PDF", default=True),
        mappings_dir=_mappings_dir(_path_from_env("EDI_MAPPINGS_DIR", "data_contracts/mappings")),
        alerts=read_alert_settings(),
        trusts_left=_ods_codes("EDI_TRUSTS_LEFT"),
        dagster_home=_path_from_env("DAGSTER_HOME", str(DEFAULT_DAGSTER_HOME)),
        chromium=_optional_path("EDI_CHROMIUM"),
        engine=checked_engine(os.environ.get("EDI_ENGINE", "duckdb"), "EDI_ENGINE"),
    )


def checked_engine(value: str, where: str) -> str:
    if value not in ENGINES:
        raise SettingsError(f"{where} must be one of {', '.join(ENGINES)}, not {value!r}")
    return value


def _mappings_dir(path: Path) -> Path:
    """Per-trust mappings (README "Loading your trust's data"); no folder means no mappings."""
    if path.exists() and not path.is_dir():
        raise SettingsError(f"EDI_MAPPINGS_DIR must be a folder of <ODS code>/<source>.yaml, not the file {path}")
    return path


def read_alert_settings() -> AlertSettings:
    """Where alerts go (README \"Alerts\"): it holds secrets, so the alert sender reads it when it sends."""
    webhook_url = os.environ.get("EDI_ALERT_WEBHOOK_URL", "").strip()
    if webhook_url:
        _check_webhook_url(webhook_url)
    webhook_format = os.environ.get("EDI_ALERT_WEBHOOK_FORMAT", "text")
    if webhook_format not in WEBHOOK_FORMATS:
        raise SettingsError(f"EDI_ALERT_WEBHOOK_FORMAT must be one of {', '.join(WEBHOOK_FORMATS)}, "
                            f"not {webhook_format!r}")
    smtp = {name: os.environ.get(f"EDI_ALERT_SMTP_{name}", "").strip()
            for name in ("HOST", "PORT", "FROM", "TO", "USER", "PASSWORD")}
    starttls = _flag("EDI_ALERT_SMTP_STARTTLS", default=True)
    if not smtp["HOST"]:
        stray = [f"EDI_ALERT_SMTP_{name}" for name, value in smtp.items() if value]
        if stray:
            raise SettingsError(f"{', '.join(stray)} set but EDI_ALERT_SMTP_HOST is not: no e-mail would be sent")
        return AlertSettings(webhook_url=webhook_url, webhook_format=webhook_format)
    recipients = tuple(a.strip() for a in smtp["TO"].split(",") if a.strip())
    if not recipients:
        raise SettingsError("EDI_ALERT_SMTP_HOST needs EDI_ALERT_SMTP_TO: comma-separated e-mail addresses")
    for name, address in [("EDI_ALERT_SMTP_FROM", smtp["FROM"]), *(("EDI_ALERT_SMTP_TO", a) for a in recipients)]:
        if not EMAIL_ADDRESS.match(address):
            raise SettingsError(f"{name} must hold e-mail addresses like edi-alerts@trust.nhs.uk, not {address!r}")
    if bool(smtp["USER"]) != bool(smtp["PASSWORD"]):
        raise SettingsError("EDI_ALERT_SMTP_USER and EDI_ALERT_SMTP_PASSWORD go together: set both or neither")
    if smtp["USER"] and not starttls:
        raise SettingsError("EDI_ALERT_SMTP_USER needs EDI_ALERT_SMTP_STARTTLS=true: the password is never "
                            "sent over an unencrypted connection")
    return AlertSettings(webhook_url=webhook_url, webhook_format=webhook_format, smtp_host=smtp["HOST"],
                         smtp_port=_port(smtp["PORT"] or "587"), smtp_from=smtp["FROM"], smtp_to=recipients,
                         smtp_user=smtp["USER"], smtp_password=smtp["PASSWORD"], smtp_starttls=starttls)


def _check_webhook_url(url: str) -> None:
    """https, or http to this machine (a test server or a local relay). The URL is a credential: the
    error never quotes it."""
    parts = urlsplit(url)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    if not (secure and parts.hostname):
        raise SettingsError("EDI_ALERT_WEBHOOK_URL must be an https:// URL (http:// only to localhost); "
                            "the value set is not shown because it is a secret")


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"EDI_ALERT_SMTP_PORT must be a port number (e.g. 587), not {value!r}")
    return int(value)


def _ods_codes(name: str) -> tuple[str, ...]:
    """A comma-separated list of ODS organisation codes, e.g. RBL,R1L."""
    codes = tuple(c.strip().upper() for c in os.environ.get(name, "").split(",") if c.strip())
    for code in codes:
        if not ODS_CODE.match(code):
            raise SettingsError(f"{name}: {code!r} is not an ODS organisation code (3 to 5 letters or digits)")
    return codes


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


def _at_least_one(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _memory_limit(value: str) -> str:
    value = value.replace(" ", "")
    if not MEMORY_SIZE.match(value):
        raise SettingsError(f"EDI_DUCKDB_MEMORY_LIMIT must look like 4GB or 512MB, not {value!r}")
    return value


def _path_from_env(name: str, default: str) -> Path:
    path = Path(os.environ.get(name, default))
    return path if path.is_absolute() else REPO_ROOT / path
