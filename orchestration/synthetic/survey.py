"""NHS Staff Survey results, aggregated only: year × trust × question × breakdown group.

Respondents are counted per cell (ethnic group × disability × sex) and the positive answers
drawn per cell, so every breakdown adds up; no respondent-level row ever leaves this module.
Cells with fewer than 11 respondents are suppressed as "-", as in the published spreadsheets.
Question numbers are each year's own; the ones that move here (q11e/q11d, the adjustments
question) illustrate the renumbering and are not verified against the real questionnaires.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.codes import ETHNIC_FAMILY
from orchestration.synthetic.dates import day
from orchestration.synthetic.population import Population
from orchestration.synthetic.writer import Table, decimals

HEADER = ("Survey Year", "Organisation Code", "Question Number", "Question Text", "Breakdown",
          "Group", "Respondents", "Positive", "Score")
SUPPRESSED = "-"
MIN_RESPONDENTS = 11
# The questionnaire was rebuilt around the People Promise in 2021; ref_survey_question holds its numbering
# from then on, so a longer window writes no earlier survey (landing would quarantine its questions).
FIRST_SURVEY_YEAR = 2021
# concept → (question text, {survey year: question number}; years not listed use the last one)
QUESTIONS = {
    "violence_public": ("Experienced physical violence from patients, relatives or the public",
                        {2021: "q13a"}),
    "harassment_public": ("Experienced harassment, bullying or abuse from patients, relatives or the public",
                          {2021: "q14a"}),
    "harassment_managers": ("Experienced harassment, bullying or abuse from managers", {2021: "q14b"}),
    "harassment_colleagues": ("Experienced harassment, bullying or abuse from other colleagues",
                              {2021: "q14c"}),
    "harassment_staff": ("Experienced harassment, bullying or abuse from managers or other colleagues "
                         "(pre-combined)", {2021: "q14b_c"}),
    "reported_harassment": ("The last experience of harassment, bullying or abuse was reported",
                            {2021: "q14d"}),
    "equal_opportunities": ("Organisation acts fairly with regard to career progression / promotion",
                            {2021: "q15"}),
    "discrimination_patients": ("Experienced discrimination from patients, relatives or the public",
                                {2021: "q16a"}),
    "discrimination_staff": ("Experienced discrimination from a manager, team leader or other colleague",
                             {2021: "q16b"}),
    "pressure_unwell": ("Felt pressure from manager to come to work when not feeling well enough",
                        {2021: "q11e", 2024: "q11d"}),
    "values_work": ("Satisfied with the extent the organisation values my work", {2021: "q4b"}),
    "adjustments": ("Employer has made adequate adjustments to enable me to carry out my work",
                    {2021: "q28b", 2022: "q30b", 2023: "q31b", 2024: "q30b"}),
    "engagement": ("Staff engagement score (0-10)", {2021: "engagement"}),
}
# Share of respondents who answer each question (filtered questions are answered by fewer).
ANSWERED = {"reported_harassment": 0.35, "adjustments": 0.75}
ANSWERED_OTHER = 0.97
RESPONSE_RATE = (0.35, 0.55)
ETHNIC_GROUPS = ("White", "Asian", "Black", "Mixed", "Other", "Not stated")
DISABILITY_GROUPS = ("Disabled", "Non-disabled", "Not stated")
SEX_GROUPS = ("Female", "Male", "Prefer not to say")
NOT_STATED = {"ethnicity": 0.03, "disability": 0.03, "sex": 0.02}
ENGAGEMENT_SD = 1.6  # spread of individual engagement scores
PUBLIC_CONCEPTS = {"violence_public", "harassment_public"}
_FAMILY_TO_GROUP = {"white_british": "White", "white_other": "White", "asian": "Asian",
                    "black": "Black", "mixed": "Mixed", "other": "Other"}


def question_number(concept: str, survey_year: int) -> str:
    numbers = QUESTIONS[concept][1]
    earlier = [y for y in numbers if y <= survey_year]
    return numbers[max(earlier)] if earlier else numbers[min(numbers)]


def staff_survey_table(rng: np.random.Generator, pop: Population) -> Table:
    rows = []
    for fy_end_year in pop.window.fy_end_years:
        survey_year = fy_end_year - 1  # autumn fieldwork feeds the financial year ending next March
        if survey_year < FIRST_SURVEY_YEAR:
            continue
        cells = _respondent_cells(rng, pop, survey_year)
        for concept in QUESTIONS:
            rows.extend(_question_rows(rng, pop, survey_year, concept, cells))
    columns = {name: np.array([r[i] for r in rows], dtype=object) for i, name in enumerate(HEADER)}
    return Table(HEADER, columns)


def _respondent_cells(rng, pop: Population, survey_year: int) -> np.ndarray:
    """Respondent counts, shape (ethnic group, disability, sex), from the staff in post in October."""
    staff = pop.staff
    in_post = np.flatnonzero(staff.employed_on(day(date(survey_year, 10, 1))) & ~staff.bank_only)
    responded = in_post[rng.random(in_post.size) < rng.uniform(*RESPONSE_RATE)]
    n = responded.size
    ethnic = np.array([ETHNIC_GROUPS.index(_FAMILY_TO_GROUP.get(ETHNIC_FAMILY.get(c), "Not stated"))
                       for c in staff.ethnicity[responded]], dtype=np.int64)
    ethnic[rng.random(n) < NOT_STATED["ethnicity"]] = ETHNIC_GROUPS.index("Not stated")
    disabled_share = effects.SURVEY_DISABLED_SHARE.get(survey_year, max(effects.SURVEY_DISABLED_SHARE.values()))
    disability = np.where(rng.random(n) < disabled_share, 0, 1)
    disability[rng.random(n) < NOT_STATED["disability"]] = 2
    sex = np.where(staff.female[responded], 0, 1)
    sex[rng.random(n) < NOT_STATED["sex"]] = 2
    cells = np.zeros((len(ETHNIC_GROUPS), len(DISABILITY_GROUPS), len(SEX_GROUPS)), dtype=np.int64)
    np.add.at(cells, (ethnic, disability, sex), 1)
    return cells


def _question_rows(rng, pop: Population, survey_year: int, concept: str, cells: np.ndarray) -> list[tuple]:
    """One row per breakdown group: respondents and positive answers (or the mean score)."""
    if concept == "adjustments":  # asked of disabled staff only
        cells = cells * (np.arange(len(DISABILITY_GROUPS)) == 0)[None, :, None]
    answering = rng.binomial(cells, ANSWERED.get(concept, ANSWERED_OTHER))
    bme = np.array([g not in ("White", "Not stated") for g in ETHNIC_GROUPS])[:, None, None]
    disabled = (np.arange(len(DISABILITY_GROUPS)) == 0)[None, :, None]
    if concept == "engagement":
        base, bme_gap, disabled_gap = effects.SURVEY_ENGAGEMENT
        mean = base + bme_gap * bme + disabled_gap * disabled
        totals = answering * mean + rng.normal(0, ENGAGEMENT_SD, answering.shape) * np.sqrt(answering)
        positive = None  # a score, not a count of positive answers
    else:
        base, bme_gap, disabled_gap = effects.SURVEY_RATES[concept]
        if pop.trust.kind == "ambulance" and concept in PUBLIC_CONCEPTS:
            base *= effects.SURVEY_AMBULANCE_PUBLIC_FACTOR
        rate = np.clip((base + bme_gap * bme + disabled_gap * disabled) / 100, 0.005, 0.995)
        positive = rng.binomial(answering, np.broadcast_to(rate, answering.shape))
    question = question_number(concept, survey_year)
    text = QUESTIONS[concept][0]
    rows = []
    for breakdown, group, mask in _breakdowns(concept):
        respondents = int(answering[mask].sum())
        if respondents == 0:
            continue
        if positive is None:
            score = np.clip(totals[mask].sum() / respondents, 0, 10)
            shown = (SUPPRESSED, "", SUPPRESSED) if respondents < MIN_RESPONDENTS else \
                (str(respondents), "", decimals(np.array([score]), 2)[0])
        else:
            shown = (SUPPRESSED, SUPPRESSED, "") if respondents < MIN_RESPONDENTS else \
                (str(respondents), str(int(positive[mask].sum())), "")
        rows.append((str(survey_year), pop.trust.code, question, text, breakdown, group, *shown))
    return rows


def _breakdowns(concept: str):
    """(breakdown, group, boolean mask over cells) for every published group."""
    shape = (len(ETHNIC_GROUPS), len(DISABILITY_GROUPS), len(SEX_GROUPS))
    everyone = np.ones(shape, bool)
    yield "Overall", "All staff", everyone
    for e, group in enumerate(ETHNIC_GROUPS):
        mask = np.zeros(shape, bool)
        mask[e] = True
        yield "Ethnicity", group, mask
        if group == "Other":
            bme = np.zeros(shape, bool)
            bme[[ETHNIC_GROUPS.index(g) for g in ("Asian", "Black", "Mixed", "Other")]] = True
            yield "Ethnicity", "BME", bme
    for d, group in enumerate(DISABILITY_GROUPS):
        if concept == "adjustments" and group != "Disabled":
            continue
        mask = np.zeros(shape, bool)
        mask[:, d] = True
        yield "Disability", group, mask
    for s, group in enumerate(SEX_GROUPS):
        mask = np.zeros(shape, bool)
        mask[:, :, s] = True
        yield "Sex", group, mask
