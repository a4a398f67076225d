"""The survey indicators and HIA6 incident measures recover what the generator plants (spec §5, §7).

Run on the demo refresh (1 generated trust, seed 11). Survey gaps are pooled over the survey years
(the planted rates do not change by year) and must lie within 3 standard errors of the planted gap,
the standard error coming from the respondent counts themselves. The public-abuse relative likelihood
is pooled over the years too; one trust-year alone gives a very wide CI.
"""

import math

import duckdb
import pytest

from orchestration.synthetic import effects
from orchestration.synthetic.survey import ENGAGEMENT_SD

TOLERANCE_SE = 3.0

# Both groups' counts per survey measure, gap dimension and concept, pooled over years.
SURVEY_POOLED = """
    select
        s.measure_id, s.group_dimension, q.question_concept,
        sum(s.respondents), sum(s.positive), sum(s.value * s.respondents),
        sum(s.reference_respondents), sum(s.reference_positive), sum(s.reference_value * s.reference_respondents),
        count(*)
    from marts.fct_survey_indicator as s
    inner join reference.ref_survey_question_map as q
        on s.survey_year = q.survey_year and s.measure_id = q.measure_id
    where s.reference_group is not null and s.difference_vs_reference is not null
    group by s.measure_id, s.group_dimension, q.question_concept
"""
ABUSE = """
    select r.group_dimension, r.group_value, i.incident_type, i.perpetrator, i.period_type, sum(i.incidents)
    from marts.fct_hia6_incident_rate as i
    cross join (select distinct group_dimension, group_value from marts.fct_hia6_incident_rate) as r
    where i.group_dimension = r.group_dimension and i.group_value = r.group_value
    group by all
"""
ABUSE_SOURCE_ROWS = """
    select count(*), count(*) filter (where i.staff_version_key is null)
    from marts.fct_staff_incident as i
    inner join marts.dim_incident_type as t on i.incident_type_key = t.incident_type_key
    where t.is_abuse_of_staff and not i.is_rejected
"""


@pytest.fixture(scope="module")
def con(demo_refresh):
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as connection:
        yield connection


def planted_gap(concept: str, dimension: str) -> float:
    base, bme_gap, disabled_gap = effects.SURVEY_ENGAGEMENT if concept == "engagement" else effects.SURVEY_RATES[concept]
    return {"ethnicity": bme_gap, "disability": disabled_gap, "sex": 0.0}[dimension]


def test_planted_survey_gaps_are_recovered(con):
    rows = con.execute(SURVEY_POOLED).fetchall()
    checked, off = set(), {}
    for measure_id, dimension, concept, n1, pos1, sum1, n0, pos0, sum0, years in rows:
        if concept == "engagement":  # mean score: SE of a mean of scores with the planted spread
            gap = (sum1 / n1) - (sum0 / n0)
            se = ENGAGEMENT_SD * math.sqrt(1 / n1 + 1 / n0)
        else:
            p1, p0 = pos1 / n1, pos0 / n0
            gap = 100 * (p1 - p0)
            se = 100 * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        planted = planted_gap(concept, dimension)
        checked.add((measure_id, dimension))
        if abs(gap - planted) > TOLERANCE_SE * se:
            off[(measure_id, dimension)] = (round(gap, 2), planted, round(se, 2), years)
    # WRES 5-8 (ethnicity); WDES 4a-i/ii/iii, 4b, 5, 6, 7, 9a (disability; 8 has no reference group);
    # HIA6 6a/6b by ethnicity, disability and sex
    assert len(checked) == 4 + 8 + 6, sorted(checked)
    assert not off, f"gap outside {TOLERANCE_SE} SE of the planted gap (measured, planted, SE, years): {off}"


def test_survey_rows_keep_positive_within_respondents_and_flag_small_bases(con):
    bad, unflagged = con.execute(
        "select count(*) filter (where positive > respondents or positive < 0),"
        " count(*) filter (where respondents < 11 and not flag_small_base)"
        " from marts.fct_survey_indicator").fetchone()
    assert (bad, unflagged) == (0, 0)


def test_public_abuse_rl_pooled_over_years_contains_the_planted_rl(con):
    a, n1, c, n0, years = con.execute(
        "select sum(numerator_events), sum(numerator_base), sum(denominator_events), sum(denominator_base),"
        " count(*) from marts.fct_hia6_relative_likelihood"
        " where measure_id = 'rl_bme_vs_white_affected_by_incident' and breakdown_value = 'all|patient_public'"
    ).fetchone()
    assert years >= 4
    rl = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    lower, upper = rl * math.exp(-1.96 * se), rl * math.exp(1.96 * se)
    assert lower <= effects.PUBLIC_ABUSE_RL_BME_VS_WHITE <= upper, (rl, lower, upper)


def test_unmatched_incidents_are_kept(con):
    source_rows, source_unmatched = con.execute(ABUSE_SOURCE_ROWS).fetchone()
    assert source_unmatched > 0, "the demo data should hold incidents matched to no staff version"
    totals = {}
    for dimension, group, incident_type, perpetrator, period_type, incidents in con.execute(ABUSE).fetchall():
        if incident_type == "all" and perpetrator == "all":
            totals.setdefault((dimension, period_type), {})[group] = incidents
    assert {d for d, _ in totals} == {"ethnicity", "disability", "sex", "all"}
    for (dimension, period_type), groups in totals.items():
        # every incident is counted once per dimension, the unmatched ones in their own group
        assert sum(groups.values()) == source_rows, (dimension, period_type, groups)
        if dimension != "all":
            assert groups["unmatched"] == source_unmatched, (dimension, period_type)
