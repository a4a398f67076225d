"""Per-trust mappings: a trust's own headings and code labels land as the contract's, and every
mistake in a mapping is refused at load with the file, the column and the mapping named."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing import SourceFileError, land_source, source_files
from orchestration.quality.mappings import MappingError, load_mappings
from orchestration.settings import REPO_ROOT
from orchestration.synthetic import generate

EXAMPLE_MAPPINGS = REPO_ROOT / "docs" / "examples" / "mappings"
SEED = 11
ESR = "esr_assignment"


@pytest.fixture(scope="module")
def landings(tmp_path_factory):
    """The same trust twice: as the contract's headings, and as its own ESR report writes them."""
    standard, local = tmp_path_factory.mktemp("standard"), tmp_path_factory.mktemp("local")
    report = generate(1, SEED, standard)
    generate(1, SEED, local, local_esr={"RBL"})
    return standard, local, report


def land_esr(landing: Path, mappings: Path | None, warehouse: Path):
    contract = load_contracts()[ESR]
    con = duckdb.connect(str(warehouse))
    trust_mappings = load_mappings(mappings).get(ESR, {}) if mappings else {}
    load = land_source(con, contract, source_files(contract, landing, landing), key=b"test-key",
                       run_id="run", loaded_at=datetime(2026, 1, 1), label_root=landing,
                       mappings=trust_mappings)
    return con, load


