"""A summary of one refresh a person reads in ten seconds, built from the run's Dagster events and
its run-history record: per source the rows in / landed / quarantined, the failed checks in words,
and what was published where (content version, warehouse, BI extract, Parquet, board report)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterEventType
from rich.console import Console
from rich.markup import escape
from rich.table import Table

SOURCE_PREFIX = "raw/"
MATERIALIZED = "materialized"
FAILED = "failed"
NOT_RUN = "not run (upstream failed)"
NOT_SELECTED = "not selected"


@dataclass
class AssetLine:
    key: str
    status: str = NOT_SELECTED
    rows_read: int | None = None
    rows_landed: int | None = None
    rows_quarantined: int | None = None
    files_landed: int | None = None
    files_kept: int | None = None  # deliveries already landed in an earlier run, not read again


@dataclass
class Published:
    """Where a published run's outputs went."""
    version: str
    warehouse: Path
    bi_extract: Path
    parquet: Path
    reports: str | None = None  # the board report's index and what was printed, when it was built


@dataclass
class RunSummary:
    run_id: str
    success: bool
    seconds: float
    assets: dict[str, AssetLine]
    errors: list[str]
    checks_passed: int = 0
    failed_checks: list[str] = field(default_factory=list)
    published: Published | None = None
    log_path: Path | None = None

    @property
    def sources(self) -> list[AssetLine]:
        return sorted((a for a in self.assets.values() if a.key.startswith(SOURCE_PREFIX)), key=lambda a: a.key)

    @property
    def other_assets(self) -> Counter:
        return Counter(a.status for a in self.assets.values() if not a.key.startswith(SOURCE_PREFIX))


