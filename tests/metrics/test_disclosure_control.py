"""Disclosure control (metrics-spec §10, TV-X1) through the project's real macros.

Every macro is rendered once (one dbt compile for the module) and the SQL runs on hand-made tables.
"""

import random
import re
from collections import defaultdict

import pytest

from tests import disclosure_attack as attack

MAX_PASSES = 16  # dbt_project.yml var sdc_max_passes
PIECES = {
    "secondary": "{{ sdc_suppress_cells('cells', 'lines') }}",
    "publish": "select n, {{ sdc_publish_count('n') }} as published, {{ sdc_is_primary('n') }} as primary_flag "
               "from counts order by n",
    "share": "select {{ sdc_rate_from_rounded('exact', 'num', 'den', 100.0) }} as share, "
             "{{ sdc_derived_value('exact', ['num_suppressed', 'den_suppressed']) }} as derived from shares",
    "bi": "{{ sdc_edi_measure('fct', ['standard', 'measure_label', 'measure_kind'], ethnicity_relation='eth') }}",
    # as bi_edi_measure's table_in_batches materialization builds it: the organisations of one batch
    "bi_batch": "{{ sdc_edi_measure('fct', ['standard', 'measure_label', 'measure_kind'], ethnicity_relation='eth', "
                "measure_filter='organisation_code in (select batch_value from batch)') }}",
    # as the table_in_stages materialization builds them on Spark: one statement per stage
    "secondary_staged": "{{ edi_staged_chain(sdc_suppress_cells_chain('cells', 'lines')) }}",
    "bi_staged": "{{ edi_staged_chain(sdc_edi_measure_chain('fct', ['standard', 'measure_label', 'measure_kind'], "
                 "ethnicity_relation='eth')) }}",
}
SPLIT = "\n/*@@piece@@*/\n"

# TV-X1 (metrics-spec A6): cluster x WRES group, margins labelled 'all'.
TV_X1 = {
    "C1": {"White": 640, "BME": 212, "Unknown": 18, "all": 870},
    "C2": {"White": 415, "BME": 96, "Unknown": 9, "all": 520},
    "C3+C4": {"White": 88, "BME": 5, "Unknown": 3, "all": 96},
    "all": {"White": 1143, "BME": 313, "Unknown": 30, "all": 1486},
}
TV_X1_PUBLISHED = {
    "C1": {"White": 640, "BME": 210, "Unknown": 20, "all": 870},
    "C2": {"White": 415, "BME": None, "Unknown": None, "all": 520},
    "C3+C4": {"White": 90, "BME": None, "Unknown": None, "all": 95},
    "all": {"White": 1145, "BME": 315, "Unknown": 30, "all": 1485},
}


@pytest.fixture(scope="module")
def sql(macros):
    rendered = macros.render(SPLIT.join(PIECES.values())).split(SPLIT.strip())
    assert len(rendered) == len(PIECES)
    return dict(zip(PIECES, rendered))


def load_cube(db, cells, presuppressed=()):
    """cells: (cube_id, row_key, col_key, n) of two-way tables with 'all' margins: each row and each
    column is a line, its 'all' cell the total."""
    db.execute("create or replace table cells (cell_key varchar, sdc_partition varchar, n bigint, "
               "pre_suppressed boolean)")
    db.execute("create or replace table lines (line_id varchar, cell_key varchar, is_total boolean)")
    db.executemany("insert into cells values (?, ?, ?, ?)",
                   [(f"{cube}#{row}#{col}", str(cube), n, (cube, row, col) in presuppressed)
                    for cube, row, col, n in cells])
    lines = [(f"{cube}#row#{row}", f"{cube}#{row}#{col}", col == "all") for cube, row, col, _ in cells]
    lines += [(f"{cube}#col#{col}", f"{cube}#{row}#{col}", row == "all") for cube, row, col, _ in cells]
    db.executemany("insert into lines values (?, ?, ?)", lines)


def run_secondary(db, sql):
    cols = ["cell_key", "partition", "n", "published", "is_suppressed", "pass", "converged"]
    out = []
    for r in db.execute(sql["secondary"]).fetchall():
        cell = dict(zip(cols, r))
        cube, cell["row_key"], cell["col_key"] = cell["cell_key"].split("#")
        cell["cube_id"] = int(cube)
        cell["reason"] = {None: None, 0: "primary"}.get(cell["pass"], "secondary")
        out.append(cell)
    return out


def tv_x1_cells(cube_id=1):
    return [(cube_id, r, c, n) for r, row in TV_X1.items() for c, n in row.items()]


