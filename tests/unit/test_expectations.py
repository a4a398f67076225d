"""Great Expectations suites generated from contracts, run over DuckDB's profiles of landed data."""

import duckdb
import pandas as pd
import pytest

from orchestration.quality import expectations
from orchestration.quality.expectations import (
    HMAC_HEX, METADATA_COLUMNS, ROWS_PER_KEY, column_profiles, expectation_specs, validate_table,
)
from tests.unit.contract_factory import column, make_contract

CONTRACT = make_contract([
    column("staff_key", required=True, primaryKey=True, pattern="^[0-9]{4}$", pseudonymise=True),
    column("code", valid_values=["a", "B"]),
    column("started", physicalType="DATE", minimum="1990-01-01", maximum="today"),
])


def landed(**overrides):
    """raw.demo in an in-memory DuckDB, as landing would have written it."""
    data = {
        "staff_key": ["0" * 64, "1" * 64],
        "code": ["A", "b "],
        "started": pd.to_datetime(["2020-01-01", "2021-06-30"]).date,
        **{name: ["f", "f"] for name in METADATA_COLUMNS},
    }
    data.update(overrides)
    con = duckdb.connect()
    con.execute("create schema raw")
    frame = pd.DataFrame(data)
    con.execute("create table raw.demo as select * from frame")
    return con


def test_suite_is_derived_from_the_contract():
    specs = {(s.kind, s.column): s.kwargs for s in expectation_specs(CONTRACT)}
    assert specs[("ExpectTableColumnsToMatchOrderedList", None)]["column_list"][:3] == ["staff_key", "code", "started"]
    assert specs[("ExpectColumnValuesToBeBetween", ROWS_PER_KEY)] == {"column": ROWS_PER_KEY, "max_value": 1}
    # landed identifiers are HMACs, so the source pattern gives way to the HMAC shape
    assert specs[("ExpectColumnValuesToMatchRegex", "staff_key")]["regex"] == HMAC_HEX
    assert specs[("ExpectColumnValuesToBeInSet", "code")]["value_set"] == ["A", "B"]
    assert specs[("ExpectColumnValuesToBeBetween", "started")]["min_value"] == pd.Timestamp("1990-01-01")


def test_clean_table_passes():
    outcome = validate_table(landed(), CONTRACT, None)
    assert outcome.success, outcome.failures


def test_each_kind_of_defect_fails_its_expectation():
    outcome = validate_table(landed(
        staff_key=["0" * 64, "0" * 64],
        code=["A", "Z"],
        started=pd.to_datetime(["1980-01-01", "2021-06-30"]).date,
    ), CONTRACT, None)
    failed = {(f.kind, f.column) for f in outcome.failures}
    assert failed == {
        ("expect_column_values_to_be_between", ROWS_PER_KEY),
        ("expect_column_values_to_be_in_set", "code"),
        ("expect_column_values_to_be_between", "started"),
    }
    code = next(f for f in outcome.failures if f.column == "code")
    assert code.observed["unexpected_sample"] == ["Z"]


def test_missing_column_and_empty_table_fail():
    con = landed()
    con.execute("create or replace table raw.demo as select * exclude (code) from raw.demo limit 0")
    failed = {(f.kind, f.column) for f in validate_table(con, CONTRACT, None).failures}
    assert {("expect_table_columns_to_match_ordered_list", None),
            ("expect_column_values_to_be_between", "row_count")} <= failed


def test_column_checks_read_only_the_deliveries_landed_in_the_run():
    con = landed(code=["A", "Z"], _source_file=["old.csv", "new.csv"])
    assert not validate_table(con, CONTRACT, ["new.csv"]).success
    assert validate_table(con, CONTRACT, ["old.csv"]).success


def test_profiles_are_bounded_batches_of_distinct_values(monkeypatch):
    monkeypatch.setattr(expectations, "BATCH_ROWS", 2048)
    con = landed()
    con.execute("""create or replace table raw.demo as
        select lpad(lower(to_hex(i)), 64, '0') as staff_key, 'A' as code, date '2020-01-01' as started,
               'f' as _source_file, 'f' as _source_sha256, 'f' as _row_number, 'f' as _loaded_at
        from range(5000) t(i)""")
    frames = {}
    for profile in column_profiles(con, CONTRACT, None):
        frames.setdefault(profile.specs[0].column, []).append(len(profile.frame))
    assert max(frames["staff_key"]) <= 2048 and sum(frames["staff_key"]) == 5000 and frames["code"] == [1]
    assert validate_table(con, CONTRACT, None).success


@pytest.mark.parametrize("bad", ["not-a-hmac", None])
def test_identifier_checks_see_every_distinct_value(bad, monkeypatch):
    monkeypatch.setattr(expectations, "BATCH_ROWS", 2048)
    con = landed()
    con.execute("""create or replace table raw.demo as
        select lpad(lower(to_hex(i)), 64, '0') as staff_key, 'A' as code, date '2020-01-01' as started,
               'f' as _source_file, 'f' as _source_sha256, 'f' as _row_number, 'f' as _loaded_at
        from range(5000) t(i)""")
    con.execute("update raw.demo set staff_key = ? where staff_key = lpad(lower(to_hex(4321)), 64, '0')", [bad])
    failed = {f.column for f in validate_table(con, CONTRACT, None).failures}
    assert failed == {"staff_key"}
