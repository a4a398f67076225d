"""Datix-style flat incident export: one row per incident × affected person.

Staff are identified the way real exports do it: by employee number, by work email only, or not
at all, and a few references match nobody in ESR. Planted: BME staff are victims of violence,
aggression and abuse from patients and the public ~1.3x as often as White staff (HIA6).
"""

from __future__ import annotations

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.dates import format_days, uniform_days
from orchestration.synthetic.esr import work_emails
from orchestration.synthetic.ethnicity import is_bme
from orchestration.synthetic.population import Population, person_years
from orchestration.synthetic.writer import Table

DATE_FORMAT = "%d/%m/%Y"
HEADER = (
    "Ref", "Link Seq", "Organisation Code", "Incident Date", "Incident Time", "Reported Date", "Site",
    "Directorate", "Location", "Type", "Category", "Subcategory", "Harm", "Staff Employee Number",
    "Staff Email", "Perpetrator", "Discriminatory", "Police Informed", "RIDDOR", "Days Lost",
    "Approval Status",
)
STAFF_INCIDENT = "Incident affecting staff"
PATIENT_INCIDENT = "Patient safety incident"
VIOLENCE = "Violence, aggression and abuse"
# (subcategory, perpetrator, weight, physical) for abuse of staff by patients and the public.
PUBLIC_ABUSE = (
    ("Physical assault to staff by patient", "Patient", 22, True),
    ("Verbal abuse to staff by patient", "Patient", 30, False),
    ("Disruptive or aggressive behaviour to staff by patient", "Patient", 15, False),
    ("Racial abuse to staff by patient", "Patient", 4, False),
    ("Sexual harassment of staff by patient", "Patient", 3, False),
    ("Disruptive or aggressive behaviour to staff by patient's relative", "Relative", 7, False),
    ("Verbal abuse to staff by patient's relative", "Relative", 5, False),
    ("Physical assault to staff by patient's relative", "Relative", 1, True),
    ("Physical assault to staff by member of public", "Visitor-Public", 2, True),
    ("Verbal abuse to staff by member of public", "Visitor-Public", 4, False),
    ("Disruptive or aggressive behaviour to staff by member of public", "Visitor-Public", 2, False),
    ("Abuse of staff - perpetrator not known", "Unknown", 5, False),
)
STAFF_ABUSE = (
    ("Abuse of staff by other staff", 40), ("Bullying of staff by other staff", 30),
    ("Harassment of staff by other staff", 20), ("Discrimination against staff by other staff", 10),
)
STAFF_ABUSE_CATEGORY = "Bullying and harassment"
ACCIDENT_CATEGORY = "Accident/injury to staff"
ACCIDENTS = (("Needlestick or sharps injury", 40), ("Slip, trip or fall - staff", 35),
             ("Manual handling injury - staff", 25))
ACCIDENTS_PER_1000 = 12.0
PATIENT_CATEGORIES = {"Medication": ("Wrong dose", "Omitted dose"), "Patient fall": ("Fall from bed", "Fall on level ground"),
                      "Pressure ulcer": ("Category 2", "Category 3")}
PATIENT_INCIDENTS_PER_1000 = 20.0
HARM = ("No harm", "Low harm", "Moderate harm", "Severe harm", "Death")
APPROVAL = (("FA", 85), ("AWAREV", 7), ("INREV", 5), ("REJECT", 3))
SITES = {
    "acute": ("Main Hospital", "Community Hospital", "Outpatient Centre"),
    "specialist": ("Main Hospital", "Satellite Unit"),
    "mental_health": ("Inpatient Unit", "Community Mental Health Team Base", "Secure Unit"),
    "community": ("Community Hospital", "Health Centre", "Patient's Home"),
    "ambulance": ("Emergency Operations Centre", "Ambulance Station", "Scene of Incident"),
}
DIRECTORATES = {
    "acute": ("Medicine", "Surgery", "Emergency Care", "Women and Children", "Clinical Support", "Corporate"),
    "specialist": ("Specialist Services", "Surgery", "Clinical Support", "Corporate"),
    "mental_health": ("Adult Inpatient", "Community Mental Health", "Forensic", "CAMHS", "Older People"),
    "community": ("Adult Community Services", "Children's Services", "Specialist Services", "Corporate"),
    "ambulance": ("A&E Operations", "Emergency Operations Centre", "Patient Transport", "Corporate"),
}
LOCATIONS = ("Ward", "Emergency Department", "Corridor", "Car park", "Reception", "Patient's home",
             "Outpatients", "Vehicle")
IDENTIFIED_BY = (("number", 0.55), ("email", 0.25), ("none", 0.20))
UNMATCHED_SHARE = 0.02  # identified staff references that match nobody in ESR
SHARED_INCIDENT_SHARE = 0.10  # victims added to the incident before them (several staff affected)


def subcategories() -> list[str]:
    names = [s for s, *_ in PUBLIC_ABUSE] + [s for s, _ in STAFF_ABUSE] + [s for s, _ in ACCIDENTS]
    return names + [s for subs in PATIENT_CATEGORIES.values() for s in subs]


