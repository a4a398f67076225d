"""Each bundled public-data contract holds, row for row, for the real file it describes.

Public reference data must land whole (maxQuarantineRatio 0), so every rule a bundled contract
states (header, required, type and date format, pattern, code list, bounds, notBefore, primary key,
row count) is checked here directly against the file in reference_data/. This does not use the
landing engine: it is a direct contract-versus-file check, kept generic by looping over contracts.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.contracts import Column, Contract, load_contracts
from orchestration.settings import REFERENCE_DATA_DIR

PUBLIC_SOURCE_SYSTEMS = {"ods", "ons", "mhclg", "geography", "gov_uk_gpg", "nhs_digital"}
CADENCES = {"1y", "once"}
BUNDLED = sorted(
    (c for c in load_contracts().values() if c.location == "bundled"), key=lambda c: c.name
)


def _files(contract: Contract) -> list[Path]:
    return sorted(p for p in REFERENCE_DATA_DIR.glob(contract.path_glob) if p.is_file())


def _records(path: Path, contract: Contract) -> list[list[str]]:
    """The file's CSV records as Python's csv module sees them (quoted line breaks kept)."""
    with open(path, encoding=contract.encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=contract.delimiter))


def _typed(col: Column) -> str:
    raw = f'trim("{col.name}")'
    if col.is_temporal and col.date_format:
        parsed = f"try_strptime({raw}, '{col.date_format}')"
        return f"cast({parsed} as DATE)" if col.landing_type == "DATE" else parsed
    return f"try_cast({raw} as {col.landing_type})"


def _rules(contract: Contract) -> list[tuple[str, str, str]]:
    """(rule, column, SQL condition that is true for a row breaking it) for every stated rule."""
    rules = []
    for col in contract.columns:
        raw, present = f'"{col.name}"', f"nullif(trim(\"{col.name}\"), '')"
        if col.required:
            rules.append(("required", col.name, f"{present} is null"))
        if col.landing_type != "VARCHAR":
            rules.append(("type", col.name, f"{present} is not null and {_typed(col)} is null"))
        if col.pattern:
            pattern = col.pattern.replace("'", "''")
            rules.append(("pattern", col.name,
                          f"{present} is not null and not regexp_full_match(trim({raw}), '{pattern}')"))
        if col.valid_values:
            values = ", ".join("'" + v.strip().upper().replace("'", "''") + "'" for v in col.valid_values)
            rules.append(("valid_values", col.name,
                          f"{present} is not null and not list_contains([{values}], upper(trim({raw})))"))
        for bound, op, word in ((col.minimum, "<", "minimum"), (col.maximum, ">", "maximum")):
            if bound is not None:
                limit = "current_date" if bound == "today" else f"cast('{bound}' as {col.landing_type})"
                rules.append((word, col.name, f"{_typed(col)} {op} {limit}"))
        for other in map(contract.column, contract.earlier_columns(col.name)):
            rules.append(("not_before", col.name, f"{_typed(col)} < {_typed(other)}"))
    return rules


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_public_contracts_exist():
    names = {c.name for c in BUNDLED}
    assert {"ods_icb", "ods_trust", "gov_uk_gender_pay_gap", "imd2019_ltla"} <= names


def test_every_bundled_csv_has_a_contract():
    described = {p for c in BUNDLED for p in _files(c)}
    undescribed = [str(p.relative_to(REFERENCE_DATA_DIR))
                   for p in sorted(REFERENCE_DATA_DIR.rglob("*.csv")) if p not in described]
    assert not undescribed, f"bundled CSV files without a contract: {undescribed}"


@pytest.mark.parametrize("contract", BUNDLED, ids=lambda c: c.name)
def test_contract_metadata(contract: Contract):
    assert contract.source_system in PUBLIC_SOURCE_SYSTEMS
    assert contract.owner == "reference-data-steward"
    assert contract.frequency in CADENCES
    assert contract.max_quarantine_ratio == 0, "real public data must land whole"
    assert contract.min_rows > 1 and contract.primary_key
    for col in contract.columns:
        assert col.classification == "public", col.name
        assert col.description, f"{col.name} has no description"
        if col.primary_key_position is not None:
            assert col.required, f"key column {col.name} must be required"
        if col.is_temporal:
            assert col.date_format, f"{col.name} needs a strptime format"
    if not contract.header:
        positional = [f"column{i:02d}" for i in range(1, len(contract.columns) + 1)]
        assert [c.source_name for c in contract.columns] == positional


def violations(con: duckdb.DuckDBPyConnection, contract: Contract) -> list[str]:
    """Every way the contract's files break the contract; empty when it holds."""
    files = _files(contract)
    if not files:
        return [f"no file matches reference_data/{contract.path_glob}"]

    # Header (or field count, for a headerless file) and the record count Python's csv sees.
    failures, expected_records = [], 0
    for path in files:
        records = _records(path, contract)
        if contract.header:
            header, records = records[0], records[1:]
            if header != [c.source_name for c in contract.columns]:
                failures.append(f"{path.name}: header {header}")
        widths = {len(r) for r in records}
        if widths != {len(contract.columns)}:
            failures.append(f"{path.name}: field counts {widths}, expected {len(contract.columns)}")
        expected_records += len(records)
    if failures:
        return failures

    con.execute(
        """create or replace temp table src as
        select * from read_csv($files, header = $header, all_varchar = true, delim = $delim,
                               quote = '"', escape = '"', encoding = $encoding, names = $names)""",
        {"files": [str(p) for p in files], "header": contract.header, "delim": contract.delimiter,
         "encoding": contract.encoding, "names": [c.name for c in contract.columns]},
    )
    rows = con.execute("select count(*) from src").fetchone()[0]
    if rows != expected_records:
        failures.append(f"DuckDB reads {rows} rows, the csv module {expected_records}")
    if rows < contract.min_rows:
        failures.append(f"{rows} rows; the contract expects at least {contract.min_rows}")

    for rule, column, condition in _rules(contract):
        broken, examples = con.execute(
            f'select count(*), list("{column}")[1:3] from src where {condition}'
        ).fetchone()
        if broken:
            failures.append(f"{rule}:{column} broken by {broken} rows, e.g. {examples}")

    keys = ", ".join(f'trim("{k}")' for k in contract.primary_key)
    repeated = con.execute(
        f"select count(*) from (select {keys} from src group by all having count(*) > 1)"
    ).fetchone()[0]
    if repeated:
        failures.append(f"primary_key {contract.primary_key} repeats for {repeated} key values")
    return failures


@pytest.mark.parametrize("contract", BUNDLED, ids=lambda c: c.name)
def test_contract_holds_for_the_real_file(con, contract: Contract):
    failures = violations(con, contract)
    assert not failures, f"{contract.name} v{contract.version}:\n" + "\n".join(failures)


def test_the_check_catches_rules_the_real_data_breaks(con):
    """Guards the check itself, and records two rules the real pay-gap data would break."""
    gpg = load_contracts()["gov_uk_gender_pay_gap"]
    capped = tuple(replace(c, maximum=100) if c.name == "female_bonus_percent" else c
                   for c in gpg.columns)
    # (EmployerId, DueDate) is not a key: Stroud District Council filed twice for 2019-20.
    narrow_key = tuple(replace(c, primary_key_position=None) if c.name == "date_submitted" else c
                       for c in capped)
    failures = violations(con, replace(gpg, columns=narrow_key))
    assert any(f.startswith("maximum:female_bonus_percent broken by 1 rows") for f in failures)
    assert any(f.startswith("primary_key ('employer_id', 'due_date') repeats for 1") for f in failures)
