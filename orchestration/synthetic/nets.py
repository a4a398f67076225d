"""National Education and Training Survey (NETS) results, aggregated only: year × trust ×
programme × indicator × breakdown group.

Respondents are the trust's doctors in training (trainees.Cohort) in post on 1 November of the
survey year; each answers every indicator, positive at the rate effects.NETS_RATES plants for
their ethnicity and disability. Only counts per published group leave this module; a group with
fewer than effects.NETS_MIN_RESPONDENTS respondents is published with both counts blank.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from orchestration.synthetic import effects
from orchestration.synthetic.codes import WHITE_CODES
from orchestration.synthetic.dates import day
from orchestration.synthetic.ethnicity import is_bme
from orchestration.synthetic.population import Population
from orchestration.synthetic.trainees import PMQ_REGIONS, PROGRAMME_CODES, Cohort
from orchestration.synthetic.writer import Table

HEADER = ("Survey Year", "Organisation Code", "Programme Code", "Indicator Code", "Indicator Text",
          "Breakdown", "Breakdown Group", "Respondents", "Positive Responses")
INDICATOR_TEXT = {
    "OVERALL": "Overall satisfaction with the placement",
    "SUPERVISION": "Clinical supervision in the placement was good or excellent",
    "BULLYING": "Experienced bullying or undermining in the placement",
    "RECOMMEND": "Would recommend the placement to a friend or colleague",
    "HANDOVER": "Handover arrangements in the placement were good",
}
NOT_STATED = {"ethnicity": 0.03, "disability": 0.04}  # respondents who skip the question
FIELDWORK = (11, 1)  # (month, day) in the survey year: who is in post to be asked
FIRST_SURVEY_YEAR = 2019  # NETS was first run in 2019 (the contract's minimum survey_year)


def nets_result_table(rng: np.random.Generator, pop: Population, cohort: Cohort) -> Table:
    rows = []
    for fy_end_year in pop.window.fy_end_years:
        survey_year = fy_end_year - 1  # autumn fieldwork, like the Staff Survey
        if survey_year < FIRST_SURVEY_YEAR:
            continue
        respondents = _respondents(rng, pop, cohort, survey_year)
        groups = _groups(rng, pop, cohort, respondents)
        for indicator, (base, bme_gap, disabled_gap) in effects.NETS_RATES.items():
            rate = (base + bme_gap * (groups["Ethnicity"] == "BME")
                    + disabled_gap * (groups["Disability"] == "Disabled")) / 100
            positive = rng.random(respondents.size) < rate
            rows.extend(_indicator_rows(pop, survey_year, indicator, cohort.programme[respondents],
                                        groups, positive))
    columns = {name: np.array([r[i] for r in rows], dtype=object) for i, name in enumerate(HEADER)}
    return Table(HEADER, columns)


def _respondents(rng, pop: Population, cohort: Cohort, survey_year: int) -> np.ndarray:
    in_post = pop.staff.employed_on(day(date(survey_year, *FIELDWORK)))[cohort.person]
    return np.flatnonzero(in_post & (rng.random(len(cohort)) < effects.NETS_RESPONSE_RATE))


def _groups(rng, pop: Population, cohort: Cohort, who: np.ndarray) -> dict[str, np.ndarray]:
    """Each respondent's group in every breakdown, as they answered the survey."""
    codes = pop.staff.ethnicity[cohort.person[who]]
    ethnicity = np.select([np.isin(codes, list(WHITE_CODES)), is_bme(codes)], ["White", "BME"], "Not stated")
    ethnicity[rng.random(who.size) < NOT_STATED["ethnicity"]] = "Not stated"
    disability = np.where(pop.staff.disabled[cohort.person[who]], "Disabled", "Non-disabled")
    disability[rng.random(who.size) < NOT_STATED["disability"]] = "Not stated"
    return {
        "All": np.full(who.size, "All"),
        "Ethnicity": ethnicity,
        "PMQ": np.array(PMQ_REGIONS)[cohort.pmq[who]],
        "Sex": np.where(cohort.female[who], "Female", "Male"),
        "Disability": disability,
    }


def _indicator_rows(pop: Population, survey_year: int, indicator: str, programme: np.ndarray,
                    groups: dict[str, np.ndarray], positive: np.ndarray) -> list[tuple]:
    rows = []
    for p, code in enumerate(PROGRAMME_CODES):
        mine = programme == p
        for breakdown, group_of in groups.items():
            for group in sorted(set(group_of[mine])):
                cell = mine & (group_of == group)
                respondents = int(cell.sum())
                shown = ("", "") if respondents < effects.NETS_MIN_RESPONDENTS else \
                    (str(respondents), str(int(positive[cell].sum())))
                rows.append((str(survey_year), pop.trust.code, code, indicator, INDICATOR_TEXT[indicator],
                             breakdown, group, *shown))
    return rows
