"""Deliveries: the extracts as the source systems showed them on a date, and monthly increments.

A trust's world is always simulated over the whole window (same seed, same window) and then cut,
so every view of it is a view of the same world.

**As at a date D** (`edi generate --as-at D`), each source shows what it would have shown on D:
- rows created after D are absent: assignment versions starting after D, pay snapshots dated
  after D, applications made after D, ER cases opened after D, incidents reported after D,
  training completed after D, ARCP reviews held and exams sat after D, and Staff Survey and
  NETS results not yet published (survey year Y is published on 7 March of Y+1,
  SURVEY_PUBLISHED; the real Staff Survey results come out in early March, the NETS date is
  assumed the same [NV]);
- later dates on the rows that remain are blank: an assignment version that ended after D is
  open, a termination after D (and its leaving reason) is not known yet; Trac stage dates after
  D are blank and "Stage Reached" is the last stage reached by D; an ER case's formal-stage
  start and closure after D are blank, and a case open on D shows the stage it had reached
  ("Informal" before its formal stage, then Investigation, Hearing, Outcome; an appeal is at
  "Appeal") and no outcome yet ("Ongoing" or blank).
As at the window end (31 March 2025 by default) nothing is cut: the view is the full extract.

**An increment for month M** (`edi generate --increment M`) holds, per trust and source, the rows
of the view as at the last day of M that are new or changed against the view as at the last day
of the month before, in `<source>/<source>_<code>_<YYYY-MM>.csv` (same header; no file when
nothing changed). An update — a version's end date set, an application moving on, a case
closing — is sent again under its primary key with the new values; rows never disappear.
Landing orders a source's deliveries by file name (the base `<source>_<code>.csv` sorts before
its increments, and months sort in order) and lets a later delivery's row supersede an earlier
one's for the same (organisation, primary key), so a base as at a month end plus every increment
after it up to the window end gives back the full extract, row for row.

The cut is made on the clean tables; mess (mess.py) is planted afterwards on each delivery, with
its own random stream: "mess:<source>" for a full refresh (so the view as at the window end is
byte-identical to the plain generation) and "mess:<source>:<YYYY-MM>" for an increment. Planted
duplicates are copies within one file, so landing quarantines exactly the planted defects of
each delivery, and no clean row is ever sent twice unchanged.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from orchestration.synthetic import er, esr, incidents, pay, recruitment, trainees, training
from orchestration.synthetic.dates import MISSING, Window, day, parse_days
from orchestration.synthetic.esr import work_emails
from orchestration.synthetic.extracts import Built, clean_extracts, plant_mess
from orchestration.synthetic.population import Population
from orchestration.synthetic.writer import Table

RngFor = Callable[[str], np.random.Generator]
SURVEY_PUBLISHED = (3, 7)  # (month, day) of the year after the survey year
# Stage date columns of Trac, each with the stage it records; a later one overrides an earlier one.
TRAC_STAGE_DATES = (("Shortlisting Date", "Shortlisted"), ("Interview Date", "Interviewed"),
                    ("Offer Date", "Offered"), ("Appointed Date", "Appointed"),
                    ("Withdrawn Date", "Withdrawn"))
ER_OPEN_PROGRESSION = ("Investigation", "Hearing", "Outcome")  # thirds of a formal case's course
ER_ONGOING_SHARE = 0.6  # open cases with outcome "Ongoing" (the others blank), as er.py draws them
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class View:
    """A clean extract as shown on a date: which of its rows exist by then, and every row's
    values then (rows not yet present are kept, aligned with the full table, but not shown)."""

    present: np.ndarray
    table: Table

    def rows(self) -> Table:
        return self.table.take(np.flatnonzero(self.present))


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def last_day(self) -> int:
        return day(date(self.year, self.month, calendar.monthrange(self.year, self.month)[1]))

    @property
    def day_before(self) -> int:
        """The last day of the previous month: the cut the increment is compared against."""
        return day(date(self.year, self.month, 1)) - 1


def as_at_day(as_at: date, window: Window) -> int:
    """The day number of a view's date, which must fall in the window."""
    if not window.start <= day(as_at) <= window.end:
        raise ValueError(f"as_at {as_at}: must fall in the extract window "
                         f"{_iso(window.start)} to {_iso(window.end)}")
    return day(as_at)


