"""Pay gaps for the further protected characteristics and their intersections (metrics-spec §6; HIA3's
2026 step) end to end through the real models, on hand-worked staff of one trust (band 5, cluster C2,
everyone full-pay relevant): sexual orientation (TV-SO) and sex x ethnicity (TV-SXE), each with tied
rates across a quarter boundary, the share not stated beside the gaps and the low-declaration flag.
"""

import csv

import pytest

from tests.metrics.builders import PAY_CHAIN, load_pay_inputs
from tests.metrics.model_harness import SEEDS, compile_models, materialise, query

TOL = 1e-4
HETERO, LGB, NOT_SURE = "HETEROSEXUAL OR STRAIGHT", "GAY OR LESBIAN", "NOT SURE"

# TV-SO: £/hour by sexual orientation (reference Heterosexual or Straight). In rate order (slots of N = 10):
# 9 LGB [0,1), 10 H [1,2), 11 H [2,3), 11.5 Not sure [3,4), 12 {H, LGB} [4,6), 15 LGB [6,7), 19 H [7,8),
# 20 and 30 not stated [8,10). The tied £12 run straddles the Q2 / Q3 boundary at 5.
# Heterosexual: 10, 11, 12, 19 (mean 13, median 11.5); LGB+: 9, 12, 15 (mean 12, median 12).
TV_SO = [(HETERO, 10), (HETERO, 11), (HETERO, 12), (HETERO, 19), (LGB, 9), ("BISEXUAL", 12), ("OTHER", 15),
         (NOT_SURE, 11.5), ("NOT STATED", 20), (None, 30)]
TV_SO_QUARTERS = {  # quarter: {group: units}; each quarter holds 2.5 people
    1: {"Heterosexual or Straight": 1.5, "Gay, Lesbian, Bisexual or Other": 1.0},
    2: {"Heterosexual or Straight": 1.0, "Gay, Lesbian, Bisexual or Other": 0.5, "Not sure": 1.0},
    3: {"Heterosexual or Straight": 1.0, "Gay, Lesbian, Bisexual or Other": 1.5},
    4: {"Heterosexual or Straight": 0.5, "Unknown": 2.0},
}

# TV-SXE: sex x ethnicity (reference Male & White). ESR codes: A, B White; H Asian; M Black; Z not stated.
# Male & White 20, 22, 24 (mean 22); Female & White 16, 18, 20 (mean 18); Male & BME 18, 20 (Asian, mean 19);
# Female & BME 14 (Asian), 16 (Black) (mean 15); Female & Unknown 30. N = 11, quarters of 2.75: the £16 run
# [1, 3) straddles 2.75 and the £20 run [5, 8) straddles 5.5.
TV_SXE = [(code, sex, rate, None) for code, sex, rate in [
    ("A", "M", 20), ("B", "M", 22), ("A", "M", 24), ("A", "F", 16), ("B", "F", 18), ("A", "F", 20),
    ("H", "M", 18), ("H", "M", 20), ("H", "F", 14), ("M", "F", 16), ("Z", "F", 30)]]
TV_SXE_QUARTERS = {
    1: {"Female & BME": 1.875, "Female & White": 0.875},
    2: {"Female & BME": 0.125, "Female & White": 1.125 + 1 / 6, "Male & BME": 1 + 1 / 6, "Male & White": 1 / 6},
    3: {"Female & White": 5 / 6, "Male & BME": 5 / 6, "Male & White": 5 / 6 + 0.25},
    4: {"Male & White": 1.75, "Female & Unknown": 1.0},
}


@pytest.fixture(scope="module")
def compiled(macros):
    return compile_models(macros, PAY_CHAIN)


def build(db, compiled, staff):
    load_pay_inputs(db, staff)
    for name in PAY_CHAIN:
        materialise(db, name, compiled[name])


def so_staff(orientations):
    return [("A", "FM"[i % 2], rate, None, {"sexual_orientation": code}) for i, (code, rate) in enumerate(orientations)]


def gaps(db, characteristic, measure_id, variant="default"):
    return {r["comparison_group"]: r for r in query(
        db, "select * from marts.fct_pay_gap where characteristic = ? and variant = ? and measure_id = ? "
            "and breakdown_type = 'overall'", [characteristic, variant, measure_id])}


