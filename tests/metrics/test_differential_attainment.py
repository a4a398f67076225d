"""Differential attainment of doctors in training (issue #13), through the real models on hand-made rows:
staging rows -> dim_trainee, fct_arcp_outcome, fct_exam_attempt, fct_nets_result ->
int_edi_measure__differential_attainment -> fct_edi_measure -> bi_edi_measure (disclosure control), and
fct_identity_match_rate.

The worked vector, trust RXX, reviews and sittings in 2023/24 (fy_end 2024-03-31):

ARCP outcomes (one review per trainee; counted = 1, 2, 3, 4, 6; non-standard = 2, 3, 4):
  UK White (code A, PMQ UK, not disabled): 100 counted - 5 x '2', 3 x '3', 2 x '4' (10 non-standard),
      80 x '1', 10 x '6' - plus 4 each of '5', '8', '10.1', '10.2' and one unlisted '7', counted nowhere
  UK BME (code H, PMQ UK): 50 counted, 10 non-standard; 10 of them disabled (4 non-standard); plus 3 x '5'
  IMG (code M, PMQ IMG, not disabled, male): 40 counted, 12 non-standard ('3'); plus 2 x '8'
  RL UK BME vs UK White = (10/50) / (10/100) = 2.0000, SE = sqrt(1/10 - 1/50 + 1/10 - 1/100) = 0.412311,
      CI exp(ln 2 -/+ 1.96 SE) = 0.8914-4.4874 (spans parity)
  RL IMG vs UK White = (12/40) / (10/100) = 3.0000, SE = 0.385141, CI 1.4102-6.3820
  EEA (code C, PMQ EEA, not disabled, male): 6 counted, none non-standard; every other trainee is female
  RL Female vs Male = ((10 + 10) / (100 + 50)) / ((12 + 0) / (40 + 6)) = 0.5111, SE = 0.323925,
      CI 0.2709-0.9644
  RL Disabled vs non-disabled = (4/10) / ((10 + 6 + 12 + 0) / (100 + 40 + 40 + 6)) = 2.6571, SE = 0.424662,
      CI 1.1559-6.1079, 4 events: small count
  Counting outcome 5, 8 or 10.x as non-standard would give UK White 26/116 (RL UK BME 0.97) - wrong.

First attempts at an exam (resits ignored):
  UK White 60 of 80 passed = 75 %, Wilson CI 64.5151-83.1939 %
  IMG 20 of 40 = 50 %, Wilson 35.1993-64.8007 %; plus 10 resits (attempt 2), all passed
  EEA 5 of 6 = 83.33 %, Wilson 43.6491-96.9947 %: 5 passes -> withheld in BI
  Gap IMG - UK White = -25 pp, Newcombe hybrid score CI -41.9175 to -6.8618 pp
  Gap EEA - UK White = +8.33 pp, CI -32.1880 to 25.5544 pp (spans 0)
  The CI methods are checked on Newcombe's (1998) own published examples too.

NETS (survey 2023, feeds 2023/24), programme GP:
  OVERALL All 40/50 = 80 % (Wilson 66.9626-88.7564), White 25/30, BME 12/15, Not stated 3/5 (left out),
  IMG suppressed by the publisher (left out), UK 14/17 (82.35 %, Wilson 58.9701-93.8090; published in BI from
  the rounded counts 15/15 = 100 %, with the Wilson CI of 15/15, 79.6111-100), Female 8/10 (fewer than 11 respondents: flagged, withheld in BI);
  BULLYING All 5/50 = 10 % (Wilson 4.3475-21.3605).
"""

import math

import duckdb
import pytest

from tests.metrics.model_harness import (
    compile_models, contract_columns, create_from_contract, create_schemas, create_table, load_seed, materialise,
    query,
)

TOL = 1e-4
FY = "2024-03-31"
REVIEW_DATE = "2023-06-15"
EXAM_DATE = "2023-10-02"
CHAIN = ["dim_ethnicity", "dim_disability", "dim_sex", "dim_arcp_outcome", "dim_programme", "dim_trainee",
         "fct_arcp_outcome", "fct_exam_attempt", "fct_nets_result", "fct_identity_match_rate",
         "int_edi_measure__differential_attainment", "fct_edi_measure", "bi_edi_measure"]