def categories() -> list[str]:
    return [VIOLENCE, STAFF_ABUSE_CATEGORY, ACCIDENT_CATEGORY, *PATIENT_CATEGORIES]


def datix_incident_table(rng: np.random.Generator, pop: Population) -> Table:
    events = _staff_events(rng, pop)
    events = _add_patient_incidents(rng, pop, events)
    incident, link, lead = _group_into_incidents(rng, events)
    n = incident.size
    number, email = _staff_references(rng, pop, events["person"])
    kind = pop.trust.kind
    day = events["day"]
    reported = np.minimum(day + rng.geometric(0.5, n) - 1 + (rng.random(n) < 0.1) * rng.integers(1, 14, n),
                          pop.window.end)  # the extract is taken at the window end
    approval = _weighted(rng, APPROVAL, n)
    table = {
        "Ref": np.array([f"W{pop.trust.number}{i:06d}" for i in incident], dtype=object),
        "Link Seq": link.astype(str).astype(object),
        "Organisation Code": np.full(n, pop.trust.code, dtype=object),
        "Incident Date": format_days(day, DATE_FORMAT),
        "Incident Time": _times(rng, n),
        "Reported Date": format_days(reported, DATE_FORMAT),
        "Site": _choice(rng, SITES[kind], n),
        "Directorate": _choice(rng, DIRECTORATES[kind], n),
        "Location": _choice(rng, LOCATIONS, n),
        "Type": events["type"],
        "Category": events["category"],
        "Subcategory": events["subcategory"],
        "Harm": _harm(rng, events["physical"]),
        "Staff Employee Number": number,
        "Staff Email": email,
        "Perpetrator": events["perpetrator"],
        "Discriminatory": events["discriminatory"],
        "Police Informed": np.where(rng.random(n) < np.where(events["physical"], 0.3, 0.03), "Y", "N").astype(object),
        "RIDDOR": np.full(n, "N", dtype=object),
        "Days Lost": np.full(n, "0", dtype=object),
        "Approval Status": approval,
    }
    injured = events["physical"] & (rng.random(n) < 0.1)
    days_lost = rng.integers(1, 31, injured.sum())
    table["Days Lost"][injured] = days_lost.astype(str)
    table["RIDDOR"][np.flatnonzero(injured)[days_lost > 7]] = "Y"
    # Shared incidents: every victim row repeats the incident's own details.
    for column in ("Incident Time", "Reported Date", "Site", "Directorate", "Location", "Approval Status"):
        table[column] = table[column][lead]
    return Table(HEADER, table)


def _staff_events(rng, pop: Population) -> dict[str, np.ndarray]:
    """One event per staff victim, from rates per person-year."""
    exposure = person_years(pop)
    person = exposure["person"]
    bme = is_bme(pop.staff.ethnicity[person])
    base = effects.PUBLIC_ABUSE_PER_1000_WHITE[pop.trust.kind] / 1000
    public_rate = base * np.where(bme, effects.PUBLIC_ABUSE_RL_BME_VS_WHITE, 1.0)
    parts = []
    for rate, make in ((public_rate, _public_abuse), (effects.STAFF_ABUSE_PER_1000 / 1000, _staff_abuse),
                       (ACCIDENTS_PER_1000 / 1000, _accidents)):
        count = rng.poisson(np.broadcast_to(rate, person.shape) * exposure["exposure"])
        rows = np.repeat(np.arange(person.size), count)
        day = uniform_days(rng, exposure["start"][rows], exposure["end"][rows])
        parts.append({"person": person[rows], "day": day, **make(rng, bme[rows])})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _public_abuse(rng, bme: np.ndarray) -> dict[str, np.ndarray]:
    n = bme.size
    weights = np.array([w for *_, w, _ in PUBLIC_ABUSE], dtype=float)
    pick = rng.choice(len(PUBLIC_ABUSE), n, p=weights / weights.sum())
    subcategory = np.array([s for s, *_ in PUBLIC_ABUSE], dtype=object)[pick]
    share = np.where(bme, effects.DISCRIMINATORY_SHARE["bme"], effects.DISCRIMINATORY_SHARE["white"])
    discriminatory = (rng.random(n) < share) | np.char.startswith(subcategory.astype(str), "Racial")
    return {"type": np.full(n, STAFF_INCIDENT, dtype=object), "category": np.full(n, VIOLENCE, dtype=object),
            "subcategory": subcategory,
            "perpetrator": np.array([p for _, p, *_ in PUBLIC_ABUSE], dtype=object)[pick],
            "physical": np.array([ph for *_, ph in PUBLIC_ABUSE])[pick],
            "discriminatory": np.where(discriminatory, "Y", "N").astype(object)}


