"""A differencing attacker on the published BI measure tables (metrics-spec §10), written apart from the
disclosure-control macros so that a gap in one is caught by the other.

The attacker reads the published rows of one or more BI tables, works out which population count each
published number is (the same count is published by several measures and tables), writes down every
linear relation "total = sum of parts" it knows between those counts, and tries to recover each
withheld count:

- a count withheld in one row but shown in another is recovered outright;
- `unprotected_cells`: a relation that holds exactly one withheld count gives it away by differencing
  (total minus the published parts) - every withheld count in a relation needs a withheld partner;
- `differencing_recoveries`: total minus published parts, repeated across relations and tables until
  nothing new comes out, also subtracting one relation from another when the withheld counts of one
  are among those of the other (a shared margin);
- `linear_recoveries`: the strongest form - a withheld count is recovered when the relations pin it to
  a single value whatever the other withheld counts are (its unit vector lies in the row space of the
  relations restricted to the withheld counts).

"Recovered" means the exact count is determined. Published counts are rounded to base 5, so the real
attacker only has each published count to within +-2; the attacks above take the published counts
as exact (as if the rounding could be undone, e.g. through an exact value published elsewhere), which
is the strict, worst case, and a determined count is checked against the true count. Rounding only
widens what differencing gives: `interval_recoveries` is the rounding-aware attacker (each published
count v is [v-2, v+2], 0 is exact), which counts a withheld count as recovered when its interval is
narrower than the rounding base, i.e. known as well as a published count would be.
"""

from __future__ import annotations

import calendar
import datetime

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

COUNT_COLUMNS = ("numerator", "denominator", "reference_numerator", "reference_denominator")
ROUNDING_BASE = 5

WORKFORCE_SHARES = {"wres1_share_of_cluster", "wdes1_share_of_cluster"}
REPRESENTATION = {"representation_workforce_share_pct", "representation_ratio", "representation_gap_pp",
                  "hia2d_representation_8c_plus_ratio"}
BOARD_PREFIXES = ("wres9_board", "wdes10_board")
SINGLE_YEAR_HEADCOUNT_RL = {"rl_bme_vs_white_entering_formal_disciplinary",
                            "rl_disabled_vs_nondisabled_entering_formal_capability_performance",
                            "rl_white_vs_bme_accessing_nonmandatory_training"}
HEADCOUNT_BREAKDOWNS = ("cluster", "clinical_cluster", "band", "clinical_band")
# HIA6 incidents to people outside the WRES population and matched to nobody: a group of every dimension
EVENTS_OUTSIDE_GROUPS = ("unmatched", "outside_population")
# every incident reported (the SPC series): those to the population ('all') and those outside it
REPORTED = "reported"
ETHNIC_5 = ["Asian", "Black", "Mixed or Multiple", "Other"]
# (total dimension, total group) = sum of (member dimension, member group); dimension None = everyone.
HEADCOUNT_PARTITIONS = [
    ((None, "all"), [("ethnicity", "known"), ("ethnicity", "Unknown")]),
    ((None, "all"), [("disability", "known"), ("disability", "Unknown")]),
    ((None, "all"), [("ethnicity", g) for g in ("White", "BME", "Unknown")]),
    (("ethnicity", "known"), [("ethnicity", "White"), ("ethnicity", "BME")]),
    (("ethnicity", "BME"), [("ethnicity", g) for g in ETHNIC_5]),
    (("ethnicity", "known"), [("ethnicity", g) for g in ["White", *ETHNIC_5]]),
    (("ethnicity", "Unknown"), [("ethnicity", "not_stated"), ("ethnicity", "missing")]),
    ((None, "all"), [("disability", g) for g in ("Disabled", "Non-disabled", "Unknown")]),
    (("disability", "known"), [("disability", "Disabled"), ("disability", "Non-disabled")]),
    (("disability", "Unknown"), [("disability", "not_stated"), ("disability", "missing")]),
    ((None, "all"), [("sex", "Female"), ("sex", "Male")]),
    *[((None, "all"), [(d, s) for s in ("known", "not_stated", "missing")])
      for d in ("ethnicity", "disability", "religion", "sexual_orientation")],
]
# Pay: the people each count of a pay row is, by measure and count column (the bonus gaps' sizes are
# bonus recipients: pay_bonus_recipients_only, the default).
PAY_POPULATIONS = {
    ("pay_gap_mean_hourly_pct", "numerator"): "full_pay_relevant",
    ("pay_gap_mean_hourly_pct", "reference_denominator"): "full_pay_relevant",
    ("pay_gap_median_hourly_pct", "numerator"): "full_pay_relevant",
    ("pay_gap_median_hourly_pct", "reference_denominator"): "full_pay_relevant",
    ("bonus_gap_mean_pct", "numerator"): "bonus_recipients",
    ("bonus_gap_mean_pct", "reference_denominator"): "bonus_recipients",
    ("bonus_gap_median_pct", "numerator"): "bonus_recipients",
    ("bonus_gap_median_pct", "reference_denominator"): "bonus_recipients",
    ("pct_paid_bonus", "numerator"): "bonus_recipients",
    ("pct_paid_bonus", "denominator"): "relevant",
    ("pay_not_stated_pct", "numerator"): "relevant",
    ("pay_not_stated_pct", "denominator"): "relevant",
}
SEXES = ("Male", "Female")  # the intersections cross men and women only
DISABILITY = ("Disabled", "Non-disabled", "Unknown")


