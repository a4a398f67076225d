"""`edi report`: one self-contained HTML page per trust, an index, and a PDF of each page.

    warehouse/reports -> report_versions/<stamp>/   index.html, <ODS code>.html, <ODS code>.pdf

Pages are rendered from the BI extract only, with Jinja2 (autoescaped) and inline SVG charts: no
script, font, stylesheet or image is fetched when a page is opened, so it works as an e-mail
attachment. The whole set is written into a new folder and put in place by replacing one link, so a
reader sees the previous reports or the new ones, never a mix; a failure leaves the previous set.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from orchestration.reports import sections
from orchestration.reports.extract import Extract, Trust, open_extract
from orchestration.reports.formatting import fy_label, likelihood_in_brief, number
from orchestration.reports.printing import PdfUnavailable, print_pdfs
from orchestration.settings import DBT_PROJECT_DIR

REPORTS_LINK = "reports"
REPORT_VERSIONS_DIR = "report_versions"
KEEP_REPORT_VERSIONS = 2
# WRES 3 / WDES 3's headline two-year window is a dbt var; the page shows the same one as the warehouse.
WINDOW_VAR = "wres_ind3_window_method"
YEARLY_MIN_POINTS_VAR = "spc_yearly_min_points"
INDEX_MEASURES = (("rl_white_vs_bme_appointed_from_shortlisting", "WRES 2"),
                  ("rl_bme_vs_white_entering_formal_disciplinary", "WRES 3"),
                  ("rl_nondisabled_vs_disabled_appointed_from_shortlisting", "WDES 2"))


@dataclass
class ReportSet:
    folder: Path
    pages: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    pdf_skipped: str | None = None
    seconds: float = 0.0


def reports_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / REPORTS_LINK


@dataclass(frozen=True)
class PageSettings:
    """The dbt vars the figures were built with that a page's words depend on."""
    window: str             # the headline relative-likelihood window
    yearly_min_points: int  # years a yearly SPC series needs before it is charted


def page_settings() -> PageSettings:
    config = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    dbt_vars = config.get("vars", {})
    return PageSettings(window=str(dbt_vars.get(WINDOW_VAR, "pooled")),
                        yearly_min_points=int(dbt_vars[YEARLY_MIN_POINTS_VAR]))


