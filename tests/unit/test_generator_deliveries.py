"""Deliveries of the synthetic extracts: views as at a date, and monthly increments.

The key property: a full refresh as at D1 plus every monthly increment up to the window end,
combined the way landing combines deliveries (files of a source in name order, a later file's
row superseding an earlier one's for the same organisation and primary key), gives back exactly
the full generation. It is checked on clean output (no planted defects; cosmetic case and
trailing-space noise is trimmed off), for one trust over the last four months of the window.
"""

from __future__ import annotations

import csv
import filecmp
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing import land_source, source_files
from orchestration.synthetic import SOURCES, generate, generate_increment

SEED = 20240331
BASE_AS_AT = date(2024, 11, 30)
MONTHS = ("2024-12", "2025-01", "2025-02", "2025-03")
MONTH_ENDS = {"2024-12": date(2024, 12, 31), "2025-01": date(2025, 1, 31),
              "2025-02": date(2025, 2, 28), "2025-03": date(2025, 3, 31)}
UPDATED_SOURCES = ("esr_assignment", "trac_application", "er_case")  # records that change later
CREATED_ON = {  # the column dating a record's first appearance in its source system
    "esr_assignment": "Effective Start Date", "esr_pay": "Snapshot Date",
    "trac_application": "Application Date", "er_case": "Date Opened",
    "datix_incident": "Reported Date", "training_record": "Completion Date",
    "arcp_outcome": "Review Date", "exam_attempt": "Exam Date",
}
CHANGED_BY_THE_CUT = {  # columns a view as at a date may show differently from the full extract
    "esr_assignment": {"Effective End Date", "Termination Date", "Leaving Reason"},
    "trac_application": {"Shortlisting Date", "Interview Date", "Offer Date", "Appointed Date",
                         "Withdrawn Date", "Stage Reached"},
    "er_case": {"Formal Stage Start Date", "Date Closed", "Stage", "Outcome"},
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """One trust without planted defects: a base as at BASE_AS_AT plus the increments up to the
    window end in one landing folder, and the full generation in another."""
    landing = tmp_path_factory.mktemp("deliveries")
    reports = [generate(1, SEED, landing, as_at=BASE_AS_AT, defect_rate_scale=0)]
    reports += [generate_increment(1, SEED, landing, month, defect_rate_scale=0) for month in MONTHS]
    full = tmp_path_factory.mktemp("full")
    return landing, reports, full, generate(1, SEED, full, defect_rate_scale=0)


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """The benchmark's night: a full refresh as at 28 February, then the March increment (twice)."""
    base, march, again = (tmp_path_factory.mktemp(name) for name in ("base", "march", "again"))
    return (base, generate(1, SEED, base, as_at=date(2025, 2, 28)),
            march, generate_increment(1, SEED, march, "2025-03"),
            again, generate_increment(1, SEED, again, "2025-03"))


# --- the key property ---------------------------------------------------------------------------


def test_base_plus_monthly_increments_rebuild_the_full_extract(clean):
    """Later file wins per (organisation, primary key): an update keeps its record's key, so no
    key is left behind and none is missing."""
    landing, _, full, report = clean
    for source in SOURCES:
        merged, updates = {}, 0
        for path in sorted((landing / source).glob("*.csv")):  # landing's delivery order
            for key, row in _keyed_rows(path, source).items():
                if key in merged:
                    assert merged[key] != row, (path.name, key)  # an update, never a re-send
                    updates += 1
                merged[key] = row
        (full_file,) = (full / source).glob("*.csv")
        expected = _keyed_rows(full_file, source)
        assert len(expected) == report.rows[f"{source}/{full_file.name}"]  # the key is unique
        assert merged == expected, source
        if source in UPDATED_SOURCES:
            assert updates > 0, source


def test_every_delivery_is_counted_and_incident_staff_matching_nobody_add_up(clean):
    landing, reports, _, full_report = clean
    delivered = {name: rows for r in reports for name, rows in r.rows.items()}
    assert delivered == {p.relative_to(landing).as_posix(): _row_count(p) for p in landing.glob("*/*.csv")}
    assert sum(sum(r.unmatched_staff.values()) for r in reports) == sum(full_report.unmatched_staff.values()) > 0
    assert all(sum(defects.values()) == 0 for r in reports for defects in r.defects.values())


# --- increments ---------------------------------------------------------------------------------


def test_increments_are_named_to_sort_after_the_base_and_hold_rows_of_their_month_only(clean):
    landing, reports, _, _ = clean
    contracts = load_contracts()
    for month, report in zip(MONTHS, reports[1:]):
        month_end = MONTH_ENDS[month]
        assert report.rows, month
        for name in report.rows:
            source, file = name.split("/")
            base = f"{source}_{report.trusts[0]}.csv"
            assert file == f"{source}_{report.trusts[0]}_{month}.csv"
            assert sorted([file, base]) == [base, file]
            rows = _read(landing / name)
            for col in contracts[source].columns:
                if col.is_temporal:
                    days = [datetime.strptime(r[col.source_name].strip(), col.date_format).date()
                            for r in rows if r[col.source_name].strip()]
                    assert max(days, default=month_end) <= month_end, (name, col.source_name)
            if source in ("staff_survey_result", "nets_result"):  # published in March of the year after fieldwork
                assert month.endswith("-03") and {r["Survey Year"] for r in rows} == {str(month_end.year - 1)}


def test_rows_new_in_an_increment_were_created_in_its_month(clean):
    landing, reports, _, _ = clean
    contracts = load_contracts()
    seen = {s: set(_keyed_rows(next((landing / s).glob(f"{s}_???.csv")), s)) for s in SOURCES}
    for month, report in zip(MONTHS, reports[1:]):
        first_day = MONTH_ENDS[month].replace(day=1)
        for name in sorted(report.rows):
            source = name.split("/")[0]
            keyed = _keyed_rows(landing / name, source)
            new = [row for key, row in keyed.items() if key not in seen[source]]
            seen[source] |= set(keyed)
            if source in CREATED_ON:
                names = [c.source_name for c in contracts[source].columns]
                column = names.index(CREATED_ON[source])
                fmt = contracts[source].columns[column].date_format
                created = {datetime.strptime(row[column], fmt).date() for row in new}
                assert min(created, default=first_day) >= first_day, name
            if source not in UPDATED_SOURCES:
                assert len(new) == len(keyed), name  # these sources only ever add rows


def test_deliveries_are_deterministic_and_messy(messy):
    base, base_report, march, march_report, again, again_report = messy
    assert march_report.rows == again_report.rows and march_report.defects == again_report.defects
    for name in march_report.rows:
        assert filecmp.cmp(march / name, again / name, shallow=False), name
    assert sum(sum(d.values()) for d in march_report.defects.values()) > 0
    assert sum(sum(d.values()) for d in base_report.defects.values()) > 0
    text = "".join((march / name).read_text(encoding="utf-8") for name in march_report.rows)
    assert " ," in text  # cosmetic trailing spaces in the increment too


@pytest.mark.parametrize("which", ["base", "march"])
def test_landing_quarantines_exactly_the_planted_defects_of_each_delivery(messy, which):
    base, base_report, march, march_report, *_ = messy
    out, report = (base, base_report) if which == "base" else (march, march_report)
    con = duckdb.connect()
    for source, contract in load_contracts().items():
        if source not in SOURCES or not any((out / source).glob("*.csv")):
            continue
        load = land_source(con, contract, source_files(contract, out, out), key=b"test-key",
                           run_id="test", loaded_at=datetime(2026, 1, 1), label_root=out)
        for file in load.files:
            assert file.rows_quarantined == report.quarantine_expected(file.path), (file.path, load.quarantine_by_rule)


# --- views as at a date -------------------------------------------------------------------------


def test_as_at_the_window_end_is_todays_full_generation(tmp_path):
    full = generate(1, SEED, tmp_path / "full")
    cut = generate(1, SEED, tmp_path / "cut", as_at=date(2025, 3, 31))
    assert cut.rows == full.rows and cut.defects == full.defects
    for name in full.rows:
        assert filecmp.cmp(tmp_path / "full" / name, tmp_path / "cut" / name, shallow=False), name


def test_a_view_as_at_a_date_shows_nothing_later_and_is_the_same_world(clean):
    landing, _, full, _ = clean
    contracts = load_contracts()
    for source in SOURCES:
        (base_file,) = (landing / source).glob(f"{source}_???.csv")
        view = _keyed_rows(base_file, source)
        final = _keyed_rows(next((full / source).glob("*.csv")), source)
        columns = [c.source_name for c in contracts[source].columns]
        allowed = CHANGED_BY_THE_CUT.get(source, set())
        assert view and set(view) < set(final), source
        for key, row in view.items():
            differs = {c for c, a, b in zip(columns, row, final[key]) if a != b}
            assert differs <= allowed, (source, key, differs)
        for col in contracts[source].columns:
            if col.is_temporal:
                i = columns.index(col.source_name)
                days = [datetime.strptime(r[i], col.date_format).date() for r in view.values() if r[i]]
                assert max(days) <= BASE_AS_AT, (source, col.source_name)


def test_a_view_as_at_a_date_recomputes_the_state_of_open_records(clean):
    landing, _, _, _ = clean
    trac = _read(next((landing / "trac_application").glob("*_???.csv")))
    furthest = [("Shortlisting Date", "SHORTLISTED"), ("Interview Date", "INTERVIEWED"),
                ("Offer Date", "OFFERED"), ("Appointed Date", "APPOINTED"), ("Withdrawn Date", "WITHDRAWN")]
    for row in trac:
        reached = [stage for column, stage in furthest if row[column].strip()]
        assert row["Stage Reached"].strip().upper() == (reached[-1] if reached else "APPLIED"), row
    cases = _read(next((landing / "er_case").glob("*_???.csv")))
    open_cases = [c for c in cases if not c["Date Closed"].strip()]
    assert open_cases and all(c["Stage"].strip().upper() != "CLOSED" for c in open_cases)
    assert all(c["Stage"].strip().upper() == "CLOSED" for c in cases if c["Date Closed"].strip())
    assert all(c["Stage"].strip().upper() == "INFORMAL" for c in open_cases if not c["Formal Stage Start Date"].strip())
    assert {c["Outcome"].strip().upper() for c in open_cases} <= {"ONGOING", ""}
    esr = _read(next((landing / "esr_assignment").glob("*_???.csv")))
    assert all(bool(r["Termination Date"]) == bool(r["Leaving Reason"].strip()) for r in esr)
    survey = _read(next((landing / "staff_survey_result").glob("*_???.csv")))
    assert {r["Survey Year"] for r in survey} == {"2021", "2022", "2023"}  # 2024 is out in March 2025
    nets = _read(next((landing / "nets_result").glob("*_???.csv")))
    assert {r["Survey Year"] for r in nets} == {"2021", "2022", "2023"}
    pay = _read(next((landing / "esr_pay").glob("*_???.csv")))
    assert {r["Snapshot Date"] for r in pay} == {"31/03/2022", "31/03/2023", "31/03/2024"}


def test_dates_outside_the_window_are_refused(tmp_path):
    with pytest.raises(ValueError, match="as_at"):
        generate(1, SEED, tmp_path, as_at=date(2025, 4, 1))
    with pytest.raises(ValueError, match="month"):
        generate_increment(1, SEED, tmp_path, "2025-04")
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate_increment(1, SEED, tmp_path, "March 2025")
    assert not any(tmp_path.iterdir())


# --- helpers ------------------------------------------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _row_count(path: Path) -> int:
    return len(_read(path))


def _keyed_rows(path: Path, source: str) -> dict[tuple, tuple]:
    """Rows by (organisation, primary key), values trimmed and upper-cased (cosmetic noise off)."""
    contract = load_contracts()[source]
    names = [c.source_name for c in contract.columns]
    key_columns = [names.index(contract.column(k).source_name)
                   for k in ("organisation_code", *contract.primary_key)]
    keyed = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for raw in list(csv.reader(handle))[1:]:
            row = tuple(v.strip().upper() for v in raw)
            key = tuple(row[i] for i in key_columns)
            assert key not in keyed, (path.name, key)  # a key at most once per delivery
            keyed[key] = row
    return keyed
