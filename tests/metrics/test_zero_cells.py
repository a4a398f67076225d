"""Zero cells in the published measures (metrics-spec §2): where a count of 0 forces the zero-cell
correction, the CI comes from the corrected cells, so the value published beside it must be the
corrected estimate too (flagged), with the raw ratio trusts publish kept beside it.

Runs the real chain on hand-made counts: fct_relative_likelihood and fct_hia6_relative_likelihood ->
their int_edi_measure__* models -> fct_edi_measure -> bi_edi_measure (disclosure control).
TV-RL-Z (Appendix A1): Disabled 0/100 vs non-disabled 12/4,000 -> rl_value 0, rl_corrected 1.5846,
CI 0.0945-26.5797.
"""

import pytest

from tests.metrics.model_harness import (
    compile_models, contract_columns, create_from_contract, create_schemas, create_table, load_seed, materialise,
    query,
)

TOL = 1e-4
CHAIN = ["fct_relative_likelihood", "int_edi_measure__relative_likelihood", "fct_hia6_relative_likelihood",
         "int_edi_measure__hia6", "fct_edi_measure", "bi_edi_measure"]
OTHER_STANDARDS = ["int_edi_measure__workforce", "int_edi_measure__survey", "int_edi_measure__pay_gap",
                   "int_edi_measure__spc", "int_edi_measure__differential_attainment"]
CATALOGUE_COLUMNS = {"standard", "indicator_code", "measure_label", "measure_kind", "higher_is_better",
                     "adverse_side"}
WDES3 = "rl_disabled_vs_nondisabled_entering_formal_capability_performance"
WRES2 = "rl_white_vs_bme_appointed_from_shortlisting"
WRES3 = "rl_bme_vs_white_entering_formal_disciplinary"
WRES4 = "rl_white_vs_bme_accessing_nonmandatory_training"
HIA6_DISABILITY = "rl_disabled_vs_nondisabled_affected_by_incident"
COUNTS = [  # fy_end, measure, group, events, base
    # TV-RL-Z in two consecutive years: a = 0 in the single years and in the pooled window
    ("2023-03-31", WDES3, "Disabled", 0, 100), ("2023-03-31", WDES3, "Non-disabled", 12, 4000),
    ("2024-03-31", WDES3, "Disabled", 0, 100), ("2024-03-31", WDES3, "Non-disabled", 12, 4000),
    # c = 0: no uncorrected ratio at all; the 5 events are suppressed in BI
    ("2024-03-31", WRES3, "BME", 5, 100), ("2024-03-31", WRES3, "White", 0, 4000),
    # c = 0 with counts BI can publish
    ("2024-03-31", WRES4, "White", 20, 1000), ("2024-03-31", WRES4, "BME", 0, 300),
    # TV-W2: no zero cell
    ("2024-03-31", WRES2, "White", 100, 400), ("2024-03-31", WRES2, "BME", 75, 500),
]


def hia6_rate(group, affected, headcount):
    return {"organisation_code": "RXX", "period_type": "financial_year", "period_end": "2024-03-31",
            "fy_end": "2024-03-31", "group_dimension": "disability", "group_value": group, "incident_type": "all",
            "perpetrator": "all", "breakdown_value": "all|all", "incidents": affected, "staff_affected": affected,
            "headcount": headcount, "incidents_per_1000": 1000.0 * affected / headcount,
            "staff_affected_per_1000": 1000.0 * affected / headcount, "flag_small_count": False}


@pytest.fixture(scope="module")
def compiled(macros):
    return compile_models(macros, CHAIN)


@pytest.fixture
def built(db, compiled):
    create_schemas(db)
    load_seed(db, "ref_measure")
    create_table(db, "intermediate.int_relative_likelihood_counts", {
        "organisation_code": "varchar", "fy_end": "date", "measure_id": "varchar", "group_dimension": "varchar",
        "group_value": "varchar", "events": "bigint", "base": "bigint", "flag_immature_cohorts_excluded": "boolean"}, [
        {"organisation_code": "RXX", "fy_end": fy, "measure_id": m, "group_value": g, "events": e, "base": n,
         "flag_immature_cohorts_excluded": False,
         "group_dimension": "disability" if g in ("Disabled", "Non-disabled") else "ethnicity"}
        for fy, m, g, e, n in COUNTS])
    create_from_contract(db, "fct_hia6_incident_rate", [hia6_rate("Disabled", 0, 100),
                                                        hia6_rate("Non-disabled", 12, 4000)])
    create_from_contract(db, "dim_ethnicity")  # the one-cube disclosure control reads the 16 -> 5 group map
    create_from_contract(db, "dim_pay_grade")  # and the cluster of each band
    long_shape = {c: t for c, t in contract_columns("fct_edi_measure") if c not in CATALOGUE_COLUMNS}
    for name in OTHER_STANDARDS:
        create_table(db, f"intermediate.{name}", long_shape)
    for name in CHAIN:
        materialise(db, name, compiled[name])
    return db


