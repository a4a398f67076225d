"""ESR assignment history: one row per assignment version (effective start → effective end).

A version changes when a person is promoted (or a doctor in training progresses at the August
changeover), changes hours, updates their disability record, moves from a fixed-term to a
permanent contract, or acts up / goes on secondment for a while.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from orchestration.synthetic.codes import (
    AFC_PAYSCALES, BOARD_OCCUPATION, ETHNIC_FAMILY, MEDICAL, MEDICAL_OCCUPATIONS, NED_PAYSCALE,
    OCCUPATIONS, PAYSCALES, RELIGION_VALUES, SEXUAL_ORIENTATION_VALUES, STAFF_GROUPS,
    TRAINEE_PAYSCALES, TRUNCATED_STAFF_GROUP, VSM_PAYSCALE,
)
from orchestration.synthetic.dates import MISSING, august_changeovers, format_days, uniform_days
from orchestration.synthetic.ethnicity import display, local_codes
from orchestration.synthetic.population import FULL_TIME, PART_TIME_WTE, YEAR, Population
from orchestration.synthetic.writer import Table, decimals

DATE_FORMAT = "%d/%m/%Y"
HEADER = (
    "Employee Number", "Assignment Number", "Organisation", "Effective Start Date",
    "Effective End Date", "Assignment Status", "Assignment Category", "Primary Assignment",
    "Staff Group", "Occupation Code", "Payscale", "Contracted WTE", "Gender", "Date of Birth",
    "Ethnic Origin", "Disability", "Religious Belief", "Sexual Orientation", "Hire Date",
    "Termination Date", "Leaving Reason", "Work Email", "Board Membership",
)
TRUNCATED_GROUP_SHARE = 0.4  # rows carrying "Add Prof Scientific and Technic"
PROMOTION_PER_YEAR = 0.07  # Agenda for Change band steps
TOP_GRADE = {"Additional Clinical Services": "XN04", "Nursing and Midwifery Registered": "XN08D",
             "Estates and Ancillary": "XN08B", "Students": "XN03"}  # others can reach XN09
TRAINEE_PROGRESSION = 0.6  # chance a doctor in training moves up a grade at a changeover
WTE_CHANGE_PER_YEAR = 0.06
FIXED_TERM_TO_PERMANENT_PER_YEAR = 0.3
TEMPORARY_STATUS_SHARE = 0.03  # assignments with an acting-up or secondment period
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwxyz" for v in "aeiou"]  # 100: one per digit pair


@dataclass
class Versions:
    """Assignment versions, sorted by assignment then effective start."""

    assignment: np.ndarray
    start: np.ndarray
    end: np.ndarray  # MISSING while open
    payscale: np.ndarray
    wte: np.ndarray
    category: np.ndarray
    status: np.ndarray
    disability: np.ndarray

    def in_force(self, day: int, assignments: int) -> np.ndarray:
        """Per assignment, the index of the version in force on `day` (-1 if none)."""
        rows = np.flatnonzero((self.start <= day) & ((self.end == MISSING) | (self.end >= day)))
        index = np.full(assignments, -1, dtype=np.int64)
        index[self.assignment[rows]] = rows
        return index


@dataclass
class _Changes:
    assignment: np.ndarray
    day: np.ndarray
    field: str
    value: np.ndarray


def build_versions(rng: np.random.Generator, pop: Population) -> Versions:
    asg, window = pop.assignments, pop.window
    first = np.maximum(asg.start, window.start)
    last = np.where(asg.end == MISSING, window.end, np.minimum(asg.end, window.end))
    # The version in force when the window opens started at the last change before it.
    initial_day = np.where(asg.start >= window.start, asg.start,
                           uniform_days(rng, asg.start, np.full(len(asg), window.start - 1)))
    initial = {
        "payscale": np.zeros(len(asg)), "wte": asg.wte, "category": asg.category,
        "status": np.full(len(asg), "Active Assignment", dtype=object),
        "disability": pop.staff.disability_at(initial_day, asg.person),
    }
    changes = [
        *_promotions(rng, pop, first, last),
        _hours_changes(rng, pop, first, last),
        _disability_updates(pop, first, last),
        _fixed_term_conversions(rng, pop, first, last),
        *_temporary_statuses(rng, pop, first, last),
    ]
    return _apply_changes(pop, initial_day, initial, changes)


def _substantive_primary(pop: Population) -> np.ndarray:
    asg, staff = pop.assignments, pop.staff
    payscale = np.array(PAYSCALES, dtype=object)[asg.payscale]
    return asg.primary & ~staff.bank_only[asg.person] & ~np.isin(payscale, [VSM_PAYSCALE, NED_PAYSCALE])


def _promotions(rng, pop: Population, first, last) -> list[_Changes]:
    """Band steps for AfC staff; grade progression at the changeover for doctors in training."""
    asg = pop.assignments
    eligible = _substantive_primary(pop)
    trainee = np.isin(asg.payscale, [PAYSCALES.index(p) for p in TRAINEE_PAYSCALES])
    afc = eligible & (asg.payscale < len(AFC_PAYSCALES))
    years = np.maximum(last - first, 0) / YEAR
    count = np.where(afc, np.minimum(rng.poisson(PROMOTION_PER_YEAR * years), 2), 0)
    who = np.repeat(np.arange(len(asg)), count)
    afc_steps = _Changes(who, uniform_days(rng, first[who], last[who]), "payscale", np.ones(who.size))
    trainee_steps = []
    for changeover in august_changeovers(pop.window):
        moving = np.flatnonzero(eligible & trainee & (first < changeover) & (last >= changeover) &
                                (rng.random(len(asg)) < TRAINEE_PROGRESSION))
        trainee_steps.append(_Changes(moving, np.full(moving.size, changeover), "payscale",
                                      np.ones(moving.size)))
    return [afc_steps, *trainee_steps]


def _hours_changes(rng, pop: Population, first, last) -> _Changes:
    asg = pop.assignments
    eligible = _substantive_primary(pop) & ~np.isin(
        asg.payscale, [PAYSCALES.index(p) for p in TRAINEE_PAYSCALES])
    years = np.maximum(last - first, 0) / YEAR
    who = np.flatnonzero(eligible & (rng.random(len(asg)) < 1 - np.exp(-WTE_CHANGE_PER_YEAR * years)))
    female = pop.staff.female[asg.person[who]]
    values, weights = PART_TIME_WTE
    wte = np.where(rng.random(who.size) < np.where(female, FULL_TIME[True], FULL_TIME[False]), 1.0,
                   values[rng.choice(len(values), who.size, p=weights)])
    return _Changes(who, uniform_days(rng, first[who], last[who]), "wte", wte)


def _disability_updates(pop: Population, first, last) -> _Changes:
    """A person's updated disability record shows on every assignment they hold that day."""
    asg, staff = pop.assignments, pop.staff
    day = staff.disability_update[asg.person]
    who = np.flatnonzero((day != MISSING) & (day > first) & (day <= last))
    return _Changes(who, day[who], "disability", staff.disability_updated[asg.person[who]])


