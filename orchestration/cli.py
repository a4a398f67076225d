"""The `edi` command: generate demo extracts, prepare dbt, run the nightly refresh."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime
from enum import Enum
from pathlib import Path

import typer

from orchestration.settings import ENGINES

app = typer.Typer(help="NHS EDI Warehouse", no_args_is_help=True, add_completion=False)
contracts_app = typer.Typer(help="Data contracts", no_args_is_help=True)
app.add_typer(contracts_app, name="contracts")

Engine = Enum("Engine", {name: name for name in ENGINES}, type=str)  # typer's choices for --engine


@app.command()
def generate(
    trusts: int = typer.Option(3, min=1, help="How many real NHS trusts to generate extracts for"),
    seed: int = typer.Option(2026, help="Random seed: the same seed gives byte-identical files"),
    out: Path = typer.Option(Path("landing"), help="Landing directory to write into"),
    years: int = typer.Option(4, min=1, help="Financial years of history, ending 31 March 2025 (yearly SPC "
                                             "charts need var spc_yearly_min_points of them); an --increment "
                                             "takes the --years of the extracts it adds to"),
    skip_if_present: bool = typer.Option(False, help="Do nothing if the directory already holds CSV files"),
    as_at: datetime | None = typer.Option(
        None, "--as-at", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", show_default=False,
        help="Full refresh as the source systems showed it on this day (default: the window end, "
             "31 March 2025)"),
    increment: str | None = typer.Option(
        None, "--increment", metavar="YYYY-MM", show_default=False,
        help="Instead of a full refresh, add the rows new or changed in this month as "
             "<source>_<code>_<YYYY-MM>.csv, keeping the files already there"),
    local_esr: list[str] = typer.Option(
        [], "--local-esr", metavar="CODE", show_default=False,
        help="Write this trust's ESR assignment report with its own headings and sex labels "
             "(README \"Loading your trust's data\"; repeatable)"),
) -> None:
    """Write synthetic trust extracts (ESR, Trac, ER, Datix, training, Staff Survey)."""
    from orchestration.synthetic import generate as generate_extracts, generate_increment

    if increment is not None and (as_at is not None or skip_if_present):
        raise typer.BadParameter("--increment adds to a landing folder: it takes neither --as-at "
                                 "nor --skip-if-present", param_hint="--increment")
    if skip_if_present and any(out.glob("*/*.csv")):
        typer.echo(f"{out}: extracts already present, not generating")
        return
    try:
        if increment is not None:
            report = generate_increment(trusts=trusts, seed=seed, out=out, month=increment,
                                        years=years, local_esr=local_esr)
        else:
            report = generate_extracts(trusts=trusts, seed=seed, out=out, years=years, local_esr=local_esr,
                                       as_at=None if as_at is None else as_at.date())
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    codes = ", ".join(report.trusts)
    what = (f"increment {increment} ({len(report.rows)} files) for " if increment else
            f"as at {as_at:%Y-%m-%d}, " if as_at else "")
    typer.echo(f"generated {what}{len(report.trusts)} trust(s) ({codes}): {report.total_rows:,} rows "
               f"into {out} in {report.seconds:.1f} s")


# A stale file's diff is printed up to this many lines: enough to see which contract changed.
SOURCES_DIFF_LINES = 40


@contracts_app.command("sync")
def contracts_sync(
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 with a diff when the file is stale"),
) -> None:
    """Regenerate dbt_project/models/staging/_sources.yml from data_contracts/."""
    from orchestration.quality import dbt_sources

    if not check:
        changed = dbt_sources.sync_sources()
        typer.echo(f"{dbt_sources.SOURCES_FILE}: {'updated' if changed else 'up to date'}")
        return
    diff = dbt_sources.sources_diff()
    if not diff:
        typer.echo(f"{dbt_sources.SOURCES_FILE}: up to date")
        return
    changed_lines = sum(1 for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    shown = "\n".join(diff[:SOURCES_DIFF_LINES]) + ("\n..." if len(diff) > SOURCES_DIFF_LINES else "")
    typer.echo(f"{dbt_sources.SOURCES_FILE} is stale: {changed_lines} line(s) differ from data_contracts/\n"
               f"{shown}\nrun `edi contracts sync` and commit the file", err=True)
    raise typer.Exit(1)


def _validation_tables(report):
    """One table per source: each file's header verdict, counts and the rules most rows broke."""
    from rich.table import Table

    by_source: dict[str, list] = {}
    for verdict in report.files:
        by_source.setdefault(verdict.source or "no contract", []).append(verdict)
    for source, verdicts in by_source.items():
        table = Table(title=source, title_justify="left")
        for column in ("file", "header", "rows read", "would land", "would quarantine", "top reasons (rule: rows)"):
            table.add_column(column, justify="right" if column.startswith(("rows", "would")) else "left")
        for v in verdicts:
            checked = v.error is None and v.duplicate_of is None
            reasons = ", ".join(f"{r['rule']}: {r['rows']:,}" for r in v.reasons)
            table.add_row(v.file, v.header_verdict + (" (mapped)" if v.mapping else ""),
                          *(f"{n:,}" if checked else "" for n in (v.rows_read, v.rows_landed, v.rows_quarantined)),
                          reasons, style=None if v.error is None else "red")
        yield table


