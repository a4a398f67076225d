"""The BI extract, on a small hand-made warehouse: what it copies, what it refuses, what a failure leaves."""

import os

import duckdb
import pyarrow.parquet as pq
import pytest
from dagster import Failure

from orchestration.publish import bi_extract
from orchestration.publish.assets import publish_with_bi_extract
from orchestration.publish.bi_extract import (
    PERSON_LEVEL_COLUMN,
    BiExtractRefused,
    bi_file_path,
    build_bi_extract,
    parquet_dir,
)
from orchestration.publish.files import ensure_candidate, published_path
from orchestration.resources import Warehouse


def make_warehouse(path, measure_rows=((10, 40),), extra_column=None):
    """A warehouse with a bi schema of two described tables, and a person-level table outside it."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists bi; create schema if not exists marts")
        con.execute("create or replace table marts.dim_staff as select 'abc123' as staff_key")
        con.execute("create or replace table bi.bi_measure (measure_id varchar, numerator bigint, denominator bigint)")
        con.executemany("insert into bi.bi_measure values ('m', ?, ?)", list(measure_rows))
        con.execute("comment on table bi.bi_measure is 'One row per measure. It''s aggregated.'")
        con.execute("comment on column bi.bi_measure.measure_id is 'The measure'")
        con.execute("comment on column bi.bi_measure.numerator is 'Events'")
        con.execute("comment on column bi.bi_measure.denominator is 'Base'")
        con.execute("create or replace table bi.bi_dim (code varchar, sort_order int)")
        con.execute("insert into bi.bi_dim values ('a', 3), ('b', 4), ('c', 5)")
        con.execute("comment on table bi.bi_dim is 'A lookup'")
        con.execute("comment on column bi.bi_dim.code is 'Code'")
        con.execute("comment on column bi.bi_dim.sort_order is 'Display order'")
        if extra_column:
            con.execute(f"alter table bi.bi_dim add column {extra_column} bigint default 100")
    return path


def comments(path):
    with duckdb.connect(str(path), read_only=True) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
        columns = {f"{t}.{c}": m for t, c, m in con.execute(
            "select table_name, column_name, comment from duckdb_columns() where database_name = 'edi_bi'").fetchall()}
    return tables, columns


def extract_state(warehouse_dir):
    """What a BI reader can see: the BI file's bytes and the Parquet set the link points at."""
    return bi_file_path(warehouse_dir).read_bytes(), parquet_dir(warehouse_dir).resolve()


def test_tables_and_their_descriptions_are_copied(tmp_path):
    source = make_warehouse(tmp_path / "source.duckdb")
    staged = build_bi_extract(source, tmp_path / "wh")
    assert staged.tables == ("bi_dim", "bi_measure")
    tables, columns = comments(bi_file_path(tmp_path / "wh"))
    assert tables == {"bi_dim": "A lookup", "bi_measure": "One row per measure. It's aggregated."}
    assert columns == {"bi_dim.code": "Code", "bi_dim.sort_order": "Display order",
                       "bi_measure.measure_id": "The measure", "bi_measure.numerator": "Events",
                       "bi_measure.denominator": "Base"}


def test_only_the_bi_schema_is_copied(tmp_path):
    build_bi_extract(make_warehouse(tmp_path / "source.duckdb"), tmp_path / "wh")
    with duckdb.connect(str(bi_file_path(tmp_path / "wh")), read_only=True) as con:
        assert con.execute("select schema_name, table_name from duckdb_tables() order by 2").fetchall() == [
            ("main", "bi_dim"), ("main", "bi_measure")]


def test_parquet_files_hold_the_same_rows_as_the_bi_file(tmp_path):
    source = make_warehouse(tmp_path / "source.duckdb", measure_rows=[(10, 40), (0, 40), (None, 8)])
    build_bi_extract(source, tmp_path / "wh")
    folder = parquet_dir(tmp_path / "wh")
    assert sorted(p.name for p in folder.iterdir()) == ["bi_dim.parquet", "bi_measure.parquet"]
    with duckdb.connect(str(bi_file_path(tmp_path / "wh")), read_only=True) as con:
        for table, rows in (("bi_dim", 3), ("bi_measure", 3)):
            parquet_rows = con.execute("select count(*) from read_parquet(?)", [str(folder / f"{table}.parquet")])
            assert parquet_rows.fetchone()[0] == rows
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == rows


