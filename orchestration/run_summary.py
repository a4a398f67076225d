"""A readable summary of one refresh run, built from the run's Dagster events."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import DagsterEventType
from rich.console import Console
from rich.table import Table


@dataclass
class AssetLine:
    key: str
    status: str = "skipped"
    rows_read: int | None = None
    rows_landed: int | None = None
    rows_quarantined: int | None = None
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    run_id: str
    success: bool
    seconds: float
    assets: dict[str, AssetLine]
    errors: list[str]
    reports: str | None = None  # where the board report's index was written, when it was

    @property
    def checks_passed(self) -> int:
        return sum(a.checks_passed for a in self.assets.values())

    @property
    def checks_failed(self) -> int:
        return sum(len(a.checks_failed) for a in self.assets.values())


def root_message(error) -> str:
    """Dagster wraps a step's exception; the message worth showing is the innermost cause's."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else "failed"


def _metadata_int(metadata: dict, name: str) -> int | None:
    value = metadata.get(name)
    return None if value is None else int(value.value)


def summarise(result, asset_keys: list[str], seconds: float) -> RunSummary:
    """Fold materialisations, check evaluations and step failures into one line per asset."""
    assets = {key: AssetLine(key) for key in asset_keys}
    errors = []
    reports = None
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            line = assets.setdefault(materialization.asset_key.to_user_string(),
                                     AssetLine(materialization.asset_key.to_user_string()))
            line.status = "materialized"
            metadata = materialization.metadata
            line.rows_read = _metadata_int(metadata, "rows_read")
            line.rows_landed = _metadata_int(metadata, "rows_landed")
            line.rows_quarantined = _metadata_int(metadata, "rows_quarantined")
            if "report_index" in metadata:
                reports = _report_line(metadata)
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            line = assets.setdefault(evaluation.asset_key.to_user_string(),
                                     AssetLine(evaluation.asset_key.to_user_string()))
            if evaluation.passed:
                line.checks_passed += 1
            else:
                line.checks_failed.append(evaluation.check_name)
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            errors.append(f"{event.step_key}: {root_message(event.event_specific_data.error)}")
    return RunSummary(result.run_id, result.success, seconds, assets, errors, reports)


def _report_line(metadata: dict) -> str:
    skipped = metadata["pdf_skipped"].value
    pages, pdfs = metadata["trust_pages"].value, metadata["pdfs"].value
    printed = f"PDFs not printed: {skipped}" if skipped else f"{pdfs} PDF{'' if pdfs == 1 else 's'} beside them"
    return f"{metadata['report_index'].value} ({pages} trust page{'' if pages == 1 else 's'}; {printed})"


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    console = console or Console(width=max(140, Console().width))
    table = Table(title=f"Refresh {summary.run_id[:8]}", show_lines=False)
    table.add_column("asset", no_wrap=True)
    for column, justify in ( ("status", "left"), ("rows in", "right"),
                            ("landed", "right"), ("quarantined", "right"),
                            ("checks passed", "right"), ("checks failed", "left")):
        table.add_column(column, justify=justify)
    for line in sorted(summary.assets.values(), key=lambda a: a.key):
        style = "red" if line.checks_failed or line.status == "skipped" else None
        table.add_row(line.key, line.status, _count(line.rows_read), _count(line.rows_landed),
                      _count(line.rows_quarantined), str(line.checks_passed),
                      ", ".join(line.checks_failed), style=style)
    console.print(table)
    for error in summary.errors:
        console.print(f"[red]error[/red] {error}")
    if summary.reports:
        console.print(f"Board reports: {summary.reports}")
    verdict = "[green]succeeded[/green]" if summary.success else "[red]FAILED[/red]"
    console.print(
        f"Refresh {verdict}: {len(summary.assets)} assets, {summary.checks_passed} checks passed, "
        f"{summary.checks_failed} failed, {summary.seconds:.1f} s"
    )