def parse_month(text: str, window: Window) -> Month:
    """An increment's month, YYYY-MM: from the window's second month to its last."""
    match = MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"increment {text!r}: expected a month as YYYY-MM, e.g. 2025-03")
    month = Month(int(match[1]), int(match[2]))
    if not window.start <= month.day_before < month.last_day <= window.end:
        raise ValueError(f"increment month {month}: must be a month after the first of the extract "
                         f"window {_iso(window.start)} to {_iso(window.end)}")
    return month


def increment_name(source: str, trust_code: str, month: Month) -> str:
    """Sorts after the trust's base file `<source>_<code>.csv` and before later months."""
    return f"{source}_{trust_code}_{month}.csv"


def full_refresh(pop: Population, rng_for: RngFor, cut: int | None,
                 defect_rate_scale: float = 1.0) -> Iterator[Built]:
    """Every extract of one trust, whole or as at the day `cut`, with its mess planted."""
    for source, table in clean_extracts(pop, rng_for):
        if cut is not None:
            table = view_as_at(source, table, cut, rng_for).rows()
        yield _deliver(source, table, pop, rng_for(f"mess:{source}"), defect_rate_scale)


def increment(pop: Population, rng_for: RngFor, month: Month,
              defect_rate_scale: float = 1.0) -> Iterator[Built]:
    """The rows of each extract of one trust that are new or changed in `month`, messy; sources
    with nothing new are skipped."""
    for source, table in clean_extracts(pop, rng_for):
        before = view_as_at(source, table, month.day_before, rng_for)
        after = view_as_at(source, table, month.last_day, rng_for)
        changed = np.flatnonzero(_new_or_changed(before, after))
        if changed.size:
            yield _deliver(source, after.table.take(changed), pop, rng_for(f"mess:{source}:{month}"),
                           defect_rate_scale)


def view_as_at(source: str, table: Table, cut: int, rng_for: RngFor) -> View:
    """A clean extract as its source system showed it at the end of day `cut`."""
    return AS_AT[source](table, cut, rng_for)


def survey_published(survey_year: int) -> int:
    return day(date(survey_year + 1, *SURVEY_PUBLISHED))


def _deliver(source: str, table: Table, pop: Population, rng: np.random.Generator,
             defect_rate_scale: float) -> Built:
    unmatched = _unmatched_staff(table, pop) if source == "datix_incident" else 0
    built = plant_mess(source, table, rng, defect_rate_scale)
    built.unmatched_staff = unmatched
    return built


def _new_or_changed(before: View, after: View) -> np.ndarray:
    if (before.present & ~after.present).any():
        raise RuntimeError("a later view lost rows: deliveries only add or update rows")
    changed = after.present & ~before.present
    for name in after.table.header:
        old, new = before.table.columns[name], after.table.columns[name]
        if old is not new:  # columns the cut leaves alone are the clean table's own arrays
            changed |= after.present & (old != new)
    return changed


def _unmatched_staff(table: Table, pop: Population) -> int:
    """Incident rows whose staff number or e-mail matches nobody on the trust's ESR."""
    numbers = set(pop.staff.employee_number.astype(str))
    emails = set(work_emails(pop.staff.employee_number))
    return sum(bool(n and n not in numbers or e and e.lower() not in emails)
               for n, e in zip(table.columns["Staff Employee Number"], table.columns["Staff Email"]))


# --- Each source as at a date ------------------------------------------------------------------


def _dated_by(table: Table, column: str, fmt: str, cut: int) -> np.ndarray:
    """Rows whose date in `column` is on or before the cut."""
    return parse_days(table.columns[column], fmt) <= cut


def _blank_after(table: Table, column: str, fmt: str, cut: int) -> tuple[np.ndarray, np.ndarray]:
    """The column with its dates after the cut blanked, and which rows were blanked."""
    later = parse_days(table.columns[column], fmt) > cut
    return np.where(later, "", table.columns[column]).astype(object), later


def _esr_assignment(table: Table, cut: int, rng_for: RngFor) -> View:
    fmt = esr.DATE_FORMAT
    columns = dict(table.columns)
    columns["Effective End Date"], _ = _blank_after(table, "Effective End Date", fmt, cut)
    columns["Termination Date"], leaves_later = _blank_after(table, "Termination Date", fmt, cut)
    columns["Leaving Reason"] = np.where(leaves_later, "", table.columns["Leaving Reason"]).astype(object)
    return View(_dated_by(table, "Effective Start Date", fmt, cut), Table(table.header, columns))


