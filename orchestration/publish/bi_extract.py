"""The BI extract: the shareable, person-free copy of the warehouse's `bi` schema.

    warehouse/edi_bi.duckdb            every table of schema bi (as main.<table>) with its table
                                       and column descriptions (COMMENT ON), mode 0644, and
                                       bi_refresh: the run, content and code version and the landed
                                       files behind it (from the audit schema), so a page printed
                                       from the extract can be tied back to `edi lineage`
    warehouse/bi -> bi_versions/<v>/   one <table>.parquet per table, each column's description in its
                                       Parquet (Arrow) field metadata and the table's in the file's
                                       key-value metadata, under "description"; `bi` is a symbolic link

It is built from the run's candidate *before* the warehouse is published and swapped in *after*:
a refusal (a person-level column, a count of 1-7) or any failure stops the publish too, so the
warehouse and its extract never disagree, and the previous extract stays in place. Every file is
written under a new name and put in place by os.replace; the Parquet files change together by
replacing the one `bi` link, so a reader sees the old set or the new one, never a mix.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.publish.audit import content_version

BI_SCHEMA = "bi"
BI_FILE_NAME = "edi_bi.duckdb"
PARQUET_LINK_NAME = "bi"
PARQUET_VERSIONS_DIR = "bi_versions"
SHAREABLE_FILE_MODE = 0o644
SHAREABLE_DIR_MODE = 0o755
# The Parquet metadata key of a table's and a column's description (pyarrow: schema.metadata, field.metadata).
PARQUET_DESCRIPTION_KEY = b"description"

# Catalog names are spliced into SQL as quoted identifiers, so only plain snake_case ones are accepted.
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Column names that describe a person rather than a group (keys, identifiers, contact details).
PERSON_LEVEL_COLUMN = re.compile(
    r"(name|first_name|last_name|surname|forename|full_name|initials)"
    r"|(.+_)?(staff|staff_version|person|employee|applicant|candidate|patient|assignment)_(key|id|number|name)"
    r"|(.+_)?(email|email_address|phone|telephone|mobile|address|postcode)"
    r"|(.+_)?(date_of_birth|birth_date|dob|age_in_years|nhs_number|ni_number|national_insurance_number)"
)
# Columns that count people; a published cell of 1-7 could identify someone (primary suppression).
COUNT_COLUMN = re.compile(r"(reference_)?(numerator|denominator)|(.+_)?headcount|.+_count")
DISCLOSIVE_MIN, DISCLOSIVE_MAX = 1, 7
PROVENANCE_TABLE = "bi_refresh"
# An abbreviated commit: enough to name it, and unlike a full SHA it cannot pass for a pseudonymised key.
CODE_VERSION_CHARS = 12
PROVENANCE_COMMENT = ("The refresh this extract comes from, one row per source: run, content and code "
                      "version, and the landed files behind the source (how many, their distinct SHA-256 "
                      "hashes, their newest modification and landing times). Ties a report to `edi lineage`.")
PROVENANCE_COLUMNS = {
    "run_id": "Dagster run id of the refresh that published this extract (see `edi status`).",
    "published_at": "When that refresh was published (UTC).",
    "content_version": "Content version of the published warehouse: equal content, equal version (`edi status`).",
    "code_version": "Git commit of the code that built it, abbreviated to 12 characters.",
    "source": "Source contract (data_contracts/) whose landed files are summarised on this row.",
    "files_landed": "Landed files behind the source's raw table (files, not people).",
    "distinct_file_hashes": "Distinct SHA-256 hashes among those files; `edi lineage` lists each file and hash.",
    "rows_landed": "Rows landed from those files.",
    "rows_quarantined": "Rows quarantined from those files, with a reason, in the quarantine tables.",
    "newest_file_modified_at": "Modification time of the newest of those files (UTC).",
    "newest_file_landed_at": "When the newest of those files was landed (UTC).",
}


class BiExtractRefused(RuntimeError):
    """The bi schema holds something the shareable extract must never contain."""


@dataclass(frozen=True)
class BiTable:
    name: str
    comment: str | None
    columns: tuple[tuple[str, str, str | None], ...]  # (name, data type, comment) in table order

    @property
    def column_names(self) -> list[str]:
        return [name for name, _, _ in self.columns]

    @property
    def count_columns(self) -> list[str]:
        """Named like a count; a boolean such as flag_small_count is a flag, not a count."""
        return [name for name, data_type, _ in self.columns
                if COUNT_COLUMN.fullmatch(name) and data_type != "BOOLEAN"]


def bi_file_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / BI_FILE_NAME


def parquet_dir(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / PARQUET_LINK_NAME


def read_bi_catalog(con: duckdb.DuckDBPyConnection, database: str, schema: str = BI_SCHEMA,
                    table: str | None = None) -> list[BiTable]:
    """The schema's tables (or one table) and columns with their comments, as `database` has them."""
    tables = con.execute(
        "select table_name, comment from duckdb_tables() where database_name = ? and schema_name = ? "
        "and (? is null or table_name = ?) order by table_name", [database, schema, table, table]).fetchall()
    result = []
    for name, comment in tables:
        columns = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
            [database, schema, name]).fetchall()
        result.append(BiTable(name, comment, tuple(columns)))
    _check_identifiers(result)
    return result


