"""Completeness at landing: a trust's missing file, a delivery cut off half-way and an extract sent twice
into one file each stop the source at landing, with a message naming the trust, the source and the file
(and nothing of the source changes)."""

from datetime import datetime

import duckdb
import pytest

from orchestration.quality.landing import SourceFileError, land_source
from orchestration.quality.row_accounting import check_row_accounting
from orchestration.settings import SettingsError, load_settings
from tests.unit.contract_factory import column, make_contract

KEY = b"unit-test-key"
HEADER = "Org,Ref,Grade\n"


def trust_contract(name, **custom):
    """A trust extract: one file per trust and delivery, rows keyed by (organisation, reference)."""
    contract = make_contract([column("org", "Org", required=True),
                              column("ref", "Ref", required=True, primaryKey=True, primaryKeyPosition=1),
                              column("grade", "Grade")],
                             name=name, path=f"{name}/*.csv", max_ratio=0.05, custom=custom)
    return contract.__class__(**{**contract.__dict__, "organisation_column": "org"})


def rows(org, count, start=0):
    return [f"{org},{org}-{i},5" for i in range(start, start + count)]


class Landing:
    """A landing folder with sources `esr` and `datix`, landed into one warehouse file."""

    def __init__(self, tmp_path, **contracts):
        self.root, self.db, self.runs = tmp_path, tmp_path / "w.duckdb", 0
        self.contracts = {"esr": trust_contract("esr"), "datix": trust_contract("datix"), **contracts}
        for name in self.contracts:
            (tmp_path / name).mkdir()

    def write(self, source, name, lines):
        path = self.root / source / name
        path.write_text(HEADER + "".join(f"{line}\n" for line in lines))
        return path

    def land(self, source, trusts_left=()):
        self.runs += 1
        declared = {"trusts_left": trusts_left} if trusts_left else {}
        with duckdb.connect(str(self.db)) as con:
            return land_source(con, self.contracts[source], sorted((self.root / source).glob("*.csv")), key=KEY,
                               run_id=f"run-{self.runs}", loaded_at=datetime(2026, 1, self.runs),
                               label_root=self.root, **declared)

    def current(self, source):
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(f"select org, count(*) from raw.{source} group by 1 order by 1").fetchall()


@pytest.fixture
def three_trusts(tmp_path):
    """Both sources delivered by RA1, RB2 and RC3, landed once."""
    landing = Landing(tmp_path)
    for source in ("esr", "datix"):
        for org in ("RA1", "RB2", "RC3"):
            landing.write(source, f"{source}_{org}.csv", rows(org, 10))
        landing.land(source)
    return landing


def test_a_missing_file_of_a_trust_that_still_delivers_fails_naming_trust_source_and_file(three_trusts):
    (three_trusts.root / "esr" / "esr_RB2.csv").unlink()
    with pytest.raises(SourceFileError) as failure:
        three_trusts.land("esr")
    message = str(failure.value)
    assert "esr/esr_RB2.csv" in message and "trust RB2" in message and "source esr" in message
    assert "datix/datix_RB2.csv" in message  # what shows the trust is still delivering
    assert "EDI_TRUSTS_LEFT" in message  # and what to do if it has really stopped
    assert three_trusts.current("esr") == [("RA1", 10), ("RB2", 10), ("RC3", 10)]  # nothing changed


def test_a_trust_that_delivers_nothing_any_more_has_left_and_takes_its_rows(three_trusts):
    for source in ("esr", "datix"):
        (three_trusts.root / source / f"{source}_RB2.csv").unlink()
    load = three_trusts.land("esr")
    assert load.withdrawn == ["esr/esr_RB2.csv"]
    assert three_trusts.current("esr") == [("RA1", 10), ("RC3", 10)]


def test_a_trust_declared_as_left_may_stop_one_source_first(three_trusts):
    (three_trusts.root / "esr" / "esr_RB2.csv").unlink()
    load = three_trusts.land("esr", trusts_left=("RB2",))
    assert load.withdrawn == ["esr/esr_RB2.csv"]


