"""`edi refresh --select`: turn a selection into the assets a partial refresh runs.

A selection is one or more terms (space-separated, or `--select` repeated), unioned; names are
matched case-insensitively. Each term is one of:

- a source system, as the contracts name it (`esr`, `datix`, `ons`, ...): the landing assets of
  every contract of that system;
- a contract (`esr_pay`, `datix_incident`, ...): that landing asset;
- a dbt model or seed (`fct_pay_gap`, `fct_pay_gap+`), or any other dbt node selection
  (`marts.core`, `path:models/marts/bi`, ...), resolved by dagster-dbt with dbt's own selector.

Everything downstream of what the terms name always runs too, the publish step and the board report
included: a model rebuilt under parents left stale (or the reverse) would publish a warehouse whose
tables disagree. So `fct_pay_gap` and `fct_pay_gap+` mean the same.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from dagster import AssetKey, AssetSelection

from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing_runs import ENGINE_TAG, FULL_REFRESH_TAG
from orchestration.quality.source_assets import asset_key

# The run tag that records what a partial refresh was asked for (shown in the run history).
SELECT_TAG = "edi/select"
# A plain node name, with dbt's optional graph operators around it; anything else goes to dbt as is.
BARE_NAME = re.compile(r"^(\+?)([a-z0-9_]+)(\+?)$")
DBT_NODE_TYPES = ("model", "seed", "snapshot")


class SelectionError(ValueError):
    """A selection that names nothing: the message lists what can be named."""


@dataclass(frozen=True)
class RefreshSelection:
    text: str  # the terms as given, normalised: recorded with the run
    roots: tuple[AssetKey, ...]  # what the terms named
    asset_keys: tuple[AssetKey, ...]  # the roots and everything downstream of them

    @property
    def asset_names(self) -> list[str]:
        return [key.to_user_string() for key in self.asset_keys]


def _source_systems() -> dict[str, list[AssetKey]]:
    systems: dict[str, list[AssetKey]] = {}
    for contract in load_contracts().values():
        systems.setdefault(contract.source_system.lower(), []).append(asset_key(contract))
    return systems


def _contracts() -> dict[str, AssetKey]:
    return {name.lower(): asset_key(contract) for name, contract in load_contracts().items()}


@cache
def _dbt_node_names() -> tuple[str, ...]:
    from orchestration.transform import dbt_project

    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    return tuple(sorted({n["name"].lower() for n in nodes if n["resource_type"] in DBT_NODE_TYPES}))


def _dbt_selection(term: str) -> AssetSelection | None:
    """The dbt assets a dbt selection term names, or None when it names none. A plain name is looked
    up first, so a typo never reaches dbt (which only warns)."""
    from dagster_dbt import build_dbt_asset_selection

    from orchestration.transform import edi_dbt_models

    bare = BARE_NAME.match(term)
    if bare and bare.group(2) not in _dbt_node_names():
        return None
    try:
        return build_dbt_asset_selection([edi_dbt_models], dbt_select=term)
    except Exception:  # dbt rejects a malformed selector with its own exception types
        return None


def split_terms(terms: Iterable[str]) -> list[str]:
    return [term.lower() for text in terms for term in text.split()]


def unknown_term_message(term: str) -> str:
    systems, contracts, models = sorted(_source_systems()), sorted(_contracts()), _dbt_node_names()
    close = difflib.get_close_matches(BARE_NAME.sub(r"\2", term), [*systems, *contracts, *models], n=3)
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    return (f"{term!r} names no source, contract or dbt model{hint}.\n"
            f"Sources: {', '.join(systems)}\n"
            f"Contracts: {', '.join(contracts)}\n"
            f"dbt models and seeds (or any dbt node selection, e.g. marts.core): {', '.join(models)}")


def _term_selection(term: str) -> AssetSelection:
    systems, contracts = _source_systems(), _contracts()
    if term in systems:
        return AssetSelection.assets(*systems[term])
    if term in contracts:
        return AssetSelection.assets(contracts[term])
    selection = _dbt_selection(term)
    if selection is None:
        raise SelectionError(unknown_term_message(term))
    return selection


def resolve_selection(terms: Sequence[str]) -> RefreshSelection:
    """The assets a partial refresh of these terms runs; SelectionError if any term names nothing."""
    from orchestration.definitions import defs

    words = split_terms(terms)
    if not words:
        raise SelectionError("--select is empty: nothing to refresh (leave it out to refresh everything)")
    graph = defs.resolve_asset_graph()
    roots: set[AssetKey] = set()
    for term in words:
        named = _term_selection(term).resolve(graph)
        if not named:
            raise SelectionError(unknown_term_message(term))
        roots |= named
    everything = AssetSelection.assets(*roots).downstream().resolve(graph)
    return RefreshSelection(" ".join(words), _ordered(roots), _ordered(everything))


def _ordered(keys: set[AssetKey]) -> tuple[AssetKey, ...]:
    return tuple(sorted(keys, key=AssetKey.to_user_string))


def refresh_tags(full_refresh: bool, selection: RefreshSelection | None, engine: str | None = None) -> dict[str, str]:
    """The run tags that carry the refresh's options to its steps and into its run record."""
    tags = {FULL_REFRESH_TAG: "true"} if full_refresh else {}
    tags |= {ENGINE_TAG: engine} if engine else {}
    return tags | ({SELECT_TAG: selection.text} if selection else {})


def refreshed_label(record: dict) -> str:
    """What a recorded run refreshed, in a few words for `edi status`: its --select, else the number
    of assets a run launched with a selection (from the UI) chose, else all; and where dbt ran, when
    not on DuckDB."""
    parameters = record.get("parameters", {})
    label = (parameters.get("selection") or
             (f"{len(parameters['asset_selection'])} assets" if parameters.get("asset_selection") else "all"))
    label = f"{label} (full refresh)" if parameters.get("full_refresh") else label
    return f"{label} on spark" if parameters.get("engine") == "spark" else label
