"""Settings (dbt_project.yml vars; metrics-spec Appendix B): every documented setting changes what the
models publish when it is flipped, and a setting with a fixed set of values refuses any other value
with an error naming the var and its allowed values.

The models are compiled twice by dbt - with the shipped defaults and with every setting flipped - and
run on hand-made rows (model_harness). Pay vectors: TV-P1 (Appendix A3) and six people ranked 1-6.
"""

import pytest

from tests.metrics.builders import PAY_CHAIN, SNAPSHOT, load_pay_inputs
from tests.metrics.model_harness import (
    compile_models, create_from_contract, create_schemas, create_table, load_seed, materialise, query,
)

TOL = 1e-4
FLIPPED = {"rep_denominator_includes_unknown": False, "events_window": "calendar_year",
           "pay_bonus_recipients_only": False, "pay_quartile_remainder": "whole_people"}
CHAIN = ["dim_date", *PAY_CHAIN, "int_recruitment_cohorts_matured", "int_relative_likelihood_counts",
         "int_edi_measure__workforce"]

# TV-P1 (Appendix A3): ESR code, sex, £/hour, bonus £ (None = no bonus)
TV_P1 = [("A", "F", 9.00, 400), ("A", "M", 9.50, 300), ("A", "F", 11.00, None), ("A", "M", 12.00, 600),
         ("A", "F", 12.00, 600), ("A", "F", 12.00, None), ("A", "M", 15.00, None), ("A", "M", 20.00, 2100)]
# N = 6, so four quarters of 1.5 people (fractional) or of 2, 1, 2, 1 whole people
SIX = [("A", "MF"[i % 2], 11.0 + i, None) for i in range(6)]


@pytest.fixture(scope="module")
def compiled(macros):
    return {"default": compile_models(macros, CHAIN), "flipped": compile_models(macros, CHAIN, FLIPPED)}


@pytest.fixture(params=["default", "flipped"])
def setting(request):
    return request.param


# --- rep_denominator_includes_unknown: WRES 1 / WDES 1 shares and WRES 9 / WDES 10 board gaps ----------
def composition_row(group, headcount):
    known = group not in ("Unknown", "all")
    return {"organisation_code": "RXX", "fy_end": SNAPSHOT, "characteristic": "ethnicity", "breakdown_type": "cluster",
            "breakdown_value": "C1", "group_value": group, "headcount": headcount, "breakdown_headcount": 100,
            "breakdown_known_headcount": 90, "workforce_headcount": 100, "share_of_breakdown_pct": float(headcount),
            "share_of_known_pct": 100.0 * headcount / 90 if known else None,
            "share_of_workforce_pct": float(headcount)}


def build_workforce(db, sql, board_rows=()):
    """Cluster C1: 60 White, 30 BME, 10 Unknown; the other workforce marts empty."""
    create_schemas(db)
    create_from_contract(db, "fct_workforce_composition",
                         [composition_row(g, n) for g, n in (("White", 60), ("BME", 30), ("Unknown", 10), ("all", 100))])
    create_from_contract(db, "fct_board_representation", board_rows)
    for name in ("fct_declaration_rate", "fct_disability_declaration", "fct_representation"):
        create_from_contract(db, name)
    materialise(db, "int_edi_measure__workforce", sql["int_edi_measure__workforce"])


def measure(db, measure_id, group_value):
    return {r["variant"]: r for r in query(
        db, "select * from intermediate.int_edi_measure__workforce where measure_id = ? and group_value = ?",
        [measure_id, group_value])}


def test_rep_denominator_setting_chooses_the_default_wres1_share(db, compiled, setting):
    build_workforce(db, compiled[setting])
    bme = measure(db, "wres1_share_of_cluster", "BME")
    unknown = measure(db, "wres1_share_of_cluster", "Unknown")
    if setting == "default":  # Unknown in the denominator; the known-only share stored beside it
        assert set(bme) == {"default", "known_only"}
        assert (bme["default"]["value"], bme["default"]["denominator"]) == (pytest.approx(30.0), 90 + 10)
        assert bme["known_only"]["value"] == pytest.approx(100 * 30 / 90) and set(unknown) == {"default"}
    else:  # known-only shares are the default; the shares with Unknown are stored beside them
        assert set(bme) == {"default", "including_unknown"}
        assert (bme["default"]["value"], bme["default"]["denominator"]) == (pytest.approx(100 * 30 / 90), 90)
        assert bme["including_unknown"]["value"] == pytest.approx(30.0)
        assert set(unknown) == {"including_unknown"}  # Unknown keeps its own row


