"""Whether what an asset's page shows is published, for the Dagster UI.

A run materialises every asset into its own candidate warehouse, and only its publish step makes that
the warehouse people read. Dagster shows any materialisation as the asset's latest state, so each one
says it is a candidate of its run, and when the run ends the assets it built are observed either as
published (content version, run) or as not published: the latest event on an asset's page says which.
"""

from __future__ import annotations

from dagster import (
    AssetKey,
    AssetObservation,
    DagsterEventType,
    DagsterInstance,
    MetadataValue,
)

CANDIDATE_KEY = "edi/written_to"
PUBLISHED_STATE_KEY = "edi/published"


def candidate_metadata(run_id: str) -> dict:
    """Metadata for a materialisation written to the run's candidate warehouse."""
    return {CANDIDATE_KEY: MetadataValue.text(
        f"candidate warehouse of run {run_id}: published only if published/warehouse succeeds in that run")}


def assets_built(instance: DagsterInstance, run_id: str) -> list[AssetKey]:
    records = instance.get_records_for_run(
        run_id=run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=100_000).records
    keys = {r.event_log_entry.dagster_event.event_specific_data.materialization.asset_key for r in records}
    return sorted(keys, key=lambda k: k.to_user_string())


def published_observations(keys: list[AssetKey], run_id: str, version: str) -> list[AssetObservation]:
    text = f"published: content version {version} from run {run_id}"
    return [AssetObservation(asset_key=key, metadata={PUBLISHED_STATE_KEY: MetadataValue.text(text)})
            for key in keys]


def mark_not_published(instance: DagsterInstance, run_id: str, status: str) -> None:
    """Observe every asset a run built without publishing as not published: the warehouse is unchanged."""
    text = (f"NOT published: run {run_id} {status}; the published warehouse is unchanged "
            "(`edi status` shows its version)")
    for key in assets_built(instance, run_id):
        instance.report_runless_asset_event(
            AssetObservation(asset_key=key, metadata={PUBLISHED_STATE_KEY: MetadataValue.text(text)}))
