"""The content of a trust's board page, section by section, from the BI extract.

Every number on a page is a cell of a `Table` built here from one bi_edi_measure row (its key is kept
with the cell, so a test or an auditor can find the row); every chart is drawn from the same rows as
the table printed under it. A section with nothing to show says so in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from orchestration.reports import charts
from orchestration.reports.extract import CatalogueEntry, Extract, Measure, Trust
from orchestration.reports.formatting import (
    WITHHELD, change, count, counts, flags, fy_label, gap_verdict, interval, likelihood_verdict, number,
)

ALL_WITHHELD = ("Every value of this series is withheld to protect privacy (small numbers), so no chart, "
                "variation or assurance is shown.")
LIMITS_WITHHELD = ("Where a value is withheld, its segment shows no mean or limits: with them the withheld "
                   "values could be worked out.")
CLUSTERS = ("C1", "C2", "C3", "C4", "M1", "M2", "M3", "all")
CLUSTER_LABELS = {"C1": "Bands 1-4", "C2": "Bands 5-7", "C3": "Bands 8a-8b", "C4": "Bands 8c-9 and VSM",
                  "M1": "Consultants", "M2": "Career grade doctors", "M3": "Doctors in training", "all": "All staff"}
ETHNIC_GROUPS_5 = ("White", "Mixed or Multiple", "Asian", "Black", "Other")
PROTECTED = {"WRES": ("BME", "White"), "WDES": ("Disabled", "Non-disabled")}
RL_WINDOW_PREFERENCE = ("pooled", "single_year", "mean_of_annual_rl", "default")
PAY_MEASURES = ("pay_gap_mean_hourly_pct", "pay_gap_median_hourly_pct", "bonus_gap_mean_pct", "bonus_gap_median_pct")
PAY_GROUPS = (("sex", "default", "Female", "Women compared with men"),
              ("ethnicity", "wres_white", "BME", "BME staff compared with White staff (WRES groups)"),
              ("ethnicity", "white_british", "All ethnic minorities",
               "All ethnic minorities compared with White British staff"),
              ("disability", "default", "Disabled", "Disabled compared with non-disabled staff"))
# High Impact Action 3 (2026): the other protected characteristics and the intersections.
MORE_PAY_GROUPS = (("age_band", "default", "Age band"), ("religion", "default", "Religion or belief"),
                   ("sexual_orientation", "default", "Sexual orientation"),
                   ("sex_ethnicity", "wres", "Sex and ethnicity (WRES groups)"),
                   ("sex_ethnicity", "census_2021_5", "Sex and ethnicity (5 groups)"),
                   ("sex_disability", "default", "Sex and disability"))
QUARTILE_GROUPS = (("sex", "default", "Women and men"),
                   ("ethnicity", "wres_white", "Ethnic groups (WRES)"),
                   ("disability", "default", "Disabled and non-disabled staff"))
ETHNIC_MINORITIES = "All ethnic minority groups"
HIA6_RATES = ("hia6_incidents_per_1000", "hia6_staff_affected_per_1000")
HIA6_LIKELIHOODS = ("rl_bme_vs_white_affected_by_incident", "rl_disabled_vs_nondisabled_affected_by_incident",
                    "rl_female_vs_male_affected_by_incident")
HIA6_SURVEY = ("hia6a_bullying_from_managers_or_team_pct", "hia6b_discrimination_from_managers_or_team_pct")
HIA6_ALL_INCIDENTS = "all|all"
DECLARATION = ("declaration_known_pct", "declaration_not_stated_pct", "declaration_missing_pct")
MIN_DOTS = 3
COMPARISON_SET_LABELS = {"peers": "Like-for-like peers", "region": "Region", "england": "England"}


@dataclass
class Cell:
    text: str
    key: str | None = None  # the bi_edi_measure row behind the number
    numeric: bool = False


@dataclass
class Table:
    id: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Figure:
    id: str
    chart: charts.Chart
    table: Table
    icons: list[charts.Chart] = field(default_factory=list)
    note: str | None = None


@dataclass
class Section:
    id: str
    title: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sentences shown after the tables

    @property
    def is_empty(self) -> bool:
        return not any(t.rows for t in self.tables) and not self.figures


@dataclass
class Period:
    latest: date
    previous: date | None

    @property
    def latest_label(self) -> str:
        return fy_label(self.latest)

    @property
    def previous_label(self) -> str:
        return fy_label(self.previous) if self.previous else "previous year"


class Rows:
    """One trust's measure rows, indexed for lookup by (fy_end, measure, variant, breakdown, group)."""

    def __init__(self, measures: Iterable[Measure]):
        self.by_key: dict[tuple, Measure] = {}
        self.by_measure: dict[str, list[Measure]] = defaultdict(list)
        for m in measures:
            self.by_key[(m.fy_end, m.measure_id, m.variant, m.breakdown_type, m.breakdown_value,
                         m.group_dimension, m.group_value)] = m
            self.by_measure[m.measure_id].append(m)

    def get(self, fy_end: date | None, measure_id: str, variant: str, breakdown_type: str, breakdown_value: str,
            group_dimension: str, group_value: str) -> Measure | None:
        return self.by_key.get((fy_end, measure_id, variant, breakdown_type, breakdown_value, group_dimension,
                                group_value))

    def variants(self, measure_id: str) -> set[str]:
        return {m.variant for m in self.by_measure.get(measure_id, [])}

    def where(self, measure_id: str, fy_end: date, **match: str) -> list[Measure]:
        return [m for m in self.by_measure.get(measure_id, [])
                if m.fy_end == fy_end and all(getattr(m, k) == v for k, v in match.items())]

    def previous(self, m: Measure, previous_fy: date | None) -> Measure | None:
        return self.get(previous_fy, m.measure_id, m.variant, m.breakdown_type, m.breakdown_value,
                        m.group_dimension, m.group_value)


