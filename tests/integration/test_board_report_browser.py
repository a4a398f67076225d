"""The board report as a person sees it: every page of the demo opened in headless Chromium.

Chromium is a system package (Debian's `chromium`); .ci/run installs it. These tests fail, never
skip, when it is missing: a report nobody has opened in a browser is not tested. Screenshots of one
trust page at desktop and mobile width are written to test-artifacts/ for a person to look at.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from orchestration.reports.build import reports_dir
from orchestration.reports.printing import browser
from orchestration.settings import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts"
SERIOUS = {"serious", "critical"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def pages(demo_refresh) -> list[Path]:
    assert demo_refresh.result.success
    folder = reports_dir(demo_refresh.warehouse)
    return [folder / "index.html", *sorted(p for p in folder.glob("*.html") if p.name != "index.html")]


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:  # raises PdfUnavailable, naming how to install it, when there is none
        yield instance


def open_page(chromium, path: Path, viewport: dict):
    """Open a report page, recording console errors and every request that is not the file itself."""
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return context, page, errors, [url for url in requests if url != path.resolve().as_uri()]


def test_every_page_opens_without_errors_or_requests_and_draws_every_chart(chromium, pages):
    for path in pages:
        context, page, errors, requests = open_page(chromium, path, VIEWPORTS["desktop"])
        assert errors == [], (path.name, errors)
        assert requests == [], (path.name, requests)
        sizes = page.eval_on_selector_all("svg", "els => els.map(e => [e.getBoundingClientRect().width, "
                                                 "e.getBoundingClientRect().height])")
        if path.name != "index.html":
            assert len(sizes) >= 5, path.name
        assert all(w > 0 and h > 0 for w, h in sizes), (path.name, sizes)
        context.close()


def test_every_page_has_no_serious_accessibility_violation(chromium, pages):
    axe = Axe()
    for path in pages:
        context, page, _, _ = open_page(chromium, path, VIEWPORTS["desktop"])
        result = axe.run(page)
        serious = [(v["id"], v["impact"], len(v["nodes"])) for v in result.response["violations"]
                   if v["impact"] in SERIOUS]
        assert serious == [], (path.name, serious)
        context.close()


def test_the_data_behind_a_chart_is_one_keyboard_step_away(chromium, pages):
    context, page, _, _ = open_page(chromium, pages[1], VIEWPORTS["desktop"])
    summary = page.locator("figure.chart details summary").first
    table = page.locator("figure.chart details table").first
    assert not table.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert table.is_visible()
    context.close()


def test_a_trust_page_prints_and_is_captured_at_desktop_and_mobile_width(chromium, pages):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport in VIEWPORTS.items():
        context, page, errors, _ = open_page(chromium, pages[1], viewport)
        shot = ARTIFACTS / f"board-report-{pages[1].stem}-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000 and errors == []
        if name == "mobile":  # nothing wider than the phone but the scrollable tables
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, overflow
        context.close()
    pdf = pages[1].with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
