"""Reading the shareable BI extract (warehouse/edi_bi.duckdb) for the board report.

The report reads this file only, never the person-level warehouse: every number a page shows has
already been through disclosure control, and a page cannot show what the extract does not hold.
The file is opened read-only, so building reports never blocks a refresh or another reader.
"""

from __future__ import annotations

import json

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import duckdb

from orchestration.publish.bi_extract import bi_file_path

# The tables a measure may come from: each standard's own mart, or the whole bi_edi_measure.
MEASURE_TABLES = frozenset({"bi_edi_measure", "bi_wres", "bi_wdes", "bi_pay_gap", "bi_hia6", "bi_representation",
                            "bi_declaration", "bi_spc"})


class ReportDataError(RuntimeError):
    """The BI extract is missing, or lacks a table the report needs."""


class Measure(NamedTuple):
    """One row of bi_edi_measure, as the report shows it: values, counts (rounded, suppressed), CI and
    flags. A named tuple: a page reads every financial-year row of its trust (tens of thousands), and
    making frozen dataclasses of them took 7x as long (0.35 against 0.05 s a page)."""

    organisation_code: str
    period_type: str
    period_end: date
    fy_end: date
    measure_id: str
    variant: str
    breakdown_type: str
    breakdown_value: str
    group_dimension: str
    group_value: str
    reference_group: str | None
    numerator: int | None
    denominator: int | None
    reference_numerator: int | None
    reference_denominator: int | None
    value: float | None
    value_unit: str
    ci_lower: float | None
    ci_upper: float | None
    flag_small_count: bool | None
    flag_ci_spans_parity: bool | None
    flag_volatile: bool | None
    flag_zero_cell_corrected: bool | None
    standard: str
    indicator_code: str | None
    measure_label: str
    higher_is_better: bool | None
    adverse_side: str | None
    is_suppressed: bool | None
    suppression_reason: str | None

    @property
    def key(self) -> str:
        """The row's primary key in bi_edi_measure as JSON (values may hold any character, e.g. 'all|all'),
        written into the page beside its value."""
        return json.dumps([self.organisation_code, self.period_type, self.period_end.isoformat(), self.measure_id,
                           self.variant, self.breakdown_type, self.breakdown_value, self.group_dimension,
                           self.group_value])


# The bi_edi_measure columns a page may show, in Measure's order.
MEASURE_COLUMNS = Measure._fields


@dataclass(frozen=True)
class Trust:
    organisation_code: str
    organisation_name: str
    region: str | None
    icb_name: str | None
    trust_type: str | None
    catchment_shares: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogueEntry:
    measure_id: str
    standard: str
    indicator_code: str | None
    measure_kind: str
    measure_label: str
    definition: str | None
    protected_group: str | None
    adverse_side: str | None
    higher_is_better: bool | None
    value_unit: str