@app.command()
def validate(
    path: Path = typer.Argument(None, show_default=False,
                                help="A folder laid out like landing/, or one file (default: the landing folder)"),
    as_json: bool = typer.Option(False, "--json", help="Print the verdicts as JSON"),
) -> None:
    """Check incoming files against their contracts as landing would, building and publishing nothing.
    Exits 1 when a file would not land or a source would fail its quarantine limit."""
    import json
    from dataclasses import asdict

    from rich.console import Console
    from rich.markup import escape

    from orchestration.quality.validation import validate_files
    from orchestration.settings import REFERENCE_DATA_DIR

    settings = _settings_or_exit()
    path = settings.landing_dir if path is None else path
    if not path.exists():
        typer.echo(f"{path}: no such file or folder", err=True)
        raise typer.Exit(1)
    report = validate_files(path, settings.mappings_dir, REFERENCE_DATA_DIR)
    if as_json:
        typer.echo(json.dumps({"path": report.root, "passed": report.passed, "errors": report.errors,
                               "files": [asdict(f) for f in report.files]}, indent=2))
    else:
        console = Console(width=max(160, Console().width))
        for table in _validation_tables(report):
            console.print(table)
        for problem in [f.error for f in report.files if f.error] + report.errors:
            console.print(f"[red]error[/red] {escape(problem)}", highlight=False)
        checked = [f for f in report.files if f.error is None]
        console.print(f"{len(report.files)} file(s) in {path}: {sum(f.rows_read for f in checked):,} rows read, "
                      f"{sum(f.rows_landed for f in checked):,} would land, "
                      f"{sum(f.rows_quarantined for f in checked):,} would be quarantined; "
                      + ("ready to land" if report.passed else "NOT ready: fix the errors above")
                      + " (nothing was written)", highlight=False)
    raise typer.Exit(0 if report.passed else 1)


def _run_dbt(args: list[str], environment: dict[str, str]) -> None:
    from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_TARGET, child_process_environment

    subprocess.run(
        [DBT_EXECUTABLE, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
         str(DBT_PROJECT_DIR), "--target", DBT_TARGET, "--quiet"],
        check=True, env=child_process_environment(environment),
    )


def _settings_or_exit():
    """The settings, or one clear line and exit 2 when the environment is not runnable (before any
    Dagster code loads, which would bury the message under a traceback)."""
    from orchestration.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as error:
        typer.echo(f"edi: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def prepare(
    sync: bool = typer.Option(True, "--sync/--no-sync",
                              help="--no-sync parses the sources file as it is (make test checks it instead)"),
) -> None:
    """Sync dbt sources from the contracts and parse the dbt project (writes its manifest)."""
    from orchestration.quality.dbt_sources import sync_sources
    from orchestration.settings import load_settings
    from orchestration.dbt_environment import dbt_environment

    if sync:
        sync_sources()
    settings = load_settings()
    _run_dbt(["parse"], dbt_environment(settings.warehouse_dir, settings.duckdb_memory_limit))


