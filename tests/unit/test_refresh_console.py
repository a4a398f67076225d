"""`edi refresh` on the console: the project's Dagster instance, the summary a person reads, the
refusal of a production run without a key."""

import os
from pathlib import Path
from types import SimpleNamespace

from dagster import AssetKey, DagsterEventType, DagsterInstance
from rich.console import Console
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.instance_storage import project_instance
from orchestration.run_summary import FAILED, MATERIALIZED, NOT_RUN, check_in_words, print_summary, summarise
from orchestration.settings import REPO_ROOT, load_settings

runner = CliRunner()


def test_without_dagster_home_the_cli_uses_the_projects_instance_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_settings().dagster_home == REPO_ROOT / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    assert load_settings().dagster_home == tmp_path / "home"


def test_a_run_in_the_cli_instance_is_stored_where_the_ui_reads_it(tmp_path, tiny_job):
    with project_instance(tmp_path / "home") as instance:
        assert instance.is_persistent and Path(instance.root_directory) == tmp_path / "home"
        run_id = tiny_job.execute_in_process(instance=instance).run_id
    with DagsterInstance.from_config(str(tmp_path / "home")) as ui_instance:  # what `make dev` opens
        assert ui_instance.get_run_by_id(run_id) is not None


def test_production_without_a_key_is_one_clear_line_and_exit_2(monkeypatch):
    monkeypatch.setenv("EDI_MODE", "production")
    monkeypatch.delenv("EDI_PSEUDONYMISATION_KEY", raising=False)
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        "edi: EDI_MODE=production needs EDI_PSEUDONYMISATION_KEY: a secret of at least 32 characters "
        "that is not the demo key"]


def event(kind, step, key=None, **metadata):
    """A stand-in for a DagsterEvent: the fields the summary reads."""
    data = SimpleNamespace(asset_key=AssetKey(key.split("/")) if key else None,
                           materialization=SimpleNamespace(
                               asset_key=AssetKey(key.split("/")) if key else None,
                               metadata={k: SimpleNamespace(value=v) for k, v in metadata.items()}))
    return SimpleNamespace(event_type=kind, step_key=step, event_specific_data=data)


PLANNED, DONE = DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_MATERIALIZATION
ROW_ACCOUNTING = {"target": "raw/er_case", "check_name": "row_accounting", "passed": False, "severity": "ERROR",
                  "observed": {"quarantine_ratio": 0.25},
                  "sample": [{"file": "er_case/er_case_RBL.csv", "read": 400, "landed": 300, "quarantined": 100}]}
EXPECTATIONS = {"target": "raw/esr_assignment", "check_name": "contract_expectations", "passed": False,
                "severity": "ERROR", "observed": {"expectations": 48, "failed": 1},
                "sample": [{"expectation": "expect_column_values_to_be_in_set", "column": "ethnic_origin",
                            "unexpected_count": 17, "unexpected_sample": ["Q9"]}]}
DBT_TEST = {"target": "marts/dim_staff", "check_name": "unique_dim_staff_staff_version_key", "passed": False,
            "severity": "ERROR", "observed": {"status": "fail", "dagster_dbt/failed_row_count": 3},
            "sample": [{"staff_version_key": "abc", "n_records": 2}]}


def failed_run_summary():
    events = [
        event(PLANNED, "raw__esr_assignment", "raw/esr_assignment"),
        event(PLANNED, "raw__er_case", "raw/er_case"),
        event(PLANNED, "raw__datix_incident", "raw/datix_incident"),
        event(PLANNED, "edi_dbt_models", "marts/dim_staff"),
        event(DONE, "raw__esr_assignment", "raw/esr_assignment", rows_read=1200, rows_landed=1190, rows_quarantined=10),
        event(DONE, "raw__er_case", "raw/er_case", rows_read=400, rows_landed=300, rows_quarantined=100,
              file_count=1, files_kept=0),
        event(PLANNED, "raw__ods_icb", "raw/ods_icb"),
        event(DONE, "raw__ods_icb", "raw/ods_icb", rows_read=0, rows_landed=0, rows_quarantined=0,
              file_count=0, files_kept=1),
        SimpleNamespace(event_type=DagsterEventType.STEP_FAILURE, step_key="raw__datix_incident",
                        event_specific_data=None),
    ]
    record = {"status": "failed", "parameters": {"warehouse_dir": "/w"},
              "checks": [ROW_ACCOUNTING, EXPECTATIONS, DBT_TEST, {**DBT_TEST, "passed": True}],
              "errors": ["raw__datix_incident: datix_incident_RBL.csv: missing column 'Incident Date'"]}
    keys = ["raw/esr_assignment", "raw/er_case", "raw/datix_incident", "raw/ods_icb", "marts/dim_staff",
            "published/warehouse"]
    return summarise("run-9", False, events, record, keys, 75.4, Path("/w/logs/run-9.log"))


