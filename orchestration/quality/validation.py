"""Check incoming files against their contracts as landing would, without landing them.

`edi validate` runs each file through landing's own steps (landing.py: header check under the
trust's mapping, staging, value mappings, row rules, file-level errors) on an in-memory DuckDB,
and only counts what would land and what would be quarantined. Nothing is written: no warehouse,
no audit table. The work is proportional to the files, whatever the warehouse holds.

Each file is judged as a first delivery would be: a file identical to another one in the folder is
a duplicate (landing would skip it), and a source's quarantined share is compared with the
contract's limit over the files given (the row_accounting check of a run compares it over every
current delivery).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb

from orchestration.quality.completeness import FileFacts, sent_twice
from orchestration.quality.contracts import Contract, load_contracts
from orchestration.quality.deliveries import fingerprint_files, plan_deliveries
from orchestration.quality.landing import (
    MALFORMED_LINE, SourceFileError, check_batches, checked_files, count_batch, source_files,
)
from orchestration.quality.mappings import MappingError, TrustMapping, load_mappings

TOP_REASONS = 3


@dataclass
class FileVerdict:
    file: str  # as landing labels it: relative to the landing folder
    source: str | None
    error: str | None = None  # a file-level error: the file would not land at all
    mapping: str | None = None  # the trust mapping it is read under
    duplicate_of: str | None = None
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    reasons: list[dict] = field(default_factory=list)  # {"rule": "valid_values:harm", "rows": 12}, most first

    @property
    def header_verdict(self) -> str:
        if self.duplicate_of:
            return f"duplicate of {self.duplicate_of}"
        if self.error is None:
            return "header ok"
        # the problem without the path in front or the expected columns after it (both in the message)
        return self.error.split(": ", 1)[-1].split(" — ")[0]


@dataclass
class ValidationReport:
    root: str
    files: list[FileVerdict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems of a source or a mapping, not of one file

    @property
    def passed(self) -> bool:
        return not self.errors and all(f.error is None for f in self.files)


def _is_source_folder(path: Path, contracts: list[Contract]) -> bool:
    """A folder named as a source's folder in landing/ (datix_incident/), not a landing folder itself."""
    return path.is_dir() and any(PurePosixPath(c.path_glob).parts[0] == path.name for c in contracts)


def _labelled_files(path: Path, source_folder: bool) -> tuple[Path, list[Path]]:
    """The landing-like root and the files to check: every file under a folder, or one file or one
    source's folder (labelled as landing would label them)."""
    if path.is_file():
        return path.parent.parent, [path]
    root = path.parent if source_folder else path
    return root, sorted(p for p in path.rglob("*")
                        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts))


def _contract_of(label: str, contracts: list[Contract]) -> Contract | None:
    return next((c for c in contracts if PurePosixPath(label).match(c.path_glob)), None)


def _count_reasons(con, reasons: Counter) -> None:
    """The broken rule of each quarantined row of the batch, per file."""
    for label, rule, rows in con.execute(
            """select _source_file, _rule, count(*) from (
                   select _source_file, _rule from _checked where _rule is not null
                   union all select _source_file, ? from _malformed)
               group by 1, 2""", [MALFORMED_LINE]).fetchall():
        reasons[(label, rule)] += rows


def _check_file(con, contract: Contract, verdict: FileVerdict, path: Path,
                mappings: dict[str, TrustMapping]) -> None:
    """One file through landing's steps; its counts and top reasons, or its file-level error."""
    delivery = fingerprint_files([path], [verdict.file], {})[0]
    counts: dict[str, list[int]] = {}
    facts: dict[str, FileFacts] = {}
    reasons: Counter = Counter()
    try:
        files = checked_files(contract, [delivery], mappings)
        verdict.mapping = str(files[0].mapping.path) if files[0].mapping else None
        for _ in check_batches(con, contract, files):
            count_batch(con, contract, counts, facts)
            _count_reasons(con, reasons)
    except (SourceFileError, MappingError) as error:
        verdict.error = str(error)
        return
    # the one completeness rule a file shows on its own (the others compare with earlier deliveries)
    verdict.error = sent_twice(contract, facts)
    verdict.rows_read, verdict.rows_landed, verdict.rows_quarantined = counts.get(verdict.file, [0, 0, 0])
    verdict.reasons = [{"rule": rule, "rows": rows} for (_, rule), rows in
                       sorted(reasons.items(), key=lambda item: (-item[1], item[0][1]))[:TOP_REASONS]]


def _quarantine_gate(contract: Contract, verdicts: list[FileVerdict]) -> str | None:
    read = sum(v.rows_read for v in verdicts)
    held = sum(v.rows_quarantined for v in verdicts)
    if read and held / read > contract.max_quarantine_ratio:
        return (f"{contract.name}: {held / read:.2%} of rows would be quarantined, above the contract's "
                f"{contract.max_quarantine_ratio:.2%}: the run's row_accounting check would fail")
    return None


def _check_source(con, contract: Contract, paths: list[Path], labels: list[str],
                  mappings: dict[str, TrustMapping], report: ValidationReport) -> None:
    plan = plan_deliveries(contract.name, fingerprint_files(paths, labels, {}), {})
    by_label = dict(zip(labels, paths))
    verdicts = []
    for label in sorted(labels):
        verdict = FileVerdict(label, contract.name, duplicate_of=plan.duplicates.get(label))
        if verdict.duplicate_of is None:
            _check_file(con, contract, verdict, by_label[label], mappings)
        verdicts.append(verdict)
    report.files += verdicts
    if (gate := _quarantine_gate(contract, verdicts)) is not None:
        report.errors.append(gate)


def validate_files(path: Path, mappings_dir: Path, reference_dir: Path) -> ValidationReport:
    """Every file under `path` (a folder laid out like landing/, one source's folder, or one file)
    judged as landing would."""
    contracts = [c for c in load_contracts().values() if c.location == "landing"]
    source_folder = _is_source_folder(path, contracts)
    root, paths = _labelled_files(path, source_folder)
    report = ValidationReport(str(path))
    try:
        mappings = load_mappings(mappings_dir)
    except MappingError as error:
        report.errors.append(f"mapping: {error}")
        mappings = {}
    by_source: dict[str, list[Path]] = {}
    for file in paths:
        label = file.relative_to(root).as_posix()
        contract = _contract_of(label, contracts)
        if contract is None:
            report.files.append(FileVerdict(label, None, error=(
                f"{file}: no contract reads this file (landing contracts read "
                f"{', '.join(c.path_glob for c in contracts)})")))
        else:
            by_source.setdefault(contract.name, []).append(file)
    con = duckdb.connect(":memory:")
    try:
        for contract in contracts:
            if path.is_dir() and not source_folder:
                try:  # the folder of a nightly run must hold every source's files, as landing requires
                    source_files(contract, path, reference_dir)
                except SourceFileError as error:
                    report.errors.append(str(error))
            files = by_source.get(contract.name, [])
            if files:
                _check_source(con, contract, files, [f.relative_to(root).as_posix() for f in files],
                              mappings.get(contract.name, {}), report)
    finally:
        con.close()
    report.files.sort(key=lambda f: f.file)
    return report
