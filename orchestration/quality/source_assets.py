"""Build a source system's landing assets and their blocking checks from its contracts."""


from datetime import datetime, timezone
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
    asset_check,
)

from orchestration.quality.contracts import Contract, load_contracts
from orchestration.quality.expectations import SuiteOutcome, validate_table
from orchestration.quality.landing_runs import files_landed_in_run, is_full_refresh, unchanged_since
from orchestration.quality.failing_samples import SAMPLE_KEY
from orchestration.quality.freshness import checked_contracts, freshness_result
from orchestration.quality.landing import land_source, source_files
from orchestration.quality.mappings import load_mappings
from orchestration.quality.row_accounting import AccountingResult, check_row_accounting
from orchestration.publish.published_state import candidate_metadata
from orchestration.resources import Warehouse


def asset_key(contract: Contract) -> AssetKey:
    return AssetKey(["raw", contract.name])


def _column_schema(contract: Contract) -> TableSchema:
    return TableSchema(columns=[
        TableColumn(c.name, c.landing_type, description=c.description, tags={"classification": c.classification})
        for c in contract.columns
    ])


def _contract_metadata(contract: Contract) -> dict:
    return {
        "contract": MetadataValue.path(str(contract.file_path)),
        "contract_version": contract.version,
        "owner": contract.owner,
        "refresh_cadence": contract.frequency,
        "grain": contract.grain,
        "files": f"{contract.location}/{contract.path_glob}",
        "dagster/column_schema": _column_schema(contract),
    }


def landing_asset(contract: Contract) -> AssetsDefinition:
    @asset(
        key=asset_key(contract),
        group_name=contract.source_system,
        description=f"{contract.description}\n\nGrain: {contract.grain}",
        kinds={"duckdb", "csv"},
        metadata=_contract_metadata(contract),
    )
    def _land(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        root = warehouse.reference_dir if contract.location == "bundled" else Path(warehouse.landing_dir)
        files = source_files(contract, Path(warehouse.landing_dir), warehouse.reference_dir)
        mappings = load_mappings(Path(warehouse.mappings_dir)).get(contract.name, {})
        with warehouse.connect(context.run.run_id) as con:
            load = land_source(
                con, contract, files, key=warehouse.pseudonymisation_key(), run_id=context.run.run_id,
                loaded_at=datetime.now(timezone.utc).replace(tzinfo=None), label_root=root,
                full_refresh=is_full_refresh(context.run.tags), mappings=mappings,
                trusts_left=warehouse.trusts_left,
            )
        context.log.info(
            f"{contract.name}: {len(load.files)} file(s) landed ({load.rows_read} rows read, "
            f"{load.rows_landed} landed, {load.rows_quarantined} quarantined), {len(load.kept)} kept "
            f"unread, {len(load.withdrawn)} withdrawn, {len(load.duplicates)} duplicate(s)"
        )
        return MaterializeResult(metadata={
            "rows_read": load.rows_read,
            "rows_landed": load.rows_landed,
            "rows_quarantined": load.rows_quarantined,
            "quarantine_by_rule": MetadataValue.json(load.quarantine_by_rule),
            "file_count": len(load.files),
            "files": MetadataValue.json([vars(f) for f in load.files]),
            "files_kept": len(load.kept),
            "files_withdrawn": MetadataValue.json(load.withdrawn),
            "duplicate_files": MetadataValue.json(load.duplicates),
            "reloaded": load.reset,
            **candidate_metadata(context.run.run_id),
        })

    _land.__name__ = f"land_{contract.name}"
    return _land


def contract_expectations_check(contract: Contract):
    @asset_check(
        asset=asset_key(contract),
        name="contract_expectations",
        blocking=True,
        description=(f"Great Expectations suite generated from {contract.file_path.name}: column "
                     "expectations over the deliveries landed in the run, table expectations over every "
                     "current row (both on DuckDB profiles, in bounded batches)"),
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        # one connection for the whole check: opening the candidate reads its catalog (~70 ms)
        with warehouse.connect(context.run.run_id, read_only=True) as con:
            if (last := unchanged_since(con, contract, context.run.run_id)) is not None:
                return unchanged_result(contract, last)
            outcome = validate_table(con, contract, files_landed_in_run(con, contract, context.run.run_id))
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "expectations": len(outcome.outcomes),
                "failed": len(outcome.failures),
                "failures": MetadataValue.json([vars(f) for f in outcome.failures]),
                SAMPLE_KEY: MetadataValue.json(expectation_sample(outcome)),
            },
        )

    return _check