def _fixed_term_conversions(rng, pop: Population, first, last) -> _Changes:
    asg = pop.assignments
    eligible = _substantive_primary(pop) & (asg.category == "Fixed Term Temp") & ~np.isin(
        asg.payscale, [PAYSCALES.index(p) for p in TRAINEE_PAYSCALES])
    years = np.maximum(last - first, 0) / YEAR
    who = np.flatnonzero(eligible & (rng.random(len(asg)) <
                                     1 - np.exp(-FIXED_TERM_TO_PERMANENT_PER_YEAR * years)))
    return _Changes(who, uniform_days(rng, first[who], last[who]), "category",
                    np.full(who.size, "Permanent", dtype=object))


def _temporary_statuses(rng, pop: Population, first, last) -> list[_Changes]:
    """Acting up or an internal secondment for 3-12 months, then back to the substantive post."""
    eligible = _substantive_primary(pop) & (last - first > 120)
    who = np.flatnonzero(eligible & (rng.random(len(eligible)) < TEMPORARY_STATUS_SHARE))
    begins = uniform_days(rng, first[who], last[who] - 90)
    ends = begins + rng.integers(90, 366, who.size)
    status = np.array(["Acting Up", "Internal Secondment"], dtype=object)[rng.integers(0, 2, who.size)]
    back = ends <= last[who]
    return [_Changes(who, begins, "status", status),
            _Changes(who[back], ends[back], "status",
                     np.full(back.sum(), "Active Assignment", dtype=object))]