@app.command()
def docs() -> None:
    """Write the dbt docs site (lineage graph, column docs) to dbt_project/target/."""
    from orchestration.settings import DBT_PROJECT_DIR, load_settings

    warehouse = load_settings().duckdb_path
    if warehouse.exists():  # the catalog (column types, row counts) comes from the built warehouse
        _run_dbt(["docs", "generate", "--static"], {"EDI_DUCKDB_PATH": str(warehouse)})
    else:
        _run_dbt(["docs", "generate", "--static", "--empty-catalog"], {"EDI_DUCKDB_PATH": ":memory:"})
    typer.echo(f"dbt docs: {DBT_PROJECT_DIR / 'target' / 'static_index.html'} (one file; open it in a browser)")


def _kept_line(path, version) -> str:
    return f"{path.name}  content version {version.version}, built by run {version.run_id}"


@app.command()
def rollback(
    version: str = typer.Argument(
        None, help="A kept version: its file name in warehouse/history/ or the run id in it (default: the newest)"),
) -> None:
    """Publish a kept previous version of the warehouse again, rebuild the BI extract from it, and
    record the rollback in the run history."""
    from orchestration.publish.bi_extract import build_bi_extract
    from orchestration.publish.files import published_path, rollback as restore
    from orchestration.publish.inspect import kept_versions, warehouse_version
    from orchestration.publish.run_record import record_rollback

    warehouse_dir = _settings_or_exit().warehouse_dir
    try:
        restored = restore(warehouse_dir, version)
    except FileNotFoundError as error:
        kept = "\n  ".join(_kept_line(path, v) for path, v in kept_versions(warehouse_dir))
        typer.echo(f"{error}" + (f"\nkept versions (newest first):\n  {kept}" if kept else ""), err=True)
        raise typer.Exit(1) from error
    now = warehouse_version(published_path(warehouse_dir))
    record_rollback(warehouse_dir, restored, now.run_id, now.version)
    typer.echo(f"rolled back to content version {now.version} (built by run {now.run_id}, kept as "
               f"{restored.name}): now published as {published_path(warehouse_dir)}")
    extract = build_bi_extract(published_path(warehouse_dir), warehouse_dir)
    typer.echo(f"rebuilt the BI extract ({len(extract.tables)} tables) from it; the rollback is in the run history "
               "(`edi status`)")


def _duration(run: dict) -> str:
    if not run.get("started_at") or not run.get("finished_at"):
        return ""
    seconds = (datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])).total_seconds()
    return f"{seconds:.1f} s"


def _runs_table(runs: list[dict]):
    from rich.table import Table

    from orchestration.publish.inspect import NOT_FAILED
    from orchestration.selection import refreshed_label

    table = Table(title=f"Last {len(runs)} run(s)")
    for column in ("run id", "status", "started (UTC)", "duration", "refreshed", "published version",
                   "failed checks"):
        table.add_column(column)
    for run in runs:
        failed = sum(not c["passed"] for c in run["checks"])
        style = None if run["status"] in NOT_FAILED else "red"
        started = (run.get("started_at") or "")[:19].replace("T", " ")
        table.add_row(run["run_id"], run["status"], started, _duration(run), refreshed_label(run),
                      run.get("published_version") or "", str(failed), style=style)
    return table


def _late_sources_table(late: list):
    from rich.table import Table

    table = Table(title="Late sources (newest landed file per trust older than its contract's SLA)")
    for column in ("source", "trust", "newest file", "delivered (UTC)", "due by (UTC)", "staleness"):
        table.add_column(column)
    for source in late:
        table.add_row(source.source, source.organisation or "", source.newest_file,
                      f"{source.delivered_at:%Y-%m-%d %H:%M}", f"{source.due_by:%Y-%m-%d %H:%M}",
                      "blocking" if source.blocking else "warning", style="red" if source.blocking else "yellow")
    return table