def test_tv_x1_published_table(sql, db):
    load_cube(db, tv_x1_cells())
    out = {(c["row_key"], c["col_key"]): c for c in run_secondary(db, sql)}
    assert {k: v["published"] for k, v in out.items()} == {
        (r, c): n for r, row in TV_X1_PUBLISHED.items() for c, n in row.items()}
    reasons = {k: v["reason"] for k, v in out.items() if v["is_suppressed"]}
    assert reasons == {("C3+C4", "BME"): "primary", ("C3+C4", "Unknown"): "primary",
                       ("C2", "BME"): "secondary", ("C2", "Unknown"): "secondary"}
    # C2 Unknown (9) goes through the column rule in the first pass; nothing changes afterwards.
    assert out[("C2", "Unknown")]["pass"] == 1 and out[("C2", "BME")]["pass"] == 1
    assert all(v["converged"] for v in out.values())


def test_tv_x1_second_pass_changes_nothing(sql, db):
    load_cube(db, tv_x1_cells())
    first = run_secondary(db, sql)
    suppressed = {(c["cube_id"], c["row_key"], c["col_key"]) for c in first if c["is_suppressed"]}
    load_cube(db, tv_x1_cells(), presuppressed=suppressed)
    second = run_secondary(db, sql)
    assert {(c["cube_id"], c["row_key"], c["col_key"]) for c in second if c["is_suppressed"]} == suppressed
    assert all(c["pass"] in (None, 0) for c in second)


def test_zero_stays_zero_and_is_never_a_complementary_cell(sql, db):
    # Row r0: 0 | 3 | 40 | total 43. The 3 needs a partner; the zeros are not candidates.
    cells = [(1, "r0", "a", 0), (1, "r0", "b", 3), (1, "r0", "c", 40), (1, "r0", "all", 43),
             (1, "r1", "a", 0), (1, "r1", "b", 50), (1, "r1", "c", 60), (1, "r1", "all", 110),
             (1, "all", "a", 0), (1, "all", "b", 53), (1, "all", "c", 100), (1, "all", "all", 153)]
    load_cube(db, cells)
    out = {(c["row_key"], c["col_key"]): c for c in run_secondary(db, sql)}
    for key in [("r0", "a"), ("r1", "a"), ("all", "a")]:
        assert out[key]["published"] == 0 and not out[key]["is_suppressed"]
    assert out[("r0", "b")]["reason"] == "primary"
    assert out[("r0", "c")]["reason"] == "secondary"  # smallest non-zero cell of row r0
    assert out[("r1", "b")]["reason"] == "secondary"  # column b then needs a second cell


def test_primary_suppression_and_rounding(sql, db):
    db.execute("create table counts (n bigint)")
    db.executemany("insert into counts values (?)", [(n,) for n in [0, 1, 7, 8, 12, 13, 212, 1486]])
    assert db.execute(sql["publish"]).fetchall() == [
        (0, 0, False), (1, None, True), (7, None, True), (8, 10, False), (12, 10, False), (13, 15, False),
        (212, 210, False), (1486, 1485, False)]


def test_tv_x1_derived_share_comes_from_rounded_counts(sql, db):
    db.execute("create table shares (exact double, num bigint, den bigint, num_suppressed boolean, "
               "den_suppressed boolean)")
    db.execute("insert into shares values (100.0 * 212 / 870, 212, 870, false, false), "
               "(100.0 * 5 / 96, 5, 96, true, false)")
    (share, derived), (_, derived_small) = db.execute(sql["share"]).fetchall()
    assert share == pytest.approx(24.1379, abs=1e-4)  # 210 / 870; the exact 24.3678 stays restricted
    assert derived == pytest.approx(24.3678, abs=1e-4) and derived_small is None


def random_cubes(seed=20261122, n_cubes=300):
    rng = random.Random(seed)
    cells = []
    for cube in range(n_cubes):
        n_rows, n_cols = rng.randint(1, 6), rng.randint(2, 5)
        scale = rng.choice([3, 10, 30, 200])
        grid = [[0 if rng.random() < 0.15 else int(rng.expovariate(1 / scale)) for _ in range(n_cols)]
                for _ in range(n_rows)]
        for i, row in enumerate(grid):
            cells += [(cube, f"r{i}", f"c{j}", n) for j, n in enumerate(row)] + [(cube, f"r{i}", "all", sum(row))]
        cells += [(cube, "all", f"c{j}", sum(r[j] for r in grid)) for j in range(n_cols)]
        cells.append((cube, "all", "all", sum(map(sum, grid))))
    return cells


