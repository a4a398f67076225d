"""Load ODCS v3 data contracts into typed objects.

The contract is the single description of a source: the landing reader, the Great Expectations
suite and the dbt `sources:` YAML are all derived from the objects built here. Everything that
later becomes part of a SQL statement as an identifier or type is validated on load.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orchestration.settings import CONTRACTS_DIR, DBT_PROJECT_DIR

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
LANDING_TYPES = {"VARCHAR", "DATE", "TIMESTAMP", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN"}
DECIMAL_TYPE = re.compile(r"^DECIMAL\((\d{1,2}),(\d{1,2})\)$")
NUMERIC_TYPES = {"INTEGER", "BIGINT", "DOUBLE"}
TEMPORAL_TYPES = {"DATE", "TIMESTAMP"}
INTEGER_RANGES = {"INTEGER": 2**31, "BIGINT": 2**63}
CLASSIFICATIONS = {"public", "internal", "restricted", "special_category"}
LOCATIONS = {"landing", "bundled"}
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
REFERENCE = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")


# ODCS v3 SLA units (a month and a year are taken at their longest, so lateness is never premature).
SLA_UNITS = {**dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
             **dict.fromkeys(("w", "week", "weeks"), timedelta(days=7)),
             **dict.fromkeys(("m", "month", "months"), timedelta(days=31)),
             **dict.fromkeys(("y", "yr", "years"), timedelta(days=366))}
STALENESS = ("warning", "blocking")
DEFAULT_MAX_VOLUME_DROP = 0.2  # a delivery with 20 % fewer rows than the one it replaces stops landing


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
    not_before: tuple[str, ...] = ()
    not_greater_than: tuple[str, ...] = ()
    cast_to: str | None = None
    null_values: tuple[str, ...] = ()
    one_value_per_file: bool = False

    @property
    def is_temporal(self) -> bool:
        return self.landing_type in TEMPORAL_TYPES

    @property
    def value_type(self) -> str | None:
        """The type rules compare values as: the landing type, or castTo for a number carried as
        text; None for plain text."""
        return self.cast_to or (None if self.landing_type == "VARCHAR" else self.landing_type)

    @property
    def is_numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES or bool(DECIMAL_TYPE.match(self.value_type or ""))


@dataclass(frozen=True)
class Reference:
    """Values of `columns` must exist in `target_columns` of the bundled contract or dbt seed
    `target` (an ODCS foreignKey relationship)."""

    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return "+".join(self.columns)


@dataclass(frozen=True)
class Sla:
    """How often the source should arrive (ODCS slaProperties `frequency`), how late a delivery may
    be beyond that (`latency`), and whether a late source blocks the publish (custom `staleness`)."""

    every: timedelta | None  # None: delivered once (`frequency: once`), never late
    grace: timedelta = timedelta(0)
    blocking: bool = False

    def __str__(self) -> str:
        if self.every is None:
            return "delivered once"
        return f"every {_days(self.every)} + {_days(self.grace)} grace"


def _days(span: timedelta) -> str:
    return f"{span.days} day{'s' if span.days != 1 else ''}"


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
    period_end_columns: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    sla: Sla = Sla(every=None)
    max_volume_drop: float = DEFAULT_MAX_VOLUME_DROP
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

    def earlier_columns(self, name: str) -> tuple[str, ...]:
        """Every column this date may not precede: its notBefore columns, theirs, and so on, so a
        blank stage between two others does not hide an order the two break."""
        return _reachable(name, lambda c: self.column(c).not_before)

    def larger_columns(self, name: str) -> tuple[str, ...]:
        """Every column this number may not exceed, following notGreaterThan transitively."""
        return _reachable(name, lambda c: self.column(c).not_greater_than)


def _reachable(start: str, edges) -> tuple[str, ...]:
    """Columns reachable from `start` along `edges`, nearest first, each once (`start` itself only
    through a loop, which the loader rejects)."""
    found: list[str] = []
    frontier = list(edges(start))
    while frontier:
        name = frontier.pop(0)
        if name not in found:
            found.append(name)
            frontier.extend(edges(name))
    return tuple(found)


def _custom(props: list[dict] | None) -> dict[str, Any]:
    return {p["property"]: p.get("value") for p in props or []}


def _check_identifier(value: str, what: str, where: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise ContractError(f"{where}: {what} {value!r} must be lower-case snake_case")
    return value


def _check_landing_type(value: str, where: str, what: str = "physicalType") -> str:
    value = str(value).upper().replace(" ", "")
    if value not in LANDING_TYPES and not DECIMAL_TYPE.match(value):
        raise ContractError(f"{where}: {what} {value!r} is not one of {sorted(LANDING_TYPES)} or DECIMAL(p,s)")
    return value


def _check_bound(value: Any, col_type: str | None, what: str, where: str) -> Any:
    """A bound must be of the type it is compared as, and fit it (a DECIMAL(5,2) cannot reach 1000)."""
    if value is None:
        return None
    if col_type is None:
        raise ContractError(f"{where}: {what} needs a typed column (a physicalType or castTo other than VARCHAR)")
    if col_type in TEMPORAL_TYPES:
        if value == "today" or isinstance(value, date):
            return value if value == "today" else value.isoformat()
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ContractError(f"{where}: {what} {value!r} is not an ISO date or 'today'") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ContractError(f"{where}: {what} {value!r} is not a number")
    decimal = DECIMAL_TYPE.match(col_type)
    limit = 10 ** (int(decimal.group(1)) - int(decimal.group(2))) if decimal else INTEGER_RANGES.get(col_type)
    if limit is not None and abs(value) >= limit:
        raise ContractError(f"{where}: {what} {value} does not fit {col_type}")
    return value


def _names(value: Any, what: str, where: str) -> tuple[str, ...]:
    """One column name or a list of them."""
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    return tuple(_check_identifier(v, what, where) for v in values)


def _reference_target(text: Any, where: str) -> tuple[str, str]:
    match = REFERENCE.match(text) if isinstance(text, str) else None
    if not match:
        raise ContractError(f"{where}: relationship target {text!r} must be <source>.<column> (lower snake_case)")
    return match.group(1), match.group(2)


def _property_references(prop: dict, name: str, where: str) -> list[Reference]:
    references = []
    for rel in prop.get("relationships") or []:
        if rel.get("type", "foreignKey") != "foreignKey" or "from" in rel:
            raise ContractError(f"{where}: a property relationship is a foreignKey with `to` only")
        target, column = _reference_target(rel.get("to"), where)
        references.append(Reference((name,), target, (column,)))
    return references


def _schema_references(obj: dict, names: list[str], where: str) -> list[Reference]:
    """Composite foreign keys: `from` and `to` lists of <source>.<column> of the same length."""
    references = []
    for rel in obj.get("relationships") or []:
        sources, targets = rel.get("from"), rel.get("to")
        if rel.get("type", "foreignKey") != "foreignKey" or not isinstance(sources, list) \
                or not isinstance(targets, list) or len(sources) != len(targets) or not sources:
            raise ContractError(f"{where}: a schema relationship is a foreignKey with equal `from` and `to` lists")
        own = [_reference_target(s, where) for s in sources]
        other = [_reference_target(t, where) for t in targets]
        if {s for s, _ in own} != {obj.get("name")} or len({t for t, _ in other}) != 1:
            raise ContractError(f"{where}: `from` must name this schema's columns and `to` one source's")
        for _, column in own:
            if column not in names:
                raise ContractError(f"{where}: relationship names unknown column {column}")
        references.append(Reference(tuple(c for _, c in own), other[0][0], tuple(c for _, c in other)))
    return references


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
    landing_type = _check_landing_type(prop.get("physicalType", "VARCHAR"), where)
    cast_to = custom.get("castTo")
    if cast_to is not None:
        cast_to = _check_landing_type(cast_to, where, "castTo")
        if landing_type != "VARCHAR" or cast_to == "VARCHAR":
            raise ContractError(f"{where}: castTo is for text that carries another type (physicalType VARCHAR)")
    null_values = custom.get("nullValues") or []
    if null_values and (cast_to is None or not all(isinstance(v, str) for v in null_values)):
        raise ContractError(f"{where}: nullValues is a list of texts, on a column with castTo")
    value_type = cast_to or (None if landing_type == "VARCHAR" else landing_type)
    if custom.get("pseudonymise") and (custom.get("oneValuePerFile") or prop.get("relationships")):
        raise ContractError(f"{where}: a pseudonymised identifier is never compared with other files or reference data")
    return Column(
        name=name,
        source_name=str(prop.get("physicalName") or name),
        logical_type=prop.get("logicalType", "string"),
        landing_type=landing_type,
        description=str(prop.get("description", "")).strip(),
        required=bool(prop.get("required", False)),
        primary_key_position=(
            int(prop.get("primaryKeyPosition", 1)) if prop.get("primaryKey") else None
        ),
        classification=classification,
        pattern=options.get("pattern"),
        date_format=options.get("format"),
        minimum=_check_bound(options.get("minimum"), value_type, "minimum", where),
        maximum=_check_bound(options.get("maximum"), value_type, "maximum", where),
        valid_values=_valid_values(prop),
        pseudonymise=bool(custom.get("pseudonymise", False)),
        not_before=_names(custom.get("notBefore"), "notBefore", where),
        not_greater_than=_names(custom.get("notGreaterThan"), "notGreaterThan", where),
        cast_to=cast_to,
        null_values=tuple(null_values),
        one_value_per_file=bool(custom.get("oneValuePerFile", False)),
    )


# notBefore compares dates, notGreaterThan numbers.
COMPARISONS = {
    "notBefore": (lambda c: c.not_before, lambda c: c.value_type in TEMPORAL_TYPES, "dates"),
    "notGreaterThan": (lambda c: c.not_greater_than, lambda c: c.is_numeric, "numbers"),
}


def _check_comparisons(columns: tuple[Column, ...], where: str) -> None:
    """Each comparison joins two known columns of the right kind and never leads back to its column."""
    by_name = {c.name: c for c in columns}
    for key, (others_of, fits, kind) in COMPARISONS.items():
        for col in columns:
            for other in others_of(col):
                if other not in by_name:
                    raise ContractError(f"{where}: {col.name}.{key} names unknown column {other}")
                if not (fits(col) and fits(by_name[other])):
                    raise ContractError(f"{where}: {col.name}.{key} {other}: both columns must be {kind}")
        for col in columns:
            if col.name in _reachable(col.name, lambda n: others_of(by_name[n])):
                raise ContractError(f"{where}: {key} of {col.name} leads back to {col.name}")


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
    properties = obj.get("properties") or []
    columns = tuple(_parse_column(p, f"{where}:{name}") for p in properties)
    names = [c.name for c in columns]
    if len(set(names)) != len(names) or not columns:
        raise ContractError(f"{where}: property names must be present and unique")
    _check_comparisons(columns, where)
    references = [r for p, c in zip(properties, columns) for r in _property_references(p, c.name, where)]
    references += _schema_references(obj, names, where)
    custom = _custom(document.get("customProperties"))
    delivery = {name: _delivery_column(custom.get(name), name, columns, where)
                for name in ("organisationColumn", "periodColumn")}
    period_end_columns = _period_end_columns(custom.get("periodEndColumns"), columns, where)
    if period_end_columns and not delivery["periodColumn"]:
        raise ContractError(f"{where}: periodEndColumns needs a periodColumn")
    team = document.get("team") or {}
    owners = [m.get("username") for m in team.get("members", []) if m.get("role") == "owner"]
    sla = _sla_properties(document.get("slaProperties"), where)
    frequency = sla["frequency"]
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
        period_end_columns=period_end_columns,
        references=tuple(references),
        sla=Sla(every=_sla_span(frequency, where, minimum=1),
                grace=_sla_span(sla.get("latency"), where, minimum=0) or timedelta(0),
                blocking=_staleness_blocks(custom.get("staleness", "warning"), where)),
        max_volume_drop=_share(custom.get("maxVolumeDrop", DEFAULT_MAX_VOLUME_DROP), "maxVolumeDrop", where),
        file_path=file_path,
    )


def _sla_properties(items: Any, where: str) -> dict[str, dict]:
    """The SLA properties by name; `frequency` is required (how else would lateness be known?)."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ContractError(f"{where}: slaProperties must be a list of {{property, value, unit}} entries")
    names = [i.get("property") for i in items]
    if not all(isinstance(n, str) and n for n in names):
        raise ContractError(f"{where}: slaProperties: each SLA property needs a `property` name")
    for name in dict.fromkeys(names):
        if names.count(name) > 1:
            raise ContractError(f"{where}: slaProperties: {name} is given {names.count(name)} times")
    if "frequency" not in names:
        raise ContractError(f"{where}: slaProperties: frequency is missing (e.g. value 1, unit d; "
                            "or value once for data delivered once)")
    return {i["property"]: i for i in items}


