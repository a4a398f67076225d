"""The nightly refresh: one job over every asset, run in-process so only one step writes DuckDB."""

from dagster import AssetSelection, ScheduleDefinition, define_asset_job, in_process_executor

REFRESH_JOB_NAME = "nightly_refresh"

refresh_job = define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="The full refresh: land every source under its contract, gate it with blocking checks, "
                "build the dbt warehouse in this run's candidate file, then publish it (with the BI extract "
                "and the board report) only if every check of the run passed.",
)

nightly_schedule = ScheduleDefinition(
    name="nightly_refresh_0200_london",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    description="Runs the nightly_refresh job every night at 02:00 UK time (GMT or BST).",
)
