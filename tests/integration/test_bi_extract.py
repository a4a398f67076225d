"""The BI extract of a real refresh, scanned table by table and column by column: no person-level
column or value, no count of 1-7, and a description on everything a BI tool shows."""

import re

import duckdb
import pytest

from orchestration.publish.bi_extract import PROVENANCE_TABLE, bi_file_path, parquet_dir

# Written independently of the extract's own denylist, so a gap in one is caught by the other.
PERSON_LEVEL_NAMES = {"staff_key", "staff_version_key", "employee_number", "assignment_number", "applicant_key",
                      "application_key", "case_key", "incident_key", "respondent_key", "email", "name", "first_name",
                      "last_name", "surname", "date_of_birth", "nhs_number", "ni_number", "postcode"}
COUNT_COLUMN = re.compile(r"numerator|denominator|reference_numerator|reference_denominator|headcount|.+_count")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")  # names are spliced into the scan's SQL only after this check
BI_DIMENSIONS = {"bi_dim_organisation", "bi_dim_date", "bi_dim_ethnicity", "bi_dim_disability",
                 "bi_dim_pay_grade", "bi_measure_catalogue"}


@pytest.fixture(scope="module")
def bi(demo_refresh):
    """The extract, with the full published warehouse attached read-only as `full_wh`."""
    con = duckdb.connect(str(bi_file_path(demo_refresh.warehouse)), read_only=True)
    con.execute("attach ? as full_wh (read_only)", [str(demo_refresh.db_path)])
    yield con
    con.close()


def bi_tables(con) -> dict[str, str | None]:
    return dict(con.execute(
        "select table_name, comment from duckdb_tables() where database_name = 'edi_bi'").fetchall())


def bi_columns(con) -> list[tuple[str, str, str, str | None]]:
    """(table, column, data type, comment) of every column, names checked before use in SQL."""
    rows = con.execute("select table_name, column_name, data_type, comment from duckdb_columns() "
                       "where database_name = 'edi_bi' order by table_name, column_index").fetchall()
    assert all(IDENTIFIER.fullmatch(t) and IDENTIFIER.fullmatch(c) for t, c, _, _ in rows)
    return rows


def test_the_refresh_built_the_extract_with_a_parquet_file_per_table(demo_refresh, bi):
    assert demo_refresh.result.success
    tables = set(bi_tables(bi))
    assert BI_DIMENSIONS <= tables
    assert {p.name for p in parquet_dir(demo_refresh.warehouse).glob("*.parquet")} == {f"{t}.parquet" for t in tables}


def test_the_extract_holds_exactly_the_published_bi_schema_and_its_provenance(bi):
    published = {t for (t,) in bi.execute(
        "select table_name from duckdb_tables() where database_name = 'full_wh' and schema_name = 'bi'").fetchall()}
    assert set(bi_tables(bi)) == published | {PROVENANCE_TABLE}
    for table in published:
        assert IDENTIFIER.fullmatch(table)
        extract_rows = bi.execute(f'select count(*) from main."{table}"').fetchone()[0]
        assert extract_rows == bi.execute(f'select count(*) from full_wh.bi."{table}"').fetchone()[0], table


def test_no_column_is_named_like_person_level_data(bi):
    assert not [f"{t}.{c}" for t, c, _, _ in bi_columns(bi) if c in PERSON_LEVEL_NAMES]


def test_no_value_anywhere_is_a_staff_key_or_looks_like_a_pseudonymised_key(bi):
    keys = bi.execute("create temp table staff_keys as "
                      "select staff_key as k from full_wh.marts.dim_staff where not is_unknown_member "
                      "union select staff_version_key from full_wh.marts.dim_staff where not is_unknown_member; "
                      "select count(*) from staff_keys").fetchone()[0]
    assert keys > 0  # the scan compares against real keys
    found = []
    for table, column, _, _ in bi_columns(bi):
        value = f'cast("{column}" as varchar)'
        hits = bi.execute(
            f'select count(*) from main."{table}" where {value} in (select k from staff_keys) '
            f"or regexp_full_match({value}, ?)", ["[0-9a-f]{32,}"]).fetchone()[0]
        if hits:
            found.append(f"{table}.{column} ({hits} rows)")
    assert not found


def test_no_count_cell_is_between_1_and_7(bi):
    found = []
    for table, column, data_type, _ in bi_columns(bi):
        if COUNT_COLUMN.fullmatch(column) and data_type != "BOOLEAN":  # flag_small_count is a flag
            cells = bi.execute(f'select count(*) from main."{table}" where cast("{column}" as double) between ? and ?',
                               [1, 7]).fetchone()[0]
            if cells:
                found.append(f"{table}.{column} ({cells} cells)")
    assert not found


def test_every_table_and_column_is_described(bi):
    assert not [t for t, comment in bi_tables(bi).items() if not (comment or "").strip()]
    assert not [f"{t}.{c}" for t, c, _, comment in bi_columns(bi) if not (comment or "").strip()]


def test_the_extract_is_shareable_and_the_full_warehouse_owner_only(demo_refresh):
    assert bi_file_path(demo_refresh.warehouse).stat().st_mode & 0o777 == 0o644
    assert {p.stat().st_mode & 0o777 for p in parquet_dir(demo_refresh.warehouse).glob("*.parquet")} == {0o644}
    assert demo_refresh.db_path.stat().st_mode & 0o777 == 0o600


def test_the_provenance_table_names_the_published_run_and_its_landed_files(bi):
    run_id, code_version = bi.execute(
        "select run_id, code_version from full_wh.audit.refresh_run "
        "where status = 'published' order by finished_at desc limit 1").fetchone()
    rows = bi.execute(f"select distinct run_id, content_version, code_version from {PROVENANCE_TABLE}").fetchall()
    assert len(rows) == 1 and rows[0][0] == run_id and code_version.startswith(rows[0][2])
    assert len(rows[0][1]) == 16
    files = dict(bi.execute(f"select source, files_landed from {PROVENANCE_TABLE}").fetchall())
    assert files == dict(bi.execute(
        "select source, count(*) from full_wh.audit.landed_file group by source").fetchall())
