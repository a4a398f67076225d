"""Spec vectors for board gaps (TV-W9, TV-D10), representation (TV-R1) and benchmarking (TV-B1),
run through the project's own macros."""

import math

import pytest

TOLERANCE = 1e-4


def scalar(db, macros, expression: str, dbt_vars=None):
    return db.execute(macros.render(f"select {expression} as v", dbt_vars)).fetchone()[0]


@pytest.mark.parametrize(("board", "workforce", "expected_pp"), [
    ((2, 14), (900, 6000), -0.71),   # TV-W9: BME voting members vs BME staff
    ((1, 12), (200, 5000), 4.33),    # TV-D10 voting members
    ((0, 7), (200, 5000), -4.00),    # TV-D10 executive members
])
def test_board_gap_in_percentage_points(db, macros, board, workforce, expected_pp):
    gap = scalar(db, macros, f"{{{{ share_gap_pp({board[0]}, {board[1]}, {workforce[0]}, {workforce[1]}) }}}}")
    assert round(gap, 2) == expected_pp


@pytest.mark.parametrize(("group", "known", "ratio", "gap_pp"), [
    (20, 200, 0.40, -15.0),   # TV-R1, cluster C4
    (450, 1500, 1.20, 5.0),   # TV-R1, cluster C1
])
def test_representation_against_a_quarter_bme_population(db, macros, group, known, ratio, gap_pp):
    workforce_share = f"({group} / {known}.0)"
    got_ratio = scalar(db, macros, f"{{{{ representation_ratio('{workforce_share}', '0.25') }}}}")
    got_gap = scalar(db, macros, f"{{{{ share_gap_pp({group}, {known}, 25, 100) }}}}")
    assert got_ratio == pytest.approx(ratio, abs=TOLERANCE)
    assert got_gap == pytest.approx(gap_pp, abs=TOLERANCE)


def test_a_share_of_an_expression_is_the_share_of_its_value(db, macros):
    """The unknown-ethnicity rate is share_pct('cluster_headcount - known_headcount', ...): 120 unknown of
    2,865 is 4.19 %, not 100 x 2,985 - 2,865 / 2,865 (the board report showed 286,699 %)."""
    rate = scalar(db, macros, "{{ share_pct('2985 - 2865', '2865') }}")
    assert rate == pytest.approx(100 * 120 / 2865, abs=TOLERANCE)
    assert scalar(db, macros, "{{ share_gap_pp('3 - 1', '4', '1', '2 + 2') }}") == pytest.approx(25.0, abs=TOLERANCE)


def test_representation_ratio_is_null_when_the_population_share_is_zero(db, macros):
    assert scalar(db, macros, "{{ representation_ratio('0.1', '0.0') }}") is None


def benchmark(db, macros, rls: dict[str, float], subject: str, min_n: str = "none"):
    db.execute("create or replace table rl (trust_code varchar, value double)")
    db.executemany("insert into rl values (?, ?)", list(rls.items()))
    sql = macros.render(
        "with scored as (select trust_code, 'k' as k, "
        "{{ favourability('value', \"'relative_likelihood'\", 'null') }} as f from rl), "
        "ranked as (select trust_code, {{ rank_in_set('f', ['k']) }} from scored) "
        f"select {{{{ set_percentile('less_favourable', 'set_size', {min_n}) }}}}, set_size, less_favourable "
        "from ranked where trust_code = ?")
    return db.execute(sql, [subject]).fetchone()


def test_tv_b1_percentile_judges_rls_by_distance_from_parity(db, macros):
    rls = {"T1": 1.05, "SUBJECT": 1.20, "T3": 1.45, "T4": 0.90, "T5": 1.60}
    percentile, size, less = benchmark(db, macros, rls, "SUBJECT")
    assert (size, less) == (5, 2)
    assert percentile == pytest.approx(50.0)


def test_rl_below_parity_is_as_far_as_its_reciprocal(db, macros):
    assert scalar(db, macros, "{{ favourability('0.8', \"'relative_likelihood'\", 'null') }}") == \
        pytest.approx(scalar(db, macros, "{{ favourability('1.25', \"'relative_likelihood'\", 'null') }}"))
    assert scalar(db, macros, "{{ favourability('0.8', \"'relative_likelihood'\", 'null') }}") == \
        pytest.approx(-abs(math.log(0.8)))


def test_direction_sets_favourability_and_no_direction_gives_none(db, macros):
    assert scalar(db, macros, "{{ favourability('3.0', \"'share'\", 'true') }}") == 3.0
    assert scalar(db, macros, "{{ favourability('3.0', \"'share'\", 'false') }}") == -3.0
    assert scalar(db, macros, "{{ favourability('3.0', \"'share'\", 'null') }}") is None


def test_percentile_is_null_below_the_minimum_set_size(db, macros):
    rls = {"T1": 1.05, "SUBJECT": 1.20, "T3": 1.45, "T4": 0.90}
    assert benchmark(db, macros, rls, "SUBJECT")[0] is None
    assert benchmark(db, macros, rls, "SUBJECT", min_n="4")[0] == pytest.approx(100 / 3)


def test_level_members_and_members_without_favourability_are_never_less_favourable(db, macros):
    """A member level with the subject, and an RL of 0 (no favourability), are in the set but never
    below the subject; a subject of 0 has nobody below it."""
    rls = {"T1": 1.05, "SUBJECT": 1.25, "LEVEL": 1.25, "ZERO": 0.0, "T5": 1.60, "T6": 2.0}
    assert benchmark(db, macros, rls, "SUBJECT") == (pytest.approx(40.0), 6, 2)
    assert benchmark(db, macros, rls, "LEVEL") == (pytest.approx(40.0), 6, 2)
    assert benchmark(db, macros, rls, "ZERO") == (pytest.approx(0.0), 6, 0)
