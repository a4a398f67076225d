"""A finished run becomes a run-history record, written by the run-status sensor for daemon runs."""

from dagster import (
    AssetCheckResult,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    MetadataValue,
    asset,
    asset_check,
    build_run_status_sensor_context,
    define_asset_job,
)

from orchestration.publish.run_store import read_runs
from orchestration.publish.sensors import RUN_HISTORY_SENSORS
from orchestration.quality.failing_samples import SAMPLE_KEY
from orchestration.resources import Warehouse


@asset
def landed() -> None:
    pass


@asset(deps=[landed])
def downstream() -> None:
    pass


@asset_check(asset=landed, blocking=True)
def codes_known() -> AssetCheckResult:
    return AssetCheckResult(passed=False, metadata={
        "unknown_codes": 3, SAMPLE_KEY: MetadataValue.json([{"sex_code": "Z", "n_records": 3}])})


def test_the_failure_sensor_records_a_failed_run_with_its_check_sample(tmp_path):
    job = Definitions(assets=[landed, downstream], asset_checks=[codes_known],
                      jobs=[define_asset_job("tiny")]).resolve_job_def("tiny")
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    sensor = next(s for s in RUN_HISTORY_SENSORS if s.name == "record_failed_run_in_history")
    sensor(build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=failure, dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources={"warehouse": Warehouse(landing_dir=str(tmp_path / "landing"), warehouse_dir=str(tmp_path))}))

    [record] = read_runs(tmp_path)
    assert record["run_id"] == result.run_id and record["status"] == "failed"
    assert record["published_version"] is None and record["started_at"] <= record["finished_at"]
    assert record["parameters"]["warehouse_dir"] == str(tmp_path)
    [check] = record["checks"]
    assert check["target"] == "landed" and check["check_name"] == "codes_known" and not check["passed"]
    assert check["observed"] == {"unknown_codes": 3}
    assert check["sample"] == [{"sex_code": "Z", "n_records": 3}]
    assert any("codes_known" in error for error in record["errors"])


def test_a_failed_run_marks_what_it_built_as_not_published(tmp_path, monkeypatch):
    from orchestration.publish.published_state import PUBLISHED_STATE_KEY
    from orchestration.publish.run_record import record_run

    warehouse = Warehouse(landing_dir=str(tmp_path / "landing"), warehouse_dir=str(tmp_path))
    job = Definitions(assets=[landed, downstream], asset_checks=[codes_known],
                      jobs=[define_asset_job("tiny")]).resolve_job_def("tiny")
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    record_run(instance, result.run_id, warehouse)
    record_run(instance, result.run_id, warehouse)  # the sensor and the caller may both record it: one mark

    observations = instance.fetch_observations(landed.key, limit=10).records
    [observation] = [r.asset_observation for r in observations]
    text = observation.metadata[PUBLISHED_STATE_KEY].value
    assert text.startswith("NOT published") and result.run_id in text and "failed" in text
