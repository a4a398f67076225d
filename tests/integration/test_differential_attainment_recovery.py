"""Differential attainment (issue #13): the warehouse recovers what the generator plants.

The 1-trust demo's counts are pooled over every year of fct_edi_measure (the planted rates are the
same in every year), and each planted figure must lie inside the pooled interval: the relative
likelihood of a non-standard ARCP outcome (Katz), the first-attempt pass rate (Wilson) and the share
of ARCP reviews matched to ESR (Wilson). Intervals are simultaneous over the 10 comparisons
(Bonferroni: two-sided 0.05 / 10 -> z = 2.807), as in test_relative_likelihood_recovery.py.
"""

import math

import duckdb

from orchestration.synthetic import effects

Z = 2.807
PLANTED_RL = {
    "rl_uk_bme_vs_uk_white_non_standard_arcp_outcome": effects.ARCP_NON_STANDARD_RL["uk_bme"],
    "rl_eea_vs_uk_white_non_standard_arcp_outcome": effects.ARCP_NON_STANDARD_RL["eea"],
    "rl_img_vs_uk_white_non_standard_arcp_outcome": effects.ARCP_NON_STANDARD_RL["img"],
    "rl_female_vs_male_non_standard_arcp_outcome": 1 / effects.ARCP_NON_STANDARD_RL_MALE_VS_FEMALE,
    "rl_disabled_vs_nondisabled_non_standard_arcp_outcome": effects.ARCP_NON_STANDARD_RL_DISABLED_VS_NONDISABLED,
}
PLANTED_PASS = {"UK White": effects.EXAM_FIRST_ATTEMPT_PASS["uk_white"],
                "UK BME": effects.EXAM_FIRST_ATTEMPT_PASS["uk_bme"],
                "EEA": effects.EXAM_FIRST_ATTEMPT_PASS["eea"],
                "IMG": effects.EXAM_FIRST_ATTEMPT_PASS["img"]}


def katz(a: int, n1: int, c: int, n0: int) -> tuple[float, float, float]:
    rl = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rl, rl * math.exp(-Z * se), rl * math.exp(Z * se)


def wilson(k: int, n: int) -> tuple[float, float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return p, centre - half, centre + half


def pooled(db_path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def outside(estimates: dict[str, tuple[float, float, float]], planted: dict[str, float]) -> dict:
    return {k: (round(p, 3), tuple(round(v, 3) for v in estimates[k])) for k, p in planted.items()
            if not estimates[k][1] <= p <= estimates[k][2]}


def test_every_planted_arcp_relative_likelihood_is_recovered(demo_refresh):
    rows = pooled(demo_refresh.db_path, """
        select measure_id, sum(numerator), sum(denominator), sum(reference_numerator), sum(reference_denominator)
        from marts.fct_edi_measure
        where standard = 'DA' and measure_kind = 'relative_likelihood' and period_type = 'financial_year'
            and breakdown_type = 'overall' and variant = 'default'
        group by measure_id""")
    rls = {measure_id: katz(*counts) for measure_id, *counts in rows}
    assert set(rls) == set(PLANTED_RL)
    assert not outside(rls, PLANTED_RL), outside(rls, PLANTED_RL)


def test_every_planted_first_attempt_pass_rate_is_recovered(demo_refresh):
    rows = pooled(demo_refresh.db_path, """
        select group_value, sum(numerator), sum(denominator)
        from marts.fct_edi_measure
        where measure_id = 'first_attempt_pass_rate_pct' and period_type = 'financial_year'
            and breakdown_type = 'overall' and variant = 'default'
        group by group_value""")
    rates = {group: wilson(k, n) for group, k, n in rows if group in PLANTED_PASS}
    assert set(rates) == set(PLANTED_PASS)
    assert not outside(rates, PLANTED_PASS), outside(rates, PLANTED_PASS)


def test_the_planted_tis_to_esr_match_rate_is_recovered(demo_refresh):
    (matched, total), = pooled(demo_refresh.db_path, """
        select sum(matched_total), sum(row_count) from marts.fct_identity_match_rate
        where source = 'tis_arcp_outcome'""")
    rate = wilson(matched, total)
    assert rate[1] <= effects.TIS_EMPLOYEE_MATCH_RATE <= rate[2], (effects.TIS_EMPLOYEE_MATCH_RATE, rate)
