"""What a platform engineer sees in the Dagster UI: assets grouped by layer with a description, an
owner and a code version; the schedule, sensors and job named for what they do; no sign-up dialog."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from dagster import AssetKey, DagsterInstance
from dagster._core.instance.config import dagster_instance_config

from orchestration.definitions import defs
from orchestration.schedules import REFRESH_JOB_NAME
from orchestration import transform
from orchestration.transform import dbt_project, edi_dbt_models

REPO = Path(__file__).resolve().parents[2]


def _dbt_keys() -> set[AssetKey]:
    return set(edi_dbt_models.keys)


def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def test_no_asset_sits_in_the_default_group():
    graph = defs.resolve_asset_graph()
    in_default = sorted(k.to_user_string() for k in graph.get_all_asset_keys()
                        if graph.get(k).group_name in (None, "default"))
    assert in_default == []


def test_every_dbt_asset_is_grouped_by_its_layer():
    specs = {spec.key: spec for spec in edi_dbt_models.specs}
    groups = {spec.group_name for spec in specs.values()}
    assert groups == set(transform.LAYER_GROUPS)
    assert specs[AssetKey(["staging", "stg_esr__assignments"])].group_name == "staging"
    assert specs[AssetKey(["intermediate", "int_staff_versions_historised"])].group_name == "intermediate"
    assert specs[AssetKey(["intermediate", "int_edi_measure__hia6"])].group_name == "metrics"
    assert specs[AssetKey(["marts", "fct_edi_measure"])].group_name == "marts"
    assert specs[AssetKey(["bi", "bi_edi_measure"])].group_name == "bi"
    assert specs[AssetKey(["reference", "ref_measure"])].group_name == "reference"


def test_every_dbt_asset_has_its_yaml_description_and_an_owner():
    manifest = _manifest()
    yaml_descriptions = {node["name"]: node["description"].strip() for node in manifest["nodes"].values()}
    for spec in edi_dbt_models.specs:
        name = spec.key.path[-1]
        assert spec.description.startswith(yaml_descriptions[name]), name
        assert "Raw SQL" not in spec.description, name  # the description reads as prose, not code
        assert spec.owners and all(o.startswith("team:") for o in spec.owners), name


def test_owners_are_set_per_folder_in_dbt_project_yml_not_per_model():
    project = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())
    folders = project["models"]["nhs_edi"]
    assert folders["staging"]["+meta"]["owner"] and folders["marts"]["+meta"]["owner"]
    assert project["seeds"]["nhs_edi"]["+meta"]["owner"]


def test_code_versions_are_set_and_stable_across_loads():
    versions = {spec.key.to_user_string(): spec.code_version for spec in edi_dbt_models.specs}
    assert all(versions.values())
    script = ("import json; from orchestration.transform import edi_dbt_models; "
              "print(json.dumps({s.key.to_user_string(): s.code_version for s in edi_dbt_models.specs}))")
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO,
                           env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert json.loads(other.stdout.strip().splitlines()[-1]) == versions


def test_a_changed_macro_changes_the_code_version_of_the_models_that_use_it():
    manifest = _manifest()
    translator = transform.EdiDbtTranslator(manifest)
    node = manifest["nodes"]["model.nhs_edi.fct_edi_measure"]
    before = translator.get_code_version(node)
    assert before == transform.EdiDbtTranslator(copy.deepcopy(manifest)).get_code_version(node)
    changed = copy.deepcopy(manifest)
    changed["macros"]["macro.nhs_edi.edi_measure_columns"]["macro_sql"] += "\n-- changed"
    assert transform.EdiDbtTranslator(changed).get_code_version(node) != before
    unrelated = manifest["nodes"]["model.nhs_edi.stg_esr__assignments"]
    assert transform.EdiDbtTranslator(changed).get_code_version(unrelated) == translator.get_code_version(unrelated)


def test_schedule_sensors_and_job_are_named_for_what_they_do():
    assert [s.name for s in defs.schedules] == ["nightly_refresh_0200_london"]
    assert sorted(s.name for s in defs.sensors) == [
        "record_canceled_run_in_history", "record_failed_run_in_history", "record_succeeded_run_in_history"]
    for sensor in defs.sensors:
        assert "warehouse/audit/runs.jsonl" in sensor.description and "edi status" in sensor.description
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    assert "publish" in job.description and "only if every check" in job.description


def test_the_instance_turns_off_the_sign_up_dialog_and_telemetry(tmp_path):
    config, _ = dagster_instance_config(str(REPO / "dagster_home"))
    assert config["nux"] == {"enabled": False}
    assert config["telemetry"] == {"enabled": False}
    # the property the webserver reads before it shows the dialog, on an instance with this config
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster_home" / "dagster.yaml").read_text())
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.nux_enabled is False