class Extract:
    """A read-only connection to the BI extract with the queries the report needs (values bound)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}

    def has(self, table: str) -> bool:
        return table in self.tables

    def trusts(self) -> list[Trust]:
        """Trusts with at least one published measure, ordered by region, ICB and name."""
        rows = self.con.execute(
            """select o.organisation_code, o.organisation_name, o.nhs_region_name, o.icb_name, o.trust_type,
                      o.catchment_share_white, o.catchment_share_mixed, o.catchment_share_asian,
                      o.catchment_share_black, o.catchment_share_other
               from bi_dim_organisation as o
               where not o.is_unknown_member
                 and o.organisation_code in (select distinct organisation_code from bi_edi_measure)
               order by o.nhs_region_name nulls last, o.icb_name nulls last, o.organisation_name,
                        o.organisation_code""").fetchall()
        groups = ("White", "Mixed or Multiple", "Asian", "Black", "Other")
        return [Trust(code, name, region, icb, kind, dict(zip(groups, shares)))
                for code, name, region, icb, kind, *shares in rows]

    def catalogue(self) -> dict[str, CatalogueEntry]:
        rows = self.con.execute(
            "select measure_id, standard, indicator_code, measure_kind, measure_label, definition, protected_group, adverse_side, "
            "higher_is_better, value_unit from bi_measure_catalogue order by measure_id").fetchall()
        return {row[0]: CatalogueEntry(*row) for row in rows}

    def measures(self, organisation_code: str, measure_ids: Iterable[str], table: str = "bi_edi_measure",
                 period_type: str = "financial_year") -> list[Measure]:
        """Every row of the given measures for one trust and period type, oldest period first."""
        if table not in MEASURE_TABLES:
            raise ValueError(f"not a measure table: {table!r}")
        rows = self.con.execute(
            f"select {', '.join(MEASURE_COLUMNS)} from {table} "
            "where organisation_code = ? and period_type = ? and list_contains(?, measure_id) "
            "order by period_end, measure_id, variant, breakdown_type, breakdown_value, group_dimension, group_value",
            [organisation_code, period_type, list(measure_ids)]).fetchall()
        return list(map(Measure._make, rows))

    def peer_values(self, organisation_code: str, fy_end: date, measure: Measure,
                    comparison_set: str = "peers") -> list[float]:
        """The published values of the same measure row at the other members of a comparison set."""
        if not self.has("bi_peer_set_member"):
            return []
        rows = self.con.execute(
            """select m.value from bi_peer_set_member as p
               join bi_edi_measure as m on m.organisation_code = p.member_organisation_code
               where p.organisation_code = ? and p.comparison_set = ? and m.period_type = 'financial_year'
                 and p.fy_end = ? and m.fy_end = p.fy_end and m.measure_id = ? and m.variant = ? and m.breakdown_type = ?
                 and m.breakdown_value = ? and m.group_dimension = ? and m.group_value = ?
                 and m.value is not null and p.member_organisation_code <> p.organisation_code
               order by m.value""",
            [organisation_code, comparison_set, fy_end, measure.measure_id, measure.variant, measure.breakdown_type,
             measure.breakdown_value, measure.group_dimension, measure.group_value]).fetchall()
        return [value for (value,) in rows]

    def percentiles(self, organisation_code: str, fy_end: date, measure: Measure) -> dict[str, tuple[float | None, int]]:
        """comparison set -> (the trust's percentile, set size) for one measure row."""
        if not self.has("bi_peer_benchmark"):
            return {}
        rows = self.con.execute(
            """select comparison_set, percentile, set_size from bi_peer_benchmark
               where organisation_code = ? and fy_end = ? and measure_id = ? and variant = ?
                 and breakdown_type = ? and breakdown_value = ? and group_dimension = ? and group_value = ?
               order by comparison_set""",
            [organisation_code, fy_end, measure.measure_id, measure.variant, measure.breakdown_type,
             measure.breakdown_value, measure.group_dimension, measure.group_value]).fetchall()
        return {kind: (percentile, size) for kind, percentile, size in rows}

    def spc_series(self, organisation_code: str) -> list[dict]:
        """One dict per SPC chart (bi_spc_summary) with its points (bi_spc_chart), in a stable order."""
        if not (self.has("bi_spc_chart") and self.has("bi_spc_summary")):
            return []
        summaries = _dicts(self.con.execute(
            "select * from bi_spc_summary where organisation_code = ? order by measure_id, group_value",
            [organisation_code]))
        points = _dicts(self.con.execute(
            "select * from bi_spc_chart where organisation_code = ? order by measure_id, group_value, period_end",
            [organisation_code]))
        for summary in summaries:
            summary["points"] = [p for p in points if (p["measure_id"], p["group_value"])
                                 == (summary["measure_id"], summary["group_value"])]
        return summaries

    def attainment_spc_latest(self, organisation_code: str) -> list[dict]:
        """The latest point of each yearly differential-attainment chart of the trust's whole-trust series
        (bi_spc_yearly_chart; NETS programme series stay in the BI extract), with whether every value
        of the series is withheld."""
        if not self.has("bi_spc_yearly_chart"):
            return []
        return _dicts(self.con.execute(
            """select * exclude (recency)
               from (select *,
                            row_number() over (partition by measure_id, variant, group_dimension, group_value
                                               order by fy_end desc) as recency,
                            count(value) over (partition by measure_id, variant, group_dimension, group_value) = 0
                                as every_value_withheld
                     from bi_spc_yearly_chart
                     where organisation_code = ? and breakdown_type = 'overall')
               where recency = 1
               order by measure_id, group_value""",
            [organisation_code]))

    def gender_pay_gap_filings(self, organisation_code: str) -> list[dict]:
        """The trust's own GOV.UK gender pay gap returns."""
        if not self.has("bi_gender_pay_gap_published"):
            return []
        return _dicts(self.con.execute(
            "select * from bi_gender_pay_gap_published where organisation_code = ? order by reporting_year",
            [organisation_code]))

    def targets(self, organisation_code: str) -> list[dict]:
        if not self.has("bi_hia6_target_progress"):
            return []
        return _dicts(self.con.execute(
            "select * from bi_hia6_target_progress where organisation_code = ? "
            "order by measure_id, breakdown_value, group_dimension, group_value", [organisation_code]))

    def provenance(self) -> list[dict]:
        if not self.has("bi_refresh"):
            return []
        return _dicts(self.con.execute("select * from bi_refresh order by source"))


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@contextmanager
def open_extract(warehouse_dir: Path) -> Iterator[Extract]:
    path = bi_file_path(warehouse_dir)
    if not path.exists():
        raise ReportDataError(f"no BI extract at {path}: run `edi refresh` first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield Extract(con)
    finally:
        con.close()
