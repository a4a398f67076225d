"""Contract SLAs: how often a source should arrive, whether lateness blocks, and the sources that are late."""

import os
from datetime import datetime, timedelta, timezone

import duckdb
import pytest
from dagster import AssetCheckSeverity
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.publish.assets import blocking_failures
from orchestration.publish.audit import write_audit
from orchestration.quality.contracts import ContractError, load_contracts
from orchestration.quality.deliveries import Delivery, ensure_landed_file_table, record_landed
from orchestration.quality.freshness import freshness_result, late_sources
from orchestration.quality.landing import land_source
from orchestration.quality.source_assets import freshness_check
from tests.unit.contract_factory import column, make_contract

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)
DAILY_WITH_A_DAY_OF_GRACE = [{"property": "frequency", "value": 1, "unit": "d"},
                             {"property": "latency", "value": 1, "unit": "d"}]


def source(name="demo", sla=None, **custom):
    contract = make_contract([column("org", "Org", required=True),
                              column("ref", "Ref", required=True, primaryKey=True)],
                             name=name, path=f"{name}/*.csv", sla=DAILY_WITH_A_DAY_OF_GRACE if sla is None else sla,
                             custom=custom)
    return contract.__class__(**{**contract.__dict__, "organisation_column": "org"})


def test_sla_properties_are_read_with_defaults():
    plain = make_contract([column("a")]).sla
    assert (plain.every, plain.grace, plain.blocking) == (timedelta(days=1), timedelta(0), False)
    strict = source(sla=[{"property": "frequency", "value": 1, "unit": "m"},
                         {"property": "latency", "value": 3, "unit": "days"}],
                    staleness="blocking", maxVolumeDrop=0.5)
    assert (strict.sla.every, strict.sla.grace, strict.sla.blocking) == (timedelta(days=31), timedelta(days=3), True)
    assert strict.max_volume_drop == 0.5 and make_contract([column("a")]).max_volume_drop == 0.2
    assert make_contract([column("a")], sla=[{"property": "frequency", "value": "once"}]).sla.every is None


@pytest.mark.parametrize("sla, custom, message", [
    ([], {}, "slaProperties: frequency is missing"),
    ([{"property": "frequency", "value": 1, "unit": "fortnight"}], {}, "frequency unit 'fortnight' is not one of"),
    ([{"property": "frequency", "value": 0, "unit": "d"}], {}, "frequency value 0 must be a whole number above 0"),
    ([{"property": "frequency", "value": "daily", "unit": "d"}], {}, "frequency value 'daily'"),
    ([{"property": "frequency", "value": 1, "unit": "d"}, {"property": "latency", "value": -1, "unit": "d"}],
     {}, "latency value -1 must be a whole number of at least 0"),
    ([{"property": "frequency", "value": 1, "unit": "d"}, {"property": "frequency", "value": 2, "unit": "d"}],
     {}, "frequency is given 2 times"),
    ([{"value": 1, "unit": "d"}], {}, "each SLA property needs a `property` name"),
    (DAILY_WITH_A_DAY_OF_GRACE, {"staleness": "sometimes"}, "staleness 'sometimes' must be 'warning' or 'blocking'"),
    (DAILY_WITH_A_DAY_OF_GRACE, {"maxVolumeDrop": 1.5}, "maxVolumeDrop 1.5 must be a share above 0 and at most 1"),
])
def test_sla_mistakes_are_named(sla, custom, message):
    with pytest.raises(ContractError, match=message):
        source(sla=sla, **custom)


def test_every_trust_extract_states_how_often_it_arrives():
    for contract in load_contracts().values():
        if contract.location == "landing":
            assert contract.sla.every is not None and contract.sla.grace > timedelta(0), contract.name


def land_deliveries(tmp_path, contract, delivered: dict[str, datetime]):
    """One file per trust, each with its modification time set to when it was delivered."""
    folder = tmp_path / contract.name
    folder.mkdir(exist_ok=True)
    for org, when in delivered.items():
        path = folder / f"{contract.name}_{org}.csv"
        path.write_text(f"Org,Ref\n{org},{org}-1\n")
        os.utime(path, (when.timestamp(), when.timestamp()))
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        land_source(con, contract, sorted(folder.glob("*.csv")), key=b"k", run_id="run-1",
                    loaded_at=NOW.replace(tzinfo=None),
                    label_root=tmp_path)
    return db


