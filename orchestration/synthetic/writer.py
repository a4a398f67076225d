"""Tables of text columns, and writing them as CSV files in the landing layout."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Table:
    """A source extract: its header (file column order) and one object array of text per column."""

    header: tuple[str, ...]
    columns: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        missing = set(self.header) ^ set(self.columns)
        if missing:
            raise ValueError(f"columns and header differ: {sorted(missing)}")
        self.columns = {name: np.asarray(self.columns[name], dtype=object) for name in self.header}
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns have different lengths {sorted(lengths)}")

    def __len__(self) -> int:
        return len(self.columns[self.header[0]])

    def take(self, rows: np.ndarray) -> "Table":
        return Table(self.header, {k: v[rows] for k, v in self.columns.items()})


def decimals(values: np.ndarray, places: int) -> np.ndarray:
    """Numbers as fixed-point text (NaN becomes blank); repeated values are formatted once."""
    values = np.round(np.asarray(values, dtype=float), places)
    unique, inverse = np.unique(values, return_inverse=True)
    text = np.array(["" if np.isnan(u) else f"{u:.{places}f}" for u in unique], dtype=object)
    return text[inverse.reshape(-1)] if values.size else np.array([], dtype=object)


def landing_path(out: Path, source: str, trust_code: str) -> Path:
    return out / source / f"{source}_{trust_code}.csv"


def write_table(table: Table, path: Path) -> int:
    """Write UTF-8 CSV with a header row; returns the number of data rows. The file is written
    beside the target and renamed over it: a file it replaces keeps its bytes (the warehouse's
    archive hard-links landed files), and a killed generator never leaves half a file to land."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writing = path.with_name(f".{path.name}.writing")  # not *.csv: landing never reads it
    try:
        with open(writing, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.header)
            writer.writerows(zip(*(table.columns[name] for name in table.header)))
        os.replace(writing, path)
    finally:
        writing.unlink(missing_ok=True)
    return len(table)
