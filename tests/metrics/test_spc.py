"""SPC (XmR) through the real `spc_xmr` / `spc_assurance` macros: metrics-spec §9 and Appendix A5.

Every variant of the macro is compiled in ONE dbt compile (each compile costs seconds), then run in
DuckDB against small vector tables. Points are numbered from 1 as in the spec.
"""

import random
from datetime import date, timedelta

import pandas
import pytest

from tests.metrics import model_chain

TOL = 1e-4
BASELINE = [9, 11, 13, 11, 9, 11, 13, 11, 9, 11, 13, 11]  # §9: mean 11, every MR = 2
RULES = ("rule_1", "rule_2", "rule_3", "rule_4")
COLUMNS = ("seq", "val", "segment", "point_seq", "centre", "mr", "mr_bar", "upl", "lpl", "upper_2sigma", "lower_2sigma",
           "limit_point_count", "limits_status", "screen_outliers", *RULES, "special_cause_rule",
           "special_cause_direction", "variation", "is_excluded")

XMR = "{{{{ spc_xmr('spc_input', ['series_id'], 'seq', 'val', 'hib'{options}) }}}}"
VARIANTS = {
    "fixed_12": ", fix_after_n_points=12",  # A5: the appended points are judged against the baseline
    "project_vars": "",  # spc_screen_outliers (true), spc_fix_after_n_points (null), min 12 points
    "unscreened": ", screen_outliers=false",
    "rebased": ", rebase_relation='spc_rebase'",
    "excluding": ", exclude_column='excl'",  # points with excl charted but not assessed
}


@pytest.fixture(scope="module")
def sql(macros):
    parts = [f"-- @@{name}\n" + XMR.format(options=options) for name, options in VARIANTS.items()]
    parts.append("-- @@assurance\nselect target, {{ spc_assurance('target', 'upl', 'lpl', 'hib') }} as assurance "
                 "from assurance_input order by case_id")
    compiled = macros.render("\n".join(parts))
    chunks = compiled.split("-- @@")[1:]
    return {chunk.split("\n", 1)[0].strip(): chunk.split("\n", 1)[1] for chunk in chunks}


def load(db, series: dict[str, list[float]], hib: dict[str, bool | None] | None = None,
         excluded: dict[str, set[int]] | None = None):
    """spc_input(series_id, seq, val, hib, excl): one row per point, seq numbered from 1."""
    hib, excluded = hib or {}, excluded or {}
    db.execute("create or replace table spc_input (series_id varchar, seq int, val double, hib boolean, excl boolean)")
    rows = [(sid, i + 1, float(v), hib.get(sid, False), i + 1 in excluded.get(sid, set()))
            for sid, values in series.items() for i, v in enumerate(values)]
    db.executemany("insert into spc_input values (?, ?, ?, ?, ?)", rows)


def chart(db, sql, variant, series_id="a"):
    rows = db.execute(f"select {', '.join(COLUMNS)} from ({sql[variant]}) as c where series_id = ? order by seq",
                      [series_id]).fetchall()
    return [dict(zip(COLUMNS, row)) for row in rows]


def fired(points, rule):
    return {p["seq"] for p in points if p[rule]}


def assert_rules(points, expected: dict[str, set[int]]):
    """Each rule fires exactly at the expected points (an absent rule: nowhere)."""
    for rule in RULES:
        assert fired(points, rule) == expected.get(rule, set()), rule


def assert_baseline_limits(points):
    for p in points:
        assert p["centre"] == pytest.approx(11, abs=TOL)
        assert p["mr_bar"] == pytest.approx(2, abs=TOL)
        assert p["upl"] == pytest.approx(16.32, abs=TOL)
        assert p["lpl"] == pytest.approx(5.68, abs=TOL)
        assert p["upper_2sigma"] == pytest.approx(14.5467, abs=TOL)
        assert p["lower_2sigma"] == pytest.approx(7.4533, abs=TOL)
        assert p["limit_point_count"] == 12 and p["limits_status"] == "firm"


