"""Employee-relations case tracker: one row per case, with local case-type labels.

Planted: BME staff enter a formal disciplinary ~1.5x as often as White staff (WRES 3); staff
recorded in ESR as disabled enter formal capability on performance grounds ~2x as often (WDES 3).
Rates are per person-year of employment, the same across staff groups, so that the planted
ratios are what a per-trust metric recovers. Outcomes are often left blank, and some cases
drag on for years: at the extract date about a fifth of the open cases have been open for
more than 12 months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.dates import MISSING, format_days, uniform_days, year_of
from orchestration.synthetic.ethnicity import is_bme
from orchestration.synthetic.population import Population, person_years
from orchestration.synthetic.writer import Table

DATE_FORMAT = "%Y-%m-%d"
HEADER = ("Case Reference", "Organisation Code", "Employee Number", "Case Type", "Date Opened",
          "Formal Stage Start Date", "Date Closed", "Stage", "Outcome")
OPEN_STAGES = ("Suspension", "Investigation", "Hearing", "Outcome", "Appeal")
STAGES = ("Informal", *OPEN_STAGES, "Closed")
APPEAL_SHARE = 0.12  # closed formal disciplinary/capability cases that lead to an appeal case
# Cases that drag on (police or professional-body involvement, long-term sickness, cases nobody
# closes in the tracker): they run 13 months to 4 years, so at the extract date a good part of
# the open cases have been open for more than a year.
LONG_RUNNING_SHARE = 0.05
LONG_RUNNING_DAYS = (400, 1500)


@dataclass(frozen=True)
class CaseType:
    """A class of case (as metrics-spec.md maps them), its local labels and how often it starts."""

    labels: dict[str, float]  # local label → weight
    per_1000: float  # a year, for the reference group
    formal: bool  # True: the row records entry into the formal stage
    bme_rl: float = 1.0
    disabled_rl: float = 1.0
    outcomes: str = "disciplinary"


CONDUCT_LABELS = {"Disciplinary": 40, "Disciplinary - Conduct": 25, "Conduct": 20, "Gross Misconduct": 15}
PERFORMANCE_LABELS = {"Capability - Performance": 45, "Performance Capability": 25,
                      "Capability (Performance)": 20, "Poor Performance": 10}
CASE_TYPES = (
    CaseType(CONDUCT_LABELS, effects.DISCIPLINARY_PER_1000_WHITE, True,
             bme_rl=effects.DISCIPLINARY_RL_BME_VS_WHITE),
    CaseType(CONDUCT_LABELS, 4.0, False),
    CaseType(PERFORMANCE_LABELS, effects.CAPABILITY_PERFORMANCE_PER_1000_NONDISABLED, True,
             disabled_rl=effects.CAPABILITY_PERFORMANCE_RL_DISABLED, outcomes="capability"),
    CaseType(PERFORMANCE_LABELS, 3.0, False, outcomes="capability"),
    CaseType({"Capability - Ill Health": 50, "Ill Health Capability": 30, "Capability (Health)": 20},
             effects.CAPABILITY_ILL_HEALTH_PER_1000_NONDISABLED, True,
             disabled_rl=effects.CAPABILITY_ILL_HEALTH_RL_DISABLED, outcomes="capability"),
    CaseType({"Attendance": 40, "Sickness Absence": 35, "Managing Attendance": 25}, 8.0, False,
             outcomes="capability"),
    CaseType({"Grievance": 85, "Collective Grievance": 15}, 4.0, True, outcomes="complaint"),
    CaseType({"Bullying & Harassment": 50, "Dignity at Work": 30, "Bullying and Harassment": 20},
             2.5, True, outcomes="complaint"),
    CaseType({"Whistleblowing": 60, "Freedom to Speak Up": 40}, 0.4, True, outcomes="complaint"),
)
APPEAL_LABELS = {"Appeal": 60, "Disciplinary Appeal": 40}
OUTCOMES = {
    "disciplinary": {"Formal Warning": 25, "Final Written Warning": 12, "Dismissal": 8,
                     "No Case to Answer": 15, "Allegations Not Upheld": 12, "Informal Action": 15,
                     "Resigned": 6, "Outcome Not Recorded": 2, "": 5},
    "capability": {"Improvement Plan Completed": 35, "Formal Warning": 12, "Dismissal": 5,
                   "Redeployment": 10, "Resigned": 8, "Ill Health Retirement": 5,
                   "Outcome Not Recorded": 5, "": 20},
    "complaint": {"Upheld": 20, "Partially Upheld": 20, "Not Upheld": 35, "Mediation": 15, "": 10},
    "appeal": {"Upheld": 20, "Not Upheld": 65, "Withdrawn": 10, "": 5},
}


def case_labels() -> list[str]:
    """Every local case-type label the tracker uses."""
    labels = [label for case in CASE_TYPES for label in case.labels] + list(APPEAL_LABELS)
    return list(dict.fromkeys(labels))


def outcome_labels() -> list[str]:
    return sorted({o for table in OUTCOMES.values() for o in table if o} | {"Ongoing"})


def er_case_table(rng: np.random.Generator, pop: Population) -> Table:
    exposure = person_years(pop)
    staff, window = pop.staff, pop.window
    # Which cases drag on comes from a stream of its own, so the case draws stay as they were.
    drags = rng.spawn(1)[0]
    person = exposure["person"]
    bme = is_bme(staff.ethnicity[person])
    disabled = staff.disability_at(exposure["end"], person) == "Yes"
    cases = []
    for case_type in CASE_TYPES:
        rate = case_type.per_1000 / 1000 * np.where(bme, case_type.bme_rl, 1.0) * \
            np.where(disabled, case_type.disabled_rl, 1.0)
        starts = rng.random(person.size) < 1 - np.exp(-rate * exposure["exposure"])
        start = uniform_days(rng, exposure["start"][starts], exposure["end"][starts])
        built = _cases(rng, case_type.labels, case_type.outcomes, person[starts], start,
                       case_type.formal, window.end)
        cases.append(_drag_on(drags, built, case_type.formal, window.end))
    cases.append(_drag_on(drags, _appeals(rng, cases, window.end), True, window.end))
    merged = {k: np.concatenate([c[k] for c in cases]) for k in cases[0]}
    order = np.lexsort((staff.employee_number[merged["person"]], merged["opened"]))
    merged = {k: v[order] for k, v in merged.items()}
    year = year_of(merged["opened"])
    sequence = _sequence_within(year)
    reference = np.array([f"{pop.trust.code}/ER/{y}/{s:04d}" for y, s in zip(year, sequence)], dtype=object)
    return Table(HEADER, {
        "Case Reference": reference,
        "Organisation Code": np.full(reference.size, pop.trust.code, dtype=object),
        "Employee Number": staff.employee_number[merged["person"]].astype(str).astype(object),
        "Case Type": merged["label"],
        "Date Opened": format_days(merged["opened"], DATE_FORMAT),
        "Formal Stage Start Date": format_days(merged["formal"], DATE_FORMAT),
        "Date Closed": format_days(merged["closed"], DATE_FORMAT),
        "Stage": merged["stage"],
        "Outcome": merged["outcome"],
    })


def _cases(rng, labels: dict[str, float], outcomes: str, person: np.ndarray, start: np.ndarray,
           formal: bool, last_day: int) -> dict[str, np.ndarray]:
    """Dates, stage and outcome of cases; `start` is the formal-stage start (or informal start)."""
    n = person.size
    opened = start - np.where(formal, rng.integers(0, 61, n), 0)
    duration = np.minimum(rng.lognormal(np.log(90), 0.8, n), 900).astype(np.int64)
    closed = start + duration
    still_open = closed > last_day
    closed = np.where(still_open, MISSING, closed)
    stage = np.where(still_open, np.array(OPEN_STAGES, dtype=object)[rng.integers(0, len(OPEN_STAGES), n)],
                     "Closed").astype(object)
    outcome = _draw(rng, OUTCOMES[outcomes], n)
    outcome[still_open] = np.where(rng.random(still_open.sum()) < 0.6, "Ongoing", "")
    if not formal:
        stage[still_open] = "Informal"
        outcome[~still_open & (outcome == "Dismissal")] = "Informal Action"
    return {"person": person, "label": _draw(rng, labels, n), "opened": opened,
            "formal": start if formal else np.full(n, MISSING, dtype=np.int64),
            "closed": closed, "stage": stage, "outcome": outcome}


def _appeals(rng, cases: list[dict], last_day: int) -> dict[str, np.ndarray]:
    """Some closed formal disciplinary and capability cases come back as an appeal case."""
    source = [c for case_type, c in zip(CASE_TYPES, cases)
              if case_type.formal and case_type.outcomes in ("disciplinary", "capability")]
    person = np.concatenate([c["person"] for c in source])
    closed = np.concatenate([c["closed"] for c in source])
    appealed = (closed != MISSING) & (closed + 30 < last_day) & (rng.random(person.size) < APPEAL_SHARE)
    start = closed[appealed] + rng.integers(5, 30, appealed.sum())
    return _cases(rng, APPEAL_LABELS, "appeal", person[appealed], start, True, last_day)


def _drag_on(drags, cases: dict[str, np.ndarray], formal: bool, last_day: int) -> dict[str, np.ndarray]:
    """Some cases run for 13 months to 4 years from their (formal) start; those not over by the
    extract date are left open, often with no outcome recorded."""
    n = cases["person"].size
    start = np.where(cases["formal"] != MISSING, cases["formal"], cases["opened"])
    long_running = (drags.random(n) < LONG_RUNNING_SHARE) & (cases["closed"] != MISSING)
    closed = np.maximum(cases["closed"], start + drags.integers(*LONG_RUNNING_DAYS, n, endpoint=True))
    still_open = long_running & (closed > last_day)
    stage = np.array(OPEN_STAGES, dtype=object)[drags.integers(0, len(OPEN_STAGES), n)] if formal else \
        np.full(n, "Informal", dtype=object)
    outcome = np.where(drags.random(n) < 0.6, "Ongoing", "").astype(object)
    cases = dict(cases)
    cases["closed"] = np.where(still_open, MISSING, np.where(long_running, closed, cases["closed"]))
    cases["stage"] = np.where(still_open, stage, cases["stage"]).astype(object)
    cases["outcome"] = np.where(still_open, outcome, cases["outcome"]).astype(object)
    return cases


def _draw(rng, weights: dict[str, float], n: int) -> np.ndarray:
    values = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return values[rng.choice(len(values), n, p=p / p.sum())]


def _sequence_within(groups: np.ndarray) -> np.ndarray:
    """1, 2, 3, … restarting at each new value of a sorted-by-date key (case numbers per year)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    first = np.flatnonzero(starts)[np.cumsum(starts) - 1]
    sequence = np.empty(groups.size, dtype=np.int64)
    sequence[order] = np.arange(groups.size) - first + 1
    return sequence