def environment() -> Environment:
    env = Environment(loader=PackageLoader("orchestration.reports", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["stylesheet"] = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    return env


def trust_periods(rows: sections.Rows) -> sections.Period | None:
    years = sorted({m.fy_end for ms in rows.by_measure.values() for m in ms})
    if not years:
        return None
    return sections.Period(years[-1], years[-2] if len(years) > 1 else None)


def trust_page(extract: Extract, trust: Trust, catalogue: dict, settings: PageSettings) -> dict:
    """Everything one trust's page shows, section by section."""
    rows = sections.Rows(extract.measures(trust.organisation_code, catalogue.keys()))
    period = trust_periods(rows)
    page = {"trust": trust, "period": period, "sections": []}
    if period is None:
        return page
    page["sections"] = [
        sections.headline_section(rows, catalogue, period, settings.window),
        sections.spc_section(extract.spc_series(trust.organisation_code)),
        sections.representation_section(rows, trust, period),
        sections.pay_section(rows, extract.gender_pay_gap_filings(trust.organisation_code), period),
        sections.hia6_section(rows, period, extract.targets(trust.organisation_code)),
        sections.declaration_section(rows, period),
        sections.attainment_section(rows, period, extract.attainment_spc_latest(trust.organisation_code),
                                    settings.yearly_min_points),
        sections.peers_section(extract, rows, trust, period, settings.window),
    ]
    page["index_row"] = index_row(rows, trust, period, settings.window, catalogue)
    return page


def index_row(rows: sections.Rows, trust: Trust, period: sections.Period, window: str, catalogue: dict) -> dict:
    cells = []
    for measure_id, code in INDEX_MEASURES:
        protected = catalogue[measure_id].protected_group if measure_id in catalogue else None
        variant = sections.pick_variant(rows, measure_id, (window, *sections.RL_WINDOW_PREFERENCE))
        m = next(iter(rows.where(measure_id, period.latest, variant=variant, breakdown_type="overall")), None)
        cells.append({"code": code, "value": number(m.value, m.value_unit) if m else "no data",
                      "says": likelihood_in_brief(m, protected) if m else "", "key": m.key if m else None})
    gap = rows.get(period.latest, "pay_gap_median_hourly_pct", "default", "overall", "all", "sex", "Female")
    cells.append({"code": "Median gender pay gap", "value": number(gap.value, gap.value_unit) if gap else "no data",
                  "says": "", "key": gap.key if gap else None})
    return {"trust": trust, "year": fy_label(period.latest), "cells": cells}


def render_trust_pages(warehouse_dir: Path, folder: Path, codes: list[str], built_at: str) -> list[dict]:
    """Write the pages of some trusts; return their index rows. Runs in a worker process: it opens
    its own read-only connection, so workers share nothing but the file."""
    env = environment()
    settings = page_settings()
    rows = []
    with open_extract(warehouse_dir) as extract:
        catalogue = extract.catalogue()
        provenance = sections.provenance(extract)
        trusts = {t.organisation_code: t for t in extract.trusts()}
        template = env.get_template("trust.html.j2")
        for code in codes:
            page = trust_page(extract, trusts[code], catalogue, settings)
            (folder / f"{code}.html").write_text(
                template.render(page=page, provenance=provenance, built_at=built_at), encoding="utf-8")
            if "index_row" in page:
                rows.append(page["index_row"])
    return rows


def render_reports(warehouse_dir: Path, folder: Path, workers: int | None = None) -> list[Path]:
    """Write index.html and one page per trust into `folder`; return the pages, index first. Charts
    are drawn in worker processes, a share of the trusts each (matplotlib is the slow part)."""
    built_at = datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC")
    with open_extract(warehouse_dir) as extract:
        trusts = extract.trusts()
        provenance = sections.provenance(extract)
    codes = [t.organisation_code for t in trusts]
    workers = max(1, min(workers or os.cpu_count() or 1, len(codes)))
    shares = [codes[i::workers] for i in range(workers)]
    if workers == 1:
        results = [render_trust_pages(warehouse_dir, folder, codes, built_at)]
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(render_trust_pages, [warehouse_dir] * workers, [folder] * workers, shares,
                                    [built_at] * workers))
    by_code = {row["trust"].organisation_code: row for result in results for row in result}
    index_rows = [by_code[code] for code in codes if code in by_code]
    index = folder / "index.html"
    index.write_text(environment().get_template("index.html.j2").render(
        rows=index_rows, regions=_by_region(index_rows), provenance=provenance, built_at=built_at), encoding="utf-8")
    return [index, *(folder / f"{code}.html" for code in codes)]


def _by_region(rows: list[dict]) -> list[tuple[str, list[tuple[str, list[dict]]]]]:
    """[(region, [(ICB, rows)])] in the trusts' order (already sorted by region, ICB, name)."""
    grouped: dict[str, dict[str, list[dict]]] = {}
    for row in rows:
        trust = row["trust"]
        grouped.setdefault(trust.region or "Region not known", {}).setdefault(trust.icb_name or "ICB not known",
                                                                              []).append(row)
    return [(region, list(icbs.items())) for region, icbs in grouped.items()]


def build_reports(warehouse_dir: Path, pdf: bool = True, chromium: Path | str | None = None) -> ReportSet:
    """Render every page into a new version folder, print the PDFs, then swap the `reports` link."""
    started = time.monotonic()
    warehouse_dir = Path(warehouse_dir).resolve()
    versions = warehouse_dir / REPORT_VERSIONS_DIR
    folder = versions / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder.mkdir(parents=True)
    result = ReportSet(folder)
    try:
        result.pages = render_reports(warehouse_dir, folder)
        if pdf:
            try:
                result.pdfs = print_pdfs(result.pages[1:], chromium)
            except PdfUnavailable as missing:
                result.pdf_skipped = str(missing)
        for path in folder.iterdir():
            path.chmod(0o644)
        folder.chmod(0o755)
        _swap_link(warehouse_dir, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _prune(versions, keep=KEEP_REPORT_VERSIONS)
    result.seconds = time.monotonic() - started
    return result


def _swap_link(warehouse_dir: Path, folder: Path) -> None:
    link = warehouse_dir / f".{REPORTS_LINK}.{folder.name}.link"
    link.symlink_to(folder.relative_to(warehouse_dir), target_is_directory=True)
    os.replace(link, reports_dir(warehouse_dir))


def _prune(versions: Path, keep: int) -> None:
    """Keep the newest `keep` sets (the one readers see is the newest)."""
    for old in sorted(p for p in versions.iterdir() if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)