# --- §9 worked example and Appendix A5 ----------------------------------------------------------

def test_worked_example_rule_4_at_points_14_and_15_concerning_when_lower_is_better(db, sql):
    load(db, {"a": BASELINE + [12, 15, 14.8]}, hib={"a": False})
    points = chart(db, sql, "fixed_12")
    assert len(points) == 15
    assert_baseline_limits(points)
    assert_rules(points, {"rule_4": {14, 15}})
    assert [p["variation"] for p in points if p["seq"] in (14, 15)] == ["concerning", "concerning"]
    assert {p["variation"] for p in points if p["seq"] not in (14, 15)} == {"common_cause"}


@pytest.mark.parametrize("vector, appended, expected", [
    ("TV-S1", [12, 17], {"rule_1": {14}}),
    ("TV-S2", [12, 13, 12, 14, 12, 13, 12], {"rule_2": set(range(13, 20))}),
    ("TV-S3", [8, 9, 10, 11.5, 12, 13, 14], {"rule_3": set(range(13, 20))}),
    ("TV-S4", [12, 15, 14.8], {"rule_4": {14, 15}}),
])
def test_a5_rule_vectors_fire_exactly_at_the_stated_points(db, sql, vector, appended, expected):
    load(db, {"a": BASELINE + appended})
    points = chart(db, sql, "fixed_12")
    assert len(points) == 12 + len(appended)
    assert_baseline_limits(points)
    assert_rules(points, expected)


def test_tv_s2_point_on_the_mean_breaks_the_shift(db, sql):
    # Point 12 equals the mean; with it counted as "above" the run would be 8 points long.
    load(db, {"a": BASELINE + [12, 13, 12, 14, 12, 13, 12]})
    points = chart(db, sql, "fixed_12")
    assert points[11]["val"] == 11 and not points[11]["rule_2"]


def test_tv_s3_six_rises_make_a_trend_but_five_do_not(db, sql):
    load(db, {"a": BASELINE + [8, 9, 10, 11.5, 12, 13]})  # TV-S3 without its last point: 6 points
    assert_rules(chart(db, sql, "fixed_12"), {})


def test_tv_s3_a_tie_breaks_the_trend(db, sql):
    load(db, {"a": BASELINE + [8, 9, 10, 10, 12, 13, 14]})
    assert fired(chart(db, sql, "fixed_12"), "rule_3") == set()


@pytest.mark.parametrize("variant, mr_bar, lpl, upl, screened", [
    ("project_vars", 2.0, 6.8467, 17.4867, True),  # MR 12 >= 3.267 x 2.9091 = 9.504 is dropped
    ("unscreened", 2.9091, 4.4285, 19.9048, False),
])
def test_tv_s5_outlier_screening(db, sql, variant, mr_bar, lpl, upl, screened):
    load(db, {"a": BASELINE[:11] + [25]})
    points = chart(db, sql, variant)
    assert len(points) == 12
    for p in points:
        assert p["centre"] == pytest.approx(12.1667, abs=TOL)
        assert p["mr_bar"] == pytest.approx(mr_bar, abs=TOL)
        assert p["lpl"] == pytest.approx(lpl, abs=TOL)
        assert p["upl"] == pytest.approx(upl, abs=TOL)
        assert p["screen_outliers"] is screened
    assert_rules(points, {"rule_1": {12}})


@pytest.mark.parametrize("hib, expected", [
    (True, ["fail", "hit_and_miss", "pass"]),  # TV-S6
    (False, ["pass", "hit_and_miss", "fail"]),  # lower is better: the reverse
    (None, [None, None, None]),  # no direction, no assurance
])
def test_tv_s6_assurance_against_the_baseline_limits(db, sql, hib, expected):
    load(db, {"a": BASELINE})
    latest = chart(db, sql, "fixed_12")[-1]
    db.execute("create table assurance_input as select * from (values (1, 17.0), (2, 10.0), (3, 5.0), (4, null)) "
               "as t(case_id, target)")
    db.execute(f"alter table assurance_input add column upl double default {latest['upl']}")
    db.execute(f"alter table assurance_input add column lpl double default {latest['lpl']}")
    db.execute("alter table assurance_input add column hib boolean")
    db.execute("update assurance_input set hib = ?", [hib])
    result = db.execute(sql["assurance"]).fetchall()
    assert [r[1] for r in result] == expected + [None]  # case 4: no target