def test_rep_denominator_setting_chooses_the_default_board_gap(db, compiled, setting):
    # 2 of 10 voting members BME, 1 Unknown; 30 of 100 staff BME, 10 Unknown
    board = {"organisation_code": "RXX", "fy_end": SNAPSHOT, "characteristic": "ethnicity", "protected_group": "BME",
             "board_role": "voting", "board_members": 10, "board_group_members": 2, "board_unknown_members": 1,
             "workforce_headcount": 100, "workforce_group_headcount": 30, "workforce_unknown_headcount": 10,
             "board_share_pct": 20.0, "workforce_share_pct": 30.0, "gap_pp": -10.0,
             "gap_known_only_pp": 100 * 2 / 9 - 100 * 30 / 90}
    build_workforce(db, compiled[setting], [board])
    gap = measure(db, "wres9_board_voting_gap_pp", "BME")
    alternative = "known_only" if setting == "default" else "including_unknown"
    assert set(gap) == {"default", alternative}
    with_unknown, known_only = (gap["default"], gap[alternative])[:: 1 if setting == "default" else -1]
    assert (with_unknown["value"], with_unknown["denominator"], with_unknown["reference_denominator"]) == (
        pytest.approx(-10.0), 10, 100)
    assert (known_only["value"], known_only["denominator"], known_only["reference_denominator"]) == (
        pytest.approx(100 * 2 / 9 - 100 * 30 / 90), 9, 90)


# --- events_window: the reporting year an event counts in (WRES 2-4, WDES 2-3) ------------------------
def build_events(db, sql):
    """One trust; staff s1 (BME), s2 and s3 (White) in post at 31 March 2023 and 2024. A disciplinary
    case enters its formal stage on 15 Feb 2023; s2 trains on 10 May 2023, s3 on 1 Feb 2024; one White
    applicant is shortlisted and appointed on 20 Jan 2023."""
    create_schemas(db)
    load_seed(db, "ref_measure")
    load_seed(db, "ref_ethnicity_map")
    materialise(db, "dim_date", sql["dim_date"])
    materialise(db, "dim_ethnicity", sql["dim_ethnicity"])
    create_from_contract(db, "dim_organisation", [{"trust_code": "RXX"}])
    create_from_contract(db, "dim_disability", [{"disability_key": "N", "disability_status": "Non-disabled"}])
    staff = {"s1": ("H", "BME"), "s2": ("A", "White"), "s3": ("A", "White")}
    create_from_contract(db, "dim_staff", [
        {"staff_version_key": f"v{k}", "staff_key": k, "organisation_code": "RXX", "ethnicity_key": code,
         "disability_key": "N", "fte": 1.0, "is_bank_only": False} for k, (code, _) in staff.items()])
    create_table(db, "intermediate.int_workforce_snapshot_classified", {
        "organisation_code": "varchar", "fy_end": "date", "staff_key": "varchar", "wres_group": "varchar",
        "disability_status": "varchar", "is_march_31_snapshot": "boolean", "in_wres_population": "boolean"}, [
        {"organisation_code": "RXX", "fy_end": fy, "staff_key": k, "wres_group": group,
         "disability_status": "Non-disabled", "is_march_31_snapshot": True, "in_wres_population": True}
        for fy in ("2023-03-31", "2024-03-31") for k, (_, group) in staff.items()])
    create_from_contract(db, "fct_er_case", [{
        "case_reference": "ER1", "organisation_code": "RXX", "staff_key": "s1", "staff_version_key": "vs1",
        "er_case_class": "disciplinary_conduct", "is_formal": True, "entry_date_key": "2023-02-15",
        "entry_fy_end": "2023-03-31"}])
    create_from_contract(db, "fct_training", [
        {"training_key": "T1", "staff_key": "s2", "staff_version_key": "vs2", "date_key": "2023-05-10",
         "organisation_code": "RXX"},
        {"training_key": "T2", "staff_key": "s3", "staff_version_key": "vs3", "date_key": "2024-02-01",
         "organisation_code": "RXX"}])
    create_from_contract(db, "fct_recruitment_application", [{
        "application_key": "AP1", "organisation_code": "RXX", "ethnicity_key": "A", "disability_key": "N",
        "is_shortlisted": True, "is_appointed": True, "shortlisting_date_key": "2023-01-20",
        "shortlisting_fy_end": "2023-03-31", "application_date_key": "2023-01-02"},
        # a later application, so that the January 2023 cohort is past its follow-up window
        {"application_key": "AP2", "organisation_code": "RXX", "is_shortlisted": False, "is_appointed": False,
         "application_date_key": "2024-03-20"}])
    materialise(db, "int_recruitment_cohorts_matured", sql["int_recruitment_cohorts_matured"])
    materialise(db, "int_relative_likelihood_counts", sql["int_relative_likelihood_counts"])
    return {(str(r["fy_end"]), r["measure_id"], r["group_value"]): (r["events"], r["base"]) for r in query(
        db, "select * from intermediate.int_relative_likelihood_counts")}


