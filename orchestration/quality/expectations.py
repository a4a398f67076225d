"""Great Expectations suites derived from the contracts, run against the landed raw tables.

GX stays the gate, but never sees a whole table: memory must not grow with the data. GX Core 1.x
cannot validate DuckDB through SQLAlchemy, so DuckDB first reduces the landed rows to small frames
and GX validates those, batch by batch:

- per contract column, the distinct values (as landing compares them: text trimmed, codes
  upper-cased) of the rows landed in this run, with how many rows hold each, streamed in frames of
  at most BATCH_ROWS values. Not-null, regex, in-set and between expectations hold for the rows
  exactly when they hold for their distinct values; a delivery landed by an earlier run was
  validated then and is not read again.
- per table, over every current row: the columns (an empty frame with the table's columns), the row
  count, and the keys held by more than one current row (an empty frame when the key is unique).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from orchestration.quality.contracts import Column, Contract
from orchestration.quality.landing import RAW_SCHEMA

METADATA_COLUMNS = ("_source_file", "_source_sha256", "_row_number", "_loaded_at")
HMAC_HEX = r"^[0-9a-f]{64}$"
BATCH_ROWS = 100 * 2048  # distinct values per GX batch (DuckDB hands results over in 2048-row vectors)
ROW_COUNT = "row_count"
ROWS_PER_KEY = "rows_per_key"


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


def table_expectations(contract: Contract) -> list[ExpectationSpec]:
    """Expectations on the whole current table, each evaluated over a SQL aggregate of it."""
    return [
        ExpectationSpec("ExpectTableColumnsToMatchOrderedList", {
            "column_list": [c.name for c in contract.columns] + list(METADATA_COLUMNS),
        }),
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": ROW_COUNT, "min_value": contract.min_rows}),
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": ROWS_PER_KEY, "max_value": 1}),
    ]


def expectation_specs(contract: Contract) -> list[ExpectationSpec]:
    """The whole suite for one contract, as data (so it can be tested without GX)."""
    specs = table_expectations(contract)
    if not contract.primary_key:
        specs = specs[:-1]
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


@dataclass
class Profile:
    """One GX batch: a small frame computed by DuckDB and the expectations that apply to it."""

    frame: Any  # pandas.DataFrame
    specs: list[ExpectationSpec]


def _table(contract: Contract) -> str:
    return f"{RAW_SCHEMA}.{contract.table}"


def _key_sql(contract: Contract) -> list[str]:
    """The key that must be unique among current rows: organisation and primary key."""
    from orchestration.quality.supersession import landed_key_sql

    keys = [landed_key_sql(contract.column(name)) for name in contract.primary_key]
    if contract.organisation_column:
        keys.insert(0, f'upper(trim("{contract.organisation_column}"))')
    return keys


def table_profiles(con: duckdb.DuckDBPyConnection, contract: Contract) -> Iterator[Profile]:
    columns, rows, keys = table_expectations(contract)
    yield Profile(con.execute(f"select * from {_table(contract)} limit 0").df(), [columns])
    yield Profile(con.execute(f"select count(*) as {ROW_COUNT} from {_table(contract)}").df(), [rows])
    if contract.primary_key:
        key = ", ".join(_key_sql(contract))
        yield Profile(con.execute(
            f"select count(*) as {ROWS_PER_KEY} from {_table(contract)} group by {key} "
            f"having count(*) > 1 limit {BATCH_ROWS}").df(), [keys])


def column_profiles(con: duckdb.DuckDBPyConnection, contract: Contract, files: list[str] | None) -> Iterator[Profile]:
    """Distinct values of each checked column over the rows of `files` (None: every row)."""
    where = "" if files is None else "where list_contains($files, _source_file)"
    present = set(con.execute(f"select * from {_table(contract)} limit 0").df().columns)
    for col in contract.columns:
        specs = column_expectations(col)
        if not specs or col.name not in present:  # a missing column fails the column-list expectation
            continue
        result = con.execute(
            f"""select "{col.name}", count(*) as _rows
                from (select {_select_as_compared(col)} from {_table(contract)} {where}) group by 1""",
            {} if files is None else {"files": files})
        while True:
            frame = result.fetch_df_chunk(BATCH_ROWS // 2048)
            if frame.empty:
                break
            yield Profile(frame, specs)


def _quiet_context():
    # The pinned Great Expectations (1.24) ships no usage-statistics client; GX_ANALYTICS_ENABLED=false is
    # still exported by the Makefile, should a later version bring one back.
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


def validate(profiles: Iterator[Profile], contract: Contract) -> SuiteOutcome:
    """Run the contract's expectations over each profile in turn; one outcome per expectation, its
    unexpected counts summed over batches (for column checks they count distinct values)."""
    gx, context = _quiet_context()
    definition = context.data_sources.add_pandas(f"raw_{contract.name}").add_dataframe_asset(
        contract.name).add_batch_definition_whole_dataframe("profile")
    names = {c.name: c for c in contract.columns}
    outcomes: dict[tuple[str, str | None], ExpectationOutcome] = {}
    for index, profile in enumerate(profiles):
        suite = gx.ExpectationSuite(name=f"{contract.name}__contract_v{contract.version}__{index}")
        for spec in profile.specs:
            suite.add_expectation(getattr(gx.expectations, spec.kind)(**spec.kwargs))
        result = definition.get_batch(batch_parameters={"dataframe": profile.frame}).validate(suite)
        for item in result.results:
            config = item.expectation_config
            column = config.kwargs.get("column")
            _merge(outcomes, ExpectationOutcome(kind=config.type, column=column, success=bool(item.success),
                                                observed=_observed(item, names.get(column))))
    return SuiteOutcome(contract.name, list(outcomes.values()))


def _merge(outcomes: dict, outcome: ExpectationOutcome) -> None:
    key = (outcome.kind, outcome.column)
    seen = outcomes.get(key)
    if seen is None:
        outcomes[key] = outcome
        return
    seen.success = seen.success and outcome.success
    for name in ("element_count", "unexpected_count"):
        if name in outcome.observed:
            seen.observed[name] = seen.observed.get(name, 0) + outcome.observed[name]
    sample = seen.observed.get("unexpected_sample", []) + outcome.observed.get("unexpected_sample", [])
    if "unexpected_sample" in seen.observed:
        seen.observed["unexpected_sample"] = sample[:10]


def validate_table(con: duckdb.DuckDBPyConnection, contract: Contract, files: list[str] | None) -> SuiteOutcome:
    """The whole suite: table expectations over every current row, column expectations over the
    rows of `files` (the deliveries landed in this run; None for every row)."""
    def profiles() -> Iterator[Profile]:
        yield from table_profiles(con, contract)
        yield from column_profiles(con, contract, files)

    return validate(profiles(), contract)