# --- Segments, trial limits, precedence, variation ----------------------------------------------

def test_rebase_starts_a_new_segment_and_no_run_crosses_it(db, sql):
    segment_1 = [10, 14, 9, 13, 10, 11, 12, 13]
    segment_2 = [14, 15, 16, 12, 16, 11, 15, 12]  # 10, 11, ..., 16: seven rising points across the rebase
    load(db, {"a": segment_1 + segment_2, "b": segment_1 + segment_2})
    db.execute("create table spc_rebase as select 'a' as series_id, 9 as rebase_date")  # point 9 starts segment 2

    plain = chart(db, sql, "project_vars")
    assert fired(plain, "rule_3") == set(range(5, 12))  # without the rebase the trend fires

    rebased = chart(db, sql, "rebased")
    assert [p["segment"] for p in rebased] == [1] * 8 + [2] * 8
    assert fired(rebased, "rule_3") == set()
    assert rebased[8]["mr"] is None and rebased[8]["point_seq"] == 1  # point 9 opens segment 2
    for seg, values in ((1, segment_1), (2, segment_2)):
        ranges = [abs(b - a) for a, b in zip(values, values[1:])]
        raw = sum(ranges) / len(ranges)
        kept = [r for r in ranges if r < 3.267 * raw]
        mr_bar = sum(kept) / len(kept)
        mean = sum(values) / len(values)
        for p in (p for p in rebased if p["segment"] == seg):
            assert p["centre"] == pytest.approx(mean, abs=TOL)
            assert p["mr_bar"] == pytest.approx(mr_bar, abs=TOL)
            assert p["upl"] == pytest.approx(mean + 2.66 * mr_bar, abs=TOL)
            assert p["limits_status"] == "trial"  # 8 points each
    assert {p["segment"] for p in chart(db, sql, "rebased", series_id="b")} == {1}  # other series untouched


@pytest.mark.parametrize("n_points, status", [(11, "trial"), (12, "firm")])
def test_limits_are_trial_below_12_points(db, sql, n_points, status):
    load(db, {"a": (BASELINE * 2)[:n_points]})
    points = chart(db, sql, "project_vars")
    assert {p["limits_status"] for p in points} == {status}
    assert {p["limit_point_count"] for p in points} == {n_points}


def test_fixing_limits_judges_later_points_against_the_first_n(db, sql):
    load(db, {"a": BASELINE + [30, 30, 30]})
    fixed, unfixed = chart(db, sql, "fixed_12"), chart(db, sql, "project_vars")
    assert_baseline_limits(fixed)
    assert fired(fixed, "rule_1") == {13, 14, 15}
    assert unfixed[0]["limit_point_count"] == 15 and unfixed[0]["centre"] == pytest.approx(222 / 15, abs=TOL)


def test_precedence_outside_limits_then_trend_then_two_of_three_then_shift(db, sql):
    # Points 12-19 rise (11 is on the mean), 13-19 lie above it and 19 is beyond the UPL.
    load(db, {"a": BASELINE + [12, 12.5, 13, 13.5, 14, 15, 17],
              "b": BASELINE + [12, 12, 12, 12, 12, 15, 15]}, hib={"a": True, "b": True})
    a = chart(db, sql, "fixed_12", "a")
    assert_rules(a, {"rule_1": {19}, "rule_2": set(range(13, 20)), "rule_3": set(range(12, 20))})
    assert [p["special_cause_rule"] for p in a[11:]] == ["rule_3_trend"] * 7 + ["rule_1_outside_limits"]
    # Point 12 lies on the mean: its class follows the rising trend it belongs to.
    assert a[11]["special_cause_direction"] == 1 and a[11]["variation"] == "improving"

    # Points 13-19 above the mean (shift); 18 and 19 between the 2-sigma line and the UPL (two of three).
    b = chart(db, sql, "fixed_12", "b")
    assert_rules(b, {"rule_2": set(range(13, 20)), "rule_4": {18, 19}})
    assert [p["special_cause_rule"] for p in b[12:]] == ["rule_2_shift"] * 5 + ["rule_4_two_of_three"] * 2
    assert all(p["special_cause_rule"] is None for p in b[:12])


