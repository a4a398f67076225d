"""Seeded generator of synthetic trust extracts (the demo and test landing data).

    report = generate(trusts=3, seed=42, out=Path("landing"))

writes `out/<source>/<source>_<ODS code>.csv` for the ten trust sources of data_contracts/,
for the first `trusts` trusts of a fixed order of real open English trusts (trust 1 is a
mid-size acute trust; types are mixed as N grows). Every trust has its own random streams,
derived from (seed, trust code, step), so a trust's files are byte-identical whatever N is.
PLANTED_EFFECTS lists the disparities planted in the data, for tests to recover.

To simulate nights (deliveries.py explains the rules):

    generate(3, 42, out, as_at=date(2025, 2, 28))   # a full refresh as the systems stood that day
    generate_increment(3, 42, out, "2025-03")        # + <source>_<code>_2025-03.csv: March's news
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Collection

import numpy as np

from orchestration.synthetic import deliveries
from orchestration.synthetic.dates import Window, day
from orchestration.synthetic.effects import PLANTED_EFFECTS
from orchestration.synthetic.esr import as_local_report
from orchestration.synthetic.extracts import SOURCES, Built
from orchestration.synthetic.population import Population, build_population
from orchestration.synthetic.trusts import TrustProfile, select_trusts
from orchestration.synthetic.writer import landing_path, write_table

__all__ = ["PLANTED_EFFECTS", "SOURCES", "GenerationReport", "generate", "generate_increment"]


@dataclass
class GenerationReport:
    """What was written. File keys are paths relative to the output directory (POSIX style)."""

    trusts: list[str]
    rows: dict[str, int] = field(default_factory=dict)  # file → data rows (header excluded)
    defects: dict[str, dict[str, int]] = field(default_factory=dict)  # file → kind → rows planted
    unmatched_staff: dict[str, int] = field(default_factory=dict)  # datix file → rows matching nobody
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def rows_by_source(self) -> dict[str, int]:
        totals = dict.fromkeys(SOURCES, 0)
        for path, rows in self.rows.items():
            totals[path.split("/")[0]] += rows
        return totals

    def quarantine_expected(self, path: str) -> int:
        """Rows of a file that landing must quarantine: one per planted defect."""
        return sum(self.defects.get(path, {}).values())


def generate(trusts: int, seed: int, out: Path, end_year: int = 2025, as_at: date | None = None,
             *, years: int = Window.years, defect_rate_scale: float = 1.0,
             local_esr: Collection[str] = ()) -> GenerationReport:
    """Write the extracts of `trusts` trusts covering `years` financial years to 31 March `end_year`,
    as the source systems showed them on `as_at` (default: the window end), replacing any
    earlier extracts and increments in `out`.

    `defect_rate_scale` multiplies the planted defect rates (0: none, for row-for-row tests).
    The trusts of `local_esr` (ODS codes) write their ESR assignment report with local headings and
    sex labels (esr.as_local_report), as a real trust's export may.
    """
    started = time.perf_counter()
    out = Path(out)
    window = _window(end_year, years)
    cut = None if as_at is None else deliveries.as_at_day(as_at, window)
    profiles = select_trusts(trusts)
    _check_local_esr(local_esr, profiles)
    _remove_previous_extracts(out)
    report = GenerationReport(trusts=[p.code for p in profiles])
    for profile in profiles:
        population, rng_for = _simulate(profile, seed, window)
        for built in deliveries.full_refresh(population, rng_for, cut, defect_rate_scale):
            _write(built, landing_path(out, built.source, profile.code), out, report,
                   local=profile.code in local_esr)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def generate_increment(trusts: int, seed: int, out: Path, month: str, end_year: int = 2025,
                       *, years: int = Window.years, defect_rate_scale: float = 1.0,
                       local_esr: Collection[str] = ()) -> GenerationReport:
    """Add the monthly increment `month` (YYYY-MM) of the same world to `out`: per trust and source,
    the rows new or changed in that month, as `<source>/<source>_<code>_<YYYY-MM>.csv`."""
    started = time.perf_counter()
    out = Path(out)
    window = _window(end_year, years)
    parsed = deliveries.parse_month(month, window)
    profiles = select_trusts(trusts)
    _check_local_esr(local_esr, profiles)
    report = GenerationReport(trusts=[p.code for p in profiles])
    for profile in profiles:
        population, rng_for = _simulate(profile, seed, window)
        for built in deliveries.increment(population, rng_for, parsed, defect_rate_scale):
            path = out / built.source / deliveries.increment_name(built.source, profile.code, parsed)
            _write(built, path, out, report, local=profile.code in local_esr)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _window(end_year: int, years: int) -> Window:
    if years < 1:
        raise ValueError(f"years {years}: an extract covers at least one financial year")
    window = Window(end_year=end_year, years=years)
    if window.end > day(date.today()):
        raise ValueError(f"end_year {end_year}: an extract cannot cover days after today")
    return window


def _simulate(profile: TrustProfile, seed: int, window: Window) -> tuple[Population, deliveries.RngFor]:
    """A trust's population and its random streams: the whole world every view is cut from."""
    def rng_for(step: str) -> np.random.Generator:
        key = (int.from_bytes(profile.code.encode(), "big"), zlib.crc32(step.encode()))
        return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))

    return build_population(rng_for("population"), profile, window), rng_for


def _check_local_esr(codes: Collection[str], profiles: list[TrustProfile]) -> None:
    unknown = set(codes) - {p.code for p in profiles}
    if unknown:
        raise ValueError(f"--local-esr {', '.join(sorted(unknown))}: not among the generated trusts "
                         f"({', '.join(p.code for p in profiles)})")


def _write(built: Built, path: Path, out: Path, report: GenerationReport, local: bool = False) -> None:
    name = path.relative_to(out).as_posix()
    table = as_local_report(built.table) if local and built.source == "esr_assignment" else built.table
    report.rows[name] = write_table(table, path)
    report.defects[name] = built.defects
    if built.source == "datix_incident":
        report.unmatched_staff[name] = built.unmatched_staff


def _remove_previous_extracts(out: Path) -> None:
    """Old generated files would otherwise be landed alongside the new ones."""
    for source in SOURCES:
        for path in (out / source).glob(f"{source}_*.csv"):
            path.unlink()