def test_events_window_setting_moves_events_between_reporting_years(db, compiled, setting):
    counts = build_events(db, compiled[setting])
    disciplinary, training = "rl_bme_vs_white_entering_formal_disciplinary", "rl_white_vs_bme_accessing_nonmandatory_training"
    appointed = "rl_white_vs_bme_appointed_from_shortlisting"
    if setting == "default":  # financial years: 1 April - 31 March
        assert counts[("2023-03-31", disciplinary, "BME")] == (1, 1)
        assert counts[("2024-03-31", disciplinary, "BME")] == (0, 1)
        assert counts[("2024-03-31", training, "White")] == (2, 2)
        assert counts[("2023-03-31", appointed, "White")] == (1, 1)
    else:  # calendar years, counted in the reporting year they end in (2023 -> 2023/24)
        assert counts[("2023-03-31", disciplinary, "BME")] == (0, 1)
        assert counts[("2024-03-31", disciplinary, "BME")] == (1, 1)
        assert counts[("2024-03-31", training, "White")] == (1, 2)  # 1 Feb 2024 belongs to 2024/25
        assert counts[("2024-03-31", appointed, "White")] == (1, 1)
        assert ("2023-03-31", appointed, "White") not in counts


# --- pay_bonus_recipients_only and pay_quartile_remainder -------------------------------------------------
def build_pay(db, sql, staff):
    load_pay_inputs(db, staff)
    for name in PAY_CHAIN:
        materialise(db, name, sql[name])


def sex_gap(db, measure_id):
    (row,) = query(db, "select * from marts.fct_pay_gap where characteristic = 'sex' and breakdown_type = 'overall' "
                       "and measure_id = ?", [measure_id])
    return row


def test_bonus_setting_chooses_recipients_or_all_relevant_employees(db, compiled, setting):
    build_pay(db, compiled[setting], TV_P1)
    mean, median = sex_gap(db, "bonus_gap_mean_pct"), sex_gap(db, "bonus_gap_median_pct")
    if setting == "default":  # TV-P1: recipients only, M 1,000 / F 500 mean, 600 / 500 median
        assert (mean["reference_n"], mean["comparison_n"]) == (3, 2)
        assert (mean["gap_value"], median["gap_value"]) == pytest.approx((50.0, 16.6667), abs=TOL)
    else:  # every relevant employee, non-recipients at 0: M 750 / F 250 mean, 450 / 200 median
        assert (mean["reference_n"], mean["comparison_n"]) == (4, 4)
        assert (mean["reference_value"], mean["comparison_value"]) == pytest.approx((750.0, 250.0), abs=TOL)
        assert (mean["gap_value"], median["gap_value"]) == pytest.approx((66.6667, 55.5556), abs=TOL)
    assert sex_gap(db, "pct_paid_bonus")["reference_value"] == pytest.approx(75.0)  # not a setting


def test_quartile_remainder_setting_chooses_fractional_or_whole_people(db, compiled, setting):
    build_pay(db, compiled[setting], SIX)
    got = {(r["quartile"], r["group_value"]): r for r in query(
        db, "select * from marts.fct_pay_quartile where characteristic = 'sex' and breakdown_type = 'overall'")}
    sizes = [got[(q, "Male")]["quarter_units"] for q in range(1, 5)]
    male = [got[(q, "Male")]["share_pct"] for q in range(1, 5)]
    if setting == "default":  # quarters of 1.5 slots: Q1 = rank 1 (M) and half of rank 2 (F)
        assert sizes == pytest.approx([1.5] * 4)
        assert male == pytest.approx([66.6667, 66.6667, 33.3333, 33.3333], abs=TOL)
    else:  # 6 = 4 x 1 + 2: the two left over go to the lower and the upper middle quarters
        assert sizes == pytest.approx([2, 1, 2, 1])
        assert male == pytest.approx([50.0, 100.0, 50.0, 0.0], abs=TOL)


# --- validation ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "value", "allowed"), [
    ("wres_ind3_window_method", "pooled_counts", "pooled, mean_of_annual_rl"),
    ("events_window", "fiscal_year", "financial_year, calendar_year"),
    ("pay_quartile_remainder", "nearest", "fractional, whole_people"),
    ("pay_bonus_recipients_only", "false", "true, false"),  # a string, which Jinja would treat as true
    ("pay_religion_reference", "Christian", "Atheism, Buddhism, Christianity, Hinduism, Islam, Jainism, Judaism, "
                                            "Sikhism, Other"),
    ("pay_sex_ethnicity_reference", "Male & BME", "Male & White, Female & White"),
    ("pay_age_band_reference", "40-49", "<20, 20-24, 25-29, 30-34, 35-39, 40-44, 45-49, 50-54, 55-59, 60-64, 65+"),
])
def test_a_setting_outside_its_allowed_values_fails_naming_the_var_and_its_values(macros, name, value, allowed):
    with pytest.raises(AssertionError) as failure:
        macros.render("select 1", {name: value})
    message = str(failure.value)
    assert f"'{name}'" in message and f"'{value}'" in message, message
    assert f"allowed values: {allowed}" in message, message
