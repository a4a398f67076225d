"""The synthetic trust extracts: deterministic, shaped by their contracts, messy as reported, and
carrying the planted disparities at the planted sizes.

Three trusts (a mid-size acute, a mental-health and a larger acute trust) are generated once for
the module; recovery checks read the CSV files back, as a metric would.
"""

from __future__ import annotations

import csv
import math
import filecmp
from datetime import date, datetime
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing import land_source, source_files
from orchestration.synthetic import PLANTED_EFFECTS, SOURCES, codes, effects, er, generate, incidents, trainees, training
from orchestration.synthetic.codes import STAFF_GROUPS, WHITE_CODES, ethnicity_labels
from orchestration.synthetic.trusts import select_trusts

SEED = 20240331
TRUSTS = 3
SNAPSHOTS = [date(y, 3, 31) for y in (2022, 2023, 2024, 2025)]
CONDUCT = {"Disciplinary", "Disciplinary - Conduct", "Conduct", "Gross Misconduct"}
PERFORMANCE = {"Capability - Performance", "Performance Capability", "Capability (Performance)",
               "Poor Performance"}
PUBLIC_PERPETRATORS = {"Patient", "Relative", "Visitor-Public", "Unknown"}


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("landing")
    return out, generate(TRUSTS, SEED, out)


@pytest.fixture(scope="module")
def frames(landing):
    """Every source read back as text, with trust code and trimmed values."""
    out, _ = landing
    return {s: _read_source(out, s) for s in SOURCES}


@pytest.fixture(scope="module")
def staff_years(frames):
    """Substantive staff in post at each 31 March: person, trust, ethnicity group, disability."""
    esr = frames["esr_assignment"].drop_duplicates()
    esr = esr.assign(
        start=pd.to_datetime(esr["Effective Start Date"], format="%d/%m/%Y"),
        end=pd.to_datetime(esr["Effective End Date"], format="%d/%m/%Y"),
        wte=esr["Contracted WTE"].astype(float),
        group=esr["Ethnic Origin"].map(_ethnic_group),
    )
    rows = []
    for snapshot in SNAPSHOTS:
        day = pd.Timestamp(snapshot)
        live = esr[(esr.start <= day) & (esr.end.isna() | (esr.end >= day)) & (esr.wte > 0) &
                   (esr["Assignment Category"].str.upper() != "BANK")]
        people = live.sort_values("Primary Assignment").drop_duplicates("Employee Number", keep="last")
        rows.append(pd.DataFrame({
            "fy_end": snapshot.year, "employee": people["Employee Number"], "trust": people["trust"],
            "group": people["group"], "disability": people["Disability"].str.upper(),
            "female": people["Gender"].str.upper() == "FEMALE",
            "staff_group": people["Staff Group"],
        }))
    return pd.concat(rows, ignore_index=True)


# --- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_identical_files_and_another_seed_does_not(landing, tmp_path):
    out, report = landing
    again = generate(1, SEED, tmp_path / "again")
    other = generate(1, SEED + 1, tmp_path / "other")
    trust = report.trusts[0]
    assert again.trusts == other.trusts == [trust]
    for source in SOURCES:
        name = f"{source}/{source}_{trust}.csv"
        # Trust 1 of a three-trust run equals the one-trust run: a trust does not depend on N.
        assert filecmp.cmp(out / name, tmp_path / "again" / name, shallow=False), name
        assert not filecmp.cmp(out / name, tmp_path / "other" / name, shallow=False), name


def test_trust_order_starts_with_a_mid_size_acute_trust_and_mixes_types():
    first_ten = select_trusts(10)
    assert first_ten[0].kind == "acute" and 4_000 <= first_ten[0].headcount <= 10_000
    assert {"acute", "mental_health", "community", "ambulance", "specialist"} <= {t.kind for t in first_ten}
    assert [t.code for t in select_trusts(3)] == [t.code for t in first_ten[:3]]


# --- shape: contracts, code lists, planted defects --------------------------------------------


