"""The BI marts the board report reads, checked against the warehouse marts of a real refresh: a chart
drawn from bi_spc_chart agrees with fct_spc_point point for point, with the disclosure-controlled
value of bi_spc; the summary and the peer benchmark are the warehouse's, less what BI may not see."""

import duckdb
import pytest

POINT_KEY = ("organisation_code", "measure_id", "period_end")
# Every column bi_spc_chart copies from fct_spc_point (names spliced into SQL only from these lists).
CHART_COLUMNS_FROM_POINT = ("period_type", "fy_end", "group_dimension", "group_value", "value_unit",
                            "higher_is_better", "segment", "point_seq", "limits_status", "special_cause_rule", "special_cause_direction",
                            "variation", "is_immature")
LIMIT_COLUMNS = ("centre", "upl", "lpl", "upper_2sigma", "lower_2sigma")
SUMMARY_COLUMNS = ("period_type", "latest_period_end", "segment", "limits_status", "special_cause_rule", "variation", "variation_icon",
                   "higher_is_better", "target_value", "target_fy_end", "assurance")
BENCHMARK_KEY = ("organisation_code", "comparison_set", "fy_end", "measure_id", "variant", "breakdown_type",
                 "breakdown_value", "group_dimension", "group_value")


@pytest.fixture(scope="module")
def warehouse(demo_refresh):
    con = duckdb.connect(str(demo_refresh.db_path), read_only=True)
    yield con
    con.close()


def joined_on(key: tuple[str, ...], left: str = "c", right: str = "p") -> str:
    return " and ".join(f"{left}.{k} = {right}.{k}" for k in key)


def count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def differing_columns(con, bi_table: str, mart: str, key: tuple[str, ...], columns: tuple[str, ...],
                      bi_column=lambda column: column) -> dict[str, int]:
    """Rows per column where the BI table and the mart disagree (nulls equal), over rows matched on key."""
    checks = ", ".join(f"count(*) filter (where c.{bi_column(col)} is distinct from p.{col})" for col in columns)
    counts = con.execute(f"select {checks} from bi.{bi_table} as c inner join marts.{mart} as p "
                         f"on {joined_on(key)}").fetchone()
    return {col: n for col, n in zip(columns, counts) if n}


def test_bi_spc_chart_has_one_row_per_spc_point(warehouse):
    points = count(warehouse, "select count(*) from marts.fct_spc_point")
    assert points > 0
    assert count(warehouse, "select count(*) from bi.bi_spc_chart") == points
    assert count(warehouse, "select count(*) from bi.bi_spc_chart as c inner join marts.fct_spc_point as p "
                            f"on {joined_on(POINT_KEY)}") == points


def test_bi_spc_chart_limits_and_classes_are_fct_spc_points(warehouse):
    assert not differing_columns(warehouse, "bi_spc_chart", "fct_spc_point", POINT_KEY, CHART_COLUMNS_FROM_POINT)


def test_limits_are_fct_spc_points_unless_a_value_of_the_segment_is_withheld(warehouse):
    """With the exact centre, centre x points - the published values would give the withheld values'
    sum; so a segment with a withheld value publishes no limits, and every other segment its exact ones."""
    withheld_segments = """select organisation_code, measure_id, group_value, segment from bi.bi_spc_chart
                           group by all having count(*) filter (where value is null) > 0"""
    assert count(warehouse, f"""
        select count(*) from bi.bi_spc_chart as c
        where c.limits_withheld <> ((c.organisation_code, c.measure_id, c.group_value, c.segment)
                                    in ({withheld_segments}))""") == 0
    assert count(warehouse, "select count(*) from bi.bi_spc_chart where limits_withheld") > 0
    assert count(warehouse, "select count(*) from bi.bi_spc_chart where not limits_withheld") > 0
    for column in LIMIT_COLUMNS:
        assert count(warehouse, f"""
            select count(*) from bi.bi_spc_chart as c inner join marts.fct_spc_point as p on {joined_on(POINT_KEY)}
            where case when c.limits_withheld then c.{column} is not null
                       else c.{column} is distinct from p.{column} end""") == 0, column


