"""metrics-spec Appendix A1 (relative likelihood), run through the real `relative_likelihood` macro and
the real two-year window logic of fct_relative_likelihood (§2, §3.1), plus the ref_measure rule that
fixes adverse_side (§2)."""

import csv
import math
import re
from datetime import date, timedelta

import pytest

from orchestration.settings import DBT_PROJECT_DIR
from tests.metrics import model_chain

TOL = 1e-4
NONE, SPANS, SMALL_SPANS, ZERO_SPANS = set(), {"spans"}, {"small", "spans"}, {"zero", "spans"}

# Appendix A1, verbatim: id, a, n1, c, n0, rl_value, rl_corrected, ci_lower, ci_upper, flags
A1 = [
    ("TV-W2", 100, 400, 75, 500, 1.6667, 1.6667, 1.2736, 2.1810, NONE),
    ("TV-W3 pooled", 20, 1800, 31, 6200, 2.2222, 2.2222, 1.2698, 3.8892, NONE),
    ("TV-W3 previous", 8, 800, 16, 3200, 2.0000, 2.0000, 0.8590, 4.6567, SPANS),
    ("TV-W3 current", 12, 1000, 15, 3000, 2.4000, 2.4000, 1.1272, 5.1100, NONE),
    ("TV-W4", 1200, 3000, 350, 1000, 1.1429, 1.1429, 1.0391, 1.2570, NONE),
    ("TV-D2", 180, 900, 16, 100, 1.2500, 1.2500, 0.7830, 1.9954, SPANS),
    ("TV-D3", 3, 200, 20, 4000, 3.0000, 3.0000, 0.8989, 10.0120, SMALL_SPANS),
    ("TV-RL-Z", 0, 100, 12, 4000, 0.0000, 1.5846, 0.0945, 26.5797, ZERO_SPANS),
    ("TV-H1", 18, 1200, 30, 3000, 1.5000, 1.5000, 0.8394, 2.6804, SPANS),
    ("TV-REAL-WL", 117, 389, 2, 10, 1.5039, 1.5039, 0.4314, 5.2429, SMALL_SPANS),
    ("TV-REAL-KMPT", 9, 750, 17, 2429, 1.7146, 1.7146, 0.7675, 3.8305, SPANS),
]
FLAG_COLUMNS = ("flag_small_count", "flag_zero_cell", "flag_ci_spans_parity", "flag_volatile")
OUTPUTS = ("rl_value", "rl_corrected", "ci_lower", "ci_upper", *FLAG_COLUMNS)


def expected_flags(flags: set[str]) -> tuple[bool, bool, bool, bool]:
    return "small" in flags, "zero" in flags, "spans" in flags, bool(flags)