def test_random_cubes_publish_nothing_recoverable(sql, db):
    load_cube(db, random_cubes())
    out = run_secondary(db, sql)
    assert len({c["cube_id"] for c in out}) == 300
    lines = defaultdict(list)
    for c in out:
        assert c["published"] is None or not 1 <= c["published"] <= 7, c
        assert c["is_suppressed"] == (c["published"] is None)
        assert c["converged"], c
        assert c["pass"] is None or c["pass"] < MAX_PASSES, c  # stable with a pass to spare
        lines[(c["cube_id"], "row", c["row_key"])].append((c["col_key"] == "all", c))
        lines[(c["cube_id"], "col", c["col_key"])].append((c["row_key"] == "all", c))
    n_secondary = sum(c["reason"] == "secondary" for c in out)
    assert n_secondary > 50  # the sample exercises the secondary rule
    for key, cells in lines.items():
        suppressed = [(is_total, c) for is_total, c in cells if c["is_suppressed"]]
        total_suppressed = any(is_total for is_total, _ in suppressed)
        # one suppressed cell could be read off the line's total (or the total off its cells)
        assert len(suppressed) != 1 or total_suppressed, (key, suppressed)
        if not total_suppressed:
            hidden = sum(c["n"] for _, c in suppressed)
            assert not 1 <= hidden <= 7, (key, suppressed)


CATALOGUE = {  # measure_id: (measure_kind, standard), as in ref_measure
    "wres1_share_of_cluster": ("share", "WRES"),
    "wdes1_share_of_cluster": ("share", "WDES"),
    "representation_workforce_share_pct": ("share", "REP"),
    "representation_unknown_rate_pct": ("share", "REP"),
    "rl_white_vs_bme_appointed_from_shortlisting": ("relative_likelihood", "WRES"),
    "rl_disabled_vs_nondisabled_entering_formal_capability_performance": ("relative_likelihood", "WDES"),
    "wres5_harassment_from_public_pct": ("survey_pct", "WRES"),
    "pay_gap_mean_hourly_pct": ("pay_gap", "PAY"),
    "pay_gap_median_hourly_pct": ("pay_gap", "PAY"),
    "hia6_incidents_per_1000": ("rate", "HIA6"),
    "pay_quartile_share_pct": ("share", "PAY"),
    "pct_paid_bonus": ("share", "PAY"),
    "pay_not_stated_pct": ("share", "PAY"),
    "declaration_known_pct": ("share", "DECL"),
    "declaration_not_stated_pct": ("share", "DECL"),
    "declaration_missing_pct": ("share", "DECL"),
}
FCT_COLUMNS = ("organisation_code varchar, period_type varchar, period_end date, fy_end date, measure_id varchar, "
               "variant varchar, breakdown_type varchar, breakdown_value varchar, group_dimension varchar, "
               "group_value varchar, reference_group varchar, numerator bigint, denominator bigint, "
               "reference_numerator bigint, reference_denominator bigint, value double, value_uncorrected double, "
               "value_unit varchar, ci_lower double, ci_upper double, flag_small_count boolean, "
               "flag_zero_cell boolean, flag_zero_cell_corrected boolean, flag_ci_spans_parity boolean, "
               "flag_volatile boolean, flag_window_incomplete boolean, "
               "standard varchar, measure_label varchar, measure_kind varchar")


def fct_row(measure_id, breakdown_type, breakdown_value, group_dimension, group_value, numerator, denominator,
            value, value_unit, reference_group=None, reference_numerator=None, reference_denominator=None,
            ci=(None, None), variant="default"):
    return ("RBL", "financial_year", "2024-03-31", "2024-03-31", measure_id, variant, breakdown_type,
            breakdown_value, group_dimension, group_value, reference_group, numerator, denominator,
            reference_numerator, reference_denominator, value, value, value_unit, ci[0], ci[1],
            False, False, False, False, False, False, CATALOGUE[measure_id][1], f"label of {measure_id}",
            CATALOGUE[measure_id][0])


