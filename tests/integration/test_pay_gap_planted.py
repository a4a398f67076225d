"""Pay gaps on the demo refresh: the planted consultant bonus effect is recovered, quarters add up, and
the overall median gender gap matches an independent recomputation from fct_pay_snapshot."""

import math

import duckdb
import pytest

from orchestration.synthetic.effects import CONSULTANT_MALE_BONUS_RL


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
