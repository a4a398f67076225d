"""Yearly SPC of differential attainment (issue #13): int_spc_yearly_series -> fct_spc_yearly_point ->
bi_spc_yearly_chart, the real models on hand-made yearly measure rows.

Trust RXX, financial years ending 31 March 2018-2025:
  IMG vs UK White RL of a non-standard ARCP outcome, 8 years: 1.0 1.1 1.0 1.1 1.0 1.1 1.0 2.0
    mean 9.3 / 8 = 1.1625; moving ranges 0.1 x 6 and 1.0, MR-bar 1.6 / 7 = 0.228571; screening drops 1.0
    (>= 3.267 x 0.228571 = 0.7467), MR-bar 0.6 / 6 = 0.1; UPL 1.1625 + 0.266 = 1.4285, LPL 0.8965:
    2025 lies above the UPL (rule 1, high) and the seven years before it below the mean (rule 2, a shift,
    low). An RL has no higher_is_better; its adverse side is above 1, so lower is better: the shift is
    improving and 2025 concerning. 8 < 12 points: trial limits.
  UK BME first-attempt pass rate (higher is better), 6 years (var spc_yearly_min_points): 60 62 60 62 60 62:
    charted, mean 61, MR-bar 2, limits 55.68 / 66.32, common cause.
  EEA first-attempt pass rate, 5 years: too few, not charted (an estimate with its CI in fct_edi_measure).
  IMG pass rate, 6 years but 2022/23 null (withheld-by-zero denominator): 5 values, not charted.
  NETS bullying % for programme GP, group all, 6 years and for programme CMT 6 years: separate series.
A rebase of the pass-rate measure from 2022-04-01 (ref_spc_rebase) splits UK BME's series in the second run.
"""

from datetime import date

import pytest

from tests.metrics.model_harness import (
    compile_models, contract_columns, create_schemas, create_table, insert, load_seed, materialise, query,
)

TOL = 1e-4
CHAIN = ["int_spc_yearly_series", "fct_spc_yearly_point", "bi_spc_yearly_chart"]
RL_IMG = "rl_img_vs_uk_white_non_standard_arcp_outcome"
PASS = "first_attempt_pass_rate_pct"
NETS = "nets_bullying_pct"
YEARS = [date(y, 3, 31) for y in range(2018, 2026)]
CATALOGUE_COLUMNS = {"standard", "indicator_code", "measure_label", "measure_kind", "higher_is_better", "adverse_side"}


def measure(measure_id, group, fy_end, value, unit, reference=None, breakdown=("overall", "all"),
            dimension="ethnicity_pmq"):
    return {"organisation_code": "RXX", "period_type": "financial_year", "period_end": fy_end, "fy_end": fy_end,
            "measure_id": measure_id, "variant": "default", "breakdown_type": breakdown[0],
            "breakdown_value": breakdown[1], "group_dimension": dimension, "group_value": group,
            "reference_group": reference, "numerator": 1, "denominator": 10, "value": value, "value_unit": unit}


def vector() -> list[dict]:
    rows = [measure(RL_IMG, "IMG", fy, v, "ratio", "UK White")
            for fy, v in zip(YEARS, [1.0, 1.1, 1.0, 1.1, 1.0, 1.1, 1.0, 2.0])]
    rows += [measure(PASS, "UK BME", fy, v, "percent") for fy, v in zip(YEARS[2:], [60, 62, 60, 62, 60, 62])]
    rows += [measure(PASS, "EEA", fy, 50.0, "percent") for fy in YEARS[3:]]
    rows += [measure(PASS, "IMG", fy, None if fy == date(2023, 3, 31) else 40.0, "percent") for fy in YEARS[2:]]
    for programme in ("GP", "CMT"):
        rows += [measure(NETS, "all", fy, 10.0 + i, "percent", breakdown=("programme", programme), dimension="all")
                 for i, fy in enumerate(YEARS[2:])]
    return rows


@pytest.fixture(scope="module")
def compiled(macros):
    return compile_models(macros, CHAIN)


