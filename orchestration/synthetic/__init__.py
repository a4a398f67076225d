"""Seeded generator of synthetic trust extracts (the demo and test landing data).

    report = generate(trusts=3, seed=42, out=Path("landing"))

writes `out/<source>/<source>_<ODS code>.csv` for the seven trust sources of data_contracts/,
for the first `trusts` trusts of a fixed order of real open English trusts (trust 1 is a
mid-size acute trust; types are mixed as N grows). Every trust has its own random streams,
derived from (seed, trust code, step), so a trust's files are byte-identical whatever N is.
PLANTED_EFFECTS lists the disparities planted in the data, for tests to recover.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from orchestration.synthetic.dates import Window, day
from orchestration.synthetic.effects import PLANTED_EFFECTS
from orchestration.synthetic.extracts import SOURCES, build_extracts
from orchestration.synthetic.population import build_population
from orchestration.synthetic.trusts import TrustProfile, select_trusts
from orchestration.synthetic.writer import landing_path, write_table

__all__ = ["PLANTED_EFFECTS", "SOURCES", "GenerationReport", "generate"]


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


def generate(trusts: int, seed: int, out: Path, end_year: int = 2025) -> GenerationReport:
    """Write the extracts of `trusts` trusts covering the four financial years to 31 March `end_year`."""
    started = time.perf_counter()
    out = Path(out)
    window = Window(end_year=end_year)
    if window.end > day(date.today()):
        raise ValueError(f"end_year {end_year}: an extract cannot cover days after today")
    profiles = select_trusts(trusts)
    _remove_previous_extracts(out)
    report = GenerationReport(trusts=[p.code for p in profiles])
    for profile in profiles:
        _generate_trust(profile, seed, window, out, report)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _generate_trust(profile: TrustProfile, seed: int, window: Window, out: Path,
                    report: GenerationReport) -> None:
    def rng_for(step: str) -> np.random.Generator:
        key = (int.from_bytes(profile.code.encode(), "big"), zlib.crc32(step.encode()))
        return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=key))

    population = build_population(rng_for("population"), profile, window)
    for built in build_extracts(population, rng_for):
        path = landing_path(out, built.source, profile.code)
        name = path.relative_to(out).as_posix()
        report.rows[name] = write_table(built.table, path)
        report.defects[name] = built.defects
        if built.source == "datix_incident":
            report.unmatched_staff[name] = built.unmatched_staff


def _remove_previous_extracts(out: Path) -> None:
    """Old generated files would otherwise be landed alongside the new ones."""
    for source in SOURCES:
        for path in (out / source).glob(f"{source}_*.csv"):
            path.unlink()