def measure_rows(db, relation, measure_id, variant, fy_end="2024-03-31"):
    found = query(db, f"select * from {relation} where measure_id = ? and variant = ? and fy_end = ?",
                  [measure_id, variant, fy_end])
    assert len(found) == 1, (relation, measure_id, variant, found)
    return found[0]


@pytest.mark.parametrize("relation", ["marts.fct_edi_measure", "bi.bi_edi_measure"])
def test_every_value_lies_within_its_confidence_interval(built, relation):
    with_ci = query(built, f"select * from {relation} where ci_lower is not null or ci_upper is not null")
    assert len(with_ci) >= 8
    outside = [(r["measure_id"], r["variant"], str(r["fy_end"]), r["value"], r["ci_lower"], r["ci_upper"])
               for r in with_ci
               if r["value"] is None or not r["ci_lower"] - 1e-9 <= r["value"] <= r["ci_upper"] + 1e-9]
    assert not outside, outside


def test_zero_cell_publishes_the_corrected_estimate_flagged_beside_the_raw_ratio(built):
    for measure_id, variant in ((WDES3, "single_year"), (WDES3, "pooled"), (HIA6_DISABILITY, "default")):
        row = measure_rows(built, "marts.fct_edi_measure", measure_id, variant)
        assert row["flag_zero_cell"] and row["flag_zero_cell_corrected"], (measure_id, variant)
        assert row["value_uncorrected"] == 0.0, (measure_id, variant)  # as trusts publish it
    tv_rl_z = measure_rows(built, "marts.fct_edi_measure", WDES3, "single_year")
    assert (tv_rl_z["value"], tv_rl_z["ci_lower"], tv_rl_z["ci_upper"]) == pytest.approx((1.5846, 0.0945, 26.5797),
                                                                                         abs=TOL)
    c_zero = measure_rows(built, "marts.fct_edi_measure", WRES4, "single_year")
    assert c_zero["value_uncorrected"] is None  # no raw ratio when the denominator group has no event
    assert c_zero["value"] == pytest.approx((20.5 / 1001) / (0.5 / 301), abs=TOL)
    assert c_zero["flag_zero_cell_corrected"]


def test_values_without_a_correction_are_unchanged(built):
    tv_w2 = measure_rows(built, "marts.fct_edi_measure", WRES2, "single_year")
    assert tv_w2["value"] == tv_w2["value_uncorrected"] == pytest.approx(1.6667, abs=TOL)
    assert not tv_w2["flag_zero_cell"] and not tv_w2["flag_zero_cell_corrected"]
    # the mean of two annual RLs has no CI and no correction: the mean of the raw annual values
    mean = measure_rows(built, "marts.fct_edi_measure", WDES3, "mean_of_annual_rl")
    assert (mean["value"], mean["value_uncorrected"], mean["ci_lower"]) == (0.0, 0.0, None)
    assert mean["flag_zero_cell"] and not mean["flag_zero_cell_corrected"]


def test_disclosure_control_treats_both_values_as_derived(built):
    published = measure_rows(built, "bi.bi_edi_measure", WDES3, "single_year")
    assert published["value"] == pytest.approx(1.5846, abs=TOL) and published["value_uncorrected"] == 0.0
    assert published["flag_zero_cell_corrected"] and not published["is_suppressed"]
    suppressed = measure_rows(built, "bi.bi_edi_measure", WRES3, "single_year")  # 5 events: primary
    assert suppressed["suppression_reason"] == "primary"
    assert (suppressed["value"], suppressed["value_uncorrected"], suppressed["ci_lower"]) == (None, None, None)
