"""The `edi` command: generate demo extracts, prepare dbt, run the nightly refresh."""

from __future__ import annotations

import os
import subprocess
import time
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
) -> None:
    """Write synthetic trust extracts (ESR, Trac, ER, Datix, training, Staff Survey)."""
    from orchestration.synthetic import generate as generate_extracts

    if skip_if_present and any(out.glob("*/*.csv")):
        typer.echo(f"{out}: extracts already present, not generating")
        return
    report = generate_extracts(trusts=trusts, seed=seed, out=out)
    codes = ", ".join(report.trusts)
    typer.echo(f"generated {len(report.trusts)} trust(s) ({codes}): {report.total_rows:,} rows "
               f"into {out} in {report.seconds:.1f} s")


@contracts_app.command("sync")
def contracts_sync() -> None:
    """Regenerate dbt_project/models/staging/_sources.yml from data_contracts/."""
    from orchestration.quality.dbt_sources import SOURCES_FILE, sync_sources

    changed = sync_sources()
    typer.echo(f"{SOURCES_FILE}: {'updated' if changed else 'up to date'}")


def _run_dbt(args: list[str], duckdb_path: str) -> None:
    from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

    subprocess.run(
        [DBT_EXECUTABLE, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
         str(DBT_PROJECT_DIR), "--quiet"],
        check=True, env={**os.environ, "EDI_DUCKDB_PATH": duckdb_path},
    )


@app.command()
def prepare() -> None:
    """Sync dbt sources from the contracts and parse the dbt project (writes its manifest)."""
    from orchestration.quality.dbt_sources import sync_sources
    from orchestration.settings import load_settings

    sync_sources()
    _run_dbt(["parse"], str(load_settings().duckdb_path))


@app.command()
def docs() -> None:
    """Write the dbt docs site (lineage graph, column docs) to dbt_project/target/."""
    from orchestration.settings import DBT_PROJECT_DIR, load_settings

    warehouse = load_settings().duckdb_path
    if warehouse.exists():  # the catalog (column types, row counts) comes from the built warehouse
        _run_dbt(["docs", "generate", "--static"], str(warehouse))
    else:
        _run_dbt(["docs", "generate", "--static", "--empty-catalog"], ":memory:")
    typer.echo(f"dbt docs: {DBT_PROJECT_DIR / 'target' / 'static_index.html'} (one file; open it in a browser)")


@app.command()
def rollback(
    version: str = typer.Argument(None, help="A file name in warehouse/history/ (default: the newest)"),
) -> None:
    """Publish a kept previous version of the warehouse again."""
    from orchestration.publish.files import history_versions, rollback as restore
    from orchestration.settings import load_settings

    warehouse_dir = load_settings().warehouse_dir
    try:
        restored = restore(warehouse_dir, version)
    except FileNotFoundError as error:
        kept = "\n  ".join(p.name for p in history_versions(warehouse_dir)) or "(none)"
        typer.echo(f"{error}\nkept versions:\n  {kept}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"restored {restored.name} as {warehouse_dir / 'edi.duckdb'}")


@app.command()
def refresh() -> None:
    """Run the nightly refresh job now, through Dagster, and print a summary."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.run_summary import print_summary, summarise
    from orchestration.schedules import REFRESH_JOB_NAME

    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    started = time.monotonic()
    with (DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()) as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    keys = [key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()]
    summary = summarise(result, keys, time.monotonic() - started)
    print_summary(summary)
    raise typer.Exit(0 if summary.success else 1)