def test_two_of_three_below_the_mean_and_beyond_the_limit_does_not_count(db, sql):
    load(db, {"a": BASELINE + [10, 7, 7.2], "b": BASELINE + [10, 7, 5]})
    assert fired(chart(db, sql, "fixed_12", "a"), "rule_4") == {14, 15}
    b = chart(db, sql, "fixed_12", "b")  # point 15 is below the LPL, so only one point is in the band
    assert fired(b, "rule_4") == set() and fired(b, "rule_1") == {15}


@pytest.mark.parametrize("hib, above, below", [
    (True, "improving", "concerning"),
    (False, "concerning", "improving"),
    (None, "neither", "neither"),
])
def test_variation_class_follows_direction_and_side_of_the_mean(db, sql, hib, above, below):
    load(db, {"up": BASELINE + [12, 17], "down": BASELINE + [10, 5]}, hib={"up": hib, "down": hib})
    for series_id, expected in (("up", above), ("down", below)):
        points = chart(db, sql, "fixed_12", series_id)
        assert points[-1]["rule_1"] and points[-1]["variation"] == expected
        assert points[-1]["special_cause_direction"] == (1 if series_id == "up" else -1)
        assert {p["variation"] for p in points[:-1]} == {"common_cause"}


# --- Direction of a trend point (§9 Variation class) --------------------------------------------
# A trend point takes the trend's direction, not its side of the mean: if the next point is also a
# trend point, the sign of the step to it, otherwise the sign of the step from the previous point;
# positive = high (1), zero or negative = low (-1). Outside limits, two-of-three and shift points keep
# the side of the mean. Against the baseline (fixed_12): mean 11, limits 5.68/16.32, 2-sigma
# 7.4533/14.5467; point 12 of the baseline is 11 (on the mean).

def directions(points, seqs):
    return [p["special_cause_direction"] for p in points if p["seq"] in seqs]


def variations(points, seqs):
    return [p["variation"] for p in points if p["seq"] in seqs]


@pytest.mark.parametrize("hib, rising_class, falling_class", [
    (True, "improving", "concerning"),
    (False, "concerning", "improving"),
    (None, "neither", "neither"),
])
def test_trend_takes_its_direction_not_the_side_of_the_mean(db, sql, hib, rising_class, falling_class):
    # rising: 7.5 .. 10.5 in steps of 0.5, all below the mean (shift too) and above the 2-sigma line
    # 7.4533 (no two-of-three): rule 3 and rule 2 at 13-19, the trend wins by precedence. Every step
    # is +0.5, so every point is high although every point lies below the mean.
    # falling: 14.5 .. 11.5, all above the mean and below the 2-sigma line 14.5467: every step is
    # -0.5, so every point is low although every point lies above the mean.
    rising = [7.5, 8, 8.5, 9, 9.5, 10, 10.5]
    falling = [14.5, 14, 13.5, 13, 12.5, 12, 11.5]
    load(db, {"rising": BASELINE + rising, "falling": BASELINE + falling}, hib={"rising": hib, "falling": hib})
    appended = set(range(13, 20))
    for series_id, direction, expected_class in (("rising", 1, rising_class), ("falling", -1, falling_class)):
        points = chart(db, sql, "fixed_12", series_id)
        assert_rules(points, {"rule_2": appended, "rule_3": appended})
        assert {p["special_cause_rule"] for p in points[12:]} == {"rule_3_trend"}
        assert directions(points, appended) == [direction] * 7, series_id
        assert variations(points, appended) == [expected_class] * 7, series_id


