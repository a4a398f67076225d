"""Landing over many nights: kept, changed, withdrawn and re-sent deliveries, supersession by the later
delivery, and the change scope that tells dbt what to rebuild."""

import os
import shutil
from datetime import date, datetime

import duckdb
import pytest

from orchestration.quality.deliveries import Delivery, LandedFile, plan_deliveries
from orchestration.quality.landing import land_source
from orchestration.quality.row_accounting import check_row_accounting
from tests.unit.contract_factory import column, make_contract

KEY = b"unit-test-key"
HEADER = "Org,Ref,Start,End,Grade\n"


def versions_contract():
    """A small ESR-like source: versions of a record, placed in time by Start and closed by End."""
    contract = make_contract([
        column("org", "Org", required=True),
        column("ref", "Ref", required=True, primaryKey=True, primaryKeyPosition=1),
        column("start_date", "Start", required=True, physicalType="DATE", format="%Y-%m-%d",
               primaryKey=True, primaryKeyPosition=2),
        column("end_date", "End", physicalType="DATE", format="%Y-%m-%d"),
        column("grade", "Grade"),
    ])
    return contract.__class__(**{**contract.__dict__, "organisation_column": "org",
                                 "period_column": "start_date", "period_end_columns": ("end_date",)})


class Landing:
    """One landing folder and one warehouse file, landed run after run."""

    def __init__(self, tmp_path):
        self.root, self.db = tmp_path, tmp_path / "w.duckdb"
        (tmp_path / "demo").mkdir()
        self.runs = 0

    def write(self, name, rows):
        path = self.root / "demo" / name
        path.write_text(HEADER + "".join(f"{r}\n" for r in rows))
        return path

    def land(self, contract=None, full_refresh=False):
        self.runs += 1
        files = sorted((self.root / "demo").glob("*.csv"))
        with duckdb.connect(str(self.db)) as con:
            load = land_source(con, contract or versions_contract(), files, key=KEY, run_id=f"run-{self.runs}",
                               loaded_at=datetime(2026, 1, self.runs), label_root=self.root,
                               full_refresh=full_refresh)
        return load

    def query(self, sql, params=None):
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def current(self):
        return self.query("select org, ref, start_date, end_date, grade, _source_file from raw.demo order by 1, 2, 3")

    def scope(self):
        return dict(self.query("select organisation_code, affected_from from audit.change_scope "
                               "where run_id = ? order by 1", [f"run-{self.runs}"]))


BASE = ["RA1,A1,2021-04-01,,5", "RA1,A2,2022-06-01,,6", "RB2,B1,2021-04-01,,7"]


