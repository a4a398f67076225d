"""The staff of one trust over the extract window: people, their jobs, and how they change.

A trust starts the window with its calibrated headcount; people leave at staff-group rates and
joiners arrive so that headcount grows ~3.5 % a year. Doctors in training rotate at the August
changeover. Everything is vectorised over people; nothing here writes files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.codes import (
    ADMIN, BOARD_MEMBERSHIP, MEDICAL, NED_PAYSCALE, NURSING,
    PAYSCALES, STAFF_GROUPS, TRAINEE_PAYSCALES, VSM_PAYSCALE,
)
from orchestration.synthetic.dates import MISSING, Window, august_changeovers, uniform_days
from orchestration.synthetic.ethnicity import draw_board_codes, draw_national_codes, is_bme
from orchestration.synthetic.trusts import TrustProfile

YEAR = 365.25
GROWTH_PER_YEAR = 0.035
BANK_ONLY_SHARE = 0.05  # bank-only workers, relative to substantive headcount
SECOND_ASSIGNMENT_SHARE = 0.10
LEAVE_RATE = {  # leavers per head per year (NHS turnover ~10-12 %)
    "Additional Clinical Services": 0.13, "Additional Professional Scientific and Technical": 0.10,
    "Administrative and Clerical": 0.11, "Allied Health Professionals": 0.10,
    "Estates and Ancillary": 0.11, "Healthcare Scientists": 0.09, "Medical and Dental": 0.07,
    "Nursing and Midwifery Registered": 0.09, "Students": 0.5,
}
TRAINEE_LEAVE_RATE = 0.45  # doctors in training rotate between trusts

_PAYSCALE_INDEX = {code: i for i, code in enumerate(PAYSCALES)}
# Initial band/grade mix per staff group: payscale code → weight.
GRADE_MIX = {
    "Additional Clinical Services": {"XN02": 35, "XN03": 40, "XN04": 25},
    "Additional Professional Scientific and Technical": {
        "XN03": 10, "XN04": 10, "XN05": 10, "XN06": 15, "XN07": 25, "XN08A": 15, "XN08B": 8,
        "XN08C": 4, "XN08D": 2, "XN09": 1},
    "Administrative and Clerical": {
        "XN02": 18, "XN03": 25, "XN04": 22, "XN05": 10, "XN06": 8, "XN07": 7, "XN08A": 5,
        "XN08B": 2.5, "XN08C": 1.5, "XN08D": 0.8, "XN09": 0.2},
    "Allied Health Professionals": {"XN05": 18, "XN06": 40, "XN07": 30, "XN08A": 8, "XN08B": 3,
                                    "XN08C": 1},
    "Estates and Ancillary": {"XN01": 2, "XN02": 60, "XN03": 20, "XN04": 10, "XN05": 4, "XN06": 2,
                              "XN07": 1, "XN08A": 1},
    "Healthcare Scientists": {"XN05": 10, "XN06": 30, "XN07": 35, "XN08A": 15, "XN08B": 7,
                              "XN08C": 3},
    "Medical and Dental": {"MC01": 38, "MS01": 1, "MS02": 2, "MS03": 8, "MF01": 7, "MF02": 7,
                           "MT01": 12, "MT02": 22, "MG01": 3},
    "Nursing and Midwifery Registered": {"XN05": 45, "XN06": 32, "XN07": 17, "XN08A": 4,
                                         "XN08B": 1.5, "XN08C": 0.5},
    "Students": {"XN02": 50, "XN03": 50},
}
SAS_PAYSCALES = ("MS01", "MS02", "MS03")
# How BME staff are spread differently over grades (WRES 1 shows them concentrated lower down).
BME_GRADE_FACTOR = {"XN07": 0.8, "MC01": 0.85, **{p: 1.8 for p in SAS_PAYSCALES},
                    **{p: effects.SENIOR_BAND_BME_FACTOR for p in
                       ("XN08A", "XN08B", "XN08C", "XN08D", "XN09")}}
FEMALE_SHARE = {
    "Additional Clinical Services": 0.84, "Additional Professional Scientific and Technical": 0.72,
    "Administrative and Clerical": 0.83, "Allied Health Professionals": 0.82,
    "Estates and Ancillary": 0.45, "Healthcare Scientists": 0.65,
    "Medical and Dental": 0.50,  # replaced by the grade's share below
    "Nursing and Midwifery Registered": 0.90, "Students": 0.80,
}
FEMALE_SHARE_MEDICAL = {"MC01": 0.38, "MS01": 0.45, "MS02": 0.45, "MS03": 0.45, "MG01": 0.45,
                        "MF01": 0.56, "MF02": 0.56, "MT01": 0.55, "MT02": 0.55}
# Men are over-represented in senior Agenda for Change bands: odds of being female, relative to the
# staff group's, by band. With medical grades this is what makes the gender pay gap.
FEMALE_ODDS_BY_BAND = {"XN07": 0.8, "XN08A": 0.6, "XN08B": 0.6, "XN08C": 0.45, "XN08D": 0.45,
                       "XN09": 0.45}
AMBULANCE_FEMALE_SHARE = 0.5  # paramedics and technicians
AGE = {  # (mean, sd) in years at hire for joiners +5 for the stock
    "Additional Clinical Services": (37, 12), "Additional Professional Scientific and Technical": (36, 10),
    "Administrative and Clerical": (40, 12), "Allied Health Professionals": (34, 9),
    "Estates and Ancillary": (42, 12), "Healthcare Scientists": (35, 10),
    "Medical and Dental": (36, 9), "Nursing and Midwifery Registered": (36, 10),
    "Students": (23, 6),
}
AGE_BY_GRADE = {"MC01": (47, 7), "MF01": (24, 1.5), "MF02": (25, 1.5), "MT01": (28, 2.5),
                "MT02": (32, 3)}
FULL_TIME = {True: 0.55, False: 0.85}  # by female
PART_TIME_WTE = (np.array([0.4, 0.5, 0.6, 0.8, 0.9]), np.array([0.15, 0.2, 0.25, 0.3, 0.1]))
CONSULTANT_WTE = (np.array([1.0, 1.1, 1.2]), np.array([0.5, 0.3, 0.2]))  # extra programmed activities
FIXED_TERM_SHARE = {"stock": 0.07, "joiner": 0.15}
UNKNOWN_TO_NO_PER_YEAR = 0.05  # staff who fill in a blank/undeclared disability field with "No"
BOARD_SEATS = (  # (membership, staff group, payscale) — executives come from the staff
    ("Voting Executive", ADMIN, VSM_PAYSCALE),  # chief executive
    ("Voting Executive", ADMIN, VSM_PAYSCALE),  # finance
    ("Voting Executive", ADMIN, VSM_PAYSCALE),  # operations
    ("Voting Executive", MEDICAL, "MC01"),  # medical director stays on the consultant contract
    ("Voting Executive", NURSING, VSM_PAYSCALE),  # chief nurse
    ("Non-Voting", ADMIN, VSM_PAYSCALE),  # people
    ("Non-Voting", ADMIN, VSM_PAYSCALE),  # strategy
    ("Non-Voting", ADMIN, VSM_PAYSCALE),  # digital
    ("", ADMIN, VSM_PAYSCALE),  # VSMs below board
    ("", ADMIN, VSM_PAYSCALE),
)
NON_EXECUTIVES = 7  # chair and six non-executive directors


@dataclass
class Staff:
    """One entry per person (index = person id within the trust)."""

    employee_number: np.ndarray  # int64, 8 digits
    group: np.ndarray  # index into STAFF_GROUPS
    female: np.ndarray
    birth: np.ndarray  # day numbers
    hire: np.ndarray
    leave: np.ndarray  # MISSING while still employed at the window end
    ethnicity: np.ndarray  # national code A..S, Z, 99 or ""
    disabled: np.ndarray  # truly disabled (what the survey would see)
    disability: np.ndarray  # ESR value at the start (or at hire)
    disability_update: np.ndarray  # day the ESR value changes, or MISSING
    disability_updated: np.ndarray  # the value from that day
    bank_only: np.ndarray
    board: np.ndarray  # membership text or ""
    joiner: np.ndarray

    def __len__(self) -> int:
        return len(self.group)

    def disability_at(self, days: np.ndarray | int, people: np.ndarray | slice = slice(None)) -> np.ndarray:
        """ESR disability value in force on a day, for everyone or for the people given."""
        update = self.disability_update[people]
        updated = (update != MISSING) & (update <= days)
        return np.where(updated, self.disability_updated[people], self.disability[people])

    def employed_on(self, days: np.ndarray | int) -> np.ndarray:
        return (self.hire <= days) & ((self.leave == MISSING) | (self.leave >= days))


@dataclass
class Assignments:
    """One entry per assignment; versions over time are built in esr.py."""

    person: np.ndarray
    suffix: np.ndarray
    start: np.ndarray
    end: np.ndarray  # MISSING if open at the window end
    payscale: np.ndarray  # index into PAYSCALES at the start
    wte: np.ndarray
    category: np.ndarray  # text
    primary: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Population:
    trust: TrustProfile
    window: Window
    staff: Staff
    assignments: Assignments


def build_population(rng: np.random.Generator, trust: TrustProfile, window: Window) -> Population:
    cohorts = _draw_cohorts(rng, trust, window)
    staff = _draw_people(rng, trust, window, **cohorts)
    payscale = _draw_grades(rng, staff)
    _draw_sex(rng, trust, staff, payscale)
    _draw_ages(rng, staff, payscale, window)
    _draw_employment(rng, staff, payscale, window)
    payscale = _seat_board(rng, trust, window, staff, payscale)
    _draw_disability(rng, staff, window)
    assignments = _draw_assignments(rng, staff, payscale, window)
    return Population(trust, window, staff, assignments)


def _draw_cohorts(rng, trust: TrustProfile, window: Window) -> dict[str, np.ndarray]:
    """Staff group and arrival day of every person: the stock, the joiners and bank-only workers."""
    shares = np.asarray(trust.staff_group_shares)
    stock = rng.choice(len(STAFF_GROUPS), trust.headcount, p=shares)
    years = window.years
    joiner_groups, joiner_days = [], []
    for g, group in enumerate(STAFF_GROUPS):
        rate = LEAVE_RATE[group] if g != MEDICAL else _medical_turnover()
        expected = (rate + GROWTH_PER_YEAR) / GROWTH_PER_YEAR * (np.exp(GROWTH_PER_YEAR * years) - 1)
        count = rng.poisson(expected * np.count_nonzero(stock == g))
        # Arrivals grow with the headcount: density ∝ exp(growth · t) over the window.
        u = rng.random(count)
        t = np.log1p(u * (np.exp(GROWTH_PER_YEAR * years) - 1)) / GROWTH_PER_YEAR
        joiner_groups.append(np.full(count, g))
        joiner_days.append(window.start + (t * YEAR).astype(np.int64))
    bank = rng.choice(len(STAFF_GROUPS), int(round(BANK_ONLY_SHARE * trust.headcount)),
                      p=_bank_group_shares(shares))
    return {"stock": stock, "joiners": np.concatenate(joiner_groups),
            "joiner_days": np.concatenate(joiner_days), "bank": bank}


def _medical_turnover() -> float:
    mix = GRADE_MIX["Medical and Dental"]
    trainee = sum(mix[p] for p in TRAINEE_PAYSCALES) / sum(mix.values())
    return trainee * TRAINEE_LEAVE_RATE + (1 - trainee) * LEAVE_RATE["Medical and Dental"]


def _bank_group_shares(shares: np.ndarray) -> np.ndarray:
    """Bank workers are mostly nurses and healthcare support workers."""
    weights = shares.copy()
    weights[[STAFF_GROUPS.index("Additional Clinical Services"), NURSING]] *= 3
    weights[[MEDICAL, STAFF_GROUPS.index("Students")]] = 0
    return weights / weights.sum()


def _draw_people(rng, trust, window, stock, joiners, joiner_days, bank) -> Staff:
    groups = np.concatenate([stock, joiners, bank]).astype(np.int8)
    n = len(groups)
    joiner = np.zeros(n, bool)
    joiner[len(stock):len(stock) + len(joiners)] = True
    bank_only = np.zeros(n, bool)
    bank_only[len(stock) + len(joiners):] = True
    hire = np.full(n, MISSING, dtype=np.int64)
    hire[joiner] = joiner_days
    if n > 100_000:
        raise ValueError(f"{trust.code}: {n} people do not fit the 5-digit employee-number space")
    employee_number = trust.number * 100_000 + rng.choice(100_000, n, replace=False)
    return Staff(
        employee_number=employee_number.astype(np.int64), group=groups, female=np.zeros(n, bool),
        birth=np.zeros(n, np.int64), hire=hire, leave=np.full(n, MISSING, dtype=np.int64),
        ethnicity=draw_national_codes(rng, trust, groups, joiner), disabled=np.zeros(n, bool),
        disability=np.full(n, "", dtype=object), disability_update=np.full(n, MISSING, np.int64),
        disability_updated=np.full(n, "", dtype=object), bank_only=bank_only,
        board=np.full(n, "", dtype=object), joiner=joiner,
    )


def _draw_grades(rng, staff: Staff) -> np.ndarray:
    """Initial payscale index per person, with BME staff less often in senior grades.

    Joiners replace leavers, so their grade mix is weighted by each grade's turnover (mostly
    doctors in training among medical joiners).
    """
    payscale = np.zeros(len(staff), dtype=np.int16)
    bme = is_bme(staff.ethnicity)
    for g, group in enumerate(STAFF_GROUPS):
        codes = list(GRADE_MIX[group])
        base = np.array([GRADE_MIX[group][c] for c in codes], dtype=float)
        turnover = np.array([TRAINEE_LEAVE_RATE if c in TRAINEE_PAYSCALES else LEAVE_RATE[group]
                             for c in codes])
        bme_factor = np.array([BME_GRADE_FACTOR.get(c, 1.0) for c in codes])
        for is_joiner in (False, True):
            for is_bme_group in (False, True):
                weights = base * (turnover if is_joiner else 1.0) * (bme_factor if is_bme_group else 1.0)
                who = np.flatnonzero((staff.group == g) & (bme == is_bme_group) &
                                     (staff.joiner == is_joiner))
                picks = rng.choice(len(codes), who.size, p=weights / weights.sum())
                payscale[who] = np.array([_PAYSCALE_INDEX[c] for c in codes])[picks]
    return payscale


def _draw_sex(rng, trust, staff: Staff, payscale: np.ndarray) -> None:
    p_female = np.array([FEMALE_SHARE[STAFF_GROUPS[g]] for g in staff.group])
    medical = staff.group == MEDICAL
    p_female[medical] = [FEMALE_SHARE_MEDICAL[PAYSCALES[p]] for p in payscale[medical]]
    odds = p_female / (1 - p_female) * np.array([FEMALE_ODDS_BY_BAND.get(PAYSCALES[p], 1.0) for p in payscale])
    p_female = odds / (1 + odds)
    if trust.kind == "ambulance":
        frontline = np.isin(staff.group, [STAFF_GROUPS.index("Allied Health Professionals"),
                                          STAFF_GROUPS.index("Additional Clinical Services")])
        p_female[frontline] = AMBULANCE_FEMALE_SHARE
    staff.female[:] = rng.random(len(staff)) < p_female


def _draw_ages(rng, staff: Staff, payscale: np.ndarray, window: Window) -> None:
    """Date of birth from age at hire (joiners) or age at the window start (+5 years, the stock)."""
    mean = np.array([AGE[STAFF_GROUPS[g]][0] for g in staff.group], dtype=float)
    sd = np.array([AGE[STAFF_GROUPS[g]][1] for g in staff.group], dtype=float)
    for code, (m, s) in AGE_BY_GRADE.items():
        mean[payscale == _PAYSCALE_INDEX[code]], sd[payscale == _PAYSCALE_INDEX[code]] = m, s
    mean = np.where(staff.joiner, mean, mean + 5)
    age = np.clip(rng.normal(mean, sd), 18.5, 67)
    reference = np.where(staff.joiner, staff.hire, window.start)
    staff.birth[:] = reference - (age * YEAR).astype(np.int64)


def _draw_employment(rng, staff: Staff, payscale: np.ndarray, window: Window) -> None:
    """Hire dates of the stock and leaving dates of everyone.

    Doctors in training arrive and leave at the August changeover.
    """
    changeovers = august_changeovers(window)
    trainee = np.isin(payscale, [_PAYSCALE_INDEX[p] for p in TRAINEE_PAYSCALES])
    arriving = staff.joiner & trainee
    staff.hire[arriving] = _next_changeover(changeovers, staff.hire[arriving])
    staff.hire[staff.joiner] = np.minimum(staff.hire[staff.joiner], window.end)

    stock = ~staff.joiner
    age_at_start = (window.start - staff.birth) / YEAR
    tenure = np.minimum(rng.exponential(np.where(trainee, 1.0, 9.0)),
                        np.maximum(age_at_start - 18, 0.1))
    staff.hire[stock] = window.start - 1 - (tenure[stock] * YEAR).astype(np.int64)

    rate = np.array([LEAVE_RATE[STAFF_GROUPS[g]] for g in staff.group])
    rate[trainee] = TRAINEE_LEAVE_RATE
    from_day = np.maximum(staff.hire, window.start)
    leave = from_day + (rng.exponential(1 / rate) * YEAR).astype(np.int64)
    snapped = _next_changeover(changeovers, leave) - 1
    leave = np.where(trainee & (snapped >= from_day), snapped, leave)
    staff.leave[:] = np.where(leave <= window.end, leave, MISSING)


def _next_changeover(changeovers: np.ndarray, days: np.ndarray) -> np.ndarray:
    return changeovers[np.minimum(np.searchsorted(changeovers, days), len(changeovers) - 1)]


def _seat_board(rng, trust, window, staff: Staff, payscale: np.ndarray) -> np.ndarray:
    """Pick executives from long-serving stock staff and add non-executive directors.

    Board and VSM ethnicity is redrawn from a less diverse mix (16.5 % / 12.7 % BME nationally).
    """
    eligible = ~staff.joiner & ~staff.bank_only & (staff.leave == MISSING) & \
        (window.start - staff.birth > 45 * YEAR)
    seated = []
    for membership, group, code in BOARD_SEATS:
        candidates = np.flatnonzero(eligible & (staff.group == group))
        if group == MEDICAL:
            candidates = candidates[payscale[candidates] == _PAYSCALE_INDEX["MC01"]]
        if candidates.size == 0:
            continue
        chosen = rng.choice(candidates)
        staff.board[chosen] = membership
        payscale[chosen] = _PAYSCALE_INDEX[code]
        eligible[chosen] = False
        seated.append(chosen)
    staff.ethnicity[seated] = draw_board_codes(rng, trust, len(seated))
    return _add_non_executives(rng, trust, window, staff, payscale)


def _add_non_executives(rng, trust, window, staff: Staff, payscale: np.ndarray) -> np.ndarray:
    """Append the non-executive directors (office holders on ESR); returns the extended payscales."""
    n = NON_EXECUTIVES
    free = np.setdiff1d(trust.number * 100_000 + np.arange(100_000), staff.employee_number)
    fields = {
        "employee_number": rng.choice(free, n, replace=False), "group": np.full(n, ADMIN, np.int8),
        "female": rng.random(n) < 0.45,
        "birth": window.start - (rng.uniform(50, 68, n) * YEAR).astype(np.int64),
        "hire": window.start - (rng.uniform(0.2, 6, n) * YEAR).astype(np.int64),
        "leave": np.full(n, MISSING, np.int64), "ethnicity": draw_board_codes(rng, trust, n),
        "disabled": np.zeros(n, bool), "disability": np.full(n, "", object),
        "disability_update": np.full(n, MISSING, np.int64),
        "disability_updated": np.full(n, "", object), "bank_only": np.zeros(n, bool),
        "board": np.full(n, BOARD_MEMBERSHIP[1], object), "joiner": np.zeros(n, bool),
    }
    for name, values in fields.items():
        setattr(staff, name, np.concatenate([getattr(staff, name), values]))
    return np.concatenate([payscale, np.full(n, _PAYSCALE_INDEX[NED_PAYSCALE], payscale.dtype)])


def _draw_disability(rng, staff: Staff, window: Window) -> None:
    """True disability, the ESR value recorded at the start, and one later update for some.

    ESR under-records disability (~4 % "Yes" against ~22 % in the survey) and leaves it unknown
    for more than a fifth of staff; declarations creep up over the years.
    """
    n = len(staff)
    staff.disabled[:] = rng.random(n) < effects.DISABLED_SHARE
    declares = np.where(staff.joiner, effects.ESR_DECLARES_YES_JOINER, effects.ESR_DECLARES_YES_STOCK)
    unknown_forms = np.array(["Not Declared", "Prefer Not To Answer", ""], dtype=object)
    value = np.where(rng.random(n) < 0.70, "No", unknown_forms[rng.choice(3, n, p=[0.55, 0.12, 0.33])])
    value = value.astype(object)
    value[staff.disabled & (rng.random(n) < declares)] = "Yes"
    value[~staff.disabled & (value == "Yes")] = "No"
    staff.disability[:] = value
    # Later self-service updates: disabled staff declaring, others filling in "No".
    rate = np.where(staff.disabled & (value != "Yes"), effects.ESR_UPDATE_TO_YES_PER_YEAR,
                    np.where(np.isin(value, ["Not Declared", ""]), UNKNOWN_TO_NO_PER_YEAR, 0.0))
    first = np.maximum(staff.hire, window.start)
    last = np.where(staff.leave == MISSING, window.end, staff.leave)
    when = first + (rng.exponential(1 / np.maximum(rate, 1e-9)) * YEAR).astype(np.int64)
    updates = (rate > 0) & (when < last)
    staff.disability_update[updates] = when[updates]
    staff.disability_updated[updates] = np.where(staff.disabled[updates], "Yes", "No")


def _draw_assignments(rng, staff: Staff, payscale: np.ndarray, window: Window) -> Assignments:
    """Each person's primary assignment (suffix 1), plus a second one (suffix 2) for some."""
    n = len(staff)
    trainee = np.isin(payscale, [_PAYSCALE_INDEX[p] for p in TRAINEE_PAYSCALES])
    wte = _draw_wte(rng, staff, payscale)
    fixed_term = rng.random(n) < np.where(staff.joiner, FIXED_TERM_SHARE["joiner"], FIXED_TERM_SHARE["stock"])
    category = np.where(trainee | fixed_term | (payscale == _PAYSCALE_INDEX[NED_PAYSCALE]), "Fixed Term Temp",
                        "Permanent").astype(object)
    category[staff.bank_only] = "Bank"
    wte[staff.bank_only] = 0.0
    second = _second_assignments(rng, staff, payscale, window)
    return Assignments(
        person=np.concatenate([np.arange(n), second["person"]]),
        suffix=np.concatenate([np.ones(n, np.int8), np.full(second["person"].size, 2, np.int8)]),
        start=np.concatenate([staff.hire, second["start"]]),
        end=np.concatenate([staff.leave, second["end"]]),
        payscale=np.concatenate([payscale, second["payscale"]]).astype(np.int16),
        wte=np.concatenate([wte, second["wte"]]),
        category=np.concatenate([category, second["category"]]),
        primary=np.concatenate([np.ones(n, bool), np.zeros(second["person"].size, bool)]),
    )


