"""Hand-made inputs for the model chains of tests/metrics (see model_harness)."""

from tests.metrics.model_harness import create_from_contract, create_schemas, load_seed

SNAPSHOT = "2024-03-31"
PAY_CHAIN = ["dim_ethnicity", "dim_age_band", "dim_religion", "dim_sexual_orientation", "int_pay_gap_population",
             "int_pay_gap_group_member", "int_pay_gap_groups", "int_pay_gap_group_rates", "int_pay_gap_group_stats",
             "fct_pay_gap", "fct_pay_quartile"]


def load_pay_inputs(db, staff):
    """What the pay-gap chain reads, for one trust and one 31 March snapshot: staff is a list of
    (ESR ethnicity code, sex key 'F' / 'M', ordinary hourly pay, bonus paid in the 12 months or None),
    optionally followed by a dict of further characteristics (ESR values: 'disability' 'Y' / 'N' / None,
    'age_band', 'religion', 'sexual_orientation'; absent = not known). Everyone is band 5 and full-pay
    relevant, non-disabled unless told; ethnicity, age band, religion and sexual orientation come from
    the shipped seeds."""
    create_schemas(db)
    for seed in ("ref_ethnicity_map", "ref_age_band", "ref_religion_map", "ref_sexual_orientation_map"):
        load_seed(db, seed)
    create_from_contract(db, "dim_date", [{"date_key": SNAPSHOT, "fy_end": SNAPSHOT, "is_march_31_snapshot": True}])
    create_from_contract(db, "dim_pay_grade", [{
        "pay_grade_key": "XN05", "pay_scheme": "agenda_for_change", "afc_band": "5", "cluster": "C2",
        "is_workforce": True}])
    create_from_contract(db, "dim_sex", [{"sex_key": "F", "sex": "Female"}, {"sex_key": "M", "sex": "Male"}])
    create_from_contract(db, "dim_disability", [{"disability_key": "N", "disability_status": "Non-disabled"},
                                                {"disability_key": "Y", "disability_status": "Disabled"}])
    extra = [person[4] if len(person) > 4 else {} for person in staff]
    create_from_contract(db, "dim_staff", [
        {"staff_version_key": f"v{i}", "staff_key": f"s{i}", "organisation_code": "RXX",
         "ethnicity_key": code, "disability_key": extra[i].get("disability", "N"), "sex_key": sex,
         "age_band_key": extra[i].get("age_band"), "religion_key": extra[i].get("religion"),
         "sexual_orientation_key": extra[i].get("sexual_orientation")}
        for i, (code, sex, *_) in enumerate(staff)])
    create_from_contract(db, "fct_pay_snapshot", [
        {"staff_key": f"s{i}", "staff_version_key": f"v{i}", "organisation_code": "RXX", "pay_grade_key": "XN05",
         "is_full_pay_relevant": True, "ordinary_hourly_pay": rate, "bonus_pay_12m": bonus or 0,
         "received_bonus": bool(bonus), "date_key": SNAPSHOT}
        for i, (_, _, rate, bonus, *_) in enumerate(staff)])
