"""The `edi` command: generate demo extracts, prepare dbt, run the nightly refresh."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime
from pathlib import Path

import typer

app = typer.Typer(help="NHS EDI Warehouse", no_args_is_help=True, add_completion=False)
contracts_app = typer.Typer(help="Data contracts", no_args_is_help=True)
app.add_typer(contracts_app, name="contracts")


@app.command()
def generate(
    trusts: int = typer.Option(3, min=1, help="How many real NHS trusts to generate extracts for"),
    seed: int = typer.Option(2026, help="Random seed: the same seed gives byte-identical files"),
    out: Path = typer.Option(Path("landing"), help="Landing directory to write into"),
    skip_if_present: bool = typer.Option(False, help="Do nothing if the directory already holds CSV files"),
    as_at: datetime | None = typer.Option(
        None, "--as-at", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", show_default=False,
        help="Full refresh as the source systems showed it on this day (default: the window end, "
             "31 March 2025)"),
    increment: str | None = typer.Option(
        None, "--increment", metavar="YYYY-MM", show_default=False,
        help="Instead of a full refresh, add the rows new or changed in this month as "
             "<source>_<code>_<YYYY-MM>.csv, keeping the files already there"),
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
            report = generate_increment(trusts=trusts, seed=seed, out=out, month=increment)
        else:
            report = generate_extracts(trusts=trusts, seed=seed, out=out,
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


def _run_dbt(args: list[str], environment: dict[str, str]) -> None:
    from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_TARGET, child_process_environment

    subprocess.run(
        [DBT_EXECUTABLE, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
         str(DBT_PROJECT_DIR), "--target", DBT_TARGET, "--quiet"],
        check=True, env=child_process_environment(environment),
    )


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


@app.command()
def rollback(
    version: str = typer.Argument(None, help="A file name in warehouse/history/ (default: the newest)"),
) -> None:
    """Publish a kept previous version of the warehouse again, and rebuild the BI extract from it."""
    from orchestration.publish.bi_extract import build_bi_extract
    from orchestration.publish.files import history_versions, published_path, rollback as restore
    from orchestration.settings import load_settings

    warehouse_dir = load_settings().warehouse_dir
    try:
        restored = restore(warehouse_dir, version)
    except FileNotFoundError as error:
        kept = "\n  ".join(p.name for p in history_versions(warehouse_dir)) or "(none)"
        typer.echo(f"{error}\nkept versions:\n  {kept}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"restored {restored.name} as {warehouse_dir / 'edi.duckdb'}")
    extract = build_bi_extract(published_path(warehouse_dir), warehouse_dir)
    typer.echo(f"rebuilt the BI extract ({len(extract.tables)} tables) from it")


def _duration(run: dict) -> str:
    if not run.get("started_at") or not run.get("finished_at"):
        return ""
    seconds = (datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])).total_seconds()
    return f"{seconds:.1f} s"


def _runs_table(runs: list[dict]):
    from rich.table import Table

    from orchestration.publish.inspect import NOT_FAILED

    table = Table(title=f"Last {len(runs)} run(s)")
    for column in ("run id", "status", "started (UTC)", "duration", "published version", "failed checks"):
        table.add_column(column)
    for run in runs:
        failed = sum(not c["passed"] for c in run["checks"])
        style = None if run["status"] in NOT_FAILED else "red"
        started = (run.get("started_at") or "")[:19].replace("T", " ")
        table.add_row(run["run_id"], run["status"], started, _duration(run),
                      run.get("published_version") or "", str(failed), style=style)
    return table


def _failed_checks_table(run: dict):
    import json

    from rich.table import Table

    table = Table(title=f"Failed checks of the latest failed run {run['run_id']}", show_lines=True)
    for column in ("target", "check", "severity", "observed", "failing rows (sample)"):
        table.add_column(column, overflow="fold")
    for check in (c for c in run["checks"] if not c["passed"]):
        table.add_row(check["target"], check["check_name"], check["severity"],
                      json.dumps(check["observed"], default=str), json.dumps(check["sample"], default=str))
    return table


@app.command()
def status(
    runs: int = typer.Option(10, "--runs", "-n", min=1, help="How many recent runs to show"),
) -> None:
    """The last runs, what is published now, and the failed checks of the latest failed run."""
    from rich.console import Console
    from rich.markup import escape

    from orchestration.publish.inspect import latest_failed_run, published, recent_runs
    from orchestration.settings import load_settings

    warehouse_dir = load_settings().warehouse_dir
    console = Console(width=max(160, Console().width))
    history = recent_runs(warehouse_dir, runs)
    console.print(_runs_table(history) if history else "no runs recorded yet")
    now = published(warehouse_dir)
    if now is None:
        console.print(f"published: nothing at {warehouse_dir / 'edi.duckdb'}")
    else:
        console.print(f"published: {now.path}  version {now.version}  run {now.run_id}  "
                      f"published at {now.published_at:%Y-%m-%d %H:%M:%S} UTC")
    failed = latest_failed_run(warehouse_dir)
    if failed is not None:
        console.print(_failed_checks_table(failed))
        for error in failed["errors"]:
            console.print(f"[red]error[/red] {escape(error)}", highlight=False)


def _lineage_tree(node, tree=None, shown=None):
    """A rich Tree of the node and its ancestors; an ancestor already shown is not expanded again."""
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
    for parent in node.parents:
        _lineage_tree(parent, branch, shown)
    return branch


@app.command("lineage")
def lineage_command(model: str = typer.Argument(..., help="A dbt model or seed name, e.g. fct_edi_measure")) -> None:
    """Print the chain model -> parents -> sources -> landed files of the published warehouse."""
    from rich.console import Console

    from orchestration.publish.inspect import InspectError, lineage
    from orchestration.settings import load_settings

    try:
        root = lineage(load_settings().warehouse_dir, model)
    except InspectError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    Console(width=max(160, Console().width)).print(_lineage_tree(root))


@app.command()
def report(
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Print each page to PDF in headless Chromium"),
) -> None:
    """Rebuild the board report (warehouse/reports/) from the published BI extract, without a refresh."""
    from orchestration.reports.build import build_reports, reports_dir
    from orchestration.reports.extract import ReportDataError
    from orchestration.settings import load_settings

    settings = load_settings()
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
        help="Read every delivery again and rebuild every incremental model (the escape hatch)"),
) -> None:
    """Run the nightly refresh job now, through Dagster, and print a summary. Deliveries already
    landed are not read again and incremental models rebuild only what changed."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.publish.run_record import record_run
    from orchestration.quality.landing_runs import FULL_REFRESH_TAG
    from orchestration.run_summary import print_summary, summarise
    from orchestration.schedules import REFRESH_JOB_NAME
    from orchestration.settings import load_settings

    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    started = time.monotonic()
    with (DagsterInstance.get() if load_settings().dagster_home else DagsterInstance.ephemeral()) as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            tags={FULL_REFRESH_TAG: "true"} if full_refresh else None,
        )
        record_run(instance, result.run_id, defs.resources["warehouse"])  # the run's settings
    keys = [key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()]
    summary = summarise(result, keys, time.monotonic() - started)
    print_summary(summary)
    raise typer.Exit(0 if summary.success else 1)
