"""GOV.UK gender pay gap filings of NHS trusts get the right ODS code, judged against a hand-checked list.

`gpg_trust_filings_hand_checked.csv` lists every filing in the two bundled GOV.UK files that is an NHS
trust's own report (under its own name, an old name, a misspelling, or another registration such as its
charity's), with the code of the trust that was open at the filing's snapshot date and how that was
checked (names in the ODS, 2022 region, 2021 STP and NHS Digital 2018 files, the ODS headquarters
postcode, successor records, open and close dates). It also pins filings that are NOT trusts although
they look like one or share a trust's headquarters postcode (commissioners, national bodies, trust
subsidiaries, charities). The list was built by reading the raw files, not from the models' output.

The public sources are landed from reference_data/ into a scratch DuckDB and only the pay-gap chain is
built, so the module needs no generated trust data (about a minute).
"""

from __future__ import annotations

import csv
import os
import subprocess
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing import land_source, source_files
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_SAVED_PARSE_ARGS, REFERENCE_DATA_DIR

HAND_CHECKED = Path(__file__).with_name("gpg_trust_filings_hand_checked.csv")
MIN_CONFORMANCE = 0.98
GPG_MODELS = ["int_gpg_employers_matched", "int_gpg_employers_unmatched", "fct_gpg_match_rate",
              "fct_gender_pay_gap_published"]


def hand_checked() -> list[dict]:
    with open(HAND_CHECKED, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def trust_filings() -> dict[tuple[str, int], str]:
    """(reporting year, employer id) -> expected ODS code, for the filings that are a trust's."""
    return {(r["reporting_year"], int(r["employer_id"])): r["expected_trust_code"]
            for r in hand_checked() if r["is_trust_filing"] == "true"}


def land_public_sources(db_path: Path) -> None:
    con = duckdb.connect(str(db_path))
    try:
        for contract in load_contracts().values():
            if contract.location != "bundled":
                continue
            files = source_files(contract, REFERENCE_DATA_DIR, REFERENCE_DATA_DIR)
            land_source(con, contract, files, key=b"gpg-conformance-test", run_id="gpg-conformance",
                        loaded_at=datetime(2026, 1, 1), label_root=REFERENCE_DATA_DIR)
    finally:
        con.close()


@pytest.fixture(scope="module")
def gpg_db(tmp_path_factory) -> Path:
    """A DuckDB holding the landed public sources and the built pay-gap chain (models, seeds, tests)."""
    root = tmp_path_factory.mktemp("gpg")
    db_path = root / "gpg.duckdb"
    land_public_sources(db_path)
    selection = [f"+{model}" for model in GPG_MODELS]
    # A separate process, so that dbt's DuckDB connection is closed when the tests read the file.
    # cautious: only the tests whose every parent is built (not the tests of the trust-data models).
    build = subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", *selection, "--indirect-selection", "cautious",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
         *DBT_SAVED_PARSE_ARGS],
        env={**os.environ, "EDI_DUCKDB_PATH": str(db_path)}, capture_output=True, text=True, check=False)
    assert build.returncode == 0, f"dbt build of the pay-gap chain failed:\n{build.stdout[-4000:]}"
    return db_path


@pytest.fixture(scope="module")
def conformed(gpg_db) -> dict[tuple[str, int], str | None]:
    """(reporting year, employer id) -> the ODS code the warehouse gave the filing (None: unmatched)."""
    con = duckdb.connect(str(gpg_db), read_only=True)
    try:
        rows = con.execute(
            "select reporting_year, employer_id, organisation_code from intermediate.int_gpg_employers_matched"
        ).fetchall()
    finally:
        con.close()
    return {(year, employer): code for year, employer, code in rows}


def misses(conformed, year: str | None = None) -> list[tuple]:
    return [(key, expected, conformed.get(key)) for key, expected in sorted(trust_filings().items())
            if (year is None or key[0] == year) and conformed.get(key) != expected]


@pytest.mark.parametrize("year", ["2019-20", "2021-22"])
def test_trust_filings_conformed_to_their_ods_code(conformed, year):
    expected = {k: v for k, v in trust_filings().items() if k[0] == year}
    missed = misses(conformed, year)
    rate = 1 - len(missed) / len(expected)
    assert rate >= MIN_CONFORMANCE, f"{year}: {rate:.1%} of {len(expected)} conformed; missed {missed}"


def test_no_trust_filing_gets_a_wrong_code(conformed):
    wrong = [m for m in misses(conformed) if m[2] is not None]
    assert not wrong, f"(filing, expected, given): {wrong}"


def test_no_filing_that_is_not_a_trust_gets_a_code(conformed):
    trusts = trust_filings()
    coded = [(key, code) for key, code in sorted(conformed.items()) if code is not None and key not in trusts]
    assert not coded, f"filings that are not a trust's were given a code: {coded}"


def test_the_hand_checked_non_trusts_are_in_the_bundled_files(gpg_db):
    """The negative examples are real filings (so the previous test covers them by name)."""
    pinned = {(r["reporting_year"], int(r["employer_id"])) for r in hand_checked() if r["is_trust_filing"] == "false"}
    con = duckdb.connect(str(gpg_db), read_only=True)
    try:
        filed = set(con.execute("select reporting_year, employer_id from staging.stg_gov_uk_gpg__returns").fetchall())
    finally:
        con.close()
    assert pinned and pinned <= filed, sorted(pinned - filed)


def open_at(snapshot: date, open_date, close_date) -> bool:
    return (open_date is None or open_date <= snapshot) and (close_date is None or close_date >= snapshot)


def test_every_code_given_was_open_at_the_snapshot_date(gpg_db):
    """Judged on the landed files: ODS open/close dates, or for a trust only in the NHS Digital file,
    no succession out of its code on or before the snapshot."""
    con = duckdb.connect(str(gpg_db), read_only=True)
    try:
        given = con.execute(
            "select employer_id, reporting_year, snapshot_date, organisation_code "
            "from intermediate.int_gpg_employers_matched where organisation_code is not null").fetchall()
        ods = {code: (opened, closed) for code, opened, closed in con.execute(
            "select upper(trim(organisation_code)), open_date, close_date from raw.ods_trust").fetchall()}
        nhsd = {code for (code,) in con.execute("select distinct upper(trim(org_code)) from raw.nhsd_workforce_fte").fetchall()}
        succeeded = con.execute("select upper(trim(old_code)), succession_date from raw.ods_trust_successor "
                                "where upper(trim(old_code)) <> upper(trim(new_code))").fetchall()
    finally:
        con.close()
    not_open = []
    for employer, year, snapshot, code in given:
        if code in ods:
            ok = open_at(snapshot, *ods[code])
        else:
            ok = code in nhsd and not any(old == code and when <= snapshot for old, when in succeeded)
        if not ok:
            not_open.append((year, employer, code, snapshot))
    assert not not_open, f"codes not open at the filing's snapshot date: {not_open}"


def test_every_trust_filing_left_unmatched_is_listed_with_a_reason(gpg_db, conformed):
    con = duckdb.connect(str(gpg_db), read_only=True)
    try:
        listed = {(year, employer): reason for year, employer, reason in con.execute(
            "select reporting_year, employer_id, unmatched_reason from intermediate.int_gpg_employers_unmatched"
        ).fetchall()}
    finally:
        con.close()
    unmatched = [key for key in trust_filings() if conformed.get(key) is None]
    assert all(listed.get(key) for key in unmatched), [k for k in unmatched if not listed.get(k)]
