"""dbt, wired into Dagster through dagster-dbt: every model an asset, every dbt test an asset check."""


import hashlib
import json
import shutil
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any


from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, AssetMaterialization, AssetSpec, Output
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from orchestration.quality.failing_samples import with_failing_samples
from orchestration.quality.landing_runs import is_full_refresh, run_engine
from orchestration.quality.build_state import code_fingerprint, rebuild_reason, record_build, record_node_timings
from orchestration.publish.files import candidate_as_dbt_build
from orchestration.publish.published_state import candidate_metadata
from orchestration.resources import Warehouse
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_SAVED_PARSE, DBT_TARGET
from orchestration.spark_target import (
    check_spark_available, copy_spark_tables_into, hand_sources_to_spark, partial_parse_path, spark_build_environment,
    spark_dir,
)

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


def build_args(full_refresh: bool, partial_parse: Path) -> list[str]:
    """`dbt build` runs models, seeds and their tests in dependency order; a failed test skips
    everything downstream of it. The parse saved for the engine (by `edi prepare` for DuckDB) is
    reused, so dbt re-parses only what changed since (the run's own target folder has none)."""
    args = ["build", "--partial-parse-file-path", str(partial_parse)] if partial_parse.exists() else ["build"]
    if full_refresh:
        args.append("--full-refresh")
    return args


# dbt writes a debug log into the invocation's target folder, which is removed unread once the build's
# events (streamed to Dagster from dbt's stdout) are consumed: writing it cost 4–12 s of a 1-trust build.
NO_DEBUG_LOG_FILE = {"DBT_LOG_LEVEL_FILE": "none"}


def engine_runner(engine: str, dbt: OfflineDbtCliResource, warehouse: Warehouse, run_id: str
                  ) -> tuple[OfflineDbtCliResource, Path]:
    """The dbt resource for the run's engine, and the saved parse it reuses (dbt writes its parse into
    the invocation's own target folder: the Spark one is kept from the last build)."""
    if engine == "spark":
        root = spark_dir(Path(warehouse.warehouse_dir))
        runner, environment = dbt.model_copy(update={"target": "spark"}), spark_build_environment(root, run_id)
        partial_parse = partial_parse_path(root)
    else:
        runner, environment = dbt, warehouse.dbt_environment(run_id)
        partial_parse = DBT_SAVED_PARSE
    # the database, its limits and the run id reach dbt's process only (never os.environ)
    return runner.with_environment({**environment, **NO_DEBUG_LOG_FILE}), partial_parse


def _manifest_path() -> Path:
    if not dbt_project.manifest_path.exists():
        raise MissingManifestError(
            f"{dbt_project.manifest_path} is missing: run `edi prepare` (make run / make dev do)"
        )
    return dbt_project.manifest_path


# The Dagster group of each dbt folder: the project's layers, in the order data flows through them.
LAYER_GROUPS = ("reference", "staging", "intermediate", "metrics", "marts", "bi")
_LAYER_FOLDERS = {("intermediate", "metrics"): "metrics", ("marts", "bi"): "bi",
                  ("staging",): "staging", ("intermediate",): "intermediate", ("marts",): "marts"}
# The config that changes what a model builds (not its docs or owner): part of its code version.
_BUILD_CONFIG = ("materialized", "incremental_strategy", "unique_key", "on_schema_change", "schema", "alias",
                 "column_types", "contract", "pre-hook", "post-hook", "delimiter", "quote_columns")


class UnplacedModelError(ValueError):
    pass


class EdiDbtTranslator(DagsterDbtTranslator):
    """Shows the dbt project in the UI as a platform engineer reads it: one group per layer (the
    model's folder), the description from its YAML, the owner its folder declares (`+meta: owner` in
    dbt_project.yml), and a code version that changes when the model's SQL, its build config or any
    macro it calls changes, so the UI can tell an unchanged asset from one whose code moved on."""

    def __init__(self, manifest: Mapping[str, Any]):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_code_references=True))
        self._macros = manifest.get("macros", {})

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if dbt_resource_props["resource_type"] == "source":
            return None  # sources are the landing assets' keys; their groups are the source systems
        folders = tuple(dbt_resource_props["fqn"][1:-1])
        for prefix, group in _LAYER_FOLDERS.items():
            if folders[:len(prefix)] == prefix:
                return group
        raise UnplacedModelError(
            f"{dbt_resource_props['original_file_path']}: a model belongs in a layer folder "
            f"(models/staging, models/intermediate, models/intermediate/metrics, models/marts, models/marts/bi)")

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        props = dbt_resource_props
        kind = props["resource_type"]
        built_as = f"{props['config']['materialized']} model" if kind == "model" else kind
        relation = f"{props['schema']}.{props.get('alias') or props['name']}"
        return f"{props['description'].strip()}\n\ndbt {built_as} `{props['original_file_path']}` → `{relation}`"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        owner = dbt_resource_props.get("config", {}).get("meta", {}).get("owner")
        if not owner:
            return None
        return [owner if "@" in owner or owner.startswith("team:") else f"team:{owner}"]

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        props = dbt_resource_props
        if props["resource_type"] == "source":
            return None  # a source's code is its landing asset's
        digest = hashlib.sha256((props.get("raw_code") or props["checksum"]["checksum"]).encode())
        config = {key: props.get("config", {}).get(key) for key in _BUILD_CONFIG}
        digest.update(json.dumps(config, sort_keys=True, default=str).encode())
        for macro_id in sorted(self._macros_called(props.get("depends_on", {}).get("macros", []))):
            digest.update(macro_id.encode() + b"\0" + self._macros[macro_id]["macro_sql"].encode())
        return digest.hexdigest()[:16]

    def _macros_called(self, macro_ids: Sequence[str]) -> set[str]:
        """The macros a node calls, and the macros those call, transitively."""
        seen: set[str] = set()
        pending = list(macro_ids)
        while pending:
            macro_id = pending.pop()
            if macro_id in seen or macro_id not in self._macros:
                continue
            seen.add(macro_id)
            pending.extend(self._macros[macro_id].get("depends_on", {}).get("macros", []))
        return seen