def test_parquet_files_carry_the_table_and_column_descriptions(tmp_path):
    build_bi_extract(make_warehouse(tmp_path / "source.duckdb"), tmp_path / "wh")
    schema = pq.read_schema(parquet_dir(tmp_path / "wh") / "bi_measure.parquet")
    assert schema.metadata[b"description"].decode() == "One row per measure. It's aggregated."
    assert {f.name: f.metadata[b"description"].decode() for f in schema} == {
        "measure_id": "The measure", "numerator": "Events", "denominator": "Base"}


def test_parquet_files_are_byte_identical_for_identical_inputs(tmp_path):
    source = make_warehouse(tmp_path / "source.duckdb", measure_rows=[(10, 40), (0, 40), (None, 8)])
    first = build_bi_extract(source, tmp_path / "one").parquet_version
    second = build_bi_extract(source, tmp_path / "two").parquet_version
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir()) == ["bi_dim.parquet", "bi_measure.parquet"]
    assert [(first / f).read_bytes() for f in files] == [(second / f).read_bytes() for f in files]


def test_the_extract_is_world_readable_but_not_writable(tmp_path):
    previous = os.umask(0o077)  # as strict as the full warehouse's files: the modes must be set explicitly
    try:
        build_bi_extract(make_warehouse(tmp_path / "source.duckdb"), tmp_path / "wh")
    finally:
        os.umask(previous)
    assert (tmp_path / "wh" / "bi_versions").stat().st_mode & 0o777 == 0o755
    assert parquet_dir(tmp_path / "wh").resolve().stat().st_mode & 0o777 == 0o755
    assert bi_file_path(tmp_path / "wh").stat().st_mode & 0o777 == 0o644
    assert {p.stat().st_mode & 0o777 for p in parquet_dir(tmp_path / "wh").iterdir()} == {0o644}


@pytest.mark.parametrize("column", ["staff_key", "staff_version_key", "employee_number", "applicant_key",
                                    "email", "name", "date_of_birth", "nhs_number", "line_manager_staff_key"])
def test_a_person_level_column_is_refused_and_the_old_extract_kept(tmp_path, column):
    build_bi_extract(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "wh")
    before = extract_state(tmp_path / "wh")
    with pytest.raises(BiExtractRefused, match=f"bi_dim.{column}"):
        build_bi_extract(make_warehouse(tmp_path / "bad.duckdb", extra_column=column), tmp_path / "wh")
    assert extract_state(tmp_path / "wh") == before


@pytest.mark.parametrize("column", ["trust_name", "staff_group", "organisation_code", "numerator_group"])
def test_organisation_and_group_columns_are_not_person_level(column):
    assert not PERSON_LEVEL_COLUMN.fullmatch(column)


@pytest.mark.parametrize("rows", [[(10, 40), (1, 40)], [(10, 40), (12, 7)], [(7, 20)]])
def test_a_count_of_1_to_7_is_refused_and_the_old_extract_kept(tmp_path, rows):
    build_bi_extract(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "wh")
    before = extract_state(tmp_path / "wh")
    with pytest.raises(BiExtractRefused, match=r"counts of 1-7 in \['bi_measure\.(numerator|denominator) \(1 cells\)'\]"):
        build_bi_extract(make_warehouse(tmp_path / "bad.duckdb", measure_rows=rows), tmp_path / "wh")
    assert extract_state(tmp_path / "wh") == before


@pytest.mark.parametrize("column", ["headcount", "leaver_count", "reference_numerator"])
def test_other_count_columns_are_checked_too(tmp_path, column):
    source = make_warehouse(tmp_path / "source.duckdb", extra_column=column)
    with duckdb.connect(str(source)) as con:
        con.execute(f"update bi.bi_dim set {column} = ? where code = 'a'", [5])
    with pytest.raises(BiExtractRefused, match=f"bi_dim.{column}"):
        build_bi_extract(source, tmp_path / "wh")


