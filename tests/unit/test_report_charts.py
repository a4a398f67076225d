"""The board report's SVG charts: accessible, deterministic, small, and true to their input."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from orchestration.reports import charts
from orchestration.reports.charts import (
    CiRow,
    ComparisonRow,
    QuartileShare,
    SpcPoint,
    assurance_icon,
    ci_chart,
    comparison_bars,
    dot_strip,
    quartile_chart,
    variation_icon,
    xmr_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SPC_MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "spc"
MAX_CHART_BYTES = 40_000


def month_ends(n: int, first_year: int = 2021) -> list[date]:
    out = []
    for i in range(n):
        year, month = first_year + (3 + i) // 12, (3 + i) % 12 + 1
        out.append(date(year, month, 28))
    return out


def spc_series(n: int = 48, **overrides_by_index) -> list[SpcPoint]:
    """A plain common-cause series around 18.8 (limits 15.8-21.8); overrides_by_index: {"i7": {...}}."""
    points = []
    for i, period_end in enumerate(month_ends(n)):
        point = SpcPoint(
            period_end=period_end, value=18.8 + (0.9 if i % 3 == 0 else -0.4), centre=18.8, upl=21.8,
            lpl=15.8, upper_2sigma=20.8, lower_2sigma=16.8, segment=1, is_rebase_start=False,
            limits_status="firm", special_cause_rule=None, variation="common_cause", is_immature=False,
        )
        points.append(replace(point, **overrides_by_index.get(f"i{i}", {})))
    return points


def rebased(points: list[SpcPoint], at: int) -> list[SpcPoint]:
    return [
        replace(p, segment=2, centre=15.0, upl=18.0, lpl=12.0, is_rebase_start=(i == at)) if i >= at else p
        for i, p in enumerate(points)
    ]


MIXED = spc_series(
    i5={"value": 22.5, "variation": "concerning", "special_cause_rule": "rule_1_outside_limits"},
    i6={"value": 22.1, "variation": "concerning", "special_cause_rule": "rule_4_two_of_three"},
    i30={"value": 15.1, "variation": "improving", "special_cause_rule": "rule_2_shift"},
    i31={"value": None},
    i40={"variation": None},
    i46={"variation": "neither", "special_cause_rule": "rule_1_outside_limits", "value": 23.0},
    i47={"variation": "not_assessed", "is_immature": True, "value": 17.2},
)


def parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def with_class(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == css_class]


def markers_in(root: ET.Element, css_class: str) -> list[ET.Element]:
    """The markers drawn in a group: matplotlib writes a few as inline <path>s, many as <use>s of a
    shared <path> in <defs>."""
    found = []

    def walk(element: ET.Element) -> None:
        for child in element:
            if child.tag == f"{SVG}use" or child.tag == f"{SVG}path":
                found.append(child)
            elif child.tag != f"{SVG}defs":
                walk(child)

    for group in with_class(root, css_class):
        walk(group)
    return found


def marker_shape(root: ET.Element, marker: ET.Element) -> tuple:
    """A marker's outline wherever it is drawn: its path's points relative to their mean, rounded."""
    d = marker.get("d")
    if d is None:
        (definition,) = [e for e in root.iter(f"{SVG}path") if e.get("id") == marker.get(XLINK_HREF)[1:]]
        d = definition.get("d")
    numbers = [float(n) for n in re.findall(r"-?[0-9.]+", d)]
    xs, ys = numbers[0::2], numbers[1::2]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    return tuple(re.findall(r"[A-Za-z]", d)), tuple((round(x - cx, 1), round(y - cy, 1)) for x, y in zip(xs, ys))


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()


def texts(root: ET.Element) -> list[str]:
    return [text_of(t) for t in root.iter(f"{SVG}text")]


def hatched(element: ET.Element) -> bool:
    """Filled with a hatch <pattern> (matplotlib's hatching), not a flat colour."""
    return "fill: url(#" in ET.tostring(element, encoding="unicode")


def every_chart() -> dict[str, charts.Chart]:
    quartiles = [
        QuartileShare(q, group, share)
        for q, women in ((1, 80.0), (2, 77.0), (3, 70.0), (4, 61.5))
        for group, share in (("Women", women), ("Men", 100 - women))
    ]
    comparison = [
        ComparisonRow(f"Bands {band}: {group}", series, value)
        for band in ("1-4", "5-7", "8a+")
        for group, base in (("Asian", 12.0), ("Black", 6.0), ("White", 70.0))
        for series, value in (("Workforce", base + 1.5), ("ICB catchment (Census 2021)", base))
    ]
    ci_rows = [
        CiRow("Appointment from shortlisting", 1.55, 1.21, 1.98),
        CiRow("Entering formal disciplinary", 1.30, 0.80, 2.10),
        CiRow("Accessing training", 0.92, 0.88, 0.97),
    ]
    return {
        "xmr": xmr_chart("Incidents per 1,000 staff", "per 1,000 staff", rebased(MIXED, 30), False),
        "variation_icon": variation_icon("concerning_high"),
        "assurance_icon": assurance_icon("hit_and_miss"),
        "quartile": quartile_chart("Gender by pay quartile", quartiles),
        "comparison": comparison_bars("Ethnicity: workforce vs ICB catchment", "% of people", comparison),
        "dot_strip": dot_strip("Relative likelihood of appointment", "relative likelihood",
                               [0.8 + 0.037 * i for i in range(40)], 1.45, "This trust", 1.0),
        "ci": ci_chart("WRES relative likelihoods", "relative likelihood", ci_rows, 1.0),
    }


@pytest.fixture(scope="module")
def built() -> dict[str, charts.Chart]:
    return every_chart()


# --- determinism, size, inline-ready SVG ------------------------------------------------------------


def test_same_input_gives_byte_identical_svg(built):
    again = every_chart()
    for name, chart in built.items():
        assert chart.svg == again[name].svg, name


def test_every_chart_is_small(built):
    sizes = {name: len(chart.svg.encode("utf-8")) for name, chart in built.items()}
    five_years_monthly = xmr_chart("Sickness absence", "%", rebased(spc_series(60), 40), False)
    sizes["xmr_60_points"] = len(five_years_monthly.svg.encode("utf-8"))
    assert max(sizes.values()) < MAX_CHART_BYTES, sizes


def test_svg_is_ready_to_inline_and_scales(built):
    for name, chart in built.items():
        assert chart.svg.startswith("<svg"), name  # no XML declaration or DOCTYPE before it
        assert "<!DOCTYPE" not in chart.svg and "<?xml" not in chart.svg, name
        assert "<metadata>" not in chart.svg, name
        root = parse(chart)
        assert root.get("viewBox"), name
        if "icon" not in name:
            assert root.get("width") == "100%" and root.get("height") is None, name


def test_text_stays_text_in_the_nhs_font_stack(built):
    chart = built["xmr"]
    assert "Incidents per 1,000 staff" in texts(parse(chart))  # not glyph outlines
    families = set(re.findall(r"font-family: ([^;\"]+)", chart.svg))
    assert families == {charts.FONT_FAMILY}


def test_every_chart_is_an_image_labelled_by_its_title_and_description(built):
    for name, chart in built.items():
        root = parse(chart)
        assert root.get("role") == "img", name
        title_id, desc_id = root.get("aria-labelledby").split()
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert (title.get("id"), desc.get("id")) == (title_id, desc_id), name
        assert title.text and desc.text == chart.summary, name


def test_ids_are_unique_across_charts_and_every_reference_resolves(built):
    seen: set[str] = set()
    for name, chart in built.items():
        root = parse(chart)
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), name
        assert not seen & set(ids), name
        seen |= set(ids)
        references = [e.get(XLINK_HREF)[1:] for e in root.iter() if e.get(XLINK_HREF)]
        references += re.findall(r"url\(#([^)]+)\)", chart.svg)
        assert references and set(references) <= set(ids), name