@pytest.fixture
def bi(sql, db):
    """bi_edi_measure's macro over a small hand-made fct_edi_measure: TV-X1 as WRES 1 plus other kinds."""
    rows = []
    for cluster, groups in TV_X1.items():
        for group, n in groups.items():
            total = groups["all"]
            rows.append(fct_row("wres1_share_of_cluster", "cluster", cluster, "ethnicity", group, n, total,
                                100.0 * n / total, "percent"))
    rows += [
        # TV-W2-like RL with ample counts, and TV-D3 (3 events) whose value must go
        fct_row("rl_white_vs_bme_appointed_from_shortlisting", "overall", "all", "ethnicity", "White", 100, 400,
                1.6667, "ratio", "BME", 75, 500, ci=(1.2736, 2.1810)),
        fct_row("rl_disabled_vs_nondisabled_entering_formal_capability_performance", "overall", "all",
                "disability", "Disabled", 3, 200, 3.0, "ratio", "Non-disabled", 20, 4000, ci=(0.8989, 10.0120)),
        # survey: 9 respondents are withheld whole; 212 of 870 is published from rounded counts
        fct_row("wres5_harassment_from_public_pct", "overall", "all", "ethnicity", "BME", 8, 9,
                100.0 * 8 / 9, "percent"),
        fct_row("wres5_harassment_from_public_pct", "overall", "all", "ethnicity", "White", 212, 870,
                100.0 * 212 / 870, "percent"),
        # pay gap: comparison group of 9 (< 10) loses its value, counts stay (9 -> 10)
        fct_row("pay_gap_mean_hourly_pct", "overall", "all", "sex", "Female", 9, None, 12.5, "percent",
                "Male", None, 40),
        # (in another cell: the women of one cell are one count, whichever gap shows it)
        fct_row("pay_gap_median_hourly_pct", "cluster", "C1", "sex", "Female", 60, None, 8.2, "percent",
                "Male", None, 40),
        # a zero event count stays 0 and keeps its rate; its base is TV-X1's BME headcount (one cell)
        fct_row("hia6_incidents_per_1000", "overall", "all", "ethnicity", "BME", 0, 313, 0.0, "per_1000"),
        # a pay quarter holds 33.3 (tie rule) of 100 people, stored rounded: published from 35 / 100
        fct_row("pay_quartile_share_pct", "quartile", "Q2", "sex", "Female", 33, 100, 33.3, "percent"),
    ]
    # the three declaration rates partition TV-X1's workforce (1,486; 30 of unknown ethnicity): one line,
    # so the 5 not stated cannot be differenced (and not stated + missing = TV-X1's Unknown 30, another)
    rows += [fct_row(f"declaration_{status}_pct", "overall", "all", "ethnicity", "all", n, 1486, 100.0 * n / 1486,
                     "percent") for status, n in [("known", 1456), ("not_stated", 5), ("missing", 25)]]
    db.execute("create table eth (census_2021_harmonised_group varchar, ethnicity_group_5 varchar)")
    db.execute(f"create table fct ({FCT_COLUMNS})")
    db.executemany(f"insert into fct values ({', '.join(['?'] * 29)})", rows)
    result = db.execute(sql["bi"])
    cols = [d[0] for d in result.description]
    return cols, [dict(zip(cols, r)) for r in result.fetchall()]


def pick(rows, measure_id, breakdown_value="all", group_value=None):
    found = [r for r in rows if r["measure_id"] == measure_id and r["breakdown_value"] == breakdown_value
             and (group_value is None or r["group_value"] == group_value)]
    assert len(found) == 1, (measure_id, breakdown_value, group_value, found)
    return found[0]


def test_bi_measure_keeps_the_long_shape_and_adds_suppression(bi):
    cols, rows = bi
    assert cols[:11] == ["organisation_code", "period_type", "period_end", "fy_end", "measure_id", "variant",
                         "breakdown_type", "breakdown_value", "group_dimension", "group_value", "reference_group"]
    assert cols[-5:] == ["standard", "measure_label", "measure_kind", "is_suppressed", "suppression_reason"]
    assert not any("staff" in c or "person" in c for c in cols)
    assert len(rows) == 16 + 8 + 3


def test_bi_measure_publishes_tv_x1(bi):
    _, rows = bi
    for cluster, groups in TV_X1_PUBLISHED.items():
        for group, published in groups.items():
            row = pick(rows, "wres1_share_of_cluster", cluster, group)
            assert row["numerator"] == published, (cluster, group)
            assert row["denominator"] == TV_X1_PUBLISHED[cluster]["all"]
            assert (row["value"] is None) == (published is None)
    c1_bme = pick(rows, "wres1_share_of_cluster", "C1", "BME")
    assert c1_bme["value"] == pytest.approx(24.1379, abs=1e-4) and not c1_bme["is_suppressed"]
    assert pick(rows, "wres1_share_of_cluster", "C2", "Unknown")["suppression_reason"] == "secondary"
    assert pick(rows, "wres1_share_of_cluster", "C3+C4", "BME")["suppression_reason"] == "primary"


