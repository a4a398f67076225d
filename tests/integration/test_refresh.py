"""A real end-to-end refresh: every source lands, passes its gates and is staged by dbt; bad files
block everything downstream and are reported with their file and column."""

import csv
import hashlib

import duckdb
from dagster import AssetKey, DagsterEventType

from orchestration.publish.files import candidate_path
from orchestration.quality.contracts import load_contracts
from orchestration.run_summary import root_message
from tests.integration.conftest import run_refresh

CONTRACTS = load_contracts()


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.all_events
            if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}


def check_outcomes(result) -> dict[tuple[str, str], bool]:
    return {(e.event_specific_data.asset_key.to_user_string(), e.event_specific_data.check_name):
            e.event_specific_data.passed
            for e in result.all_events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION}


def step_errors(result) -> str:
    return "\n".join(root_message(e.event_specific_data.error) for e in result.all_events
                      if e.event_type == DagsterEventType.STEP_FAILURE)


def test_refresh_succeeds_and_every_check_passes(demo_refresh):
    result = demo_refresh.result
    assert result.success, step_errors(result)
    outcomes = check_outcomes(result)
    failed = [k for k, passed in outcomes.items() if not passed]
    assert not failed
    for name in CONTRACTS:
        assert outcomes[(f"raw/{name}", "contract_expectations")]
        assert outcomes[(f"raw/{name}", "row_accounting")]
    assert any(asset.startswith("staging/") for asset, _ in outcomes), "dbt tests ran as asset checks"


def test_every_source_landed_and_was_staged_one_to_one(demo_refresh):
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as con:
        staged = dict(con.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'raw'").fetchall())
        views = {r[0] for r in con.execute(
            "select view_name from duckdb_views() where schema_name = 'staging'").fetchall()}
        for name in CONTRACTS:
            landed = con.execute(f"select count(*) from raw.{name}").fetchone()[0]
            assert landed > 0, name
            assert name in staged and f"{name}__quarantine" in staged
        assert len(views) >= len(CONTRACTS)


def test_rows_read_equal_landed_plus_quarantined_for_every_file(demo_refresh):
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as con:
        rows = con.execute(
            "select source, file_path, rows_read, rows_landed, rows_quarantined from audit.source_load").fetchall()
        assert {r[0] for r in rows} == set(CONTRACTS)
        for source, path, read, landed, held in rows:
            assert read == landed + held, path
            in_tables = con.execute(
                f"select (select count(*) from raw.{source} where _source_file = $p)"
                f" + (select count(*) from raw.{source}__quarantine where _source_file = $p)",
                {"p": path}).fetchone()[0]
            assert in_tables == read, path


def test_planted_mess_is_quarantined_with_reasons(demo_refresh):
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as con:
        rules = dict(con.execute(
            "select _rule, count(*) from raw.esr_assignment__quarantine group by 1").fetchall())
        assert rules.get("exact_duplicate", 0) > 0
        assert any(r.startswith(("valid_values:", "not_before:", "type:", "minimum:")) for r in rules)
        assert con.execute("select count(*) from raw.esr_assignment__quarantine where _reason is null"
                           ).fetchone()[0] == 0


def test_no_clear_employee_number_reaches_the_warehouse(demo_refresh):
    esr_file = next((demo_refresh.landing / "esr_assignment").glob("*.csv"))
    employee_header = CONTRACTS["esr_assignment"].column("employee_number").source_name
    with open(esr_file, newline="") as handle:
        numbers = {row[employee_header].strip() for _, row in zip(range(50), csv.DictReader(handle))}
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as con:
        for table in ("raw.esr_assignment", "raw.esr_assignment__quarantine", "staging.stg_esr__assignments"):
            text = " ".join(str(v) for row in con.execute(f"select * from {table}").fetchall() for v in row)
            assert not any(n and n in text for n in numbers), table


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_successful_refresh_publishes_and_leaves_no_candidate(demo_refresh):
    assert "published/warehouse" in materialized(demo_refresh.result)
    assert demo_refresh.db_path.exists()
    assert not candidate_path(demo_refresh.warehouse, demo_refresh.result.run_id).exists()


def _drop_column(path, header):
    rows = list(csv.reader(open(path, newline="")))
    index = rows[0].index(header)
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([r[:index] + r[index + 1:] for r in rows])


def test_missing_column_fails_the_source_names_file_and_column_and_blocks_dbt(copied_refresh):
    er_file = next((copied_refresh.landing / "er_case").glob("*.csv"))
    header = CONTRACTS["er_case"].columns[3].source_name
    _drop_column(er_file, header)
    result = run_refresh(copied_refresh.landing, copied_refresh.warehouse,
                         asset_selection=[AssetKey(["raw", "er_case"]), AssetKey(["staging", "stg_er__cases"])])
    assert not result.success
    errors = step_errors(result)
    assert str(er_file) in errors and repr(header) in errors and "missing column" in errors
    assert "staging/stg_er__cases" not in materialized(result)
    assert "published/warehouse" not in materialized(result)


def test_bad_codes_above_the_quarantine_limit_block_downstream(copied_refresh):
    contract = CONTRACTS["esr_assignment"]
    coded = next(c for c in contract.columns if c.valid_values and c.required)
    esr_file = next((copied_refresh.landing / "esr_assignment").glob("*.csv"))
    rows = list(csv.DictReader(open(esr_file, newline="")))
    for row in rows[::5]:  # 20 % of rows get a code the contract does not know
        row[coded.source_name] = "NOT-A-CODE"
    with open(esr_file, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    published_before = file_digest(copied_refresh.db_path)
    result = run_refresh(copied_refresh.landing, copied_refresh.warehouse)
    outcomes = check_outcomes(result)
    assert outcomes[("raw/esr_assignment", "row_accounting")] is False
    assert "staging/stg_esr__assignments" not in materialized(result)
    assert "published/warehouse" not in materialized(result)
    assert file_digest(copied_refresh.db_path) == published_before, "a failed run changed the published file"
    with duckdb.connect(str(candidate_path(copied_refresh.warehouse, result.run_id)), read_only=True) as con:
        reasons = con.execute(
            "select count(*) from raw.esr_assignment__quarantine where _rule = $r",
            {"r": f"valid_values:{coded.name}"}).fetchone()[0]
    assert reasons >= len(rows[::5]) - 1


def test_published_warehouse_carries_the_audit_of_its_run(demo_refresh):
    run_id = demo_refresh.result.run_id
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as con:
        status, code, packages, parameters = con.execute(
            "select status, code_version, package_versions, parameters from audit.refresh_run "
            "where run_id = $r", {"r": run_id}).fetchone()
        checks = con.execute("select count(*), count(*) filter (where passed) from audit.check_result "
                             "where run_id = $r", {"r": run_id}).fetchone()
        lineage = dict(con.execute(
            "select parent, count(*) from audit.lineage where node like '%stg_esr__assignments' group by 1"
        ).fetchall())
    assert status == "published" and (len(code) == 40 or code == "unknown")
    assert '"duckdb": "2.0.0"' in packages and "DEMO-KEY" not in parameters
    assert checks[0] == checks[1] and checks[0] >= 2 * len(CONTRACTS)
    assert lineage == {"source.nhs_edi.raw.esr_assignment": 1}
