"""Runs a chain of the project's real models, compiled by dbt in one go, as DuckDB views over small
fixture tables standing in for their inputs (one schema per dbt layer, as in the warehouse)."""

import re

from orchestration.settings import DBT_PROJECT_DIR
from tests.metrics.model_harness import create_change_scope, ephemeral_as_table, full_build_sql

SPLIT = "-- <<next model>>"
RELATION = re.compile(r'(?:"[^"]+"\.)?"(reference|staging|intermediate|marts)"\."([a-z0-9_]+)"')

# The input relations the recruitment-cohort chains read, with the columns those models use.
INPUTS = {
    "reference.ref_spc_rebase": "organisation_code varchar, measure_id varchar, rebase_date date, reason varchar",
    "reference.ref_measure_target": (
        "organisation_code varchar, measure_id varchar, variant varchar, breakdown_type varchar, "
        "breakdown_value varchar, group_dimension varchar, group_value varchar, baseline_fy_end date, "
        "baseline_value double, target_fy_end date, target_value double, target_reduction_pct double, "
        "approved_by varchar, approved_date date"),
    "marts.dim_organisation": "trust_code varchar",
    "marts.dim_date": "date_key date, fy_end date",
    "marts.dim_ethnicity": "ethnicity_key varchar, wres_group varchar",
    "marts.dim_disability": "disability_key varchar, disability_status varchar",
    "marts.dim_staff": ("staff_version_key varchar, is_bank_only boolean, is_non_executive boolean, fte double, "
                        "ethnicity_key varchar, disability_key varchar"),
    "marts.dim_incident_type": "incident_type_key varchar, is_abuse_of_staff boolean",
    "marts.fct_staff_incident": ("organisation_code varchar, incident_month date, incident_type_key varchar, "
                                 "is_rejected boolean"),
    "marts.fct_er_case": ("case_reference varchar, organisation_code varchar, entry_date_key date, entry_fy_end date, "
                          "is_formal boolean, er_case_class varchar, staff_key varchar, staff_version_key varchar"),
    "marts.fct_training": ("training_key varchar, organisation_code varchar, staff_key varchar, staff_version_key varchar, "
                           "date_key date"),
    "marts.fct_recruitment_application": (
        "organisation_code varchar, application_date_key date, shortlisting_date_key date, "
        "shortlisting_fy_end date, is_shortlisted boolean, is_appointed boolean, ethnicity_key varchar, "
        "disability_key varchar"),
    "intermediate.int_workforce_month_headcount": (
        "organisation_code varchar, snapshot_date date, fy_end date, is_march_31_snapshot boolean, "
        "group_dimension varchar, group_value varchar, headcount bigint"),
    "intermediate.int_workforce_snapshot_classified": (
        "organisation_code varchar, snapshot_date date, fy_end date, is_march_31_snapshot boolean, "
        "in_wres_population boolean, staff_key varchar, cluster varchar, wres_group varchar, "
        "disability_status varchar"),
}


def compile_models(macros, names: list[str], dbt_vars: dict | None = None) -> dict[str, str]:
    """Each model's SQL compiled by dbt, its relations as schema.table."""
    files = [next((DBT_PROJECT_DIR / "models").rglob(f"{name}.sql")) for name in names]
    compiled = macros.render(f"\n{SPLIT}\n".join(full_build_sql(f.read_text()) for f in files), dbt_vars)
    return {name: ephemeral_as_table(RELATION.sub(lambda m: f"{m[1]}.{m[2]}", sql))
            for name, sql in zip(names, compiled.split(SPLIT))}


def create_inputs(db, rows: dict[str, list[tuple]]):
    """Every input relation of INPUTS (empty unless given rows), and the real ref_measure seed."""
    for schema in ("reference", "staging", "intermediate", "marts"):
        db.execute(f"create schema if not exists {schema}")
    create_change_scope(db)
    db.execute("create or replace table reference.ref_measure as select * from read_csv(?, header = true)",
               [str(DBT_PROJECT_DIR / "seeds" / "ref_measure.csv")])
    for relation, columns in INPUTS.items():
        db.execute(f"create or replace table {relation} ({columns})")
        if rows.get(relation):
            placeholders = ", ".join("?" * len(rows[relation][0]))
            db.executemany(f"insert into {relation} values ({placeholders})", rows[relation])


def create_views(db, compiled: dict[str, str]):
    """The models as views, in the given (dependency) order."""
    for name, sql in compiled.items():
        schema = "intermediate" if name.startswith("int_") else "marts"
        db.execute(f"create or replace view {schema}.{name} as {sql}")


def select(db, sql: str, params: list | None = None) -> list[dict]:
    cursor = db.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
