"""Rows that would fail staging or a mart are held at landing, each with its rule and reason:
plausibility bounds, numbers that overflow the staged type, codes that must exist in reference data
and be the file's own, stage dates in order across blank stages, counts within their totals."""

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.quality.contracts import ContractError, load_contracts
from orchestration.quality.landing import land_source
from tests.unit.contract_factory import column, make_contract

KEY = b"unit-test-key"
ODS_TRUST = [{"type": "foreignKey", "to": "ods_trust.organisation_code"}]
HEADER = "Code,Pay,Applied,Interviewed,Appointed,Respondents,Positive\n"


def plausibility_contract():
    return make_contract([
        column("code", "Code", required=True, pattern="^[A-Za-z0-9]{3,5}$", relationships=ODS_TRUST,
               oneValuePerFile=True),
        column("pay", "Pay", physicalType="DECIMAL(10,2)", minimum=0, maximum=500),
        column("applied", "Applied", physicalType="DATE", format="%d/%m/%Y"),
        column("interviewed", "Interviewed", physicalType="DATE", format="%d/%m/%Y", notBefore="applied"),
        column("appointed", "Appointed", physicalType="DATE", format="%d/%m/%Y", notBefore="interviewed"),
        column("respondents", "Respondents", pattern="^([0-9]+|-)$", castTo="INTEGER", nullValues=["-"],
               minimum=0, maximum=100000),
        column("positive", "Positive", pattern="^([0-9]+|-)$", castTo="INTEGER", nullValues=["-"],
               minimum=0, notGreaterThan="respondents"),
    ], max_ratio=0.9)


ROWS = HEADER + (
    "RBL,12.50,01/04/2022,02/05/2022,01/06/2022,100,50\n"      # 1 ok
    "rbl ,0,01/04/2022,,,-,-\n"                                # 2 ok: the file's code in lower case; suppressed
    "RBL,1000000000,01/04/2022,,,100,50\n"                     # 3 overflows DECIMAL(10,2)
    "RBL,750,01/04/2022,,,100,50\n"                            # 4 implausible hourly pay
    "XX9,12.50,01/04/2022,,,100,50\n"                          # 5 no such trust
    "RJ1,12.50,01/04/2022,,,100,50\n"                          # 6 a real trust, but not this file's
    "RBL,12.50,01/04/2022,,01/01/2022,100,50\n"                # 7 appointed before applying (interview blank)
    "RBL,12.50,01/04/2022,,,10,11\n"                           # 8 more positive answers than respondents
    "RBL,12.50,01/04/2022,,,99999999999,50\n"                  # 9 overflows INTEGER
    "RBL,12.50,01/04/2022,,,100001,50\n"                       # 10 implausible count
    "RBL,12.50,01/04/2022,,,-,7\n"                             # 11 ok: nothing to compare with
)


def land(tmp_path: Path, contract, text: str, name="x.csv"):
    path = tmp_path / "demo" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    con = duckdb.connect()
    load = land_source(con, contract, [path], key=KEY, run_id="run-1", loaded_at=datetime(2026, 1, 1),
                       label_root=tmp_path)
    return con, load


def test_each_impossible_row_is_held_with_its_rule(tmp_path):
    con, load = land(tmp_path, plausibility_contract(), ROWS)
    held = dict(con.execute("select _row_number, _rule from raw.demo__quarantine order by 1").fetchall())
    assert held == {
        3: "type:pay", 4: "maximum:pay", 5: "references:code", 6: "one_value_per_file:code",
        7: "not_before:appointed", 8: "not_greater_than:positive", 9: "type:respondents",
        10: "maximum:respondents",
    }
    assert (load.rows_read, load.rows_landed) == (11, 3)


def test_reasons_name_the_column_and_the_value(tmp_path):
    con, _ = land(tmp_path, plausibility_contract(), ROWS)
    reasons = dict(con.execute("select _row_number, _reason from raw.demo__quarantine").fetchall())
    assert reasons[3] == "pay is not a valid DECIMAL(10,2) (at most 8 digits before the decimal point) (value 1000000000)"
    assert reasons[4] == "pay is outside the maximum 500 (value 750)"
    assert reasons[5] == ("code is not a known ods_trust.organisation_code (value XX9); "
                          "code differs from RBL, the value on more than half of this file's rows (value XX9)")
    assert reasons[6] == "code differs from RBL, the value on more than half of this file's rows (value RJ1)"
    assert reasons[7] == "appointed is earlier than applied (01/01/2022 < 01/04/2022)"
    assert reasons[8] == "positive is greater than respondents (11 > 10)"
    assert reasons[9] == "respondents is not a valid INTEGER (value 99999999999)"


def test_landed_values_have_the_declared_types_and_keep_suppression_markers(tmp_path):
    con, _ = land(tmp_path, plausibility_contract(), ROWS)
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_schema = 'raw' and table_name = 'demo'").fetchall())
    assert types["pay"] == "DECIMAL(10,2)" and types["respondents"] == "VARCHAR"
    assert con.execute("select respondents, positive from raw.demo where _row_number = 2").fetchone() == ("-", "-")


def test_a_file_without_a_majority_value_is_held_whole(tmp_path):
    text = HEADER + "RBL,1,01/04/2022,,,-,-\nRJ1,1,01/04/2022,,,-,-\n"
    con, load = land(tmp_path, plausibility_contract(), text)
    assert load.quarantine_by_rule == {"one_value_per_file:code": 2}
    assert con.execute("select _reason from raw.demo__quarantine where _row_number = 2").fetchone()[0] == (
        "code: no value is on more than half of this file's rows (value RJ1)")


