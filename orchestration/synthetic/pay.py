"""The 31 March pay snapshot (gender/ethnicity pay gap input), one row per paid assignment.

Hourly pay follows national pay scales, so the gap between men and women comes from where they
sit: more men among consultants and in senior grades, and more clinical excellence awards for
male consultants. One gap is planted within grades: women from ethnic minority groups are paid
effects.BME_FEMALE_EXTRA_PAY_GAP less per hour, an intersectional gap beyond the two main effects.
"""

from __future__ import annotations

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.codes import MEDICAL_PAYSCALES, PAYSCALES, STAFF_GROUPS
from orchestration.synthetic.dates import format_days
from orchestration.synthetic.esr import DATE_FORMAT, Versions
from orchestration.synthetic.ethnicity import is_bme
from orchestration.synthetic.population import Population
from orchestration.synthetic.writer import Table, decimals

HEADER = ("Employee Number", "Assignment Number", "Organisation Code", "Snapshot Date",
          "Ordinary Hourly Pay", "Bonus Pay", "Full Pay Relevant Employee")
AFC_HOURS_PER_YEAR = 37.5 * 52.143
MEDICAL_HOURS_PER_YEAR = 40 * 52.143
# Annual pay range by payscale, 2023/24 scales (AfC bands; medical grades; VSM and NED).
ANNUAL_2023_24 = {
    "XN01": (22383, 22383), "XN02": (22383, 22383), "XN03": (22816, 24336),
    "XN04": (25147, 27596), "XN05": (28407, 34581), "XN06": (35392, 42618),
    "XN07": (43742, 50056), "XN08A": (50952, 57349), "XN08B": (58972, 68525),
    "XN08C": (70417, 81138), "XN08D": (83571, 96376), "XN09": (99891, 114949),
    "MC01": (105504, 139882), "MS01": (96990, 107155), "MS02": (61000, 99000),
    "MS03": (52530, 82400), "MF01": (32398, 32398), "MF02": (37303, 37303),
    "MT01": (43923, 43923), "MT02": (55329, 63152), "MG01": (40000, 55000),
    "VSM": (105000, 220000),
    "NED": (130000, 130000),  # a £13,000 fee for 0.1 WTE, as a full-time equivalent
}
PAY_RISE_PER_YEAR = 1.045  # scales are moved from 2023/24 by this per year
UNSOCIAL_HOURS_GROUPS = {"Nursing and Midwifery Registered", "Additional Clinical Services",
                         "Estates and Ancillary", "Allied Health Professionals"}
UNSOCIAL_HOURS_SHARE = 0.5
DOCTORS_EXTRA = (1.0, 1.25)  # on-call and additional programmed activities in ordinary pay
BANK_WORKED_SHARE = 0.6  # bank assignments paid in the snapshot period
NOT_FULL_PAY = {True: 0.05, False: 0.015}  # by female: maternity, sick or unpaid leave
CONSULTANT_AWARD_FEMALE = 0.30
OTHER_BONUS_SHARE = 0.01  # recruitment and retention lump sums


def esr_pay_table(rng: np.random.Generator, pop: Population, versions: Versions) -> Table:
    asg, staff, window = pop.assignments, pop.staff, pop.window
    position = rng.random(len(asg))  # where each assignment sits within its pay range
    unsocial = _unsocial_hours_uplift(rng, pop)
    columns = {name: [] for name in HEADER}
    for fy_end_year, snapshot in zip(window.fy_end_years, window.fy_ends):
        rows = versions.in_force(snapshot, len(asg))
        paid = np.flatnonzero(rows >= 0)
        paid = paid[asg.category[paid] != "Honorary"]
        bank = asg.category[paid] == "Bank"
        paid = paid[~bank | (rng.random(paid.size) < BANK_WORKED_SHARE)]
        payscale = versions.payscale[rows[paid]]
        female = staff.female[asg.person[paid]]
        bme_women = female & is_bme(staff.ethnicity[asg.person[paid]])
        hourly = (_hourly_pay(rng, payscale, position[paid], fy_end_year) * unsocial[paid]
                  * np.where(bme_women, 1 - effects.BME_FEMALE_EXTRA_PAY_GAP, 1.0))
        bonus = _bonus(rng, payscale, female, asg.primary[paid], asg.category[paid] == "Bank", fy_end_year)
        full_pay = rng.random(paid.size) >= np.where(female, NOT_FULL_PAY[True], NOT_FULL_PAY[False])
        columns["Employee Number"].append(staff.employee_number[asg.person[paid]].astype(str))
        columns["Assignment Number"].append(
            np.char.add(staff.employee_number[asg.person[paid]].astype(str),
                        np.char.add("-", asg.suffix[paid].astype(str))))
        columns["Organisation Code"].append(np.full(paid.size, pop.trust.code, dtype=object))
        columns["Snapshot Date"].append(format_days(np.full(paid.size, snapshot), DATE_FORMAT))
        columns["Ordinary Hourly Pay"].append(decimals(hourly, 2))
        columns["Bonus Pay"].append(decimals(bonus, 2))
        columns["Full Pay Relevant Employee"].append(np.where(full_pay, "Y", "N"))
    return Table(HEADER, {k: np.concatenate(v).astype(object) for k, v in columns.items()})


def _hourly_pay(rng, payscale: np.ndarray, position: np.ndarray, fy_end_year: int) -> np.ndarray:
    codes = np.array(PAYSCALES, dtype=object)[payscale]
    low = np.array([ANNUAL_2023_24[c][0] for c in codes], dtype=float)
    high = np.array([ANNUAL_2023_24[c][1] for c in codes], dtype=float)
    annual = (low + position * (high - low)) * PAY_RISE_PER_YEAR ** (fy_end_year - 2024)
    medical = np.isin(codes, MEDICAL_PAYSCALES)
    hours = np.where(medical, MEDICAL_HOURS_PER_YEAR, AFC_HOURS_PER_YEAR)
    extra = np.where(medical, rng.uniform(*DOCTORS_EXTRA, payscale.size), 1.0)
    return annual / hours * extra


def _unsocial_hours_uplift(rng, pop: Population) -> np.ndarray:
    """Shift premia count as ordinary pay: +5-20 % for half of the staff in shift-working groups."""
    groups = np.array(STAFF_GROUPS, dtype=object)[pop.staff.group[pop.assignments.person]]
    shift = np.isin(groups, list(UNSOCIAL_HOURS_GROUPS)) & (rng.random(len(groups)) < UNSOCIAL_HOURS_SHARE)
    return np.where(shift, 1 + rng.uniform(0.05, 0.20, len(groups)), 1.0)


def _bonus(rng, payscale, female, primary, bank, fy_end_year) -> np.ndarray:
    """Bonus in the 12 months to the snapshot: consultants' excellence awards, rare lump sums."""
    consultant = payscale == PAYSCALES.index("MC01")
    award_rate = np.where(female, CONSULTANT_AWARD_FEMALE,
                          CONSULTANT_AWARD_FEMALE * effects.CONSULTANT_MALE_BONUS_RL)
    award = consultant & primary & (rng.random(payscale.size) < award_rate)
    lump = ~consultant & primary & ~bank & (rng.random(payscale.size) < OTHER_BONUS_SHARE)
    amount = np.zeros(payscale.size)
    amount[award] = np.minimum(rng.lognormal(np.log(9000), 0.6, award.sum()), 40000)
    amount[lump] = rng.uniform(250, 2000, lump.sum())
    return amount * PAY_RISE_PER_YEAR ** (fy_end_year - 2024)