def test_where_two_opposite_trends_touch_the_meeting_point_takes_the_step_after_it(db, sql):
    # shared_peak, points 13-25: 8, 9, ..., 14 (point 19), 13, ..., 8. Rising steps into 14-19 make the
    # trend 13-19; falling steps into 20-25 make the trend 19-25, so point 19 is in both. No other rule:
    # at most 5 points lie on one side of the mean and none beyond a 2-sigma line.
    #   13-18: next point is a trend point, step to it +1        -> high
    #   19:    next point (20) is a trend point, step to it -1   -> low (the peak of the rising trend)
    #   20-24: step to the next point -1                         -> low
    #   25:    last point, step from the previous one -1         -> low
    # tied_peak, points 13-26: 8, 9, ..., 14 (point 19), 14 (point 20), 13, ..., 8. The tie 19 -> 20
    # breaks both runs: rising trend 13-19, falling trend 20-26 (steps into 21-26), adjacent.
    #   13-18: step to the next point +1                         -> high
    #   19:    next point (20) is a trend point, step to it 0    -> low (a zero step is low)
    #   20-25: step to the next point -1                         -> low
    #   26:    last point, step from the previous one -1         -> low
    # (By the side of the mean, 13-15 would be low, 17-19 high, and 20-22 high.)
    rise = [8, 9, 10, 11, 12, 13, 14]
    load(db, {"shared_peak": BASELINE + rise + [13, 12, 11, 10, 9, 8],
              "tied_peak": BASELINE + rise + [14, 13, 12, 11, 10, 9, 8]},
         hib={"shared_peak": True, "tied_peak": True})

    shared = chart(db, sql, "fixed_12", "shared_peak")
    assert_rules(shared, {"rule_3": set(range(13, 26))})
    assert directions(shared, range(13, 26)) == [1] * 6 + [-1] * 7
    assert variations(shared, range(13, 26)) == ["improving"] * 6 + ["concerning"] * 7

    tied = chart(db, sql, "fixed_12", "tied_peak")
    assert_rules(tied, {"rule_3": set(range(13, 27))})
    assert directions(tied, range(13, 27)) == [1] * 6 + [-1] * 8
    assert variations(tied, range(13, 27)) == ["improving"] * 6 + ["concerning"] * 8


def test_a_trend_ending_outside_the_limits_keeps_rule_1_and_its_side_there(db, sql):
    # Points 13-19: 8, 9, 10, 12, 14, 15, 17, lower is better. Six rises: trend 13-19. Point 19 (17) is
    # above the UPL 16.32: rule 1 wins there, direction by side of the mean (above -> high). Point 18
    # (15) is the only one in the upper 2-sigma band (17 is beyond the limit and does not count): no
    # two-of-three; only 16-19 lie above the mean: no shift.
    #   13-18: trend points followed by a trend point, steps +1, +1, +2, +2, +1, +2 -> high
    #   19:    rule 1, above the mean                                            -> high
    # With lower better, all seven are concerning, including 13-15 below the mean.
    load(db, {"a": BASELINE + [8, 9, 10, 12, 14, 15, 17]}, hib={"a": False})
    points = chart(db, sql, "fixed_12")
    assert_rules(points, {"rule_1": {19}, "rule_3": set(range(13, 20))})
    assert [p["special_cause_rule"] for p in points[12:]] == ["rule_3_trend"] * 6 + ["rule_1_outside_limits"]
    assert directions(points, range(13, 20)) == [1] * 7
    assert variations(points, range(13, 20)) == ["concerning"] * 7


# --- Excluded points (immature cohorts): charted, never assessed ---------------------------------

