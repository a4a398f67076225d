"""Pay gaps on the demo refresh: the planted consultant bonus effect is recovered, quarters add up, and
the overall median gender gap matches an independent recomputation from fct_pay_snapshot."""

import math

import duckdb
import pytest

from orchestration.synthetic.effects import BME_FEMALE_EXTRA_PAY_GAP, CONSULTANT_MALE_BONUS_RL


@pytest.fixture(scope="module")
def con(demo_refresh):
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as connection:
        yield connection


def test_male_consultants_are_paid_a_bonus_more_often(con):
    rows = con.execute("""
        select fy_end, reference_recipients_n, reference_n, comparison_recipients_n, comparison_n, gap_value
        from marts.fct_pay_gap
        where characteristic = 'sex' and breakdown_type = 'medical_subgroup'
            and breakdown_value = 'consultant' and measure_id = 'pct_paid_bonus'
    """).fetchall()
    assert rows, "no consultant bonus rows"
    a, n1, c, n0 = (sum(r[i] for r in rows) for i in range(1, 5))
    assert sum(r[5] * r[2] for r in rows) > 0  # positive pp gap (male minus female), headcount-weighted
    rl = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    lower, upper = rl * math.exp(-1.96 * se), rl * math.exp(1.96 * se)
    assert lower > 1.0, f"male/female bonus receipt RL {rl:.2f} ({lower:.2f}-{upper:.2f}) not above parity"
    assert lower <= CONSULTANT_MALE_BONUS_RL <= upper, f"RL {rl:.2f} ({lower:.2f}-{upper:.2f})"


def test_each_quarter_is_shared_out_completely(con):
    bad = con.execute("""
        select organisation_code, fy_end, characteristic, variant, breakdown_type, breakdown_value, quartile,
            sum(share_pct) as total_share, sum(units) as units, max(quarter_units) as quarter_units
        from marts.fct_pay_quartile
        group by all
        having abs(sum(share_pct) - 100) > 1e-6 or abs(sum(units) - max(quarter_units)) > 1e-6
    """).fetchall()
    assert not bad, bad[:5]
    quarters = con.execute("""
        select count(distinct quartile) from marts.fct_pay_quartile
        where characteristic = 'sex' and breakdown_type = 'overall'
    """).fetchone()[0]
    assert quarters == 4


def test_overall_median_gender_gap_matches_a_recomputation(con):
    snapshot = con.execute("""
        select p.organisation_code, p.date_key, sx.sex, cast(p.ordinary_hourly_pay as double) as hourly
        from marts.fct_pay_snapshot as p
        inner join marts.dim_pay_grade as g on p.pay_grade_key = g.pay_grade_key
        left join marts.dim_staff as s on p.staff_version_key = s.staff_version_key
        left join marts.dim_sex as sx on s.sex_key = sx.sex_key
        where p.is_full_pay_relevant and g.is_workforce
    """).df()
    medians = snapshot.groupby(["organisation_code", "date_key", "sex"])["hourly"].median().unstack("sex")
    expected = ((medians["Male"] - medians["Female"]) / medians["Male"] * 100).to_dict()
    got = {(org, fy): gap for org, fy, gap in con.execute("""
        select organisation_code, fy_end, gap_value from marts.fct_pay_gap
        where characteristic = 'sex' and breakdown_type = 'overall'
            and measure_id = 'pay_gap_median_hourly_pct'
    """).fetchall()}
    assert len(expected) >= 1 and set(got) == {(org, d.date()) for org, d in expected}
    for (org, d), gap in expected.items():
        assert got[(org, d.date())] == pytest.approx(gap, abs=1e-6)


def test_the_extra_gap_of_bme_women_is_recovered_within_its_ci(con):
    # The generator pays BME women BME_FEMALE_EXTRA_PAY_GAP less within their grade; the sex and ethnicity
    # gaps come from grade mix. Within a cluster, 1 - (F&BME / F&White) / (M&BME / M&White) of the mean
    # hourly pay in fct_pay_gap estimates the extra gap; clusters C1 and C2 (most BME women) are pooled by
    # inverse variance on the log scale, one snapshot (the same people recur across years). The variances
    # come from the person-level pay population (delta method: var(log mean) = sd^2 / (n mean^2)).
    means = {}
    for cluster, reference, group, reference_mean, group_mean in con.execute("""
        select breakdown_value, reference_group, comparison_group, reference_value, comparison_value
        from marts.fct_pay_gap
        where characteristic = 'sex_ethnicity' and variant = 'wres' and measure_id = 'pay_gap_mean_hourly_pct'
            and breakdown_type = 'cluster' and breakdown_value in ('C1', 'C2')
            and fy_end = (select max(fy_end) from marts.fct_pay_gap)
    """).fetchall():
        means.setdefault(cluster, {reference: reference_mean})[group] = group_mean
    spread = {(c, g): (sd, n) for c, g, sd, n in con.execute("""
        select cluster, sex || ' & ' || wres_group, stddev_samp(cast(hourly_pay as double)), count(*)
        from intermediate.int_pay_gap_population
        where is_full_pay_relevant and cluster in ('C1', 'C2') and sex in ('Male', 'Female')
            and wres_group in ('White', 'BME') and fy_end = (select max(fy_end) from marts.fct_pay_gap)
        group by all
    """).fetchall()}
    assert set(means) == {"C1", "C2"} and all(len(m) == 4 for m in means.values()), means
    weighted, weights = 0.0, 0.0
    for cluster, m in means.items():
        log_ratio = (math.log(m["Female & BME"]) + math.log(m["Male & White"])
                     - math.log(m["Female & White"]) - math.log(m["Male & BME"]))
        variance = sum((spread[(cluster, g)][0] / m[g]) ** 2 / spread[(cluster, g)][1] for g in m)
        weighted, weights = weighted + log_ratio / variance, weights + 1 / variance
    estimate, se = weighted / weights, math.sqrt(1 / weights)
    extra_gap = [1 - math.exp(x) for x in (estimate + 1.96 * se, estimate, estimate - 1.96 * se)]
    assert extra_gap[0] > 0, f"no extra gap for BME women: {extra_gap}"
    assert extra_gap[0] <= BME_FEMALE_EXTRA_PAY_GAP <= extra_gap[2], extra_gap


def test_every_characteristic_and_intersection_reaches_the_bi_extract(con):
    published = {(d, m) for d, m in con.execute(
        "select distinct group_dimension, measure_id from bi.bi_pay_gap").fetchall()}
    for dimension in ("age_band", "religion", "sexual_orientation", "sex_ethnicity", "sex_disability"):
        for measure in ("pay_gap_mean_hourly_pct", "pay_gap_median_hourly_pct", "pct_paid_bonus",
                        "pay_quartile_share_pct", "pay_not_stated_pct"):
            assert (dimension, measure) in published, (dimension, measure)