def root_message(error) -> str:
    """Dagster wraps a step's exception; the message worth showing is the innermost cause's."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else "failed"


def _metadata_int(metadata: dict, name: str) -> int | None:
    value = metadata.get(name)
    return None if value is None else int(value.value)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


def _row_accounting_in_words(sample: list[dict]) -> str:
    parts = []
    for file in sample:
        read, landed, held = file.get("read", 0), file.get("landed", 0), file.get("quarantined", 0)
        lost = read - landed - held
        words = f"{held:,} of {read:,} rows quarantined ({_percent(held, read)})"
        if lost:
            words += f", {lost:,} rows neither landed nor quarantined"
        parts.append(f"{file.get('file', '?')}: {words}")
    return "; ".join(parts) or "rows read do not add up to landed + quarantined"


def _expectations_in_words(observed: dict, sample: list[dict]) -> str:
    failed = observed.get("failed", len(sample))
    head = f"{failed:,} of {observed.get('expectations', '?')} expectations failed"
    details = [f"{e.get('expectation')} on {e.get('column') or 'the table'}"
               + (f" ({_plural(e['unexpected_count'], 'value')})" if e.get("unexpected_count") else "")
               for e in sample[:3]]
    return head + (": " + "; ".join(details) if details else "")


def _rows_in_words(observed: dict, sample: list[dict]) -> str:
    count = observed.get("dagster_dbt/failed_row_count")
    head = f"{_plural(int(count), 'failing row')}" if count is not None else "failed"
    errors = [row["error"] for row in sample if "error" in row]
    if errors:
        return f"{head}: {errors[0]}"
    example = ", ".join(f"{k} {v}" for k, v in sample[0].items()) if sample else ""
    return head + (f", e.g. {example}" if example else "")


def check_in_words(check: dict) -> str:
    """What a failed check of the run history found, in words: how many rows, values or files, and
    where (row accounting names each file; an expectation suite its expectations and columns; a
    dbt test its failing row count and a sample row's keys)."""
    observed, sample = check.get("observed") or {}, check.get("sample") or []
    if "quarantine_ratio" in observed:
        return _row_accounting_in_words(sample)
    if "expectations" in observed:
        return _expectations_in_words(observed, sample)
    return _rows_in_words(observed, sample)


def _asset_statuses(events, asset_keys: list[str]) -> dict[str, AssetLine]:
    """One line per asset: materialised, failed (its step failed), not run (planned, but a failure
    upstream stopped it) or not selected (not part of this run)."""
    assets = {key: AssetLine(key) for key in asset_keys}
    step_of: dict[str, str] = {}
    failed_steps = {e.step_key for e in events if e.event_type == DagsterEventType.STEP_FAILURE}
    for event in events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            step_of[event.event_specific_data.asset_key.to_user_string()] = event.step_key
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            key = materialization.asset_key.to_user_string()
            line = assets.setdefault(key, AssetLine(key))
            line.status = MATERIALIZED
            line.rows_read = _metadata_int(materialization.metadata, "rows_read")
            line.rows_landed = _metadata_int(materialization.metadata, "rows_landed")
            line.rows_quarantined = _metadata_int(materialization.metadata, "rows_quarantined")
            line.files_landed = _metadata_int(materialization.metadata, "file_count")
            line.files_kept = _metadata_int(materialization.metadata, "files_kept")
    for key, step in step_of.items():
        line = assets.setdefault(key, AssetLine(key))
        if line.status != MATERIALIZED:
            line.status = FAILED if step in failed_steps else NOT_RUN
    return assets


def _materialization_metadata(events, key: str) -> dict | None:
    for event in events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.to_user_string() == key:
                return materialization.metadata
    return None


def _report_line(metadata: dict) -> str:
    skipped = metadata["pdf_skipped"].value
    pages, pdfs = metadata["trust_pages"].value, metadata["pdfs"].value
    printed = f"PDFs not printed: {skipped}" if skipped else f"{_plural(pdfs, 'PDF')} beside them"
    return f"{metadata['report_index'].value} ({_plural(pages, 'trust page')}; {printed})"


def _published(events, record: dict, warehouse_dir: Path) -> Published | None:
    from orchestration.publish.bi_extract import bi_file_path, parquet_dir

    if record.get("status") != "published":
        return None
    report = _materialization_metadata(events, "published/board_report")
    return Published(record.get("published_version") or "unknown", warehouse_dir / "edi.duckdb",
                     bi_file_path(warehouse_dir), parquet_dir(warehouse_dir),
                     _report_line(report) if report and "report_index" in report else None)


# What the summary reads: the plan, what was built, which steps failed (not the run's other thousands).
SUMMARY_EVENTS = {DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_MATERIALIZATION,
                  DagsterEventType.STEP_FAILURE}


def run_events(instance, run_id: str) -> list:
    """The Dagster events of the run the summary reads, the plan's events included."""
    records = instance.get_records_for_run(run_id=run_id, of_type=SUMMARY_EVENTS, limit=1_000_000).records
    return [r.event_log_entry.dagster_event for r in records if r.event_log_entry.dagster_event is not None]


def summarise(run_id: str, success: bool, events: list, record: dict, asset_keys: list[str],
              seconds: float, log_path: Path | None = None) -> RunSummary:
    """The run's summary from its events (what each asset did) and its run-history record (checks,
    errors, the published version)."""
    assets = _asset_statuses(events, asset_keys)
    checks = record.get("checks", [])
    warehouse_dir = Path(record["parameters"]["warehouse_dir"])
    return RunSummary(
        run_id=run_id, success=success, seconds=seconds, assets=assets,
        errors=list(record.get("errors", [])),
        checks_passed=sum(c["passed"] for c in checks),
        failed_checks=[f"{c['target']} {c['check_name']}: {check_in_words(c)}" for c in checks if not c["passed"]],
        published=_published(events, record, warehouse_dir), log_path=log_path,
    )


def elapsed(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{seconds:.1f} s"


def _source_status(line: AssetLine) -> str:
    if line.status != MATERIALIZED:
        return line.status
    if not line.files_landed and line.files_kept:
        return f"unchanged ({_plural(line.files_kept, 'file')} kept)"
    return "landed"


def _sources_table(summary: RunSummary) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("source")
    table.add_column("status")
    for column in ("rows in", "landed", "quarantined"):
        table.add_column(column, justify="right")
    for line in summary.sources:
        style = "red" if line.status in (FAILED, NOT_RUN) else None
        status = _source_status(line)
        table.add_row(line.key.removeprefix(SOURCE_PREFIX), status, _count(line.rows_read),
                      _count(line.rows_landed), _count(line.rows_quarantined), style=style)
    return table


def _verdict(summary: RunSummary) -> str:
    took = elapsed(summary.seconds)
    checks = f"{_plural(summary.checks_passed, 'check')} passed, {len(summary.failed_checks):,} failed"
    if summary.published is not None:
        return (f"[green]Refresh {summary.run_id} published[/green] content version "
                f"[bold]{summary.published.version}[/bold] in {took} ({checks})")
    if summary.success:  # a run that did not select the publish step
        return f"[yellow]Refresh {summary.run_id} finished, nothing published[/yellow] in {took} ({checks})"
    return (f"[red]Refresh {summary.run_id} FAILED[/red] after {took} ({checks}): nothing published, "
            "readers still see the previous version")


def summary_lines(summary: RunSummary) -> list:
    """The summary as renderables, in reading order: sources, other assets, what failed, the verdict
    and, last, where everything is."""
    lines: list = [_sources_table(summary)]
    others = summary.other_assets
    lines.append("models and other assets: " + ", ".join(f"{n:,} {status}" for status, n in sorted(others.items())))
    if summary.failed_checks:
        lines.append(f"[red]Failed checks ({len(summary.failed_checks)}):[/red]")
        lines.extend(f"  {escape(check)}" for check in summary.failed_checks)
    lines.extend(f"[red]error[/red] {escape(error.splitlines()[0])}" for error in summary.errors)
    lines.append(_verdict(summary))
    if summary.published is not None:
        published = summary.published
        lines.append(f"  warehouse     {published.warehouse}")
        lines.append(f"  BI extract    {published.bi_extract}")
        lines.append(f"  Parquet       {published.parquet}/")
        lines.append(f"  board report  {escape(published.reports or 'not built in this run')}")
    if summary.log_path is not None:
        lines.append(f"  full log      {summary.log_path}")
    return lines


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    console = console or Console(width=max(120, Console().width))
    for line in summary_lines(summary):
        # text lines are never wrapped, so a path stays whole (and can be copied) on any terminal
        console.print(line, highlight=False, soft_wrap=isinstance(line, str))