def build(db, compiled, rows, rebases=(), withheld=()):
    """The chain on `rows`; bi_edi_measure publishes every value except the (group, fy_end) pairs of `withheld`."""
    create_schemas(db)
    for seed in ("ref_measure", "ref_spc_rebase"):
        load_seed(db, seed)
    insert(db, "reference.ref_spc_rebase", [dict(zip(("organisation_code", "measure_id", "rebase_date", "reason"), r))
                                            for r in rebases])
    measure_columns = dict(contract_columns("fct_edi_measure"))
    long_shape = {c: t for c, t in measure_columns.items() if c not in CATALOGUE_COLUMNS}
    create_table(db, "intermediate.int_edi_measure__differential_attainment", long_shape, rows)
    published = [dict(r, standard="DA", value=None if (r["group_value"], r["fy_end"]) in withheld else r["value"])
                 for r in rows]
    create_table(db, "bi.bi_edi_measure", {**measure_columns, "is_suppressed": "boolean"}, published)
    create_table(db, "marts.dim_organisation", {"trust_code": "varchar"}, [{"trust_code": "RXX"}])
    for name in CHAIN:
        materialise(db, name, compiled[name])
    return db


def points(db, measure_id, group, relation="marts.fct_spc_yearly_point", breakdown_value="all"):
    return query(db, f"select * from {relation} where measure_id = ? and group_value = ? and breakdown_value = ? "
                     "order by fy_end", [measure_id, group, breakdown_value])


def test_a_yearly_rl_is_judged_with_above_1_as_the_adverse_side(db, compiled):
    build(db, compiled, vector())
    chart = points(db, RL_IMG, "IMG")
    assert [p["fy_end"] for p in chart] == YEARS
    for p in chart:
        assert p["centre"] == pytest.approx(1.1625, abs=TOL)
        assert p["mr_bar"] == pytest.approx(0.1, abs=TOL)
        assert p["upl"] == pytest.approx(1.4285, abs=TOL) and p["lpl"] == pytest.approx(0.8965, abs=TOL)
        assert p["limits_status"] == "trial" and p["series_years"] == 8 and p["higher_is_better"] is False
    assert [p["special_cause_rule"] for p in chart] == ["rule_2_shift"] * 7 + ["rule_1_outside_limits"]
    assert [p["special_cause_direction"] for p in chart] == [-1] * 7 + [1]
    assert [p["variation"] for p in chart] == ["improving"] * 7 + ["concerning"]


def test_a_series_is_charted_from_the_minimum_number_of_years(db, compiled):
    build(db, compiled, vector())
    rate = points(db, PASS, "UK BME")
    assert len(rate) == 6 and {p["higher_is_better"] for p in rate} == {True}
    assert {(round(p["centre"], 4), round(p["upl"], 4), round(p["lpl"], 4)) for p in rate} == {(61.0, 66.32, 55.68)}
    assert {p["variation"] for p in rate} == {"common_cause"}
    # five years, or six with one null value: estimates only
    assert points(db, PASS, "EEA") == [] and points(db, PASS, "IMG") == []
    # every programme's NETS result is its own chart
    assert len(points(db, NETS, "all", breakdown_value="GP")) == 6
    assert len(points(db, NETS, "all", breakdown_value="CMT")) == 6


def test_a_rebase_splits_every_group_of_the_measure(db, compiled):
    build(db, compiled, vector(), rebases=[("RXX", PASS, date(2022, 4, 1), "new exam format")])
    rate = points(db, PASS, "UK BME")
    assert [p["segment"] for p in rate] == [1] * 3 + [2] * 3
    assert [p["point_seq"] for p in rate] == [1, 2, 3, 1, 2, 3]
    assert [round(p["centre"], 4) for p in rate] == [60.6667] * 3 + [61.3333] * 3
    assert {p["segment"] for p in points(db, RL_IMG, "IMG")} == {1}  # another measure: not rebased


def test_bi_charts_publish_the_controlled_value_and_withhold_limits_of_a_segment_with_a_withheld_year(db, compiled):
    build(db, compiled, vector(), withheld={("UK BME", date(2021, 3, 31))})
    bme = points(db, PASS, "UK BME", relation="bi.bi_spc_yearly_chart")
    assert bme[1]["value"] is None and bme[0]["value"] == 60
    assert all(p["limits_withheld"] and p["centre"] is None and p["upl"] is None for p in bme)
    img = points(db, RL_IMG, "IMG", relation="bi.bi_spc_yearly_chart")
    assert not any(p["limits_withheld"] for p in img) and img[-1]["upl"] == pytest.approx(1.4285, abs=TOL)
    assert "numerator" not in img[0] and "denominator" not in img[0]
