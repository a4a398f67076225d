"""Who is counted, end to end: hand-made raw rows for one trust go through the real dbt models, from
staging up, on a small DuckDB of their own (issue #10, items 2, 3 and 5).

The trust at 31 March 2024 (every number below is worked by hand from these ten people):

| person | ethnicity | contract                      | grade          | board                        | events in 2023/24 |
|--------|-----------|-------------------------------|----------------|------------------------------|-------------------|
| W1     | White     | permanent, 1.0 FTE            | band 5         |                              | 1 incident, 1 CPD |
| W2     | White     | permanent, 1.0 (leaves 06/24) | band 8c        |                              |                   |
| B1     | BME       | permanent, 1.0                | band 5         |                              | 1 incident        |
| B2     | BME       | bank only, 0 FTE              | band 3         |                              | 2 incidents       |
| B3     | BME       | permanent, 1.0, disabled      | band 2         |                              |                   |
| D1     | BME       | permanent, 1.0                | trust grade    |                              |                   |
| D2     | White     | permanent, 1.0                | specialty doc. |                              |                   |
| E1     | White     | permanent, 1.0                | VSM            | voting executive             |                   |
| N1     | BME       | office holder, 0 FTE          | NED            | voting non-executive         | 1 incident        |
| N2     | White     | office holder, 0.1, disabled  | NED            | voting non-executive         | 1 CPD             |

plus one incident naming an employee number ESR does not hold. The WRES/WDES workforce is the seven
substantive staff W1, W2, B1, B3, D1, D2, E1 (4 White, 3 BME, 1 Disabled); the voting board is E1,
N1 and N2.
"""

import datetime as dt
import os
import subprocess

import duckdb
import pytest

from orchestration.quality.contracts import load_contracts
from orchestration.quality.supersession import ensure_change_scope_table
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_SAVED_PARSE_ARGS

FY = dt.date(2024, 3, 31)
TRUST = "RBL"
MODELS = ("+fct_board_representation", "+fct_hia6_relative_likelihood", "+fct_workforce_composition",
          "+int_relative_likelihood_counts")
RAW_COLUMNS = ("_source_file", "VARCHAR"), ("_source_sha256", "VARCHAR"), ("_row_number", "BIGINT"), \
    ("_loaded_at", "TIMESTAMP")

ESR_DEFAULTS = {
    "organisation_code": TRUST, "effective_start_date": dt.date(2020, 4, 1), "effective_end_date": None,
    "assignment_status": "Active Assignment", "assignment_category": "Permanent", "primary_assignment": "Y",
    "staff_group": "Nursing and Midwifery Registered", "occupation_code": "N0A", "payscale": "XN05",
    "contracted_wte": 1.0, "gender": "Female", "date_of_birth": dt.date(1975, 6, 1), "ethnic_origin": "A",
    "disability": "No", "religious_belief": "Christianity", "sexual_orientation": "Heterosexual or Straight",
    "hire_date": dt.date(2020, 4, 1), "termination_date": None, "leaving_reason": None, "work_email": None,
    "board_membership": None,
}
ADMIN = "Administrative and Clerical"
MEDICAL = "Medical and Dental"
NED = {"staff_group": ADMIN, "occupation_code": "G2A", "payscale": "NED", "assignment_category": "Fixed Term Temp",
       "board_membership": "Voting Non-Executive"}
PEOPLE = {
    "W1": {},
    "W2": {"staff_group": ADMIN, "occupation_code": "G0A", "payscale": "XN08C", "effective_end_date": dt.date(2024, 6, 30),
           "termination_date": dt.date(2024, 6, 30), "leaving_reason": "Retirement Age"},
    "B1": {"ethnic_origin": "M"},
    "B2": {"ethnic_origin": "H", "assignment_category": "Bank", "payscale": "XN03", "contracted_wte": 0.0,
           "staff_group": "Additional Clinical Services", "occupation_code": "H1A"},
    "B3": {"ethnic_origin": "N", "disability": "Yes", "staff_group": "Estates and Ancillary", "occupation_code": "H5A",
           "payscale": "XN02"},
    "D1": {"ethnic_origin": "H", "staff_group": MEDICAL, "occupation_code": "810", "payscale": "MG01"},
    "D2": {"ethnic_origin": "C", "staff_group": MEDICAL, "occupation_code": "114", "payscale": "MS03"},
    "E1": {"staff_group": ADMIN, "occupation_code": "G2A", "payscale": "VSM", "board_membership": "Voting Executive"},
    "N1": {**NED, "ethnic_origin": "M", "contracted_wte": 0.0},
    "N2": {**NED, "ethnic_origin": "A", "contracted_wte": 0.1, "disability": "Yes"},
}
# (incident ref, employee number): physical assaults by patients in October 2023
INCIDENTS = [("INC1", "W1"), ("INC2", "B1"), ("INC3", "B2"), ("INC4", "B2"), ("INC5", "N1"), ("INC6", "NOBODY")]
CPD = ["W1", "N2"]


def esr_rows():
    return [{**ESR_DEFAULTS, "employee_number": f"E-{person}", "assignment_number": f"A-{person}-1", **overrides}
            for person, overrides in PEOPLE.items()]