def value_cell(m: Measure | None, signed: bool = False) -> Cell:
    if m is None:
        return Cell("no data")
    return Cell(number(m.value, m.value_unit, signed), m.key, numeric=True)


def change_cell(m: Measure | None, rows: Rows, period: Period) -> Cell:
    before = rows.previous(m, period.previous) if m else None
    return Cell(change(m.value if m else None, before.value if before else None, m.value_unit if m else ""),
                numeric=True)


def flags_cell(*measures: Measure | None) -> Cell:
    words = []
    for m in measures:
        for word in flags(m) if m else []:
            if word not in words:
                words.append(word)
    return Cell("; ".join(words) or "none")


def pick_variant(rows: Rows, measure_id: str, preference: Sequence[str]) -> str:
    present = rows.variants(measure_id)
    return next((v for v in preference if v in present), "default")


# ---- 1. Headline: WRES 1-9 and WDES 1-10 in the national return's order --------------------------------

HEADLINE_HEADERS = ["Indicator", "Measure", "Value", "Groups (counts)", "95% CI", "What it says",
                    "Change since last year", "Flags"]


def headline_section(rows: Rows, catalogue: dict[str, CatalogueEntry], period: Period, window: str) -> Section:
    section = Section("headline", f"Headline: WRES and WDES, {period.latest_label}",
                      "Each indicator as in the national return, with both groups' counts, the 95% confidence "
                      "interval and the change since last year. Counts are rounded to the nearest 5. A relative "
                      "likelihood whose interval includes 1 is reported as no clear difference.")
    for standard in ("WRES", "WDES"):
        table = Table(f"headline-{standard.lower()}", f"{standard} indicators, {period.latest_label}",
                      HEADLINE_HEADERS)
        entries = sorted((e for e in catalogue.values() if e.standard == standard),
                         key=lambda e: _indicator_order(e.indicator_code))
        for entry in entries:
            table.rows.extend(_headline_rows(rows, entry, period, window, PROTECTED[standard]))
        section.tables.append(table)
        section.tables.append(band_table(rows, standard, period))
    return section


def _indicator_order(code: str | None) -> tuple:
    digits = "".join(ch for ch in (code or "") if ch.isdigit())
    return (int(digits) if digits else 99, code or "")


def _headline_rows(rows: Rows, entry: CatalogueEntry, period: Period, window: str,
                   groups: tuple[str, str]) -> list[list[Cell]]:
    kind = entry.measure_kind
    label = Cell(_without_code(entry.measure_label))
    code = Cell(f"{entry.standard} {entry.indicator_code}")
    if kind == "relative_likelihood":
        variant = pick_variant(rows, entry.measure_id, (window, *RL_WINDOW_PREFERENCE))
        m = next(iter(rows.where(entry.measure_id, period.latest, variant=variant, breakdown_type="overall")), None)
        if m is None:
            return [[code, label, Cell("no data"), Cell("–"), Cell("–"), Cell("no data for this year"), Cell("–"),
                     Cell("none")]]
        return [[code, label, value_cell(m),
                 Cell(f"{m.group_value}: {counts(m.numerator, m.denominator)}; "
                      f"{m.reference_group}: {counts(m.reference_numerator, m.reference_denominator)}"),
                 Cell(interval(m)), Cell(likelihood_verdict(m, entry.protected_group)),
                 change_cell(m, rows, period), flags_cell(m)]]
    if kind in ("survey_pct", "survey_score"):
        protected, reference = groups
        mine = rows.get(period.latest, entry.measure_id, "default", "overall", "all", _dimension(groups), protected)
        theirs = rows.get(period.latest, entry.measure_id, "default", "overall", "all", _dimension(groups), reference)
        gap = rows.get(period.latest, entry.measure_id, "gap_vs_reference", "overall", "all", _dimension(groups),
                       protected)
        if mine is None and theirs is None:
            return [[code, label, Cell("no data"), Cell("–"), Cell("–"), Cell("no survey data for this year"),
                     Cell("–"), Cell("none")]]
        group_text = "; ".join(f"{m.group_value} {number(m.value, m.value_unit)} ({_respondents(m)})"
                               for m in (mine, theirs) if m is not None)
        says = (f"{gap_verdict(gap.value, entry.higher_is_better, protected)} "
                f"({number(gap.value, 'pp' if gap.value_unit == 'percent' else gap.value_unit, signed=True)})"
                if gap else "no comparison group")
        return [[code, label, value_cell(mine), Cell(group_text), Cell("–"), Cell(says, gap.key if gap else None),
                 change_cell(mine, rows, period), flags_cell(mine, theirs, gap)]]
    if kind == "gap_pp":
        out = []
        for m in rows.where(entry.measure_id, period.latest, variant="default", breakdown_type="board_role"):
            out.append([code, Cell(f"{_without_code(entry.measure_label)} ({m.breakdown_value.replace('_', ' ')} members)"),
                        value_cell(m, signed=True),
                        Cell(f"board: {counts(m.numerator, m.denominator)}; workforce: "
                             f"{counts(m.reference_numerator, m.reference_denominator)}"),
                        Cell("–"), Cell(_board_verdict(m)), change_cell(m, rows, period), flags_cell(m)])
        return out or [[code, label, Cell("no data"), Cell("–"), Cell("–"), Cell("no data for this year"),
                        Cell("–"), Cell("none")]]
    if kind == "share":
        protected = groups[0]
        m = rows.get(period.latest, entry.measure_id, "default", "cluster", "all", _dimension(groups), protected)
        return [[code, label, value_cell(m), Cell(f"{protected}: {counts(m.numerator, m.denominator) if m else '–'}"),
                 Cell("–"), Cell(f"share of all staff who are {protected}; by band below"),
                 change_cell(m, rows, period), flags_cell(m)]]
    return []