def test_zero_and_counts_above_7_pass_and_small_non_count_values_are_not_counts(tmp_path):
    # bi_dim.sort_order holds 3, 4 and 5: not a count column
    build_bi_extract(make_warehouse(tmp_path / "source.duckdb", measure_rows=[(0, 8), (None, 0)]), tmp_path / "wh")
    assert bi_file_path(tmp_path / "wh").exists()


def test_a_boolean_flag_named_like_a_count_is_not_a_count(tmp_path):
    source = make_warehouse(tmp_path / "source.duckdb")
    with duckdb.connect(str(source)) as con:
        con.execute("alter table bi.bi_measure add column flag_small_count boolean default true")
    build_bi_extract(source, tmp_path / "wh")
    assert bi_file_path(tmp_path / "wh").exists()


def test_a_failure_while_writing_leaves_the_old_extract_and_no_partial_files(tmp_path, monkeypatch):
    build_bi_extract(make_warehouse(tmp_path / "good.duckdb"), tmp_path / "wh")
    before = extract_state(tmp_path / "wh")

    def disk_full(con, tables, path):
        path.write_bytes(b"half a file")
        raise OSError("No space left on device")

    monkeypatch.setattr(bi_extract, "_write_bi_file", disk_full)
    with pytest.raises(OSError, match="No space"):
        build_bi_extract(make_warehouse(tmp_path / "good.duckdb", measure_rows=[(20, 40)]), tmp_path / "wh")
    assert extract_state(tmp_path / "wh") == before
    assert not list((tmp_path / "wh").glob("*.partial*"))
    assert [p.resolve() for p in (tmp_path / "wh" / "bi_versions").iterdir()] == [before[1]]


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path):
    source = make_warehouse(tmp_path / "source.duckdb")
    killed = bi_extract.stage_bi_extract(source, tmp_path / "wh")  # staged, never swapped in nor discarded
    build_bi_extract(source, tmp_path / "wh")
    assert not killed.bi_file.exists() and not killed.parquet_version.exists()
    assert bi_file_path(tmp_path / "wh").exists()


def test_a_rebuild_swaps_in_a_new_parquet_set_and_keeps_the_previous_for_open_readers(tmp_path):
    first = build_bi_extract(make_warehouse(tmp_path / "one.duckdb", measure_rows=[(10, 40)]), tmp_path / "wh")
    second = build_bi_extract(make_warehouse(tmp_path / "two.duckdb", measure_rows=[(20, 40)]), tmp_path / "wh")
    assert parquet_dir(tmp_path / "wh").resolve() == second.parquet_version
    assert first.parquet_version.exists()
    with duckdb.connect() as con:
        path = str(parquet_dir(tmp_path / "wh") / "bi_measure.parquet")
        assert con.execute("select numerator from read_parquet(?)", [path]).fetchall() == [(20,)]
    build_bi_extract(make_warehouse(tmp_path / "two.duckdb"), tmp_path / "wh")
    assert not first.parquet_version.exists()


def test_a_refused_extract_blocks_the_warehouse_publish(tmp_path):
    warehouse = Warehouse(landing_dir=str(tmp_path / "landing"), warehouse_dir=str(tmp_path / "wh"))
    make_warehouse(ensure_candidate(tmp_path / "wh", "run-1"))
    publish_with_bi_extract(warehouse, "run-1", keep=2)
    published_before = published_path(tmp_path / "wh").read_bytes()
    extract_before = extract_state(tmp_path / "wh")
    make_warehouse(ensure_candidate(tmp_path / "wh", "run-2"), extra_column="staff_key")
    with pytest.raises(Failure, match="not publishing: .*person-level columns \\['bi_dim.staff_key'\\]"):
        publish_with_bi_extract(warehouse, "run-2", keep=2)
    assert published_path(tmp_path / "wh").read_bytes() == published_before
    assert extract_state(tmp_path / "wh") == extract_before