def _second_assignments(rng, staff: Staff, payscale: np.ndarray, window: Window) -> dict[str, np.ndarray]:
    """Bank shifts on top of a substantive job, a small second contract, or (doctors) an honorary one.

    The second job starts after hire and ends by the time the person leaves; those that ended
    before the window are not in the extract.
    """
    person = np.flatnonzero(~staff.bank_only & (staff.board == "") &
                            (rng.random(len(staff)) < SECOND_ASSIGNMENT_SHARE))
    medical = staff.group[person] == MEDICAL
    kind = rng.choice(3, person.size, p=[0.6, 0.25, 0.15])  # bank, fixed term, honorary
    kind = np.where((kind == 2) & ~medical, 0, kind)
    kind = np.where((kind == 0) & medical, 1, kind)  # doctors' extra sessions are a second contract
    last = person_last_day(staff, window)[person]
    start = uniform_days(rng, staff.hire[person], np.maximum(staff.hire[person], last))
    end = np.where(rng.random(person.size) < 0.3, uniform_days(rng, start, last), staff.leave[person])
    end = np.where(end > window.end, MISSING, end)
    keep = (end == MISSING) | (end >= window.start)
    bank_payscale = np.minimum(payscale[person], _PAYSCALE_INDEX["XN05"])
    second = {
        "person": person, "start": start, "end": end,
        "payscale": np.where(kind == 0, bank_payscale, payscale[person]),
        "wte": np.where(kind == 1, rng.choice([0.1, 0.2, 0.3, 0.4], person.size), 0.0),
        "category": np.array(["Bank", "Fixed Term Temp", "Honorary"], dtype=object)[kind],
    }
    return {k: v[keep] for k, v in second.items()}