def header_of(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_local_esr_report_has_its_own_headings_and_sex_labels(landings):
    standard, local, _ = landings
    header = header_of(local / ESR / "esr_assignment_RBL.csv")
    assert header != header_of(standard / ESR / "esr_assignment_RBL.csv")
    assert "Sex" in header and "Gender" not in header
    text = (local / ESR / "esr_assignment_RBL.csv").read_text(encoding="utf-8")
    assert ",F," in text and ",Female," not in text


def test_a_local_file_without_its_mapping_fails_the_header_check(landings, tmp_path):
    _, local, _ = landings
    with pytest.raises(SourceFileError, match="missing column\\(s\\) .*'Gender'") as error:
        land_esr(local, None, tmp_path / "w.duckdb")
    assert "map them in a trust mapping <ODS code>/esr_assignment.yaml" in str(error.value)


def test_mapped_headings_and_labels_land_exactly_like_the_contract_headed_file(landings, tmp_path):
    standard, local, report = landings
    con_a, load_a = land_esr(standard, None, tmp_path / "a.duckdb")
    con_b, load_b = land_esr(local, EXAMPLE_MAPPINGS, tmp_path / "b.duckdb")
    counts = lambda load: [(f.path, f.rows_read, f.rows_landed, f.rows_quarantined) for f in load.files]
    assert counts(load_b) == counts(load_a)
    assert load_b.rows_quarantined == report.quarantine_expected("esr_assignment/esr_assignment_RBL.csv") > 0
    landed = "select * exclude (_source_sha256, _loaded_at) from raw.esr_assignment order by _row_number"
    held = ("select * exclude (_source_sha256, _loaded_at) from raw.esr_assignment__quarantine "
            "order by _row_number")
    assert con_b.execute(landed).fetchall() == con_a.execute(landed).fetchall()
    assert con_b.execute(held).fetchall() == con_a.execute(held).fetchall()
    # the lineage names the trust's real file
    assert con_b.execute("select distinct file_path from audit.source_load").fetchall() == [
        ("esr_assignment/esr_assignment_RBL.csv",)]
    assert con_b.execute("select count(*) from raw.esr_assignment where gender = 'Female'").fetchone()[0] > 0


def test_a_mapping_applies_only_to_files_of_its_trust(landings, tmp_path):
    """The example mapping beside the default demo's other trusts changes nothing."""
    standard, _, _ = landings
    mappings = tmp_path / "mappings"
    shutil.copytree(EXAMPLE_MAPPINGS / "RBL", mappings / "RCB")
    con_a, load_a = land_esr(standard, None, tmp_path / "a.duckdb")
    con_b, load_b = land_esr(standard, mappings, tmp_path / "b.duckdb")
    assert [vars(f) for f in load_b.files] == [vars(f) for f in load_a.files]


def test_a_mapped_heading_missing_from_the_file_names_file_heading_column_and_mapping(landings, tmp_path):
    standard, _, _ = landings
    mappings = tmp_path / "mappings"
    write_mapping(mappings, "RBL", ESR, "columns:\n  gender: Sex\n")
    with pytest.raises(SourceFileError) as error:
        land_esr(standard, mappings, tmp_path / "w.duckdb")
    message = str(error.value)
    for part in ("esr_assignment_RBL.csv", "'Sex'", "gender", str(mappings / "RBL" / "esr_assignment.yaml")):
        assert part in message, message


def write_mapping(root: Path, trust: str, source: str, text: str) -> Path:
    path = root / trust / f"{source}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("trust", "source", "text", "expected"), [
    ("RBL", ESR, "columns:\n  sexx: Sex\n", ["column 'sexx'", "no such column"]),
    ("RBL", ESR, "columns:\n  gender: Sex\n  gender: Gender Code\n", ["'gender'", "given twice", "line 3"]),
    ("RBL", ESR, "columns:\n  gender: Sex\n  ethnic_origin: Sex\n", ["heading 'Sex'", "gender", "ethnic_origin"]),
    ("RBL", ESR, "columns:\n  gender: Ethnic Origin\n", ["heading 'Ethnic Origin'", "gender", "ethnic_origin"]),
    ("RBL", ESR, "values:\n  date_of_birth:\n    X: Y\n", ["column 'date_of_birth'", "no code list"]),
    ("RBL", ESR, "values:\n  gender:\n    F: Femme\n", ["column 'gender'", "'Femme'", "not in the contract's code list"]),
    ("RBL", ESR, "values:\n  gender:\n    F: Female\n    ' f': Male\n", ["column 'gender'", "label 'f'", "twice"]),
    ("RBL", ESR, "values:\n  disability:\n    Yes: Yes\n", ["column 'disability'", "quote"]),
    ("RBL", ESR, "colums:\n  gender: Sex\n", ["'colums'", "columns, values"]),
    ("RBL", ESR, "columns: [Sex]\n", ["columns", "contract column: heading"]),
    ("ZZZ9Q", ESR, "columns:\n  gender: Sex\n", ["ZZZ9Q", "not an ODS trust code"]),
    ("RBL", "esr_asignment", "columns:\n  gender: Sex\n", ["esr_asignment", "no landing contract"]),
    ("RBL", "ods_trust", "columns:\n  organisation_code: Code\n", ["ods_trust", "no landing contract"]),
])
def test_mapping_mistakes_are_refused_naming_file_column_and_mapping(tmp_path, trust, source, text, expected):
    path = write_mapping(tmp_path, trust, source, text)
    with pytest.raises(MappingError) as error:
        load_mappings(tmp_path)
    message = str(error.value)
    where = path.parent if trust == "ZZZ9Q" else path  # an unknown trust: its folder is named
    assert str(where) in message, message
    for part in expected:
        assert part in message, message


def test_the_example_mapping_is_valid_and_no_mapping_folder_means_none(tmp_path):
    assert set(load_mappings(EXAMPLE_MAPPINGS)[ESR]) == {"RBL"}
    assert load_mappings(tmp_path / "absent") == {}


def test_the_mappings_setting_must_be_a_folder(tmp_path, monkeypatch):
    from orchestration.settings import SettingsError, load_settings

    monkeypatch.setenv("EDI_MAPPINGS_DIR", str(tmp_path))
    assert load_settings().mappings_dir == tmp_path
    monkeypatch.setenv("EDI_MAPPINGS_DIR", str(tmp_path / "mapping.yaml"))
    (tmp_path / "mapping.yaml").write_text("columns: {}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="EDI_MAPPINGS_DIR must be a folder"):
        load_settings()