def _check_identifiers(tables: list[BiTable]) -> None:
    odd = [name for t in tables for name in [t.name, *t.column_names] if not IDENTIFIER.fullmatch(name)]
    if odd:
        raise BiExtractRefused(f"bi schema has names that are not plain snake_case identifiers: {odd}")


def person_level_columns(tables: list[BiTable]) -> list[str]:
    return [f"{t.name}.{c}" for t in tables for c in t.column_names if PERSON_LEVEL_COLUMN.fullmatch(c)]


def disclosive_count_columns(con: duckdb.DuckDBPyConnection, tables: list[BiTable]) -> list[str]:
    """Count columns holding a value in 1..7 (try_cast: a count stored as text is checked too)."""
    found = []
    for table in tables:
        for column in table.count_columns:
            cells = con.execute(
                f'select count(*) from src.{BI_SCHEMA}."{table.name}" '
                f'where try_cast("{column}" as double) between ? and ?',
                [DISCLOSIVE_MIN, DISCLOSIVE_MAX]).fetchone()[0]
            if cells:
                found.append(f"{table.name}.{column} ({cells} cells)")
    return found


def check_shareable(con: duckdb.DuckDBPyConnection, tables: list[BiTable]) -> None:
    """Refuse, naming every offending column, before anything is written."""
    problems = []
    if person := person_level_columns(tables):
        problems.append(f"person-level columns {person}")
    if small := disclosive_count_columns(con, tables):
        problems.append(f"counts of {DISCLOSIVE_MIN}-{DISCLOSIVE_MAX} in {small}")
    if problems:
        raise BiExtractRefused("BI extract refused, the previous one is kept: the bi schema has "
                               + " and ".join(problems))


def _sql_literal(text: str) -> str:
    """COMMENT ON accepts a string literal only, not a bound parameter. The text is our own dbt
    description read back from the catalog; DuckDB literals have no escape but a doubled quote."""
    if "\x00" in text:
        raise BiExtractRefused("a bi description contains a NUL character")
    return "'" + text.replace("'", "''") + "'"


def _source_relation(table: BiTable) -> str:
    """Where the table is copied from: dbt's bi schema, or the provenance table built in memory."""
    return f'memory.main."{table.name}"' if table.name == PROVENANCE_TABLE else f'src.{BI_SCHEMA}."{table.name}"'


def _write_bi_file(con: duckdb.DuckDBPyConnection, tables: list[BiTable], path: Path) -> None:
    con.execute("attach ? as bi_out", [str(path)])
    for table in tables:
        con.execute(f'create table bi_out.main."{table.name}" as select * from {_source_relation(table)}')
        if table.comment:
            con.execute(f'comment on table bi_out.main."{table.name}" is {_sql_literal(table.comment)}')
        for column, _, comment in table.columns:
            if comment:
                con.execute(f'comment on column bi_out.main."{table.name}"."{column}" is {_sql_literal(comment)}')
    con.execute("detach bi_out")  # checkpoints: the file is complete, with no write-ahead log beside it
    _make_shareable(path)


def _described(rows: pa.Table, table: BiTable) -> pa.Table:
    """The rows with the table's description as schema metadata and each column's as field metadata.
    Written through pyarrow because DuckDB's COPY writes file-level key-value metadata only."""
    comments = {name: comment for name, _, comment in table.columns}
    fields = [f.with_metadata({PARQUET_DESCRIPTION_KEY: comments[f.name]}) if comments[f.name] else f
              for f in rows.schema]
    metadata = {PARQUET_DESCRIPTION_KEY: table.comment} if table.comment else None
    return pa.Table.from_arrays(rows.columns, schema=pa.schema(fields, metadata=metadata))


def _write_parquet(con: duckdb.DuckDBPyConnection, tables: list[BiTable], folder: Path) -> None:
    folder.mkdir(parents=True)
    for table in tables:
        target = folder / f"{table.name}.parquet"
        # A cursor: the checks above may leave a result of `con` unfinished, which DuckDB 2 refuses to
        # interleave with a relation; the cursor shares the attached databases.
        with con.cursor() as reader:
            rows = reader.sql(f"select * from {_source_relation(table)}").to_arrow_table()  # in table order
        pq.write_table(_described(rows, table), target)
        _make_shareable(target)
    folder.chmod(SHAREABLE_DIR_MODE)


def _make_shareable(path: Path) -> None:
    """Readable by anyone, and on disk before it is renamed into place."""
    path.chmod(SHAREABLE_FILE_MODE)
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class StagedExtract:
    """A complete, checked extract under new names, not yet visible to readers."""

    warehouse_dir: Path
    bi_file: Path
    parquet_version: Path
    tables: tuple[str, ...]

    def swap_in(self) -> None:
        """Two renames: the Parquet link, then the BI file."""
        link = self.warehouse_dir / f".{PARQUET_LINK_NAME}.{self.parquet_version.name}.link"
        link.symlink_to(self.parquet_version.relative_to(self.warehouse_dir), target_is_directory=True)
        os.replace(link, parquet_dir(self.warehouse_dir))
        os.replace(self.bi_file, bi_file_path(self.warehouse_dir))

    def discard(self) -> None:
        """Remove what was not swapped in (a no-op after swap_in)."""
        self.bi_file.unlink(missing_ok=True)
        if self.parquet_version.resolve() != _current_parquet_version(self.warehouse_dir):
            shutil.rmtree(self.parquet_version, ignore_errors=True)