def test_excluded_points_take_no_part_in_the_limits_or_the_rules(db, sql):
    # The baseline then three points far below it (late cohorts whose appointments are not in yet),
    # higher is better. Assessed, they pull the mean down and fire rule 1 as concerning on the latest
    # point. Excluded, the chart is the baseline's own (mean 11, MR-bar 2, limits 5.68 / 16.32 from
    # its 12 points, firm) and the three points are shown against those limits with no rule,
    # no moving range and the class not_assessed.
    load(db, {"a": BASELINE + [4, 3, 2]}, hib={"a": True}, excluded={"a": {13, 14, 15}})
    assessed = chart(db, sql, "project_vars")
    assert assessed[-1]["rule_1"] and assessed[-1]["variation"] == "concerning"

    points = chart(db, sql, "excluding")
    assert len(points) == 15
    assert [p["is_excluded"] for p in points] == [False] * 12 + [True] * 3
    assert_baseline_limits(points)
    assert_rules(points[:12], {})
    for p in points[12:]:
        assert (p["rule_1"], p["rule_2"], p["rule_3"], p["rule_4"]) == (None, None, None, None)
        assert (p["special_cause_rule"], p["special_cause_direction"], p["mr"], p["point_seq"]) == (None,) * 4
        assert p["variation"] == "not_assessed" and p["segment"] == 1
    assert {p["variation"] for p in points[:12]} == {"common_cause"}


def test_runs_and_moving_ranges_pass_over_an_excluded_point(db, sql):
    # Seven rising points with a low point excluded between the 4th and 5th: assessed, the dip breaks
    # the trend; excluded, the six remaining steps (1, 2, 3, 4 | 5, 6, 7) make a trend of 7 points
    # and the moving range of the point after the gap is 5 - 4 = 1.
    values = [1, 2, 3, 4, 0, 5, 6, 7]
    load(db, {"a": values}, excluded={"a": {5}})
    assert fired(chart(db, sql, "project_vars"), "rule_3") == set()
    points = chart(db, sql, "excluding")
    assert fired(points, "rule_3") == {1, 2, 3, 4, 6, 7, 8}
    assert points[5]["mr"] == pytest.approx(1) and points[5]["point_seq"] == 5
    assert points[0]["centre"] == pytest.approx(28 / 7, abs=TOL)


# --- Immature recruitment cohorts through the real models ----------------------------------------
# int_recruitment_cohorts_matured -> int_spc_series -> fct_spc_point -> fct_spc_summary over one trust:
# 24 month ends (April 2023 - March 2025), 100 applications shortlisted on the 15th of each month.
# Mature cohorts alternate 28 and 32 appointed; the last four have only part of their appointments
# (20, 12, 5, 0), as a nightly extract sees them. The extract's latest date is 31 March 2025, so with
# the default follow-up of 120 days a cohort is mature when it ended by 1 December 2024: December to
# March are immature.
SPC_CHAIN = ["int_recruitment_cohorts_matured", "int_spc_series", "fct_spc_point", "fct_spc_summary"]
APPOINTED = [28, 32] * 10 + [20, 12, 5, 0]


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def fy_end_of(day: date) -> date:
    return date(day.year + (day.month > 3), 3, 31)


