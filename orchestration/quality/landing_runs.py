"""What a run asked of landing (a full refresh?) and what it landed, for the steps after it."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from orchestration.quality.contracts import Contract
from orchestration.quality.landing import AUDIT_SCHEMA
from orchestration.settings import checked_engine

# A run tagged edi/full_refresh=true re-reads every delivery and rebuilds every incremental model.
FULL_REFRESH_TAG = "edi/full_refresh"


def is_full_refresh(tags: Mapping[str, str]) -> bool:
    return tags.get(FULL_REFRESH_TAG, "").lower() == "true"


# A run tagged edi/engine=spark builds the dbt models on Spark, whatever the warehouse's default engine.
ENGINE_TAG = "edi/engine"


def run_engine(tags: Mapping[str, str], default: str) -> str:
    return checked_engine(tags.get(ENGINE_TAG, default), f"the run tag {ENGINE_TAG}")


def files_landed_in_run(con: duckdb.DuckDBPyConnection, contract: Contract, run_id: str) -> list[str]:
    return [row[0] for row in con.execute(
        f"select file_path from {AUDIT_SCHEMA}.source_load where run_id = ? and source = ? order by 1",
        [run_id, contract.name]).fetchall()]


def unchanged_since(con: duckdb.DuckDBPyConnection, contract: Contract, run_id: str) -> str | None:
    """The run that last changed the source when this run did not touch it (no delivery landed or
    withdrawn, contract unchanged): its tables are the ones validated then. None when it changed."""
    touched = con.execute(
        f"""select (select count(*) from {AUDIT_SCHEMA}.source_load where run_id = $run and source = $source)
                 + (select count(*) from {AUDIT_SCHEMA}.change_scope where run_id = $run and source = $source)""",
        {"run": run_id, "source": contract.name}).fetchone()[0]
    if touched:
        return None
    return con.execute(f"select max_by(run_id, loaded_at) from {AUDIT_SCHEMA}.landed_file where source = ?",
                       [contract.name]).fetchone()[0]
