"""Trac recruitment: one row per application, with the furthest stage it reached.

Applicants are not staff: their self-declared equality data ("not disclosed" more often than in
ESR) never lines up one-to-one with ESR. Planted: shortlisted White applicants are appointed
~1.6x as often as shortlisted BME applicants, non-disabled ~1.15x as often as disabled ones.
"""

from __future__ import annotations

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.codes import (
    AFC_BANDS, KNOWN_ETHNIC_CODES, MEDICAL, NATIONAL_ETHNICITY, STAFF_GROUPS, WHITE_CODES,
)
from orchestration.synthetic.dates import MISSING, format_days, uniform_days
from orchestration.synthetic.ethnicity import workforce_mix
from orchestration.synthetic.population import Population
from orchestration.synthetic.writer import Table

DATE_FORMAT = "%d/%m/%Y"
HEADER = (
    "Application ID", "Applicant ID", "Organisation Code", "Vacancy Reference", "Staff Group", "Band", "Job Type",
    "Internal/External", "Ethnicity", "Disability", "Sex", "Stage Reached", "Application Date",
    "Shortlisting Date", "Interview Date", "Offer Date", "Appointed Date", "Withdrawn Date",
)
STAGES = ("Applied", "Shortlisted", "Interviewed", "Offered", "Appointed", "Withdrawn")
ETHNICITY_NOT_DISCLOSED = "I do not wish to disclose my ethnic origin"
DISABILITY_VALUES = ("Yes", "No", "I do not wish to disclose whether I have a disability")
SEX_VALUES = ("Female", "Male", "I do not wish to disclose my sex")
JOB_TYPES = ("Permanent", "Fixed Term", "Bank", "Secondment")
MEDICAL_POSTS = ("Consultant", "Specialty Doctor", "Specialist", "Trust Grade Doctor")

VACANCIES_PER_HEAD = 0.14  # a year
APPLICATIONS_PER_VACANCY = 7.0
APPLICANT_POOL_SHARE = 0.75  # some applicants apply for several posts
APPLICANT_MINORITY_UPLIFT = 1.8  # applicants are more diverse than the workforce
NOT_DISCLOSED = {"ethnicity": 0.08, "sex": 0.02}
DISABILITY_SHARES = (0.07, 0.85, 0.08)
INTERNAL_SHARE = 0.25
WITHDRAW_BEFORE_SHORTLISTING = 0.05
WITHDRAW_AFTER_SHORTLISTING = 0.08
INTERVIEWED_IF_SHORTLISTED = 0.9
STARTS_IF_OFFERED = 0.9


def trac_application_table(rng: np.random.Generator, pop: Population) -> Table:
    vacancies = _vacancies(rng, pop)
    per_vacancy = rng.negative_binomial(2, 2 / (2 + APPLICATIONS_PER_VACANCY), len(vacancies["day"]))
    vacancy = np.repeat(np.arange(len(per_vacancy)), per_vacancy)
    n = vacancy.size
    applicants = _applicants(rng, pop, max(1, int(n * APPLICANT_POOL_SHARE)))
    who = rng.integers(0, len(applicants["ethnicity"]), n)
    ethnicity, disability = applicants["ethnicity"][who], applicants["disability"][who]
    flow = _stages(rng, vacancies["day"][vacancy], ethnicity, disability, pop.window.end)
    labels = {**NATIONAL_ETHNICITY, "": ETHNICITY_NOT_DISCLOSED}
    application_id = pop.trust.number * 1_000_000 + rng.choice(1_000_000, n, replace=False)
    table = {
        "Application ID": application_id.astype(str).astype(object),
        "Applicant ID": np.char.add("APP", (pop.trust.number * 1_000_000 + who).astype(str)).astype(object),
        "Organisation Code": np.full(n, pop.trust.code, dtype=object),
        "Vacancy Reference": vacancies["reference"][vacancy],
        "Staff Group": vacancies["group"][vacancy],
        "Band": vacancies["band"][vacancy],
        "Job Type": vacancies["job_type"][vacancy],
        "Internal/External": np.where(rng.random(n) < INTERNAL_SHARE, "Internal", "External").astype(object),
        "Ethnicity": np.array([labels[c] for c in ethnicity], dtype=object),
        "Disability": np.array(DISABILITY_VALUES, dtype=object)[disability],
        "Sex": applicants["sex"][who],
        "Stage Reached": flow["stage"],
        **{f"{name} Date": format_days(flow[name], DATE_FORMAT)
           for name in ("Application", "Shortlisting", "Interview", "Offer", "Appointed", "Withdrawn")},
    }
    order = np.lexsort((application_id, flow["Application"]))
    return Table(HEADER, {k: v[order] for k, v in table.items()})


def _vacancies(rng, pop: Population) -> dict[str, np.ndarray]:
    """Vacancies advertised each financial year, in proportion to the staff in post."""
    staff, window = pop.staff, pop.window
    days, groups = [], []
    for fy_end_year, fy_end in zip(window.fy_end_years, window.fy_ends):
        fy_start = window.fy_start(fy_end_year)
        in_post = staff.employed_on(fy_start) & ~staff.bank_only
        count = rng.poisson(VACANCIES_PER_HEAD * in_post.sum())
        groups.append(rng.choice(staff.group[in_post], count))
        days.append(uniform_days(rng, np.full(count, fy_start), np.full(count, fy_end)))
    day, group = np.concatenate(days), np.concatenate(groups)
    order = np.argsort(day, kind="stable")
    day, group = day[order], group[order]
    year = (day.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970) % 100
    reference = np.array([f"{pop.trust.number}-{y:02d}-{i:05d}" for i, y in enumerate(year, 1)], dtype=object)
    return {"day": day, "group": np.array(STAFF_GROUPS, dtype=object)[group],
            "band": _bands(rng, group), "reference": reference,
            "job_type": np.array(JOB_TYPES, dtype=object)[rng.choice(4, day.size, p=[0.7, 0.2, 0.08, 0.02])]}