def test_two_charts_of_the_same_data_get_distinct_ids_when_named():
    a = variation_icon("common_cause", chart_id="rxx-sickness")
    b = variation_icon("common_cause", chart_id="ryy-sickness")
    ids = lambda c: {e.get("id") for e in parse(c).iter() if e.get("id")}  # noqa: E731
    assert not ids(a) & ids(b)
    with pytest.raises(ValueError, match="chart_id"):
        variation_icon("common_cause", chart_id='x" onload="alert(1)')


# --- the XmR chart agrees with its points -----------------------------------------------------------


def test_summary_in_plain_english_mentions_the_latest_value_and_special_causes():
    chart = xmr_chart("Incidents per 1,000 staff", "per 1,000 staff", MIXED, False)
    assert chart.summary.startswith("Incidents per 1,000 staff, monthly, Apr 2021 to Mar 2025: latest 17.2")
    assert "(not yet complete)" in chart.summary
    assert "mean 18.8" in chart.summary
    assert "2 points of concern, 1 point of improvement, 1 point neither better nor worse" in chart.summary
    plain = xmr_chart("Incidents per 1,000 staff", "per 1,000 staff", spc_series(), False)
    assert plain.summary.endswith("latest 18.4, mean 18.8; no special cause variation.")


def test_each_spc_class_group_holds_exactly_its_points():
    root = parse(xmr_chart("Incidents", "per 1,000 staff", MIXED, False))
    expected = {"improving": 1, "concerning": 2, "neither": 1, "not-assessed": 1}
    # common cause: 48 points - 5 special/not assessed - 1 withheld (None), the null variation included
    expected["common"] = 48 - 5 - 1
    for name, count in expected.items():
        assert len(markers_in(root, f"spc-points-{name}")) == count, name


