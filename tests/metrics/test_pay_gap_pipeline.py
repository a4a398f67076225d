"""Pay gaps end to end through the real models (metrics-spec §1, §6): the shipped ethnicity seed ->
dim_ethnicity -> int_pay_gap_population -> int_pay_gap_group_member -> int_pay_gap_groups / int_pay_gap_group_rates ->
int_pay_gap_group_stats -> fct_pay_gap / fct_pay_quartile, on hand-made staff of one trust.

TV-P2 (Appendix A4) with its White British staff recorded as ESR codes do it: national code A and the
British sub-codes under C (C2 Northern Irish, CA English, CB Scottish, CC Welsh, CD Cornish), which
Census 2021 counts as "English, Welsh, Scottish, Northern Irish or British".
"""

import pytest

from tests.metrics.builders import PAY_CHAIN, load_pay_inputs
from tests.metrics.model_harness import compile_models, materialise, query

TOL = 1e-4
BRITISH_SUBCODES = ("C2", "CA", "CB", "CC", "CD")

# code, £/hour: White British 18, 20, 20, 22, 20, 20 (mean = median = 20, as TV-P2's A group);
# Other White C 14, CP 18; BME 15, 16, 18, 19 (mean = median = 17); one undisclosed (Z). Sex alternates.
RATES = [("A", 18), ("CA", 20), ("CB", 20), ("CC", 22), ("C2", 20), ("CD", 20),
         ("C", 14), ("CP", 18),
         ("H", 15), ("M", 16), ("N", 18), ("S", 19),
         ("Z", 30)]
STAFF = [(code, "FM"[i % 2], rate, None) for i, (code, rate) in enumerate(RATES)]


def build(db, compiled):
    load_pay_inputs(db, STAFF)
    for name in PAY_CHAIN:
        materialise(db, name, compiled[name])


@pytest.fixture(scope="module")
def compiled(macros):
    return compile_models(macros, PAY_CHAIN)


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