def _failed_checks_table(run: dict):
    import json

    from rich.table import Table

    from orchestration.run_summary import check_in_words

    table = Table(title=f"Failed checks of the latest failed run {run['run_id']}", show_lines=True)
    for column in ("target", "check", "severity", "what failed", "failing rows (sample)"):
        table.add_column(column, overflow="fold")
    for check in (c for c in run["checks"] if not c["passed"]):
        table.add_row(check["target"], check["check_name"], check["severity"], check_in_words(check),
                      json.dumps(check["sample"], default=str))
    return table


def _published_line(now) -> str:
    line = (f"published: {now.path}  version {now.version}  run {now.run_id}  "
            f"published at {now.published_at:%Y-%m-%d %H:%M:%S} UTC" if now.published_at else
            f"published: {now.path}  version {now.version}  run {now.run_id}")
    if now.restored_by is not None:
        line += f"  (put back by {now.restored_by['run_id']} at {now.restored_by['finished_at'][:19].replace('T', ' ')} UTC)"
    return line


@app.command()
def status(
    runs: int = typer.Option(10, "--runs", "-n", min=1, help="How many recent runs to show"),
) -> None:
    """The last runs, what is published now, the sources that are late, and the failed checks of the
    latest failed run."""
    from rich.console import Console
    from rich.markup import escape

    from orchestration.publish.files import published_path
    from orchestration.publish.inspect import latest_failed_run, published, recent_runs
    from orchestration.quality.freshness import late_sources

    warehouse_dir = _settings_or_exit().warehouse_dir
    console = Console(width=max(160, Console().width))
    history = recent_runs(warehouse_dir, runs)
    console.print(_runs_table(history) if history else "no runs recorded yet")
    now = published(warehouse_dir)
    if now is None:
        console.print(f"published: nothing at {warehouse_dir / 'edi.duckdb'}")
    else:
        console.print(_published_line(now), highlight=False)
    late = late_sources(published_path(warehouse_dir))
    if late:
        console.print(_late_sources_table(late))
    elif now is not None:
        console.print("sources: every trust's newest delivery is within its contract's SLA")
    failed = latest_failed_run(warehouse_dir)
    if failed is not None:
        console.print(_failed_checks_table(failed))
        for error in failed["errors"]:
            console.print(f"[red]error[/red] {escape(error)}", highlight=False)


def _lineage_tree(node, tree=None, shown=None):
    """A rich Tree of the node and the nodes it links to; a node already shown is not expanded again."""
    from rich.markup import escape
    from rich.tree import Tree

    shown = set() if shown is None else shown
    label = escape(f"{node.name} ({node.node_type})")
    branch = Tree(label) if tree is None else tree.add(label)
    if node.unique_id in shown:
        branch.label = escape(f"{node.name} ({node.node_type}, see above)")
        return branch
    shown.add(node.unique_id)
    for landed in node.files:
        branch.add(escape(f"{landed.path}  sha256 {landed.sha256}  rows read {landed.rows_read}, "
                          f"landed {landed.rows_landed}, quarantined {landed.rows_quarantined}"))
    for linked in node.linked:
        _lineage_tree(linked, branch, shown)
    return branch


@app.command("lineage")
def lineage_command(
    name: str = typer.Argument(
        ..., metavar="NAME",
        help="A model, seed or source in any case: fct_edi_measure, marts.fct_edi_measure, raw.esr_assignment, "
             "esr_assignment (the contract), or a landed file (its path or name)"),
    downstream: bool = typer.Option(False, "--downstream", help="What it feeds, instead of what it is built from"),
    as_json: bool = typer.Option(False, "--json", help="The lineage graph as JSON (nodes with their files, edges)"),
) -> None:
    """Print the chain model -> parents -> sources -> landed files of the published warehouse, or
    with --downstream what a source, file or model feeds."""
    import json

    from rich.console import Console

    from orchestration.publish.inspect import InspectError, lineage, lineage_json

    try:
        root = lineage(_settings_or_exit().warehouse_dir, name, downstream=downstream)
    except InspectError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(lineage_json(root, downstream), indent=2))
    else:
        Console(width=max(160, Console().width)).print(_lineage_tree(root))