def _pay_partitions() -> list:
    """Within a pay cell: each sex = its intersections with ethnicity (WRES groups; 5 groups) and with
    disability; sex & BME = its four 5-group intersections; an ethnicity / disability group = its sexes."""
    parts = []
    for sex in SEXES:
        for groups in (("White", "BME", "Unknown"), ("White", *ETHNIC_5, "Unknown")):
            parts.append((("sex", sex), [("sex_ethnicity", f"{sex} & {g}") for g in groups]))
        parts.append((("sex_ethnicity", f"{sex} & BME"), [("sex_ethnicity", f"{sex} & {g}") for g in ETHNIC_5]))
        parts.append((("sex", sex), [("sex_disability", f"{sex} & {g}") for g in DISABILITY]))
    for g in ("White", "BME", "Unknown"):
        parts.append((("ethnicity", g), [("sex_ethnicity", f"{sex} & {g}") for sex in SEXES]))
    for g in DISABILITY:
        parts.append((("disability", g), [("sex_disability", f"{sex} & {g}") for sex in SEXES]))
    return parts


PAY_PARTITIONS = _pay_partitions()
# characteristics whose groups split a pay cell once: the whole cell is the sum of their groups
PAY_SPLIT_ONCE = ("sex", "disability", "age_band", "religion", "sexual_orientation", "sex_disability")


@dataclass(frozen=True)
class Cell:
    """One count of people or events: population, trust, period, breakdown, group."""
    population: str
    organisation: str
    period_type: str
    period_end: object
    breakdown: str
    dimension: str | None
    group: str


def _headcount_group(row: dict, column: str) -> str | None:
    m, variant = row["measure_id"], row["variant"]
    headcount_rl = m.endswith("_affected_by_incident") or (variant == "single_year" and m in SINGLE_YEAR_HEADCOUNT_RL)
    if column == "numerator":
        if m in WORKFORCE_SHARES | REPRESENTATION or m in {"representation_unknown_rate_pct", "esr_disabled_share_pct"} \
                or m.startswith("spc_bme_share_8c_plus"):
            return row["group_value"]
        if m == "esr_disability_known_rate_pct":
            return "known"
        if m.startswith("declaration_"):
            return m.removeprefix("declaration_").removesuffix("_pct")
    elif column == "denominator":
        if m in WORKFORCE_SHARES:
            return "known" if variant == "known_only" else "all"
        if m in REPRESENTATION or m.startswith("spc_bme_share_8c_plus"):
            return "known"
        if m in {"representation_unknown_rate_pct", "esr_disabled_share_pct", "esr_disability_known_rate_pct"} \
                or m.startswith("declaration_") or (m.startswith("spc_") and "per_1000" in m):
            return "all"
        if (m.startswith("hia6") and m.endswith("per_1000")) or headcount_rl:
            return row["group_value"]
    elif column == "reference_numerator":
        if m.startswith(BOARD_PREFIXES):
            return row["group_value"]
    elif m.startswith(BOARD_PREFIXES):
        return "known" if variant == "known_only" else "all"
    elif headcount_rl:
        return row["reference_group"]
    return None


