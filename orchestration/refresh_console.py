"""`edi refresh` on the console: a progress bar per stage while the run goes, the full log in a file.

The stages are followed from the run's own Dagster events, as they are stored (an instance event
listener): landing (one step per source), the blocking source checks, the dbt build (its models and
tests, which dagster-dbt streams as materialisations and check results), publish, the BI extract and
the board report. Every event is also written to warehouse/logs/<run id>.log, and so is what the
libraries print (dbt's own log lines, warnings), which the default display keeps off the terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from dagster import DagsterEventType
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from orchestration.publish.run_record import stage_of

LANDING, CHECKS, DBT, PUBLISH, BI_EXTRACT, REPORT = (
    "landing", "checks", "dbt build", "publish", "BI extract", "board report")
STAGES = (LANDING, CHECKS, DBT, PUBLISH, BI_EXTRACT, REPORT)
REPORT_STEP = "published__board_report"
# The publish step's log lines that mark its two parts (orchestration/publish/assets.py).
BI_EXTRACT_DONE, PUBLISH_DONE = "BI extract rebuilt", "published "
UNCROPPED_WIDTH = 240  # columns off a terminal: a stage, its bar and counts, and a long detail
STEP_ENDS = (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SKIPPED)


def log_path(warehouse_dir: Path, run_id: str) -> Path:
    return Path(warehouse_dir) / "logs" / f"{run_id}.log"


def console_stage(step_key: str) -> str:
    """The console stage of a step: the run history's stages, with the board report on its own."""
    if step_key == REPORT_STEP:
        return REPORT
    return {"landing": LANDING, "checks": CHECKS, "dbt": DBT, "publish": PUBLISH}[stage_of(step_key)]


def log_line(entry) -> str:
    """One event of the run as a log line: time, level, step and message (a failure's error below it)."""
    stamp = datetime.fromtimestamp(entry.timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    level = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}.get(entry.level, str(entry.level))
    event = entry.dagster_event
    message = event.message if event and event.message else entry.user_message
    error = getattr(event.event_specific_data, "error", None) if event else None
    detail = f"\n{error.to_string()}" if error is not None else ""  # a failure's traceback and causes
    return f"{stamp} {level} {entry.step_key or '-'} - {message}{detail}\n"


class StageProgress:
    """Turns the run's events into progress: each stage's total comes from the run's plan (the
    planned materialisations and checks), each unit done from a materialisation, a check result or
    a step's end. While a stage runs its detail names what it is on; failures stay shown."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.tasks: dict[str, int] = {}
        self.totals = dict.fromkeys(STAGES, 0)
        self.done = dict.fromkeys(STAGES, 0)
        self.failed = dict.fromkeys(STAGES, 0)
        self.models = self.tests = 0

    def __call__(self, event) -> None:
        """A DagsterEvent of the run (planned, step start/end, materialisation, check result, run end)."""
        kind, step = event.event_type, event.step_key
        if kind == DagsterEventType.RUN_FAILURE:
            self._mark_not_run()
        if step is None:
            return
        stage = console_stage(step)
        if kind in (DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED):
            self._planned_unit(kind, stage)
        elif kind == DagsterEventType.STEP_START:
            self._show_planned_stages()
            self._started(stage, step)
        elif kind in STEP_ENDS:
            self._ended(stage, kind)
        elif stage == DBT and kind == DagsterEventType.ASSET_MATERIALIZATION:
            self.models += 1
            self._advance(DBT)
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION and stage in (DBT, CHECKS):
            self.tests += stage == DBT
            self.failed[stage] += not event.event_specific_data.passed
            self._advance(stage, event.event_specific_data.asset_key.path[-1] if stage == CHECKS else None)

    def message(self, step: str | None, text: str) -> None:
        """A log line of a step: the publish step says when the BI extract and the warehouse are done."""
        if step and console_stage(step) == PUBLISH:
            if text.startswith(BI_EXTRACT_DONE):
                self._advance(BI_EXTRACT, text.removeprefix(BI_EXTRACT_DONE).strip(" :"))
            elif text.startswith(PUBLISH_DONE):
                self._advance(PUBLISH)

    def _task(self, stage: str) -> int:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=self.totals[stage] or 1, detail="")
        return self.tasks[stage]

    def _detail(self, stage: str, current: str | None) -> str:
        """What the stage is on while it runs (nothing once done), its failures, dbt's counts."""
        parts = []
        if stage == DBT:
            parts.append(f"{self.models:,} models, {self.tests:,} tests")
        elif current and (self.done[stage] < self.totals[stage] or stage == BI_EXTRACT):
            parts.append(current)  # the BI extract's table count stays
        if self.failed[stage]:
            parts.append(f"[red]{self.failed[stage]:,} failed[/red]")
        return "  ".join(parts)

    def _update(self, stage: str, current: str | None = None) -> None:
        if self.progress is not None:
            self.progress.update(self._task(stage), total=max(self.totals[stage], self.done[stage], 1),
                                 completed=self.done[stage], detail=self._detail(stage, current))

    def _advance(self, stage: str, current: str | None = None) -> None:
        self.done[stage] += 1
        self._update(stage, current)

    def _planned_unit(self, kind, stage: str) -> None:
        if stage in (DBT, CHECKS):  # models and tests, source checks: one unit each
            self.totals[stage] += 1
        elif kind == DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            self.totals[stage] += 1  # landing: a source; publish, board report: the step
            if stage == PUBLISH:
                self.totals[BI_EXTRACT] += 1

    def _show_planned_stages(self) -> None:
        """At the first step, a line for every stage the run plans, in the order they run."""
        if not self.tasks:
            for stage in STAGES:
                if self.totals[stage]:
                    self._update(stage)

    def _started(self, stage: str, step: str) -> None:
        if stage == LANDING:
            self._update(LANDING, step.removeprefix("raw__"))
        elif stage == PUBLISH:
            self._update(PUBLISH, "swapping the candidate into place")

    def _ended(self, stage: str, kind) -> None:
        self.failed[stage] += kind == DagsterEventType.STEP_FAILURE and stage not in (DBT, CHECKS)
        if stage in (LANDING, REPORT):
            self._advance(stage)
        else:
            self._update(stage)

    def _mark_not_run(self) -> None:
        """When the run has failed, what its stages never reached says so (instead of spinning on)."""
        for stage, task in self.tasks.items():
            left = self.totals[stage] - self.done[stage]
            if left > 0:
                detail = self._detail(stage, None)
                self.progress.update(task, detail=f"{detail}  [red]{left:,} not run (upstream failed)[/red]".strip())