def test_a_failed_source_reads_failed_and_what_it_stopped_reads_not_run():
    summary = failed_run_summary()
    statuses = {key: line.status for key, line in summary.assets.items()}
    assert statuses["raw/datix_incident"] == FAILED == "failed"
    assert statuses["marts/dim_staff"] == NOT_RUN == "not run (upstream failed)"
    assert statuses["raw/er_case"] == MATERIALIZED
    assert statuses["published/warehouse"] == "not selected"


def test_failed_checks_read_in_words_with_their_target_and_failing_count():
    assert check_in_words(ROW_ACCOUNTING) == "er_case/er_case_RBL.csv: 100 of 400 rows quarantined (25.0%)"
    assert check_in_words(EXPECTATIONS) == ("1 of 48 expectations failed: expect_column_values_to_be_in_set "
                                            "on ethnic_origin (17 values)")
    assert check_in_words(DBT_TEST) == "3 failing rows, e.g. staff_version_key abc, n_records 2"


def test_the_summary_of_a_failed_run_is_short_and_says_what_failed_where():
    console = Console(width=120, record=True, file=open(os.devnull, "w"))
    print_summary(failed_run_summary(), console)
    text = console.export_text()
    lines = text.strip().splitlines()
    assert len(lines) < 20, text
    assert "{" not in text, "no raw JSON: " + text
    datix = next(line for line in lines if line.startswith("datix_incident"))
    assert datix.split()[1] == "failed", datix
    er_case = next(line for line in lines if line.startswith("er_case"))
    assert er_case.split() == ["er_case", "landed", "400", "300", "100"], er_case
    ods_icb = next(line for line in lines if line.startswith("ods_icb"))
    assert "unchanged (1 file kept)" in ods_icb, ods_icb
    assert "raw/er_case row_accounting: er_case/er_case_RBL.csv: 100 of 400 rows quarantined (25.0%)" in text
    assert "marts/dim_staff unique_dim_staff_staff_version_key: 3 failing rows" in text
    assert "error raw__datix_incident: datix_incident_RBL.csv: missing column 'Incident Date'" in text
    assert "Refresh run-9 FAILED after 1 min 15 s (1 check passed, 3 failed): nothing published" in text
    assert lines[-1].strip() == "full log      /w/logs/run-9.log"


def test_the_progress_counts_each_stage_from_the_runs_events():
    from orchestration.refresh_console import StageProgress, _progress

    E = DagsterEventType

    def ev(kind, step, key="raw/x", passed=True):
        return SimpleNamespace(event_type=kind, step_key=step,
                               event_specific_data=SimpleNamespace(asset_key=AssetKey(key.split("/")), passed=passed))

    console = Console(width=120, record=True, file=open(os.devnull, "w"))
    with _progress(console) as progress:
        stages = StageProgress(progress)
        plan = [ev(E.ASSET_MATERIALIZATION_PLANNED, "raw__esr_assignment"),
                ev(E.ASSET_MATERIALIZATION_PLANNED, "raw__er_case"),
                ev(E.ASSET_CHECK_EVALUATION_PLANNED, "raw__er_case_row_accounting"),
                *[ev(E.ASSET_MATERIALIZATION_PLANNED, "edi_dbt_models") for _ in range(3)],
                *[ev(E.ASSET_CHECK_EVALUATION_PLANNED, "edi_dbt_models") for _ in range(2)],
                ev(E.ASSET_MATERIALIZATION_PLANNED, "published__warehouse"),
                ev(E.ASSET_MATERIALIZATION_PLANNED, "published__board_report")]
        run = [ev(E.STEP_START, "raw__esr_assignment"), ev(E.STEP_SUCCESS, "raw__esr_assignment"),
               ev(E.STEP_START, "raw__er_case"), ev(E.STEP_FAILURE, "raw__er_case"),
               ev(E.ASSET_CHECK_EVALUATION, "raw__er_case_row_accounting", "raw/er_case"),
               ev(E.STEP_START, "edi_dbt_models"),
               *[ev(E.ASSET_MATERIALIZATION, "edi_dbt_models", "marts/m") for _ in range(3)],
               ev(E.ASSET_CHECK_EVALUATION, "edi_dbt_models", "marts/m", passed=False),
               ev(E.STEP_START, "published__warehouse")]
        for event in plan + run:
            stages(event)
        stages.message("published__warehouse", "BI extract rebuilt: 14 tables")
        stages(SimpleNamespace(event_type=E.RUN_FAILURE, step_key=None, event_specific_data=None))
    assert stages.totals == {"landing": 2, "checks": 1, "dbt build": 5, "publish": 1, "BI extract": 1,
                             "board report": 1}
    assert stages.done == {"landing": 2, "checks": 1, "dbt build": 4, "publish": 0, "BI extract": 1,
                           "board report": 0}
    shown = console.export_text()
    assert shown.index("landing") < shown.index("checks") < shown.index("dbt build") < shown.index("publish") \
        < shown.index("BI extract") < shown.index("board report")
    landing_line = next(line for line in shown.splitlines() if "landing" in line)
    assert "2/2" in landing_line and "1 failed" in landing_line, shown
    dbt_line = next(line for line in shown.splitlines() if "dbt build" in line)
    assert "4/5" in dbt_line and "3 models, 1 tests  1 failed  1 not run (upstream failed)" in dbt_line, shown
    report_line = next(line for line in shown.splitlines() if "board report" in line)
    assert "1 not run (upstream failed)" in report_line, shown