MONTH_ENDS = [month_end(2023 + (3 + i) // 12, (3 + i) % 12 + 1) for i in range(24)]


def recruitment_rows() -> list[tuple]:
    """fct_recruitment_application: applied on the 1st, shortlisted on the 15th; the last application
    was received and shortlisted on 31 March 2025 (not appointed)."""
    rows = [("RXX", d.replace(day=1), d.replace(day=15), fy_end_of(d), True, i < appointed, "A", "N")
            for d, appointed in zip(MONTH_ENDS, APPOINTED) for i in range(100)]
    rows[-1] = ("RXX", MONTH_ENDS[-1], MONTH_ENDS[-1], fy_end_of(MONTH_ENDS[-1]), True, False, "A", "N")
    return rows


@pytest.fixture(scope="module")
def spc_chain(macros):
    return model_chain.compile_models(macros, SPC_CHAIN)


def test_immature_cohorts_are_charted_but_never_signal_or_drive_the_icon(db, spc_chain):
    model_chain.create_inputs(db, {
        "intermediate.int_workforce_month_headcount": [
            ("RXX", d, fy_end_of(d), d.month == 3, "all", "all", 1) for d in MONTH_ENDS],
        "marts.fct_recruitment_application": recruitment_rows(),
    })
    model_chain.create_views(db, spc_chain)
    monthly = "spc_appointment_rate_pct_monthly"
    summary = model_chain.select(db, "select * from marts.fct_spc_summary where measure_id = ?", [monthly])[0]
    # Assessed, the 0 % of March is below the LPL: a false concerning_low icon on the latest point.
    assert (summary["variation_icon"], summary["latest_period_end"]) == ("common_cause", date(2024, 11, 30))
    assert summary["latest_value"] == pytest.approx(32) and summary["immature_point_count"] == 4
    assert summary["centre"] == pytest.approx(30) and summary["upl"] == pytest.approx(30 + 2.66 * 4)

    points = model_chain.select(db, "select * from marts.fct_spc_point where measure_id = ? order by period_end",
                                [monthly])
    assert [p["is_immature"] for p in points] == [False] * 20 + [True] * 4
    assert {p["variation"] for p in points[:20]} == {"common_cause"}
    assert {p["variation"] for p in points[20:]} == {"not_assessed"}
    for p in points:  # limits from the 20 mature points: mean 30, every moving range 4
        assert p["centre"] == pytest.approx(30) and p["mr_bar"] == pytest.approx(4)
        assert p["lpl"] == pytest.approx(30 - 2.66 * 4) and p["limits_status"] == "firm"
    assert [p["value"] for p in points[20:]] == pytest.approx([20, 12, 5, 0])  # still shown

    # A quarter is immature when its last day is: October-December 2024 and January-March 2025.
    series = model_chain.select(db, "select measure_id, period_end, is_immature from intermediate.int_spc_series")
    immature = {(s["measure_id"], s["period_end"]) for s in series if s["is_immature"]}
    assert immature == {(monthly, d) for d in MONTH_ENDS[20:]} | {
        ("spc_appointment_rate_pct_quarterly", date(2024, 12, 31)),
        ("spc_appointment_rate_pct_quarterly", date(2025, 3, 31))}
    cohorts = model_chain.select(db, "select * from intermediate.int_recruitment_cohorts_matured")
    assert cohorts == [{"organisation_code": "RXX", "latest_data_date": date(2025, 3, 31), "follow_up_days": 120,
                        "mature_cohort_end_date": date(2024, 12, 1)}]


def test_limits_are_the_same_bits_whatever_the_order_of_the_rows(db, sql):
    # One 48-point series repeated under 3,000 series ids, rows shuffled, on 4 threads: an average of
    # doubles over an unordered window adds the points in the order the engine meets them, so the
    # same points gave centres and MR-bars (and so limits, and a point beside a limit its rule) that
    # differed in the last bit between series and between identical runs (issue #10).
    rng = random.Random(9)
    values = [1000 * rng.randint(0, 40) / rng.randint(900, 1100) for _ in range(48)]
    rows = [(f"s{s:04d}", i + 1, v, False) for s in range(3000) for i, v in enumerate(values)]
    random.Random(1).shuffle(rows)
    db.register("spc_frame", pandas.DataFrame(rows, columns=["series_id", "seq", "val", "hib"]))
    db.execute("create table spc_input as select * from spc_frame")
    db.execute("set threads = 4")
    for variant in ("project_vars", "unscreened"):
        limits = db.execute(f"select distinct centre, mr_bar, upl, lpl from ({sql[variant]}) as c").fetchall()
        assert len(limits) == 1, (variant, limits)
        assert limits[0][0] == pytest.approx(sum(values) / len(values), abs=1e-9)