def test_each_spc_class_has_its_own_marker_shape_and_a_legend_in_words():
    chart = xmr_chart("Incidents", "per 1,000 staff", MIXED, False)
    root = parse(chart)
    shapes = {name: {marker_shape(root, m) for m in markers_in(root, f"spc-points-{name}")}
              for name in ("improving", "concerning", "neither", "common")}
    assert all(len(s) == 1 for s in shapes.values()), shapes
    assert len(set().union(*shapes.values())) == 4, shapes  # colour is never the only signal
    legend = texts(root)
    for words in ("Special cause: improvement", "Special cause: concern",
                  "Special cause: neither better nor worse", "Common cause", "Mean", "Process limits"):
        assert words in legend


def test_immature_points_are_hollow_and_explained():
    root = parse(xmr_chart("Incidents", "per 1,000 staff", MIXED, False))
    (immature,) = markers_in(root, "spc-points-not-assessed")
    assert "fill: #ffffff" in immature.get("style")
    solid = markers_in(root, "spc-points-concerning")
    assert all("fill: #ffffff" not in u.get("style") for u in solid)
    assert "Not yet complete" in texts(root)
    mature = parse(xmr_chart("Incidents", "per 1,000 staff", spc_series(), False))
    assert "Not yet complete" not in texts(mature)


def test_a_withheld_value_leaves_a_gap_in_the_line():
    def subpaths(points) -> int:
        (line,) = with_class(parse(xmr_chart("Incidents", "per 1,000 staff", points, False)), "spc-values")
        return line.find(f"{SVG}path").get("d").count("M")

    assert subpaths(spc_series()) == 1
    assert subpaths(spc_series(i20={"value": None})) == 2


def test_limits_step_at_a_rebase_and_a_rebase_marker_is_drawn_iff_a_point_starts_one():
    def rebase_markers(points) -> tuple[int, list[str]]:
        root = parse(xmr_chart("Incidents", "per 1,000 staff", points, False))
        lines = [p for g in with_class(root, "spc-rebase") for p in g.iter(f"{SVG}path")]
        labels = [text_of(t) for t in with_class(root, "spc-rebase-label")]
        (mean,) = with_class(root, "spc-mean")
        return len(lines), labels, mean.find(f"{SVG}path").get("d").count("M")

    assert rebase_markers(spc_series()) == (0, [], 1)
    assert rebase_markers(rebased(spc_series(), 30)) == (1, ["Rebased"], 2)


def test_trial_limits_are_labelled_iff_limits_are_trial():
    def trial_labels(points) -> list[str]:
        root = parse(xmr_chart("Incidents", "per 1,000 staff", points, False))
        return [text_of(t) for t in with_class(root, "spc-trial-label")]

    assert trial_labels(spc_series()) == []
    trial = [replace(p, limits_status="trial") for p in spc_series(10)]
    assert trial_labels(trial) == ["Trial limits"]
    firm_then_trial = [replace(p, limits_status="trial") if p.segment == 2 else p
                       for p in rebased(spc_series(), 40)]
    assert trial_labels(firm_then_trial) == ["Trial limits"]


def test_every_variation_and_limits_status_of_fct_spc_point_is_drawn_and_others_are_refused():
    spec = yaml.safe_load((SPC_MODELS / "fct_spc_point.yml").read_text())
    values = accepted_values(spec, "fct_spc_point", "variation")
    assert values == {"common_cause", "improving", "concerning", "neither", "not_assessed"}
    for variation in values:
        points = spc_series(i3={"variation": variation})
        assert xmr_chart("Incidents", "per 1,000 staff", points, True).svg
    for status in accepted_values(spec, "fct_spc_point", "limits_status"):
        assert xmr_chart("Incidents", "per 1,000 staff", [replace(p, limits_status=status) for p in spc_series()],
                         True).svg
    with pytest.raises(ValueError, match="'special'"):
        xmr_chart("Incidents", "per 1,000 staff", spc_series(i3={"variation": "special"}), True)


