"""Samples of failing rows keep identifiers, codes and counts, never other attributes."""

import json
from types import SimpleNamespace

import duckdb
from dagster import AssetCheckResult

from orchestration.quality.failing_samples import (
    SAMPLE_KEY,
    SAMPLE_ROWS,
    dbt_failure_samples,
    safe_rows,
    with_failing_samples,
)
from orchestration.quality.row_accounting import AccountingResult
from orchestration.quality.source_assets import offending_files


def test_only_key_code_and_count_columns_are_kept():
    rows = safe_rows(["staff_key", "ethnic_category_code", "date_of_birth", "unique_field", "n_records"],
                     [("k1", "A", "1980-01-01", "k1", 2)])
    assert rows == [{"staff_key": "k1", "ethnic_category_code": "A", "unique_field": "k1", "n_records": 2}]


def test_a_failed_dbt_test_is_sampled_from_its_compiled_query(tmp_path):
    db = tmp_path / "candidate.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table s as select 'k' || range as staff_key, 'Z' as sex_code, "
                    "date '1980-01-01' as date_of_birth from range(20)")
    run_results = {"results": [
        {"unique_id": "test.p.bad_sex", "status": "fail",
         "compiled_code": "select * from s where sex_code not in ('F', 'M')\n-- a trailing comment"},
        {"unique_id": "test.p.broken", "status": "error", "compiled_code": "select 1",
         "message": "Binder Error: column x not found\nmore detail"},
        {"unique_id": "test.p.not_asked", "status": "fail", "compiled_code": "select 1"},
        {"unique_id": "test.p.bad_sql", "status": "fail", "compiled_code": "select nope from s"},
    ]}
    samples = dbt_failure_samples(run_results, {"test.p.bad_sex", "test.p.broken", "test.p.bad_sql"}, db)
    assert set(samples) == {"test.p.bad_sex", "test.p.broken", "test.p.bad_sql"}
    assert len(samples["test.p.bad_sex"]) == SAMPLE_ROWS
    assert all(set(row) == {"staff_key", "sex_code"} for row in samples["test.p.bad_sex"])
    assert samples["test.p.broken"] == [{"error": "Binder Error: column x not found"}]
    assert "nope" in samples["test.p.bad_sql"][0]["error"]


def test_row_accounting_sample_names_the_offending_files():
    result = AccountingResult(False, "", 0.2, files=[
        {"file": "ok.csv", "read": 100, "landed": 99, "quarantined": 1},
        {"file": "lost_rows.csv", "read": 100, "landed": 90, "quarantined": 5},
        {"file": "too_many_quarantined.csv", "read": 100, "landed": 70, "quarantined": 30},
    ])
    names = [f["file"] for f in offending_files(result, SimpleNamespace(max_quarantine_ratio=0.05))]
    assert names == ["lost_rows.csv", "too_many_quarantined.csv"]


def test_failed_dbt_check_results_get_their_sample_as_metadata(tmp_path):
    db = tmp_path / "candidate.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table s as select 'k1' as staff_key, 3 as n_records")
    (tmp_path / "run_results.json").write_text(json.dumps({"results": [
        {"unique_id": "test.p.dupes", "status": "fail", "compiled_code": "select * from s"}]}))
    invocation = SimpleNamespace(target_path=tmp_path,
                                 get_artifact=lambda name: json.loads((tmp_path / name).read_text()))
    failed = AssetCheckResult(passed=False, asset_key="stg", check_name="unique_staff_key",
                              metadata={"unique_id": "test.p.dupes", "dagster_dbt/failed_row_count": 1})
    [event] = with_failing_samples([failed], invocation, db)
    assert event.check_name == "unique_staff_key" and not event.passed
    assert event.metadata["dagster_dbt/failed_row_count"].value == 1
    assert event.metadata[SAMPLE_KEY].value == [{"staff_key": "k1", "n_records": 3}]
