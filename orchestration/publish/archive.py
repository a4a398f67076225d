"""The archive of landed deliveries: the exact bytes behind every published number.

    warehouse/archive/<source>/<sha256><suffix>     e.g. archive/datix_incident/3f2a…9c.csv

After a publish, every delivery the published warehouse holds (audit.landed_file) that is not in the
archive yet is added under its content hash, so an auditor goes from a sha256 in `edi lineage`,
audit.landed_file or audit.source_load straight to the file. Content-addressed: a delivery is archived
once, a re-sent copy under another name adds nothing, and archiving again is a no-op.

Files are linked or copied, never moved: the landing folder is the list of current deliveries, and a
file that leaves it is withdrawn with its rows (see quality/deliveries.py). A hard link costs no
space; across filesystems (or where the kernel refuses a link to another user's file) it is a copy.
Only deliveries to the landing folder are archived: the bundled public data is versioned with the code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.quality.contracts import load_contracts
from orchestration.quality.deliveries import LANDED_FILE, file_sha256


@dataclass(frozen=True)
class ArchivedDelivery:
    """A delivery as landing recorded it (a row of audit.landed_file)."""

    source: str
    label: str  # path relative to the landing folder
    sha256: str
    size_bytes: int
    mtime_ns: int


@dataclass
class ArchiveOutcome:
    archived: list[str] = field(default_factory=list)  # labels added to the archive in this run
    already: int = 0  # deliveries whose content the archive held
    failed: dict[str, str] = field(default_factory=dict)  # label -> why it was not archived


def archive_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / "archive"


def archive_path(warehouse_dir: Path, delivery: ArchivedDelivery) -> Path:
    return archive_dir(warehouse_dir) / delivery.source / f"{delivery.sha256}{Path(delivery.label).suffix}"


def landed_deliveries(con: duckdb.DuckDBPyConnection) -> list[ArchivedDelivery]:
    """The landing-folder deliveries the warehouse holds now."""
    landing = [name for name, contract in load_contracts().items() if contract.location == "landing"]
    rows = con.execute(
        f"""select source, file_path, sha256, size_bytes, mtime_ns from {LANDED_FILE}
            where list_contains(?, source) order by source, file_path""", [landing]).fetchall()
    return [ArchivedDelivery(*row) for row in rows]


def _private_dir(path: Path) -> Path:
    """The deliveries are person-level: the archive is the owner's only."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _link_or_copy(source: Path, target: Path) -> bool:
    """Put source's bytes at target; True when hard-linked (the same inode), False when copied."""
    try:
        os.link(source, target)
        return True
    except OSError:  # another filesystem, a link to another user's file refused, no link support
        shutil.copyfile(source, target)
        target.chmod(0o600)
        return False


def _unchanged(path: Path, delivery: ArchivedDelivery, linked: bool) -> bool:
    """Whether path holds the landed content. A hard link that still has the size and modification
    time landing recorded is trusted, as landing trusts them; anything else is hashed."""
    stat = path.stat()
    if linked and stat.st_size == delivery.size_bytes and stat.st_mtime_ns == delivery.mtime_ns:
        return True
    return file_sha256(path) == delivery.sha256


def _archive_one(delivery: ArchivedDelivery, landing_dir: Path, warehouse_dir: Path) -> bool:
    """Archive one delivery; False if its content was archived already. Raises ValueError or
    OSError when it cannot be archived."""
    target = archive_path(warehouse_dir, delivery)
    if target.exists():
        return False
    root = Path(landing_dir).resolve()
    source = (root / delivery.label).resolve()
    if not source.is_relative_to(root):
        raise ValueError(f"{delivery.label} is outside the landing folder {root}")
    _private_dir(target.parent.parent)
    _private_dir(target.parent)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        # the bytes checked are the ones kept: a file replaced after this link cannot slip in
        if not _unchanged(partial, delivery, _link_or_copy(source, partial)):
            raise ValueError(f"{source} changed since it was landed (sha256 {delivery.sha256})")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return True


def archive_deliveries(deliveries: Iterable[ArchivedDelivery], landing_dir: Path,
                       warehouse_dir: Path) -> ArchiveOutcome:
    """Add every delivery the archive does not hold yet. Never raises for a file: a failure is
    reported per delivery, and the next publish tries again while the file is still in landing."""
    outcome = ArchiveOutcome()
    for delivery in deliveries:
        try:
            if _archive_one(delivery, landing_dir, warehouse_dir):
                outcome.archived.append(delivery.label)
            else:
                outcome.already += 1
        except (OSError, ValueError) as error:
            outcome.failed[delivery.label] = str(error)
    return outcome