def incident_rows():
    return [{
        "incident_ref": ref, "link_seq": 1, "organisation_code": TRUST, "incident_date": dt.date(2023, 10, 2),
        "incident_time": "10:00", "reported_date": dt.date(2023, 10, 2), "incident_type": "Incident affecting staff",
        "category": "Violence, aggression and abuse", "subcategory": "Physical assault to staff by patient",
        "harm": "No harm", "staff_employee_number": f"E-{person}", "perpetrator": "Patient",
        "discriminatory": "N", "police_informed": "N", "riddor": "N", "days_lost": 0, "approval_status": "FA",
    } for ref, person in INCIDENTS]


def training_rows():
    return [{"employee_number": f"E-{person}", "organisation_code": TRUST, "course_code": "CPD-LDR1",
             "course_title": "Leadership", "mandatory": "N", "completion_date": dt.date(2023, 11, 1),
             "delivery_method": "Face to Face"} for person in CPD]


def ods_rows():
    return [{"organisation_code": TRUST, "organisation_name": "HAND-MADE TEST TRUST", "national_grouping": "Y60",
             "open_date": dt.date(2000, 4, 1), "amended_record_indicator": "0"}]


def create_raw_tables(con):
    """Every raw table the contracts define (columns and types as landing writes them), empty."""
    con.execute("create schema raw")
    for contract in load_contracts().values():  # identifiers come from the validated contracts
        columns = [(c.name, c.landing_type) for c in contract.columns] + list(RAW_COLUMNS)
        con.execute(f"create table raw.{contract.table} ({', '.join(f'{n} {t}' for n, t in columns)})")
    ensure_change_scope_table(con)  # landing's record of what changed: empty, the build is a full one


def insert(con, table, rows):
    columns = sorted({c for row in rows for c in row})
    placeholders = ", ".join("?" for _ in columns)
    con.executemany(f"insert into raw.{table} ({', '.join(columns)}) values ({placeholders})",
                    [[row.get(c) for c in columns] for row in rows])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("populations")
    db_path = root / "handmade.duckdb"
    with duckdb.connect(str(db_path)) as con:
        create_raw_tables(con)
        insert(con, "esr_assignment", esr_rows())
        insert(con, "datix_incident", incident_rows())
        insert(con, "training_record", training_rows())
        insert(con, "ods_trust", ods_rows())
    subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", *MODELS, "--resource-type", "seed", "--resource-type", "model",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs"), "--quiet",
         *DBT_SAVED_PARSE_ARGS],
        check=True, env={**os.environ, "EDI_DUCKDB_PATH": str(db_path)},
    )
    with duckdb.connect(str(db_path), read_only=True) as con:
        yield con


def rows(con, sql, *params):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# Item 2: HIA6 counts incidents to the people its headcount counts -----------------------------------

def hia6(con, dimension):
    return {r["group_value"]: r for r in rows(con, """
        select group_value, incidents, staff_affected, headcount, incidents_per_1000
        from marts.fct_hia6_incident_rate
        where period_type = 'financial_year' and period_end = ? and group_dimension = ?
            and incident_type = 'physical_violence' and perpetrator = 'patient_public'""", FY, dimension)}


def test_hia6_group_rates_count_only_incidents_to_the_wres_population(warehouse):
    groups = hia6(warehouse, "ethnicity")
    # B1's one incident over B1, B3, D1; the bank worker's two and the NED's one are not BME workforce
    assert (groups["BME"]["incidents"], groups["BME"]["staff_affected"], groups["BME"]["headcount"]) == (1, 1, 3)
    assert groups["BME"]["incidents_per_1000"] == pytest.approx(1000 / 3)
    assert (groups["White"]["incidents"], groups["White"]["headcount"]) == (1, 4)


def test_hia6_keeps_incidents_outside_the_population_in_their_own_group(warehouse):
    for dimension in ("ethnicity", "disability", "sex", "all"):
        groups = hia6(warehouse, dimension)
        outside = groups["outside_population"]
        assert (outside["incidents"], outside["staff_affected"], outside["headcount"]) == (3, 2, None), dimension
        assert groups["unmatched"]["incidents"] == 1, dimension
        # every incident reported is in exactly one group of each dimension
        assert sum(g["incidents"] for g in groups.values()) == len(INCIDENTS), dimension


def test_hia6_all_row_is_the_population_rate(warehouse):
    (total,) = [g for name, g in hia6(warehouse, "all").items() if name == "all"]
    assert (total["incidents"], total["headcount"]) == (2, 7)


def test_hia6_relative_likelihood_compares_like_with_like(warehouse):
    (rl,) = rows(warehouse, """
        select numerator_events, numerator_base, denominator_events, denominator_base, rl_value
        from marts.fct_hia6_relative_likelihood
        where measure_id = 'rl_bme_vs_white_affected_by_incident' and fy_end = ?
            and breakdown_value = 'physical_violence|patient_public'""", FY)
    assert (rl["numerator_events"], rl["numerator_base"], rl["denominator_events"], rl["denominator_base"]) == \
        (1, 3, 1, 4)
    assert rl["rl_value"] == pytest.approx((1 / 3) / (1 / 4))