OTHER_STANDARDS = ["int_edi_measure__workforce", "int_edi_measure__relative_likelihood", "int_edi_measure__survey",
                   "int_edi_measure__pay_gap", "int_edi_measure__hia6", "int_edi_measure__spc"]
CATALOGUE_COLUMNS = {"standard", "indicator_code", "measure_label", "measure_kind", "higher_is_better",
                     "adverse_side"}
SEEDS = ["ref_measure", "ref_arcp_outcome", "ref_programme", "ref_exam", "ref_pmq_region", "ref_ethnicity_map",
         "ref_ethnicity_label_map", "ref_disability_map", "ref_sex_map"]
UK_BME = "rl_uk_bme_vs_uk_white_non_standard_arcp_outcome"
IMG = "rl_img_vs_uk_white_non_standard_arcp_outcome"
DISABLED = "rl_disabled_vs_nondisabled_non_standard_arcp_outcome"
FEMALE = "rl_female_vs_male_non_standard_arcp_outcome"

STG_ARCP = {"trainee_key": "varchar", "employee_key": "varchar", "organisation_code": "varchar",
            "programme_code": "varchar", "grade": "varchar", "review_date": "date", "outcome_code": "varchar",
            "pmq_region": "varchar", "ethnic_origin": "varchar", "ethnic_category_code": "varchar",
            "ethnic_category_national_code": "varchar", "gender": "varchar", "gender_code": "varchar",
            "disability": "varchar", "disability_code": "varchar", "is_less_than_full_time": "boolean",
            "_source_file": "varchar", "_row_number": "bigint"}
STG_EXAM = {"trainee_key": "varchar", "organisation_code": "varchar", "exam_code": "varchar", "exam_date": "date",
            "attempt_number": "int", "is_pass": "boolean", "_source_file": "varchar", "_row_number": "bigint"}
STG_NETS = {"survey_year": "int", "organisation_code": "varchar", "programme_code": "varchar",
            "indicator_code": "varchar", "indicator_text": "varchar", "breakdown": "varchar",
            "breakdown_group": "varchar", "respondent_count": "int", "positive_count": "int", "is_suppressed": "boolean",
            "_source_file": "varchar", "_row_number": "bigint"}


def review(trainee, outcome, ethnic="A", pmq="UK", disability="NO", when=REVIEW_DATE, grade="ST1",
           programme="GP", employee=None, organisation="RXX", gender="FEMALE"):
    return {"trainee_key": trainee, "employee_key": employee, "organisation_code": organisation,
            "programme_code": programme, "grade": grade, "review_date": when, "outcome_code": outcome,
            "pmq_region": pmq, "ethnic_origin": ethnic, "ethnic_category_code": ethnic,
            "gender_code": gender, "disability_code": disability, "is_less_than_full_time": False,
            "_source_file": "arcp.csv", "_row_number": 0}


def vector_reviews() -> list[dict]:
    white = ["2"] * 5 + ["3"] * 3 + ["4"] * 2 + ["1"] * 80 + ["6"] * 10 + ["5", "8", "10.1", "10.2"] * 4 + ["7"]
    rows = [review(f"W{i}", code) for i, code in enumerate(white)]
    bme_disabled = ["2"] * 4 + ["1"] * 6
    bme_other = ["3"] * 6 + ["1"] * 34 + ["5"] * 3
    rows += [review(f"B{i}", code, ethnic="H", disability="YES") for i, code in enumerate(bme_disabled)]
    rows += [review(f"BN{i}", code, ethnic="H") for i, code in enumerate(bme_other)]
    rows += [review(f"I{i}", code, ethnic="M", pmq="IMG", gender="MALE")
             for i, code in enumerate(["3"] * 12 + ["1"] * 28 + ["8"] * 2)]
    rows += [review(f"E{i}", "1", ethnic="C", pmq="EEA", gender="MALE") for i in range(6)]
    return [dict(r, _row_number=n) for n, r in enumerate(rows, start=1)]