def progress_console() -> Console:
    """The console the progress is shown on. Off a terminal (cron, CI, `| tee`) the progress is
    printed once at the end, where Rich's default 80 columns would crop each stage to its name."""
    console = Console(file=sys.stdout, stderr=False)
    if not console.is_terminal:
        console.width = UNCROPPED_WIDTH
    return console


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(finished_text="[green]✓[/green]"), TextColumn("{task.description:<13}"),
        BarColumn(bar_width=30), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[detail]}"),
        console=console, redirect_stdout=False, redirect_stderr=False, transient=False,
    )


class RunLog:
    """The instance listener of one run: every event into the log file, and into the progress."""

    def __init__(self, handle, stages: StageProgress):
        self.handle = handle
        self.stages = stages

    def __call__(self, entry) -> None:
        self.handle.write(log_line(entry))
        if entry.dagster_event is not None:
            self.stages(entry.dagster_event)
        else:
            self.stages.message(entry.step_key, entry.user_message)


def prune_run_logs(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest run logs (by modification time): one is written per run, so
    a nightly schedule would otherwise fill the disk. Returns the deleted files."""
    logs = sorted(folder.glob("*.log"), key=lambda log: log.stat().st_mtime, reverse=True)
    for old in logs[keep:]:
        old.unlink(missing_ok=True)
    return logs[keep:]


@contextlib.contextmanager
def refresh_console(instance, run_id: str, warehouse_dir: Path, verbose: bool, keep_logs: int) -> Iterator[Path]:
    """While the run executes: its events go to the log file; by default a progress display shows on
    the terminal and what the libraries print goes to the log file; with verbose, the terminal shows
    the full Dagster and dbt log as it comes. The newest `keep_logs` logs are kept, this run's among
    them. Yields the log file's path."""
    path = log_path(warehouse_dir, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)  # the log quotes file paths, codes and failing keys: the owner's, as audit/ is
    prune_run_logs(path.parent, keep=keep_logs - 1)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8", buffering=1) as handle:
        if verbose:
            instance.add_event_listener(run_id, RunLog(handle, StageProgress(None)))
            yield path
            return
        with _progress(progress_console()) as progress, \
                contextlib.redirect_stdout(handle), contextlib.redirect_stderr(handle):
            instance.add_event_listener(run_id, RunLog(handle, StageProgress(progress)))
            yield path
