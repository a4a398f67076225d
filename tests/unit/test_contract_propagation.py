"""A contract change reaches all three consumers: the landing reader, the GX suite and dbt sources."""

import copy
from datetime import datetime
from pathlib import Path

import duckdb
import yaml

from orchestration.quality.contracts import load_contracts, parse_contract
from orchestration.quality.dbt_sources import SOURCES_FILE, render_sources
from orchestration.quality.expectations import expectation_specs
from orchestration.quality.landing import land_source

ICB_CONTRACT = Path(__file__).resolve().parents[2] / "data_contracts" / "ods_icb.odcs.yaml"


def test_committed_dbt_sources_match_the_contracts():
    assert SOURCES_FILE.read_text(encoding="utf-8") == render_sources(load_contracts()), (
        "dbt sources are stale: run `edi contracts sync`"
    )


def changed_icb_contract():
    document = yaml.safe_load(ICB_CONTRACT.read_text(encoding="utf-8"))
    changed = copy.deepcopy(document)
    changed["version"] = "2.0.0"
    changed["schema"][0]["properties"].append({
        "name": "icb_status", "physicalName": "Status", "logicalType": "string",
        "physicalType": "VARCHAR", "required": True, "classification": "public",
        "description": "Whether the ICB is operating.",
        "quality": [{"type": "library", "metric": "invalidValues",
                     "arguments": {"validValues": ["OPEN", "CLOSED"]}}],
    })
    object_id = next(p for p in changed["schema"][0]["properties"] if p["name"] == "object_id")
    object_id["physicalType"] = "BIGINT"
    return parse_contract(document), parse_contract(changed)


def test_a_new_column_and_a_new_type_reach_landing(tmp_path):
    _, changed = changed_icb_contract()
    path = tmp_path / "icb.csv"
    path.write_text("ICB24CD,ICB24CDH,ICB24NM,ObjectId,Status\n"
                    "E54000008,QYG,Cheshire,1,open\nE54000010,QNC,Staffs,2,gone\n")
    con = duckdb.connect()
    load = land_source(con, changed, [path], key=b"k", run_id="r", loaded_at=datetime(2026, 1, 1))
    assert (load.rows_landed, load.rows_quarantined, load.contract_version) == (1, 1, "2.0.0")
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_name = 'ods_icb'").fetchall())
    assert types["icb_status"] == "VARCHAR" and types["object_id"] == "BIGINT"
    assert con.execute("select _rule from raw.ods_icb__quarantine").fetchone()[0] == "valid_values:icb_status"


def test_a_new_column_reaches_the_expectation_suite():
    original, changed = changed_icb_contract()
    before = {(s.kind, s.column) for s in expectation_specs(original)}
    after = {(s.kind, s.column) for s in expectation_specs(changed)}
    assert after - before == {("ExpectColumnValuesToNotBeNull", "icb_status"),
                              ("ExpectColumnValuesToBeInSet", "icb_status")}


def test_a_new_column_and_type_reach_dbt_sources():
    original, changed = changed_icb_contract()
    table = yaml.safe_load(render_sources({"ods_icb": changed}))["sources"][0]["tables"][0]
    columns = {c["name"]: c for c in table["columns"]}
    assert columns["icb_status"]["description"] == "Whether the ICB is operating."
    assert columns["object_id"]["data_type"] == "bigint"
    assert table["meta"]["contract_version"] == "2.0.0"
    assert "icb_status" not in render_sources({"ods_icb": original})