def _bands(rng, group: np.ndarray) -> np.ndarray:
    """Advertised band: mostly entry grades; doctors' posts by grade name."""
    weights = np.array([0.2, 12, 14, 12, 22, 16, 12, 6, 3, 1.5, 0.8, 0.5])
    bands = np.array([f"Band {b}" for b in AFC_BANDS], dtype=object)[
        rng.choice(len(AFC_BANDS), group.size, p=weights / weights.sum())]
    medical = group == MEDICAL
    bands[medical] = np.array(MEDICAL_POSTS, dtype=object)[rng.choice(4, medical.sum(), p=[0.45, 0.3, 0.05, 0.2])]
    return bands


def _applicants(rng, pop: Population, n: int) -> dict[str, np.ndarray]:
    """Self-declared ethnicity ("" = not disclosed), disability index and sex of each applicant."""
    mix = workforce_mix(pop.trust, "Administrative and Clerical", joiner=True)
    minority = np.array([c != "A" for c in KNOWN_ETHNIC_CODES])
    mix = np.where(minority, mix * APPLICANT_MINORITY_UPLIFT, mix)
    ethnicity = np.array(KNOWN_ETHNIC_CODES, dtype=object)[rng.choice(len(mix), n, p=mix / mix.sum())]
    ethnicity[rng.random(n) < NOT_DISCLOSED["ethnicity"]] = ""
    sex = np.array(SEX_VALUES, dtype=object)[
        rng.choice(3, n, p=[0.70 - NOT_DISCLOSED["sex"] / 2, 0.30 - NOT_DISCLOSED["sex"] / 2, NOT_DISCLOSED["sex"]])]
    return {"ethnicity": ethnicity, "disability": rng.choice(3, n, p=DISABILITY_SHARES), "sex": sex}


def _stages(rng, advertised: np.ndarray, ethnicity: np.ndarray, disability: np.ndarray,
            last_day: int) -> dict[str, np.ndarray]:
    """Walk each application through the funnel; dates after the window end are cut to it."""
    n = advertised.size
    bme = ~np.isin(ethnicity, list(WHITE_CODES) + [""])
    disabled = disability == 0
    applied = advertised + rng.integers(0, 22, n)
    withdrew_early = rng.random(n) < WITHDRAW_BEFORE_SHORTLISTING
    shortlist_rate = effects.SHORTLIST_RATE * np.where(bme, effects.SHORTLIST_FACTOR_BME, 1.0) * \
        np.where(disabled, effects.SHORTLIST_FACTOR_DISABLED, 1.0)
    shortlisted = ~withdrew_early & (rng.random(n) < shortlist_rate)
    withdrew_late = shortlisted & (rng.random(n) < WITHDRAW_AFTER_SHORTLISTING)
    interviewed = shortlisted & ~withdrew_late & (rng.random(n) < INTERVIEWED_IF_SHORTLISTED)
    # P(appointed | shortlisted) is what WRES 2 / WDES 2 measure: plant it directly.
    appoint_rate = effects.APPOINTED_FROM_SHORTLIST_WHITE / np.where(
        bme, effects.APPOINTMENT_RL_WHITE_VS_BME, 1.0) / np.where(
        disabled, effects.APPOINTMENT_RL_NONDISABLED_VS_DISABLED, 1.0)
    reach_interview = (1 - WITHDRAW_AFTER_SHORTLISTING) * INTERVIEWED_IF_SHORTLISTED
    offered = interviewed & (rng.random(n) < appoint_rate / reach_interview / STARTS_IF_OFFERED)
    appointed = offered & (rng.random(n) < STARTS_IF_OFFERED)

    stage = np.full(n, "Applied", dtype=object)
    stage[shortlisted] = "Shortlisted"
    stage[interviewed] = "Interviewed"
    stage[offered] = "Offered"
    stage[appointed] = "Appointed"
    stage[withdrew_early | withdrew_late] = "Withdrawn"

    shortlisting = applied + rng.integers(7, 22, n)
    interview = shortlisting + rng.integers(7, 22, n)
    offer = interview + rng.integers(1, 6, n)
    start = offer + rng.integers(30, 91, n)
    withdrawn = np.where(withdrew_late, shortlisting, applied) + rng.integers(1, 10, n)
    dates = {
        "Application": applied,
        "Shortlisting": np.where(shortlisted, shortlisting, MISSING),
        "Interview": np.where(interviewed, interview, MISSING),
        "Offer": np.where(offered, offer, MISSING),
        "Appointed": np.where(appointed, start, MISSING),
        "Withdrawn": np.where(withdrew_early | withdrew_late, withdrawn, MISSING),
    }
    dates = {k: np.where(v == MISSING, MISSING, np.minimum(v, last_day)) for k, v in dates.items()}
    return {"stage": stage, **dates}