def test_the_log_file_keeps_a_failures_error_under_its_event():
    from dagster._utils.error import SerializableErrorInfo

    from orchestration.refresh_console import log_line

    error = SerializableErrorInfo("er_case_RBL.csv: missing column(s) 'Organisation Code'", ["  File x\n"], "SourceFileError")
    entry = SimpleNamespace(timestamp=0, level=40, step_key="raw__er_case", user_message="",
                            dagster_event=SimpleNamespace(message='Execution of step "raw__er_case" failed.',
                                                          event_specific_data=SimpleNamespace(error=error)))
    line = log_line(entry)
    assert line.startswith('1970-01-01 00:00:00 ERROR raw__er_case - Execution of step "raw__er_case" failed.\n')
    assert "missing column(s) 'Organisation Code'" in line and "File x" in line


def test_a_refresh_keeps_only_the_newest_run_logs(tmp_path, tiny_job):
    """One log per run would fill the disk of a nightly schedule: a refresh keeps the newest
    EDI_KEEP_LOGS, its own among them, and deletes the older ones."""
    from orchestration.refresh_console import refresh_console

    logs = tmp_path / "logs"
    logs.mkdir()
    for age in range(5):  # run-0.log is the newest
        old = logs / f"run-{age}.log"
        old.write_text("earlier run\n")
        os.utime(old, (1_000_000 - age, 1_000_000 - age))
    run_id = "0f6c8a1e-52b4-4f0e-9a77-3d1c2b7e9a10"
    with DagsterInstance.ephemeral() as instance:
        with refresh_console(instance, run_id, tmp_path, verbose=True, keep_logs=3) as log:
            tiny_job.execute_in_process(instance=instance, run_id=run_id)
    assert sorted(p.name for p in logs.glob("*.log")) == sorted(["run-0.log", "run-1.log", log.name])
    assert log.read_text()  # this run's events were written


def test_keep_logs_must_be_at_least_one(monkeypatch):
    import pytest

    from orchestration.settings import SettingsError

    monkeypatch.setenv("EDI_KEEP_LOGS", "0")
    with pytest.raises(SettingsError, match="EDI_KEEP_LOGS must be a whole number of at least 1, not '0'"):
        load_settings()
    monkeypatch.setenv("EDI_KEEP_LOGS", "7")
    assert load_settings().keep_logs == 7


def test_off_a_terminal_the_progress_is_printed_whole_not_cropped(capsys):
    """Under cron or CI the progress is printed once at the end; at Rich's default 80 columns each
    stage was cropped to `dbt b…` with its bar, counts and failing tests gone."""
    from orchestration.refresh_console import DBT, StageProgress, _progress, progress_console

    detail = "fct_peer_benchmark: 2 failing tests — assert_bi_peer_set_member_matches_benchmark_sets, unique_x"
    with _progress(progress_console()) as progress:
        stages = StageProgress(progress)
        stages.tasks[DBT] = progress.add_task(DBT, total=553, detail=detail)
        progress.update(stages.tasks[DBT], completed=551)
    printed = capsys.readouterr().out
    assert "dbt build" in printed and "551/553" in printed and detail in printed
