"""dbt-duckdb plugin: attach the run's warehouse file and set DuckDB's memory limit and spill folder
when dbt opens its connection.

They differ from run to run (a candidate in each warehouse folder), and dbt parses the whole project
again whenever its profile changes: written in profiles.yml, a refresh into any folder but the one
`edi prepare` parsed for (a benchmark, a test, a second warehouse) re-parsed 150 models and 550 tests
(≈ 15 s on a quiet machine, 33 s loaded). Here they are read when the connection opens, so the profile
is the same text for every run and the saved parse fits them all.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from orchestration.settings import read_dbt_connection

WAREHOUSE_ALIAS = "edi"  # the compiled SQL names `edi`, whatever the file is called


class Plugin(BasePlugin):
    def update_connection_config(self, creds: DuckDBCredentials, config: dict[str, Any]) -> None:
        connection = read_dbt_connection()
        # Set once when the database opens: DuckDB refuses to switch its temporary directory once it
        # has spilled there, and beyond the limit it spills instead of failing.
        config["memory_limit"] = connection.memory_limit
        config["temp_directory"] = connection.temp_directory

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.execute(f"attach ? as {WAREHOUSE_ALIAS}", [read_dbt_connection().duckdb_path])
