"""Great Expectations suites generated from contracts, run on landed data."""

import pandas as pd

from orchestration.quality.expectations import HMAC_HEX, METADATA_COLUMNS, expectation_specs, validate
from tests.unit.contract_factory import column, make_contract

CONTRACT = make_contract([
    column("staff_key", required=True, primaryKey=True, pattern="^[0-9]{4}$", pseudonymise=True),
    column("code", valid_values=["a", "B"]),
    column("started", physicalType="DATE", minimum="1990-01-01", maximum="today"),
])


def frame(**overrides):
    data = {
        "staff_key": ["0" * 64, "1" * 64],
        "code": ["A", "B"],
        "started": pd.to_datetime(["2020-01-01", "2021-06-30"]),
        **{name: ["f", "f"] for name in METADATA_COLUMNS},
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_suite_is_derived_from_the_contract():
    specs = {(s.kind, s.column): s.kwargs for s in expectation_specs(CONTRACT)}
    assert specs[("ExpectTableColumnsToMatchOrderedList", None)]["column_list"][:3] == ["staff_key", "code", "started"]
    assert specs[("ExpectColumnValuesToBeUnique", "staff_key")] == {"column": "staff_key"}
    # landed identifiers are HMACs, so the source pattern gives way to the HMAC shape
    assert specs[("ExpectColumnValuesToMatchRegex", "staff_key")]["regex"] == HMAC_HEX
    assert specs[("ExpectColumnValuesToBeInSet", "code")]["value_set"] == ["A", "B"]
    assert specs[("ExpectColumnValuesToBeBetween", "started")]["min_value"] == pd.Timestamp("1990-01-01")


def test_clean_frame_passes():
    outcome = validate(frame(), CONTRACT)
    assert outcome.success, outcome.failures


def test_each_kind_of_defect_fails_its_expectation():
    outcome = validate(frame(
        staff_key=["0" * 64, "0" * 64],
        code=["A", "Z"],
        started=pd.to_datetime(["1980-01-01", "2021-06-30"]),
    ), CONTRACT)
    failed = {(f.kind, f.column) for f in outcome.failures}
    assert failed == {
        ("expect_column_values_to_be_unique", "staff_key"),
        ("expect_column_values_to_be_in_set", "code"),
        ("expect_column_values_to_be_between", "started"),
    }


def test_missing_column_and_empty_table_fail():
    empty = frame().drop(columns=["code"]).iloc[0:0]
    failed = {f.kind for f in validate(empty, CONTRACT).failures}
    assert {"expect_table_columns_to_match_ordered_list", "expect_table_row_count_to_be_between"} <= failed
