"""The board report of a real refresh, read as files: every number on a page is the BI extract's,
nothing on a page is person-level or a count of 1-7, every page stands alone, and the SPC charts
agree point for point with the warehouse's SPC points."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.bi_extract import bi_file_path
from orchestration.reports.build import reports_dir
from orchestration.reports.extract import MEASURE_COLUMNS, Measure
from orchestration.reports.formatting import number

PERSON_LEVEL_NAMES = ("staff_key", "staff_version_key", "employee_number", "assignment_number", "applicant_key",
                      "incident_key", "case_key", "date_of_birth", "nhs_number", "pseudonym")
MAX_PAGE_BYTES = 500_000
SVG_NS = "{http://www.w3.org/2000/svg}"


class PageParser(HTMLParser):
    """Collects (data-key, text) cells, tags and the attributes that could reach the network."""

    def __init__(self):
        super().__init__()
        self.keyed: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self.urls: list[str] = []
        self._key: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attributes = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href", "action", "xlink:href", "poster") and v]
        if "data-key" in attributes:
            self._key, self._text = attributes["data-key"], []

    def handle_endtag(self, tag):
        if tag == "td" and self._key is not None:
            self.keyed.append((self._key, "".join(self._text).strip()))
            self._key = None

    def handle_data(self, data):
        if self._key is not None:
            self._text.append(data)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def reports(demo_refresh) -> Path:
    assert demo_refresh.result.success
    return reports_dir(demo_refresh.warehouse)


@pytest.fixture(scope="module")
def bi(demo_refresh):
    con = duckdb.connect(str(bi_file_path(demo_refresh.warehouse)), read_only=True)
    yield con
    con.close()


def trust_pages(reports: Path) -> list[Path]:
    return sorted(p for p in reports.glob("*.html") if p.name != "index.html")


def measure_row(bi, key: str) -> Measure:
    org, period_type, period_end, measure_id, variant, b_type, b_value, g_dim, g_value = json.loads(key)
    row = bi.execute(
        f"select {', '.join(MEASURE_COLUMNS)} from bi_edi_measure where organisation_code = ? and period_type = ? "
        "and period_end = ? and measure_id = ? and variant = ? and breakdown_type = ? and breakdown_value = ? "
        "and group_dimension = ? and group_value = ?",
        [org, period_type, period_end, measure_id, variant, b_type, b_value, g_dim, g_value]).fetchall()
    assert len(row) == 1, key
    return Measure(*row[0])


def test_the_refresh_wrote_an_index_and_a_page_and_pdf_per_trust(reports, bi):
    trusts = {code for (code,) in bi.execute("select distinct organisation_code from bi_edi_measure").fetchall()}
    assert (reports / "index.html").exists()
    assert {p.stem for p in trust_pages(reports)} == trusts
    for page in trust_pages(reports):
        pdf = page.with_suffix(".pdf")
        assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-", pdf
    index = parse(reports / "index.html")
    assert {u.removesuffix(".html") for u in index.urls if not u.startswith("#")} == trusts
    counted = f"{len(trusts)} trust{'' if len(trusts) == 1 else 's'}, by region"
    assert counted in (reports / "index.html").read_text(encoding="utf-8")


def test_every_keyed_cell_shows_its_bi_edi_measure_row(reports, bi):
    checked = 0
    for page in [reports / "index.html", *trust_pages(reports)]:
        for key, text in parse(page).keyed:
            m = measure_row(bi, key)
            shown = (number(m.value, m.value_unit), number(m.value, m.value_unit, signed=True))
            assert any(value in text for value in shown), (page.name, key, text)
            checked += 1
    assert checked > 200


def test_no_page_shows_a_count_of_one_to_seven_or_a_person_level_field(reports):
    for page in [reports / "index.html", *trust_pages(reports)]:
        text = page.read_text(encoding="utf-8")
        visible = re.sub(r"<svg.*?</svg>|<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
        for numerator, denominator in re.findall(r"\b(\d[\d,]*) of (\d[\d,]*)\b", visible):
            for n in (numerator, denominator):
                assert not 1 <= int(n.replace(",", "")) <= 7, (page.name, numerator, denominator)
        for name in PERSON_LEVEL_NAMES:
            assert name not in text, (page.name, name)
        assert not re.search(r"\b[0-9a-f]{64}\b", text), page.name  # no SHA-256 / HMAC pseudonym


def test_every_page_stands_alone(reports):
    for page in [reports / "index.html", *trust_pages(reports)]:
        parser = parse(page)
        text = page.read_text(encoding="utf-8")
        assert not parser.tags & {"script", "link", "iframe", "img", "object", "embed"}, page.name
        assert all(not re.match(r"[a-z]+:", url) or url.startswith("#") for url in parser.urls), parser.urls
        assert "@import" not in text and not re.search(r"url\((?!#)", text), page.name
        assert page.stat().st_size < MAX_PAGE_BYTES, (page.name, page.stat().st_size)


CLASS_OF_VARIATION = {"improving": "improving", "concerning": "concerning", "neither": "neither",
                      "common_cause": "common", None: "common", "not_assessed": "not-assessed"}


def markers_by_class(svg_text: str) -> dict[str, int]:
    """Point markers per class group of an XmR chart: matplotlib writes a marker as a <use> of a shape
    kept in <defs>, or as a <path>; the shape in <defs> is no marker."""
    root = ET.fromstring(svg_text)
    found = {}
    for group in root.iter(f"{SVG_NS}g"):
        css = group.get("class") or ""
        if not css.startswith("spc-points-"):
            continue
        in_defs = {id(e) for d in group.iter(f"{SVG_NS}defs") for e in d.iter()}
        markers = sum(1 for e in group.iter() if e is not group and id(e) not in in_defs
                      and e.tag in (f"{SVG_NS}use", f"{SVG_NS}path"))
        found[css.removeprefix("spc-points-")] = found.get(css.removeprefix("spc-points-"), 0) + markers
    return found


def test_each_spc_chart_agrees_point_for_point_with_the_spc_points(demo_refresh, reports, bi):
    page = trust_pages(reports)[0]
    text = page.read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="chart" id="spc-(\d+)">(.*?)</figure>', text, re.S)
    series = bi.execute(
        "select measure_id, group_value from bi_spc_summary where organisation_code = ? "
        "order by measure_id, group_value", [page.stem]).fetchall()
    assert len(figures) == len(series) > 0
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as full:
        for (_, body), (measure_id, group_value) in zip(figures, series):
            points = full.execute(
                "select p.variation, c.value, c.centre, c.lpl, c.upl from marts.fct_spc_point as p "
                "join bi.bi_spc_chart as c using (organisation_code, measure_id, group_value, period_end) "
                "where p.organisation_code = ? and p.measure_id = ? and p.group_value = ? order by p.period_end",
                [page.stem, measure_id, group_value]).fetchall()
            rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)
            assert len(rows) == len(points) > 0, measure_id
            for row, (_, _, centre, lpl, upl) in zip(rows, points):
                cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
                assert cells[2:5] == [f"{v:.1f}" if v is not None else "–" for v in (centre, lpl, upl)], measure_id
            expected = {}
            for variation, value, *_ in points:
                if value is None:  # a withheld value is a gap in the line, not a marker
                    continue
                expected[CLASS_OF_VARIATION[variation]] = expected.get(CLASS_OF_VARIATION[variation], 0) + 1
            svg = re.search(r"<svg.*?</svg>", body.split('<div class="svg">')[1], re.S).group(0)
            assert markers_by_class(svg) == expected, measure_id
