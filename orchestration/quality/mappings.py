"""Per-trust mappings: a trust's own extract headings and code labels, read as the contract's.

A trust whose export differs from the contract's layout only in its headings and code labels is
described, without editing the contract, in `<mappings folder>/<ODS code>/<source>.yaml`:

    columns:              # contract column: the heading in this trust's file
      gender: Sex
    values:               # contract column: {the trust's label: the contract's code}
      gender: {F: Female, M: Male}

A mapping applies to the files of its source whose name carries the trust's ODS code as one of its
`_`-separated parts (`esr_assignment_RBL.csv`, `esr_assignment_RBL_2025-04.csv`); other files are
read with the contract's headings. Landing renames the mapped headings and translates the labels
before the header check and the row rules, so the contract stays the one statement of the rules.
Labels are matched trimmed and case-insensitively, as code lists are; a label the mapping does not
name is left as it is for the rules to judge. Columns keep the contract's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.quality.contracts import Column, Contract, Reference, load_contracts

MAPPING_SUFFIX = ".yaml"
SECTIONS = ("columns", "values")
TRUST_CODES = Reference(("organisation_code",), "ods_trust", ("organisation_code",))


class MappingError(ValueError):
    """A mapping file is malformed or names something the contract or the reference data lacks."""


@dataclass(frozen=True)
class TrustMapping:
    trust: str
    source: str
    path: Path
    headings: dict[str, str]  # contract column -> heading in the trust's file
    values: dict[str, dict[str, str]]  # contract column -> {LABEL (trimmed, upper case) -> contract code}

    def heading(self, col: Column) -> str:
        return self.headings.get(col.name, col.source_name)

    def mapped_column(self, heading: str) -> str | None:
        """The contract column a heading of this mapping stands for, if the mapping names it."""
        return next((name for name, h in self.headings.items() if h == heading), None)


class _RepeatedKey(yaml.YAMLError):
    def __init__(self, key, line: int):
        super().__init__(f"{key!r} is given twice (line {line}): a contract column takes one heading, "
                         "a label one code")


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML keeps the last of two equal keys; a mapping that names a column twice is a mistake."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _RepeatedKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> dict:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except _RepeatedKey as error:
        raise MappingError(f"{path}: {error}") from error
    except yaml.YAMLError as error:
        raise MappingError(f"{path}: not valid YAML: {str(error).replace(chr(10), ' ')}") from error
    if not isinstance(document, dict):
        raise MappingError(f"{path}: expected sections {', '.join(SECTIONS)}, found {type(document).__name__}")
    unknown = [k for k in document if k not in SECTIONS]
    if unknown:
        raise MappingError(f"{path}: unknown section(s) {', '.join(repr(k) for k in unknown)}; "
                           f"a mapping has the sections {', '.join(SECTIONS)}")
    return document


def _text(value, path: Path, where: str) -> str:
    """A heading or label as written; YAML reads Yes/No/On/Off unquoted as booleans."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MappingError(f"{path}: {where}: {value!r} is not text; quote it (e.g. 'Yes')")
    return str(value)


def _section(document: dict, name: str, path: Path, shape: str) -> dict:
    section = document.get(name) or {}
    if not isinstance(section, dict):
        raise MappingError(f"{path}: `{name}` must map {shape}")
    return section


def _column(contract: Contract, name, path: Path, section: str) -> Column:
    try:
        return contract.column(name)
    except KeyError:
        raise MappingError(f"{path}: {section}: column {name!r}: contract {contract.name} "
                           f"v{contract.version} has no such column") from None


def _headings(document: dict, contract: Contract, path: Path) -> dict[str, str]:
    section = _section(document, "columns", path, "each contract column: heading in the file")
    headings = {_column(contract, name, path, "columns").name: _text(h, path, f"columns: column {name!r}").strip()
                for name, h in section.items()}
    # Every column's heading in the file, mapped or the contract's: each must name one column.
    by_heading: dict[str, list[str]] = {}
    for col in contract.columns:
        by_heading.setdefault(headings.get(col.name, col.source_name), []).append(col.name)
    for heading, names in by_heading.items():
        if len(names) > 1:
            raise MappingError(f"{path}: columns: heading {heading!r} would be read for columns "
                               f"{' and '.join(names)}; each heading names one contract column")
    return headings


def _values(document: dict, contract: Contract, path: Path) -> dict[str, dict[str, str]]:
    section = _section(document, "values", path, "each contract column: {the trust's label: contract code}")
    values = {}
    for name, labels in section.items():
        col = _column(contract, name, path, "values")
        where = f"values: column {name!r}"
        if not col.valid_values:
            raise MappingError(f"{path}: {where}: contract {contract.name} has no code list for it; "
                               "a value mapping translates labels into a code list")
        if not isinstance(labels, dict) or not labels:
            raise MappingError(f"{path}: {where}: must map each of the trust's labels to a contract code")
        codes = {v.strip().upper() for v in col.valid_values}
        mapped: dict[str, str] = {}
        for label, code in labels.items():
            label, code = _text(label, path, where).strip(), _text(code, path, where)
            if code.strip().upper() not in codes:
                raise MappingError(f"{path}: {where}: maps {label!r} to {code!r}, which is not in the "
                                   f"contract's code list {list(col.valid_values)}")
            if label.upper() in mapped:
                raise MappingError(f"{path}: {where}: label {label!r} is given twice (labels match "
                                   "trimmed, whatever their case)")
            mapped[label.upper()] = code
        values[col.name] = mapped
    return values


def load_mapping(path: Path, trust: str, contract: Contract) -> TrustMapping:
    document = _read_yaml(path)
    return TrustMapping(trust, contract.name, path, _headings(document, contract, path),
                        _values(document, contract, path))


def _known_trusts() -> set[str]:
    from orchestration.quality.reference_values import reference_keys  # reads the bundled ODS file

    return set(reference_keys(TRUST_CODES))


def load_mappings(directory: Path) -> dict[str, dict[str, TrustMapping]]:
    """Every mapping in the folder, by source then trust; none when the folder does not exist.
    Files directly in the folder (a README) are not mappings."""
    directory = Path(directory)
    if not directory.is_dir():
        return {}
    contracts = {n: c for n, c in load_contracts().items() if c.location == "landing"}
    trusts = _known_trusts()
    mappings: dict[str, dict[str, TrustMapping]] = {}
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name not in trusts:
            raise MappingError(f"{folder}: {folder.name!r} is not an ODS trust code in the bundled "
                               "reference data (name each trust's folder by its ODS code, e.g. RBL)")
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            contract = contracts.get(path.stem) if path.suffix == MAPPING_SUFFIX else None
            if contract is None:
                raise MappingError(f"{path}: no landing contract is named {path.stem!r}; name a mapping "
                                   f"<source>{MAPPING_SUFFIX}, one of {', '.join(sorted(contracts))}")
            mappings.setdefault(contract.name, {})[folder.name] = load_mapping(path, folder.name, contract)
    return mappings


def mapping_for(path: Path, mappings: dict[str, TrustMapping]) -> TrustMapping | None:
    """The mapping of the trust whose code the file name carries, if that trust has one."""
    parts = set(path.stem.upper().split("_"))
    found = [m for trust, m in mappings.items() if trust in parts]
    if len(found) > 1:
        raise MappingError(f"{path}: the file name carries the codes of several mapped trusts "
                           f"({', '.join(m.trust for m in found)}): which trust's file is it?")
    return found[0] if found else None