def attempt(trainee, passed, number=1):
    return {"trainee_key": trainee, "organisation_code": "RXX", "exam_code": "MRCGP-AKT", "exam_date": EXAM_DATE,
            "attempt_number": number, "is_pass": passed, "_source_file": "exam.csv", "_row_number": 0}


def vector_attempts() -> list[dict]:
    rows = [attempt(f"W{i}", i < 60) for i in range(80)]
    rows += [attempt(f"I{i}", i < 20) for i in range(40)]
    rows += [dict(attempt(f"I{i}", True, number=2), exam_date="2024-02-01") for i in range(20, 30)]
    rows += [attempt(f"E{i}", i < 5) for i in range(6)]
    return [dict(r, _row_number=n) for n, r in enumerate(rows, start=1)]


def nets(indicator, breakdown, group, respondents, positive):
    return {"survey_year": 2023, "organisation_code": "RXX", "programme_code": "GP", "indicator_code": indicator,
            "indicator_text": indicator.title(), "breakdown": breakdown, "breakdown_group": group,
            "respondent_count": respondents, "positive_count": positive, "is_suppressed": respondents is None,
            "_source_file": "nets.csv", "_row_number": 0}


NETS_ROWS = [nets("OVERALL", "ALL", "ALL", 50, 40), nets("OVERALL", "ETHNICITY", "WHITE", 30, 25),
             nets("OVERALL", "ETHNICITY", "BME", 15, 12), nets("OVERALL", "ETHNICITY", "NOT STATED", 5, 3),
             nets("OVERALL", "PMQ", "IMG", None, None), nets("OVERALL", "PMQ", "UK", 17, 14),
             nets("OVERALL", "SEX", "FEMALE", 10, 8),
             nets("BULLYING", "ALL", "ALL", 50, 5)]


def days(first: str, last: str) -> list[dict]:
    """dim_date rows (date_key, fy_end) from first to last."""
    from datetime import date, timedelta
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    out = []
    while start <= end:
        fy = date(start.year + (1 if start.month >= 4 else 0), 3, 31)
        out.append({"date_key": start, "fy_end": fy})
        start += timedelta(days=1)
    return out


@pytest.fixture(scope="module")
def compiled(macros):
    return compile_models(macros, CHAIN)


def build(db, compiled, reviews, attempts=(), nets_rows=(), staff_versions=()):
    create_schemas(db)
    for seed in SEEDS:
        load_seed(db, seed)
    create_table(db, "staging.stg_tis__arcp_outcomes", STG_ARCP, reviews)
    create_table(db, "staging.stg_tis__exam_attempts", STG_EXAM, list(attempts))
    create_table(db, "staging.stg_nets__results", STG_NETS, list(nets_rows))
    create_table(db, "marts.dim_organisation", {"trust_code": "varchar"}, [{"trust_code": "RXX"}, {"trust_code": "RYY"}])
    create_table(db, "marts.dim_date", {"date_key": "date", "fy_end": "date"}, days("2021-04-01", "2025-03-31"))
    create_table(db, "intermediate.int_staff_versions_historised", {
        "staff_version_key": "varchar", "staff_key": "varchar", "organisation_code": "varchar", "valid_from": "date",
        "valid_to": "date"}, list(staff_versions))
    create_from_contract(db, "fct_er_case")
    create_from_contract(db, "fct_staff_incident")
    create_from_contract(db, "dim_pay_grade")
    long_shape = {c: t for c, t in contract_columns("fct_edi_measure") if c not in CATALOGUE_COLUMNS}
    for name in OTHER_STANDARDS:
        create_table(db, f"intermediate.{name}", long_shape)
    for name in CHAIN:
        materialise(db, name, compiled[name])
    return db


@pytest.fixture(scope="module")
def built(compiled):
    """The worked vector, built once for the tests that only read it."""
    con = duckdb.connect()
    yield build(con, compiled, vector_reviews(), vector_attempts(), NETS_ROWS)
    con.close()