def quarters(db, characteristic, variant, quarter_size):
    got = {}
    for r in query(db, "select quartile, group_value, units, quarter_units from marts.fct_pay_quartile "
                       "where characteristic = ? and variant = ? and breakdown_type = 'overall'",
                   [characteristic, variant]):
        got.setdefault(r["quartile"], {})[r["group_value"]] = r["units"]
        assert r["quarter_units"] == pytest.approx(quarter_size, abs=TOL)
    return {q: {g: u for g, u in groups.items() if u} for q, groups in got.items()}


def test_tv_so_sexual_orientation_gaps_against_heterosexual(db, compiled):
    build(db, compiled, so_staff(TV_SO))
    mean, median = gaps(db, "sexual_orientation", "pay_gap_mean_hourly_pct"), \
        gaps(db, "sexual_orientation", "pay_gap_median_hourly_pct")
    assert set(mean) == {"Gay, Lesbian, Bisexual or Other", "Not sure"}  # Unknown is compared with no one
    lgb = mean["Gay, Lesbian, Bisexual or Other"]
    assert lgb["reference_group"] == "Heterosexual or Straight"
    assert (lgb["reference_n"], lgb["comparison_n"]) == (4, 3)
    assert lgb["gap_value"] == pytest.approx((13 - 12) / 13 * 100, abs=TOL)  # 7.6923
    assert median["Gay, Lesbian, Bisexual or Other"]["gap_value"] == pytest.approx((11.5 - 12) / 11.5 * 100, abs=TOL)
    assert mean["Not sure"]["gap_value"] == pytest.approx((13 - 11.5) / 13 * 100, abs=TOL)
    # the share not stated beside the gap: 2 of the 10 (declined and not recorded), not a low declaration
    assert (lgb["cell_n"], lgb["unknown_n"]) == (10, 2)
    assert lgb["reference_not_stated_pct"] == pytest.approx(20.0) and lgb["comparison_not_stated_pct"] == pytest.approx(20.0)
    assert lgb["flag_low_declaration"] is False


def test_tv_so_quarters_split_the_tied_run_across_the_boundary(db, compiled):
    build(db, compiled, so_staff(TV_SO))
    got = quarters(db, "sexual_orientation", "default", 2.5)
    assert got.keys() == TV_SO_QUARTERS.keys()
    for q, expected in TV_SO_QUARTERS.items():
        assert got[q] == pytest.approx(expected, abs=TOL), q


def test_tv_so_does_not_depend_on_the_order_of_tied_rows(db, compiled):
    build(db, compiled, so_staff(list(reversed(TV_SO))))
    assert quarters(db, "sexual_orientation", "default", 2.5) == {q: pytest.approx(e, abs=TOL) for q, e in TV_SO_QUARTERS.items()}


def test_tv_sxe_intersection_gaps_against_white_men(db, compiled):
    build(db, compiled, TV_SXE)
    mean = gaps(db, "sex_ethnicity", "pay_gap_mean_hourly_pct", "wres")
    median = gaps(db, "sex_ethnicity", "pay_gap_median_hourly_pct", "wres")
    assert set(mean) == {"Female & White", "Male & BME", "Female & BME"}
    for group, avg, n in [("Female & White", 18, 3), ("Male & BME", 19, 2), ("Female & BME", 15, 2)]:
        row = mean[group]
        assert (row["reference_group"], row["reference_n"], row["comparison_n"]) == ("Male & White", 3, n), group
        assert row["gap_value"] == pytest.approx((22 - avg) / 22 * 100, abs=TOL), group
        assert median[group]["gap_value"] == pytest.approx((22 - avg) / 22 * 100, abs=TOL), group
    # declaration: the women are drawn from 6 women, one of unknown ethnicity; the men from 5, all known
    bme_women = mean["Female & BME"]
    assert bme_women["comparison_not_stated_pct"] == pytest.approx(100 / 6, abs=TOL)
    assert bme_women["reference_not_stated_pct"] == pytest.approx(0.0)
    assert bme_women["flag_low_declaration"] is False
    census = gaps(db, "sex_ethnicity", "pay_gap_mean_hourly_pct", "census_2021_5")
    assert census["Female & Asian"]["gap_value"] == pytest.approx((22 - 14) / 22 * 100, abs=TOL)
    assert census["Female & Black"]["gap_value"] == pytest.approx((22 - 16) / 22 * 100, abs=TOL)
    assert census["Male & Asian"]["gap_value"] == pytest.approx((22 - 19) / 22 * 100, abs=TOL)