# --- icons ------------------------------------------------------------------------------------------


def accepted_values(spec: dict, model: str, column: str) -> set[str]:
    (entry,) = [m for m in spec["models"] if m["name"] == model]
    (col,) = [c for c in entry["columns"] if c["name"] == column]
    tests = [t["accepted_values"] for t in col.get("data_tests", []) if isinstance(t, dict) and "accepted_values" in t]
    return set(tests[0]["arguments"]["values"])


def test_every_icon_value_of_fct_spc_summary_has_its_own_icon():
    spec = yaml.safe_load((SPC_MODELS / "fct_spc_summary.yml").read_text())
    for draw, column in ((variation_icon, "variation_icon"), (assurance_icon, "assurance")):
        kinds = accepted_values(spec, "fct_spc_summary", column)
        drawn = {kind: draw(kind) for kind in kinds}
        assert len({chart.svg for chart in drawn.values()}) == len(kinds), column
        assert len({chart.summary for chart in drawn.values()}) == len(kinds), column
        for kind, chart in drawn.items():
            root = parse(chart)
            assert (root.get("width"), root.get("height")) == ("48", "48"), kind
            assert with_class(root, f"icon-{column.split('_')[0]}-{kind.replace('_', '-')}"), kind


@pytest.mark.parametrize(
    ("kind", "letter", "fill"),
    [
        ("common_cause", None, charts.MID_GREY),
        ("improving_high", "H", charts.NHS_BLUE),
        ("improving_low", "L", charts.NHS_BLUE),
        ("concerning_high", "H", charts.ORANGE),
        ("concerning_low", "L", charts.ORANGE),
        ("neither_high", "H", charts.PURPLE),
        ("neither_low", "L", charts.PURPLE),
    ],
)
def test_variation_icon_colour_and_letter(kind, letter, fill):
    root = parse(variation_icon(kind))
    assert texts(root) == ([letter] if letter else [])
    (body,) = markers_in(root, f"icon-variation-{kind.replace('_', '-')}")
    assert f"fill: {fill.lower()}" in body.get("style")


@pytest.mark.parametrize(("kind", "letter", "fill"),
                         [("pass", "P", charts.NHS_BLUE), ("fail", "F", charts.ORANGE),
                          ("hit_and_miss", "?", charts.MID_GREY)])
def test_assurance_icon_colour_and_letter(kind, letter, fill):
    root = parse(assurance_icon(kind))
    assert texts(root) == [letter]
    (body,) = markers_in(root, f"icon-assurance-{kind.replace('_', '-')}")
    assert f"fill: {fill.lower()}" in body.get("style")


@pytest.mark.parametrize("draw", [variation_icon, assurance_icon])
def test_unknown_icon_kind_is_refused_by_name(draw):
    with pytest.raises(ValueError, match="'improving_sideways'"):
        draw("improving_sideways")


# --- the other charts -------------------------------------------------------------------------------


def test_quartile_bars_are_named_in_text_and_patterned(built):
    root = parse(built["quartile"])
    women, men = with_class(root, "quartile-group-0"), with_class(root, "quartile-group-1")
    assert len(women) == len(men) == 4
    labels = texts(root)
    assert {"Women 80%", "Men 20%", "Women 62%", "Men 38%"} <= set(labels)
    assert {"Lower quartile", "Upper quartile"} <= set(labels)
    assert all(hatched(g) for g in men) and not any(hatched(g) for g in women)


def test_a_quartile_label_is_printed_only_where_it_fits_its_share():
    # seen in a board report: "All ethnic minority groups 17%" ran over its neighbour's share
    rows = [QuartileShare(q, group, share) for q in (1, 2, 3, 4)
            for group, share in (("White", 78.0), ("All ethnic minority groups", 17.0), ("Unknown", 5.0))]
    labels = set(texts(parse(quartile_chart("Ethnic groups by pay quartile", rows))))
    assert "White 78%" in labels
    assert "All ethnic minority groups 17%" not in labels and "Unknown 5%" not in labels
    wide = [QuartileShare(q, group, share) for q in (1, 2, 3, 4)
            for group, share in (("All ethnic minority groups", 40.0), ("Men", 9.0), ("White", 51.0))]
    assert {"All ethnic minority groups 40%", "Men 9%"} <= set(texts(parse(quartile_chart("Wide", wide))))


