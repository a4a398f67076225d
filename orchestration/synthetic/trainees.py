"""Doctors in training as NHS England's Trainee Information System (TIS) sees them: a trust's
ARCP outcomes and postgraduate exam sittings.

The trainees are the trust's own doctors in training (ESR payscales MF01, MF02, MT01, MT02), so TIS
and ESR describe the same people: most TIS records carry the trainee's ESR employee number, some
none and some a number from a former trust (TIS_EMPLOYEE_NUMBER). Each trainee gets a programme
(foundation for MF01/MF02, a core programme for MT01, a specialty programme for MT02), a place of
primary medical qualification drawn with their ethnicity, one ARCP per training year while employed
(May to mid-July, before the August changeover) and the programme's exams in order, with resits
after a fail. Differential attainment (effects.py) is planted on the non-standard ARCP outcomes
and on first-attempt exam passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.codes import ETHNIC_FAMILY, MEDICAL, PAYSCALES, TRAINEE_PAYSCALES
from orchestration.synthetic.dates import day, format_days, uniform_days, year_of
from orchestration.synthetic.ethnicity import display, is_bme
from orchestration.synthetic.population import Population, person_last_day
from orchestration.synthetic.writer import Table

DATE_FORMAT = "%d/%m/%Y"
ARCP_HEADER = ("GMC Number", "Employee Number", "Organisation Code", "Programme Code", "Grade",
               "Review Date", "Outcome Code", "PMQ Region", "Ethnic Origin", "Gender", "Disability", "LTFT")
EXAM_HEADER = ("GMC Number", "Organisation Code", "Exam Code", "Exam Date", "Attempt Number", "Result")

# code → (grade prefix, years in the programme, its exams in the order they are taken)
PROGRAMMES = {
    "FND": ("FY", 2, ()),
    "IMT": ("CT", 3, ("MRCP1", "MRCP2W", "MRCP-PACES")),
    "CST": ("CT", 2, ("MRCS-A",)),
    "PSY": ("CT", 3, ("MRCPSYCH-1",)),
    "ANA": ("CT", 3, ("FRCA-PRIMARY",)),
    "GP": ("ST", 3, ("MRCGP-AKT", "MRCGP-SCA")),
    "PAED": ("ST", 8, ("MRCPCH-FOP",)),
    "OG": ("ST", 7, ("MRCOG-1",)),
    "EM": ("ST", 6, ("FRCEM-PRIMARY",)),
    "RAD": ("ST", 5, ("FRCR-1",)),
}
PROGRAMME_CODES = tuple(PROGRAMMES)
# Programme mix by ESR payscale (weights; illustrative [NV]). IMGs are GP trainees more often: over
# half of GP trainees qualified abroad (issue #13), hence the weight below.
CORE_MIX = {"IMT": 45, "CST": 20, "PSY": 15, "ANA": 20}
SPECIALTY_MIX = {"GP": 45, "PAED": 15, "OG": 12, "EM": 15, "RAD": 13}
# Trusts that are not acute host only some programmes: (core mix, specialty mix) by trust kind.
MIX_BY_KIND = {"mental_health": ({"PSY": 1}, {"GP": 1}), "community": ({"IMT": 1}, {"GP": 60, "PAED": 40}),
               "ambulance": ({"IMT": 1}, {"EM": 50, "GP": 50})}
IMG_GP_WEIGHT = 2.0
PMQ_REGIONS = ("UK", "EEA", "IMG")
# P(EEA), P(IMG) by ethnic family of the trainee ([NV]: set so that roughly a third of trainees
# qualified outside the UK, mostly ethnic minority IMGs).
PMQ_ABROAD = {"white_british": (0.01, 0.01), "white_other": (0.35, 0.20), "bme": (0.02, 0.50),
              "unknown": (0.05, 0.30)}
GENDER_BLANK_SHARE = 0.02  # TIS records without a gender
REVIEW_WINDOW = ((5, 1), (7, 15))  # most ARCP panels sit between 1 May and 15 July
OFF_CYCLE_SHARE = 0.15  # [NV] reviews earlier in the training year (February starters, LTFT, interim)
OFF_CYCLE_FROM = (10, 1)  # off-cycle reviews fall between 1 October and 30 April
FIRST_SITTING_WITHIN_DAYS = 300  # after the start of the window or of employment
NEXT_EXAM_AFTER_DAYS = (120, 240)  # after a pass
RESIT_AFTER_DAYS = (90, 200)  # after a fail
# The GP clinical exam changed: the recorded consultation assessment until the simulated consultation
# assessment replaced it in October 2023.
RENAMED_EXAMS = {"MRCGP-SCA": ("MRCGP-RCA", day(date(2023, 10, 1)))}  # exam: (earlier name, first day)
GMC_NUMBER_BASE = 1_000_000  # seven digits; each trust a block, so GMC numbers never collide
GMC_BLOCK = 30_000


@dataclass
class Cohort:
    """One entry per doctor in training of the trust (index = trainee)."""

    person: np.ndarray  # index into pop.staff
    gmc_number: np.ndarray  # int64, seven digits
    tis_employee_number: np.ndarray  # text: the ESR number, blank, or a former trust's number
    programme: np.ndarray  # index into PROGRAMME_CODES
    first_year: np.ndarray  # training year (0-based) at the first review in the window
    pmq: np.ndarray  # index into PMQ_REGIONS
    attainment_group: np.ndarray  # "uk_white", "uk_bme", "eea" or "img" (effects.py)
    female: np.ndarray
    gender: np.ndarray  # TIS text
    disability: np.ndarray  # TIS text (ESR's code set)
    ethnic_origin: np.ndarray  # TIS text (ESR's code set)
    ltft: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


def build_cohort(rng: np.random.Generator, pop: Population) -> Cohort:
    """The trust's doctors in training and what TIS holds about each."""
    staff, asg = pop.staff, pop.assignments
    primary = asg.primary
    payscale = np.full(len(staff), -1, dtype=np.int64)
    payscale[asg.person[primary]] = asg.payscale[primary]
    wte = np.zeros(len(staff))
    wte[asg.person[primary]] = asg.wte[primary]
    trainee_scales = [PAYSCALES.index(p) for p in TRAINEE_PAYSCALES]
    person = np.flatnonzero(np.isin(payscale, trainee_scales) & (staff.group == MEDICAL) & ~staff.bank_only)
    n = person.size
    if n > GMC_BLOCK or pop.trust.number - 100 >= (10_000_000 - GMC_NUMBER_BASE) // GMC_BLOCK:
        raise ValueError(f"{pop.trust.code}: {n} trainees do not fit the trust's GMC-number block")
    family = _family(staff.ethnicity[person])
    pmq = _draw_pmq(rng, family)
    scales = np.array(PAYSCALES, dtype=object)[payscale[person]]
    programme, first_year = _draw_programmes(rng, pop, person, scales, pmq)
    female = staff.female[person]
    gender = np.where(female, "Female", "Male").astype(object)
    gender[rng.random(n) < GENDER_BLANK_SHARE] = ""
    block = GMC_NUMBER_BASE + (pop.trust.number - 100) * GMC_BLOCK
    return Cohort(
        person=person,
        gmc_number=block + rng.choice(GMC_BLOCK, n, replace=False),
        tis_employee_number=_tis_employee_numbers(rng, pop, staff.employee_number[person]),
        programme=programme, first_year=first_year, pmq=pmq,
        attainment_group=_attainment_group(pmq, family),
        female=female, gender=gender,
        disability=staff.disability[person].astype(object),
        ethnic_origin=display(rng, staff.ethnicity[person]),
        ltft=wte[person] < 1.0,
    )


