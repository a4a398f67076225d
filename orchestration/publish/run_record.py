"""A finished refresh as a run-history record, built from Dagster's own event log of the run.

Recorded by whoever ran the job (`edi refresh`, the test harness) and, for runs launched by the
schedule or the UI, by the run-status sensors; the store ignores a second record of the same run.
The call that adds the record also sends the run's alert (orchestration/alerts.py), so a run that
did not publish is alerted once, whichever path recorded it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus

from orchestration.alerts import alert_run
from orchestration.publish.audit import code_version
from orchestration.publish.published_state import mark_not_published
from orchestration.publish.run_store import append_run
from orchestration.quality.failing_samples import SAMPLE_KEY
from orchestration.quality.landing_runs import ENGINE_TAG, is_full_refresh
from orchestration.run_summary import root_message
from orchestration.selection import SELECT_TAG
from orchestration.settings import read_alert_settings

if TYPE_CHECKING:
    from orchestration.resources import Warehouse

PUBLISHED_KEY = AssetKey(["published", "warehouse"])
MAX_ERROR_CHARS = 1000
# The settings a run record lists (the key is no config field, so it can never be one of them).
RECORDED_SETTINGS = ("landing_dir", "warehouse_dir", "mode", "keep_versions", "engine")


def run_events(instance: DagsterInstance, run_id: str, event_type: DagsterEventType) -> list:
    records = instance.get_records_for_run(run_id=run_id, of_type=event_type, limit=100_000).records
    return [r.event_log_entry.dagster_event for r in records]


def check_results(instance: DagsterInstance, run_id: str) -> list[dict]:
    """Every check evaluation of the run: target, outcome, severity, observed values, and for a
    failed check the sample its check attached."""
    rows = []
    for event in run_events(instance, run_id, DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = event.event_specific_data
        metadata = evaluation.metadata
        observed = {k: v.value for k, v in metadata.items() if isinstance(v.value, (int, float, str))}
        sample = metadata.get(SAMPLE_KEY)
        rows.append({"target": evaluation.asset_key.to_user_string(), "check_name": evaluation.check_name,
                     "passed": bool(evaluation.passed), "severity": evaluation.severity.value,
                     "observed": observed,
                     "sample": None if evaluation.passed or sample is None else sample.value})
    return rows


def run_parameters(warehouse: Warehouse, run=None) -> dict:
    """The parameters a refresh ran with: the warehouse resource's config, under the run's own run
    config when a run is given (a test or the UI may point a run at other folders)."""
    config = {} if run is None else run.run_config.get("resources", {}).get("warehouse", {}).get("config", {})
    return {name: config.get(name, getattr(warehouse, name)) for name in RECORDED_SETTINGS}


def refresh_request(tags: dict[str, str]) -> dict:
    """What the run was asked to refresh: `edi refresh --select` (None: everything), --full-refresh,
    and --engine when it overrode the warehouse's engine."""
    engine = {"engine": tags[ENGINE_TAG]} if ENGINE_TAG in tags else {}
    return {"selection": tags.get(SELECT_TAG), "full_refresh": is_full_refresh(tags)} | engine


def materialized_assets(instance: DagsterInstance, run_id: str) -> list[str]:
    """The assets the run actually built, in name order."""
    return sorted({e.event_specific_data.materialization.asset_key.to_user_string()
                   for e in run_events(instance, run_id, DagsterEventType.ASSET_MATERIALIZATION)})


def _iso(timestamp: float | None) -> str | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc).isoformat()


def _published_metadata(instance: DagsterInstance, run_id: str) -> dict | None:
    for event in run_events(instance, run_id, DagsterEventType.ASSET_MATERIALIZATION):
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == PUBLISHED_KEY:
            return {k: v.value for k, v in materialization.metadata.items()}
    return None


def _status(run, published: dict | None) -> str:
    if published is not None:
        return "published"
    if run.status == DagsterRunStatus.SUCCESS:  # a run that did not select the publish step
        return "not published"
    return "failed" if run.status == DagsterRunStatus.FAILURE else run.status.value.lower()


