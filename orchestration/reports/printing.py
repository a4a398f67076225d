"""Printing report pages to PDF in headless Chromium, the same engine the browser tests use.

Chromium is a system package, not a Python one: Debian's `chromium` (or any Chrome, named by
EDI_CHROMIUM). Without it the HTML pages are still built, and the run says how to get the PDFs.
Playwright drives one browser for all pages, so printing costs about a tenth of a second a page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Chromium's sandbox needs user namespaces, which containers and CI runners often lack; the pages it
# opens are our own files, and every request but file:// is refused (see open_page).
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


class PdfUnavailable(RuntimeError):
    """No Chromium to print with; the message says how to get one."""


def chromium_path(configured: str | Path | None = None) -> str:
    """`configured` (the EDI_CHROMIUM setting) if given, else the first Chromium or Chrome on PATH."""
    if configured:
        if not Path(configured).exists():
            raise PdfUnavailable(f"EDI_CHROMIUM={configured} does not exist")
        return str(configured)
    for name in BROWSER_NAMES:
        if found := shutil.which(name):
            return found
    raise PdfUnavailable("no Chromium found to print the PDFs: install Debian's `chromium` package "
                         "(sudo apt-get install chromium) or set EDI_CHROMIUM to a Chrome/Chromium binary")


@contextmanager
def browser(chromium: str | Path | None = None) -> Iterator:
    """A headless Chromium under Playwright, closed on exit."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path(chromium)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def offline_page(instance):
    """A page that may load file:// URLs only: a report that tried to fetch anything would show it."""
    page = instance.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    return page


def print_pdfs(pages: list[Path], chromium: str | Path | None = None) -> list[Path]:
    """<page>.pdf beside every page, A4 with the page's own print stylesheet."""
    printed = []
    with browser(chromium) as instance:
        page = offline_page(instance)
        for html in pages:
            page.goto(html.resolve().as_uri(), wait_until="load")
            target = html.with_suffix(".pdf")
            page.pdf(path=str(target), format="A4", print_background=True, prefer_css_page_size=True)
            printed.append(target)
    return printed