def test_every_file_has_its_contract_header_in_order(landing):
    out, report = landing
    contracts = load_contracts()
    assert len(report.rows) == len(SOURCES) * TRUSTS
    for path in report.rows:
        source = path.split("/")[0]
        with open(out / path, encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [c.source_name for c in contracts[source].columns], path


def test_coded_values_are_in_the_code_lists_except_the_planted_invalid_ones(frames, landing):
    _, report = landing
    contracts = load_contracts()
    for source in SOURCES:
        frame = frames[source]
        invalid_rows = np.zeros(len(frame), bool)
        for col in contracts[source].columns:
            if col.valid_values:
                allowed = {v.strip().upper() for v in col.valid_values} | {""}
                invalid_rows |= ~frame[col.source_name].str.upper().isin(allowed).to_numpy()
        planted = sum(d.get("invalid_code", 0) for path, d in report.defects.items()
                      if path.startswith(f"{source}/"))
        assert invalid_rows.sum() == planted, source


@pytest.mark.parametrize("source, column, generator_list", [
    ("esr_assignment", "assignment_status", codes.ASSIGNMENT_STATUSES),
    ("esr_assignment", "assignment_category", codes.ASSIGNMENT_CATEGORIES),
    ("esr_assignment", "payscale", codes.PAYSCALES),
    ("esr_assignment", "occupation_code", codes.occupation_codes()),
    ("esr_assignment", "ethnic_origin", codes.ethnicity_display_values()),
    ("esr_assignment", "disability", codes.DISABILITY_VALUES),
    ("esr_assignment", "religious_belief", codes.RELIGION_VALUES),
    ("esr_assignment", "sexual_orientation", codes.SEXUAL_ORIENTATION_VALUES),
    ("esr_assignment", "leaving_reason", codes.LEAVING_REASONS),
    ("esr_assignment", "board_membership", codes.BOARD_MEMBERSHIP),
    ("er_case", "case_type", er.case_labels()),
    ("er_case", "outcome", er.outcome_labels()),
    ("datix_incident", "category", incidents.categories()),
    ("datix_incident", "subcategory", incidents.subcategories()),
    ("training_record", "course_code", training.course_codes()),
    ("arcp_outcome", "programme_code", trainees.PROGRAMME_CODES),
    ("arcp_outcome", "grade", trainees.grades()),
    ("arcp_outcome", "ethnic_origin", codes.ethnicity_display_values()),
    ("arcp_outcome", "disability", codes.DISABILITY_VALUES),
    ("arcp_outcome", "pmq_region", trainees.PMQ_REGIONS),
    ("exam_attempt", "exam_code", trainees.exam_codes()),
    ("nets_result", "programme_code", trainees.PROGRAMME_CODES),
    ("nets_result", "indicator_code", effects.NETS_RATES),
])
def test_contract_code_lists_are_the_generators_code_lists(source, column, generator_list):
    assert set(load_contracts()[source].column(column).valid_values) == set(generator_list)


def test_every_row_carries_the_trust_code_of_its_file(frames):
    """Stacked trusts stay apart: each extract's organisation column is its file's trust code."""
    contracts = load_contracts()
    for source in SOURCES:
        column = contracts[source].column("organisation_code").source_name
        frame = frames[source]
        assert (frame[column].str.upper() == frame["trust"]).all(), source
        assert frame["trust"].nunique() == TRUSTS, source


def test_cosmetic_mess_is_planted(landing):
    """Lower-cased codes and trailing spaces; the landing test shows they land, not quarantined."""
    out, report = landing
    raw = (out / "esr_assignment" / f"esr_assignment_{report.trusts[0]}.csv").read_text(encoding="utf-8")
    assert " ," in raw  # trailing spaces before a delimiter
    assert ",female," in raw or ",male," in raw  # lower-cased codes


def test_landing_quarantines_exactly_the_planted_defects(landing):
    out, report = landing
    con = duckdb.connect()
    for source, contract in load_contracts().items():
        if source not in SOURCES:
            continue
        load = land_source(con, contract, source_files(contract, out, out), key=b"test-key",
                           run_id="test", loaded_at=datetime(2026, 1, 1), label_root=out)
        for file in load.files:
            assert file.rows_quarantined == report.quarantine_expected(file.path), (file.path, load.quarantine_by_rule)
        assert load.rows_quarantined / load.rows_read <= contract.max_quarantine_ratio
        assert load.rows_landed >= contract.min_rows
    assert sum(sum(d.values()) for d in report.defects.values()) > 0


def test_report_counts_rows_and_unmatched_incident_staff(landing, frames):
    _, report = landing
    for source in SOURCES:
        assert report.rows_by_source()[source] == len(frames[source])
    datix = frames["datix_incident"]
    known_numbers = set(frames["esr_assignment"]["Employee Number"])
    known_emails = set(frames["esr_assignment"]["Work Email"].str.lower())
    unmatched = ((datix["Staff Employee Number"] != "") & ~datix["Staff Employee Number"].isin(known_numbers)) | \
        ((datix["Staff Email"] != "") & ~datix["Staff Email"].str.lower().isin(known_emails))
    duplicates = datix.duplicated() & unmatched
    assert unmatched.sum() - duplicates.sum() == sum(report.unmatched_staff.values()) > 0
    assert (datix["Staff Email"] != "").any() and (datix["Staff Employee Number"] == "").any()


# --- realism: size, mix, catchment ------------------------------------------------------------


def test_size_and_staff_group_mix_track_the_calibration(staff_years):
    first_year = staff_years[staff_years.fy_end == 2022]
    for trust in select_trusts(TRUSTS):
        mine = first_year[first_year.trust == trust.code]
        assert 0.95 * trust.headcount <= len(mine) <= 1.15 * trust.headcount, trust.code
        groups = mine.staff_group.str.upper().replace("ADD PROF SCIENTIFIC AND TECHNIC",
                                                      "ADDITIONAL PROFESSIONAL SCIENTIFIC AND TECHNICAL")
        observed = groups.value_counts(normalize=True)
        for name, share in zip(STAFF_GROUPS, trust.staff_group_shares):
            assert abs(observed.get(name.upper(), 0.0) - share) < 0.03, (trust.code, name)


def test_ethnic_mix_tracks_the_catchment_and_is_more_diverse(staff_years):
    trusts = select_trusts(TRUSTS)
    catchment = {t.code: 1 - sum(t.catchment_ethnicity[:3]) for t in trusts}
    known = staff_years[staff_years.group.isin(["white", "bme"])]
    workforce = known.groupby("trust").group.apply(lambda g: (g == "bme").mean())
    for code, population_share in catchment.items():
        assert population_share < workforce[code] < 3 * population_share + 0.1, code
    assert sorted(catchment, key=catchment.get) == sorted(catchment, key=workforce.get)


def test_female_share_and_disability_declaration(staff_years, frames):
    assert abs(staff_years.female.mean() - PLANTED_EFFECTS["female_share"]) < 0.03
    esr_disabled = (staff_years.disability == "YES").mean()
    unknown = staff_years.disability.isin(["", "NOT DECLARED", "PREFER NOT TO ANSWER"]).mean()
    assert 0.025 < esr_disabled < 0.065 and unknown > 0.20
    survey = frames["staff_survey_result"]
    cells = survey[(survey.Breakdown == "Disability") & (survey.Respondents != "-") &
                   (survey["Question Number"] == "q15")]
    by_group = cells.groupby("Group").Respondents.apply(lambda r: r.astype(int).sum())
    survey_disabled = by_group["Disabled"] / by_group.sum()
    assert abs(survey_disabled - PLANTED_EFFECTS["survey_disabled_share"]) < 0.03
    assert survey_disabled > 3 * esr_disabled


# --- planted disparities recovered from the files ---------------------------------------------


def test_appointment_from_shortlisting(frames):
    trac = frames["trac_application"].drop_duplicates("Application ID")
    shortlisted = trac[trac["Shortlisting Date"] != ""]
    appointed = shortlisted["Stage Reached"].str.upper() == "APPOINTED"
    ethnicity = shortlisted.Ethnicity.str.upper()
    white_labels = {ethnicity_labels()[c].upper() for c in WHITE_CODES}
    white = ethnicity.isin(white_labels)
    bme = ~white & ~ethnicity.str.startswith("I DO NOT WISH")
    rl_ethnicity = appointed[white].mean() / appointed[bme].mean()
    assert rl_ethnicity == pytest.approx(PLANTED_EFFECTS["appointment_rl_white_vs_bme"], abs=0.15)
    disability = shortlisted.Disability.str.upper()
    rl_disability = appointed[disability == "NO"].mean() / appointed[disability == "YES"].mean()
    assert rl_disability == pytest.approx(PLANTED_EFFECTS["appointment_rl_nondisabled_vs_disabled"], abs=0.12)


def test_entry_into_formal_disciplinary_and_capability(frames, staff_years):
    cases = frames["er_case"].drop_duplicates("Case Reference")
    formal = cases[cases["Formal Stage Start Date"] != ""].copy()
    formal["fy_end"] = _fy_end(pd.to_datetime(formal["Formal Stage Start Date"], format="%Y-%m-%d"))
    conduct = formal[formal["Case Type"].str.strip().str.title().isin({c.title() for c in CONDUCT})]
    performance = formal[formal["Case Type"].str.strip().str.title().isin({c.title() for c in PERFORMANCE})]
    # Tens of cases a year: judge each planted RL by its 95 % Katz interval (metrics-spec §2).
    rl_bme, low, high = _katz_interval(staff_years, conduct, staff_years.group == "bme",
                                       staff_years.group == "white")
    assert rl_bme > 1.0 and low < PLANTED_EFFECTS["disciplinary_rl_bme_vs_white"] < high
    white_rate = _rate(staff_years, conduct, "group", "white")
    assert white_rate * 1000 == pytest.approx(PLANTED_EFFECTS["disciplinary_per_1000_white"], rel=0.3)
    # ESR records only some disabled staff as "Yes", so the measured RL is diluted below 2.0.
    disabled = staff_years.disability == "YES"
    rl_disabled, low, high = _katz_interval(staff_years, performance, disabled, ~disabled)
    assert rl_disabled > 1.2
    assert low < PLANTED_EFFECTS["capability_performance_rl_disabled_vs_nondisabled"] < high


def test_some_cases_are_left_open_for_more_than_a_year(frames):
    cases = frames["er_case"].drop_duplicates("Case Reference")
    opened = pd.to_datetime(cases["Date Opened"], format="%Y-%m-%d")
    still_open = cases["Date Closed"] == ""
    long_open = still_open & (opened < pd.Timestamp(2025, 3, 31) - pd.Timedelta(days=365))
    assert 0.10 < long_open.sum() / still_open.sum() < 0.40
    assert long_open.groupby(cases["trust"]).sum().min() > 0
    assert (cases.loc[still_open, "Outcome"] == "").any()


def test_non_mandatory_training_access(frames, staff_years):
    training = frames["training_record"]
    cpd = training[training.Mandatory.str.upper() == "N"].copy()
    cpd["fy_end"] = _fy_end(pd.to_datetime(cpd["Completion Date"], format="%d/%m/%Y", errors="coerce"))
    accessed = _with_event(staff_years, cpd)
    white = accessed[accessed.group == "white"].event.mean()
    bme = accessed[accessed.group == "bme"].event.mean()
    assert white / bme == pytest.approx(PLANTED_EFFECTS["nonmandatory_training_rl_white_vs_bme"], abs=0.08)


def test_violence_and_abuse_from_patients_and_public(frames, staff_years):
    datix = frames["datix_incident"].drop_duplicates()
    datix = datix[(datix["Approval Status"].str.upper() != "REJECT") &
                  datix.Perpetrator.str.title().isin({p.title() for p in PUBLIC_PERPETRATORS})]
    emails = frames["esr_assignment"].assign(email=lambda f: f["Work Email"].str.lower())
    by_email = emails.drop_duplicates("email").set_index("email")["Employee Number"]
    datix = datix.assign(
        **{"Employee Number": datix["Staff Employee Number"].where(
            datix["Staff Employee Number"] != "", datix["Staff Email"].str.lower().map(by_email))},
        fy_end=_fy_end(pd.to_datetime(datix["Incident Date"], format="%d/%m/%Y", errors="coerce")),
    )
    # Per trust (rates differ by trust type), then pooled Mantel-Haenszel style.
    numerator = denominator = 0.0
    for _, staff in staff_years.groupby("trust"):
        counts = _event_counts(staff, datix)
        bme, white = counts[counts.group == "bme"], counts[counts.group == "white"]
        total = len(bme) + len(white)
        numerator += bme.events.sum() * len(white) / total
        denominator += white.events.sum() * len(bme) / total
    assert numerator / denominator == pytest.approx(
        PLANTED_EFFECTS["violence_abuse_from_public_rl_bme_vs_white"], abs=0.15)


def test_survey_is_aggregated_suppressed_and_carries_the_planted_gaps(frames):
    survey = frames["staff_survey_result"]
    shown = survey[survey.Respondents != "-"]
    assert (shown.Respondents.astype(int) >= 11).all()
    suppressed = survey[survey.Respondents == "-"]
    assert len(suppressed) > 0 and (suppressed.Positive.isin(["-", ""])).all()
    assert len(survey) < shown[shown.Breakdown == "Overall"].Respondents.astype(int).sum() / 10
    assert not any("id" in c.lower().split() for c in survey.columns)

    def gap(question: str, breakdown: str, group: str, reference: str) -> float:
        rows = shown[(shown["Question Number"] == question) & (shown.Breakdown == breakdown)]
        sums = rows.groupby("Group")[["Respondents", "Positive"]].agg(lambda c: c.astype(int).sum())
        pct = 100 * sums.Positive / sums.Respondents
        return pct[group] - pct[reference]

    assert gap("q14b_c", "Ethnicity", "BME", "White") == pytest.approx(
        PLANTED_EFFECTS["survey_harassment_staff_pp_bme_minus_white"], abs=2.5)
    assert gap("q15", "Ethnicity", "BME", "White") == pytest.approx(
        PLANTED_EFFECTS["survey_equal_opportunities_pp_bme_minus_white"], abs=3)
    pressure = shown[shown["Question Number"].isin(["q11e", "q11d"])]
    assert set(pressure["Question Number"]) == {"q11e", "q11d"}  # the question moved in 2024
    assert gap("q11e", "Disability", "Disabled", "Non-disabled") == pytest.approx(
        PLANTED_EFFECTS["survey_pressure_unwell_pp_disabled_minus_nondisabled"], abs=2.5)


# --- differential attainment: doctors in training (TIS) and NETS ---------------------------------
# Each test checks several planted figures at once, so each is judged by its 99 % interval.
Z99 = 2.576


@pytest.fixture(scope="module")
def trainees_frame(frames):
    """One row per trainee of the ARCP extract: attainment group as effects.py defines it."""
    arcp = frames["arcp_outcome"].drop_duplicates(["GMC Number", "Review Date"])
    people = arcp.drop_duplicates("GMC Number").set_index("GMC Number")
    ethnic = people["Ethnic Origin"].map(_ethnic_group)
    pmq = people["PMQ Region"].str.upper()
    group = np.select([pmq == "EEA", pmq == "IMG", ethnic == "bme"], ["eea", "img", "uk_bme"], "uk_white")
    return people.assign(group=group)


def test_arcp_non_standard_outcomes_carry_the_planted_differential_attainment(frames, trainees_frame):
    arcp = frames["arcp_outcome"].drop_duplicates(["GMC Number", "Review Date"])
    judged = arcp[~arcp["Outcome Code"].isin(effects.ARCP_EXCLUDED_OUTCOMES) &
                  arcp["Outcome Code"].isin(["1", "2", "3", "4", "6"])]
    non_standard = judged["Outcome Code"].isin(effects.ARCP_NON_STANDARD_OUTCOMES)
    group = judged["GMC Number"].map(trainees_frame.group)
    assert {"5", "8", "10.1", "10.2"} <= set(arcp["Outcome Code"])  # the excluded outcomes occur
    white = group == "uk_white"
    for numerator in ("uk_bme", "img"):
        rl, low, high = _katz(non_standard, group == numerator, white, Z99)
        assert rl > 1.0 and low < PLANTED_EFFECTS[f"arcp_non_standard_rl_{numerator}_vs_uk_white"] < high, numerator
    # The reference rate includes the planted sex and disability effects on top of 6 %.
    assert non_standard[white].mean() == pytest.approx(PLANTED_EFFECTS["arcp_non_standard_uk_white"], abs=0.02)


def test_first_attempt_exam_pass_rates_carry_the_planted_gaps(frames, trainees_frame):
    exams = frames["exam_attempt"].drop_duplicates(["GMC Number", "Exam Code", "Exam Date"])
    exams = exams[exams["Result"].str.upper().isin(["PASS", "FAIL"])]
    first = exams[exams["Attempt Number"] == "1"]
    group = first["GMC Number"].map(trainees_frame.group)
    passed = first.Result.str.upper() == "PASS"
    for name in ("uk_white", "uk_bme", "img"):
        n, rate = (group == name).sum(), passed[group == name].mean()
        half_width = Z99 * math.sqrt(rate * (1 - rate) / n)
        assert abs(rate - PLANTED_EFFECTS[f"exam_first_attempt_pass_{name}"]) < half_width + 0.01, (name, n, rate)
    # A fail is followed by a resit of the same exam, numbered on.
    attempts = exams.assign(n=exams["Attempt Number"].astype(int)).sort_values(["GMC Number", "Exam Date"])
    assert attempts.n.max() <= effects.EXAM_MAX_ATTEMPTS and (attempts.n >= 2).sum() > 50


def test_most_trainees_are_esr_staff_at_the_planted_match_rate(frames, trainees_frame):
    """The identity join runs within the employing trust: a former trust's number matches nobody."""
    esr = frames["esr_assignment"]
    staff = set(zip(esr.trust, esr["Employee Number"]))
    doctors = set(zip(*esr.loc[esr["Staff Group"].str.upper() == "MEDICAL AND DENTAL",
                               ["trust", "Employee Number"]].T.to_numpy()))
    keys = list(zip(trainees_frame.trust, trainees_frame["Employee Number"]))
    matched = np.array([k in staff for k in keys])
    assert matched.mean() == pytest.approx(PLANTED_EFFECTS["tis_employee_match_rate"], abs=0.03)
    assert (trainees_frame["Employee Number"] == "").mean() == pytest.approx(
        effects.TIS_EMPLOYEE_NUMBER["blank"], abs=0.02)
    assert all(k in doctors for k, m in zip(keys, matched) if m)


def test_nets_is_aggregated_suppressed_below_three_and_carries_the_planted_gaps(frames):
    nets = frames["nets_result"]
    suppressed = nets.Respondents == ""
    assert suppressed.any() and (nets.loc[suppressed, "Positive Responses"] == "").all()
    shown = nets[~suppressed]
    assert (shown.Respondents.astype(int) >= effects.NETS_MIN_RESPONDENTS).all()
    assert not any("id" in c.lower().split() or "gmc" in c.lower() for c in nets.columns)
    for indicator, (_, bme_gap, disabled_gap) in effects.NETS_RATES.items():
        for breakdown, group, reference, planted in (("Ethnicity", "BME", "White", bme_gap),
                                                      ("Disability", "Disabled", "Non-disabled", disabled_gap)):
            rows = shown[(shown["Indicator Code"] == indicator) & (shown.Breakdown == breakdown)]
            sums = rows.groupby("Breakdown Group")[["Respondents", "Positive Responses"]].agg(
                lambda c: c.astype(int).sum())
            share = sums["Positive Responses"] / sums.Respondents
            half_width = Z99 * math.sqrt(sum(share[g] * (1 - share[g]) / sums.Respondents[g]
                                              for g in (group, reference)))
            gap = 100 * (share[group] - share[reference])
            assert abs(gap - planted) < 100 * half_width, (indicator, breakdown, gap, planted)


def test_gender_pay_gap_comes_from_the_pay_snapshot(frames, staff_years):
    pay = frames["esr_pay"].drop_duplicates(["Assignment Number", "Snapshot Date"])
    pay = pay[(pay["Full Pay Relevant Employee"].str.upper() == "Y") & ~pay["Ordinary Hourly Pay"].str.startswith("-")]
    pay = pay.assign(hourly=pay["Ordinary Hourly Pay"].astype(float),
                     fy_end=pd.to_datetime(pay["Snapshot Date"], format="%d/%m/%Y").dt.year)
    people = pay.groupby(["fy_end", "Employee Number", "trust"], as_index=False).hourly.max()
    people = people.merge(staff_years[["fy_end", "employee", "female"]],
                          left_on=["fy_end", "Employee Number"], right_on=["fy_end", "employee"])
    acute = people[people.trust == select_trusts(1)[0].code]
    means = acute.groupby("female").hourly.mean()
    gap = 100 * (means[False] - means[True]) / means[False]
    assert gap == pytest.approx(PLANTED_EFFECTS["gender_pay_gap_mean_pct_acute"], abs=6)


# --- helpers ------------------------------------------------------------------------------------


def _read_source(out: Path, source: str) -> pd.DataFrame:
    parts = []
    for path in sorted((out / source).glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.apply(lambda c: c.str.strip())
        parts.append(frame.assign(trust=path.stem.split("_")[-1]))
    return pd.concat(parts, ignore_index=True)


@cache
def _codes_by_display() -> dict[str, str]:
    labels = ethnicity_labels()
    return {**{c: c for c in labels}, **{t.upper(): c for c, t in labels.items()},
            **{f"{c} {t}".upper(): c for c, t in labels.items()}}


def _ethnic_group(display: str) -> str:
    """'white', 'bme' or 'unknown' from any ESR display form (code, label, "code label")."""
    code = _codes_by_display().get(display.strip().upper(), "")
    if code in ("", "Z", "99"):
        return "unknown"
    return "white" if code[0] in WHITE_CODES else "bme"


def _fy_end(days: pd.Series) -> pd.Series:
    return days.dt.year + (days.dt.month >= 4).astype(int)


def _with_event(staff: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    keys = events[["Employee Number", "fy_end"]].drop_duplicates().assign(event=True)
    merged = staff.merge(keys, left_on=["employee", "fy_end"], right_on=["Employee Number", "fy_end"], how="left")
    return merged.assign(event=merged.event.fillna(False).astype(bool))


def _event_counts(staff: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    counts = events.groupby(["Employee Number", "fy_end"]).size().rename("events").reset_index()
    merged = staff.merge(counts, left_on=["employee", "fy_end"], right_on=["Employee Number", "fy_end"], how="left")
    return merged.assign(events=merged.events.fillna(0))


def _rate(staff, events, column, value) -> float:
    flagged = _with_event(staff, events)
    return flagged[flagged[column] == value].event.mean()


def _relative_likelihood(staff, events, column, numerator, denominator) -> float:
    return _rate(staff, events, column, numerator) / _rate(staff, events, column, denominator)


def _katz_interval(staff, events, numerator, denominator) -> tuple[float, float, float]:
    """RL of two groups (boolean masks over `staff`) with its 95 % log (Katz) interval."""
    flagged = _with_event(staff, events).event.to_numpy()
    a, n1 = flagged[numerator.to_numpy()].sum(), numerator.sum()
    c, n0 = flagged[denominator.to_numpy()].sum(), denominator.sum()
    rl = (a / n1) / (c / n0)
    half_width = 1.96 * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rl, rl * math.exp(-half_width), rl * math.exp(half_width)


def _katz(event: pd.Series, numerator: pd.Series, denominator: pd.Series, z: float) -> tuple[float, float, float]:
    """RL of an event between two groups of rows, with its log (Katz) interval at `z`."""
    a, n1 = event[numerator].sum(), numerator.sum()
    c, n0 = event[denominator].sum(), denominator.sum()
    rl = (a / n1) / (c / n0)
    half_width = z * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rl, rl * math.exp(-half_width), rl * math.exp(half_width)
