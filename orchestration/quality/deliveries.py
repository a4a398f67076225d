"""Which files of a source must be landed, kept or withdrawn in this run.

Every file in a source's landing folder is a *delivery*. The warehouse holds exactly the deliveries
that are in the folder now, each landed once:

- a file already landed with the same content (sha256) is kept as it is: it is not read again;
- a new file, or a file whose content changed, is landed (a changed file first loses its old rows);
- a file that is no longer in the folder is withdrawn: its rows leave the warehouse (a trust that
  leaves a region takes its rows with it);
- a file whose content equals another delivery's (a re-sent extract under a new name) is recorded as a
  duplicate and not landed, so nothing is counted twice.

A delivery whose landed rows all carry one organisation is that trust's delivery (recorded with it):
landing then also stops a source when a trust that still delivers other sources misses its file, or
when a trust's new delivery has far fewer rows than the one it replaces (completeness.py).

Deliveries are ordered by file name (put the delivery date in the name): for the same organisation
and primary key, the row of the later delivery supersedes the earlier one's (see supersession.py).

The content hash is taken again only for a file whose size or modification time differs from what was
recorded when it was landed, as rsync and make do; `--full-refresh` re-reads and re-hashes every file.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.quality.contracts import Contract

AUDIT_SCHEMA = "audit"
LANDED_FILE = f"{AUDIT_SCHEMA}.landed_file"


@dataclass(frozen=True)
class Delivery:
    """One file as it is in the folder now."""

    path: Path
    label: str  # the path recorded in the warehouse (relative to the landing or reference folder)
    sha256: str
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class LandedFile:
    """One delivery as the warehouse holds it (a row of audit.landed_file)."""

    label: str
    sha256: str
    size_bytes: int
    mtime_ns: int
    rows_read: int
    rows_landed: int
    rows_quarantined: int
    organisation: str | None = None  # the trust whose delivery this is (None: several or unknown)


@dataclass
class DeliveryPlan:
    source: str
    land: list[Delivery] = field(default_factory=list)
    keep: list[LandedFile] = field(default_factory=list)
    withdraw: list[LandedFile] = field(default_factory=list)  # absent now, or landed with other content
    duplicates: dict[str, str] = field(default_factory=dict)  # label -> label of the identical delivery

    @property
    def changes_anything(self) -> bool:
        return bool(self.land or self.withdraw)


def ensure_landed_file_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {AUDIT_SCHEMA}")
    con.execute(
        f"""create table if not exists {LANDED_FILE} (
            source varchar, file_path varchar, sha256 varchar, size_bytes bigint, mtime_ns bigint,
            rows_read bigint, rows_landed bigint, rows_quarantined bigint, run_id varchar,
            loaded_at timestamp, organisation varchar)""")
    # warehouses landed before deliveries were recorded with their trust
    con.execute(f"alter table {LANDED_FILE} add column if not exists organisation varchar")


def landed_files(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, LandedFile]:
    rows = con.execute(
        f"""select file_path, sha256, size_bytes, mtime_ns, rows_read, rows_landed, rows_quarantined,
                   organisation
            from {LANDED_FILE} where source = ? order by file_path""", [source]).fetchall()
    return {row[0]: LandedFile(*row) for row in rows}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint(path: Path, label: str, known: LandedFile | None, rehash: bool) -> Delivery:
    stat = path.stat()
    unchanged = (known is not None and not rehash and known.size_bytes == stat.st_size
                 and known.mtime_ns == stat.st_mtime_ns)
    digest = known.sha256 if unchanged else file_sha256(path)
    return Delivery(path, label, digest, stat.st_size, stat.st_mtime_ns)


def fingerprint_files(files: list[Path], labels: list[str], known: dict[str, LandedFile],
                      rehash: bool = False) -> list[Delivery]:
    """Every file with its sha256, in delivery order (by label). hashlib releases the GIL, so the
    files are hashed on all cores."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        deliveries = pool.map(lambda pair: _fingerprint(*pair, known.get(pair[1]), rehash), zip(files, labels))
        return sorted(deliveries, key=lambda d: d.label)


def plan_deliveries(source: str, deliveries: list[Delivery], landed: dict[str, LandedFile]) -> DeliveryPlan:
    """Compare the folder with what the warehouse holds. One delivery per content: the first file
    (by name) holding a content represents it; later files with the same content are duplicates."""
    plan = DeliveryPlan(source)
    represented: dict[str, str] = {}  # sha256 -> label of the representing delivery
    for delivery in deliveries:
        if delivery.sha256 in represented:
            plan.duplicates[delivery.label] = represented[delivery.sha256]
        else:
            represented[delivery.sha256] = delivery.label
    for delivery in deliveries:
        if delivery.label in plan.duplicates:
            continue
        held = landed.get(delivery.label)
        if held is not None and held.sha256 == delivery.sha256:
            plan.keep.append(held)
        else:
            plan.land.append(delivery)
    current = {d.label: d.sha256 for d in deliveries if d.label not in plan.duplicates}
    plan.withdraw = [held for label, held in landed.items() if current.get(label) != held.sha256]
    return plan


def record_landed(con: duckdb.DuckDBPyConnection, source: str, landed: list[tuple[Delivery, int, int, int]],
                  withdrawn: list[LandedFile], run_id: str, loaded_at,
                  organisations: dict[str, str | None] | None = None) -> None:
    """Make audit.landed_file describe the source's deliveries after this run (`organisations`: the
    trust of each landed delivery, by label)."""
    gone = [held.label for held in withdrawn] + [delivery.label for delivery, *_ in landed]
    if gone:
        con.execute(f"delete from {LANDED_FILE} where source = ? and list_contains(?, file_path)", [source, gone])
    rows = [(source, d.label, d.sha256, d.size_bytes, d.mtime_ns, read, landed_rows, held, run_id, loaded_at,
             (organisations or {}).get(d.label))
            for d, read, landed_rows, held in landed]
    if rows:
        con.executemany(
            f"""insert into {LANDED_FILE} (source, file_path, sha256, size_bytes, mtime_ns, rows_read,
                    rows_landed, rows_quarantined, run_id, loaded_at, organisation)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)


def refresh_mtimes(con: duckdb.DuckDBPyConnection, source: str, deliveries: list[Delivery]) -> None:
    """A kept file touched without a change of content: remember its new modification time so its
    hash is not taken again next night."""
    rows = [(d.mtime_ns, d.size_bytes, source, d.label, d.sha256) for d in deliveries]
    if rows:
        con.executemany(f"update {LANDED_FILE} set mtime_ns = ?, size_bytes = ? "
                        "where source = ? and file_path = ? and sha256 = ?", rows)


def other_deliveries_present(con: duckdb.DuckDBPyConnection, organisation: str, source: str,
                             root: Path) -> list[str]:
    """The trust's landed deliveries of other sources that are still in the landing folder: the
    sign that the trust still delivers."""
    labels = con.execute(
        f"select file_path from {LANDED_FILE} where organisation = ? and source <> ? order by file_path",
        [organisation, source]).fetchall()
    return [label for (label,) in labels if (root / label).is_file()]


def forget_source(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    con.execute(f"delete from {LANDED_FILE} where source = ?", [contract.name])
