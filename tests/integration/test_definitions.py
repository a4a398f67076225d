"""The code location loads, and its asset graph matches the reviewed snapshot.

A change to lineage (a new asset, a dependency, a check, the schedule) changes the snapshot: rerun
with EDI_UPDATE_SNAPSHOT=1 and review the diff of tests/integration/asset_graph.json.
"""

import json
import os
from pathlib import Path

from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.quality.contracts import load_contracts
from orchestration.schedules import REFRESH_JOB_NAME

SNAPSHOT = Path(__file__).with_name("asset_graph.json")


def graph_snapshot() -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
        }
    checks = {}
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        checks.setdefault(check_key.asset_key.to_user_string(), []).append(
            {"name": check_key.name, "blocking": spec.blocking})
    schedule = defs.resolve_schedule_def("nightly_refresh_0200_london")
    return {
        "assets": assets,
        "checks": {k: sorted(v, key=lambda c: c["name"]) for k, v in sorted(checks.items())},
        "schedule": {"job": schedule.job_name, "cron": schedule.cron_schedule,
                     "timezone": schedule.execution_timezone},
    }


def test_asset_graph_matches_snapshot():
    current = graph_snapshot()
    if os.environ.get("EDI_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text()), "asset graph changed: see module docstring"


def test_every_contract_has_a_landing_asset_with_two_blocking_checks_and_trust_extracts_a_freshness_check():
    graph = defs.resolve_asset_graph()
    checks = {}
    for check_key in graph.asset_check_keys:
        checks.setdefault(check_key.asset_key, {})[check_key.name] = graph.get_check_spec(check_key).blocking
    for contract in load_contracts().values():
        key = AssetKey(["raw", contract.name])
        assert graph.has(key), contract.name
        assert graph.get(key).group_name == contract.source_system
        freshness = {"freshness": contract.sla.blocking} if contract.location == "landing" else {}
        assert checks[key] == {"contract_expectations": True, "row_accounting": True, **freshness}


def test_every_source_is_staged_by_dbt():
    graph = defs.resolve_asset_graph()
    staged = {parent for key in graph.get_all_asset_keys() if key.path[0] == "staging"
              for parent in graph.get(key).parent_keys}
    # every contract's raw table, and the change scope every landing step writes for the incremental models
    assert staged == {AssetKey(["raw", name]) for name in load_contracts()} | {AssetKey(["audit", "change_scope"])}


def test_nightly_schedule_runs_the_refresh_job_in_process_at_two_london_time():
    schedule = defs.resolve_schedule_def("nightly_refresh_0200_london")
    assert (schedule.job_name, schedule.cron_schedule, schedule.execution_timezone) == (
        REFRESH_JOB_NAME, "0 2 * * *", "Europe/London")
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    assert job.executor_def.name == "in_process"
    assert {k.path[0] for k in job.asset_layer.executable_asset_keys} >= {"raw", "staging"}
