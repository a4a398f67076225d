"""Rows read = rows landed + rows quarantined, per delivery, checked against the tables themselves."""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.quality.contracts import Contract
from orchestration.quality.deliveries import LANDED_FILE
from orchestration.quality.landing import RAW_SCHEMA
from orchestration.quality.supersession import superseded_table


@dataclass
class AccountingResult:
    passed: bool
    message: str
    quarantine_ratio: float
    files: list[dict] = field(default_factory=list)


def _most_quarantined(files: list[dict], shown: int = 3) -> str:
    """The files with the largest quarantined share, so the console names what to look at."""
    held = sorted((f for f in files if f["quarantined"]), key=lambda f: -f["quarantined"] / max(f["read"], 1))
    return ", ".join(f"{f['file']} {f['quarantined'] / max(f['read'], 1):.2%} ({f['quarantined']} of {f['read']} rows)"
                     for f in held[:shown])


def check_row_accounting(con, contract: Contract) -> AccountingResult:
    """Compare the deliveries the warehouse holds (audit.landed_file) with what the source's tables
    hold per file: current and superseded rows are landed rows; a row of no delivery is a problem."""
    rows = con.execute(
        f"""with state as (select * from {LANDED_FILE} where source = $source),
            landed as (
                select _source_file, count(*) n from (
                    select _source_file from {RAW_SCHEMA}.{contract.table}
                    union all select _source_file from {RAW_SCHEMA}.{superseded_table(contract)})
                group by 1),
            held as (select _source_file, count(*) n from {RAW_SCHEMA}.{contract.quarantine_table} group by 1)
        select coalesce(s.file_path, landed._source_file, held._source_file), coalesce(s.rows_read, 0),
               coalesce(s.rows_landed, 0), coalesce(s.rows_quarantined, 0),
               coalesce(landed.n, 0), coalesce(held.n, 0), s.file_path is not null
        from state s
        full outer join landed on landed._source_file = s.file_path
        full outer join held on held._source_file = coalesce(s.file_path, landed._source_file)
        order by 1""",
        {"source": contract.name},
    ).fetchall()
    if not rows:
        return AccountingResult(False, f"{contract.name}: no delivery recorded in {LANDED_FILE}", 1.0)
    files, problems = [], []
    for path, read, logged_landed, logged_held, landed, held, recorded in rows:
        files.append({"file": path, "read": read, "landed": landed, "quarantined": held})
        if not recorded:
            problems.append(f"{path}: {landed + held} rows in the warehouse from no recorded delivery")
        elif read != landed + held or logged_landed != landed or logged_held != held:
            problems.append(f"{path}: read {read} but landed {landed} + quarantined {held}")
    total_read = sum(f["read"] for f in files)
    ratio = sum(f["quarantined"] for f in files) / total_read if total_read else 0.0
    if ratio > contract.max_quarantine_ratio:
        problems.append(
            f"{contract.name}: {ratio:.2%} of rows quarantined, above the contract's "
            f"{contract.max_quarantine_ratio:.2%} (see raw.{contract.quarantine_table}); "
            f"most quarantined: {_most_quarantined(files)}"
        )
    message = "; ".join(problems) or (
        f"{len(files)} file(s): {total_read} rows read = landed + quarantined; "
        f"{ratio:.2%} quarantined"
    )
    return AccountingResult(not problems, message, ratio, files)
