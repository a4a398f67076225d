"""Staff versions (int_staff_versions_historised) on hand-made assignment rows."""

from datetime import date

from tests.metrics.model_harness import compile_models, create_schemas, create_table, load_seed, materialise, query

ASSIGNMENT_COLUMNS = {
    "employee_key": "varchar", "assignment_key": "varchar", "organisation_code": "varchar",
    "effective_start_date": "date", "effective_end_date": "date", "assignment_category": "varchar",
    "is_primary_assignment": "boolean", "staff_group": "varchar", "payscale": "varchar",
    "contracted_wte": "decimal(5, 2)", "gender_code": "varchar", "age_band": "varchar", "ethnic_origin": "varchar",
    "ethnic_category_code": "varchar", "disability_code": "varchar", "religious_belief_code": "varchar",
    "sexual_orientation_code": "varchar", "email_key": "varchar", "board_membership": "varchar",
}


def version(start, end, ethnic_origin):
    return {"employee_key": "E1", "assignment_key": "E1-1", "organisation_code": "RBL", "effective_start_date": start,
            "effective_end_date": end, "assignment_category": "PERMANENT", "is_primary_assignment": True,
            "staff_group": "NURSING", "payscale": "XN05", "contracted_wte": 1, "gender_code": "FEMALE",
            "age_band": "30-34", "ethnic_origin": ethnic_origin, "ethnic_category_code": "A",
            "disability_code": "NO", "religious_belief_code": None, "sexual_orientation_code": None,
            "email_key": "m1", "board_membership": None}


def test_a_label_re_sent_in_another_case_is_not_a_new_version(db, macros):
    # Landing dates a re-sent row from what figures see (codes in any case are the same value): were
    # the case a new version, the versions of past months would change with no rebuild of them.
    create_schemas(db)
    load_seed(db, "ref_pay_grade")
    create_table(db, "staging.stg_esr__assignments", ASSIGNMENT_COLUMNS, [
        version(date(2021, 4, 1), date(2022, 3, 31), "A White - British"),
        version(date(2022, 4, 1), None, "a white - british"),
    ])
    sql = compile_models(macros, ["int_staff_versions_historised"])["int_staff_versions_historised"]
    materialise(db, "int_staff_versions_historised", sql)
    rows = query(db, "select valid_from, valid_to from intermediate.int_staff_versions_historised")
    assert rows == [{"valid_from": date(2021, 4, 1), "valid_to": date(9999, 12, 31)}]