def test_bi_spc_chart_value_is_bi_spcs_controlled_value_never_the_exact_one(warehouse):
    differing = count(warehouse, f"""
        select count(*) from bi.bi_spc_chart as c
        left join bi.bi_spc as p
            on {joined_on(POINT_KEY + ('group_dimension', 'group_value', 'period_type'))}
            and p.variant = 'default' and p.breakdown_type = 'overall' and p.breakdown_value = 'all'
        where p.organisation_code is null or c.value is distinct from p.value""")
    assert differing == 0
    # the demo withholds some points and rounds others, so the check above had something to tell apart
    assert count(warehouse, "select count(*) from bi.bi_spc_chart where value is null") > 0
    assert count(warehouse, "select count(*) from bi.bi_spc_chart as c inner join marts.fct_spc_point as p "
                            f"on {joined_on(POINT_KEY)} where c.value <> p.value") > 0


def test_bi_spc_summary_is_fct_spc_summary_with_the_latest_points_bi_value(warehouse):
    charts = count(warehouse, "select count(*) from marts.fct_spc_summary")
    assert count(warehouse, "select count(*) from bi.bi_spc_summary") == charts > 0
    key = ("organisation_code", "measure_id")
    assert not differing_columns(warehouse, "bi_spc_summary", "fct_spc_summary", key, SUMMARY_COLUMNS)
    assert not differing_columns(warehouse, "bi_spc_summary", "fct_spc_summary", key,
                                 ("point_count", "immature_point_count"),
                                 bi_column={"point_count": "points_plotted",
                                            "immature_point_count": "points_immature"}.get)
    assert count(warehouse, """
        select count(*) from bi.bi_spc_summary as s
        inner join bi.bi_spc_chart as c
            on s.organisation_code = c.organisation_code and s.measure_id = c.measure_id
            and s.group_value = c.group_value and s.latest_period_end = c.period_end
        where s.latest_value is not distinct from c.value""") == charts


def test_bi_peer_benchmark_holds_exactly_the_published_rows_without_their_value(warehouse):
    columns = {c for (c,) in warehouse.execute(
        "select column_name from duckdb_columns() where schema_name = 'bi' and table_name = 'bi_peer_benchmark'"
    ).fetchall()}
    assert "value" not in columns
    expected = count(warehouse, """
        select count(*) from marts.fct_peer_benchmark as f
        inner join bi.bi_edi_measure as m
            on f.organisation_code = m.organisation_code and m.period_type = 'financial_year'
            and f.fy_end = m.period_end and f.measure_id = m.measure_id and f.variant = m.variant
            and f.breakdown_type = m.breakdown_type and f.breakdown_value = m.breakdown_value
            and f.group_dimension = m.group_dimension and f.group_value = m.group_value
        where m.value is not null""")
    withheld = count(warehouse, "select count(*) from marts.fct_peer_benchmark") - expected
    assert withheld > 0  # the demo has benchmarked rows that bi_edi_measure withholds
    assert count(warehouse, "select count(*) from bi.bi_peer_benchmark") == expected
    # Its ranks are of the published values only: tests/metrics/test_peer_benchmark.py and the dbt test
    # assert_bi_peer_set_member_matches_benchmark_sets.


def test_hia6_targets_show_published_values_and_derive_a_target_from_the_published_baseline(warehouse):
    """Every target of fct_hia6_target_progress, with bi_edi_measure's values (never the exact ones: a
    derived target of the exact baseline would give that baseline back)."""
    assert count(warehouse, "select count(*) from bi.bi_hia6_target_progress") == count(
        warehouse, "select count(*) from marts.fct_hia6_target_progress")
    key = ("organisation_code", "measure_id", "variant", "breakdown_type", "breakdown_value", "group_dimension",
           "group_value")
    for year, value in (("baseline_fy_end", "baseline_value"), ("latest_fy_end", "latest_value")):
        assert count(warehouse, f"""
            select count(*) from bi.bi_hia6_target_progress as c
            left join bi.bi_edi_measure as p on {joined_on(key)} and p.period_type = 'financial_year'
                and p.fy_end = c.{year}
            where c.{value} is distinct from p.value""") == 0, value
    assert count(warehouse, """
        select count(*) from bi.bi_hia6_target_progress as c inner join marts.fct_hia6_target_progress as t
            using (organisation_code, measure_id, variant, breakdown_type, breakdown_value, group_dimension,
                   group_value)
        where t.target_is_derived
          and c.target_value is distinct from c.baseline_value * (1 - c.target_reduction_pct / 100.0)""") == 0