def _without_code(label: str) -> str:
    """'WRES 2 - relative likelihood ...' -> 'Relative likelihood ...': the code has its own column."""
    head, _, rest = label.partition(" - ")
    return rest[:1].upper() + rest[1:] if rest and head.split(" ")[0] in PROTECTED else label


def _respondents(m: Measure) -> str:
    """A percentage's two counts; a score (the mean of answers) has respondents only."""
    return f"{count(m.denominator)} respondents" if m.value_unit == "score" else counts(m.numerator, m.denominator)


def _dimension(groups: tuple[str, str]) -> str:
    return "ethnicity" if groups[0] == "BME" else "disability"


def _board_verdict(m: Measure) -> str:
    if m.value is None:
        return "withheld"
    if abs(m.value) < 0.05:
        return "board matches the workforce"
    return (f"{m.group_value} share of the board {abs(m.value):.1f} pp "
            f"{'below' if m.value < 0 else 'above'} the workforce")


def band_table(rows: Rows, standard: str, period: Period) -> Table:
    """WRES 1 / WDES 1: each group's share of every band cluster, this year and last."""
    measure_id = "wres1_share_of_cluster" if standard == "WRES" else "wdes1_share_of_cluster"
    protected, reference = PROTECTED[standard]
    dimension = _dimension(PROTECTED[standard])
    table = Table(f"bands-{standard.lower()}", f"{standard} 1: share of each band cluster, {period.latest_label}",
                  ["Cluster", protected, reference, "Unknown", f"{protected} {period.previous_label}", "Flags"])
    for cluster in CLUSTERS:
        cells = [rows.get(period.latest, measure_id, "default", "cluster", cluster, dimension, g)
                 for g in (protected, reference, "Unknown")]
        if not any(cells):
            continue
        before = rows.get(period.previous, measure_id, "default", "cluster", cluster, dimension, protected)
        table.rows.append([Cell(CLUSTER_LABELS[cluster]), *[value_cell(c) for c in cells],
                           value_cell(before), flags_cell(*cells)])
    return table


# ---- 2. SPC charts ------------------------------------------------------------------------------------

def spc_section(series: list[dict]) -> Section:
    section = Section("spc", "Statistical process control (Making Data Count)",
                      "XmR charts of every monthly and quarterly series: the mean, the process limits, and the "
                      "points that show special cause variation, marked as improving, concerning or neither. "
                      "Limits from fewer than 12 points are trial limits.")
    for index, s in enumerate(series):
        points = [charts.SpcPoint(
            period_end=p["period_end"], value=p["value"], centre=p["centre"], upl=p["upl"], lpl=p["lpl"],
            upper_2sigma=p["upper_2sigma"], lower_2sigma=p["lower_2sigma"], segment=p["segment"],
            is_rebase_start=bool(p["is_rebase_start"]), limits_status=p["limits_status"],
            special_cause_rule=p["special_cause_rule"], variation=p["variation"],
            is_immature=bool(p["is_immature"])) for p in s["points"]]
        if not points:
            continue
        unit = points and s["points"][0]["value_unit"]
        title = _spc_title(s)
        chart = charts.xmr_chart(title, _unit_label(unit), points, s["higher_is_better"])
        table = Table(f"spc-{index}-data", f"Data behind the chart: {title}",
                      ["Period", "Value", "Mean", "Lower limit", "Upper limit", "Variation", "Note"])
        for p in s["points"]:
            table.rows.append([Cell(p["period_end"].strftime("%b %Y")), Cell(number(p["value"], unit), numeric=True),
                               Cell(_plain(p["centre"]), numeric=True), Cell(_plain(p["lpl"]), numeric=True),
                               Cell(_plain(p["upl"]), numeric=True), Cell(_variation_words(p)),
                               Cell(_point_note(p))])
        if all(p.value is None for p in points):  # nothing to see: no icon may speak for hidden values
            section.figures.append(Figure(f"spc-{index}", chart, table, [], ALL_WITHHELD))
            continue
        icons = [charts.variation_icon(s["variation_icon"])] if s.get("variation_icon") else []
        if s.get("assurance"):
            icons.append(charts.assurance_icon(s["assurance"]))
        note = LIMITS_WITHHELD if any(p["limits_withheld"] for p in s["points"]) else None
        section.figures.append(Figure(f"spc-{index}", chart, table, icons, note))
    return section


def _spc_title(s: dict) -> str:
    """'SPC - appointed from shortlisting (monthly %)' -> 'Appointed from shortlisting (monthly %)'."""
    label = (s["points"][0].get("measure_label") or s["measure_id"]).removeprefix("SPC - ")
    period = "monthly" if s["points"][0]["period_type"] == "month" else "quarterly"
    label = label[:1].upper() + label[1:]
    return label if period in label else f"{label} ({period})"


def _unit_label(unit: str | None) -> str:
    return {"percent": "Percent", "per_1000": "Per 1,000 staff"}.get(unit or "", unit or "")