def _apply_changes(pop: Population, initial_day, initial: dict, changes: list[_Changes]) -> Versions:
    """Stack initial rows and changes, carry every field forward, and merge same-day changes."""
    n = len(initial_day)
    assignment = np.concatenate([np.arange(n)] + [c.assignment for c in changes])
    day = np.concatenate([initial_day] + [c.day for c in changes]).astype(np.int64)
    is_initial = np.concatenate([np.ones(n, bool)] + [np.zeros(c.assignment.size, bool) for c in changes])
    order = np.lexsort((~is_initial, day, assignment))
    assignment, day = assignment[order], day[order]
    row = np.arange(order.size)
    fields = {}
    for name, start_values in initial.items():
        values = np.concatenate([np.asarray(start_values, dtype=object)] + [
            c.value.astype(object) if c.field == name else np.full(c.assignment.size, None, dtype=object)
            for c in changes])[order]
        if name == "payscale":  # steps accumulate
            steps = np.where(values == None, 0, values).astype(np.int64)  # noqa: E711
            fields[name] = _climb(pop, assignment, np.cumsum(steps) - _group_offsets(assignment, np.cumsum(steps) - steps))
            continue
        changed = values != None  # noqa: E711
        carried = np.maximum.accumulate(np.where(changed, row, 0))
        fields[name] = values[carried]
    keep = np.r_[(assignment[1:] != assignment[:-1]) | (day[1:] != day[:-1]), True]
    assignment, day = assignment[keep], day[keep]
    fields = {k: v[keep] for k, v in fields.items()}
    next_same = np.r_[assignment[1:] == assignment[:-1], False]
    end = np.where(next_same, np.r_[day[1:], 0] - 1, pop.assignments.end[assignment])
    return Versions(assignment=assignment, start=day, end=end.astype(np.int64),
                    payscale=fields["payscale"], wte=fields["wte"].astype(float),
                    category=fields["category"], status=fields["status"],
                    disability=fields["disability"])