def test_tv_sxe_quarters_split_tied_runs_across_two_boundaries(db, compiled):
    build(db, compiled, TV_SXE)
    got = quarters(db, "sex_ethnicity", "wres", 2.75)
    assert got.keys() == TV_SXE_QUARTERS.keys()
    for q, expected in TV_SXE_QUARTERS.items():
        assert got[q] == pytest.approx(expected, abs=TOL), q


def test_intersections_add_up_to_their_margins(db, compiled):
    build(db, compiled, TV_SXE)
    sizes = {(r["characteristic"], r["variant"], r["group_value"]): r["relevant_n"] for r in query(
        db, "select * from intermediate.int_pay_gap_group_stats where breakdown_type = 'overall'")}
    for sex in ("Female", "Male"):
        for variant, groups in [("wres", ["White", "BME", "Unknown"]),
                                ("census_2021_5", ["White", "Asian", "Black", "Mixed or Multiple", "Other", "Unknown"])]:
            assert sum(sizes.get(("sex_ethnicity", variant, f"{sex} & {g}"), 0) for g in groups) == \
                sizes[("sex", "default", sex)], (sex, variant)
    assert sizes[("ethnicity", "wres_white", "BME")] == sum(
        sizes.get(("sex_ethnicity", "wres", f"{s} & BME"), 0) for s in ("Female", "Male"))


def test_low_declaration_is_flagged_when_most_did_not_state(db, compiled):
    # religion: 4 of 10 stated (Christianity 20, 22; Islam 18, 19); 6 declined or not recorded
    staff = [("A", "F", rate, None, {"religion": code}) for code, rate in
             [("CHRISTIANITY", 20), ("CHRISTIANITY", 22), ("ISLAM", 18), ("ISLAM", 19)]
             + [("I DO NOT WISH TO DISCLOSE MY RELIGION/BELIEF", 15)] * 3 + [("UNSPECIFIED", 16), (None, 17), (None, 18)]]
    build(db, compiled, staff)
    islam = gaps(db, "religion", "pay_gap_mean_hourly_pct")["Islam"]
    assert islam["reference_group"] == "Christianity"
    assert islam["gap_value"] == pytest.approx((21 - 18.5) / 21 * 100, abs=TOL)
    assert islam["comparison_not_stated_pct"] == pytest.approx(60.0)
    assert islam["flag_low_declaration"] is True
    christian = gaps(db, "religion", "pay_gap_mean_hourly_pct")
    assert set(christian) == {"Islam"}  # the undeclared are compared with no one


def test_low_declaration_threshold_is_the_var(macros, db):
    compiled = compile_models(macros, PAY_CHAIN, {"pay_low_declaration_pct": 70})
    staff = [("A", "F", rate, None, {"religion": code}) for code, rate in
             [("CHRISTIANITY", 20), ("CHRISTIANITY", 22), ("ISLAM", 18), ("ISLAM", 19)]
             + [("UNSPECIFIED", 16)] * 6]
    build(db, compiled, staff)
    assert gaps(db, "religion", "pay_gap_mean_hourly_pct")["Islam"]["flag_low_declaration"] is False  # 60 <= 70


def test_reference_groups_follow_their_vars(macros, db):
    compiled = compile_models(macros, PAY_CHAIN, {"pay_sexual_orientation_reference": "Gay, Lesbian, Bisexual or Other"})
    build(db, compiled, so_staff(TV_SO))
    mean = gaps(db, "sexual_orientation", "pay_gap_mean_hourly_pct")
    assert set(mean) == {"Heterosexual or Straight", "Not sure"}
    assert mean["Heterosexual or Straight"]["gap_value"] == pytest.approx((12 - 13) / 12 * 100, abs=TOL)


@pytest.mark.parametrize(("characteristic", "seed", "column"), [
    ("age_band", "ref_age_band", "age_band"),
    ("religion", "ref_religion_map", "religion_group"),
    ("sexual_orientation", "ref_sexual_orientation_map", "sexual_orientation_group"),
])
def test_reference_choices_are_the_known_groups_of_the_seeds(macros, characteristic, seed, column):
    with open(SEEDS / f"{seed}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    known = {r[column] for r in rows if r.get("is_known", "true") == "true"}
    choices = macros.render(f"select '{{{{ pay_reference_choices('{characteristic}') | join('|') }}}}'")
    assert set(choices.split("'")[1].split("|")) == known