def close(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return math.isclose(actual, expected, abs_tol=TOL)


MODEL = DBT_PROJECT_DIR / "models/marts/relative_likelihood/fct_relative_likelihood.sql"
SPLIT = "-- <<split>>"


@pytest.fixture(scope="module")
def compiled(macros) -> tuple[str, str]:
    """The macro over a table of vectors, and fct_relative_likelihood: one dbt compile for both."""
    macro_sql = "select id, {{ relative_likelihood('a', 'n1', 'c', 'n0') }} from vectors order by id"
    rl_sql, model_sql = macros.render(f"{macro_sql}\n{SPLIT}\n{MODEL.read_text()}").split(SPLIT)
    return rl_sql, model_sql


@pytest.fixture(scope="module")
def rl_sql(compiled) -> str:
    return compiled[0]


def run_macro(db, rl_sql, rows) -> dict[str, dict]:
    db.execute("create or replace table vectors (id varchar, a double, n1 double, c double, n0 double)")
    db.executemany("insert into vectors values (?, ?, ?, ?, ?)", rows)
    return {r[0]: dict(zip(OUTPUTS, r[1:])) for r in db.execute(rl_sql).fetchall()}


def test_every_a1_vector_through_the_macro(db, rl_sql):
    got = run_macro(db, rl_sql, [row[:5] for row in A1])
    for vid, _, _, _, _, rl_value, rl_corrected, lower, upper, flags in A1:
        out = got[vid]
        for name, expected in (("rl_value", rl_value), ("rl_corrected", rl_corrected),
                               ("ci_lower", lower), ("ci_upper", upper)):
            assert close(out[name], expected), f"{vid} {name}: {out[name]} != {expected}"
        assert tuple(out[f] for f in FLAG_COLUMNS) == expected_flags(flags), f"{vid} flags: {out}"


def test_published_rates_only_christie(db, rl_sql):
    """TV-REAL-CHR: rates only, White 46.99% vs BME 14.65% -> 3.2075, published to 1 dp as 3.2."""
    out = run_macro(db, rl_sql, [("TV-REAL-CHR", 4699, 10000, 1465, 10000)])["TV-REAL-CHR"]
    assert close(out["rl_value"], 3.2075)
    assert round(out["rl_value"], 1) == 3.2


def test_mean_of_annual_rl_from_the_annual_vectors(db, rl_sql):
    """TV-W3 mean_of_annual_rl = mean of the previous and current annual RLs = 2.2000 (differs from pooled)."""
    got = run_macro(db, rl_sql, [row[:5] for row in A1 if row[0].startswith("TV-W3")])
    mean = (got["TV-W3 previous"]["rl_value"] + got["TV-W3 current"]["rl_value"]) / 2
    assert close(mean, 2.2000)
    assert not close(mean, got["TV-W3 pooled"]["rl_value"])


def test_zero_cells(db, rl_sql):
    got = run_macro(db, rl_sql, [("both_zero", 0, 100, 0, 4000), ("c_zero", 5, 100, 0, 4000)])
    both = got["both_zero"]
    assert [both[k] for k in ("rl_value", "rl_corrected", "ci_lower", "ci_upper")] == [None] * 4
    assert tuple(both[f] for f in FLAG_COLUMNS) == (False, True, False, True)
    c_zero = got["c_zero"]
    assert c_zero["rl_value"] is None  # published uncorrected: undefined when c = 0
    assert close(c_zero["rl_corrected"], (5.5 / 101) / (0.5 / 4001))
    assert c_zero["ci_lower"] < c_zero["rl_corrected"] < c_zero["ci_upper"]
    assert (c_zero["flag_small_count"], c_zero["flag_zero_cell"], c_zero["flag_volatile"]) == (True, True, True)


# --- The two-year window of fct_relative_likelihood (§3.1), on TV-W3 --------------------------------
DISCIPLINARY = "rl_bme_vs_white_entering_formal_disciplinary"
RELATION = re.compile(r'(?:"[^"]+"\.)?"(reference|intermediate)"\."([a-z_]+)"')


def window_rows(db, model_sql: str) -> dict[tuple[str, str], dict]:
    """fct_relative_likelihood's compiled SQL over the real ref_measure seed and TV-W3's annual counts
    (previous year 2022/23, current year 2023/24)."""
    sql = RELATION.sub(lambda m: f"{m.group(1)}.{m.group(2)}", model_sql)
    db.execute("create schema if not exists reference")
    db.execute("create schema if not exists intermediate")
    db.execute("create or replace table reference.ref_measure as select * from read_csv(?, header = true, all_varchar = true)",
               [str(DBT_PROJECT_DIR / "seeds" / "ref_measure.csv")])
    db.execute("create or replace table intermediate.int_relative_likelihood_counts (organisation_code varchar,"
               " fy_end date, measure_id varchar, group_dimension varchar, group_value varchar, events bigint, base bigint,"
               " flag_immature_cohorts_excluded boolean)")
    counts = [("2023-03-31", "BME", 8, 800), ("2023-03-31", "White", 16, 3200),
              ("2024-03-31", "BME", 12, 1000), ("2024-03-31", "White", 15, 3000)]
    db.executemany("insert into intermediate.int_relative_likelihood_counts values ('RXX', ?, ?, 'ethnicity', ?, ?, ?, false)",
                   [(fy, DISCIPLINARY, group, events, base) for fy, group, events, base in counts])
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return {(str(r["fy_end"]), r["window_method"]): r for r in (dict(zip(names, row)) for row in cursor.fetchall())}


def test_two_year_windows_reproduce_tv_w3(db, compiled):
    rows = window_rows(db, compiled[1])
    assert set(rows) == {(fy, w) for fy in ("2023-03-31", "2024-03-31")
                         for w in ("single_year", "pooled", "mean_of_annual_rl")}
    pooled, mean, single = (rows[("2024-03-31", w)] for w in ("pooled", "mean_of_annual_rl", "single_year"))
    assert (pooled["numerator_events"], pooled["numerator_base"], pooled["denominator_events"],
            pooled["denominator_base"]) == (20, 1800, 31, 6200)
    for name, expected in (("rl_value", 2.2222), ("rl_corrected", 2.2222), ("ci_lower", 1.2698), ("ci_upper", 3.8892)):
        assert close(pooled[name], expected), f"pooled {name}: {pooled[name]}"
    assert close(mean["rl_value"], 2.2000)
    assert (mean["rl_corrected"], mean["ci_lower"], mean["ci_upper"]) == (None, None, None)
    for name, expected in (("rl_value", 2.4000), ("ci_lower", 1.1272), ("ci_upper", 5.1100)):
        assert close(single[name], expected), f"single_year {name}: {single[name]}"
    assert not any(rows[("2024-03-31", w)]["flag_window_incomplete"] for w in ("pooled", "mean_of_annual_rl"))
    # The first year has no previous one: single-year values, flagged.
    for window in ("pooled", "mean_of_annual_rl"):
        first = rows[("2023-03-31", window)]
        assert first["flag_window_incomplete"] and close(first["rl_value"], 2.0000), first
        assert close(first["ci_lower"], 0.8590) and first["flag_ci_spans_parity"], first
    # The catalogue orients the ratio and names both groups.
    assert (pooled["numerator_group"], pooled["denominator_group"], pooled["adverse_side"]) == ("BME", "White", "above_1")
    # pooled is the default headline (var wres_ind3_window_method).
    assert [w for (fy, w), r in rows.items() if fy == "2024-03-31" and r["is_headline"]] == ["pooled"]


def test_headline_window_follows_the_var(db, macros):
    rows = window_rows(db, macros.render(MODEL.read_text(), {"wres_ind3_window_method": "mean_of_annual_rl"}))
    assert [w for (fy, w), r in rows.items() if fy == "2024-03-31" and r["is_headline"]] == ["mean_of_annual_rl"]


# --- ref_measure: adverse_side follows from orientation and polarity (§2) ---------------------------
def rl_measures() -> list[dict]:
    with open(DBT_PROJECT_DIR / "seeds" / "ref_measure.csv", newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["measure_kind"] == "relative_likelihood"]


def test_adverse_side_is_above_1_exactly_when_reference_on_top_matches_favourable_event():
    measures = rl_measures()
    assert len(measures) >= 5
    for m in measures:
        numerator_is_reference = m["numerator_group"] != m["protected_group"]
        favourable = m["event_polarity"] == "favourable"
        assert m["event_polarity"] in ("favourable", "unfavourable"), m["measure_id"]
        assert m["protected_group"] in (m["numerator_group"], m["denominator_group"]), m["measure_id"]
        expected = "above_1" if numerator_is_reference == favourable else "below_1"
        assert m["adverse_side"] == expected, f"{m['measure_id']}: adverse_side {m['adverse_side']} != {expected}"


def test_the_five_national_rls_come_out_above_1():
    national = {"rl_white_vs_bme_appointed_from_shortlisting", "rl_bme_vs_white_entering_formal_disciplinary",
                "rl_white_vs_bme_accessing_nonmandatory_training", "rl_nondisabled_vs_disabled_appointed_from_shortlisting",
                "rl_disabled_vs_nondisabled_entering_formal_capability_performance"}
    sides = {m["measure_id"]: m["adverse_side"] for m in rl_measures() if m["measure_id"] in national}
    assert sides == dict.fromkeys(national, "above_1")


# --- WRES 2 / WDES 2: immature shortlisting cohorts are left out (recruitment_follow_up_days) -------
# int_recruitment_cohorts_matured -> int_relative_likelihood_counts -> fct_relative_likelihood ->
# int_edi_measure__relative_likelihood. White applicants are non-disabled and BME applicants disabled,
# so WRES 2 (White vs BME) and WDES 2 (non-disabled vs disabled) see the same counts:
#   2023/24, March 2024 cohort:           White 4 of 10 appointed, BME 2 of 10
#   2024/25, each month April-November:   White 4 of 10,           BME 2 of 10   (8 months)
#   2024/25, each month December-March:   White 0 of 10,           BME 0 of 20   (no appointments yet)
# The latest date in the extract is 31 March 2025; with 120 days of follow-up a cohort must have ended
# by 1 December 2024. December-March are immature and left out of 2024/25:
#   White 32 / 80 = 0.4, BME 16 / 80 = 0.2 -> RL 2.0, flagged.
# Counted in, the empty late cohorts (more BME than White) would give (32/120) / (16/160) = 2.6667.
RL_CHAIN = ["int_recruitment_cohorts_matured", "int_relative_likelihood_counts", "fct_relative_likelihood",
            "int_edi_measure__relative_likelihood"]
APPOINTMENT_RLS = ("rl_white_vs_bme_appointed_from_shortlisting", "rl_nondisabled_vs_disabled_appointed_from_shortlisting")


def cohort(month_end: date, group: str, shortlisted: int, appointed: int) -> list[tuple]:
    """fct_recruitment_application rows of one monthly cohort, shortlisted on the 15th."""
    ethnicity, disability = ("A", "N") if group == "White" else ("M", "Y")
    fy_end = date(month_end.year + (month_end.month > 3), 3, 31)
    day = month_end.replace(day=15)
    return [("RXX", day.replace(day=1), day, fy_end, True, i < appointed, ethnicity, disability)
            for i in range(shortlisted)]


def late_cohort_applications() -> list[tuple]:
    mature = [date(2024, 3, 31)] + [date(2024, m + 1, 1) - timedelta(days=1) for m in range(4, 12)]
    immature = [date(2024, 12, 31), date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    rows = [r for d in mature for r in cohort(d, "White", 10, 4) + cohort(d, "BME", 10, 2)]
    rows += [r for d in immature for r in cohort(d, "White", 10, 0) + cohort(d, "BME", 20, 0)]
    # The latest date in the extract: an application received on 31 March 2025, not yet shortlisted.
    return rows + [("RXX", date(2025, 3, 31), None, None, False, False, "A", "N")]


def test_wres2_wdes2_leave_out_cohorts_still_inside_the_follow_up_window(db, macros):
    model_chain.create_inputs(db, {
        "marts.dim_organisation": [("RXX",)],
        "marts.dim_ethnicity": [("A", "White"), ("M", "BME")],
        "marts.dim_disability": [("N", "Non-disabled"), ("Y", "Disabled")],
        "marts.fct_recruitment_application": late_cohort_applications(),
    })
    model_chain.create_views(db, model_chain.compile_models(macros, RL_CHAIN))
    rows = {(str(r["fy_end"]), r["measure_id"]): r for r in model_chain.select(
        db, "select * from marts.fct_relative_likelihood where window_method = 'single_year'")}
    for measure_id in APPOINTMENT_RLS:
        latest, previous = rows[("2025-03-31", measure_id)], rows[("2024-03-31", measure_id)]
        assert close(latest["rl_value"], 2.0), f"{measure_id}: {latest['rl_value']}"
        assert (latest["numerator_events"], latest["numerator_base"],
                latest["denominator_events"], latest["denominator_base"]) == (32, 80, 16, 80)
        assert latest["flag_immature_cohorts_excluded"] is True
        # 2023/24 ended long before the window: counted whole, not flagged.
        assert (previous["numerator_events"], previous["numerator_base"]) == (4, 10)
        assert close(previous["rl_value"], 2.0) and previous["flag_immature_cohorts_excluded"] is False
    # The staff-based RLs have no cohorts to mature.
    assert not any(r["flag_immature_cohorts_excluded"] for (_, m), r in rows.items() if m not in APPOINTMENT_RLS)
    # BI users see the partial year through flag_window_incomplete of the long measure table.
    long = model_chain.select(db, "select period_end, measure_id, flag_window_incomplete "
                                  "from intermediate.int_edi_measure__relative_likelihood")
    assert {(str(r["period_end"]), r["measure_id"]) for r in long if r["flag_window_incomplete"]} == {
        ("2025-03-31", m) for m in APPOINTMENT_RLS}


@pytest.mark.parametrize("days", [-30, "ninety"])
def test_follow_up_window_must_be_a_whole_number_of_days(macros, days):
    with pytest.raises(AssertionError, match="recruitment_follow_up_days must be a whole number of days"):
        model_chain.compile_models(macros, ["int_recruitment_cohorts_matured"], {"recruitment_follow_up_days": days})
