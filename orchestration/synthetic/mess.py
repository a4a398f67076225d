"""Plant the data-quality defects trust extracts really have, and count them.

Two kinds of mess:
- cosmetic: lower-case codes and trailing spaces in coded columns. Landing compares codes after
  trimming and upper-casing, so these rows must land (not counted as defects);
- defects: exact duplicate rows, invalid codes and impossible dates. Each is planted on its own
  row, so every one of them makes landing quarantine exactly one row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from orchestration.synthetic.writer import Table

COSMETIC_RATE = 0.01  # of rows, per coded column
DUPLICATE = "duplicate_row"


@dataclass(frozen=True)
class Defect:
    """A kind of defect, how often it is planted, and how one row is broken."""

    kind: str
    rate: float  # expected share of rows
    breaks: Callable[[np.random.Generator, Table, np.ndarray], None] | None = None  # None: duplicate


def invalid_code(column: str, bad_values: tuple[str, ...]) -> Callable:
    """Replace a coded value by one the code list does not have."""
    def breaks(rng, table: Table, rows: np.ndarray) -> None:
        table.columns[column][rows] = np.array(bad_values, dtype=object)[rng.integers(0, len(bad_values), rows.size)]
    return breaks


def date_before(column: str, reference: str, fmt: str) -> Callable:
    """Set a date to 1 January of the year before another column's date (e.g. leaving before hire)."""
    def breaks(rng, table: Table, rows: np.ndarray) -> None:
        table.columns[column][rows] = [_first_of_year_before(v, fmt) for v in table.columns[reference][rows]]
    return breaks


def fixed_value(column: str, value: str) -> Callable:
    """Overwrite a column with a junk value (e.g. an incident dated 1900)."""
    def breaks(rng, table: Table, rows: np.ndarray) -> None:
        table.columns[column][rows] = value
    return breaks


def negated(column: str) -> Callable:
    def breaks(rng, table: Table, rows: np.ndarray) -> None:
        table.columns[column][rows] = ["-" + v for v in table.columns[column][rows]]
    return breaks


def _first_of_year_before(text: str, fmt: str) -> str:
    if fmt == "%d/%m/%Y":
        return f"01/01/{int(text[6:10]) - 1}"
    if fmt == "%Y-%m-%d":
        return f"{int(text[0:4]) - 1}-01-01"
    raise ValueError(f"unsupported date format {fmt}")


def make_messy(rng: np.random.Generator, table: Table, defects: tuple[Defect, ...],
               coded_columns: tuple[str, ...]) -> tuple[Table, dict[str, int]]:
    """Plant cosmetic noise and defects; returns the messy table and the count of each defect."""
    counts = {d.kind: _stochastic_round(rng, d.rate * len(table)) for d in defects}
    planted = _disjoint_rows(rng, len(table), counts)
    no_rows = np.array([], dtype=np.int64)
    _add_cosmetic_noise(rng, table, coded_columns, exclude=np.concatenate([no_rows, *planted.values()]))
    for defect in defects:
        if defect.breaks is not None:
            defect.breaks(rng, table, planted[defect.kind])
    duplicates = np.concatenate([no_rows, *(planted[d.kind] for d in defects if d.breaks is None)])
    order = np.sort(np.concatenate([np.arange(len(table)), duplicates]))  # each copy follows its original
    return table.take(order), {kind: int(rows.size) for kind, rows in planted.items()}


def _stochastic_round(rng, expected: float) -> int:
    whole = int(np.floor(expected))
    return whole + int(rng.random() < expected - whole)


def _disjoint_rows(rng, n: int, counts: dict[str, int]) -> dict[str, np.ndarray]:
    """Rows for each defect kind, no row used twice."""
    shuffled = rng.permutation(n)
    planted, used = {}, 0
    for kind, count in counts.items():
        count = min(count, n - used)
        planted[kind] = np.sort(shuffled[used:used + count]).astype(np.int64)
        used += count
    return planted


def _add_cosmetic_noise(rng, table: Table, columns: tuple[str, ...], exclude: np.ndarray) -> None:
    n = len(table)
    for column in columns:
        values = table.columns[column]
        hit = (rng.random(n) < COSMETIC_RATE) & (values != "")
        hit[exclude] = False
        rows = np.flatnonzero(hit)
        lower = rng.random(rows.size) < 0.5
        values[rows[lower]] = [v.lower() for v in values[rows[lower]]]
        values[rows[~lower]] = [v + " " * int(k) for v, k in
                                zip(values[rows[~lower]], rng.integers(1, 3, (~lower).sum()))]
