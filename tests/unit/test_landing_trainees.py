"""The three differential-attainment sources land through their contracts: identifiers pseudonymised
with one key, so trainees join across TIS extracts and to ESR; outcome codes kept as text; NETS
cells suppressed below three respondents land with no counts."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime

import duckdb
import numpy as np
import pytest

from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing import land_source, source_files
from orchestration.synthetic import PLANTED_EFFECTS, generate, nets, trainees
from orchestration.synthetic.dates import Window
from orchestration.synthetic.population import build_population
from orchestration.synthetic.trusts import select_trusts
from orchestration.synthetic.writer import write_table

KEY = b"trainee-landing-key"
SOURCES = ("esr_assignment", "arcp_outcome", "exam_attempt", "nets_result")
HMAC_HEX = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """One generated trust without planted defects, its ESR and the three new sources landed."""
    out = tmp_path_factory.mktemp("landing")
    generate(1, 20240331, out, defect_rate_scale=0)
    con = duckdb.connect()
    contracts = load_contracts()
    loads = {s: land_source(con, contracts[s], source_files(contracts[s], out, out), key=KEY, run_id="t",
                            loaded_at=datetime(2026, 1, 1), label_root=out) for s in SOURCES}
    return con, loads


def test_every_row_lands_when_nothing_is_planted(landed):
    _, loads = landed
    for source, load in loads.items():
        assert load.rows_read == load.rows_landed > 0 and load.rows_quarantined == 0, (source, load.quarantine_by_rule)


def test_gmc_numbers_are_pseudonymised_and_join_exams_to_reviews(landed):
    con, _ = landed
    keys = {k for (k,) in con.execute("select distinct gmc_number from raw.arcp_outcome").fetchall()}
    assert keys and all(HMAC_HEX.match(k) for k in keys)
    sitters = {k for (k,) in con.execute("select distinct gmc_number from raw.exam_attempt").fetchall()}
    # Trainees who arrived after the last summer's reviews (August 2024) or left before their
    # first one sat exams but have no ARCP in the window: about one sitter in seven.
    assert len(sitters & keys) / len(sitters) > 0.8


def test_employee_numbers_join_trainees_to_esr_at_the_planted_rate(landed):
    con, _ = landed
    matched, blank, total = con.execute("""
        select count(*) filter (where employee_number in (select employee_number from raw.esr_assignment)),
               count(*) filter (where employee_number is null),
               count(*)
        from (select distinct gmc_number, employee_number from raw.arcp_outcome)
    """).fetchone()
    assert matched / total == pytest.approx(PLANTED_EFFECTS["tis_employee_match_rate"], abs=0.05)
    assert 0 < blank < total - matched


def test_outcome_codes_land_as_the_text_the_contract_lists(landed):
    con, _ = landed
    codes = {c for (c,) in con.execute("select distinct trim(outcome_code) from raw.arcp_outcome").fetchall()}
    assert {"1", "10.1"} <= codes <= set(load_contracts()["arcp_outcome"].column("outcome_code").valid_values)


def test_suppressed_nets_cells_land_without_counts(landed):
    con, _ = landed
    suppressed, inconsistent, shown_small = con.execute("""
        select count(*) filter (where respondents is null and positive_responses is null),
               count(*) filter (where (respondents is null) <> (positive_responses is null)
                                   or positive_responses > respondents),
               count(*) filter (where respondents < 3)
        from raw.nets_result
    """).fetchone()
    assert suppressed > 0 and inconsistent == 0 and shown_small == 0


def test_a_trust_without_doctors_in_training_gets_header_only_files_that_land(tmp_path):
    """Ambulance and small community trusts may employ no trainee at all (trust 6 of the demo)."""
    rng = np.random.default_rng(1)
    pop = build_population(rng, select_trusts(1)[0], Window())
    cohort = trainees.build_cohort(rng, pop)
    nobody = trainees.Cohort(**{f.name: getattr(cohort, f.name)[:0] for f in fields(trainees.Cohort)})
    tables = {"arcp_outcome": trainees.arcp_outcome_table(rng, pop, nobody),
              "exam_attempt": trainees.exam_attempt_table(rng, pop, nobody),
              "nets_result": nets.nets_result_table(rng, pop, nobody)}
    con = duckdb.connect()
    for source, table in tables.items():
        assert len(table) == 0, source
        write_table(table, tmp_path / source / f"{source}_{pop.trust.code}.csv")
        contract = load_contracts()[source]
        load = land_source(con, contract, source_files(contract, tmp_path, tmp_path), key=KEY, run_id="t",
                           loaded_at=datetime(2026, 1, 1), label_root=tmp_path)
        assert load.rows_read == 0, source
