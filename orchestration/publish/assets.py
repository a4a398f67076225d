"""The publish step: the last asset of a refresh, run only when everything upstream succeeded."""

import json
from datetime import datetime, timezone

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    Failure,
    MaterializeResult,
    asset,
)

from orchestration.publish.audit import write_audit
from orchestration.publish.files import publish
from orchestration.resources import Warehouse
from orchestration.settings import load_settings

PUBLISHED_KEY = AssetKey(["published", "warehouse"])


def check_results(context: AssetExecutionContext) -> list[dict]:
    """Every check evaluation recorded for this run, as rows for audit.check_result."""
    rows = []
    for event in _events(context.instance, context.run_id, DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = event.event_specific_data
        observed = {k: v.value for k, v in evaluation.metadata.items() if isinstance(v.value, (int, float, str))}
        rows.append({"target": evaluation.asset_key.to_user_string(), "check_name": evaluation.check_name,
                     "passed": bool(evaluation.passed), "severity": evaluation.severity.value,
                     "observed": json.dumps(observed, default=str)})
    return rows


def unpassed_checks(context: AssetExecutionContext, results: list[dict]) -> list[str]:
    """Checks planned in this run that failed or never ran. Blocking checks stop downstream steps
    of the same run only, so publishing re-reads the run's own record before trusting it."""
    planned = {
        (e.event_specific_data.asset_key.to_user_string(), e.event_specific_data.check_name)
        for e in _events(context.instance, context.run_id, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
    }
    passed = {(r["target"], r["check_name"]) for r in results if r["passed"]}
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
        results = check_results(context)
        failing = unpassed_checks(context, results)
        if failing:
            raise Failure(f"not publishing: {len(failing)} check(s) did not pass: {', '.join(failing[:20])}")
        settings = load_settings()
        stats = context.instance.get_run_stats(context.run_id)
        started = datetime.fromtimestamp(stats.start_time, timezone.utc).replace(tzinfo=None) if stats.start_time else None
        parameters = {"landing_dir": warehouse.landing_dir, "warehouse_dir": warehouse.warehouse_dir,
                      "mode": settings.mode, "keep_versions": settings.keep_versions}
        with warehouse.connect(context.run_id) as con:
            write_audit(con, context.run_id, started, parameters, results)
        path = publish(warehouse.published_path.parent, context.run_id, settings.keep_versions)
        context.log.info(f"published {path}")
        return MaterializeResult(metadata={"path": str(path), "size_bytes": path.stat().st_size})

    return published_warehouse
