"""Great Expectations suites derived from the contracts, run against the landed raw tables.

GX Core 1.x cannot validate DuckDB through SQLAlchemy (every expectation fails whatever the data),
so the landed table is read into pandas through a read-only DuckDB connection and validated with
an ephemeral context. Values are presented to GX the way the landing rules compare them: text
trimmed, code columns upper-cased.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from orchestration.quality.contracts import Column, Contract
from orchestration.quality.landing import RAW_SCHEMA

METADATA_COLUMNS = ("_source_file", "_source_sha256", "_row_number", "_loaded_at")
HMAC_HEX = r"^[0-9a-f]{64}$"


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation as plain data: GX class name and its keyword arguments."""

    kind: str
    kwargs: dict[str, Any]

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


@dataclass
class ExpectationOutcome:
    kind: str
    column: str | None
    success: bool
    observed: dict[str, Any] = field(default_factory=dict)


@dataclass
class SuiteOutcome:
    source: str
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def _bound(col: Column, value: Any) -> Any:
    """Bounds of temporal columns as pandas timestamps: GX compares them with the column's."""
    if value is None or not col.is_temporal:
        return value
    import pandas as pd

    return pd.Timestamp(date.today() if value == "today" else str(value))


def column_expectations(col: Column) -> list[ExpectationSpec]:
    specs = []
    if col.required:
        specs.append(ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": col.name}))
    if col.pseudonymise:
        specs.append(ExpectationSpec("ExpectColumnValuesToMatchRegex", {"column": col.name, "regex": HMAC_HEX}))
    elif col.pattern:
        specs.append(ExpectationSpec("ExpectColumnValuesToMatchRegex", {"column": col.name, "regex": col.pattern}))
    if col.valid_values:
        values = sorted({v.strip().upper() for v in col.valid_values})
        specs.append(ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": col.name, "value_set": values}))
    # A number carried as text (castTo) lands as text: its bounds are checked by landing only.
    if (col.minimum is not None or col.maximum is not None) and col.landing_type != "VARCHAR":
        specs.append(ExpectationSpec("ExpectColumnValuesToBeBetween", {
            "column": col.name, "min_value": _bound(col, col.minimum), "max_value": _bound(col, col.maximum),
        }))
    return specs


def expectation_specs(contract: Contract) -> list[ExpectationSpec]:
    """The whole suite for one contract, as data (so it can be tested without GX)."""
    specs = [
        ExpectationSpec("ExpectTableColumnsToMatchOrderedList", {
            "column_list": [c.name for c in contract.columns] + list(METADATA_COLUMNS),
        }),
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": contract.min_rows}),
    ]
    key = contract.primary_key
    if len(key) == 1:
        specs.append(ExpectationSpec("ExpectColumnValuesToBeUnique", {"column": key[0]}))
    elif key:
        specs.append(ExpectationSpec("ExpectCompoundColumnsToBeUnique", {"column_list": list(key)}))
    for col in contract.columns:
        specs.extend(column_expectations(col))
    return specs


def _select_as_compared(col: Column) -> str:
    name = f'"{col.name}"'
    if col.landing_type != "VARCHAR" or col.pseudonymise:
        return name
    if col.valid_values:
        return f"upper(trim({name})) as {name}"
    return f"trim({name}) as {name}"


def read_landed(db_path: Path, contract: Contract):
    """The landed table as a DataFrame, read through a short-lived read-only connection."""
    columns = ", ".join([_select_as_compared(c) for c in contract.columns] + list(METADATA_COLUMNS))
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f"select {columns} from {RAW_SCHEMA}.{contract.table}").df()


def _quiet_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # never phone home, whoever runs us
    import great_expectations as gx  # imported here: it costs seconds at code-location load
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return gx, context


def _observed(item, col: Column | None) -> dict[str, Any]:
    result = item.result or {}
    keep = {k: result[k] for k in ("observed_value", "element_count", "unexpected_count",
                                    "unexpected_percent") if k in result}
    if col is not None and col.classification in {"public", "internal"}:
        keep["unexpected_sample"] = result.get("partial_unexpected_list", [])[:10]
    # exception_info is either flat or keyed by the metric that raised
    info = item.exception_info or {}
    nested = [v for v in info.values() if isinstance(v, dict)]
    messages = [m for m in [info.get("exception_message")] + [v.get("exception_message") for v in nested] if m]
    if messages:
        keep["exception"] = messages[0]
    return keep


def validate(frame, contract: Contract) -> SuiteOutcome:
    """Run the contract's suite over a DataFrame of the landed table."""
    gx, context = _quiet_context()
    source = context.data_sources.add_pandas(f"raw_{contract.name}")
    batch = source.add_dataframe_asset(contract.name).add_batch_definition_whole_dataframe(
        "landed"
    ).get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(name=f"{contract.name}__contract_v{contract.version}")
    specs = expectation_specs(contract)
    for spec in specs:
        suite.add_expectation(getattr(gx.expectations, spec.kind)(**spec.kwargs))
    result = batch.validate(suite)
    names = {c.name: c for c in contract.columns}
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        column = config.kwargs.get("column")
        outcomes.append(ExpectationOutcome(
            kind=config.type, column=column, success=bool(item.success),
            observed=_observed(item, names.get(column)),
        ))
    return SuiteOutcome(contract.name, outcomes)


def validate_landed(db_path: Path, contract: Contract) -> SuiteOutcome:
    return validate(read_landed(db_path, contract), contract)