def unchanged_result(contract: Contract, last_run: str) -> AssetCheckResult:
    """A source this run left exactly as published (no delivery landed or withdrawn, same contract)
    is not read again: its tables passed this check in the run that last changed them."""
    return AssetCheckResult(
        passed=True, severity=AssetCheckSeverity.ERROR,
        description=f"{contract.name}: unchanged in this run; validated in run {last_run}, which last changed it",
        metadata={"unchanged_since_run": last_run},
    )


def expectation_sample(outcome: SuiteOutcome) -> list[dict]:
    """Per failed expectation: its column, how many values failed and GX's unexpected values
    (kept by validate() only for public and internal columns)."""
    return [{"expectation": f.kind, "column": f.column,
             "unexpected_count": f.observed.get("unexpected_count"),
             "unexpected_sample": f.observed.get("unexpected_sample", [])}
            for f in outcome.failures]


def offending_files(result: AccountingResult, contract: Contract) -> list[dict]:
    """The files whose rows do not add up or whose quarantined share is above the limit."""
    return [f for f in result.files
            if f["read"] != f["landed"] + f["quarantined"]
            or f["quarantined"] > contract.max_quarantine_ratio * f["read"]]


def row_accounting_check(contract: Contract):
    @asset_check(
        asset=asset_key(contract),
        name="row_accounting",
        blocking=True,
        description=(
            "Per file, rows read = rows landed + rows quarantined, and the quarantined share "
            f"is at most {contract.max_quarantine_ratio:.1%}"
        ),
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        with warehouse.connect(context.run.run_id, read_only=True) as con:
            if (last := unchanged_since(con, contract, context.run.run_id)) is not None:
                return unchanged_result(contract, last)
            result = check_row_accounting(con, contract)
        return AssetCheckResult(
            passed=result.passed,
            severity=AssetCheckSeverity.ERROR,
            description=result.message,
            metadata={"quarantine_ratio": result.quarantine_ratio, "files": MetadataValue.json(result.files),
                      SAMPLE_KEY: MetadataValue.json(offending_files(result, contract))},
        )

    return _check


def freshness_check(contract: Contract):
    """Every trust's newest delivery is within the contract's SLA (freshness.py); a late source warns,
    or blocks the publish when the contract says `staleness: blocking`."""
    @asset_check(
        asset=asset_key(contract),
        name="freshness",
        blocking=contract.sla.blocking,
        description=(f"Every trust's newest delivery of {contract.name} is at most {contract.sla} old "
                     f"(by file modification time); a late source "
                     f"{'blocks the publish' if contract.sla.blocking else 'is a warning'}"),
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        with warehouse.connect(context.run.run_id, read_only=True) as con:
            return freshness_result(con, contract, datetime.now(timezone.utc))

    return _check


def build_source_system(source_system: str) -> tuple[list[AssetsDefinition], list]:
    """Landing assets and checks for every contract of one source system."""
    contracts = [c for c in load_contracts().values() if c.source_system == source_system]
    if not contracts:
        raise ValueError(f"no contract in data_contracts/ has sourceSystem {source_system!r}")
    assets = [landing_asset(c) for c in contracts]
    checks = [check(c) for c in contracts for check in (contract_expectations_check, row_accounting_check)]
    checks += [freshness_check(c) for c in checked_contracts({c.name: c for c in contracts}).values()]
    return assets, checks