def test_first_landing_scopes_every_organisation_from_its_earliest_row(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    load = landing.land()
    assert [f.rows_landed for f in load.files] == [3]
    assert landing.scope() == {"RA1": date(2021, 4, 1), "RB2": date(2021, 4, 1)}


def test_a_first_landing_with_a_trust_sent_twice_keeps_its_later_rows(tmp_path):
    """Nothing held yet: a key of one trust in two of the run's files is contested (the later file
    wins), the same key of another trust is not."""
    landing = Landing(tmp_path)
    landing.write("a_1.csv", ["RA1,A1,2021-04-01,,5", "RA1,A2,2022-06-01,,6"])
    landing.write("a_2.csv", ["RA1,A1,2021-04-01,2023-03-31,5"])
    landing.write("b.csv", ["RB2,A1,2021-04-01,,7"])
    landing.land()
    assert landing.current() == [
        ("RA1", "A1", date(2021, 4, 1), date(2023, 3, 31), "5", "demo/a_2.csv"),
        ("RA1", "A2", date(2022, 6, 1), None, "6", "demo/a_1.csv"),
        ("RB2", "A1", date(2021, 4, 1), None, "7", "demo/b.csv")]
    assert landing.query("select org, ref, _source_file, _superseded_by from raw.demo__superseded") == [
        ("RA1", "A1", "demo/a_1.csv", "demo/a_2.csv")]
    assert landing.scope() == {"RA1": date(2021, 4, 1), "RB2": date(2021, 4, 1)}


def test_unchanged_deliveries_are_not_read_again(tmp_path):
    landing = Landing(tmp_path)
    path = landing.write("demo_base.csv", BASE)
    landing.land()
    path.chmod(0)  # a second read would fail; stat still works
    try:
        load = landing.land()
    finally:
        path.chmod(0o644)
    assert (load.files, load.kept, landing.scope()) == ([], ["demo/demo_base.csv"], {})
    assert len(landing.current()) == 3


def test_touched_but_identical_file_is_hashed_not_landed(tmp_path):
    landing = Landing(tmp_path)
    path = landing.write("demo_base.csv", BASE)
    landing.land()
    os.utime(path, (1, 1))
    load = landing.land()
    assert load.files == [] and landing.scope() == {}
    assert landing.query("select mtime_ns from audit.landed_file")[0][0] == path.stat().st_mtime_ns


def test_monthly_delivery_closes_a_version_and_scopes_from_the_close(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    landing.land()
    # March: A1's version closes on 10 March and a new one starts the next day; nothing at RB2.
    landing.write("demo_base_2025-03.csv", ["RA1,A1,2021-04-01,2025-03-10,5", "RA1,A1,2025-03-11,,6"])
    landing.land()
    assert landing.scope() == {"RA1": date(2025, 3, 10)}
    assert landing.current()[:3] == [
        ("RA1", "A1", date(2021, 4, 1), date(2025, 3, 10), "5", "demo/demo_base_2025-03.csv"),
        ("RA1", "A1", date(2025, 3, 11), None, "6", "demo/demo_base_2025-03.csv"),
        ("RA1", "A2", date(2022, 6, 1), None, "6", "demo/demo_base.csv")]
    assert landing.query("select ref, _superseded_by from raw.demo__superseded") == [
        ("A1", "demo/demo_base_2025-03.csv")]
    with duckdb.connect(str(landing.db), read_only=True) as con:
        assert check_row_accounting(con, versions_contract()).passed


def test_corrected_history_wins_and_scopes_from_the_corrected_row(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    landing.land()
    landing.write("demo_base_corrected.csv", ["RA1,A2,2022-06-01,,7"])  # A2 was band 7 all along
    landing.land()
    assert landing.scope() == {"RA1": date(2022, 6, 1)}
    assert ("RA1", "A2", date(2022, 6, 1), None, "7", "demo/demo_base_corrected.csv") in landing.current()


def test_a_changed_file_replaces_its_rows(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    landing.land()
    landing.write("demo_base.csv", BASE[:1] + ["RA1,A2,2022-06-01,,6"])  # RB2's row removed at source
    load = landing.land()
    assert [f.rows_landed for f in load.files] == [2] and load.withdrawn == ["demo/demo_base.csv"]
    assert [r[1] for r in landing.current()] == ["A1", "A2"]
    assert landing.scope() == {"RB2": date(2021, 4, 1)}


def test_a_trust_that_leaves_takes_its_rows_and_brings_back_what_it_superseded(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    later = landing.write("demo_later.csv", ["RB2,B1,2021-04-01,,8", "RB2,B2,2023-01-01,,5"])
    landing.land()
    assert ("RB2", "B1", date(2021, 4, 1), None, "8", "demo/demo_later.csv") in landing.current()
    later.unlink()
    load = landing.land()
    assert load.withdrawn == ["demo/demo_later.csv"]
    assert [r[4] for r in landing.current() if r[0] == "RB2"] == ["7"]  # the base row is current again
    assert landing.query("select count(*) from raw.demo__superseded") == [(0,)]
    assert landing.scope() == {"RB2": date(2021, 4, 1)}


def test_a_resent_identical_file_is_a_duplicate_and_counts_nothing(tmp_path):
    landing = Landing(tmp_path)
    path = landing.write("demo_base.csv", BASE)
    landing.land()
    shutil.copyfile(path, tmp_path / "demo" / "demo_base_resent.csv")
    load = landing.land()
    assert load.duplicates == {"demo/demo_base_resent.csv": "demo/demo_base.csv"} and load.files == []
    assert len(landing.current()) == 3 and landing.scope() == {}


def test_full_refresh_reads_everything_again(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    landing.land()
    load = landing.land(full_refresh=True)
    assert load.reset and [f.rows_landed for f in load.files] == [3]
    assert len(landing.current()) == 3


def test_a_new_contract_shape_reloads_the_source(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    landing.land()
    contract = versions_contract()
    wider = contract.__class__(**{**contract.__dict__, "columns": contract.columns[:4] + (
        contract.columns[4].__class__(**{**contract.columns[4].__dict__, "landing_type": "INTEGER"}),)})
    load = landing.land(wider)
    assert load.reset and landing.query("select data_type from duckdb_columns() where table_name = 'demo' "
                                        "and column_name = 'grade'") == [("INTEGER",)]


@pytest.mark.parametrize("landed, present, expected", [
    ({}, {"a": "1"}, (["a"], [], [])),
    ({"a": "1"}, {"a": "1"}, ([], ["a"], [])),
    ({"a": "1"}, {"a": "2"}, (["a"], [], ["a"])),
    ({"a": "1"}, {}, ([], [], ["a"])),
    ({"a": "1"}, {"a": "1", "b": "1"}, ([], ["a"], [])),  # b duplicates a
    ({"b": "1"}, {"a": "1", "b": "1"}, (["a"], [], ["b"])),  # the first name now represents the content
])
def test_delivery_plan(landed, present, expected):
    held = {label: LandedFile(label, sha, 1, 1, 1, 1, 0) for label, sha in landed.items()}
    deliveries = [Delivery(None, label, sha, 1, 1) for label, sha in sorted(present.items())]
    plan = plan_deliveries("demo", deliveries, held)
    assert ([d.label for d in plan.land], [k.label for k in plan.keep], [w.label for w in plan.withdraw]) == expected


def leaver_contract():
    """Versions whose end columns are the end date, the termination date and the leaving reason."""
    contract = make_contract([
        column("org", "Org", required=True),
        column("ref", "Ref", required=True, primaryKey=True, primaryKeyPosition=1),
        column("start_date", "Start", required=True, physicalType="DATE", format="%Y-%m-%d",
               primaryKey=True, primaryKeyPosition=2),
        column("end_date", "End", physicalType="DATE", format="%Y-%m-%d"),
        column("grade", "Grade"),
        column("left_on", "Left", physicalType="DATE", format="%Y-%m-%d"),
        column("reason", "Reason"),
    ])
    return contract.__class__(**{**contract.__dict__, "organisation_column": "org", "period_column": "start_date",
                                 "period_end_columns": ("end_date", "left_on", "reason")})


@pytest.mark.parametrize("update, affected", [
    ("RA1,A1,2021-04-01,2025-03-10,5,2025-03-12,Retired", date(2025, 3, 10)),  # a leaver: the earliest end
    ("RA1,A1,2021-04-01,,5,,Retired", date(2021, 4, 1)),  # only a text end column: from the start
    ("RA1,A1,2021-04-01,,6,,", date(2021, 4, 1)),  # anything else: from the start
])
def test_a_change_to_end_columns_only_scopes_from_the_earliest_end_date(tmp_path, update, affected):
    landing = Landing(tmp_path)
    header = "Org,Ref,Start,End,Grade,Left,Reason\n"
    (tmp_path / "demo" / "demo_base.csv").write_text(header + "RA1,A1,2021-04-01,,5,,\n")
    landing.land(leaver_contract())
    (tmp_path / "demo" / "demo_base_2025-03.csv").write_text(header + update + "\n")
    landing.land(leaver_contract())
    assert landing.scope() == {"RA1": affected}


def test_a_changed_contract_lands_every_delivery_again(tmp_path):
    landing = Landing(tmp_path)
    landing.write("demo_base.csv", BASE)
    contract_file = tmp_path / "demo.odcs.yaml"
    contract_file.write_text("version 1")
    contract = versions_contract().__class__(**{**versions_contract().__dict__, "file_path": contract_file})
    assert not landing.land(contract).reset
    assert landing.land(contract).files == []  # unchanged: nothing read
    contract_file.write_text("version 2: a new plausibility bound")  # its rules decide what lands
    load = landing.land(contract)
    assert load.reset and [f.rows_landed for f in load.files] == [3]


def coded_contract():
    """Versions with a coded column (a code list, compared as codes are: case and spaces carry no
    meaning) and a free-text one (spaces carry none, case does)."""
    contract = make_contract([
        column("org", "Org", required=True),
        column("ref", "Ref", required=True, primaryKey=True, primaryKeyPosition=1),
        column("start_date", "Start", required=True, physicalType="DATE", format="%Y-%m-%d",
               primaryKey=True, primaryKeyPosition=2),
        column("end_date", "End", physicalType="DATE", format="%Y-%m-%d"),
        column("sex", "Sex", valid_values=["Female", "Male"]),
        column("note", "Note"),
    ])
    return contract.__class__(**{**contract.__dict__, "organisation_column": "org", "period_column": "start_date",
                                 "period_end_columns": ("end_date",)})


@pytest.mark.parametrize("update, affected", [
    # re-sent with a code in another case and spaces round the text, and closed: from the close
    # (it was dated from the start, 2008: the national increment rebuilt nearly all history)
    ("RA1,A1,2008-05-01,2025-02-10,female , Ward 7 ", {"RA1": date(2025, 2, 10)}),
    ("RA1,A1,2008-05-01,,FEMALE,Ward 7", {}),  # the same row as figures see it: nothing changed
    ("RA1,A1,2008-05-01,2025-02-10,Male,Ward 7", {"RA1": date(2008, 5, 1)}),  # a real correction
    ("RA1,A1,2008-05-01,,Female,ward 7", {"RA1": date(2008, 5, 1)}),  # free text: case is content
])
def test_a_restated_row_is_compared_as_figures_see_it(tmp_path, update, affected):
    landing = Landing(tmp_path)
    header = "Org,Ref,Start,End,Sex,Note\n"
    (tmp_path / "demo" / "demo_base.csv").write_text(header + "RA1,A1,2008-05-01,,Female,Ward 7\n")
    landing.land(coded_contract())
    (tmp_path / "demo" / "demo_base_2025-02.csv").write_text(header + update + "\n")
    landing.land(coded_contract())
    assert landing.scope() == affected


def test_a_leaver_restating_a_version_closed_long_ago_scopes_from_the_leaving_date(tmp_path):
    # A person who leaves is sent again with every version of their history carrying the leaving date
    # and reason: a version that ended in 2023 still ends then, so nothing before the leaving date moves
    # (it was dated from the 2023 end: the national increment rebuilt from 2021 in almost every trust).
    landing = Landing(tmp_path)
    header = "Org,Ref,Start,End,Grade,Left,Reason\n"
    (tmp_path / "demo" / "demo_base.csv").write_text(header + "RA1,A1,2019-04-01,2023-05-31,5,,\n"
                                                     "RA1,A1,2023-06-01,,6,,\n")
    landing.land(leaver_contract())
    (tmp_path / "demo" / "demo_base_2025-02.csv").write_text(
        header + "RA1,A1,2019-04-01,2023-05-31,5,2025-02-09,Retired\n"
        "RA1,A1,2023-06-01,2025-02-09,6,2025-02-09,Retired\n")
    landing.land(leaver_contract())
    assert landing.scope() == {"RA1": date(2025, 2, 9)}