def test_bi_measure_derived_survey_and_pay_rules(bi):
    _, rows = bi
    rl = pick(rows, "rl_white_vs_bme_appointed_from_shortlisting")
    assert (rl["numerator"], rl["denominator"], rl["reference_numerator"], rl["reference_denominator"]) == (
        100, 400, 75, 500)
    assert rl["value"] == pytest.approx(1.6667, abs=1e-4) and rl["ci_lower"] == pytest.approx(1.2736, abs=1e-4)
    small_rl = pick(rows, "rl_disabled_vs_nondisabled_entering_formal_capability_performance")
    assert small_rl["numerator"] is None and small_rl["reference_numerator"] == 20
    assert (small_rl["value"], small_rl["ci_lower"], small_rl["ci_upper"]) == (None, None, None)
    assert small_rl["suppression_reason"] == "primary"
    small_survey = pick(rows, "wres5_harassment_from_public_pct", group_value="BME")
    assert (small_survey["numerator"], small_survey["denominator"], small_survey["value"]) == (None, None, None)
    survey = pick(rows, "wres5_harassment_from_public_pct", group_value="White")
    assert survey["value"] == pytest.approx(24.1379, abs=1e-4) and survey["suppression_reason"] is None
    small_pay = pick(rows, "pay_gap_mean_hourly_pct")
    assert small_pay["value"] is None and small_pay["numerator"] == 10
    assert small_pay["suppression_reason"] == "min_group_pay"
    assert pick(rows, "pay_gap_median_hourly_pct", "C1")["value"] == pytest.approx(8.2)  # a gap is not num / den
    assert pick(rows, "pay_quartile_share_pct", "Q2")["value"] == pytest.approx(35.0)
    # value_uncorrected is the value as published, never the exact one (33.3) nor a withheld one
    assert pick(rows, "pay_quartile_share_pct", "Q2")["value_uncorrected"] == pytest.approx(35.0)
    assert small_rl["value_uncorrected"] is None and small_pay["value_uncorrected"] is None
    zero = pick(rows, "hia6_incidents_per_1000")
    assert (zero["numerator"], zero["value"], zero["is_suppressed"]) == (0, 0.0, False)


def test_bi_measure_declaration_rates_form_one_table(bi):
    _, rows = bi
    published = {r["measure_id"]: (r["numerator"], r["denominator"], r["suppression_reason"])
                 for r in rows if r["measure_id"].startswith("declaration_")}
    assert published == {"declaration_known_pct": (1455, 1485, None),
                         "declaration_not_stated_pct": (None, 1485, "primary"),
                         "declaration_missing_pct": (None, 1485, "secondary")}


def test_bi_measure_publishes_no_count_from_1_to_7(bi):
    _, rows = bi
    for row in rows:
        for col in ("numerator", "denominator", "reference_numerator", "reference_denominator"):
            assert row[col] is None or not 1 <= row[col] <= 7, (row["measure_id"], col, row[col])


# ------------------------------------------------------------------------------------------- one cube
# A small workforce of people, and the WRES 1 / WDES 1 (both variants, cluster and clinical x cluster),
# representation (5 and 16 groups, Unknown rate) and declaration rows a real build would derive from it:
# the same people counted in many tables, so a count withheld in one could be recovered from another.
ETHNIC_16 = {"Indian": "Asian", "Chinese": "Asian", "African": "Black", "Caribbean": "Black",
             "White and Asian": "Mixed or Multiple", "Arab": "Other", "British": "White", "Irish": "White"}
CLUSTERS = {"C1": ["clinical", "non_clinical"], "C2": ["clinical", "non_clinical"],
            "C4": ["clinical", "non_clinical"], "M1": ["medical"]}


def small_workforce(seed=7, n_people=420):
    """(cluster, staff type, 16-group or None + its declaration status, disability + status) per person."""
    rng = random.Random(seed)
    people = []
    for _ in range(n_people):
        cluster = rng.choices(list(CLUSTERS), weights=[50, 35, 8, 7])[0]
        staff = rng.choice(CLUSTERS[cluster])
        ethnic = rng.choices(list(ETHNIC_16) + [None], weights=[6, 1, 5, 2, 1, 1, 70, 4, 10])[0]
        disability = rng.choices(["Disabled", "Non-disabled", None], weights=[6, 70, 24])[0]
        people.append((cluster, staff, ethnic, rng.choice(["not_stated", "missing"]) if ethnic is None else "known",
                       disability, rng.choice(["not_stated", "missing"]) if disability is None else "known"))
    return people