def close(actual, expected) -> bool:
    return actual is not None and math.isclose(actual, expected, abs_tol=TOL)


def one(db, relation, measure_id, group, breakdown_value="all"):
    rows = query(db, f"select * from {relation} where measure_id = ? and group_value = ? and breakdown_value = ? "
                     "and fy_end = ?", [measure_id, group, breakdown_value, FY])
    assert len(rows) == 1, (measure_id, group, rows)
    return rows[0]


# --- Outcome-code rules -------------------------------------------------------------------------------
def test_outcome_codes_counted_and_non_standard_as_the_gmc_analyses(built):
    rules = {r["arcp_outcome_key"]: (r["is_counted"], r["is_non_standard"])
             for r in query(built, "select * from marts.dim_arcp_outcome")}
    assert rules == {"1": (True, False), "6": (True, False), "2": (True, True), "3": (True, True),
                     "4": (True, True), "5": (False, False), "8": (False, False), "10.1": (False, False),
                     "10.2": (False, False), "-1": (False, False)}


def test_excluded_and_unlisted_outcomes_keep_their_rows_but_count_nowhere(built):
    rows = query(built, "select outcome_code, arcp_outcome_key, is_counted from marts.fct_arcp_outcome "
                        "where trainee_key like 'W%' and not is_counted order by outcome_code")
    assert sorted({r["outcome_code"] for r in rows}) == ["10.1", "10.2", "5", "7", "8"]
    assert len(rows) == 17 and {r["arcp_outcome_key"] for r in rows if r["outcome_code"] == "7"} == {"-1"}
    assert len(query(built, "select * from marts.fct_arcp_outcome")) == len(vector_reviews())


# --- Relative likelihood of a non-standard outcome ------------------------------------------------------
@pytest.mark.parametrize("measure_id, group, reference, counts, rl, ci, flags", [
    (UK_BME, "UK BME", "UK White", (10, 50, 10, 100), 2.0, (0.8914, 4.4874), (False, True, True)),
    (IMG, "IMG", "UK White", (12, 40, 10, 100), 3.0, (1.4102, 6.3820), (False, False, False)),
    (DISABLED, "Disabled", "Non-disabled", (4, 10, 28, 186), 2.6571, (1.1559, 6.1079), (True, False, True)),
    (FEMALE, "Female", "Male", (20, 150, 12, 46), 0.5111, (0.2709, 0.9644), (False, False, False)),
])
def test_relative_likelihood_of_a_non_standard_outcome(built, measure_id, group, reference, counts, rl, ci, flags):
    row = one(built, "marts.fct_edi_measure", measure_id, group)
    assert row["reference_group"] == reference and row["standard"] == "DA" and row["adverse_side"] == "above_1"
    assert (row["numerator"], row["denominator"], row["reference_numerator"], row["reference_denominator"]) == counts
    assert close(row["value"], rl) and close(row["ci_lower"], ci[0]) and close(row["ci_upper"], ci[1]), row
    assert (row["flag_small_count"], row["flag_ci_spans_parity"], row["flag_volatile"]) == flags


def test_zero_non_standard_outcomes_in_the_reference_group_use_the_zero_cell_correction(db, compiled):
    reviews = [review(f"W{i}", "1") for i in range(20)] + [review(f"B{i}", "2" if i < 3 else "1", ethnic="H")
                                                           for i in range(10)]
    build(db, compiled, reviews)
    row = one(db, "marts.fct_edi_measure", UK_BME, "UK BME")
    assert row["value_uncorrected"] is None and row["flag_zero_cell"] and row["flag_zero_cell_corrected"]
    assert close(row["value"], (3.5 / 11) / (0.5 / 21)) and row["ci_lower"] < row["value"] < row["ci_upper"]


