"""The publish step: the last asset of a refresh, run only when everything upstream succeeded."""

from datetime import datetime, timezone
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterEventType,
    DagsterInstance,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.publish.archive import ArchiveOutcome, archive_deliveries, landed_deliveries
from orchestration.publish.audit import content_version, write_audit, write_table_hashes
from orchestration.publish.bi_extract import BiExtractRefused, staged_bi_extract
from orchestration.publish.compaction import compact_if_fragmented
from orchestration.publish.files import candidate_path, publish
from orchestration.publish.published_state import assets_built, published_observations
from orchestration.publish.run_record import (
    PUBLISHED_KEY,
    check_results,
    refresh_request,
    run_events,
    run_parameters,
)
from orchestration.resources import Warehouse


def unpassed_checks(instance: DagsterInstance, run_id: str, results: list[dict]) -> list[str]:
    """Checks planned in this run that failed or never ran. Blocking checks stop downstream steps
    of the same run only, so publishing re-reads the run's own record before trusting it."""
    planned = {
        (e.event_specific_data.asset_key.to_user_string(), e.event_specific_data.check_name)
        for e in run_events(instance, run_id, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
    }
    return blocking_failures(planned, results)


def blocking_failures(planned: set[tuple[str, str]], results: list[dict]) -> list[str]:
    """"asset:check" of the planned checks that did not pass, but a WARN failure (a late source whose
    contract does not block) is a warning, not a reason to keep the last version."""
    settled = {(r["target"], r["check_name"]) for r in results if r["passed"] or r["severity"] == "WARN"}
    return sorted(f"{asset}:{check}" for asset, check in planned - settled)


def publish_with_bi_extract(warehouse: Warehouse, run_id: str, keep: int) -> tuple[Path, tuple[str, ...]]:
    """Publish the candidate and swap in its BI extract. The extract is checked and written from the
    candidate first, so a refusal blocks the publish: the warehouse and its extract always come from
    the same run, and a failure keeps both previous versions."""
    warehouse_dir = warehouse.published_path.parent
    compact_if_fragmented(candidate_path(warehouse_dir, run_id), warehouse.duckdb_config())
    try:
        with staged_bi_extract(candidate_path(warehouse_dir, run_id), warehouse_dir) as bi_extract:
            path = publish(warehouse_dir, run_id, keep)
            bi_extract.swap_in()
    except BiExtractRefused as refused:
        raise Failure(f"not publishing: {refused}") from refused
    return path, bi_extract.tables


def archive_after_publish(context: AssetExecutionContext, published: Path, warehouse: Warehouse) -> ArchiveOutcome:
    """Archive the published warehouse's deliveries. The publish has happened by now, so a failure
    here is logged and never undoes or blocks it; the next publish archives what this one missed."""
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            deliveries = landed_deliveries(con)
        outcome = archive_deliveries(deliveries, Path(warehouse.landing_dir), Path(warehouse.warehouse_dir))
    except Exception as error:  # noqa: BLE001 - nothing may fail a publish that already happened
        context.log.warning(f"archive: not updated ({error})")
        return ArchiveOutcome(failed={"*": str(error)})
    for label, reason in outcome.failed.items():
        context.log.warning(f"archive: {label} not archived: {reason}")
    context.log.info(f"archive: {len(outcome.archived)} new delivery file(s), {outcome.already} already held")
    return outcome


def build_publish_asset(upstream: set[AssetKey]) -> AssetsDefinition:
    @asset(
        key=PUBLISHED_KEY,
        deps=sorted(upstream, key=lambda k: k.to_user_string()),
        group_name="publish",
        kinds={"duckdb"},
        description="Swap this run's candidate warehouse into place as warehouse/edi.duckdb, "
                    "only if every check of the run passed; keep the previous versions; rebuild the "
                    "person-free BI extract (warehouse/edi_bi.duckdb, warehouse/bi/*.parquet).",
    )
    def published_warehouse(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        results = check_results(context.instance, context.run.run_id)
        failing = unpassed_checks(context.instance, context.run.run_id, results)
        if failing:
            raise Failure(f"not publishing: {len(failing)} check(s) did not pass: {', '.join(failing[:20])}")
        stats = context.instance.get_run_stats(context.run.run_id)
        started = datetime.fromtimestamp(stats.start_time, timezone.utc).replace(tzinfo=None) if stats.start_time else None
        parameters = {**run_parameters(warehouse), **refresh_request(context.run.tags)}
        with warehouse.connect(context.run.run_id) as con:
            write_audit(con, context.run.run_id, started, parameters, results)
            hashes = write_table_hashes(con, context.run.run_id)
        path, bi_tables = publish_with_bi_extract(warehouse, context.run.run_id, warehouse.keep_versions)
        context.log.info(f"BI extract rebuilt: {len(bi_tables)} tables")
        version = content_version(hashes)
        context.log.info(f"published {path} (content version {version})")
        archived = archive_after_publish(context, path, warehouse)
        for observation in published_observations(assets_built(context.instance, context.run.run_id),
                                                  context.run.run_id, version):
            context.log_event(observation)
        return MaterializeResult(metadata={
            "content_version": version, "published_from_run": context.run.run_id,
            "published_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "path": str(path), "size_bytes": path.stat().st_size,
            "archived_files": MetadataValue.json(archived.archived),
            "archive_failures": MetadataValue.json(archived.failed),
            "table_hashes": MetadataValue.json([dict(zip(("schema", "table", "rows", "hash"), h)) for h in hashes]),
        })

    return published_warehouse