def workforce_fct_rows(people):
    def wres(p):
        return "Unknown" if p[2] is None else ("White" if ETHNIC_16[p[2]] == "White" else "BME")

    def wdes(p):
        return p[4] or "Unknown"

    breakdowns = {"cluster": lambda p: p[0], "clinical_cluster": lambda p: f"{p[1]}|{p[0]}"}
    rows = []
    for measure, dimension, group_of, groups in [("wres1_share_of_cluster", "ethnicity", wres, ["White", "BME", "Unknown"]),
                                                 ("wdes1_share_of_cluster", "disability", wdes,
                                                  ["Disabled", "Non-disabled", "Unknown"])]:
        for b_type, b_of in breakdowns.items():
            for b in sorted({b_of(p) for p in people}) + ["all"]:
                members = [p for p in people if b == "all" or b_of(p) == b]
                known = [p for p in members if group_of(p) != "Unknown"]
                for g in groups + ["all"]:
                    n = len(members) if g == "all" else sum(group_of(p) == g for p in members)
                    if n:
                        rows.append(fct_row(measure, b_type, b, dimension, g, n, len(members), 100.0 * n / len(members),
                                            "percent"))
                    if n and g in groups[:2]:
                        rows.append(fct_row(measure, b_type, b, dimension, g, n, len(known), 100.0 * n / len(known),
                                            "percent", variant="known_only"))
    for cluster in sorted(CLUSTERS) + ["all"]:
        members = [p for p in people if cluster == "all" or p[0] == cluster]
        known = [p for p in members if p[2] is not None]
        groups = {g: sum(p[2] is not None and ETHNIC_16[p[2]] == g for p in members)
                  for g in ["White", "Asian", "Black", "Mixed or Multiple", "Other"]}
        groups["BME"] = len(known) - groups["White"]
        for dimension, counts in [("ethnicity", groups),
                                  ("ethnicity_16", {g: sum(p[2] == g for p in members) for g in ETHNIC_16})]:
            for g, n in counts.items():
                rows.append(fct_row("representation_workforce_share_pct", "cluster", cluster, dimension, g, n,
                                    len(known), 100.0 * n / len(known), "percent"))
        rows.append(fct_row("representation_unknown_rate_pct", "cluster", cluster, "ethnicity", "Unknown",
                            len(members) - len(known), len(members), 100.0 * (len(members) - len(known)) / len(members),
                            "percent"))
    for dimension, status_of in [("ethnicity", lambda p: p[3]), ("disability", lambda p: p[5])]:
        for status in ["known", "not_stated", "missing"]:
            n = sum(status_of(p) == status for p in people)
            rows.append(fct_row(f"declaration_{status}_pct", "overall", "all", dimension, "all", n, len(people),
                                100.0 * n / len(people), "percent"))
    return rows


def run_bi(sql, db, rows):
    db.execute(f"create or replace table fct ({FCT_COLUMNS})")
    db.executemany(f"insert into fct values ({', '.join(['?'] * 29)})", rows)
    result = db.execute(sql["bi"])
    cols = [d[0] for d in result.description]
    return [dict(zip(cols, r)) for r in result.fetchall()]


def with_truth(published, fct_rows):
    """Each published row with its true counts beside it (true_<count>), for checking the attack."""
    names = FCT_COLUMNS.replace(",", "").split()[::2]
    grain = ["organisation_code", "period_type", "period_end", "measure_id", "variant", "breakdown_type",
             "breakdown_value", "group_dimension", "group_value"]
    truth = {}
    for row in fct_rows:
        r = dict(zip(names, row))
        truth[tuple(str(r[c]) for c in grain)] = r
    out = []
    for row in published:
        true = truth[tuple(str(row[c]) for c in grain)]
        out.append({**row, **{f"true_{c}": true[c] for c in attack.COUNT_COLUMNS}})
    return out


@pytest.fixture
def one_cube(sql, db):
    db.execute("create or replace table eth (census_2021_harmonised_group varchar, ethnicity_group_5 varchar)")
    db.executemany("insert into eth values (?, ?)", list(ETHNIC_16.items()))
    fct_rows = workforce_fct_rows(small_workforce())
    return with_truth(run_bi(sql, db, fct_rows), fct_rows)


def test_one_cube_the_same_count_is_withheld_in_every_table_or_in_none(one_cube):
    pub = attack.read_publication(one_cube)
    assert attack.withheld(pub), "the sample must have withheld counts"
    assert not pub.shown_and_withheld


def test_one_cube_no_withheld_count_can_be_differenced_across_tables(one_cube):
    result = attack.attack(one_cube, ETHNIC_16)
    assert result.withheld > 10
    assert not result.unprotected, sorted(map(repr, result.unprotected))[:5]
    assert not result.differenced
    assert not result.linear
    assert not result.interval


def test_one_cube_attack_recovers_what_tables_controlled_apart_leak():
    # The attacker itself is not vacuous: publish the sample with every table controlled apart (here,
    # crudely, only primary suppression) and it recovers withheld counts across tables.
    fct_rows = workforce_fct_rows(small_workforce())
    names = FCT_COLUMNS.replace(",", "").split()[::2]
    published = []
    for row in fct_rows:
        r = dict(zip(names, row))
        for c in attack.COUNT_COLUMNS:
            r[c] = None if r[c] is not None and 1 <= r[c] <= 7 else r[c]
        published.append(r)
    result = attack.attack(with_truth(published, fct_rows), ETHNIC_16)
    assert result.unprotected and result.differenced and result.linear