def test_each_file_has_its_own_value(tmp_path):
    contract = plausibility_contract()
    first = tmp_path / "demo" / "a.csv"
    first.parent.mkdir(parents=True)
    first.write_text(HEADER + "RBL,1,01/04/2022,,,-,-\nRBL,2,01/04/2022,,,-,-\n")
    second = tmp_path / "demo" / "b.csv"
    second.write_text(HEADER + "RJ1,1,01/04/2022,,,-,-\n")
    load = land_source(duckdb.connect(), contract, [first, second], key=KEY, run_id="r",
                       loaded_at=datetime(2026, 1, 1), label_root=tmp_path)
    assert (load.rows_landed, load.rows_quarantined) == (3, 0)


def test_composite_reference_to_a_dbt_seed(tmp_path):
    contract = make_contract(
        [column("survey_year", "Year", physicalType="INTEGER"), column("question_number", "Question")],
        relationships=[{"type": "foreignKey", "from": ["demo.survey_year", "demo.question_number"],
                        "to": ["ref_survey_question.survey_year", "ref_survey_question.question_number"]}],
    )
    con, load = land(tmp_path, contract, "Year,Question\n2021,q14a\n 2021 ,Q14A\n2019,q14a\n2021,q99\n2021, \n")
    assert dict(con.execute("select _row_number, _rule from raw.demo__quarantine").fetchall()) == {
        3: "references:survey_year+question_number", 4: "references:survey_year+question_number"}
    assert load.rows_landed == 3  # a blank part is no key to look up (required says whether it may be blank)
    assert con.execute("select _reason from raw.demo__quarantine where _row_number = 3").fetchone()[0] == (
        "survey_year+question_number is not a known ref_survey_question.survey_year+question_number"
        " (value 2019 / q14a)")


def test_order_is_checked_across_every_earlier_stage():
    trac = load_contracts()["trac_application"]
    assert trac.earlier_columns("appointed_date") == (
        "offer_date", "interview_date", "shortlisting_date", "application_date")
    assert plausibility_contract().larger_columns("positive") == ("respondents",)


@pytest.mark.parametrize("prop, message", [
    (column("n", castTo="VARCHAR"), "castTo"),
    (column("n", physicalType="INTEGER", castTo="INTEGER"), "castTo"),
    (column("n", castTo="INTEGER); drop table x; --"), "castTo 'INTEGER.*is not one of"),
    (column("n", nullValues=["-"]), "nullValues"),
    (column("n", minimum=0), "needs a typed column"),
    (column("n", physicalType="INTEGER", minimum="zero"), "not a number"),
    (column("n", physicalType="DATE", maximum="31/12/2020"), "not an ISO date"),
    (column("n", physicalType="DECIMAL(5,2)", maximum=1000), "does not fit DECIMAL"),
    (column("n", physicalType="INTEGER", maximum=2**40), "does not fit INTEGER"),
    (column("n", physicalType="INTEGER", notBefore="n"), "both columns must be dates|leads back"),
    (column("n", physicalType="INTEGER", notGreaterThan="nowhere"), "unknown column"),
    (column("n", relationships=[{"to": "ods_trust"}]), "must be <source>.<column>"),
    (column("n", relationships=[{"to": "ods_trust.organisation_code; --"}]), "must be <source>.<column>"),
    (column("n", relationships=[{"from": "demo.n", "to": "ods_trust.organisation_code"}]), "`to` only"),
    (column("n", pseudonymise=True, oneValuePerFile=True), "pseudonymised"),
    (column("n", pseudonymise=True, relationships=ODS_TRUST), "pseudonymised"),
])
def test_unsafe_or_meaningless_rules_are_rejected(prop, message):
    with pytest.raises(ContractError, match=message):
        make_contract([prop])


def test_orders_that_loop_back_are_rejected():
    with pytest.raises(ContractError, match="leads back"):
        make_contract([column("a", physicalType="DATE", notBefore="b"),
                       column("b", physicalType="DATE", notBefore="a")])
    with pytest.raises(ContractError, match="both columns must be numbers"):
        make_contract([column("a", physicalType="INTEGER", notGreaterThan="b"), column("b")])


def contract_document(name: str, relationships: list[dict]) -> dict:
    return {"apiVersion": "v3.1.0", "kind": "DataContract", "id": f"urn:test:{name}", "name": name,
            "version": "1", "servers": [{"server": "landing", "path": f"{name}/*.csv"}],
            "slaProperties": [{"property": "frequency", "value": 1, "unit": "d"}],
            "customProperties": [{"property": "sourceSystem", "value": "tests"}],
            "schema": [{"name": name, "properties": [{"name": "code", "relationships": relationships}]}]}


@pytest.mark.parametrize("target, message", [
    ("nowhere.code", "neither a bundled contract nor a dbt seed"),
    ("other.code", "other is not bundled reference data"),
    ("ref_survey_question.nothing", "ref_survey_question has no column nothing"),
])
def test_references_must_name_bundled_data_or_a_seed(tmp_path, target, message):
    (tmp_path / "demo.odcs.yaml").write_text(yaml.safe_dump(contract_document("demo", [{"to": target}])))
    (tmp_path / "other.odcs.yaml").write_text(yaml.safe_dump(contract_document("other", [])))
    with pytest.raises(ContractError, match=message):
        load_contracts(tmp_path)