def test_a_trust_that_renames_its_delivery_is_not_missing_a_file(three_trusts):
    (three_trusts.root / "esr" / "esr_RB2.csv").unlink()
    three_trusts.write("esr", "esr_RB2_2026-01.csv", rows("RB2", 10))
    load = three_trusts.land("esr")
    assert load.withdrawn == ["esr/esr_RB2.csv"] and [f.path for f in load.files] == ["esr/esr_RB2_2026-01.csv"]


def test_a_delivery_cut_off_half_way_fails_naming_rows_now_and_before(three_trusts):
    three_trusts.write("datix", "datix_RC3.csv", rows("RC3", 5))
    with pytest.raises(SourceFileError) as failure:
        three_trusts.land("datix")
    message = str(failure.value)
    assert "datix/datix_RC3.csv" in message and "trust RC3" in message and "source datix" in message
    assert "5 rows" in message and "10 rows" in message and "20%" in message
    assert three_trusts.current("datix") == [("RA1", 10), ("RB2", 10), ("RC3", 10)]


def test_a_fall_within_the_limit_lands(three_trusts):
    three_trusts.write("datix", "datix_RC3.csv", rows("RC3", 9))
    assert [f.rows_landed for f in three_trusts.land("datix").files] == [9]


def test_the_contract_can_allow_a_larger_fall(tmp_path):
    landing = Landing(tmp_path, datix=trust_contract("datix", maxVolumeDrop=0.6))
    landing.write("datix", "datix_RC3.csv", rows("RC3", 10))
    landing.land("datix")
    landing.write("datix", "datix_RC3.csv", rows("RC3", 5))
    assert [f.rows_landed for f in landing.land("datix").files] == [5]


def test_an_increment_beside_the_base_is_not_a_fall_in_volume(three_trusts):
    three_trusts.write("datix", "datix_RC3_2026-01.csv", rows("RC3", 2, start=20))
    assert [f.rows_landed for f in three_trusts.land("datix").files] == [2]


def test_an_extract_sent_twice_into_one_file_fails_naming_the_file(three_trusts):
    twice = rows("RA1", 10) + rows("RA1", 10)
    three_trusts.write("esr", "esr_RA1.csv", twice)
    with pytest.raises(SourceFileError) as failure:
        three_trusts.land("esr")
    message = str(failure.value)
    assert "esr/esr_RA1.csv" in message and "trust RA1" in message and "source esr" in message
    assert "10 of its 20 rows" in message
    assert three_trusts.current("esr") == [("RA1", 10), ("RB2", 10), ("RC3", 10)]


def test_a_few_repeated_keys_in_a_small_file_are_quarantined_not_a_resent_extract(three_trusts):
    three_trusts.write("esr", "esr_RA1.csv", rows("RA1", 10) + rows("RA1", 9))
    assert [f.rows_quarantined for f in three_trusts.land("esr").files] == [9]


def test_trusts_that_left_are_declared_as_ods_codes(monkeypatch):
    monkeypatch.setenv("EDI_TRUSTS_LEFT", " rbl, R1L ")
    assert load_settings().trusts_left == ("RBL", "R1L")
    monkeypatch.setenv("EDI_TRUSTS_LEFT", "RBL;R1L")
    with pytest.raises(SettingsError, match="EDI_TRUSTS_LEFT: 'RBL;R1L' is not an ODS organisation code"):
        load_settings()


def test_the_quarantine_gate_names_the_files_with_the_most_quarantined_rows(three_trusts):
    three_trusts.write("esr", "esr_RB2.csv", rows("RB2", 10) + [f"RB2,,{i}" for i in range(5)])  # no Ref
    three_trusts.land("esr")
    with duckdb.connect(str(three_trusts.db), read_only=True) as con:
        result = check_row_accounting(con, three_trusts.contracts["esr"])
    assert not result.passed
    assert "most quarantined: esr/esr_RB2.csv 33.33% (5 of 15 rows)" in result.message
