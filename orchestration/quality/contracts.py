"""Load ODCS v3 data contracts into typed objects.

The contract is the single description of a source: the landing reader, the Great Expectations
suite and the dbt `sources:` YAML are all derived from the objects built here. Everything that
later becomes part of a SQL statement as an identifier or type is validated on load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orchestration.settings import CONTRACTS_DIR

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
LANDING_TYPES = {"VARCHAR", "DATE", "TIMESTAMP", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN"}
DECIMAL_TYPE = re.compile(r"^DECIMAL\((\d{1,2}),(\d{1,2})\)$")
CLASSIFICATIONS = {"public", "internal", "restricted", "special_category"}
LOCATIONS = {"landing", "bundled"}


class ContractError(ValueError):
    """A contract file is malformed or uses something the platform does not support."""


@dataclass(frozen=True)
class Column:
    name: str
    source_name: str
    logical_type: str
    landing_type: str
    description: str
    required: bool = False
    primary_key_position: int | None = None
    classification: str = "internal"
    pattern: str | None = None
    date_format: str | None = None
    minimum: Any = None
    maximum: Any = None
    valid_values: tuple[str, ...] = ()
    pseudonymise: bool = False
    not_before: str | None = None

    @property
    def is_temporal(self) -> bool:
        return self.landing_type in {"DATE", "TIMESTAMP"}


@dataclass(frozen=True)
class Contract:
    id: str
    name: str
    version: str
    source_system: str
    description: str
    grain: str
    owner: str
    frequency: str
    location: str
    path_glob: str
    delimiter: str
    encoding: str
    header: bool
    columns: tuple[Column, ...]
    min_rows: int = 1
    max_quarantine_ratio: float = 0.05
    # Deliveries: rows of the same organisation and primary key supersede each other across files, and
    # the period columns place a change in time for incremental rebuilds (data_contracts/README.md).
    organisation_column: str | None = None
    period_column: str | None = None
    period_end_column: str | None = None
    file_path: Path | None = field(default=None, compare=False)

    @property
    def table(self) -> str:
        return self.name

    @property
    def quarantine_table(self) -> str:
        return f"{self.name}__quarantine"

    @property
    def primary_key(self) -> tuple[str, ...]:
        keyed = [c for c in self.columns if c.primary_key_position is not None]
        return tuple(c.name for c in sorted(keyed, key=lambda c: c.primary_key_position))

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"contract {self.name} has no column {name!r}")


def _custom(props: list[dict] | None) -> dict[str, Any]:
    return {p["property"]: p.get("value") for p in props or []}


def _check_identifier(value: str, what: str, where: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise ContractError(f"{where}: {what} {value!r} must be lower-case snake_case")
    return value


def _check_landing_type(value: str, where: str) -> str:
    value = str(value).upper().replace(" ", "")
    if value not in LANDING_TYPES and not DECIMAL_TYPE.match(value):
        raise ContractError(f"{where}: physicalType {value!r} is not one of {sorted(LANDING_TYPES)}")
    return value


def _valid_values(prop: dict) -> tuple[str, ...]:
    for rule in prop.get("quality") or []:
        if rule.get("type") == "library" and rule.get("metric") == "invalidValues":
            values = (rule.get("arguments") or {}).get("validValues") or []
            return tuple(str(v) for v in values)
    return ()


def _parse_column(prop: dict, where: str) -> Column:
    name = _check_identifier(prop.get("name"), "property name", where)
    where = f"{where}.{name}"
    options = prop.get("logicalTypeOptions") or {}
    custom = _custom(prop.get("customProperties"))
    classification = prop.get("classification", "internal")
    if classification not in CLASSIFICATIONS:
        raise ContractError(f"{where}: classification {classification!r} not in {sorted(CLASSIFICATIONS)}")
    not_before = custom.get("notBefore")
    return Column(
        name=name,
        source_name=str(prop.get("physicalName") or name),
        logical_type=prop.get("logicalType", "string"),
        landing_type=_check_landing_type(prop.get("physicalType", "VARCHAR"), where),
        description=str(prop.get("description", "")).strip(),
        required=bool(prop.get("required", False)),
        primary_key_position=(
            int(prop.get("primaryKeyPosition", 1)) if prop.get("primaryKey") else None
        ),
        classification=classification,
        pattern=options.get("pattern"),
        date_format=options.get("format"),
        minimum=options.get("minimum"),
        maximum=options.get("maximum"),
        valid_values=_valid_values(prop),
        pseudonymise=bool(custom.get("pseudonymise", False)),
        not_before=_check_identifier(not_before, "notBefore", where) if not_before else None,
    )


def _schema_rule(rules: list[dict], metric: str, key: str, default: Any) -> Any:
    for rule in rules or []:
        if rule.get("metric") == metric or rule.get("implementation") == metric:
            return rule.get(key, default)
    return default


def parse_contract(document: dict, file_path: Path | None = None) -> Contract:
    where = str(file_path or document.get("id", "contract"))
    if document.get("kind") != "DataContract" or not str(document.get("apiVersion", "")).startswith("v3"):
        raise ContractError(f"{where}: not an ODCS v3 DataContract")
    schema = document.get("schema") or []
    if len(schema) != 1:
        raise ContractError(f"{where}: expected exactly one schema object, found {len(schema)}")
    obj = schema[0]
    name = _check_identifier(obj.get("name"), "schema name", where)
    servers = document.get("servers") or []
    if len(servers) != 1:
        raise ContractError(f"{where}: expected exactly one server (the file drop), found {len(servers)}")
    server = servers[0]
    server_custom = _custom(server.get("customProperties"))
    location = server_custom.get("location", "landing")
    if location not in LOCATIONS:
        raise ContractError(f"{where}: server location {location!r} not in {sorted(LOCATIONS)}")
    columns = tuple(_parse_column(p, f"{where}:{name}") for p in obj.get("properties") or [])
    names = [c.name for c in columns]
    if len(set(names)) != len(names) or not columns:
        raise ContractError(f"{where}: property names must be present and unique")
    for col in columns:
        if col.not_before and col.not_before not in names:
            raise ContractError(f"{where}: {col.name}.notBefore names unknown column {col.not_before}")
    custom = _custom(document.get("customProperties"))
    delivery = {name: _delivery_column(custom.get(name), name, columns, where)
                for name in ("organisationColumn", "periodColumn", "periodEndColumn")}
    if delivery["periodEndColumn"] and not delivery["periodColumn"]:
        raise ContractError(f"{where}: periodEndColumn needs a periodColumn")
    team = document.get("team") or {}
    owners = [m.get("username") for m in team.get("members", []) if m.get("role") == "owner"]
    sla = {s.get("property"): s for s in document.get("slaProperties") or []}
    frequency = sla.get("frequency", {})
    rules = obj.get("quality") or []
    return Contract(
        id=str(document.get("id")),
        name=name,
        version=str(document.get("version")),
        source_system=_check_identifier(custom.get("sourceSystem"), "sourceSystem", where),
        description=str((document.get("description") or {}).get("purpose", "")).strip(),
        grain=str(obj.get("dataGranularityDescription", "")).strip(),
        owner=owners[0] if owners else str(team.get("name", "")),
        frequency=f"{frequency.get('value', '')}{frequency.get('unit', '')}",
        location=location,
        path_glob=str(server.get("path")),
        delimiter=str(server.get("delimiter", ",")),
        encoding=str(server_custom.get("encoding", "utf-8")),
        header=bool(server_custom.get("header", True)),
        columns=columns,
        min_rows=int(_schema_rule(rules, "rowCount", "mustBeGreaterThan", 0)) + 1,
        max_quarantine_ratio=float(
            _schema_rule(rules, "maxQuarantineRatio", "mustBeLessOrEqualTo", 0.05)
        ),
        organisation_column=delivery["organisationColumn"],
        period_column=delivery["periodColumn"],
        period_end_column=delivery["periodEndColumn"],
        file_path=file_path,
    )


PERIOD_TYPES = {"DATE", "TIMESTAMP", "INTEGER"}  # an INTEGER period is a calendar year


def _delivery_column(name: str | None, what: str, columns: tuple[Column, ...], where: str) -> str | None:
    if name is None:
        return None
    found = {c.name: c for c in columns}.get(_check_identifier(name, what, where))
    if found is None:
        raise ContractError(f"{where}: {what} names unknown column {name}")
    if what.startswith("period") and found.landing_type not in PERIOD_TYPES:
        raise ContractError(f"{where}: {what} {name} must be a date or a year, not {found.landing_type}")
    if what.startswith("period") and not found.required and what == "periodColumn":
        raise ContractError(f"{where}: periodColumn {name} must be required")
    return name


def load_contract(path: Path) -> Contract:
    with open(path, encoding="utf-8") as handle:
        return parse_contract(yaml.safe_load(handle), path)


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """All contracts in a directory, keyed by source (schema object) name."""
    contracts = {}
    for path in sorted(Path(directory).glob("*.odcs.yaml")):
        contract = load_contract(path)
        if contract.name in contracts:
            raise ContractError(f"{path}: source {contract.name} is defined twice")
        contracts[contract.name] = contract
    return contracts
