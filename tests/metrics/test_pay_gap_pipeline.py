"""Pay gaps end to end through the real models (metrics-spec §1, §6): the shipped ethnicity seed ->
dim_ethnicity -> int_pay_gap_population -> int_pay_gap_group_member -> int_pay_gap_group_stats ->
fct_pay_gap / fct_pay_quartile, on hand-made staff of one trust.

TV-P2 (Appendix A4) with its White British staff recorded as ESR codes do it: national code A and the
British sub-codes under C (C2 Northern Irish, CA English, CB Scottish, CC Welsh, CD Cornish), which
Census 2021 counts as "English, Welsh, Scottish, Northern Irish or British".
"""

import pytest

from tests.metrics.model_harness import (
    compile_models, create_from_contract, create_schemas, load_seed, materialise, query,
)

TOL = 1e-4
SNAPSHOT = "2024-03-31"
CHAIN = ["dim_ethnicity", "int_pay_gap_population", "int_pay_gap_group_member", "int_pay_gap_group_stats",
         "fct_pay_gap", "fct_pay_quartile"]
BRITISH_SUBCODES = ("C2", "CA", "CB", "CC", "CD")

# code, £/hour: White British 18, 20, 20, 22, 20, 20 (mean = median = 20, as TV-P2's A group);
# Other White C 14, CP 18; BME 15, 16, 18, 19 (mean = median = 17); one undisclosed (Z).
STAFF = [("A", 18), ("CA", 20), ("CB", 20), ("CC", 22), ("C2", 20), ("CD", 20),
         ("C", 14), ("CP", 18),
         ("H", 15), ("M", 16), ("N", 18), ("S", 19),
         ("Z", 30)]


def load_inputs(db, staff=STAFF, bonuses=None):
    """The marts the chain reads: one trust, one 31 March snapshot, everyone band 5 and full-pay relevant;
    sex alternates F / M; bonuses maps a staff index to a bonus paid (others received none)."""
    bonuses = bonuses or {}
    create_schemas(db)
    load_seed(db, "ref_ethnicity_map")
    create_from_contract(db, "dim_date", [{"date_key": SNAPSHOT, "fy_end": SNAPSHOT, "is_march_31_snapshot": True}])
    create_from_contract(db, "dim_pay_grade", [{
        "pay_grade_key": "XN05", "pay_scheme": "agenda_for_change", "afc_band": "5", "cluster": "C2",
        "is_workforce": True}])
    create_from_contract(db, "dim_sex", [{"sex_key": "F", "sex": "Female"}, {"sex_key": "M", "sex": "Male"}])
    create_from_contract(db, "dim_disability", [{"disability_key": "N", "disability_status": "Non-disabled"}])
    create_from_contract(db, "dim_staff", [
        {"staff_version_key": f"v{i}", "staff_key": f"s{i}", "organisation_code": "RXX",
         "ethnicity_key": code, "disability_key": "N", "sex_key": "FM"[i % 2]}
        for i, (code, _) in enumerate(staff)])
    create_from_contract(db, "fct_pay_snapshot", [
        {"staff_key": f"s{i}", "staff_version_key": f"v{i}", "organisation_code": "RXX", "pay_grade_key": "XN05",
         "is_full_pay_relevant": True, "ordinary_hourly_pay": rate, "bonus_pay_12m": bonuses.get(i, 0),
         "received_bonus": i in bonuses, "date_key": SNAPSHOT}
        for i, (_, rate) in enumerate(staff)])


def build(db, compiled, **inputs):
    load_inputs(db, **inputs)
    for name in CHAIN:
        materialise(db, name, compiled[name])


@pytest.fixture(scope="module")
def compiled(macros):
    return compile_models(macros, CHAIN)


def gaps(db, variant, measure_id):
    return {r["comparison_group"]: r for r in query(
        db, "select * from marts.fct_pay_gap where characteristic = 'ethnicity' and variant = ? "
            "and measure_id = ? and breakdown_type = 'overall'", [variant, measure_id])}


def test_british_subcodes_map_to_white_british_in_dim_ethnicity(db, compiled):
    build(db, compiled)
    got = {r["ethnicity_key"]: r for r in query(db, "select * from marts.dim_ethnicity")}
    for code in BRITISH_SUBCODES:
        row = got[code]
        assert row["is_white_british"] is True, code
        assert row["census_2021_category"] == "White: English, Welsh, Scottish, Northern Irish or British", code
        assert row["census_2021_harmonised_group"] == got["A"]["census_2021_harmonised_group"], code
        # WRES is unchanged: White (A-C), and the code still rolls up to national code C
        assert (row["wres_group"], row["ethnicity_group_5"], row["national_code"]) == ("White", "White", "C"), code
    for code in ("C", "C3", "CP", "CL"):
        assert got[code]["is_white_british"] is False, code


def test_pay_gap_vs_white_british_counts_british_subcodes_as_the_reference(db, compiled):
    build(db, compiled)
    for measure_id in ("pay_gap_mean_hourly_pct", "pay_gap_median_hourly_pct"):
        bme = gaps(db, "white_british", measure_id)["BME"]
        assert bme["reference_group"] == "White British"
        assert (bme["reference_n"], bme["comparison_n"]) == (6, 4), measure_id
        assert bme["reference_value"] == pytest.approx(20.0, abs=TOL), measure_id
        assert bme["gap_value"] == pytest.approx(15.0, abs=TOL), measure_id  # TV-P2's white_british gap
    minorities = gaps(db, "white_british", "pay_gap_mean_hourly_pct")["All ethnic minorities"]
    assert minorities["comparison_n"] == 6  # Other White (C, CP) and BME; never the British sub-codes
    assert minorities["gap_value"] == pytest.approx((20 - 100 / 6) / 20 * 100, abs=TOL)
    sub_coded = query(db, """
        select m.group_role, m.group_value
        from intermediate.int_pay_gap_group_member as m
        inner join marts.dim_staff as s on m.staff_key = s.staff_key
        where m.characteristic = 'ethnicity' and m.variant = 'white_british' and m.breakdown_type = 'overall'
            and s.ethnicity_key in ('C2', 'CA', 'CB', 'CC', 'CD')""")
    assert len(sub_coded) == len(BRITISH_SUBCODES)
    assert {(r["group_role"], r["group_value"]) for r in sub_coded} == {("reference", "White British")}


def test_wres_white_comparator_is_unchanged_by_the_british_subcodes(db, compiled):
    build(db, compiled)
    mean = gaps(db, "wres_white", "pay_gap_mean_hourly_pct")["BME"]
    median = gaps(db, "wres_white", "pay_gap_median_hourly_pct")["BME"]
    assert mean["reference_group"] == "White" and mean["reference_n"] == 8  # A, the five sub-codes, C, CP
    assert mean["gap_value"] == pytest.approx((19 - 17) / 19 * 100, abs=TOL)
    assert median["gap_value"] == pytest.approx(15.0, abs=TOL)