def _family(codes: np.ndarray) -> np.ndarray:
    fam = np.array([ETHNIC_FAMILY.get(c, "unknown") for c in codes], dtype=object)
    return np.where(is_bme(codes), "bme", fam).astype(object)


def _draw_pmq(rng, family: np.ndarray) -> np.ndarray:
    abroad = np.array([PMQ_ABROAD[f] for f in family]).reshape(-1, 2)
    u = rng.random(family.size)
    return np.where(u < abroad[:, 0], 1, np.where(u < abroad.sum(axis=1), 2, 0))


def _attainment_group(pmq: np.ndarray, family: np.ndarray) -> np.ndarray:
    """UK graduates by ethnicity (unknown ethnicity takes the reference group's rates), EEA, IMG."""
    uk = np.where(family == "bme", "uk_bme", "uk_white")
    return np.select([pmq == 1, pmq == 2], ["eea", "img"], uk).astype(object)


def _draw_programmes(rng, pop: Population, person: np.ndarray, payscale: np.ndarray,
                     pmq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Programme and training year at the first review: FY1/FY2 from the foundation payscale;
    joiners mostly start a programme, the stock is anywhere in it."""
    n = person.size
    programme = np.full(n, PROGRAMME_CODES.index("FND"))
    first_year = np.where(payscale == "MF02", 1, 0)
    core, specialty = MIX_BY_KIND.get(pop.trust.kind, (CORE_MIX, SPECIALTY_MIX))
    for scale, mix in (("MT01", core), ("MT02", specialty)):
        for is_img in (False, True):
            who = np.flatnonzero((payscale == scale) & ((pmq == 2) == is_img))
            weights = np.array([mix[c] * (IMG_GP_WEIGHT if is_img and c == "GP" else 1.0) for c in mix], dtype=float)
            picks = rng.choice(len(mix), who.size, p=weights / weights.sum())
            programme[who] = [PROGRAMME_CODES.index(c) for c in np.array(list(mix))[picks]]
    years = np.array([PROGRAMMES[c][1] for c in PROGRAMME_CODES])[programme]
    later = (payscale == "MT01") | (payscale == "MT02")
    starting = pop.staff.joiner[person] & (rng.random(n) < 0.5)
    anywhere = (rng.random(n) * years).astype(np.int64)
    first_year = np.where(later, np.where(starting, 0, anywhere), first_year)
    return programme, first_year


def _tis_employee_numbers(rng, pop: Population, esr_numbers: np.ndarray) -> np.ndarray:
    """Mostly the ESR person number; blank, or the number a former trust gave, for the rest."""
    n = esr_numbers.size
    share = effects.TIS_EMPLOYEE_NUMBER
    u = rng.random(n)
    numbers = esr_numbers.astype(str).astype(object)
    former_prefix = pop.trust.number + 1 + rng.integers(0, 50, n)  # never this trust's prefix
    former = (former_prefix * 100_000 + rng.integers(0, 100_000, n)).astype(str).astype(object)
    numbers = np.where(u < share["blank"], "", numbers)
    return np.where((u >= share["blank"]) & (u < share["blank"] + share["former_trust"]), former,
                    numbers).astype(object)


# --- ARCP -----------------------------------------------------------------------------------------


def arcp_outcome_table(rng: np.random.Generator, pop: Population, cohort: Cohort) -> Table:
    """One review per trainee per training year while employed; outcomes steer progression."""
    staff, window = pop.staff, pop.window
    hire, last = staff.hire[cohort.person], person_last_day(staff, window)[cohort.person]
    years = np.array([PROGRAMMES[c][1] for c in PROGRAMME_CODES])[cohort.programme]
    training_year = cohort.first_year.copy()
    finished = np.zeros(len(cohort), bool)
    rows: dict[str, list[np.ndarray]] = {"trainee": [], "day": [], "outcome": [], "year": []}
    for review_year in range(int(year_of(window.start)), int(year_of(window.end)) + 1):
        days = _review_days(rng, review_year, len(cohort))
        who = np.flatnonzero(~finished & (hire <= days) & (days <= last) & (days >= window.start) &
                             (days <= window.end))
        outcome = _draw_outcomes(rng, cohort, who, review_year, training_year[who] + 1 >= years[who])
        rows["trainee"].append(who)
        rows["day"].append(days[who])
        rows["outcome"].append(outcome)
        rows["year"].append(training_year[who].copy())
        finished[who] |= np.isin(outcome, ["4", "6"])
        training_year[who] += np.isin(outcome, ["1", "2", "10.1"])
    trainee, review_day = np.concatenate(rows["trainee"]), np.concatenate(rows["day"])
    outcome, year = np.concatenate(rows["outcome"]), np.concatenate(rows["year"])
    order = np.lexsort((review_day, cohort.gmc_number[trainee]))
    prefix = np.array([PROGRAMMES[c][0] for c in PROGRAMME_CODES], dtype=object)[cohort.programme[trainee]]
    top = years[trainee]
    grade = np.array([f"{p}{min(y, t - 1) + 1}" for p, y, t in zip(prefix, year, top)], dtype=object)
    table = {
        "GMC Number": cohort.gmc_number[trainee].astype(str).astype(object),
        "Employee Number": cohort.tis_employee_number[trainee],
        "Organisation Code": np.full(trainee.size, pop.trust.code, dtype=object),
        "Programme Code": np.array(PROGRAMME_CODES, dtype=object)[cohort.programme[trainee]],
        "Grade": grade,
        "Review Date": format_days(review_day, DATE_FORMAT),
        "Outcome Code": outcome.astype(object),
        "PMQ Region": np.array(PMQ_REGIONS, dtype=object)[cohort.pmq[trainee]],
        "Ethnic Origin": cohort.ethnic_origin[trainee],
        "Gender": cohort.gender[trainee],
        "Disability": cohort.disability[trainee],
        "LTFT": np.where(cohort.ltft[trainee], "Y", "N").astype(object),
    }
    return Table(ARCP_HEADER, {k: v[order] for k, v in table.items()})


def _review_days(rng, review_year: int, n: int) -> np.ndarray:
    """The day of each trainee's review of the training year ending in `review_year`'s summer."""
    (m1, d1), (m2, d2) = REVIEW_WINDOW
    in_cycle = uniform_days(rng, np.full(n, day(date(review_year, m1, d1))),
                            np.full(n, day(date(review_year, m2, d2))))
    off_cycle = uniform_days(rng, np.full(n, day(date(review_year - 1, *OFF_CYCLE_FROM))),
                             np.full(n, day(date(review_year, 4, 30))))
    return np.where(rng.random(n) < OFF_CYCLE_SHARE, off_cycle, in_cycle)


def _draw_outcomes(rng, cohort: Cohort, who: np.ndarray, review_year: int, final_year: np.ndarray) -> np.ndarray:
    """Outcomes of one year's reviews: COVID outcomes, 5 and 8 first (none of them a judgement of
    competence), then a non-standard outcome (2, 3, 4) at the trainee's planted rate, else 1
    (or 6 in the programme's final year)."""
    n = who.size
    u = rng.random(n)
    covid = effects.ARCP_COVID_SHARE.get(review_year, 0.0)
    incomplete, oop = effects.ARCP_OUTCOME_5_SHARE, effects.ARCP_OUTCOME_8_SHARE
    non_standard = rng.random(n) < arcp_non_standard_probability(cohort, who)
    split = np.array(list(effects.ARCP_NON_STANDARD_SPLIT.values()))
    kind = np.array(list(effects.ARCP_NON_STANDARD_SPLIT), dtype=object)[rng.choice(split.size, n, p=split)]
    satisfactory = np.where(final_year, "6", "1")
    covid_code = np.where(rng.random(n) < effects.ARCP_COVID_10_2_SHARE, "10.2", "10.1")
    return np.select(
        [u < covid, u < covid + incomplete, u < covid + incomplete + oop, non_standard],
        [covid_code, "5", "8", kind], satisfactory).astype(object)


def arcp_non_standard_probability(cohort: Cohort, who: np.ndarray) -> np.ndarray:
    """Chance a competence judgement (outcome 1, 2, 3, 4 or 6) is non-standard (2, 3 or 4)."""
    rl = np.array([effects.ARCP_NON_STANDARD_RL[g] for g in cohort.attainment_group[who]])
    male = cohort.gender[who] == "Male"
    disabled = cohort.disability[who] == "Yes"
    rl = rl * np.where(male, effects.ARCP_NON_STANDARD_RL_MALE_VS_FEMALE, 1.0) * \
        np.where(disabled, effects.ARCP_NON_STANDARD_RL_DISABLED_VS_NONDISABLED, 1.0)
    return effects.ARCP_NON_STANDARD_UK_WHITE * rl


# --- exams ----------------------------------------------------------------------------------------


def exam_attempt_table(rng: np.random.Generator, pop: Population, cohort: Cohort) -> Table:
    """The programme's exams in order from the trainee's training year: a resit after each fail
    (up to effects.EXAM_MAX_ATTEMPTS), the next exam after a pass, while employed in the window."""
    staff, window = pop.staff, pop.window
    start = np.maximum(staff.hire[cohort.person], window.start)
    last = np.minimum(person_last_day(staff, window)[cohort.person], window.end)
    exams = [PROGRAMMES[c][2] for c in PROGRAMME_CODES]
    exam_index = cohort.first_year.copy()  # year k of a programme sits its k-th exam
    attempt = np.ones(len(cohort), dtype=np.int64)
    sitting = start + rng.integers(0, FIRST_SITTING_WITHIN_DAYS, len(cohort))
    first_pass = np.array([effects.EXAM_FIRST_ATTEMPT_PASS[g] for g in cohort.attainment_group])
    # Seeded with empty arrays: a trust with no doctors in training writes a header-only file.
    out: dict[str, list[np.ndarray]] = {
        "trainee": [np.array([], np.int64)], "day": [np.array([], np.int64)], "exam": [np.array([], object)],
        "attempt": [np.array([], np.int64)], "pass": [np.array([], bool)]}
    n_exams = np.array([len(exams[p]) for p in cohort.programme])
    while True:
        who = np.flatnonzero((exam_index < n_exams) & (sitting <= last))
        if who.size == 0:
            break
        chance = first_pass[who] * np.where(attempt[who] > 1, effects.EXAM_RESIT_PASS_FACTOR, 1.0)
        passed = rng.random(who.size) < chance
        out["trainee"].append(who)
        out["day"].append(sitting[who].copy())
        out["exam"].append(np.array([exams[p][i] for p, i in zip(cohort.programme[who], exam_index[who])],
                                    dtype=object))
        out["attempt"].append(attempt[who].copy())
        out["pass"].append(passed)
        gives_up = ~passed & (attempt[who] >= effects.EXAM_MAX_ATTEMPTS)
        moves_on = passed | gives_up
        exam_index[who[moves_on]] += 1
        attempt[who] = np.where(moves_on, 1, attempt[who] + 1)
        wait = np.where(moves_on, rng.integers(*NEXT_EXAM_AFTER_DAYS, who.size),
                        rng.integers(*RESIT_AFTER_DAYS, who.size))
        sitting[who] += wait
    trainee, sat = np.concatenate(out["trainee"]), np.concatenate(out["day"])
    order = np.lexsort((sat, cohort.gmc_number[trainee]))
    table = {
        "GMC Number": cohort.gmc_number[trainee].astype(str).astype(object),
        "Organisation Code": np.full(trainee.size, pop.trust.code, dtype=object),
        "Exam Code": _exam_names(np.concatenate(out["exam"]), sat),
        "Exam Date": format_days(sat, DATE_FORMAT),
        "Attempt Number": np.concatenate(out["attempt"]).astype(str).astype(object),
        "Result": np.where(np.concatenate(out["pass"]), "Pass", "Fail").astype(object),
    }
    return Table(EXAM_HEADER, {k: v[order] for k, v in table.items()})


def _exam_names(exams: np.ndarray, sat: np.ndarray) -> np.ndarray:
    """An exam sat before its current form existed carries the earlier form's name."""
    named = exams.copy()
    for exam, (earlier, since) in RENAMED_EXAMS.items():
        named[(exams == exam) & (sat < since)] = earlier
    return named


def exam_codes() -> list[str]:
    return [e for _, _, exams in PROGRAMMES.values() for e in exams] + [e for e, _ in RENAMED_EXAMS.values()]


def grades() -> list[str]:
    return [f"{prefix}{k}" for prefix, top in (("FY", 2), ("CT", 3), ("ST", 8)) for k in range(1, top + 1)]