def _event_population(row: dict, column: str) -> str | None:
    m = row["measure_id"]
    if column == "numerator" and (m == "hia6_incidents_per_1000" or m.startswith("spc_incidents_per_1000")):
        return "incidents"
    if column == "numerator" and m == "hia6_staff_affected_per_1000":
        return "staff_affected"
    if column in ("numerator", "reference_numerator") and m.endswith("_affected_by_incident"):
        return "staff_affected"
    return None


def cell_of(row: dict, column: str) -> Cell:
    """The population count that `row[column]` publishes."""
    org, m = row["organisation_code"], row["measure_id"]
    own_group = row["reference_group"] if column.startswith("reference_") else row["group_value"]
    if (group := _headcount_group(row, column)) is not None:
        if m.startswith("spc_bme_share_8c_plus"):
            breakdown = "cluster:C4"
        elif row["breakdown_value"] == "all" or row["breakdown_type"] not in HEADCOUNT_BREAKDOWNS:
            breakdown = "trust"
        else:
            breakdown = f"{row['breakdown_type']}:{row['breakdown_value']}"
        return Cell("headcount", org, "snapshot", row["period_end"], breakdown,
                    None if group == "all" else row["group_dimension"], group)
    if (population := _event_population(row, column)) is not None:
        if m.startswith("spc_"):
            return Cell(population, org, row["period_type"], row["period_end"], "all|all", None, REPORTED)
        # everyone, and the incidents outside the population, are the same count in every dimension
        return Cell(population, org, row["period_type"], row["period_end"], row["breakdown_value"],
                    None if own_group in ("all", *EVENTS_OUTSIDE_GROUPS) else row["group_dimension"], own_group)
    if (pay := PAY_POPULATIONS.get((m, column))) is not None:
        return _pay_cell(row, column, pay)
    variant = {"gap_vs_reference": "default", "mean_of_annual_rl": "pooled"}.get(row["variant"], row["variant"])
    return Cell(f"{m}:{variant}", org, row["period_type"], row["period_end"],
                f"{row['breakdown_type']}:{row['breakdown_value']}", row["group_dimension"],
                f"{own_group}/{column.removeprefix('reference_')}")


def _pay_cell(row: dict, column: str, population: str) -> Cell:
    """A pay count: the same group is the same people whatever the variant (comparator)."""
    dimension, group = row["group_dimension"], row["reference_group"] if column.startswith("reference_") \
        else row["group_value"]
    if row["measure_id"] == "pay_not_stated_pct":  # the unknown part of a population, over the population
        if column == "numerator":
            group = "Unknown" if group == "all" else f"{group} & Unknown"
        else:
            dimension = None if group == "all" else "sex"
    return Cell(f"pay:{population}", row["organisation_code"], row["period_type"], row["period_end"],
                f"{row['breakdown_type']}:{row['breakdown_value']}", dimension, group)


@dataclass
class Publication:
    """What the attacker reads - each cell's published value (None = withheld) - and, for checking
    the attack only, each cell's true value."""
    published: dict[Cell, int | None] = field(default_factory=dict)
    truth: dict[Cell, int] = field(default_factory=dict)
    shown_and_withheld: set[Cell] = field(default_factory=set)  # withheld in one row, shown in another
    two_counts: set[Cell] = field(default_factory=set)  # rows mapped to one cell that count different things
    windows: list[tuple[Cell, list[Cell]]] = field(default_factory=list)


def read_publication(rows: Iterable[dict]) -> Publication:
    """rows: published BI rows, each with the true counts beside them as true_<count column>."""
    pub = Publication()
    for row in rows:
        for column in COUNT_COLUMNS:
            if row.get(f"true_{column}") is None:
                continue  # not applicable on this row
            cell = cell_of(row, column)
            value = row[column]
            if cell in pub.published and (pub.published[cell] is None) != (value is None):
                pub.shown_and_withheld.add(cell)
                value = value if value is not None else pub.published[cell]
            pub.published[cell] = value
            if pub.truth.get(cell, row[f"true_{column}"]) != row[f"true_{column}"]:
                pub.two_counts.add(cell)
            pub.truth[cell] = row[f"true_{column}"]
            if row["variant"] == "pooled":
                pub.windows.append((cell, _single_years(row, column)))
    return pub


def _single_years(row: dict, column: str) -> list[Cell]:
    """A pooled two-year RL count = the single-year counts of this year and last year."""
    end = row["period_end"]
    return [cell_of({**row, "variant": "single_year", "period_end": e, "fy_end": e}, column)
            for e in (end, end.replace(year=end.year - 1))]