def test_comparison_bars_print_every_value_and_tell_series_apart_by_pattern(built):
    chart = built["comparison"]
    root = parse(chart)
    workforce, census = with_class(root, "cmp-series-0"), with_class(root, "cmp-series-1")
    assert len(workforce) == len(census) == 9
    assert all(hatched(g) for g in census)
    assert not any(hatched(g) for g in workforce)
    assert {"13.5", "12.0", "71.5", "70.0"} <= set(texts(root))
    assert "Bands 1-4: Asian: Workforce 13.5, ICB catchment (Census 2021) 12.0" in chart.summary


def test_dot_strip_draws_every_peer_and_this_trust():
    chart = dot_strip("Relative likelihood", "relative likelihood", [0.9, 1.1, 1.1, 1.2, 2.0], 1.3,
                      "This trust", 1.0)
    root = parse(chart)
    assert len(markers_in(root, "peer-dots")) == 5
    assert len(markers_in(root, "peer-highlight")) == 1
    assert with_class(root, "peer-reference")
    assert "This trust 1.30" in texts(root)
    assert chart.summary == ("Relative likelihood: This trust 1.30, above 4 of 5 peer values, peer median 1.10, "
                             "reference 1.00.")
    without_reference = parse(dot_strip("Gap", "%", [1.0, 2.0], None, "This trust", None))
    assert not with_class(without_reference, "peer-reference")
    assert not with_class(without_reference, "peer-highlight")


def test_ci_rows_spanning_parity_are_hollow_and_say_no_clear_difference(built):
    chart = built["ci"]
    root = parse(chart)
    assert len(markers_in(root, "ci-points-clear")) == 2
    (unclear,) = markers_in(root, "ci-points-unclear")
    assert "fill: #ffffff" in unclear.get("style")
    notes = [text_of(t) for t in with_class(root, "ci-no-clear-difference")]
    assert notes == ["no clear difference"]
    assert "Entering formal disciplinary 1.30 (95% CI 0.80 to 2.10), no clear difference" in chart.summary
    assert chart.summary.count("no clear difference") == 1


# --- no data ----------------------------------------------------------------------------------------

NO_DATA_CASES = {
    "xmr_empty": lambda: xmr_chart("Incidents", "per 1,000", [], True),
    "xmr_all_withheld": lambda: xmr_chart("Incidents", "per 1,000",
                                          [replace(p, value=None) for p in spc_series(6)], True),
    "quartile_empty": lambda: quartile_chart("Pay quartiles", []),
    "quartile_all_withheld": lambda: quartile_chart("Pay quartiles", [QuartileShare(1, "Women", None)]),
    "comparison_empty": lambda: comparison_bars("Ethnicity", "%", []),
    "comparison_all_withheld": lambda: comparison_bars("Ethnicity", "%", [ComparisonRow("A", "B", None)]),
    "dot_strip_empty": lambda: dot_strip("Peers", "ratio", [], None, "This trust", 1.0),
    "ci_empty": lambda: ci_chart("WRES", "ratio", [], 1.0),
    "ci_all_withheld": lambda: ci_chart("WRES", "ratio", [CiRow("A", None, None, None)], 1.0),
}


@pytest.mark.parametrize("case", sorted(NO_DATA_CASES))
def test_no_data_gives_a_chart_that_says_so(case):
    chart = NO_DATA_CASES[case]()
    root = parse(chart)
    assert root.get("role") == "img"
    assert [t for t in texts(root) if t == charts.NO_DATA_TEXT]
    assert chart.summary.endswith(": no data for this period.")


def test_a_withheld_row_beside_real_ones_is_said_not_hidden():
    chart = ci_chart("WRES", "ratio", [CiRow("A", 1.2, 1.1, 1.3), CiRow("B", None, None, None)], 1.0)
    assert "not available" in texts(parse(chart))
    assert "B not available" in chart.summary


def test_charts_drawn_in_parallel_threads_equal_those_drawn_one_by_one(built):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: every_chart(), range(3)))
    for result in results:
        assert {name: c.svg for name, c in result.items()} == {name: c.svg for name, c in built.items()}
