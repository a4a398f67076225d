"""The board report as the last asset of a refresh: every publish rebuilds it from the new extract."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.publish.run_record import PUBLISHED_KEY
from orchestration.reports.build import build_reports, reports_dir
from orchestration.resources import Warehouse

REPORT_KEY = AssetKey(["published", "board_report"])


@asset(
    key=REPORT_KEY,
    deps=[PUBLISHED_KEY],
    group_name="publish",
    kinds={"html", "pdf"},
    description="One self-contained HTML page (and PDF) per trust and an index, from the disclosure-"
                "controlled BI extract only: warehouse/reports/<ODS code>.html and index.html.",
)
def board_report(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    built = build_reports(Path(warehouse.warehouse_dir), pdf=warehouse.report_pdf,
                          chromium=warehouse.chromium or None)
    index = reports_dir(Path(warehouse.warehouse_dir)) / "index.html"
    if not built.pdfs and not built.pdf_skipped:
        context.log.info("PDFs not printed: EDI_REPORT_PDF is false")
    if built.pdf_skipped:
        context.log.warning(f"PDFs not printed: {built.pdf_skipped}")
    context.log.info(f"board reports: {index} ({len(built.pages) - 1} trusts, {built.seconds:.1f} s)")
    return MaterializeResult(metadata={
        "report_index": str(index), "trust_pages": len(built.pages) - 1, "pdfs": len(built.pdfs),
        "pdf_skipped": built.pdf_skipped or "", "seconds": round(built.seconds, 2),
    })
