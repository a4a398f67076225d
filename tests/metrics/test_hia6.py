"""HIA6 incident measures (metrics-spec §7, TV-H1) through the project's real macros.

The rate, relative-likelihood and target macros are the ones fct_hia6_incident_rate,
fct_hia6_relative_likelihood and fct_hia6_target_progress call; they are rendered once by dbt and run
on a hand-made table of the test vector's cells.
"""

import pytest

TOL = 1e-4
SQL = """
select
    bme.group_value,
    {{ rate_per_1000('bme.events', 'bme.base') }} as bme_per_1000,
    {{ rate_per_1000('white.events', 'white.base') }} as white_per_1000,
    {{ relative_likelihood('bme.events', 'bme.base', 'white.events', 'white.base') }},
    {{ target_from_reduction(rate_per_1000('bme.events', 'bme.base'), 10) }} as bme_target
from cells as bme
inner join cells as white
    on bme.vector = white.vector and white.group_value = 'White'
where bme.group_value = 'BME'
order by bme.vector
"""
COLUMNS = ["group_value", "bme_per_1000", "white_per_1000", "rl_value", "rl_corrected", "ci_lower",
           "ci_upper", "flag_small_count", "flag_zero_cell", "flag_ci_spans_parity", "flag_volatile",
           "bme_target"]


@pytest.fixture(scope="module")
def compiled(macros):
    return macros.render(SQL)


def run(db, compiled, cells):
    db.execute("create or replace table cells (vector integer, group_value varchar, events bigint, base bigint)")
    db.executemany("insert into cells values (?, ?, ?, ?)", cells)
    return [dict(zip(COLUMNS, row)) for row in db.execute(compiled).fetchall()]


def test_tv_h1_rates_relative_likelihood_and_target(db, compiled):
    # BME: 18 physical-violence incidents from the public / 1,200 staff; White: 30 / 3,000.
    (row,) = run(db, compiled, [(1, "BME", 18, 1200), (1, "White", 30, 3000)])
    assert row["bme_per_1000"] == pytest.approx(15.0, abs=TOL)
    assert row["white_per_1000"] == pytest.approx(10.0, abs=TOL)
    assert row["rl_value"] == pytest.approx(1.5, abs=TOL)
    assert row["rl_corrected"] == pytest.approx(1.5, abs=TOL)
    assert row["ci_lower"] == pytest.approx(0.8394, abs=TOL)
    assert row["ci_upper"] == pytest.approx(2.6804, abs=TOL)
    assert row["flag_ci_spans_parity"] is True
    assert row["flag_small_count"] is False and row["flag_zero_cell"] is False
    assert row["flag_volatile"] is True
    # a 10 % reduction on the BME baseline of 15.0
    assert row["bme_target"] == pytest.approx(13.5, abs=TOL)


def test_rate_is_null_without_a_headcount_and_zero_cells_are_flagged(db, compiled):
    (row,) = run(db, compiled, [(1, "BME", 0, 0), (1, "White", 30, 3000)])
    assert row["bme_per_1000"] is None  # unmatched incidents / periods without a snapshot: no rate
    assert row["flag_zero_cell"] is True and row["rl_value"] is None