def _trac_application(table: Table, cut: int, rng_for: RngFor) -> View:
    fmt = recruitment.DATE_FORMAT
    columns = dict(table.columns)
    stage = np.full(len(table), "Applied", dtype=object)
    moved_on = np.zeros(len(table), dtype=bool)
    for column, reached in TRAC_STAGE_DATES:
        columns[column], later = _blank_after(table, column, fmt, cut)
        moved_on |= later
        stage[columns[column] != ""] = reached
    columns["Stage Reached"] = np.where(moved_on, stage, table.columns["Stage Reached"]).astype(object)
    return View(_dated_by(table, "Application Date", fmt, cut), Table(table.header, columns))


def _er_case(table: Table, cut: int, rng_for: RngFor) -> View:
    fmt = er.DATE_FORMAT
    columns = dict(table.columns)
    columns["Formal Stage Start Date"], formal_later = _blank_after(table, "Formal Stage Start Date", fmt, cut)
    columns["Date Closed"], closes_later = _blank_after(table, "Date Closed", fmt, cut)
    stage, outcome = _open_case_state(table, parse_days(columns["Formal Stage Start Date"], fmt), cut,
                                      rng_for("as_at:er_case").random(len(table)))
    still_open = formal_later | closes_later
    columns["Stage"] = np.where(still_open, stage, table.columns["Stage"]).astype(object)
    columns["Outcome"] = np.where(still_open, outcome, table.columns["Outcome"]).astype(object)
    return View(_dated_by(table, "Date Opened", fmt, cut), Table(table.header, columns))


def _open_case_state(table: Table, formal: np.ndarray, cut: int, draw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stage and outcome of every case were it open on the cut day.

    A case that is still open at the window end keeps the open stage and outcome the extract
    gives it (once formal); one that closes later is part-way through its formal course.
    """
    closed = parse_days(table.columns["Date Closed"], er.DATE_FORMAT)
    closes = closed != MISSING
    progress = (cut - formal) / np.maximum(closed - formal, 1)
    steps = np.array(ER_OPEN_PROGRESSION, dtype=object)
    underway = steps[np.clip((progress * steps.size).astype(np.int64), 0, steps.size - 1)]
    appeal = np.isin(table.columns["Case Type"], list(er.APPEAL_LABELS))
    formal_stage = np.where(closes, np.where(appeal, "Appeal", underway), table.columns["Stage"])
    stage = np.where(formal == MISSING, "Informal", formal_stage)
    outcome = np.where(closes, np.where(draw < ER_ONGOING_SHARE, "Ongoing", ""), table.columns["Outcome"])
    return stage, outcome


def _rows_dated_by(column: str, fmt: str) -> Callable[[Table, int, RngFor], View]:
    """A source that only ever adds rows: a row exists from the date in `column`."""
    def view(table: Table, cut: int, rng_for: RngFor) -> View:
        return View(_dated_by(table, column, fmt, cut), table)
    return view


def _published_survey(table: Table, cut: int, rng_for: RngFor) -> View:
    """A survey's rows appear when its year's results are published."""
    published = {year: survey_published(int(year)) <= cut for year in set(table.columns["Survey Year"])}
    present = np.fromiter((published[y] for y in table.columns["Survey Year"]), dtype=bool, count=len(table))
    return View(present, table)


AS_AT: dict[str, Callable[[Table, int, RngFor], View]] = {
    "esr_assignment": _esr_assignment,
    "esr_pay": _rows_dated_by("Snapshot Date", pay.DATE_FORMAT),
    "trac_application": _trac_application,
    "er_case": _er_case,
    "datix_incident": _rows_dated_by("Reported Date", incidents.DATE_FORMAT),
    "training_record": _rows_dated_by("Completion Date", training.DATE_FORMAT),
    "staff_survey_result": _published_survey,
    "arcp_outcome": _rows_dated_by("Review Date", trainees.DATE_FORMAT),
    "exam_attempt": _rows_dated_by("Exam Date", trainees.DATE_FORMAT),
    "nets_result": _published_survey,
}


def _iso(day_number: int) -> str:
    return str(np.datetime64(day_number, "D"))