def _plain(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _variation_words(p: dict) -> str:
    if p["is_immature"]:
        return "not yet complete"
    variation = p["variation"]
    if not p["special_cause_rule"] or variation in (None, "common_cause"):
        return "common cause"
    return f"special cause, {variation} ({p['special_cause_rule'].replace('_', ' ')})"


def _point_note(p: dict) -> str:
    notes = []
    if p["is_rebase_start"]:
        notes.append("limits rebased here")
    if p["limits_status"] == "trial":
        notes.append("trial limits")
    if p["value"] is None:
        notes.append("withheld")
    return "; ".join(notes)


# ---- 3. Representation vs the local population --------------------------------------------------------

def representation_section(rows: Rows, trust: Trust, period: Period) -> Section:
    section = Section("representation", f"Workforce and local population, {period.latest_label}",
                      f"The workforce's ethnic mix in each band cluster against the residents of "
                      f"{trust.icb_name or 'the trust’s ICB'} (Census 2021), with the share of staff whose "
                      f"ethnicity is unknown beside it. Each cell reads: workforce share (catchment share).")
    table = Table("representation-clusters", "Workforce share (catchment share) by band cluster and ethnic group",
                  ["Cluster", *ETHNIC_GROUPS_5, "Unknown ethnicity", "Flags"])
    bars = []
    for cluster in CLUSTERS:
        workforce = [rows.get(period.latest, "representation_workforce_share_pct", "default", "cluster", cluster,
                              "ethnicity", group) for group in ETHNIC_GROUPS_5]
        if not any(workforce):
            continue
        population = [rows.get(period.latest, "representation_population_share_pct", "default", "cluster", cluster,
                               "ethnicity", group) for group in ETHNIC_GROUPS_5]
        unknown = rows.get(period.latest, "representation_unknown_rate_pct", "default", "cluster", cluster,
                           "ethnicity", "Unknown")
        table.rows.append([Cell(CLUSTER_LABELS[cluster]),
                           *[_against(w, p) for w, p in zip(workforce, population)],
                           value_cell(unknown), flags_cell(*workforce, unknown)])
        if cluster == "all":
            for group, w, p in zip(ETHNIC_GROUPS_5, workforce, population):
                bars += [charts.ComparisonRow(group, "Workforce", w.value if w else None),
                         charts.ComparisonRow(group, "Catchment (Census 2021)", p.value if p else None)]
    section.tables.append(table)
    if bars:
        chart = charts.comparison_bars("All staff against the ICB catchment, by ethnic group", "Percent", bars)
        section.figures.append(Figure("representation-chart", chart, _subset(table, CLUSTER_LABELS["all"],
                                                                             "representation-chart-data")))
    detail = Table("representation-detail", "All staff by detailed ethnic group (where disclosure control allows)",
                   ["Ethnic group", "Workforce", "Catchment (Census 2021)", "Ratio"])
    for m in rows.where("representation_workforce_share_pct", period.latest, breakdown_value="all",
                        group_dimension="ethnicity_16"):
        if m.value is None:
            continue
        population = rows.get(period.latest, "representation_population_share_pct", "default", "cluster", "all",
                              "ethnicity_16", m.group_value)
        ratio = rows.get(period.latest, "representation_ratio", "default", "cluster", "all", "ethnicity_16",
                         m.group_value)
        detail.rows.append([Cell(m.group_value), value_cell(m), value_cell(population), value_cell(ratio)])
    section.tables.append(detail)
    return section


def _against(workforce: Measure | None, population: Measure | None) -> Cell:
    """'80.7% (88.7%)': the workforce share with the catchment share beside it; keyed to the workforce row."""
    if workforce is None:
        return Cell("no data")
    catchment = number(population.value, "percent") if population else "–"
    return Cell(f"{number(workforce.value, 'percent')} ({catchment})", workforce.key, numeric=True)


def _subset(table: Table, first_cell: str, new_id: str) -> Table:
    return Table(new_id, f"Data behind the chart: {table.caption.lower()} (all staff)", table.headers,
                 [row for row in table.rows if row[0].text == first_cell])


# ---- 4. Pay gaps --------------------------------------------------------------------------------------

def pay_section(rows: Rows, published: list[dict], period: Period) -> Section:
    section = Section("pay", f"Pay gaps, snapshot 31 March {period.latest.year}",
                      "Mean and median gaps in hourly pay and in bonus pay, as a percentage of the reference "
                      "group's pay (positive: the group is paid less). Gender figures follow the gender pay gap "
                      "regulations; the trust's own GOV.UK filing is shown beside them where there is one.")
    table = Table("pay-gaps", "Pay and bonus gaps", ["Comparison", "Measure", "Gap", "Group (count)",
                                                     "Change since last year", "Flags"])
    for dimension, variant, group, label in PAY_GROUPS:
        for measure_id in PAY_MEASURES:
            m = rows.get(period.latest, measure_id, variant, "overall", "all", dimension, group)
            if m is None:
                continue
            table.rows.append([Cell(label), Cell(m.measure_label), value_cell(m),
                               Cell(f"{m.group_value}: {count(m.numerator)}; {m.reference_group}: "
                                    f"{count(m.reference_denominator)}"),
                               change_cell(m, rows, period), flags_cell(m)])
    section.tables.append(table)
    section.tables.append(_published_table(published, rows, period))
    section.tables.append(_more_pay_table(rows, period))
    for dimension, variant, label in QUARTILE_GROUPS:
        shares = [m for m in rows.where("pay_quartile_share_pct", period.latest, variant=variant,
                                        group_dimension=dimension, breakdown_type="quartile")]
        if not shares:
            continue
        data = Table(f"quartiles-{dimension}-data", f"Pay quarters: {label.lower()}", ["Quarter", "Group", "Share"],
                     [[Cell(m.breakdown_value), Cell(m.group_value), value_cell(m)] for m in shares])
        chart = charts.quartile_chart(f"Who is in each pay quarter: {label.lower()}",
                                      _quartile_bars(shares, dimension, data))
        section.figures.append(Figure(f"quartiles-{dimension}", chart, data))
    return section


def _more_pay_table(rows: Rows, period: Period) -> Table:
    """Median and mean hourly gaps for every other characteristic and intersection, with the share of
    the population the groups are drawn from who did not state it (for an intersection, each sex)."""
    table = Table("pay-more", "Other protected characteristics and where they intersect (median and mean "
                  "hourly pay gap against the reference group)",
                  ["Characteristic", "Group", "Reference group", "Median gap", "Mean gap", "Group (count)",
                   "Not stated", "Flags"])
    for dimension, variant, label in MORE_PAY_GROUPS:
        for median in rows.where("pay_gap_median_hourly_pct", period.latest, variant=variant,
                                 group_dimension=dimension, breakdown_type="overall"):
            mean = rows.get(period.latest, "pay_gap_mean_hourly_pct", variant, "overall", "all", dimension,
                            median.group_value)
            stratum = median.group_value.split(" & ")[0] if " & " in median.group_value else "all"
            not_stated = rows.get(period.latest, "pay_not_stated_pct", variant, "overall", "all", dimension, stratum)
            table.rows.append([Cell(label), Cell(median.group_value), Cell(median.reference_group or "–"),
                               value_cell(median), value_cell(mean), Cell(count(median.numerator)),
                               value_cell(not_stated), flags_cell(median, mean)])
    return table


def _quartile_bars(shares: list[Measure], dimension: str, data: Table) -> list[charts.QuartileShare]:
    """The bars of a quartile chart. Ethnicity has up to 17 groups, too many to tell apart in a bar: it
    is drawn as White, Unknown and the rest together (100 - White - Unknown, from the published
    shares, listed as derived under the chart), while the table keeps every published group."""
    bars = [charts.QuartileShare(int(m.breakdown_value.lstrip("Q")), m.group_value, m.value) for m in shares]
    if dimension != "ethnicity":
        return bars
    condensed = []
    for quartile in sorted({b.quartile for b in bars}):
        white, unknown = (next((b.share_pct for b in bars if b.quartile == quartile and b.group == g), None)
                          for g in ("White", "Unknown"))
        rest = None if white is None or unknown is None else 100 - white - unknown
        condensed += [charts.QuartileShare(quartile, "White", white),
                      charts.QuartileShare(quartile, ETHNIC_MINORITIES, rest),
                      charts.QuartileShare(quartile, "Unknown", unknown)]
        data.rows.append([Cell(f"Q{quartile}"), Cell(f"{ETHNIC_MINORITIES} (derived: 100 - White - Unknown)"),
                          Cell(number(rest, "percent"), numeric=True)])
    return condensed


def _published_table(published: list[dict], rows: Rows, period: Period) -> Table:
    table = Table("pay-published", "Gender pay gap: the warehouse beside the trust's GOV.UK filing",
                  ["Measure", "This warehouse", "GOV.UK filing", "Filing year"])
    # the filing of the same snapshot, else the latest one, marked as another year (GOV.UK data lags)
    filing = next((p for p in published if p["snapshot_date"] == period.latest),
                  max(published, key=lambda p: p["snapshot_date"], default=None))
    year = "–"
    if filing:
        year = filing["reporting_year"]
        if filing["snapshot_date"] != period.latest:
            year += f" (snapshot {filing['snapshot_date']:%d %B %Y}: not the same year)"
    pairs = (("pay_gap_mean_hourly_pct", "mean_hourly_gap_pct"), ("pay_gap_median_hourly_pct", "median_hourly_gap_pct"),
             ("bonus_gap_mean_pct", "mean_bonus_gap_pct"), ("bonus_gap_median_pct", "median_bonus_gap_pct"))
    for ours, theirs in pairs:
        m = rows.get(period.latest, ours, "default", "overall", "all", "sex", "Female")
        filed = filing.get(theirs) if filing else None
        table.rows.append([Cell(m.measure_label if m else ours), value_cell(m),
                           Cell(number(float(filed), "percent") if filed is not None else "no filing", numeric=True),
                           Cell(year)])
    return table


# ---- 5. HIA6 --------------------------------------------------------------------------------------------

def hia6_section(rows: Rows, period: Period, targets: list[dict] | None = None) -> Section:
    section = Section("hia6", f"Harassment, bullying and violence (High Impact Action 6), {period.latest_label}",
                      "Incidents reported through the incident system per 1,000 staff in each group, the relative "
                      "likelihood of being affected, progress against the trust's target, and the staff survey "
                      "questions 6a and 6b.")
    rates = Table("hia6-rates", "Incidents and staff affected per 1,000 staff, by group (all incident types)",
                  ["Measure", "Group", "Value", "Counts", "Change since last year", "Flags"])
    for measure_id in HIA6_RATES:
        for m in rows.where(measure_id, period.latest, breakdown_value=HIA6_ALL_INCIDENTS, variant="default"):
            if m.group_value == "unmatched":
                continue
            rates.rows.append([Cell(m.measure_label), Cell(_group_label(m)), value_cell(m),
                               Cell(counts(m.numerator, m.denominator)), change_cell(m, rows, period), flags_cell(m)])
    likelihoods = Table("hia6-likelihoods", "Relative likelihood of being affected by an incident (all types)",
                        ["Comparison", "Value", "95% CI", "What it says", "Flags"])
    for measure_id in HIA6_LIKELIHOODS:
        for m in rows.where(measure_id, period.latest, breakdown_value=HIA6_ALL_INCIDENTS):
            likelihoods.rows.append([Cell(f"{m.group_value} vs {m.reference_group}"), value_cell(m),
                                     Cell(interval(m)), Cell(likelihood_verdict(m, m.group_value)), flags_cell(m)])
    target_table = Table("hia6-targets", "Progress against the trust's targets",
                         ["Measure", "Group", "Baseline", "Target", "Latest", "On track", "Target met"])
    for t in targets or []:
        unit = "per_1000" if t["measure_id"].endswith("per_1000") else "percent"
        target_table.rows.append([
            Cell(f"{t['measure_id'].replace('_', ' ')} ({t['breakdown_value'].replace('|', ', ').replace('_', ' ')})"),
            Cell(t["group_value"]),
            Cell(f"{number(t['baseline_value'], unit)} in {fy_label(t['baseline_fy_end'])}"),
            Cell(f"{number(t['target_value'], unit)} by {fy_label(t['target_fy_end'])}"),
            Cell(f"{number(t['latest_value'], unit)} in {fy_label(t['latest_fy_end'])}" if t["latest_fy_end"] else "–"),
            Cell(_yes_no(t["on_track"])), Cell(_yes_no(t["target_met"]))])
    survey = Table("hia6-survey", "Staff survey: bullying (6a) and discrimination (6b) from managers or team",
                   ["Question", "Group", "Value", "Counts", "Change since last year", "Flags"])
    for measure_id in HIA6_SURVEY:
        for m in rows.where(measure_id, period.latest, variant="default"):
            survey.rows.append([Cell(m.measure_label), Cell(_group_label(m)), value_cell(m),
                                Cell(counts(m.numerator, m.denominator)), change_cell(m, rows, period), flags_cell(m)])
    if not target_table.rows:
        target_table.caption += ": the trust has set no HIA6 target (seed ref_measure_target)"
    section.tables += [rates, likelihoods, target_table, survey]
    return section


def _yes_no(flag: bool | None) -> str:
    return "not known (a value is withheld)" if flag is None else ("yes" if flag else "no")


def _group_label(m: Measure) -> str:
    return "All staff" if m.group_value == "all" else f"{m.group_value} ({m.group_dimension.replace('_', ' ')})"


# ---- 6. Declaration rates -------------------------------------------------------------------------------

def declaration_section(rows: Rows, period: Period) -> Section:
    section = Section("declaration", f"Declaration rates, {period.latest_label}",
                      "How many staff have told the trust each characteristic. A low declaration rate makes every "
                      "figure for that characteristic less certain.")
    table = Table("declaration-rates", "Declared, not stated and missing, by characteristic",
                  ["Characteristic", "Declared", "Not stated", "Missing", f"Declared {period.previous_label}"])
    dimensions = sorted({m.group_dimension for m in rows.by_measure.get("declaration_known_pct", [])})
    for dimension in dimensions:
        cells = [next(iter(rows.where(measure_id, period.latest, group_dimension=dimension)), None)
                 for measure_id in DECLARATION]
        if not any(cells):
            continue
        before = rows.previous(cells[0], period.previous) if cells[0] else None
        table.rows.append([Cell(dimension.replace("_", " ").capitalize()), *[value_cell(c) for c in cells],
                           value_cell(before)])
    section.tables.append(table)
    esr = next(iter(rows.where("esr_disabled_share_pct", period.latest)), None)
    survey = next(iter(rows.where("survey_disabled_share_pct", period.latest)), None)
    gap = Table("declaration-disability", "Disability: recorded in ESR against declared in the staff survey",
                ["Source", "Disabled share", "Counts"])
    for label, m in (("ESR (staff record)", esr), ("NHS Staff Survey", survey)):
        if m is not None:
            gap.rows.append([Cell(label), value_cell(m), Cell(counts(m.numerator, m.denominator))])
    if esr and survey and esr.value is not None and survey.value is not None:
        gap.rows.append([Cell("Gap (survey minus ESR)"), Cell(number(survey.value - esr.value, "pp"), numeric=True),
                         Cell("staff who tell the survey but not their record")])
    section.tables.append(gap)
    return section


# ---- 6b. Differential attainment of doctors in training ------------------------------------------------

ATTAINMENT_LIKELIHOODS = ("rl_uk_bme_vs_uk_white_non_standard_arcp_outcome", "rl_eea_vs_uk_white_non_standard_arcp_outcome",
                          "rl_img_vs_uk_white_non_standard_arcp_outcome", "rl_female_vs_male_non_standard_arcp_outcome",
                          "rl_disabled_vs_nondisabled_non_standard_arcp_outcome")
ATTAINMENT_GROUPS = ("UK White", "UK BME", "EEA", "IMG", "UK Unknown", "Unknown")


def attainment_section(rows: Rows, period: Period, yearly: list[dict], min_years: int) -> Section:
    section = Section("attainment", f"Differential attainment of doctors in training, {period.latest_label}",
                      "How likely the trust's doctors in training are to receive a non-standard ARCP outcome (2, 3 "
                      "or 4 among outcomes 1-4 and 6; incomplete evidence, out of programme and COVID outcomes are "
                      "left out, as in the GMC's analyses), how often they pass a postgraduate exam first time, and "
                      "what they say in the National Education and Training Survey, by group. UK White graduates "
                      "are the reference group for place of qualification and ethnicity; men and non-disabled "
                      "trainees for sex and disability.")
    arcp = Table("attainment-arcp", "Relative likelihood of a non-standard ARCP outcome",
                 ["Comparison", "Value", "Groups (counts)", "95% CI", "What it says", "Change since last year", "Flags"])
    for measure_id in ATTAINMENT_LIKELIHOODS:
        for m in rows.where(measure_id, period.latest, breakdown_type="overall"):
            arcp.rows.append([Cell(f"{m.group_value} vs {m.reference_group}"), value_cell(m),
                              Cell(f"{m.group_value}: {counts(m.numerator, m.denominator)}; "
                                   f"{m.reference_group}: {counts(m.reference_numerator, m.reference_denominator)}"),
                              Cell(interval(m)), Cell(likelihood_verdict(m, m.group_value, "trainees")),
                              change_cell(m, rows, period), flags_cell(m)])
    exams = Table("attainment-exams", "First-attempt pass rate of postgraduate exams, and its gap to UK White graduates",
                  ["Group", "Pass rate", "Passed of sat", "95% CI", "Gap to UK White", "Gap 95% CI", "Flags"])
    rates = {m.group_value: m for m in rows.where("first_attempt_pass_rate_pct", period.latest)}
    gaps = {m.group_value: m for m in rows.where("first_attempt_pass_gap_pp", period.latest)}
    for group in ATTAINMENT_GROUPS:
        rate, gap = rates.get(group), gaps.get(group)
        if rate is None:
            continue
        exams.rows.append([Cell(group), value_cell(rate), Cell(counts(rate.numerator, rate.denominator)),
                           Cell(interval(rate)), value_cell(gap, signed=True) if gap else Cell("–"),
                           Cell(interval(gap)) if gap else Cell("–"), flags_cell(rate, gap)])
    section.tables += [arcp, exams, nets_table(rows, period)]
    if yearly:
        section.tables.append(attainment_spc_table(yearly))
    else:
        years = len({m.fy_end for measure_id in ATTAINMENT_LIKELIHOODS for m in rows.by_measure.get(measure_id, [])})
        section.notes.append(f"Year-on-year control charts (XmR) start once a series has {min_years} years of "
                             f"results; this warehouse holds {years}, so the figures above are yearly estimates "
                             f"with 95% confidence intervals.")
    return section


ATTAINMENT_SPC_MEASURES = {**{m: "Non-standard ARCP outcome (relative likelihood)" for m in ATTAINMENT_LIKELIHOODS},
                           "first_attempt_pass_rate_pct": "First-attempt exam pass rate",
                           "first_attempt_pass_gap_pp": "First-attempt pass rate gap"}


def attainment_spc_table(yearly: list[dict]) -> Table:
    """The latest year of each yearly control chart (bi_spc_yearly_chart) of the whole trust, ARCP
    comparisons first. Published values come from rounded counts while the limits and classes come from
    the exact ones, so the caption says a shown value may sit beyond a limit it did not cross."""
    order = list(ATTAINMENT_SPC_MEASURES)
    shown = sorted((p for p in yearly if not p["every_value_withheld"] and p["measure_id"] in ATTAINMENT_SPC_MEASURES),
                   key=lambda p: (order.index(p["measure_id"]), _group_rank(p["group_value"])))
    caption = ("Year-on-year control charts (XmR) of each comparison: the latest year against the mean and "
               "process limits of every year; published values come from counts rounded to 5, the limits "
               "and variation from the exact counts")
    left_out = sum(1 for p in yearly if p["every_value_withheld"])
    if left_out:
        caption += f"; {left_out} series with every value withheld (too small) not listed"
    table = Table("attainment-spc", caption,
                  ["Measure", "Group", "Years", "Latest", "Mean", "Process limits", "Latest year's variation"])
    for p in shown:
        unit = p["value_unit"]
        group = f"{p['group_value']} vs {p['reference_group']}" if p["reference_group"] else p["group_value"]
        if p["limits_withheld"]:
            mean, limits = Cell(WITHHELD), Cell(WITHHELD)
        else:
            mean = Cell(number(p["centre"], unit), numeric=True)
            limits = Cell(f"{number(p['lpl'], unit)} to {number(p['upl'], unit)}"
                          + (" (trial)" if p["limits_status"] == "trial" else ""))
        table.rows.append([Cell(ATTAINMENT_SPC_MEASURES[p["measure_id"]]), Cell(group), Cell(str(p["series_years"])),
                           Cell(number(p["value"], unit), numeric=True), mean, limits,
                           Cell(_variation_words({**p, "is_immature": False}))])
    return table


def _group_rank(group: str) -> int:
    return ATTAINMENT_GROUPS.index(group) if group in ATTAINMENT_GROUPS else len(ATTAINMENT_GROUPS)


def short_interval(m: Measure) -> str:
    """A percentage's CI without the unit repeated, for a table of many percentages: 41.7–84.8."""
    if m.ci_lower is None or m.ci_upper is None:
        return "–"
    return f"{m.ci_lower:.1f}–{m.ci_upper:.1f}"


NETS_INDICATORS = (("nets_overall_pct", "Satisfied overall"), ("nets_supervision_pct", "Good supervision"),
                   ("nets_bullying_pct", "Bullying or undermining"), ("nets_recommend_pct", "Would recommend"),
                   ("nets_handover_pct", "Good handover"))


def nets_table(rows: Rows, period: Period) -> Table:
    """NETS by programme and group, one line per programme x group and one column per indicator: a
    line per indicator too listed every result (170 lines on a 3-trust demo page). Lines with nothing
    published are left out and counted in the caption; the BI extract holds every row and its flags."""
    results = {(m.breakdown_value, m.group_dimension, m.group_value, measure_id): m
               for measure_id, _ in NETS_INDICATORS for m in rows.where(measure_id, period.latest)}
    lines = {key[:3] for key in results}
    shown = sorted((line for line in lines
                    if any(m.value is not None for key, m in results.items() if key[:3] == line)),
                   key=lambda line: (line[0], line[1] != "all", line[1], line[2]))
    caption = ("National Education and Training Survey: % giving each answer by programme and group "
               "(95% CI)")
    if len(lines) > len(shown):
        left_out = len(lines) - len(shown)
        caption += f"; {left_out} group{'s' if left_out != 1 else ''} with every result withheld (too small) not listed"
    table = Table("attainment-nets", caption, ["Programme", "Group", *(label for _, label in NETS_INDICATORS)])
    for programme, dimension, group in shown:
        cells = []
        for measure_id, _ in NETS_INDICATORS:
            m = results.get((programme, dimension, group, measure_id))
            if m is None or m.value is None:
                cells.append(Cell("no data" if m is None else WITHHELD, numeric=True))  # aligned with the values
            else:
                cells.append(Cell(f"{number(m.value, m.value_unit)} ({short_interval(m)})", m.key, numeric=True))
        label = "All respondents" if group == "all" else f"{group} ({dimension.replace('_', ' ')})"
        table.rows.append([Cell(programme), Cell(label), *cells])
    return table


# ---- 7. Peers -------------------------------------------------------------------------------------------

PEER_MEASURES = (("rl_white_vs_bme_appointed_from_shortlisting", "overall"),
                 ("rl_bme_vs_white_entering_formal_disciplinary", "overall"),
                 ("rl_white_vs_bme_accessing_nonmandatory_training", "overall"),
                 ("rl_nondisabled_vs_disabled_appointed_from_shortlisting", "overall"),
                 ("pay_gap_median_hourly_pct", "overall"))


def peers_section(extract: Extract, rows: Rows, trust: Trust, period: Period, window: str) -> Section:
    section = Section("peers", f"Compared with peers, {period.latest_label}",
                      f"Where the trust sits among like-for-like {trust.trust_type or ''} trusts, its region and "
                      f"England: the percentile (100 = most favourable) and the peers' published values.")
    table = Table("peer-percentiles", "Percentile among comparison sets",
                  ["Measure", "Value", *COMPARISON_SET_LABELS.values()])
    for measure_id, breakdown in PEER_MEASURES:
        variant = pick_variant(rows, measure_id, (window, *RL_WINDOW_PREFERENCE))
        candidates = rows.where(measure_id, period.latest, variant=variant, breakdown_type=breakdown)
        if measure_id.startswith("pay_gap"):
            candidates = [m for m in candidates if m.group_dimension == "sex"]
        m = next(iter(candidates), None)
        if m is None or m.value is None:
            continue
        percentiles = extract.percentiles(trust.organisation_code, period.latest, m)
        table.rows.append([Cell(m.measure_label), value_cell(m), *[
            Cell(_percentile_words(percentiles.get(kind))) for kind in COMPARISON_SET_LABELS]])
        # like-for-like peers when there are a few, else every trust of the warehouse
        shown_set = "peers"
        peers = extract.peer_values(trust.organisation_code, period.latest, m, shown_set)
        if len(peers) < MIN_DOTS:
            shown_set = "england"
            peers = extract.peer_values(trust.organisation_code, period.latest, m, shown_set)
        if peers:
            parity = 1.0 if m.value_unit == "ratio" else 0.0
            chart = charts.dot_strip(m.measure_label, _unit_label(m.value_unit), peers, m.value,
                                     trust.organisation_name, parity)
            member = COMPARISON_SET_LABELS[shown_set]
            data = Table(f"peers-{measure_id}-data", f"{member}: published values of {m.measure_label}",
                         ["", "Value"], [[Cell("This trust"), value_cell(m)]]
                         + [[Cell(member), Cell(number(v, m.value_unit), numeric=True)] for v in peers])
            section.figures.append(Figure(f"peers-{measure_id}", chart, data))
    section.tables.append(table)
    return section


def _percentile_words(entry: tuple[float | None, int] | None) -> str:
    if entry is None:
        return "not compared"
    percentile, size = entry
    if percentile is None:
        return f"too few trusts to rank ({size})"
    return f"{percentile:.0f}th percentile of {size}"


# ---- 8. Provenance ---------------------------------------------------------------------------------------

def provenance(extract: Extract) -> dict:
    sources = extract.provenance()
    if not sources:
        return {"known": False}
    first = sources[0]
    return {
        "known": True, "run_id": first["run_id"], "published_at": first["published_at"],
        "content_version": first["content_version"], "code_version": first["code_version"],
        "files": sum(s["files_landed"] for s in sources),
        "hashes": sum(s["distinct_file_hashes"] for s in sources),
        "newest_file": max(s["newest_file_modified_at"] for s in sources),
        "sources": sources,
    }