@app.command()
def report(
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Print each page to PDF in headless Chromium"),
) -> None:
    """Rebuild the board report (warehouse/reports/) from the published BI extract, without a refresh."""
    from orchestration.reports.build import build_reports, reports_dir
    from orchestration.reports.extract import ReportDataError
    settings = _settings_or_exit()
    warehouse_dir = settings.warehouse_dir
    try:
        built = build_reports(warehouse_dir, pdf=pdf, chromium=settings.chromium)
    except ReportDataError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{len(built.pages) - 1} trust pages and the index in {built.seconds:.1f} s: "
               f"{reports_dir(warehouse_dir) / 'index.html'}")
    if pdf:
        typer.echo(f"PDFs not printed: {built.pdf_skipped}" if built.pdf_skipped else f"{len(built.pdfs)} PDFs beside them")


@app.command()
def refresh(
    full_refresh: bool = typer.Option(
        False, "--full-refresh",
        help="Read every delivery again and rebuild every incremental model (the escape hatch); "
             "with --select, only those of the selection"),
    select: list[str] = typer.Option(
        None, "--select", "-s", metavar="SELECTION", show_default=False,
        help="Refresh only these sources (esr, datix, ...), contracts (esr_pay) or dbt models "
             "(fct_pay_gap+, marts.core) and everything downstream of them; the rest of the "
             "published warehouse carries over. Space-separated or repeated."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Print the full Dagster and dbt log instead of the progress display"),
    engine: Engine = typer.Option(
        None, "--engine", show_default=False,
        help="Build the dbt models on this engine for this run (default: EDI_ENGINE, else duckdb). spark "
             "needs Java 17 and the Spark packages (make spark-install); it rebuilds every model"),
) -> None:
    """Run the nightly refresh job now, through Dagster, and print a summary. Deliveries already
    landed are not read again and incremental models rebuild only what changed. The full log is kept
    in warehouse/logs/<run id>.log (the newest EDI_KEEP_LOGS logs are kept)."""
    settings = _settings_or_exit()
    import uuid

    from orchestration.definitions import defs
    from orchestration.instance_storage import project_instance
    from orchestration.publish.files import published_path
    from orchestration.publish.run_record import record_run
    from orchestration.refresh_console import refresh_console
    from orchestration.run_summary import print_summary, run_events, summarise
    from orchestration.schedules import REFRESH_JOB_NAME
    from orchestration.selection import SelectionError, refresh_tags, resolve_selection

    try:
        selection = resolve_selection(select) if select is not None else None
    except SelectionError as error:
        raise typer.BadParameter(str(error), param_hint="--select") from error
    published = published_path(settings.warehouse_dir)
    if selection and not published.exists():
        # the rest of the warehouse carries over from the published one: without it dbt fails on the first
        # table outside the selection
        raise typer.BadParameter(
            f"a partial refresh carries the rest of the published warehouse over, and nothing is published at "
            f"{published} yet: run `edi refresh` without --select first", param_hint="--select")
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    started = time.monotonic()
    run_id = str(uuid.uuid4())  # chosen here so the console can follow the run from its first event
    with project_instance(settings.dagster_home) as instance:
        with refresh_console(instance, run_id, settings.warehouse_dir, verbose, settings.keep_logs) as log:
            result = job.execute_in_process(
                instance=instance, raise_on_error=False, run_id=run_id,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}},
                asset_selection=selection.asset_keys if selection else None,
                tags=refresh_tags(full_refresh, selection, engine.value if engine else None),
            )
        record = record_run(instance, run_id, defs.resources["warehouse"])
        events = run_events(instance, run_id)
    keys = selection.asset_names if selection else [
        key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys]
    summary = summarise(run_id, result.success, events, record, keys, time.monotonic() - started, log)
    print_summary(summary)
    raise typer.Exit(0 if summary.success else 1)