def _group_offsets(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Broadcast each group's first value to its rows (groups are contiguous)."""
    starts = np.r_[True, groups[1:] != groups[:-1]]
    return values[np.flatnonzero(starts)][np.cumsum(starts) - 1]


def _climb(pop: Population, assignment: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Initial payscale moved `steps` rungs up its staff group's ladder."""
    asg = pop.assignments
    payscale = asg.payscale[assignment].astype(np.int64)
    group = pop.staff.group[asg.person[assignment]]
    ladder = _ladders()
    for k in range(1, int(steps.max(initial=0)) + 1):
        payscale = np.where(steps >= k, ladder[group, payscale], payscale)
    return payscale


@cache
def _ladders() -> np.ndarray:
    """next_grade[staff group, payscale]: the grade a promotion leads to (itself at the top)."""
    ladder = np.tile(np.arange(len(PAYSCALES)), (len(STAFF_GROUPS), 1))
    for g, group in enumerate(STAFF_GROUPS):
        top = AFC_PAYSCALES.index(TOP_GRADE.get(group, "XN09"))
        for p in range(top):
            ladder[g, p] = p + 1
    rungs = [PAYSCALES.index(p) for p in TRAINEE_PAYSCALES]  # F1 → F2 → core → registrar
    for lower, upper in zip(rungs, rungs[1:]):
        ladder[MEDICAL, lower] = upper
    return ladder


# --- The extract -------------------------------------------------------------------------------


def esr_assignment_table(rng: np.random.Generator, pop: Population, versions: Versions) -> Table:
    staff, asg = pop.staff, pop.assignments
    person = asg.person[versions.assignment]
    people = _person_fields(rng, pop)
    employee = staff.employee_number.astype(str).astype(object)
    assignment_number = employee[asg.person] + "-" + asg.suffix.astype(str).astype(object)
    payscale = np.array(PAYSCALES, dtype=object)[versions.payscale]
    table = {
        "Employee Number": employee[person],
        "Assignment Number": assignment_number[versions.assignment],
        "Organisation": np.full(person.size, pop.trust.code, dtype=object),
        "Effective Start Date": format_days(versions.start, DATE_FORMAT),
        "Effective End Date": format_days(versions.end, DATE_FORMAT),
        "Assignment Status": versions.status,
        "Assignment Category": versions.category,
        "Primary Assignment": np.where(asg.primary[versions.assignment], "Y", "N").astype(object),
        "Staff Group": people["staff_group"][person],
        "Occupation Code": _occupation_codes(rng, pop, versions),
        "Payscale": payscale,
        "Contracted WTE": decimals(versions.wte, 2),
        "Gender": np.where(staff.female, "Female", "Male").astype(object)[person],
        "Date of Birth": format_days(staff.birth, DATE_FORMAT)[person],
        "Ethnic Origin": people["ethnicity"][person],
        "Disability": versions.disability,
        "Religious Belief": people["religion"][person],
        "Sexual Orientation": people["orientation"][person],
        "Hire Date": format_days(staff.hire, DATE_FORMAT)[person],
        "Termination Date": format_days(staff.leave, DATE_FORMAT)[person],
        "Leaving Reason": people["leaving_reason"][person],
        "Work Email": work_emails(staff.employee_number)[person],
        "Board Membership": staff.board[person],
    }
    order = np.lexsort((versions.start, asg.suffix[versions.assignment], staff.employee_number[person]))
    return Table(HEADER, {k: v[order] for k, v in table.items()})


# A trust whose ESR report is laid out its own way (`edi generate --local-esr CODE`): some headings
# and the sex labels differ from the contract's; docs/examples/mappings/RBL/esr_assignment.yaml
# reads it back.
LOCAL_HEADINGS = {"Employee Number": "Person Number", "Organisation": "Org Code", "Contracted WTE": "FTE",
                  "Gender": "Sex", "Date of Birth": "DOB", "Ethnic Origin": "Ethnicity"}
LOCAL_LABELS = {"Gender": {"Female": "F", "Male": "M"}}


def as_local_report(table: Table) -> Table:
    """The same rows as a trust's own ESR report writes them: local headings, local sex labels
    (only the exact contract labels change, so the planted mess stays as it was)."""
    columns = {}
    for name in table.header:
        values = table.columns[name]
        if name in LOCAL_LABELS:
            labels = LOCAL_LABELS[name]
            values = np.array([labels.get(v, v) for v in values], dtype=object)
        columns[LOCAL_HEADINGS.get(name, name)] = values
    return Table(tuple(LOCAL_HEADINGS.get(h, h) for h in table.header), columns)


def work_emails(employee_numbers: np.ndarray) -> np.ndarray:
    """first.last@nhs.net made from the employee number's digit pairs: fake, unique, repeatable."""
    syllables = np.array(SYLLABLES, dtype=object)
    n = np.asarray(employee_numbers, dtype=np.int64)
    pairs = [(n // 10 ** (2 * k)) % 100 for k in (3, 2, 1, 0)]
    return (syllables[pairs[0]] + syllables[pairs[1]] + "." + syllables[pairs[2]] +
            syllables[pairs[3]] + "@nhs.net")


def _person_fields(rng, pop: Population) -> dict[str, np.ndarray]:
    staff = pop.staff
    n = len(staff)
    group_names = np.array(STAFF_GROUPS, dtype=object)[staff.group]
    truncated = np.vectorize(lambda g: TRUNCATED_STAFF_GROUP.get(g, g), otypes=[object])(group_names)
    staff_group = np.where(rng.random(n) < TRUNCATED_GROUP_SHARE, truncated, group_names)
    return {
        "staff_group": staff_group,
        "ethnicity": display(rng, local_codes(rng, staff.ethnicity)),
        "religion": _religions(rng, staff.ethnicity),
        "orientation": _orientations(rng, staff.group),
        "leaving_reason": _leaving_reasons(rng, pop),
    }


LEAVING_REASON_WEIGHTS = {  # before retirements and doctors finishing a training rotation
    "Voluntary Resignation - Relocation": 20, "Voluntary Resignation - Work Life Balance": 22,
    "Voluntary Resignation - Promotion": 15, "Voluntary Resignation - Better Reward Package": 10,
    "Voluntary Resignation - Other/Not Known": 18, "Mutually Agreed Resignation - Local Scheme": 1,
    "End of Fixed Term Contract": 6, "Dismissal - Conduct": 1.5, "Dismissal - Capability": 0.7,
    "Redundancy - Compulsory": 0.3, "Employee Transfer": 3, "Ill Health Retirement": 1,
    "Death in Service": 0.3,
}
RELIGION_GROUP = {"white_british": "white", "white_other": "white", "mixed": "mixed",
                  "asian": "asian", "black": "black", "other": "other"}
RELIGION_BY_FAMILY = {  # weights in RELIGION_VALUES order
    "white": (22, 0.3, 45, 0.1, 0.5, 0, 0.3, 0.1, 4, 20, 7.7),
    "mixed": (20, 1, 40, 1, 8, 0, 0.3, 0.5, 5, 18, 6.2),
    "asian": (5, 2, 15, 25, 25, 1, 0, 7, 2, 13, 5),
    "black": (3, 0, 65, 0, 12, 0, 0, 0, 3, 12, 5),
    "other": (7, 8, 45, 3, 15, 0, 0.5, 0, 5, 12, 4.5),
    "unknown": (0, 0, 10, 0, 0, 0, 0, 0, 0, 60, 30),
}
ORIENTATION = {  # weights in SEXUAL_ORIENTATION_VALUES order
    "default": (84, 2.2, 1.5, 0.3, 0.3, 1.5, 1.2, 9),
    "medical": (70, 2, 1, 0.2, 0.3, 1, 0.5, 25),  # far more undisclosed among doctors
}


def _religions(rng, ethnicity: np.ndarray) -> np.ndarray:
    """Religion depends on ethnic group (and is mostly undisclosed where ethnicity is unknown)."""
    family = np.array([RELIGION_GROUP.get(ETHNIC_FAMILY.get(c), "unknown") for c in ethnicity], dtype=object)
    out = np.empty(len(ethnicity), dtype=object)
    values = np.array(RELIGION_VALUES, dtype=object)
    for name, weights in RELIGION_BY_FAMILY.items():
        who = np.flatnonzero(family == name)
        p = np.array(weights, dtype=float)
        out[who] = values[rng.choice(len(values), who.size, p=p / p.sum())]
    return out


def _orientations(rng, groups: np.ndarray) -> np.ndarray:
    out = np.empty(len(groups), dtype=object)
    values = np.array(SEXUAL_ORIENTATION_VALUES, dtype=object)
    for name, who in (("medical", groups == MEDICAL), ("default", groups != MEDICAL)):
        p = np.array(ORIENTATION[name], dtype=float)
        out[who] = values[rng.choice(len(values), int(who.sum()), p=p / p.sum())]
    return out


def _leaving_reasons(rng, pop: Population) -> np.ndarray:
    """A reason for every leaver that fits who they are: trainees finish, older staff retire."""
    staff = pop.staff
    n = len(staff)
    reasons = np.full(n, "", dtype=object)
    leavers = staff.leave != MISSING
    values = np.array(list(LEAVING_REASON_WEIGHTS), dtype=object)
    weights = np.array(list(LEAVING_REASON_WEIGHTS.values()))
    reasons[leavers] = values[rng.choice(len(values), leavers.sum(), p=weights / weights.sum())]
    age = (np.where(leavers, staff.leave, 0) - staff.birth) / YEAR
    retiring = leavers & (age >= 58) & (rng.random(n) < 0.75)
    reasons[retiring] = np.where(rng.random(retiring.sum()) < 0.8, "Retirement Age", "Flexi Retirement")
    primary_payscale = pop.assignments.payscale[:n]  # primary assignments come first, one per person
    trainee = leavers & np.isin(primary_payscale, [PAYSCALES.index(p) for p in TRAINEE_PAYSCALES])
    reasons[trainee] = "End of Fixed Term Contract - Completion of Training Scheme"
    return reasons


def _occupation_codes(rng, pop: Population, versions: Versions) -> np.ndarray:
    """Occupation code per version: fixed per assignment, except doctors' follows their grade."""
    asg, staff = pop.assignments, pop.staff
    pick = rng.integers(0, 1 << 30, len(asg))[versions.assignment]
    group = staff.group[asg.person[versions.assignment]]
    codes = np.empty(len(versions.assignment), dtype=object)
    for g, name in enumerate(STAFF_GROUPS):
        if g == MEDICAL:
            continue
        who = np.flatnonzero(group == g)
        options = np.array(OCCUPATIONS[name], dtype=object)
        codes[who] = options[pick[who] % len(options)]
    for code, options in MEDICAL_OCCUPATIONS.items():
        who = np.flatnonzero(versions.payscale == PAYSCALES.index(code))
        codes[who] = np.array(options, dtype=object)[pick[who] % len(options)]
    board = np.isin(versions.payscale, [PAYSCALES.index(VSM_PAYSCALE), PAYSCALES.index(NED_PAYSCALE)])
    codes[board] = BOARD_OCCUPATION
    return codes
