"""Samples of what a failed check found, for the run history: identifiers and codes only.

A failing dbt test's own query is re-run (read-only, a few rows) and only columns whose names
mark them as keys, codes or counts are kept, so a sample can point at the failing rows without
carrying a person's attributes (names and e-mails never exist after staging anyway).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from dagster import AssetCheckResult, MetadataValue

# Checks put a sample of what failed under this metadata key; the run history keeps it.
SAMPLE_KEY = "failing_rows_sample"
SAMPLE_ROWS = 5
# dbt's generic tests return unique_field / value_field / from_field and n_records; this
# project's tests return *_key, *_code, *_id, source_column, raw_value and n_rows.
SAFE_COLUMN = re.compile(r"(^|_)(key|code|id|field|column|records|rows|failures)$|^raw_value$")


def _plain(value):
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    return value


def safe_rows(columns: list[str], rows: list[tuple]) -> list[dict]:
    """The rows with only their identifier, code and count columns."""
    keep = [i for i, name in enumerate(columns) if SAFE_COLUMN.search(name.lower())]
    return [{columns[i]: _plain(row[i]) for i in keep} for row in rows]


def _first_line(message: str) -> str:
    """An error's summary line: the detail lines may quote data."""
    return message.strip().splitlines()[0][:300]


def dbt_test_sample(db_path: Path, compiled_sql: str) -> list[dict]:
    """A few failing rows of a dbt test, re-running its compiled query against the run's
    candidate. The query is dbt's own compiled test; the row limit is applied by the relation API."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        relation = con.sql(compiled_sql).limit(SAMPLE_ROWS)
        return safe_rows(relation.columns, relation.fetchall())


def dbt_failure_samples(run_results: dict, unique_ids: set[str], db_path: Path) -> dict[str, list[dict]]:
    """unique_id -> sample for the given failed tests, from dbt's run_results.json."""
    samples = {}
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        if unique_id not in unique_ids:
            continue
        if result.get("status") == "error" or not result.get("compiled_code"):
            samples[unique_id] = [{"error": _first_line(result.get("message") or "no compiled query")}]
            continue
        try:
            samples[unique_id] = dbt_test_sample(db_path, result["compiled_code"])
        except duckdb.Error as error:
            samples[unique_id] = [{"error": _first_line(str(error))}]
    return samples


def _metadata_text(event: AssetCheckResult, name: str) -> str | None:
    value = event.metadata.get(name)
    return getattr(value, "value", value)


def with_failing_samples(failed: list[AssetCheckResult], invocation, candidate: Path):
    """The failed test results of a finished dbt invocation (dagster-dbt's DbtCliInvocation), each
    with a sample of its failing rows."""
    if not failed:
        return
    run_results_path = invocation.target_path / "run_results.json"
    run_results = invocation.get_artifact("run_results.json") if run_results_path.exists() else {}
    ids = {_metadata_text(e, "unique_id") for e in failed}
    samples = dbt_failure_samples(run_results, ids, candidate)
    for event in failed:
        sample = samples.get(_metadata_text(event, "unique_id"), [])
        yield event._replace(metadata={**event.metadata, SAMPLE_KEY: MetadataValue.json(sample)})