def relations(pub: Publication, ethnicity_16_to_5: dict[str, str],
              band_clusters: dict[str, str] | None = None) -> list[tuple[Cell, list[Cell]]]:
    """Every relation total = sum(members) the attacker knows between the published cells. A member
    that is not published is a zero (the measure tables leave out empty groups). band_clusters: the
    cluster of each WRES band (bands in no single cluster are related to the trust only)."""
    band_clusters = band_clusters or {}
    cells = set(pub.published)
    lines: list[tuple[Cell, list[Cell]]] = [
        (total, [m for m in members if m in cells]) for total, members in pub.windows]

    def with_(cell: Cell, **changes) -> Cell:
        return Cell(**{**cell.__dict__, **changes})

    partitions = list(HEADCOUNT_PARTITIONS)
    by_5: dict[str, list] = defaultdict(list)
    for g16, g5 in ethnicity_16_to_5.items():
        by_5[g5].append(("ethnicity_16", g16))
    partitions += [(("ethnicity", g5), members) for g5, members in by_5.items()]
    partitions.append((("ethnicity", "known"), [m for members in by_5.values() for m in members]))
    partitions.append((("ethnicity", "BME"), [m for g5, members in by_5.items() if g5 != "White" for m in members]))
    children: dict[tuple[str, Cell], list[Cell]] = defaultdict(list)  # (relation, total) -> members
    for cell in cells:
        if cell.population == "headcount":
            for (dim, group), members in partitions:
                if (cell.dimension, cell.group) == (dim, group):
                    present = [c for d, g in members if (c := with_(cell, dimension=d, group=g)) in cells]
                    if present:
                        lines.append((cell, present))
            kind, _, value = cell.breakdown.partition(":")
            if kind == "cluster":
                children[("clusters", with_(cell, breakdown="trust"))].append(cell)
            elif kind == "clinical_cluster":
                children[("staff types", with_(cell, breakdown="cluster:" + value.split("|")[1]))].append(cell)
            elif kind == "band":
                children[("bands", with_(cell, breakdown="trust"))].append(cell)
                if value in band_clusters:
                    children[("bands of a cluster", with_(cell, breakdown="cluster:" + band_clusters[value]))].append(cell)
            elif kind == "clinical_band":
                staff_type, band = value.split("|")
                children[("staff types of a band", with_(cell, breakdown="band:" + band))].append(cell)
                if band in band_clusters:
                    children[("bands of a staff type", with_(
                        cell, breakdown=f"clinical_cluster:{staff_type}|{band_clusters[band]}"))].append(cell)
        elif cell.population.startswith("pay:"):
            for (dim, group), members in PAY_PARTITIONS:
                if (cell.dimension, cell.group) == (dim, group):
                    present = [c for d, g in members if (c := with_(cell, dimension=d, group=g)) in cells]
                    if present:
                        lines.append((cell, present))
            if cell.dimension in PAY_SPLIT_ONCE:
                children[(f"pay groups of {cell.dimension}", with_(cell, dimension=None, group="all"))].append(cell)
        elif cell.population in ("incidents", "staff_affected"):
            if cell.dimension is not None:
                children[(f"groups of {cell.dimension}", with_(cell, dimension=None, group="all"))].append(cell)
            elif cell.group in ("all", *EVENTS_OUTSIDE_GROUPS):
                children[("reported", with_(cell, group=REPORTED))].append(cell)
            if cell.population == "incidents":
                kind, perpetrator = cell.breakdown.split("|")
                if perpetrator != "all":
                    children[("types", with_(cell, breakdown=f"{kind}|all"))].append(cell)
                if kind != "all":
                    children[("perpetrators", with_(cell, breakdown=f"all|{perpetrator}"))].append(cell)
                if cell.period_type == "month":
                    fy = cell.period_end.year + (cell.period_end.month > 3)
                    children[("year", with_(cell, period_type="financial_year",
                                           period_end=datetime.date(fy, 3, 31)))].append(cell)
                    q_month = (cell.period_end.month - 1) // 3 * 3 + 3
                    q_end = _month_end(cell.period_end.year, q_month)
                    children[("quarter", with_(cell, period_type="quarter", period_end=q_end))].append(cell)
    for (_, total), members in children.items():
        if total in cells:
            lines.append((total, members))
    return lines


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


