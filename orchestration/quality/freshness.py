"""Freshness: which sources are late, trust by trust, from the newest delivery each has landed.

A contract says how often its source should arrive (ODCS `slaProperties`: `frequency`, and `latency`
as the grace after that) and whether a late source only warns or blocks the publish (custom property
`staleness`). A source is late for a trust when its newest landed delivery is older than
frequency + latency.

**The date of a delivery is its file's modification time** as recorded when it was landed (and
refreshed when an unchanged file is touched again): the moment it reached the landing folder, as the
transfer left it. Not a date in its name (the demo's base extract `<source>_<code>.csv` has none and a
real export's naming is the trust's choice; an increment's YYYY-MM is the month its rows cover, not
when it came) and not the newest date inside it (how far the data reaches, which lags its delivery by
design: a survey is published months after its year, a pay snapshot covers last month).

Only trust extracts (contracts with server location `landing`) are checked: bundled reference data
ships with the code, so its file times say when the repository was checked out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue

from orchestration.quality.contracts import Contract, load_contracts
from orchestration.quality.deliveries import LANDED_FILE

@dataclass(frozen=True)
class LateSource:
    """A source whose newest delivery from one trust is overdue."""

    source: str
    organisation: str | None  # None: deliveries of several organisations (or landed before trusts were recorded)
    newest_file: str
    delivered_at: datetime  # UTC
    due_by: datetime  # UTC: delivered_at + frequency + latency
    blocking: bool  # the contract says `staleness: blocking`

    def __str__(self) -> str:
        trust = f"trust {self.organisation}" if self.organisation else "its deliveries"
        return (f"{self.source} from {trust}: newest file {self.newest_file} delivered "
                f"{self.delivered_at:%Y-%m-%d %H:%M} UTC, due again by {self.due_by:%Y-%m-%d %H:%M} UTC")


def checked_contracts(contracts: Mapping[str, Contract]) -> dict[str, Contract]:
    """The trust extracts that are expected again (not `frequency: once`)."""
    return {name: c for name, c in contracts.items() if c.location == "landing" and c.sla.every is not None}


def _newest_deliveries(con: duckdb.DuckDBPyConnection, sources: list[str]) -> list[tuple]:
    """(source, organisation, newest file, its mtime_ns) per source and trust."""
    columns = {name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'audit' "
        "and table_name = 'landed_file'").fetchall()}
    if not columns:
        return []
    # a warehouse landed before deliveries were recorded with their trust: one line per source
    organisation = "organisation" if "organisation" in columns else "cast(null as varchar)"
    return con.execute(
        f"""select source, {organisation}, arg_max(file_path, mtime_ns), max(mtime_ns)
            from {LANDED_FILE} where list_contains(?, source) group by 1, 2 order by 1, 2""",
        [sources]).fetchall()


def late_in(con: duckdb.DuckDBPyConnection, contracts: Mapping[str, Contract], now: datetime) -> list[LateSource]:
    """The late sources among `contracts`, per trust, from the deliveries the connected warehouse holds."""
    checked = checked_contracts(contracts)
    late = []
    for source, organisation, newest_file, mtime_ns in _newest_deliveries(con, sorted(checked)):
        sla = checked[source].sla
        delivered = datetime.fromtimestamp(mtime_ns / 1e9, timezone.utc)
        due = delivered + sla.every + sla.grace
        if due < now:
            late.append(LateSource(source, organisation, newest_file, delivered, due, sla.blocking))
    return late


def late_sources(warehouse_db: Path, now: datetime | None = None,
                 contracts: Mapping[str, Contract] | None = None) -> list[LateSource]:
    """The sources that are late now, one entry per source and trust, from the deliveries the warehouse
    file `warehouse_db` holds (the published one for `edi status` and the stale-source alert). Empty when
    there is no such warehouse yet. `now` is timezone-aware (default: the current time)."""
    if not Path(warehouse_db).is_file():
        return []
    with duckdb.connect(str(warehouse_db), read_only=True) as con:
        return late_in(con, load_contracts() if contracts is None else contracts, now or datetime.now(timezone.utc))


def freshness_result(con: duckdb.DuckDBPyConnection, contract: Contract, now: datetime) -> AssetCheckResult:
    """Failed when a trust's newest delivery is overdue: WARN, or ERROR if the contract says blocking."""
    late = late_in(con, {contract.name: contract}, now)
    return AssetCheckResult(
        passed=not late,
        severity=AssetCheckSeverity.ERROR if contract.sla.blocking else AssetCheckSeverity.WARN,
        description=("; ".join(map(str, late)) if late
                     else f"{contract.name}: every trust's newest delivery is within {contract.sla}"),
        metadata={"sla": str(contract.sla), "staleness": "blocking" if contract.sla.blocking else "warning",
                  "late": MetadataValue.json([{"organisation": s.organisation, "newest_file": s.newest_file,
                                               "delivered_at": s.delivered_at.isoformat(),
                                               "due_by": s.due_by.isoformat()} for s in late])},
    )