# --- First-attempt pass rates and gaps ----------------------------------------------------------------
def test_first_attempt_pass_rates_ignore_resits(built):
    expected = {"UK White": (60, 80, 75.0, 64.5151, 83.1939), "IMG": (20, 40, 50.0, 35.1993, 64.8007),
                "EEA": (5, 6, 500 / 6, 43.6491, 96.9947)}
    for group, (passed, sat, pct, lower, upper) in expected.items():
        row = one(built, "marts.fct_edi_measure", "first_attempt_pass_rate_pct", group)
        assert (row["numerator"], row["denominator"]) == (passed, sat)
        assert close(row["value"], pct) and close(row["ci_lower"], lower) and close(row["ci_upper"], upper), row


def test_first_attempt_pass_rate_gap_to_uk_white_with_newcombe_ci(built):
    img = one(built, "marts.fct_edi_measure", "first_attempt_pass_gap_pp", "IMG")
    assert (img["numerator"], img["denominator"], img["reference_numerator"], img["reference_denominator"]) == (
        20, 40, 60, 80)
    assert img["reference_group"] == "UK White" and img["value_unit"] == "pp"
    assert close(img["value"], -25.0) and close(img["ci_lower"], -41.9175) and close(img["ci_upper"], -6.8618)
    assert not img["flag_ci_spans_parity"] and not img["flag_volatile"]
    eea = one(built, "marts.fct_edi_measure", "first_attempt_pass_gap_pp", "EEA")
    assert close(eea["value"], 500 / 6 - 75) and close(eea["ci_lower"], -32.1880) and close(eea["ci_upper"], 25.5544)
    assert eea["flag_ci_spans_parity"] and eea["flag_small_count"] and eea["flag_volatile"]
    groups = {r["group_value"] for r in query(built, "select group_value from marts.fct_edi_measure "
                                                     "where measure_id = 'first_attempt_pass_gap_pp'")}
    assert groups == {"IMG", "EEA"}  # no UK BME sittings; never UK White against itself


def test_the_interval_macros_reproduce_newcombes_published_examples(db, macros):
    """Newcombe (1998), Statistics in Medicine 17, 857-872 and 873-890: Wilson 81/263 = 0.2553-0.3662,
    15/148 = 0.0624-0.1605, 0/20 = 0-0.1611, 1/29 = 0.0061-0.1718, 29/29 = 0.8830-1; hybrid score
    (method 10) 56/70 - 48/80 = 0.0524-0.3339 and 9/10 - 3/10 = 0.1705-0.8090."""
    sql = macros.render("select x, n, {{ wilson_lower('x', 'n') }}, {{ wilson_upper('x', 'n') }} from v order by x, n")
    db.execute("create table v (x int, n int)")
    wilson = {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605), (0, 20): (0.0, 0.1611),
              (1, 29): (0.0061, 0.1718), (29, 29): (0.8830, 1.0)}
    db.executemany("insert into v values (?, ?)", list(wilson))
    for x, n, lower, upper in db.execute(sql).fetchall():
        assert close(lower, wilson[(x, n)][0]) and close(upper, wilson[(x, n)][1]), (x, n, lower, upper)
    sql = macros.render("select {{ newcombe_diff_lower('x', 'n', 'y', 'm') }}, "
                        "{{ newcombe_diff_upper('x', 'n', 'y', 'm') }} from d order by x")
    db.execute("create table d (x int, n int, y int, m int)")
    db.executemany("insert into d values (?, ?, ?, ?)", [(9, 10, 3, 10), (56, 70, 48, 80)])
    got = db.execute(sql).fetchall()
    assert close(got[0][0], 0.1705) and close(got[0][1], 0.8090), got
    assert close(got[1][0], 0.0524) and close(got[1][1], 0.3339), got