def test_one_cube_controlled_one_batch_of_organisations_at_a_time_is_the_same(sql, db):
    # bi_edi_measure is built a batch of organisations at a time (table_in_batches): that is only the
    # same publication if no cell or line of the cube crosses organisations.
    db.execute("create or replace table eth (census_2021_harmonised_group varchar, ethnicity_group_5 varchar)")
    db.executemany("insert into eth values (?, ?)", list(ETHNIC_16.items()))
    rows = [(org,) + row[1:] for org, seed in [("RBL", 7), ("RJ1", 8), ("RX1", 9)]
            for row in workforce_fct_rows(small_workforce(seed=seed))]
    together = run_bi(sql, db, rows)
    db.execute("create table batch (batch_value varchar)")
    in_batches = []
    for batch in [["RBL", "RX1"], ["RJ1"]]:
        db.execute("delete from batch")
        db.executemany("insert into batch values (?)", [(org,) for org in batch])
        result = db.execute(sql["bi_batch"])
        cols = [d[0] for d in result.description]
        in_batches += [dict(zip(cols, r)) for r in result.fetchall()]

    def key(row):
        return tuple(str(v) for v in row.values())
    assert sum(r["suppression_reason"] == "secondary" for r in together) > 10
    assert sorted(map(key, in_batches)) == sorted(map(key, together))


# ------------------------------------------------------------------ pay gaps by sex x ethnicity (HIA3, 2026)

PAY_ETHNIC_5 = {"White": 60, "Asian": 14, "Black": 9, "Mixed or Multiple": 3, "Other": 2, "Unknown": 8}


def small_pay_population(seed=11, n_people=260):
    """(cluster, sex, 5-group or 'Unknown', received a bonus) per person: a few women of Mixed or Other
    ethnicity are 1-7 in their intersections."""
    rng = random.Random(seed)
    return [(rng.choice(["C1", "C2"]), rng.choices(["Female", "Male"], weights=[75, 25])[0],
             rng.choices(list(PAY_ETHNIC_5), weights=list(PAY_ETHNIC_5.values()))[0], rng.random() < 0.3)
            for _ in range(n_people)]


def pay_fct_rows(people):
    """The pay rows of fct_edi_measure for every group of sex, ethnicity (wres_white) and sex x ethnicity
    (both variants), overall and by cluster: % paid a bonus per group, the share not stated per
    population, and the mean hourly gap sizes (everyone full-pay relevant)."""
    def wres(e):
        return e if e in ("White", "Unknown") else "BME"

    groupings = [  # (dimension, variant, group of a person, reference group)
        ("sex", "default", lambda p: p[1], "Male"),
        ("ethnicity", "wres_white", lambda p: wres(p[2]), "White"),
        ("sex_ethnicity", "wres", lambda p: f"{p[1]} & {wres(p[2])}", "Male & White"),
        ("sex_ethnicity", "census_2021_5", lambda p: f"{p[1]} & {p[2]}", "Male & White"),
    ]
    rows = []
    for b_type, b in [("overall", "all"), ("cluster", "C1"), ("cluster", "C2")]:
        members = [p for p in people if b == "all" or p[0] == b]
        for dimension, variant, group_of, reference in groupings:
            groups = defaultdict(list)
            for p in members:
                if not dimension.startswith("sex_") or p[1] != "Unknown":  # intersections: men and women
                    groups[group_of(p)].append(p)
            if dimension == "ethnicity":  # BME is a group of its own beside the partition
                groups["BME"] = [p for p in members if wres(p[2]) == "BME"]
            for g, ps in groups.items():
                paid = sum(p[3] for p in ps)
                rows.append(fct_row("pct_paid_bonus", b_type, b, dimension, g, paid, len(ps), 100.0 * paid / len(ps),
                                    "percent", variant=variant))
                compared = g != reference and "Unknown" not in g
                if compared and reference in groups:
                    rows.append(fct_row("pay_gap_mean_hourly_pct", b_type, b, dimension, g, len(ps), None, 5.0,
                                        "percent", reference, None, len(groups[reference]), variant=variant))
            strata = {"all": members} if not dimension.startswith("sex_") else {
                s: [p for p in members if p[1] == s] for s in ("Female", "Male")}
            for stratum, ps in strata.items():
                unknown = sum(group_of(p).endswith("Unknown") for p in ps)
                if ps:
                    rows.append(fct_row("pay_not_stated_pct", b_type, b, dimension, stratum, unknown, len(ps),
                                        100.0 * unknown / len(ps), "percent", variant=variant))
    return rows