# ---------------------------------------------------------------------------------------------- attacks

def exact_lines(pub: Publication, lines) -> list[tuple[Cell, list[Cell]]]:
    """The relations that hold exactly on the true counts (a relation the attacker believes but that
    does not hold would only mislead it)."""
    truth = pub.truth
    return [(t, ms) for t, ms in lines if truth[t] == sum(truth[m] for m in ms)]


def withheld(pub: Publication) -> set[Cell]:
    return {c for c, v in pub.published.items() if v is None}


def unprotected_cells(pub: Publication, lines) -> set[Cell]:
    """Withheld cells alone in a relation (total minus the published rest gives them away), and
    cells withheld in one row but shown in another."""
    hidden = withheld(pub)
    found = set(pub.shown_and_withheld)
    for total, members in lines:
        in_line = [c for c in [total, *members] if c in hidden]
        if len(in_line) == 1:
            found.add(in_line[0])
    return found


def differencing_recoveries(pub: Publication, lines) -> dict[Cell, int]:
    """Total minus published parts, over and over, and one relation minus another when the withheld
    cells of one are all but one of the other's (a shared margin). Published counts taken as exact."""
    hidden = withheld(pub) - pub.shown_and_withheld
    known = {c: pub.truth[c] for c in pub.published if c not in hidden}
    equations = [{total: 1, **{m: -1 for m in members}} for total, members in lines]
    equations = [eq for eq in equations if any(c in hidden for c in eq)]
    containing = defaultdict(list)
    for i, eq in enumerate(equations):
        for c in eq:
            if c in hidden:
                containing[c].append(i)
    recovered = {c: pub.truth[c] for c in pub.shown_and_withheld}

    def unknowns(i):
        return {c: k for c, k in equations[i].items() if c not in known}

    def rest(i):
        return sum(k * known[c] for c, k in equations[i].items() if c in known)

    def learn(cell, value, queue):
        recovered[cell] = known[cell] = value
        queue.extend(containing[cell])

    queue = list(range(len(equations)))
    while True:
        while queue:  # peel: an equation with one unknown left gives it away
            i = queue.pop()
            u = unknowns(i)
            if len(u) == 1:
                (cell, k), = u.items()
                learn(cell, -rest(i) * k, queue)
        for i in range(len(equations)):  # nest: two equations whose unknowns differ by one cell
            small = unknowns(i)
            if len(small) < 2:
                continue
            for j in containing[next(iter(small))]:
                big = unknowns(j)
                if len(big) == len(small) + 1 and all(big.get(c) == k for c, k in small.items()):
                    (cell, k), = ((c, k) for c, k in big.items() if c not in small)
                    learn(cell, -(rest(j) - rest(i)) * k, queue)
                    break
                if len(big) == len(small) + 1 and all(big.get(c) == -k for c, k in small.items()):
                    (cell, k), = ((c, k) for c, k in big.items() if c not in small)
                    learn(cell, -(rest(j) + rest(i)) * k, queue)
                    break
        if not queue:
            return {c: v for c, v in recovered.items() if pub.truth[c] == v}


def linear_recoveries(pub: Publication, lines, max_component: int = 2000) -> set[Cell]:
    """Withheld cells that the relations pin to one value whatever the other withheld cells are:
    exact linear algebra, one connected group of withheld cells at a time (groups larger than
    max_component are left to the differencing attack: a dense SVD of them would not fit)."""
    hidden = withheld(pub) - pub.shown_and_withheld
    parent: dict[Cell, Cell] = {}

    def root(c: Cell) -> Cell:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    involved = []
    for total, members in lines:
        cells = [c for c in [total, *members] if c in hidden]
        if cells:
            involved.append((total, members, cells))
            for c in cells[1:]:
                parent[root(c)] = root(cells[0])
    components: dict[Cell, list] = defaultdict(list)
    for line in involved:
        components[root(line[2][0])].append(line)
    determined = set(pub.shown_and_withheld)
    for comp in components.values():
        index = {c: i for i, c in enumerate(sorted({c for _, _, cells in comp for c in cells}, key=repr))}
        if len(index) > max_component:
            continue
        a = np.zeros((len(comp), len(index)))
        for r, (total, members, _) in enumerate(comp):
            for c, k in [(total, 1.0), *[(m, -1.0) for m in members]]:
                if c in index:
                    a[r, index[c]] += k
        _, s, vt = np.linalg.svd(a)
        null_space = vt[int((s > 1e-9).sum()):]
        for c, i in index.items():
            if null_space.shape[0] == 0 or np.abs(null_space[:, i]).max() < 1e-9:
                determined.add(c)
    return determined


