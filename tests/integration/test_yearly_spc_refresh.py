"""A longer history charts differential attainment year on year (issue #13): one trust generated with
seven financial years (`edi generate --years 7`), refreshed through the nightly job. Every check passes,
landing quarantines exactly the planted defects (the Staff Survey and NETS start in the years their
reference data know), the yearly charts exist for every ARCP comparison and exam group with seven points,
and the board page lists them. Slow lane: a second full refresh (about 3 minutes).
"""

import duckdb
import pytest

from orchestration.synthetic import generate
from tests.integration.conftest import run_refresh
from tests.integration.test_refresh import check_outcomes

pytestmark = pytest.mark.slow
YEARS = 7


@pytest.fixture(scope="module")
def long_history(tmp_path_factory, pseudonymisation_key):  # noqa: ARG001 - the session key must be set
    root = tmp_path_factory.mktemp("long_history")
    report = generate(trusts=1, seed=11, out=root / "landing", years=YEARS)
    result = run_refresh(root / "landing", root / "warehouse")
    return root, report, result


def published(root):
    return duckdb.connect(str(root / "warehouse" / "edi.duckdb"), read_only=True)


def test_the_refresh_passes_every_check_and_quarantines_only_the_planted_defects(long_history):
    root, report, result = long_history
    assert result.success
    outcomes = check_outcomes(result)
    assert len(outcomes) > 600 and [check for check, passed in outcomes.items() if not passed] == []
    with published(root) as con:
        quarantined = dict(con.execute("""
            select _source_file, count(*) from (
                select _source_file from raw.staff_survey_result__quarantine
                union all select _source_file from raw.nets_result__quarantine
                union all select _source_file from raw.arcp_outcome__quarantine)
            group by _source_file""").fetchall())
    for path, rows in quarantined.items():
        assert rows == report.quarantine_expected(path), path
    assert all(report.quarantine_expected(p) == 0 for p in report.rows
               if p.startswith(("staff_survey_result", "nets_result")) and p not in quarantined)


def test_every_arcp_comparison_and_exam_group_is_charted_over_every_year(long_history):
    root, _, _ = long_history
    with published(root) as con:
        series = dict(con.execute("""
            select measure_id || ' ' || group_value, count(*) from bi.bi_spc_yearly_chart
            where breakdown_type = 'overall' group by all""").fetchall())
        first, last = con.execute("select min(fy_end), max(fy_end) from bi.bi_spc_yearly_chart").fetchone()
    for comparison in ("rl_uk_bme_vs_uk_white_non_standard_arcp_outcome UK BME",
                       "rl_img_vs_uk_white_non_standard_arcp_outcome IMG",
                       "rl_female_vs_male_non_standard_arcp_outcome Female",
                       "first_attempt_pass_rate_pct UK White", "first_attempt_pass_rate_pct IMG",
                       "first_attempt_pass_gap_pp IMG"):
        assert series.get(comparison) == YEARS, comparison
    assert (first.year, last.year) == (2025 - YEARS + 1, 2025)


def test_the_board_page_lists_the_yearly_charts(long_history):
    root, _, _ = long_history
    (page,) = [p for p in (root / "warehouse" / "reports").glob("*.html") if p.name != "index.html"]
    html = page.read_text(encoding="utf-8")
    assert 'id="attainment-spc"' in html and "Year-on-year control charts (XmR) of each comparison" in html
    assert "start once a series has" not in html
