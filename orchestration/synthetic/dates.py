"""Dates as integer day numbers (days since 1970-01-01), and fast formatting of them.

Everything in the generator works on int64 day numbers so that date arithmetic stays vectorised;
formatting goes through a cached lookup table instead of per-value strftime calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np

MISSING = np.int64(-(2**40))  # a day number meaning "no date" (written as a blank)
_TABLE_FIRST = date(1900, 1, 1)
_TABLE_LAST = date(2100, 12, 31)


def day(value: date) -> int:
    """The day number of a date."""
    return (value - date(1970, 1, 1)).days


@dataclass(frozen=True)
class Window:
    """The financial years an extract covers: 1 April (end_year - years) to 31 March end_year."""

    end_year: int = 2025
    years: int = 4

    @property
    def start(self) -> int:
        return day(date(self.end_year - self.years, 4, 1))

    @property
    def end(self) -> int:
        return day(date(self.end_year, 3, 31))

    @property
    def fy_ends(self) -> list[int]:
        """Day numbers of each financial year's last day (the 31 March snapshots), oldest first."""
        return [day(date(y, 3, 31)) for y in range(self.end_year - self.years + 1, self.end_year + 1)]

    @property
    def fy_end_years(self) -> list[int]:
        return list(range(self.end_year - self.years + 1, self.end_year + 1))

    def fy_start(self, fy_end_year: int) -> int:
        return day(date(fy_end_year - 1, 4, 1))


def august_changeovers(window: Window) -> np.ndarray:
    """First Wednesday of August in each calendar year of the window: when doctors in training rotate."""
    days = []
    for year in range(window.end_year - window.years, window.end_year + 1):
        first = date(year, 8, 1)
        days.append(day(first) + (2 - first.weekday()) % 7)
    return np.array(days, dtype=np.int64)


@cache
def _table(fmt: str) -> np.ndarray:
    first, last = day(_TABLE_FIRST), day(_TABLE_LAST)
    iso = np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]"))
    if fmt == "%Y-%m-%d":
        return iso.astype(object)
    if fmt == "%d/%m/%Y":
        return np.array([f"{s[8:10]}/{s[5:7]}/{s[0:4]}" for s in iso], dtype=object)
    raise ValueError(f"unsupported date format {fmt}")


def format_days(days: np.ndarray, fmt: str) -> np.ndarray:
    """Format day numbers as text; MISSING becomes an empty string."""
    days = np.asarray(days, dtype=np.int64)
    table = _table(fmt)
    offset = day(_TABLE_FIRST)
    present = days != MISSING
    out = np.full(days.shape, "", dtype=object)
    out[present] = table[days[present] - offset]
    return out


@cache
def _day_of_text(fmt: str) -> dict[str, int]:
    offset = day(_TABLE_FIRST)
    return {"": int(MISSING), **{text: offset + i for i, text in enumerate(_table(fmt))}}


def parse_days(text: np.ndarray, fmt: str) -> np.ndarray:
    """Day numbers of dates formatted by format_days (a blank becomes MISSING)."""
    lookup = _day_of_text(fmt)
    return np.fromiter((lookup[t] for t in text), dtype=np.int64, count=len(text))


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def uniform_days(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """One day drawn uniformly from each inclusive interval [start, end]."""
    start = np.asarray(start, dtype=np.int64)
    span = np.asarray(end, dtype=np.int64) - start + 1
    return start + (rng.random(start.shape) * span).astype(np.int64)
