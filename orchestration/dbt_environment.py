"""What dbt's profile (dbt_project/profiles.yml) and models read from their environment, in one place.

`edi prepare` parses with the same values a refresh uses, so the refresh's dbt reuses that parse:
dbt parses the whole project again whenever its profile (the database path included) changes.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.publish.files import dbt_build_path, spill_dir


def dbt_environment(warehouse_dir: Path, duckdb_memory_limit: str, run_id: str = "") -> dict[str, str]:
    return {"EDI_DUCKDB_PATH": str(dbt_build_path(warehouse_dir)), "EDI_RUN_ID": run_id,
            "EDI_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit,
            "EDI_DUCKDB_TEMP_DIR": str(spill_dir(warehouse_dir))}