def test_late_sources_names_each_late_trust_with_its_newest_file(tmp_path):
    contract = source()
    db = land_deliveries(tmp_path, contract, {"RA1": NOW - timedelta(days=3), "RB2": NOW - timedelta(hours=30)})
    late = late_sources(db, now=NOW, contracts={"demo": contract})
    assert [(s.source, s.organisation, s.newest_file, s.blocking) for s in late] == [
        ("demo", "RA1", "demo/demo_RA1.csv", False)]
    assert late[0].delivered_at == NOW - timedelta(days=3) and late[0].due_by == NOW - timedelta(days=1)


def test_a_stale_source_is_a_warning_unless_its_contract_says_blocking(tmp_path):
    db = land_deliveries(tmp_path, source(), {"RA1": NOW - timedelta(days=3)})
    with duckdb.connect(str(db), read_only=True) as con:
        warning = freshness_result(con, source(), NOW)
        blocking = freshness_result(con, source(staleness="blocking"), NOW)
        fresh = freshness_result(con, source(), NOW - timedelta(days=2))
    assert (warning.passed, warning.severity) == (False, AssetCheckSeverity.WARN)
    assert (blocking.passed, blocking.severity) == (False, AssetCheckSeverity.ERROR)
    assert "RA1" in warning.description and "demo/demo_RA1.csv" in warning.description
    assert fresh.passed
    assert [spec.blocking for spec in freshness_check(source(staleness="blocking")).check_specs] == [True]
    assert [spec.blocking for spec in freshness_check(source()).check_specs] == [False]


def test_a_failed_warning_does_not_stop_the_publish_but_a_failed_error_does():
    planned = {("raw/demo", "freshness"), ("raw/demo", "row_accounting")}
    passed = {"target": "raw/demo", "check_name": "row_accounting", "passed": True, "severity": "ERROR"}
    stale = {"target": "raw/demo", "check_name": "freshness", "passed": False}
    assert blocking_failures(planned, [passed, {**stale, "severity": "WARN"}]) == []
    assert blocking_failures(planned, [passed, {**stale, "severity": "ERROR"}]) == ["raw/demo:freshness"]
    assert blocking_failures(planned, [passed]) == ["raw/demo:freshness"]  # planned but never ran


def test_status_lists_late_sources_with_the_newest_file_per_trust(tmp_path, monkeypatch):
    esr = load_contracts()["esr_assignment"]
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    (landing / "esr_assignment").mkdir(parents=True)
    warehouse.mkdir()
    header = ",".join(c.source_name for c in esr.columns)
    path = landing / "esr_assignment" / "esr_assignment_RBL.csv"
    path.write_text(header + "\n")
    old = datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)
    os.utime(path, (old.timestamp(), old.timestamp()))
    with duckdb.connect(str(warehouse / "edi.duckdb")) as con:
        write_audit(con, "run-1", old.replace(tzinfo=None), {}, [  # what publishing writes
            {"target": "raw/esr_assignment", "check_name": "freshness", "passed": True, "severity": "WARN",
             "observed": {}}])
        ensure_landed_file_table(con)
        delivery = Delivery(path, "esr_assignment/esr_assignment_RBL.csv", "0" * 64, 10, path.stat().st_mtime_ns)
        record_landed(con, "esr_assignment", [(delivery, 5, 5, 0)], [], "run-1", old.replace(tzinfo=None),
                      {delivery.label: "RBL"})
    monkeypatch.setenv("EDI_WAREHOUSE_DIR", str(warehouse))
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "Late sources" in result.output
    line = next(line for line in result.output.splitlines() if "esr_assignment_RBL.csv" in line)
    assert "esr_assignment" in line and "RBL" in line and "2026-11-20 01:30" in line and "warning" in line
