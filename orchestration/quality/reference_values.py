"""The values a contract relationship points at, read straight from the bundled reference file or dbt
seed: landing a trust extract then never depends on whether `raw.ods_trust` was landed before it."""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.quality.contracts import SEEDS_DIR, Contract, Reference, check_reference_target, load_contracts
from orchestration.settings import REFERENCE_DATA_DIR

# Joins the parts of a composite key; a control character no source value contains.
KEY_SEPARATOR = "\x1f"


def key_text(parts: list[str]) -> str:
    """A key as landing compares it: each part trimmed and upper-cased (as staging standardises codes)."""
    return KEY_SEPARATOR.join(p.strip().upper() for p in parts)


def reference_keys(reference: Reference, reference_dir: Path = REFERENCE_DATA_DIR) -> list[str]:
    """Every key the target holds, sorted (rows with a blank part are no key)."""
    contracts = load_contracts()
    check_reference_target(reference, contracts, f"reference {reference.target}")
    target = contracts.get(reference.target)
    rows = _contract_rows(target, reference_dir) if target else _seed_rows(reference.target)
    keys = set()
    for row in rows:
        parts = [row[c] for c in reference.target_columns]
        if all(p.strip() for p in parts):
            keys.add(key_text(parts))
    return sorted(keys)


def _contract_rows(contract: Contract, reference_dir: Path) -> list[dict[str, str]]:
    """Rows keyed by contract column name: by header when the file has one, else by position."""
    by_header = {c.source_name: c.name for c in contract.columns}
    rows = []
    for path in sorted(p for p in reference_dir.glob(contract.path_glob) if p.is_file()):
        with open(path, encoding=contract.encoding, newline="") as handle:
            records = csv.reader(handle, delimiter=contract.delimiter)
            names = ([by_header.get(h.strip(), "") for h in next(records, [])] if contract.header
                     else [c.name for c in contract.columns])
            rows += [dict(zip(names, record)) for record in records]
    return rows


def _seed_rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