# --- NETS ---------------------------------------------------------------------------------------------
def test_nets_indicators_by_group_respect_the_publishers_suppression(built):
    rows = {(r["measure_id"], r["group_dimension"], r["group_value"]): r for r in query(
        built, "select * from marts.fct_edi_measure where measure_id like 'nets%'")}
    assert set(rows) == {("nets_overall_pct", "all", "all"), ("nets_overall_pct", "ethnicity", "White"),
                         ("nets_overall_pct", "ethnicity", "BME"), ("nets_overall_pct", "pmq", "UK"),
                         ("nets_overall_pct", "sex", "Female"),
                         ("nets_bullying_pct", "all", "all")}  # suppressed IMG and Not stated left out
    overall = rows[("nets_overall_pct", "all", "all")]
    assert overall["breakdown_type"] == "programme" and overall["breakdown_value"] == "GP"
    assert close(overall["value"], 80.0) and close(overall["ci_lower"], 66.9626) and close(overall["ci_upper"], 88.7564)
    bullying = rows[("nets_bullying_pct", "all", "all")]
    assert close(bullying["value"], 10.0) and bullying["higher_is_better"] is False
    assert close(bullying["ci_lower"], 4.3475) and close(bullying["ci_upper"], 21.3605)
    assert rows[("nets_overall_pct", "sex", "Female")]["flag_small_count"]
    assert not rows[("nets_overall_pct", "ethnicity", "White")]["flag_small_count"]
    suppressed = query(built, "select * from marts.fct_nets_result where group_value = 'IMG'")
    assert [(r["is_suppressed"], r["respondent_count"]) for r in suppressed] == [(True, None)]


# --- Disclosure control in the BI cube ----------------------------------------------------------------
def test_disclosure_control_of_the_new_measures_in_bi(built):
    disabled = one(built, "bi.bi_edi_measure", DISABLED, "Disabled")
    assert disabled["is_suppressed"] and disabled["suppression_reason"] == "primary"
    assert (disabled["numerator"], disabled["value"], disabled["ci_lower"], disabled["ci_upper"]) == (None,) * 4
    assert (disabled["reference_numerator"], disabled["reference_denominator"]) == (30, 185)  # rounded to 5
    img = one(built, "bi.bi_edi_measure", IMG, "IMG")
    assert not img["is_suppressed"] and (img["numerator"], img["denominator"]) == (10, 40)
    eea = one(built, "bi.bi_edi_measure", "first_attempt_pass_rate_pct", "EEA")
    assert eea["is_suppressed"] and eea["value"] is None and eea["numerator"] is None
    eea_gap = one(built, "bi.bi_edi_measure", "first_attempt_pass_gap_pp", "EEA")
    assert eea_gap["is_suppressed"] and eea_gap["value"] is None
    assert (eea_gap["reference_numerator"], eea_gap["reference_denominator"]) == (60, 80)
    female = one(built, "bi.bi_edi_measure", "nets_overall_pct", "Female", breakdown_value="GP")
    assert female["is_suppressed"] and female["suppression_reason"] == "min_respondents" and female["value"] is None
    white = one(built, "bi.bi_edi_measure", "nets_overall_pct", "White", breakdown_value="GP")
    assert not white["is_suppressed"] and (white["numerator"], white["denominator"]) == (25, 30)
    assert close(white["value"], 100 * 25 / 30)


# --- The trainee dimension and the ESR identity match ---------------------------------------------------
def test_dim_trainee_is_type_2_over_the_placement_with_the_latest_declaration(db, compiled):
    reviews = [review("T1", "1", when="2022-06-01", grade="ST1", ethnic=None),
               review("T1", "1", when="2023-06-01", grade="ST2", ethnic="H"),
               review("T1", "2", when="2024-06-01", grade="ST2", ethnic=None),
               review("T1", "1", when="2025-01-10", grade="ST2", programme="IMT", ethnic=None)]
    build(db, compiled, [dict(r, _row_number=n) for n, r in enumerate(reviews)])
    versions = query(db, "select * from marts.dim_trainee where not is_unknown_member order by valid_from")
    assert [(str(v["valid_from"]), str(v["valid_to"]), v["grade"], v["programme_key"], v["is_current"])
            for v in versions] == [("2022-06-01", "2023-05-31", "ST1", "GP", False),
                                   ("2023-06-01", "2025-01-09", "ST2", "GP", False),
                                   ("2025-01-10", "9999-12-31", "ST2", "IMT", True)]
    assert {(v["ethnicity_key"], v["attainment_group"]) for v in versions} == {("H", "UK BME")}
    facts = query(db, "select review_date_key, trainee_version_key from marts.fct_arcp_outcome order by 1")
    assert [f["trainee_version_key"] for f in facts] == ["T1|1", "T1|2", "T1|2", "T1|3"]


