"""What landing accepts, the warehouse can hold: staging casts every landed column to the type landing
checked it against, and every date a fact keys to dim_date is bounded by the contract to dim_date's range.
A landed row can then never fail a staging cast or a date relationship test."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from orchestration.quality.contracts import Column, load_contracts
from orchestration.settings import DBT_PROJECT_DIR

CONTRACTS = load_contracts()
STAGING = sorted((DBT_PROJECT_DIR / "models" / "staging").rglob("stg_*.sql"))
SOURCE = re.compile(r"source\('raw',\s*'(\w+)'\)")
CAST = re.compile(r"\bcast\((.+?) as (\w+(?:\(\s*\d+\s*,\s*\d+\s*\))?)\)", re.IGNORECASE)
MACRO_CAST = re.compile(r"contract_cast\('(\w+)',\s*'(\w+)'")
ALIAS = re.compile(r"^\s*(.+?)\s+as\s+(\w+),?\s*$", re.IGNORECASE | re.MULTILINE)
WORD = re.compile(r"\b[a-z_][a-z0-9_]*\b")


def normalised(sql_type: str) -> str:
    text = sql_type.lower().replace(" ", "")
    return {"int": "integer", "string": "varchar"}.get(text, text)


def contract_type(col: Column) -> str:
    return normalised(col.cast_to or col.landing_type)


def columns_behind(expression: str, names: set[str], aliases: dict[str, str]) -> set[str]:
    """The contract columns an expression reads, directly or through an alias staging gave them."""
    words = set(WORD.findall(expression.lower()))
    return {aliases.get(w, w) for w in words if w in names or w in aliases}


def staging_casts(sql: str) -> list[tuple[str, str, str]]:
    """(contract, column, type) for every hand-written cast of a raw contract column in a model."""
    sources = SOURCE.findall(sql)
    if len(sources) != 1 or sources[0] not in CONTRACTS:
        return []
    contract = CONTRACTS[sources[0]]
    names = {c.name for c in contract.columns}
    aliases = {}
    for expression, alias in ALIAS.findall(sql):
        behind = {w for w in WORD.findall(expression.lower()) if w in names}
        if len(behind) == 1 and alias not in names:
            aliases[alias] = behind.pop()
    return [(contract.name, column, sql_type)
            for expression, sql_type in CAST.findall(sql)
            for column in columns_behind(expression, names, aliases)]


# Casts that cannot fail whatever the value: a timestamp's date.
SAFE_CASTS = {("timestamp", "date")}


@pytest.mark.parametrize("path", STAGING, ids=lambda p: p.stem)
def test_staging_casts_a_landed_column_only_to_its_contract_type(path):
    for source, column, sql_type in staging_casts(path.read_text(encoding="utf-8")):
        expected = contract_type(CONTRACTS[source].column(column))
        assert normalised(sql_type) == expected or (expected, normalised(sql_type)) in SAFE_CASTS, (
            f"{path.name} casts {source}.{column} to {sql_type}, but landing checked it against "
            f"{expected}: use contract_cast('{source}', '{column}') or change the contract")


@pytest.mark.parametrize("path", STAGING, ids=lambda p: p.stem)
def test_contract_casts_name_the_models_own_source_and_a_column_it_has(path):
    sql = path.read_text(encoding="utf-8")
    for source, column in MACRO_CAST.findall(sql):
        assert SOURCE.findall(sql) == [source], path.name
        CONTRACTS[source].column(column)


@pytest.mark.parametrize("source, column, sql_type", [
    ("esr_pay", "ordinary_hourly_pay", "decimal(8, 2)"),
    ("staff_survey_result", "respondents", "bigint"),
])
def test_the_guard_sees_a_hand_written_cast_through_an_alias(source, column, sql_type):
    sql = (f"with source as (select * from {{{{ source('raw', '{source}') }}}})\n"
           f"select nullif(trim({column}), '') as {column}_text,\n"
           f"cast(nullif({column}_text, '-') as {sql_type}) as n from source")
    assert staging_casts(sql) == [(source, column, sql_type)]
    assert normalised(sql_type) != contract_type(CONTRACTS[source].column(column))


# ---------------------------------------------------------------------------------------------
# Dates keyed to dim_date

DIM_DATE_SQL = DBT_PROJECT_DIR / "models" / "marts" / "core" / "dim_date.sql"
# Every relationships test to dim_date, and the landed date columns its key comes from. Keys built from
# dim_date itself (month ends, financial-year ends), from a seed, or from the facts' own keys come from
# no landed column.
DIM_DATE_KEYS = {
    ("fct_er_case", "formal_start_date_key"): [("er_case", "formal_stage_start_date")],
    ("fct_er_case", "opened_date_key"): [("er_case", "date_opened")],
    ("fct_er_case", "entry_date_key"): [("er_case", "formal_stage_start_date"), ("er_case", "date_opened")],
    ("fct_er_case", "closed_date_key"): [("er_case", "date_closed")],
    ("fct_arcp_outcome", "review_date_key"): [("arcp_outcome", "review_date")],
    ("fct_exam_attempt", "exam_date_key"): [("exam_attempt", "exam_date")],
    ("fct_identity_match_rate", "fy_end"): [],
    ("fct_pay_snapshot", "date_key"): [("esr_pay", "snapshot_date")],
    **{("fct_recruitment_application", f"{stage}_date_key"): [("trac_application", f"{stage}_date")]
       for stage in ("application", "shortlisting", "interview", "offer", "appointed", "withdrawn")},
    ("fct_recruitment_application", "shortlisting_fy_end"): [],
    ("fct_staff_incident", "incident_date_key"): [("datix_incident", "incident_date")],
    ("fct_staff_incident", "reported_date_key"): [("datix_incident", "reported_date")],
    ("fct_staff_survey_result", "fy_end"): [],  # from seed ref_survey_question, checked below
    ("fct_training", "date_key"): [("training_record", "completion_date")],
    ("fct_workforce_snapshot", "date_key"): [],
    # measures over the facts above
    ("fct_hia6_incident_rate", "fy_end"): [],
    ("fct_pay_gap", "snapshot_date"): [],
    ("fct_relative_likelihood", "fy_end"): [],
    ("fct_survey_indicator", "fy_end"): [],
}


def dim_date_range() -> tuple[date, date]:
    sql = DIM_DATE_SQL.read_text(encoding="utf-8")
    first = re.search(r"\"cast\('(\d{4}-\d{2}-\d{2})' as date\)\"", sql).group(1)
    last = re.search(r"date_key <= cast\('(\d{4}-\d{2}-\d{2})' as date\)", sql).group(1)
    return date.fromisoformat(first), date.fromisoformat(last)


def relationships_to_dim_date() -> set[tuple[str, str]]:
    found = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            for col in model.get("columns", []):
                for test in col.get("data_tests", []):
                    relation = test.get("relationships") if isinstance(test, dict) else None
                    if relation and "dim_date" in (relation.get("arguments") or relation).get("to", ""):
                        found.add((model["name"], col["name"]))
    return found


def test_every_key_to_dim_date_is_traced_to_its_landed_dates():
    assert relationships_to_dim_date() == set(DIM_DATE_KEYS)


@pytest.mark.parametrize("source, column", sorted({sc for scs in DIM_DATE_KEYS.values() for sc in scs}))
def test_dates_keyed_to_dim_date_are_bounded_to_its_range(source, column):
    first, last = dim_date_range()
    col = CONTRACTS[source].column(column)
    assert col.minimum is not None and date.fromisoformat(col.minimum) >= first, (source, column, col.minimum)
    assert col.maximum == "today" and date.today() <= last or (
        col.maximum not in (None, "today") and date.fromisoformat(col.maximum) <= last), (source, column)


def test_survey_years_land_only_for_financial_years_in_dim_date():
    first, last = dim_date_range()
    year = CONTRACTS["staff_survey_result"].column("survey_year")
    assert date(year.minimum + 1, 3, 31) >= first and date(year.maximum + 1, 3, 31) <= last
    with open(DBT_PROJECT_DIR / "seeds" / "ref_survey_question.csv", encoding="utf-8", newline="") as handle:
        seeded = {date.fromisoformat(r["fy_end"]) for r in csv.DictReader(handle)}
    assert all(first <= d <= last for d in seeded)
