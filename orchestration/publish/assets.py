"""The publish step: the last asset of a refresh, run only when everything upstream succeeded."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    Failure,
    MaterializeResult,
    asset,
)

from orchestration.publish.files import publish
from orchestration.resources import Warehouse
from orchestration.settings import load_settings

PUBLISHED_KEY = AssetKey(["published", "warehouse"])


def unpassed_checks(context: AssetExecutionContext) -> list[str]:
    """Checks planned in this run that failed or never ran. Blocking checks stop downstream steps
    of the same run only, so publishing re-reads the run's own record before trusting it."""
    instance, run_id = context.instance, context.run_id
    planned = {
        (e.event_specific_data.asset_key.to_user_string(), e.event_specific_data.check_name)
        for e in _events(instance, run_id, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
    }
    passed = {
        (e.event_specific_data.asset_key.to_user_string(), e.event_specific_data.check_name)
        for e in _events(instance, run_id, DagsterEventType.ASSET_CHECK_EVALUATION)
        if e.event_specific_data.passed
    }
    return sorted(f"{asset}:{check}" for asset, check in planned - passed)


def _events(instance, run_id: str, event_type: DagsterEventType):
    records = instance.get_records_for_run(run_id=run_id, of_type=event_type, limit=100_000).records
    return [r.event_log_entry.dagster_event for r in records]


def build_publish_asset(upstream: set[AssetKey]) -> AssetsDefinition:
    @asset(
        key=PUBLISHED_KEY,
        deps=sorted(upstream, key=lambda k: k.to_user_string()),
        group_name="publish",
        kinds={"duckdb"},
        description="Swap this run's candidate warehouse into place as warehouse/edi.duckdb, "
                    "only if every check of the run passed; keep the previous versions.",
    )
    def published_warehouse(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        failing = unpassed_checks(context)
        if failing:
            raise Failure(f"not publishing: {len(failing)} check(s) did not pass: {', '.join(failing[:20])}")
        path = publish(warehouse.published_path.parent, context.run_id, load_settings().keep_versions)
        context.log.info(f"published {path}")
        return MaterializeResult(metadata={"path": str(path), "size_bytes": path.stat().st_size})

    return published_warehouse