@pytest.fixture
def pay_cube(sql, db):
    db.execute("create or replace table eth (census_2021_harmonised_group varchar, ethnicity_group_5 varchar)")
    fct_rows = pay_fct_rows(small_pay_population())
    return with_truth(run_bi(sql, db, fct_rows), fct_rows)


def test_pay_intersections_withheld_cells_stay_hidden_behind_their_margins(pay_cube):
    pub = attack.read_publication(pay_cube)
    # relevant employees: every group of every characteristic is published (% paid a bonus), so each
    # margin is exactly the sum of its intersections
    hidden = {c for c in attack.withheld(pub) if c.dimension == "sex_ethnicity" and c.population == "pay:relevant"}
    assert hidden, "the sample must have withheld intersection counts"
    lines = attack.exact_lines(pub, attack.relations(pub, {}))
    # the attacker knows each withheld intersection count adds up to its sex and its ethnicity margin
    for cell in hidden:
        margins = {t.dimension for t, ms in lines if cell in ms}
        assert {"sex", "ethnicity"} <= margins or "sex_ethnicity" in margins, (cell, margins)
    assert not pub.shown_and_withheld and not pub.two_counts
    result = attack.attack(pay_cube, {})
    assert not result.unprotected, sorted(map(repr, result.unprotected))[:3]
    assert not result.differenced, sorted(map(repr, result.differenced))[:3]
    assert not result.interval, sorted(map(repr, result.interval))[:3]
    # the documented limit of a line-by-line check (README): exact linear algebra over every relation at
    # once, taking the rounded counts as exact, can pin a few counts where the partitions cross
    assert len(result.linear) * 20 <= result.withheld, sorted(map(repr, result.linear))


STAGE_MARKER = re.compile(r"^-- edi_stage(?: (\w+)|_result)[ \t]*$", re.M)


def staged_statements(staged_sql: str) -> tuple[list[tuple[str, str]], str]:
    """([(stage, statement)], result query), split at the markers as the table_in_stages materialization does."""
    parts = STAGE_MARKER.split(staged_sql)
    assert parts[-2] is None, "the last statement must be the result"
    return list(zip(parts[1:-2:2], parts[2:-2:2])), parts[-1]


def run_staged(db, staged_sql: str) -> list[tuple]:
    """Each stage written out as a table (named after the inline node, as edi_stage_relation names it), then the result."""
    db.execute("attach if not exists ':memory:' as edi")
    stages, result = staged_statements(staged_sql)
    for stage, statement in stages:
        db.execute(f"create or replace table edi.main.inline_query__{stage} as {statement}")
    return db.execute(result).fetchall()


def test_secondary_suppression_in_stages_equals_one_query(sql, db):
    load_cube(db, random_cubes())
    one_query = db.execute(sql["secondary"]).fetchall()
    assert sum(row[5] is not None and row[5] > 1 for row in one_query) > 10  # later passes are exercised
    assert sorted(run_staged(db, sql["secondary_staged"]), key=str) == sorted(one_query, key=str)
    stages, _ = staged_statements(sql["secondary_staged"])
    assert [s for s, _ in stages if s.startswith("sdc_new_")] == [f"sdc_new_{k}" for k in range(1, MAX_PASSES + 2)]
    for stage, statement in stages:
        # Spark plans each statement alone: none may compute more than one pass (it reads the others' tables)
        computed_passes = re.findall(r"\bsdc_member_\d+ as \(", statement)
        assert len(computed_passes) <= 1, (stage, computed_passes)


def test_bi_measure_in_stages_equals_one_query(sql, db):
    db.execute("create or replace table eth (census_2021_harmonised_group varchar, ethnicity_group_5 varchar)")
    db.executemany("insert into eth values (?, ?)", list(ETHNIC_16.items()))
    rows = [(org,) + row[1:] for org, seed in [("RBL", 7), ("RJ1", 8)]
            for row in workforce_fct_rows(small_workforce(seed=seed))]
    db.execute(f"create or replace table fct ({FCT_COLUMNS})")
    db.executemany(f"insert into fct values ({', '.join(['?'] * 29)})", rows)
    one_query = db.execute(sql["bi"]).fetchall()
    stages, _ = staged_statements(sql["bi_staged"])
    assert {"keyed", "cell", "line", "sdc_new_1", "controlled_cell"} <= {s for s, _ in stages}
    assert sum(row[-1] == "secondary" for row in one_query) > 10
    assert sorted(run_staged(db, sql["bi_staged"]), key=str) == sorted(one_query, key=str)