def test_trainees_match_esr_by_employee_number_at_the_same_trust(db, compiled):
    staff = [{"staff_version_key": "S1|1", "staff_key": "S1", "organisation_code": "RXX", "valid_from": "2020-01-01",
              "valid_to": "9999-12-31"},
             {"staff_version_key": "S2|1", "staff_key": "S2", "organisation_code": "RYY", "valid_from": "2020-01-01",
              "valid_to": "9999-12-31"},
             {"staff_version_key": "S3|1", "staff_key": "S3", "organisation_code": "RXX", "valid_from": "2020-01-01",
              "valid_to": "2022-12-31"}]
    reviews = [review("T1", "1", employee="S1"), review("T2", "1", employee="S2"), review("T3", "1", employee=None),
               review("T4", "1", employee="S3")]
    build(db, compiled, [dict(r, _row_number=n) for n, r in enumerate(reviews)], staff_versions=staff)
    facts = {r["trainee_key"]: (r["staff_version_key"], r["match_method"], r["unmatched_reason"])
             for r in query(db, "select * from marts.fct_arcp_outcome")}
    assert facts == {"T1": ("S1|1", "employee_number", None), "T2": (None, "none", "employee_not_found"),
                     "T3": (None, "none", "no_identifier"), "T4": (None, "none", "no_version_at_date")}
    (rate,) = query(db, "select * from marts.fct_identity_match_rate where source = 'tis_arcp_outcome'")
    assert (rate["row_count"], rate["matched_employee_number"], rate["unmatched_employee_not_found"],
            rate["unmatched_no_identifier"], rate["unmatched_no_version_at_date"]) == (4, 1, 1, 1, 1)
    assert close(rate["match_rate"], 0.25)


def test_a_share_published_from_rounded_counts_keeps_its_ci_around_it(built):
    """sdc_derive_from_rounded: BI publishes a % from the rounded counts; its CI is then the Wilson interval of
    those counts, so the published value lies within its CI (14/17 = 82.4 %, CI to 93.8 %, publishes as 15/15)."""
    exact = one(built, "marts.fct_edi_measure", "nets_overall_pct", "UK", breakdown_value="GP")
    assert close(exact["ci_lower"], 58.9701) and close(exact["ci_upper"], 93.8090)
    uk = one(built, "bi.bi_edi_measure", "nets_overall_pct", "UK", breakdown_value="GP")
    assert (uk["numerator"], uk["denominator"], uk["value"]) == (15, 15, 100.0)
    assert close(uk["ci_lower"], 79.6111) and close(uk["ci_upper"], 100.0), uk
    outside = query(built, "select * from bi.bi_edi_measure where value < ci_lower - 1e-9 or value > ci_upper + 1e-9")
    assert outside == []


def test_two_reviews_on_one_day_make_one_version_not_an_empty_one(db, compiled):
    """A trainee reviewed on the same day in two trusts' extracts (a rotation between them) gets one
    version from that day, never one that ends before it starts; both reviews find it."""
    reviews = [review("T1", "1", when="2023-06-01", organisation="RXX"),
               review("T1", "1", when="2023-06-01", organisation="RYY"),
               review("T1", "2", when="2024-06-01", organisation="RYY")]
    build(db, compiled, [dict(r, _row_number=n) for n, r in enumerate(reviews)])
    versions = query(db, "select * from marts.dim_trainee where not is_unknown_member order by valid_from")
    assert all(v["valid_from"] <= v["valid_to"] for v in versions), versions
    assert [(str(v["valid_from"]), v["organisation_code"]) for v in versions] == [("2023-06-01", "RXX"),
                                                                                  ("2024-06-01", "RYY")]
    facts = query(db, "select trainee_version_key from marts.fct_arcp_outcome order by review_date_key, source_organisation_code")
    assert [f["trainee_version_key"] for f in facts] == ["T1|1", "T1|1", "T1|2"]
