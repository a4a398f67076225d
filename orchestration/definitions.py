"""The Dagster code location: merges what the other modules define."""

from dagster import Definitions, in_process_executor

from orchestration.publish.assets import build_publish_asset
from orchestration.publish.sensors import RUN_HISTORY_SENSORS
from orchestration.reports.assets import board_report
from orchestration.resources import default_warehouse
from orchestration.schedules import nightly_schedule, refresh_job
from orchestration.settings import load_settings
from orchestration.sources import SOURCE_ASSETS, SOURCE_CHECKS
from orchestration.instance_storage import use_fast_sqlite_storage
from orchestration.transform import CHANGE_SCOPE, dbt_resource, edi_dbt_models

use_fast_sqlite_storage()  # in every process that loads the code location: daemon, UI, run workers

defs = Definitions(
    assets=[
        *SOURCE_ASSETS,
        edi_dbt_models,
        build_publish_asset({key for a in [*SOURCE_ASSETS, edi_dbt_models] for key in a.keys}),
        board_report,
        CHANGE_SCOPE,
    ],
    asset_checks=SOURCE_CHECKS,
    jobs=[refresh_job],
    schedules=[nightly_schedule],
    sensors=RUN_HISTORY_SENSORS,
    # the one read of the settings for the code location: the resources carry them to every asset
    resources={"warehouse": default_warehouse(load_settings()), "dbt": dbt_resource()},
    # ad-hoc materialisations from the UI also run in one process: DuckDB has one writer
    executor=in_process_executor,
)
