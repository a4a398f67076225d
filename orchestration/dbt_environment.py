"""What dbt's profile (dbt_project/profiles.yml) and models read from their environment, in one place.

None of them is in the profile (the plugin orchestration/dbt_connection.py applies the connection's
values), so the parse `edi prepare` saved fits a refresh into any warehouse folder.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.publish.files import dbt_build_path, spill_dir


def dbt_environment(warehouse_dir: Path, duckdb_memory_limit: str, run_id: str = "") -> dict[str, str]:
    return {"EDI_DUCKDB_PATH": str(dbt_build_path(warehouse_dir)), "EDI_RUN_ID": run_id,
            "EDI_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit,
            "EDI_DUCKDB_TEMP_DIR": str(spill_dir(warehouse_dir))}
