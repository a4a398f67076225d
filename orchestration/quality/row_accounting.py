"""Rows read = rows landed + rows quarantined, per file, checked against the tables themselves."""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.quality.contracts import Contract
from orchestration.quality.landing import AUDIT_SCHEMA, RAW_SCHEMA


@dataclass
class AccountingResult:
    passed: bool
    message: str
    quarantine_ratio: float
    files: list[dict] = field(default_factory=list)


def check_row_accounting(con, contract: Contract) -> AccountingResult:
    """Compare the latest load log of a source with what its raw and quarantine tables hold."""
    rows = con.execute(
        f"""with latest as (
              select * from {AUDIT_SCHEMA}.source_load
              where source = $source and run_id = (
                  select run_id from {AUDIT_SCHEMA}.source_load where source = $source
                  order by loaded_at desc limit 1)),
            landed as (select _source_file, count(*) n from {RAW_SCHEMA}.{contract.table} group by 1),
            held as (select _source_file, count(*) n from {RAW_SCHEMA}.{contract.quarantine_table} group by 1)
        select l.file_path, l.rows_read, l.rows_landed, l.rows_quarantined,
               coalesce(landed.n, 0), coalesce(held.n, 0)
        from latest l
        left join landed on landed._source_file = l.file_path
        left join held on held._source_file = l.file_path
        order by l.file_path""",
        {"source": contract.name},
    ).fetchall()
    if not rows:
        return AccountingResult(False, f"{contract.name}: no load recorded in audit.source_load", 1.0)
    files, problems = [], []
    for path, read, logged_landed, logged_held, landed, held in rows:
        files.append({"file": path, "read": read, "landed": landed, "quarantined": held})
        if read != landed + held or logged_landed != landed or logged_held != held:
            problems.append(f"{path}: read {read} but landed {landed} + quarantined {held}")
    total_read = sum(f["read"] for f in files)
    ratio = sum(f["quarantined"] for f in files) / total_read if total_read else 0.0
    if ratio > contract.max_quarantine_ratio:
        problems.append(
            f"{contract.name}: {ratio:.2%} of rows quarantined, above the contract's "
            f"{contract.max_quarantine_ratio:.2%} (see raw.{contract.quarantine_table})"
        )
    message = "; ".join(problems) or (
        f"{len(files)} file(s): {total_read} rows read = landed + quarantined; "
        f"{ratio:.2%} quarantined"
    )
    return AccountingResult(not problems, message, ratio, files)