CHECK_STEP_SUFFIXES = ("_contract_expectations", "_row_accounting")


def stage_of(step_key: str) -> str:
    """The refresh stage a step belongs to: landing, checks, dbt or publish."""
    if step_key.startswith("raw__"):
        return "checks" if step_key.endswith(CHECK_STEP_SUFFIXES) else "landing"
    return "publish" if step_key.startswith("published__") else "dbt"


STEP_BOUNDARIES = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}


def stage_seconds(instance: DagsterInstance, run_id: str) -> dict[str, float]:
    """Wall seconds per stage, from the run's step start and end events (steps run one at a time)."""
    started: dict[str, float] = {}
    totals: dict[str, float] = {}
    # only the step boundaries: reading back the run's thousands of other events costs seconds
    records = instance.get_records_for_run(run_id=run_id, of_type=STEP_BOUNDARIES, limit=100_000).records
    for record in records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE) \
                and event.step_key in started:
            stage = stage_of(event.step_key)
            totals[stage] = totals.get(stage, 0.0) + entry.timestamp - started.pop(event.step_key)
    return {stage: round(seconds, 3) for stage, seconds in sorted(totals.items())}


def run_record(instance: DagsterInstance, run_id: str, warehouse: Warehouse) -> dict:
    run = instance.get_run_by_id(run_id)
    stats = instance.get_run_stats(run_id)
    published = _published_metadata(instance, run_id)
    errors = [f"{e.step_key}: {root_message(e.event_specific_data.error)}"[:MAX_ERROR_CHARS]
              for e in run_events(instance, run_id, DagsterEventType.STEP_FAILURE)]
    return {
        "run_id": run_id,
        "job": run.job_name,
        "status": _status(run, published),
        "started_at": _iso(stats.start_time),
        "finished_at": _iso(stats.end_time),
        "published_version": (published or {}).get("content_version"),
        "code_version": code_version(),
        "parameters": {**run_parameters(warehouse, run), **refresh_request(run.tags),
                       "asset_selection": sorted(k.to_user_string() for k in run.asset_selection or [])},
        "assets_materialized": materialized_assets(instance, run_id),
        "checks": check_results(instance, run_id),
        "stage_seconds": stage_seconds(instance, run_id),
        "errors": errors,
        "table_hashes": (published or {}).get("table_hashes", []),
    }


def record_run(instance: DagsterInstance, run_id: str, warehouse: Warehouse) -> dict:
    """Append the finished run to the run history of the warehouse it wrote, and alert it if it did
    not publish; returns the record. `warehouse`: the code location's resource, whose config the run's
    own run config overrides."""
    record = run_record(instance, run_id, warehouse)
    if append_run(Path(record["parameters"]["warehouse_dir"]), record):
        if record["status"] != "published":
            mark_not_published(instance, run_id, record["status"])
        alert_run(record, read_alert_settings())  # a secret, like the key: read when used, never config
    return record


def record_rollback(warehouse_dir: Path, restored_file: Path, restored_run: str, version: str) -> dict:
    """Append a rollback to the run history, like a run: what it put back in place (the kept file, the
    run that built it, its content version), so the history says which version readers see."""
    now = datetime.now(timezone.utc)
    record = {
        "run_id": f"rollback-{now:%Y%m%dT%H%M%S%fZ}",
        "job": "rollback",
        "status": "rolled back",
        "started_at": now.isoformat(),
        "finished_at": now.isoformat(),
        "published_version": version,
        "code_version": code_version(),
        "parameters": {"warehouse_dir": str(warehouse_dir), "restored_file": restored_file.name,
                       "restored_run_id": restored_run},
        "checks": [],
        "stage_seconds": {},
        "errors": [],
        "table_hashes": [],
    }
    append_run(Path(warehouse_dir), record)
    return record