def _sla_span(item: dict | None, where: str, minimum: int) -> timedelta | None:
    """value x unit of an SLA property; None when absent or (frequency only) `once`."""
    if item is None or (minimum and item.get("value") == "once"):
        return None
    name, value, unit = item["property"], item.get("value"), item.get("unit")
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        bound = "above 0" if minimum else "of at least 0"
        raise ContractError(f"{where}: slaProperties: {name} value {value!r} must be a whole number {bound}"
                            + (" (or once)" if minimum else ""))
    if unit not in SLA_UNITS:
        raise ContractError(f"{where}: slaProperties: {name} unit {unit!r} is not one of {sorted(SLA_UNITS)}")
    return value * SLA_UNITS[unit]


def _staleness_blocks(value: Any, where: str) -> bool:
    if value not in STALENESS:
        raise ContractError(f"{where}: staleness {value!r} must be 'warning' or 'blocking'")
    return value == "blocking"


def _share(value: Any, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ContractError(f"{where}: {what} {value!r} must be a share above 0 and at most 1")
    return float(value)


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


def _period_end_columns(names, columns: tuple[Column, ...], where: str) -> tuple[str, ...]:
    """Columns that only close or progress a record (its end date, termination, closure, outcome):
    at least one of them must be a date, which places such a change in time."""
    if names is None:
        return ()
    if not isinstance(names, list) or not names:
        raise ContractError(f"{where}: periodEndColumns must be a list of column names")
    by_name = {c.name: c for c in columns}
    for name in names:
        if _check_identifier(name, "periodEndColumns", where) not in by_name:
            raise ContractError(f"{where}: periodEndColumns names unknown column {name}")
    if not any(by_name[n].landing_type in {"DATE", "TIMESTAMP"} for n in names):
        raise ContractError(f"{where}: periodEndColumns needs at least one date column")
    return tuple(names)


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
    for contract in contracts.values():
        for reference in contract.references:
            check_reference_target(reference, contracts, f"{contract.file_path}")
    return contracts


def seed_columns(name: str) -> list[str] | None:
    """The header of dbt seed `name`, or None when there is no such seed."""
    path = SEEDS_DIR / f"{name}.csv"
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def check_reference_target(reference: Reference, contracts: dict[str, Contract], where: str) -> None:
    """A reference must name a bundled contract (landing reads its file, whatever order sources land
    in) or a dbt seed, and columns it has."""
    target = contracts.get(reference.target)
    if target is not None:
        if target.location != "bundled":
            raise ContractError(f"{where}: {reference.target} is not bundled reference data")
        known = [c.name for c in target.columns]
    else:
        known = seed_columns(reference.target)
        if known is None:
            raise ContractError(f"{where}: {reference.target} is neither a bundled contract nor a dbt seed")
    for column in reference.target_columns:
        if column not in known:
            raise ContractError(f"{where}: {reference.target} has no column {column}")
