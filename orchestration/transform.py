"""dbt, wired into Dagster through dagster-dbt: every model an asset, every dbt test an asset check."""


import shutil
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path


from dagster import AssetCheckResult, AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from orchestration.quality.failing_samples import with_failing_samples
from orchestration.quality.landing_runs import is_full_refresh
from orchestration.quality.build_state import code_fingerprint, rebuild_reason, record_build, record_node_timings
from orchestration.publish.files import candidate_as_dbt_build
from orchestration.resources import Warehouse
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_TARGET

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=DBT_TARGET)


class MissingManifestError(RuntimeError):
    pass


class OfflineDbtCliResource(DbtCliResource):
    """dagster-dbt asks `dbt --version` for the dbt version; that command always looks up the
    newest release online (a stall on a machine without network). The dbt we run is the pinned
    package in this environment, so its version is read from the package instead."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):
        """dagster-dbt opens an in-process dbt adapter only to fetch column metadata and row counts,
        which this project does not ask for; it would load the profile from this process's
        environment, which (by design) does not hold the run's dbt variables."""
        return None

    def with_environment(self, environment: Mapping[str, str]) -> "OfflineDbtCliResource":
        """This resource, with `environment` added to the environment its dbt process starts with.

        The pinned dagster-dbt's cli() has no `env` argument: it copies os.environ. Changing
        os.environ would hand one run's database to everything else in the process (and its next
        runs), so dbt is started through env(1) with the variables as arguments instead: they reach
        the dbt process and nothing else (tests/unit/test_settings_reach.py)."""
        assignments = [f"{name}={value}" for name, value in environment.items()]
        return self.model_copy(update={
            "dbt_executable": ENV_PROGRAM,
            "global_config_flags": [*assignments, self.dbt_executable, *self.global_config_flags]})


ENV_PROGRAM = shutil.which("env") or "/usr/bin/env"


def dbt_resource() -> OfflineDbtCliResource:
    return OfflineDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def build_args(full_refresh: bool) -> list[str]:
    """`dbt build` runs models, seeds and their tests in dependency order; a failed test skips
    everything downstream of it. The parse that `edi prepare` saved is reused, so dbt re-parses
    only what changed since (the run's own target folder has none)."""
    args = ["build", "--partial-parse-file-path", str(dbt_project.project_dir / "target" / "partial_parse.msgpack")]
    if full_refresh:
        args.append("--full-refresh")
    return args


def _manifest_path() -> Path:
    if not dbt_project.manifest_path.exists():
        raise MissingManifestError(
            f"{dbt_project.manifest_path} is missing: run `edi prepare` (make run / make dev do)"
        )
    return dbt_project.manifest_path


@dbt_assets(
    manifest=_manifest_path(),
    project=dbt_project,
    dagster_dbt_translator=DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def edi_dbt_models(context: AssetExecutionContext, dbt: OfflineDbtCliResource, warehouse: Warehouse):
    candidate = warehouse.candidate(context.run.run_id)
    fingerprint = code_fingerprint(DBT_PROJECT_DIR)
    with warehouse.connect(context.run.run_id, read_only=True) as con:
        reason = rebuild_reason(con, context.run.run_id, fingerprint, is_full_refresh(context.run.tags))
    context.log.info(f"dbt: full rebuild ({reason})" if reason else
                     "dbt: incremental models rebuild only what this run's deliveries changed")
    warehouse_dir = Path(warehouse.warehouse_dir)
    with candidate_as_dbt_build(warehouse_dir, context.run.run_id):
        # the database, its limits and the run id reach dbt's process only (never os.environ)
        runner = dbt.with_environment(warehouse.dbt_environment(context.run.run_id))
        invocation = runner.cli(build_args(full_refresh=reason is not None), context=context, raise_on_error=False)
        failed = []
        try:
            for event in invocation.stream():
                if isinstance(event, AssetCheckResult) and not event.passed:
                    failed.append(event)  # sampled once dbt has exited and released the database
                else:
                    yield event
        except BaseException:
            # an error while streaming must not leave dbt writing the candidate in the background
            invocation.process.terminate()
            invocation.process.wait()
            raise
    yield from with_failing_samples(failed, invocation, candidate)
    error = invocation.get_error()
    run_results = invocation.get_artifact("run_results.json") if error is None else {}
    # each invocation writes its own target/ folder; its artifacts are consumed by now
    shutil.rmtree(invocation.target_path, ignore_errors=True)
    if error is not None:
        raise error
    with warehouse.connect(context.run.run_id) as con:
        record_build(con, context.run.run_id, fingerprint, full=reason is not None,
                     dbt_elapsed_seconds=run_results.get("elapsed_time"))
        record_node_timings(con, context.run.run_id, run_results, invocation.manifest)

