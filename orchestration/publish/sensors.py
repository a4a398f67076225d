"""Record runs the daemon launched (the nightly schedule, materialisations from the UI) in the run
history: such runs have no caller waiting to record them, and a failed run never reaches its
publish step. With no job named, a run-status sensor watches every job of this code location."""

from dagster import DagsterRunStatus, DefaultSensorStatus, RunStatusSensorContext, run_status_sensor

from orchestration.publish.run_record import record_run
from orchestration.resources import Warehouse


# The past participle of each watched status, as the sensors' names and descriptions read.
_OUTCOME = {DagsterRunStatus.SUCCESS: "succeeded", DagsterRunStatus.FAILURE: "failed",
            DagsterRunStatus.CANCELED: "canceled"}


def history_sensor(status: DagsterRunStatus):
    outcome = _OUTCOME[status]

    @run_status_sensor(
        name=f"record_{outcome}_run_in_history",
        run_status=status,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"When a run of this code location has {outcome}, append it to the run history "
                    "(warehouse/audit/runs.jsonl, which `edi status` reads): runs the schedule or the UI "
                    "launched have no caller to record them.",
    )
    def _sensor(context: RunStatusSensorContext, warehouse: Warehouse) -> None:
        record = record_run(context.instance, context.dagster_run.run_id, warehouse)
        context.log.info(f"run {record['run_id']}: {record['status']} recorded in the run history")

    return _sensor


RUN_HISTORY_SENSORS = [history_sensor(s) for s in
                       (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)]