# Item 3: non-executive directors sit on the board, not in the workforce -----------------------------

def board(con, characteristic):
    return {r["board_role"]: r for r in rows(con, """
        select board_role, board_members, board_group_members, workforce_headcount, workforce_group_headcount,
            gap_pp
        from marts.fct_board_representation where fy_end = ? and characteristic = ?""", FY, characteristic)}


def test_a_zero_hours_non_executive_reaches_the_board_figures(warehouse):
    roles = board(warehouse, "ethnicity")
    assert (roles["voting"]["board_members"], roles["voting"]["board_group_members"]) == (3, 1)
    assert (roles["non_executive"]["board_members"], roles["non_executive"]["board_group_members"]) == (2, 1)
    assert (roles["executive"]["board_members"], roles["executive"]["board_group_members"]) == (1, 0)


def test_board_gaps_compare_with_a_workforce_without_non_executives(warehouse):
    ethnicity, disability = board(warehouse, "ethnicity"), board(warehouse, "disability")
    assert (ethnicity["voting"]["workforce_headcount"], ethnicity["voting"]["workforce_group_headcount"]) == (7, 3)
    assert ethnicity["voting"]["gap_pp"] == pytest.approx(100 / 3 - 300 / 7)       # WRES 9: -9.52 pp
    assert ethnicity["non_executive"]["gap_pp"] == pytest.approx(50 - 300 / 7)     # +7.14 pp
    assert disability["voting"]["gap_pp"] == pytest.approx(100 / 3 - 100 / 7)     # WDES 10: +19.05 pp


def test_non_executives_are_not_in_the_workforce_measures(warehouse):
    composition = rows(warehouse, """
        select breakdown_type, breakdown_value, headcount from marts.fct_workforce_composition
        where fy_end = ? and characteristic = 'ethnicity' and group_value = 'all'""", FY)
    assert {r["headcount"] for r in composition if r["breakdown_value"] == "all"} == {7}
    assert not [r for r in composition if "not_clustered" in r["breakdown_value"]]
    bases = {r["group_value"]: (r["events"], r["base"]) for r in rows(warehouse, """
        select group_value, events, base from intermediate.int_relative_likelihood_counts
        where fy_end = ? and measure_id = 'rl_white_vs_bme_accessing_nonmandatory_training'""", FY)}
    assert bases == {"White": (1, 4), "BME": (0, 3)}  # N2's CPD course is not a staff member's


def test_the_snapshot_holds_the_zero_hours_non_executive_flagged(warehouse):
    flagged = rows(warehouse, """
        select staff_key, fte, is_non_executive from marts.fct_workforce_snapshot
        where date_key = ? and (is_non_executive or fte = 0) order by staff_key""", FY)
    assert [(r["staff_key"], float(r["fte"]), r["is_non_executive"]) for r in flagged] == [
        ("E-B2", 0.0, False), ("E-N1", 0.0, True), ("E-N2", 0.1, True)]


# Item 5: WRES 1 by band as the national return lays it out ------------------------------------------

def composition(con, breakdown_type):
    return {(r["breakdown_value"], r["group_value"]): r for r in rows(con, """
        select breakdown_value, group_value, headcount, breakdown_headcount, trust_grade_headcount,
            flag_trust_grade_folded
        from marts.fct_workforce_composition
        where fy_end = ? and characteristic = 'ethnicity' and breakdown_type = ?""", FY, breakdown_type)}


def test_wres1_has_a_row_per_band_vsm_and_medical_subgroup(warehouse):
    bands = composition(warehouse, "band")
    assert {value for value, _ in bands} == {"2", "5", "8c", "VSM", "career_grade", "medical_other", "all"}
    assert (bands[("5", "BME")]["headcount"], bands[("5", "BME")]["breakdown_headcount"]) == (1, 2)
    assert bands[("medical_other", "BME")]["headcount"] == 1
    assert bands[("career_grade", "all")]["headcount"] == 1  # the specialty doctor alone


def test_wres1_bands_split_clinical_and_non_clinical(warehouse):
    values = {value for value, _ in composition(warehouse, "clinical_band")}
    assert values == {"clinical|5", "non_clinical|2", "non_clinical|8c", "non_clinical|VSM",
                      "medical|career_grade", "medical|medical_other", "all"}


def test_trust_grade_doctors_are_flagged_where_a_row_folds_them_in(warehouse):
    clusters, bands = composition(warehouse, "cluster"), composition(warehouse, "band")
    # cluster M2 (career grades) holds the trust-grade doctor: flagged; their own band row is not folded
    assert (clusters[("M2", "all")]["trust_grade_headcount"], clusters[("M2", "all")]["flag_trust_grade_folded"]) == \
        (1, True)
    assert (bands[("medical_other", "all")]["trust_grade_headcount"], bands[("medical_other", "all")]["flag_trust_grade_folded"]) \
        == (1, False)
    assert bands[("career_grade", "all")]["flag_trust_grade_folded"] is False
    assert clusters[("all", "all")]["flag_trust_grade_folded"] is False
