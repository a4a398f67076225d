"""Training records (ESR OLM style): statutory/mandatory renewals and non-mandatory CPD.

Planted (WRES 4): White staff access non-mandatory training/CPD in a year ~1.15x as often as BME
staff, at the same rate in every staff group.
"""

from __future__ import annotations

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.codes import STAFF_GROUPS
from orchestration.synthetic.dates import format_days, uniform_days
from orchestration.synthetic.ethnicity import is_bme
from orchestration.synthetic.population import YEAR, Population, person_last_day, person_years
from orchestration.synthetic.writer import Table

DATE_FORMAT = "%d/%m/%Y"
HEADER = ("Employee Number", "Organisation Code", "Course Code", "Course Title", "Mandatory",
          "Completion Date", "Delivery Method")
# (code, title, renewal in years, clinical staff only)
MANDATORY = (
    ("CSTF-FS", "NHS|CSTF|Fire Safety - 2 Years|", 2, False),
    ("CSTF-IG", "NHS|CSTF|Information Governance and Data Security - 1 Year|", 1, False),
    ("CSTF-EDHR", "NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|", 3, False),
    ("CSTF-BLS", "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|", 1, True),
)
CPD = (
    ("CPD-LDR1", "Leadership Essentials"), ("CPD-MSP", "Mary Seacole Programme"),
    ("CPD-COACH", "Coaching Skills"), ("CPD-QI", "Quality Improvement Foundations"),
    ("CPD-PAS", "Practice Assessor and Supervisor"), ("CPD-NMP", "Non-Medical Prescribing"),
    ("CPD-ACP", "Advanced Clinical Practice Module"), ("CPD-RES", "Research Skills"),
    ("CPD-DIG", "Digital Skills for Managers"), ("CPD-CONF", "Conference Attendance"),
    ("CPD-TEACH", "Teaching the Teachers"),
)
CLINICAL_GROUPS = {"Additional Clinical Services", "Allied Health Professionals", "Medical and Dental",
                   "Nursing and Midwifery Registered"}
DELIVERY = ("e-Learning", "Face to Face", "Virtual Classroom")
LAPSED_SHARE = 0.08  # renewals missed
EXTRA_CPD_PER_YEAR = 0.3  # further courses once someone accesses CPD in a year


def course_codes() -> list[str]:
    return [c for c, *_ in MANDATORY] + [c for c, _ in CPD]


def training_record_table(rng: np.random.Generator, pop: Population) -> Table:
    parts = [_mandatory(rng, pop), _non_mandatory(rng, pop)]
    person = np.concatenate([p[0] for p in parts])
    course = np.concatenate([p[1] for p in parts])
    day = np.concatenate([p[2] for p in parts])
    # One completion per person, course and day.
    keys = np.unique(np.stack([person, course, day]), axis=1)
    person, course, day = keys
    codes = np.array(course_codes(), dtype=object)
    titles = np.array([t for _, t, *_ in MANDATORY] + [t for _, t in CPD], dtype=object)
    mandatory = course < len(MANDATORY)
    delivery = np.where(mandatory, "e-Learning",
                        np.array(DELIVERY, dtype=object)[rng.integers(0, len(DELIVERY), person.size)])
    order = np.lexsort((course, day, pop.staff.employee_number[person]))
    table = {
        "Employee Number": pop.staff.employee_number[person].astype(str).astype(object),
        "Organisation Code": np.full(person.size, pop.trust.code, dtype=object),
        "Course Code": codes[course],
        "Course Title": titles[course],
        "Mandatory": np.where(mandatory, "Y", "N").astype(object),
        "Completion Date": format_days(day, DATE_FORMAT),
        "Delivery Method": delivery.astype(object),
    }
    return Table(HEADER, {k: v[order] for k, v in table.items()})


def _mandatory(rng, pop: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Renewals at each course's interval while employed; joiners do them at induction."""
    staff, window = pop.staff, pop.window
    first = np.maximum(staff.hire, window.start)
    last = person_last_day(staff, window)
    active = np.flatnonzero(~staff.bank_only & (first <= last))
    clinical = np.isin(np.array(STAFF_GROUPS, dtype=object)[staff.group[active]], list(CLINICAL_GROUPS))
    people, courses, days = [], [], []
    for c, (_, _, renewal, clinical_only) in enumerate(MANDATORY):
        who = active[clinical] if clinical_only else active
        period = int(renewal * YEAR)
        # Next due date: shortly after joining, or somewhere in the cycle for the stock.
        due = np.where(staff.joiner[who], staff.hire[who] + rng.integers(0, 30, who.size),
                       first[who] + rng.integers(0, period, who.size))
        for k in range(int(np.ceil(window.years / renewal)) + 1):
            day = due + k * period + rng.integers(-20, 21, who.size)
            done = (day >= first[who]) & (day <= last[who]) & (rng.random(who.size) >= LAPSED_SHARE)
            people.append(who[done])
            courses.append(np.full(done.sum(), c))
            days.append(day[done])
    return np.concatenate(people), np.concatenate(courses), np.concatenate(days)


def _non_mandatory(rng, pop: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    exposure = person_years(pop)
    person = exposure["person"]
    bme = is_bme(pop.staff.ethnicity[person])
    rate = effects.NONMANDATORY_TRAINING_WHITE / np.where(bme, effects.NONMANDATORY_TRAINING_RL_WHITE_VS_BME, 1.0)
    # An annual chance, whatever part of the year someone worked: WRES 4 counts staff in post at
    # 31 March who accessed CPD in the year, so joiners must not dilute it.
    accessed = rng.random(person.size) < rate
    courses = 1 + rng.poisson(EXTRA_CPD_PER_YEAR, person.size) * accessed
    rows = np.repeat(np.flatnonzero(accessed), courses[accessed])
    day = uniform_days(rng, exposure["start"][rows], exposure["end"][rows])
    course = len(MANDATORY) + rng.integers(0, len(CPD), rows.size)
    return person[rows], course, day
