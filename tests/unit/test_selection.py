"""`edi refresh --select`: which assets a selection names, and a clear error for a name that is none."""

import pytest
from dagster import AssetKey, JobDefinition
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.quality.landing_runs import ENGINE_TAG, FULL_REFRESH_TAG, run_engine
from orchestration.settings import SettingsError
from orchestration.selection import SELECT_TAG, SelectionError, refresh_tags, resolve_selection

PUBLISHED = {AssetKey(["published", "warehouse"]), AssetKey(["published", "board_report"])}


def keys(selection) -> set[str]:
    return {k.to_user_string() for k in selection.asset_keys}


def test_a_source_system_selects_its_landing_assets_everything_downstream_and_the_publish():
    selection = resolve_selection(["datix"])
    assert {k.to_user_string() for k in selection.roots} == {"raw/datix_incident"}
    chosen = keys(selection)
    assert {"raw/datix_incident", "staging/stg_datix__incident_staff", "marts/fct_staff_incident",
            "marts/fct_edi_measure", "bi/bi_edi_measure"} <= chosen
    assert PUBLISHED <= set(selection.asset_keys)
    assert not {"raw/esr_assignment", "raw/training_record", "marts/fct_workforce_snapshot",
                "marts/fct_training", "audit/change_scope"} & chosen


def test_a_source_system_names_every_contract_of_it_and_a_contract_only_itself():
    assert {k.to_user_string() for k in resolve_selection(["esr"]).roots} == {"raw/esr_assignment", "raw/esr_pay"}
    assert {k.to_user_string() for k in resolve_selection(["ESR_Pay"]).roots} == {"raw/esr_pay"}


def test_a_dbt_model_selects_itself_and_downstream_with_or_without_the_plus():
    plain, plus = resolve_selection(["fct_staff_incident"]), resolve_selection(["fct_staff_incident+"])
    assert keys(plain) == keys(plus)
    assert {"marts/fct_staff_incident", "marts/fct_hia6_incident_rate", "published/warehouse"} <= keys(plain)
    assert not any(k.startswith(("raw/", "staging/")) for k in keys(plain))


def test_terms_are_unioned_whether_space_separated_or_repeated():
    assert keys(resolve_selection(["datix training"])) == keys(resolve_selection(["datix", "training"]))
    assert {"raw/datix_incident", "raw/training_record"} <= keys(resolve_selection(["datix", "training"]))


def test_an_unknown_name_is_refused_naming_what_exists():
    with pytest.raises(SelectionError) as refused:
        resolve_selection(["datix", "esrr"])
    message = str(refused.value)
    assert "'esrr'" in message and "did you mean: esr" in message
    for known in ("esr", "datix", "staff_survey", "esr_assignment", "training_record", "fct_staff_incident"):
        assert known in message
    with pytest.raises(SelectionError, match="nothing to refresh"):
        resolve_selection(["  "])


def test_the_run_tags_carry_the_selection_and_the_full_refresh():
    selection = resolve_selection(["datix"])
    assert refresh_tags(full_refresh=False, selection=None) == {}
    assert refresh_tags(full_refresh=True, selection=selection) == {FULL_REFRESH_TAG: "true", SELECT_TAG: "datix"}
    assert refresh_tags(full_refresh=False, selection=None, engine="spark") == {ENGINE_TAG: "spark"}


def test_edi_refresh_engine_reaches_the_run_as_its_tag_and_refuses_an_unknown_engine(monkeypatch):
    launched = {}

    def no_run(self, **kwargs):
        launched.update(kwargs["tags"])
        raise RuntimeError("stop before running")

    monkeypatch.setattr(JobDefinition, "execute_in_process", no_run)
    CliRunner().invoke(app, ["refresh", "--engine", "spark"])
    assert launched == {ENGINE_TAG: "spark"}
    result = CliRunner().invoke(app, ["refresh", "--engine", "hive"])
    assert result.exit_code == 2 and "hive" in result.output
    assert run_engine({}, "duckdb") == "duckdb" and run_engine({ENGINE_TAG: "spark"}, "duckdb") == "spark"
    with pytest.raises(SettingsError, match="edi/engine must be one of duckdb, spark, not 'hive'"):
        run_engine({ENGINE_TAG: "hive"}, "duckdb")


def test_edi_refresh_select_refuses_an_unknown_name_before_running_anything(monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("the job must not run")

    monkeypatch.setattr(JobDefinition, "execute_in_process", no_run)
    result = CliRunner().invoke(app, ["refresh", "--select", "not_a_model"])
    assert result.exit_code == 2, result.output
    assert "not_a_model" in result.output and "esr_assignment" in result.output


def test_edi_refresh_select_needs_a_published_warehouse_to_carry_the_rest_over(monkeypatch, tmp_path):
    # without one, dbt failed on the first table outside the selection ("int_pay_gap_group_stats does not exist")
    def no_run(*args, **kwargs):
        raise AssertionError("the job must not run")

    monkeypatch.setattr(JobDefinition, "execute_in_process", no_run)
    monkeypatch.setenv("EDI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    result = CliRunner().invoke(app, ["refresh", "--select", "fct_pay_gap+"])
    assert result.exit_code == 2, result.output
    assert "nothing is published" in result.output and "without --select first" in result.output


def test_edi_status_says_what_each_run_refreshed():
    from orchestration.selection import refreshed_label

    assert refreshed_label({"parameters": {}}) == "all"  # a record from before --select
    assert refreshed_label({"parameters": {"selection": None, "full_refresh": True, "asset_selection": []}}) \
        == "all (full refresh)"
    assert refreshed_label({"parameters": {"selection": "datix fct_pay_gap+", "full_refresh": False}}) \
        == "datix fct_pay_gap+"
    assert refreshed_label({"parameters": {"asset_selection": ["raw/esr_pay", "published/warehouse"]}}) == "2 assets"
    assert refreshed_label({"parameters": {"selection": None, "engine": "spark"}}) == "all on spark"
    assert refreshed_label({"parameters": {"selection": None, "engine": "duckdb"}}) == "all"


def test_the_trainee_sources_are_selected_by_their_systems():
    assert {k.to_user_string() for k in resolve_selection(["tis"]).roots} == {"raw/arcp_outcome", "raw/exam_attempt"}
    nets = resolve_selection(["nets"])
    assert {k.to_user_string() for k in nets.roots} == {"raw/nets_result"}
    assert "staging/stg_nets__results" in keys(nets) and "raw/arcp_outcome" not in keys(nets)