def _current_parquet_version(warehouse_dir: Path) -> Path | None:
    link = parquet_dir(warehouse_dir)
    return link.resolve() if link.is_symlink() else None


def _remove_leftovers(warehouse_dir: Path) -> None:
    """Partial files and links of a killed run, and Parquet versions older than the one readers see now."""
    for partial in [*warehouse_dir.glob(f"{Path(BI_FILE_NAME).stem}.*.partial.duckdb*"),
                    *warehouse_dir.glob(f".{PARQUET_LINK_NAME}.*.link")]:
        partial.unlink()
    current = _current_parquet_version(warehouse_dir)
    for version in (warehouse_dir / PARQUET_VERSIONS_DIR).glob("*"):
        if version.resolve() != current:
            shutil.rmtree(version)


def _new_staged(warehouse_dir: Path, tables: list[BiTable]) -> StagedExtract:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    versions = warehouse_dir / PARQUET_VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    versions.chmod(SHAREABLE_DIR_MODE)
    return StagedExtract(warehouse_dir, warehouse_dir / f"{Path(BI_FILE_NAME).stem}.{stamp}.partial.duckdb",
                         versions / stamp, tuple(t.name for t in tables))


def _has_audit(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute("select count(*) from duckdb_tables() where database_name = 'src' and schema_name = 'audit' "
                        "and table_name in ('refresh_run', 'table_hash', 'landed_file')").fetchone()[0]
    return found == 3


def add_provenance(con: duckdb.DuckDBPyConnection) -> BiTable | None:
    """Build bi_refresh in memory from the source's audit schema (written just before publishing);
    None for a warehouse without an audit record. Counts here are files, never people."""
    if not _has_audit(con):
        return None
    run_id, finished_at, code = con.execute(
        "select run_id, finished_at, code_version from src.audit.refresh_run "
        "where status = 'published' order by finished_at desc limit 1").fetchone()
    hashes = con.execute("select schema_name, table_name, row_count, content_hash from src.audit.table_hash "
                         "where run_id = ?", [run_id]).fetchall()
    con.execute(
        f"""create table memory.main.{PROVENANCE_TABLE} as
            select ?::varchar as run_id, ?::timestamp as published_at, ?::varchar as content_version,
                   ?::varchar as code_version, source,
                   count(*) as files_landed, count(distinct sha256) as distinct_file_hashes,
                   sum(rows_landed)::bigint as rows_landed, sum(rows_quarantined)::bigint as rows_quarantined,
                   make_timestamp(max(mtime_ns) // 1000) as newest_file_modified_at,
                   max(loaded_at) as newest_file_landed_at
            from src.audit.landed_file group by source order by source""",
        [run_id, finished_at, content_version(hashes) if hashes else "unknown", code[:CODE_VERSION_CHARS]])
    con.execute(f"comment on table memory.main.{PROVENANCE_TABLE} is {_sql_literal(PROVENANCE_COMMENT)}")
    for column, comment in PROVENANCE_COLUMNS.items():
        con.execute(f'comment on column memory.main.{PROVENANCE_TABLE}."{column}" is {_sql_literal(comment)}')
    return read_bi_catalog(con, "memory", schema="main", table=PROVENANCE_TABLE)[0]


def stage_bi_extract(source_db: Path, warehouse_dir: Path) -> StagedExtract:
    """Check the bi schema of `source_db` and write the extract beside the current one."""
    warehouse_dir = Path(warehouse_dir).resolve()  # discard() compares it with the resolved link
    _remove_leftovers(warehouse_dir)
    with duckdb.connect() as con:
        con.execute("attach ? as src (read_only)", [str(source_db)])
        tables = read_bi_catalog(con, "src")
        check_shareable(con, tables)
        if provenance := add_provenance(con):
            tables.append(provenance)
        staged = _new_staged(warehouse_dir, tables)
        try:
            _write_parquet(con, tables, staged.parquet_version)
            _write_bi_file(con, tables, staged.bi_file)
        except BaseException:
            staged.discard()
            raise
    return staged


@contextmanager
def staged_bi_extract(source_db: Path, warehouse_dir: Path) -> Iterator[StagedExtract]:
    """Stage the extract; whatever the block does not swap in is removed when it ends."""
    staged = stage_bi_extract(source_db, warehouse_dir)
    try:
        yield staged
    finally:
        staged.discard()


def build_bi_extract(source_db: Path, warehouse_dir: Path) -> StagedExtract:
    """Rebuild the extract from a warehouse already published (e.g. after a rollback)."""
    with staged_bi_extract(source_db, warehouse_dir) as staged:
        staged.swap_in()
    return staged