def _draw_wte(rng, staff: Staff, payscale: np.ndarray) -> np.ndarray:
    n = len(staff)
    values, weights = PART_TIME_WTE
    wte = np.where(rng.random(n) < np.where(staff.female, FULL_TIME[True], FULL_TIME[False]), 1.0,
                   values[rng.choice(len(values), n, p=weights)])
    consultants = payscale == _PAYSCALE_INDEX["MC01"]
    values, weights = CONSULTANT_WTE
    wte[consultants] = np.where(rng.random(consultants.sum()) < 0.85,
                                values[rng.choice(len(values), consultants.sum(), p=weights)],
                                0.8)
    trainees = np.isin(payscale, [_PAYSCALE_INDEX[p] for p in TRAINEE_PAYSCALES])
    wte[trainees] = np.where(rng.random(trainees.sum()) < 0.9, 1.0, 0.8)
    wte[payscale == _PAYSCALE_INDEX[VSM_PAYSCALE]] = 1.0
    wte[payscale == _PAYSCALE_INDEX[NED_PAYSCALE]] = 0.1
    return wte


def person_last_day(staff: Staff, window: Window) -> np.ndarray:
    return np.where(staff.leave == MISSING, window.end, staff.leave)


def person_years(pop: Population) -> dict[str, np.ndarray]:
    """Substantive staff × financial year they were employed in: the exposure for event rates."""
    staff, window = pop.staff, pop.window
    last = person_last_day(staff, window)
    people, years, starts, ends = [], [], [], []
    for k, fy_end in enumerate(window.fy_ends):
        fy_start = window.fy_start(window.fy_end_years[k])
        start = np.maximum(staff.hire, fy_start)
        end = np.minimum(last, fy_end)
        who = np.flatnonzero((start <= end) & ~staff.bank_only)
        people.append(who)
        years.append(np.full(who.size, k))
        starts.append(start[who])
        ends.append(end[who])
    start, end = np.concatenate(starts), np.concatenate(ends)
    return {"person": np.concatenate(people), "fy": np.concatenate(years), "start": start,
            "end": end, "exposure": (end - start + 1) / YEAR}

