"""Render the dbt `sources:` YAML from the contracts, so no source is described twice."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from orchestration.quality.contracts import Contract, load_contracts
from orchestration.quality.landing import RAW_SCHEMA
from orchestration.settings import CONTRACTS_DIR, DBT_PROJECT_DIR

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml"
HEADER = (
    "# Generated from data_contracts/*.odcs.yaml by `edi contracts sync`: do not edit by hand.\n"
    "# tests/unit/test_contract_propagation.py fails when this file and the contracts disagree.\n"
)
METADATA_COLUMNS = {
    "_source_file": ("varchar", "Landing file the row came from (relative to its landing root)."),
    "_source_sha256": ("varchar", "SHA-256 of that file, as recorded in audit.source_load."),
    "_row_number": ("bigint", "Data row number in that file (1 = first row after the header)."),
    "_loaded_at": ("timestamp", "When the landing step loaded the file (UTC)."),
}


def _column(col) -> dict:
    meta = {"classification": col.classification, "source_column": col.source_name}
    if col.pseudonymise:
        meta["pseudonymised"] = "hmac-sha256"
    if col.cast_to:
        meta["cast_to"] = col.cast_to.lower()  # read by the contract_cast macro
    return {
        "name": col.name,
        "description": col.description,
        "data_type": col.landing_type.lower(),
        "meta": meta,
    }


def _table(contract: Contract) -> dict:
    return {
        "name": contract.table,
        "description": f"{contract.description} Grain: {contract.grain}",
        "meta": {
            "contract_id": contract.id,
            "contract_version": contract.version,
            "source_system": contract.source_system,
            "owner": contract.owner,
            "refresh_cadence": contract.frequency,
            "primary_key": list(contract.primary_key),
        },
        "columns": [_column(c) for c in contract.columns] + [
            {"name": name, "description": text, "data_type": kind}
            for name, (kind, text) in METADATA_COLUMNS.items()
        ],
    }


# Written by landing for the incremental models (orchestration/quality/supersession.py).
AUDIT_SOURCE = {
    "name": "audit",
    "schema": "audit",
    "description": "Records landing keeps beside the raw tables.",
    "tables": [{
        "name": "change_scope",
        "description": ("Per run, source and organisation, the earliest date whose figures the run's deliveries "
                        "may change ('*' and 0001-01-01: everything). Incremental models rebuild from there."),
        "columns": [
            {"name": "run_id", "description": "Dagster run that landed the change.", "data_type": "varchar"},
            {"name": "source", "description": "Contract (raw table) that changed.", "data_type": "varchar"},
            {"name": "organisation_code", "description": "Organisation whose rows changed, or '*'.",
             "data_type": "varchar"},
            {"name": "affected_from", "description": "Earliest date whose figures may differ.", "data_type": "date"},
        ],
    }],
}


def render_sources(contracts: dict[str, Contract]) -> str:
    document = {
        "version": 2,
        "sources": [{
            "name": RAW_SCHEMA,
            "schema": RAW_SCHEMA,
            "description": "Landed source files, typed and checked under their data contracts.",
            "tables": [_table(contracts[name]) for name in sorted(contracts)],
        }, AUDIT_SOURCE],
    }
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def sync_sources(contracts_dir: Path | None = None, target: Path | None = None) -> bool:
    """Write the sources file if it differs from the contracts; True when it changed."""
    target = target or SOURCES_FILE
    text = render_sources(load_contracts(contracts_dir or CONTRACTS_DIR))
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def sources_diff(contracts_dir: Path | None = None, target: Path | None = None) -> list[str]:
    """How the file on disk differs from what the contracts render (a unified diff; empty when up to
    date). Writes nothing: CI checks the committed file with it instead of regenerating it."""
    target = target or SOURCES_FILE
    expected = render_sources(load_contracts(contracts_dir or CONTRACTS_DIR))
    committed = target.read_text(encoding="utf-8") if target.exists() else ""
    return list(difflib.unified_diff(committed.splitlines(), expected.splitlines(), lineterm="",
                                     fromfile=f"{target.name} (on disk)", tofile=f"{target.name} (from the contracts)"))