def interval_recoveries(pub: Publication, lines, base: int = ROUNDING_BASE) -> set[Cell]:
    """Rounding-aware: a published v stands for [v - base//2, v + base//2] (0 for 0); every interval is
    tightened through every relation until stable. Recovered: a withheld cell pinned narrower than the
    rounding base (known as well as if it had been published), its true value inside."""
    half = base // 2
    lo = {c: 0 if v is None or v == 0 else v - half for c, v in pub.published.items()}
    hi = {c: float("inf") if v is None else v + half if v else 0 for c, v in pub.published.items()}
    inf = float("inf")
    for _ in range(100):
        changed = False
        for total, members in lines:
            sum_lo = sum(lo[m] for m in members)
            finite_hi = sum(hi[m] for m in members if hi[m] < inf)
            n_inf = sum(hi[m] == inf for m in members)
            bounds = [(total, sum_lo, inf if n_inf else finite_hi)]
            for m in members:
                others_hi = inf if n_inf - (hi[m] == inf) else finite_hi - (hi[m] if hi[m] < inf else 0)
                bounds.append((m, lo[total] - others_hi, hi[total] - (sum_lo - lo[m])))
            for c, new_lo, new_hi in bounds:
                if new_lo > lo[c]:
                    lo[c], changed = new_lo, True
                if new_hi < hi[c]:
                    hi[c], changed = new_hi, True
        if not changed:
            break
    return {c for c in withheld(pub) if hi[c] - lo[c] < base and lo[c] <= pub.truth[c] <= hi[c]}


# ----------------------------------------------------------------------------------------- a warehouse

BI_MEASURE_TABLES = ("bi_edi_measure", "bi_wres", "bi_wdes", "bi_pay_gap", "bi_hia6", "bi_representation",
                     "bi_declaration", "bi_spc")
GRAIN = ("organisation_code", "period_type", "period_end", "measure_id", "variant", "breakdown_type",
         "breakdown_value", "group_dimension", "group_value")


def published_rows(con, table: str) -> list[dict]:
    """The rows of one BI measure table (schema bi of a built warehouse), each with the true counts of
    fct_edi_measure beside it (for checking the attack, never used to attack)."""
    if table not in BI_MEASURE_TABLES:
        raise ValueError(table)
    on = " and ".join(f"f.{c} = b.{c}" for c in GRAIN)
    result = con.execute(
        f"select b.*, {', '.join(f'f.{c} as true_{c}' for c in COUNT_COLUMNS)} "
        f"from bi.{table} as b inner join marts.fct_edi_measure as f on {on}")
    names = [d[0] for d in result.description]
    return [dict(zip(names, r)) for r in result.fetchall()]


def band_clusters(con) -> dict[str, str]:
    """WRES band -> its cluster, as the published bi_dim_pay_grade tells anyone (bands of one cluster)."""
    return dict(con.execute(
        "select wres_band, min(cluster) from bi.bi_dim_pay_grade group by wres_band "
        "having count(distinct cluster) = 1").fetchall())


def ethnicity_groups(con) -> dict[str, str]:
    """16 harmonised groups -> 5 groups, as the published bi_dim_ethnicity tells anyone."""
    return dict(con.execute(
        "select distinct census_2021_harmonised_group, ethnicity_group_5 from bi.bi_dim_ethnicity "
        "where ethnicity_group_5 <> 'Unknown' and census_2021_harmonised_group <> 'Unknown'").fetchall())


@dataclass
class AttackResult:
    withheld: int
    unprotected: set
    differenced: dict
    linear: set
    interval: set


def attack(rows: list[dict], ethnicity_16_to_5: dict[str, str], linear: bool = True,
           band_clusters: dict[str, str] | None = None) -> AttackResult:
    pub = read_publication(rows)
    lines = exact_lines(pub, relations(pub, ethnicity_16_to_5, band_clusters))
    return AttackResult(len(withheld(pub)), unprotected_cells(pub, lines), differencing_recoveries(pub, lines),
                        linear_recoveries(pub, lines) if linear else set(), interval_recoveries(pub, lines))