def _staff_abuse(rng, bme: np.ndarray) -> dict[str, np.ndarray]:
    n = bme.size
    subcategory = _weighted(rng, STAFF_ABUSE, n)
    discriminatory = subcategory == "Discrimination against staff by other staff"
    return {"type": np.full(n, STAFF_INCIDENT, dtype=object),
            "category": np.full(n, STAFF_ABUSE_CATEGORY, dtype=object), "subcategory": subcategory,
            "perpetrator": np.full(n, "Staff", dtype=object), "physical": np.zeros(n, bool),
            "discriminatory": np.where(discriminatory, "Y", "N").astype(object)}


def _accidents(rng, bme: np.ndarray) -> dict[str, np.ndarray]:
    n = bme.size
    return {"type": np.full(n, STAFF_INCIDENT, dtype=object),
            "category": np.full(n, ACCIDENT_CATEGORY, dtype=object),
            "subcategory": _weighted(rng, ACCIDENTS, n), "perpetrator": np.full(n, "", dtype=object),
            "physical": np.zeros(n, bool), "discriminatory": np.full(n, "N", dtype=object)}


def _add_patient_incidents(rng, pop: Population, events: dict) -> dict[str, np.ndarray]:
    """Patient-safety incidents share the export but affect no staff member (person -1)."""
    headcount = pop.staff.employed_on(pop.window.start).sum()
    n = rng.poisson(PATIENT_INCIDENTS_PER_1000 / 1000 * headcount * pop.window.years)
    category = _choice(rng, tuple(PATIENT_CATEGORIES), n)
    subcategory = np.array([PATIENT_CATEGORIES[c][k] for c, k in zip(category, rng.integers(0, 2, n))], dtype=object)
    patient = {"person": np.full(n, -1), "day": uniform_days(rng, np.full(n, pop.window.start), np.full(n, pop.window.end)),
               "type": np.full(n, PATIENT_INCIDENT, dtype=object), "category": category,
               "subcategory": subcategory, "perpetrator": np.full(n, "", dtype=object),
               "physical": np.zeros(n, bool), "discriminatory": np.full(n, "N", dtype=object)}
    return {k: np.concatenate([events[k], patient[k]]) for k in events}


def _group_into_incidents(rng, events: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort by date and number the incidents (in place on `events`).

    Some victims of violence join the violence incident just before them, as a second or third
    person affected. Returns the incident number, link sequence and lead row of every row.
    """
    order = np.argsort(events["day"], kind="stable")
    for key in events:
        events[key] = events[key][order]
    n = order.size
    violence = (events["category"] == VIOLENCE) & (events["person"] >= 0)
    joins = violence & np.r_[False, violence[:-1]] & (rng.random(n) < SHARED_INCIDENT_SHARE)
    lead = np.maximum.accumulate(np.where(joins, 0, np.arange(n)))
    for key in ("day", "subcategory", "perpetrator", "physical"):
        events[key] = events[key][lead]
    return np.cumsum(~joins), np.arange(n) - lead + 1, lead


def _staff_references(rng, pop: Population, person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Employee number, or only a work email, or nothing; a few point at nobody: a number (or
    its e-mail) no member of staff has."""
    n = person.size
    staff = person >= 0
    how = np.where(staff, rng.choice(3, n, p=[p for _, p in IDENTIFIED_BY]), 2)
    numbers = np.where(staff, pop.staff.employee_number[np.maximum(person, 0)], 0)
    nobody = (how < 2) & (rng.random(n) < UNMATCHED_SHARE)
    unused = np.setdiff1d(pop.trust.number * 100_000 + np.arange(100_000), pop.staff.employee_number)
    numbers[nobody] = rng.choice(unused, nobody.sum())
    number = np.where(how == 0, numbers.astype(str), "").astype(object)
    email = np.where(how == 1, work_emails(numbers), "").astype(object)
    capitalised = (how == 1) & (rng.random(n) < 0.5)
    email[capitalised] = [e.title().replace("@Nhs.Net", "@nhs.net") for e in email[capitalised]]
    return number, email


def _times(rng, n: int) -> np.ndarray:
    """Incident time as HHMM or HH:MM text, sometimes missing."""
    hour, minute = rng.integers(0, 24, n), rng.integers(0, 12, n) * 5
    colon = rng.random(n) < 0.5
    text = np.array([f"{h:02d}:{m:02d}" if c else f"{h:02d}{m:02d}" for h, m, c in zip(hour, minute, colon)],
                    dtype=object)
    text[rng.random(n) < 0.05] = ""
    return text


def _harm(rng, physical: np.ndarray) -> np.ndarray:
    n = physical.size
    harm = np.where(physical, rng.choice(5, n, p=[0.45, 0.45, 0.08, 0.019, 0.001]),
                    rng.choice(5, n, p=[0.8, 0.18, 0.02, 0.0, 0.0]))
    return np.array(HARM, dtype=object)[harm]


def _weighted(rng, weighted, n: int) -> np.ndarray:
    values = np.array([v for v, _ in weighted], dtype=object)
    p = np.array([w for _, w in weighted], dtype=float)
    return values[rng.choice(len(values), n, p=p / p.sum())]


def _choice(rng, values: tuple[str, ...], n: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.integers(0, len(values), n)]
