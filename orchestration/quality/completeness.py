"""Completeness at landing: the deliveries of a source are whole before any of them lands.

Three faults would otherwise pass landing and surface later (or never) without naming a file:

- **a missing file**: a trust delivered this source last time, its file is gone now, but the trust
  still delivers other sources. A trust *leaves* when it delivers nothing at all any more, or when it
  is declared in EDI_TRUSTS_LEFT; then its files are withdrawn and its rows leave (deliveries.py);
- **a fall in volume**: a trust's new delivery has more than the contract's `maxVolumeDrop` (default
  20 %) fewer rows than the delivery of that trust it replaces (the same file changed, or the trust's
  files that left the folder while the new one arrived). A delivery added beside those kept (a monthly
  increment) replaces nothing and is not compared;
- **an extract sent twice into one file**: a third or more of a file's rows repeat a primary key
  earlier in the same file (a whole re-send appended makes it a half). A few repeated rows are
  ordinary defects: they are quarantined, and the quarantine gate weighs them.

A delivery is a trust's when all its landed rows carry one organisation (recorded in
audit.landed_file); a file of several organisations is not checked for the first two. Landing raises
each fault as a SourceFileError, so the source's transaction rolls back and the run stops before
publishing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.quality.contracts import Contract
from orchestration.quality.deliveries import DeliveryPlan, other_deliveries_present

REPEATED_RULES = ("exact_duplicate", "duplicate_key")
SENT_TWICE_SHARE = 1 / 3  # of a file's rows repeating a key earlier in the file
# A few repeated keys in a small file are ordinary mess, quarantined row by row; an extract sent twice
# repeats a whole extract's worth.
SENT_TWICE_MIN_ROWS = 10
UNCHANGED = "Nothing of this source was landed; the published warehouse stays as it is."


@dataclass(frozen=True)
class FileFacts:
    """What landing counted in one new delivery."""

    rows_read: int
    repeated_rows: int  # quarantined because the key repeats earlier in the same file
    organisation: str | None  # the one organisation of its landed rows, else None


def delivery_fault(con: duckdb.DuckDBPyConnection, contract: Contract, plan: DeliveryPlan,
                   facts: dict[str, FileFacts], root: Path, trusts_left: Collection[str]) -> str | None:
    """The first fault of the source's deliveries, in the order a person would fix them, or None."""
    return (sent_twice(contract, facts) or _fall_in_volume(contract, plan, facts)
            or _missing_file(con, contract, plan, facts, root, set(trusts_left)))


def _trust(organisation: str | None) -> str:
    return f"trust {organisation}" if organisation else "a file of several organisations"


def sent_twice(contract: Contract, facts: dict[str, FileFacts]) -> str | None:
    for label, fact in facts.items():
        if fact.repeated_rows >= max(SENT_TWICE_MIN_ROWS, SENT_TWICE_SHARE * fact.rows_read):
            return (f"{label} ({_trust(fact.organisation)}, source {contract.name}): {fact.repeated_rows} "
                    f"of its {fact.rows_read} rows repeat a primary key ({', '.join(contract.primary_key)}) "
                    "earlier in the same file: the extract looks sent twice into one file. Ask the trust to "
                    f"send it once and replace the file, then run the refresh again. {UNCHANGED}")
    return None


def _fall_in_volume(contract: Contract, plan: DeliveryPlan, facts: dict[str, FileFacts]) -> str | None:
    for organisation in sorted({f.organisation for f in facts.values() if f.organisation}):
        replaced = [w for w in plan.withdraw if w.organisation == organisation]
        new = sorted(label for label, f in facts.items() if f.organisation == organisation)
        before = sum(w.rows_read for w in replaced)
        now = sum(facts[label].rows_read for label in new)
        if replaced and now < (1 - contract.max_volume_drop) * before:
            return (f"{', '.join(new)}: trust {organisation}'s new delivery of source {contract.name} has "
                    f"{now} rows, {1 - now / before:.0%} fewer than the {before} rows of the delivery it "
                    f"replaces ({', '.join(w.label for w in replaced)}); the contract allows a fall of at most "
                    f"{contract.max_volume_drop:.0%}. Was the file cut off in transfer? Ask trust "
                    f"{organisation} to send the complete extract again. If the fall is real, raise "
                    f"maxVolumeDrop in {_contract_file(contract)} for this delivery. {UNCHANGED}")
    return None


def _missing_file(con, contract: Contract, plan: DeliveryPlan, facts: dict[str, FileFacts],
                  root: Path, trusts_left: set[str]) -> str | None:
    delivering = {k.organisation for k in plan.keep} | {f.organisation for f in facts.values()}
    for gone in plan.withdraw:
        trust = gone.organisation
        if not trust or trust in delivering or trust in trusts_left or (root / gone.label).is_file():
            continue
        others = other_deliveries_present(con, trust, contract.name, root)
        if others:
            return (f"{gone.label}: trust {trust} delivered this file for source {contract.name} last time "
                    f"and it is missing now, while trust {trust} still delivers "
                    f"{', '.join(others[:3])}{f' and {len(others) - 3} more' if len(others) > 3 else ''}. Put the file (or a newer "
                    f"delivery of it) back in {root / Path(gone.label).parent} and run the refresh again. "
                    f"If trust {trust} has left, remove all of its files or list it in EDI_TRUSTS_LEFT. "
                    f"{UNCHANGED}")
    return None


def _contract_file(contract: Contract) -> str:
    return f"data_contracts/{contract.file_path.name}" if contract.file_path else f"contract {contract.name}"