def _load_manifest() -> dict:
    return json.loads(_manifest_path().read_text(encoding="utf-8"))


_MANIFEST = _load_manifest()

# Every landing step writes audit.change_scope and the incremental models read it, but no one asset
# materialises it: declared here so the UI shows it with its description instead of in `default`.
CHANGE_SCOPE = AssetSpec(
    key=AssetKey(["audit", "change_scope"]),
    group_name="audit",
    description=_MANIFEST["sources"]["source.nhs_edi.audit.change_scope"]["description"],
    owners=["team:data-platform"],
    kinds={"duckdb"},
)


@dbt_assets(
    manifest=_MANIFEST,
    project=dbt_project,
    dagster_dbt_translator=EdiDbtTranslator(_MANIFEST),
)
def edi_dbt_models(context: AssetExecutionContext, dbt: OfflineDbtCliResource, warehouse: Warehouse):
    run_id = context.run.run_id
    candidate = warehouse.candidate(run_id)
    engine = run_engine(context.run.tags, warehouse.engine)
    fingerprint = code_fingerprint(DBT_PROJECT_DIR)
    with warehouse.connect(run_id, read_only=True) as con:
        reason = rebuild_reason(con, run_id, fingerprint, is_full_refresh(context.run.tags), engine)
    context.log.info(f"dbt on {engine}: full rebuild ({reason})" if reason else
                     f"dbt on {engine}: incremental models rebuild only what this run's deliveries changed")
    warehouse_dir = Path(warehouse.warehouse_dir)
    if engine == "spark":
        check_spark_available()
    with candidate_as_dbt_build(warehouse_dir, run_id):  # also the one build at a time of Spark's folder
        if engine == "spark":
            exported = hand_sources_to_spark(candidate, spark_dir(warehouse_dir))
            context.log.info(f"spark: {len(exported)} source tables exported to Parquet ({sum(exported.values())} rows)")
        runner, partial_parse = engine_runner(engine, dbt, warehouse, run_id)
        invocation = runner.cli(build_args(reason is not None, partial_parse), context=context, raise_on_error=False)
        failed = []
        try:
            for event in invocation.stream():
                if isinstance(event, AssetCheckResult) and not event.passed:
                    failed.append(event)  # sampled once dbt has exited and released the database
                elif isinstance(event, (Output, AssetMaterialization)):
                    yield event.with_metadata({**event.metadata, **candidate_metadata(run_id)})
                else:
                    yield event
        except BaseException:
            # an error while streaming must not leave dbt writing the candidate in the background
            invocation.process.terminate()
            invocation.process.wait()
            raise
    # failing rows are sampled from the candidate, which holds a Spark build's tables only afterwards
    yield from with_failing_samples(failed, invocation, candidate) if engine == "duckdb" else failed
    error = invocation.get_error()
    run_results = invocation.get_artifact("run_results.json") if error is None else {}
    if engine == "spark" and error is None:  # the next Spark build starts from this one's parse
        shutil.copyfile(invocation.target_path / "partial_parse.msgpack", partial_parse)
    # each invocation writes its own target/ folder; its artifacts are consumed by now
    shutil.rmtree(invocation.target_path, ignore_errors=True)
    if error is not None:
        raise error
    with warehouse.connect(run_id) as con:
        if engine == "spark":
            copied = copy_spark_tables_into(con, spark_dir(warehouse_dir))
            context.log.info(f"spark: {len(copied)} built tables copied into the candidate ({sum(copied.values())} rows)")
        record_build(con, run_id, fingerprint, full=reason is not None,
                     dbt_elapsed_seconds=run_results.get("elapsed_time"),
                     subset=context.selected_asset_keys != context.assets_def.keys, engine=engine)
        record_node_timings(con, run_id, run_results, invocation.manifest)
