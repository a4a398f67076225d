"""Land a source's files into `raw.<source>` under its contract, quarantining bad rows.

Only deliveries that are new or changed are read (deliveries.py decides); rows of withdrawn ones
leave. New files are read by DuckDB's CSV reader as text, several at a time in batches of bounded
size, so nothing is lost to a failed cast and memory does not grow with the delivery; malformed lines
are captured by the reader's reject tables. A trust's own headings and code labels are read as the
contract's under its mapping (mappings.py). Each row is then checked against the contract's row-level
rules; rows that break one go to `raw.<source>__quarantine` with the rule and a reason, the rest are
cast to the contract's types. A rule is judged once per distinct value (tuple) of the columns it reads,
and an identifier HMAC'd once per distinct value: a national extract repeats a few codes, dates and
people over millions of rows. Of the rows sharing an organisation and primary key across deliveries,
the latest delivery's is current (`raw.<source>`), the others are kept in `raw.<source>__superseded`
(supersession.py), which also records what changed for the incremental rebuild. Per file, rows
read = landed + quarantined is recorded in `audit.landed_file` (the deliveries held now) and
`audit.source_load` (what each run landed).

SQL here is assembled only from identifiers checked by the contract loader (lower snake_case) and
fixed type names; every value (paths, patterns, code lists, bounds, reason texts) is bound.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb

from orchestration.identifiers import quoted
from orchestration.quality.completeness import REPEATED_RULES, FileFacts, delivery_fault
from orchestration.quality.contracts import DECIMAL_TYPE, Column, Contract
from orchestration.quality.deliveries import (
    Delivery, DeliveryPlan, ensure_landed_file_table, file_sha256, fingerprint_files, forget_source,
    landed_files, plan_deliveries, record_landed, refresh_mtimes,
)
from orchestration.quality.mappings import TrustMapping, mapping_for
from orchestration.quality.pseudonymise import hmac_parameters, hmac_sql
from orchestration.quality.reference_values import KEY_SEPARATOR, reference_keys
from orchestration.quality.supersession import (
    apply_supersession, ensure_change_scope_table, record_everything_changed, superseded_table,
)

RAW_SCHEMA = "raw"
AUDIT_SCHEMA = "audit"
MALFORMED_LINE = "malformed_line"


class SourceFileError(RuntimeError):
    """A whole file cannot be landed; the message names the file, the column and the contract."""


@dataclass
class FileLoad:
    path: str
    sha256: str
    size_bytes: int
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0


@dataclass
class SourceLoad:
    """What one run did to a source: the files it landed (with their counts), kept, withdrew."""

    source: str
    contract_version: str
    files: list[FileLoad] = field(default_factory=list)
    quarantine_by_rule: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # the source was reloaded from scratch (full refresh or a new contract shape)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_landed(self) -> int:
        return sum(f.rows_landed for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


# ---------------------------------------------------------------------------------------------
# Files


# A source added by a newer version finds an older demo landing folder without its files.
MISSING_DELIVERY_HINT = (". Every source needs a file, header-only when a trust has nothing to report; a demo "
                         "landing folder made by an older version lacks the newer sources: regenerate it "
                         "(rm -rf landing && make run)")


def source_files(contract: Contract, landing_dir: Path, reference_dir: Path) -> list[Path]:
    root = landing_dir if contract.location == "landing" else reference_dir
    files = sorted(p for p in root.glob(contract.path_glob) if p.is_file())
    if not files:
        raise SourceFileError(
            f"{root / contract.path_glob}: no file found for source {contract.name} "
            f"(contract {contract.name} v{contract.version}){MISSING_DELIVERY_HINT if root == landing_dir else ''}"
        )
    return files


def read_header(path: Path, contract: Contract) -> list[str]:
    """The first record of the file, decoded as the contract says (a UTF-8 BOM is tolerated)."""
    encoding = "utf-8-sig" if contract.encoding.lower() in {"utf-8", "utf8"} else contract.encoding
    try:
        with open(path, encoding=encoding, newline="") as handle:
            return next(csv.reader(handle, delimiter=contract.delimiter), [])
    except UnicodeDecodeError as error:
        raise SourceFileError(
            f"{path}: cannot be read as {contract.encoding} (byte {error.start} of the header); "
            f"contract {contract.name} v{contract.version} requires {contract.encoding}"
        ) from error


def check_header(path: Path, contract: Contract, mapping: TrustMapping | None = None) -> None:
    """Fail the file when its columns are not exactly the contract's (under the trust's mapping)."""
    where = f"contract {contract.name} v{contract.version}"
    if mapping is not None:
        where += f" with mapping {mapping.path}"
    if path.stat().st_size == 0:
        raise SourceFileError(f"{path}: the file is empty; {where} expects a header row and data")
    header = read_header(path, contract)
    expected = [mapping.heading(c) if mapping else c.source_name for c in contract.columns]
    if not contract.header:
        if len(header) != len(expected):
            raise SourceFileError(
                f"{path}: row 1 has {len(header)} fields; {where} expects {len(expected)} "
                f"columns separated by {contract.delimiter!r}"
            )
        return
    if len(header) == 1 and len(expected) > 1:
        raise SourceFileError(
            f"{path}: the header parses as one column {header[0][:80]!r} with delimiter "
            f"{contract.delimiter!r}; {where} expects {len(expected)} columns: wrong delimiter?"
        )
    found = [h.strip() for h in header]

    def shown(heading: str) -> str:
        column = mapping.mapped_column(heading) if mapping else None
        return repr(heading) + (f" (column {column} in the mapping)" if column else "")

    missing = [c for c in expected if c not in found]
    extra = [h for h in found if h not in expected]
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(shown(c) for c in missing))
    if extra:
        problems.append("unexpected column(s) " + ", ".join(repr(c) for c in extra))
    problems += [f"{h!r} appears {found.count(h)} times" for h in dict.fromkeys(found) if found.count(h) > 1]
    # Rows are read by position: the right names in another order would land values in the wrong columns.
    if not problems and found != expected:
        problems.append("columns are in a different order")
    hint = ""
    if missing and extra and mapping is None:
        hint = (f"; if the trust's own report names these columns its own way, map them in a trust "
                f"mapping <ODS code>/{contract.name}.yaml (README \"Loading your trust's data\")")
    if problems:
        raise SourceFileError(f"{path}: {'; '.join(problems)} — {where} expects {expected}{hint}")


# ---------------------------------------------------------------------------------------------
# SQL fragments built from one contract column


def _present(col: Column) -> str:
    return f"nullif(trim({quoted(col.name)}), '')"


def _identifier_clear(col: Column) -> str:
    """An identifier as it is HMAC'd and compared: trimmed, lower-cased (pseudonymise.normalise_identifier)."""
    return f"lower(trim({quoted(col.name)}))"


def typed_sql(col: Column) -> str:
    """The value cast to the contract type (NULL when absent or not castable)."""
    raw = quoted(col.name)
    if col.landing_type == "VARCHAR":
        if col.pseudonymise:
            return f"case when {_present(col)} is not null then {hmac_sql(_identifier_clear(col))} end"
        return raw
    if col.date_format and col.is_temporal:
        parsed = f"try_strptime(trim({raw}), $fmt_{col.name})"
        return f"cast({parsed} as DATE)" if col.landing_type == "DATE" else parsed
    return f"try_cast(trim({raw}) as {col.landing_type})"


@dataclass
class RuleSql:
    name: str
    condition: str
    reason: str
    columns: tuple[str, ...]  # every column the condition reads: it is judged once per distinct tuple


class _Params(dict):
    """Collects bound parameters while SQL is assembled."""

    def bind(self, name: str, value: object) -> str:
        self[name] = value
        return f"${name}"


PARAMETER = re.compile(r"\$([a-z][a-z0-9_]*)")


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    """Execute with only the parameters the statement names (DuckDB rejects unused ones)."""
    named = set(PARAMETER.findall(sql))
    return con.execute(sql, {k: v for k, v in (params or {}).items() if k in named})


def _is_null_marker(col: Column) -> str:
    """True for a value that stands for "absent" in a number carried as text (e.g. "-", suppressed)."""
    if not col.null_values:
        return "false"
    return f"list_contains($nulls_{col.name}, trim({quoted(col.name)}))"


def value_sql(col: Column) -> str | None:
    """The value rules compare and staging casts to: the typed value, or for a number carried as
    text (castTo) that text cast to its type, NULL for a null marker. None for plain text."""
    if col.cast_to:
        text = f"trim({quoted(col.name)})"
        return f"try_cast(case when {_is_null_marker(col)} then null else {text} end as {col.cast_to})"
    return None if col.landing_type == "VARCHAR" else typed_sql(col)


def _type_message(col: Column) -> str:
    decimal = DECIMAL_TYPE.match(col.value_type)
    if decimal:  # a number that would overflow staging's cast to the same type
        digits, scale = int(decimal.group(1)), int(decimal.group(2))
        return (f"{col.name} is not a valid {col.value_type} "
                f"(at most {digits - scale} digits before the decimal point)")
    expected = f" in format {col.date_format}" if col.date_format and col.is_temporal else ""
    return f"{col.name} is not a valid {col.value_type}{expected}"


def column_rules(col: Column, params: _Params) -> list[RuleSql]:
    present, raw, value = _present(col), quoted(col.name), value_sql(col)
    own = (col.name,)
    shown = "''" if col.pseudonymise else f"' (value ' || {present} || ')'"

    def reason(text: str) -> str:
        return f"{params.bind(f'msg_{len(params)}', text)} || {shown}"

    rules = []
    if col.required:
        rules.append(RuleSql(f"required:{col.name}", f"{present} is null",
                             params.bind(f"msg_{len(params)}", f"{col.name} is missing"), own))
    if col.date_format and col.is_temporal:
        params[f"fmt_{col.name}"] = col.date_format
    if col.null_values:
        params[f"nulls_{col.name}"] = list(col.null_values)
    if value is not None:
        rules.append(RuleSql(f"type:{col.name}",
                             f"{present} is not null and not {_is_null_marker(col)} and {value} is null",
                             reason(_type_message(col)), own))
    if col.pattern:
        pattern = params.bind(f"pattern_{col.name}", col.pattern)
        rules.append(RuleSql(f"pattern:{col.name}",
                             f"{present} is not null and not regexp_full_match(trim({raw}), {pattern})",
                             reason(f"{col.name} does not match {col.pattern}"), own))
    if col.valid_values:
        values = params.bind(f"values_{col.name}", [v.strip().upper() for v in col.valid_values])
        rules.append(RuleSql(f"valid_values:{col.name}",
                             f"{present} is not null and not list_contains({values}, upper(trim({raw})))",
                             reason(f"{col.name} is not in the contract code list"), own))
    for bound, op, word in ((col.minimum, "<", "minimum"), (col.maximum, ">", "maximum")):
        if bound is None:
            continue
        name = f"{word}_{col.name}"
        limit = "current_date" if bound == "today" else f"cast({params.bind(name, str(bound))} as {col.value_type})"
        rules.append(RuleSql(f"{word}:{col.name}", f"{value} {op} {limit}",
                             reason(f"{col.name} is outside the {word} {bound}"), own))
    return rules


def cross_column_rules(contract: Contract, params: _Params) -> list[RuleSql]:
    """Rules that read more than one value: reference data, the file's one value, stage order."""
    return (reference_rules(contract, params) + one_value_per_file_rules(contract, params)
            + order_rules(contract, params))


# (rule, the columns a column is compared with, operator that breaks it, reason wording)
ORDERS = (
    ("not_before", Contract.earlier_columns, "<", "is earlier than"),
    ("not_greater_than", Contract.larger_columns, ">", "is greater than"),
)


def order_rules(contract: Contract, params: _Params) -> list[RuleSql]:
    """A date not before its earlier stages (every one of them, so a blank stage between does not
    hide the order of the other two), a count not above its total."""
    rules = []
    for rule, others_of, op, words in ORDERS:
        for col in contract.columns:
            for other in map(contract.column, others_of(contract, col.name)):
                message = params.bind(f"msg_{len(params)}", f"{col.name} {words} {other.name}")
                shown = f"' (' || {_present(col)} || ' {op} ' || {_present(other)} || ')'"
                rules.append(RuleSql(f"{rule}:{col.name}", f"{value_sql(col)} {op} {value_sql(other)}",
                                     f"{message} || {shown}", (col.name, other.name)))
    return rules


def _key_part(col: Column) -> str:
    """A value as reference keys are compared: typed values as text ("2021"), codes trimmed, upper
    case; NULL when absent."""
    value = value_sql(col)
    return f"upper({_present(col)})" if value is None else f"cast({value} as VARCHAR)"


def reference_rules(contract: Contract, params: _Params) -> list[RuleSql]:
    """Values that must exist in bundled reference data or a dbt seed (e.g. an ODS trust code)."""
    rules = []
    for i, ref in enumerate(contract.references):
        cols = [contract.column(c) for c in ref.columns]
        keys = params.bind(f"ref_{i}", reference_keys(ref))
        parts = ", ".join(_key_part(c) for c in cols)
        present = " and ".join(f"{_key_part(c)} is not null" for c in cols)
        message = params.bind(f"msg_{len(params)}", f"{ref.name} is not a known "
                              f"{ref.target}.{'+'.join(ref.target_columns)}")
        # never a pseudonymised identifier: the loader refuses relationships on those
        shown = f"' (value ' || concat_ws(' / ', {', '.join(_present(c) for c in cols)}) || ')'"
        rules.append(RuleSql(
            f"references:{ref.name}",
            f"{present} and not list_contains({keys}, concat_ws({params.bind('key_separator', KEY_SEPARATOR)}, {parts}))",
            f"{message} || {shown}",
            tuple(c.name for c in cols),
        ))
    return rules


def one_value_per_file_rules(contract: Contract, params: _Params) -> list[RuleSql]:
    """A trust extract is one trust's: the file's value is the one more than half of its rows carry
    (trimmed, upper case); a row with another value, or any row of a file without such a value, is held."""
    rules = []
    for col in contract.columns:
        if not col.one_value_per_file:
            continue
        present, value = _present(col), f"upper(trim({quoted(col.name)}))"
        file_value = f"(select map(list(file), list(value)) from {_majority_table(col)})[_file_index]"
        other = params.bind(f"msg_{len(params)}", f"{col.name} differs from ")
        none = params.bind(f"msg_{len(params)}", f"{col.name}: no value is on more than half of this file's rows")
        tail = params.bind(f"msg_{len(params)}", ", the value on more than half of this file's rows")
        shown = f"' (value ' || {present} || ')'"  # never an identifier: the loader refuses those
        rules.append(RuleSql(
            f"one_value_per_file:{col.name}",
            f"{present} is not null and {value} is distinct from {file_value}",
            f"case when {file_value} is null then {none} else {other} || {file_value} || {tail} end || {shown}",
            ("_file_index", col.name),
        ))
    return rules


def _majority_table(col: Column) -> str:
    return f"_majority_{col.name}"


def _find_file_majorities(con, contract: Contract) -> None:
    """Per file of the batch, the value more than half of its rows carry in each one-value-per-file
    column (one hash aggregate, before any rule reads it: a subquery in the rule was worked out
    again for every place it appears)."""
    for col in contract.columns:
        if col.one_value_per_file:
            value = f"upper(trim({quoted(col.name)}))"
            con.execute(f"""create or replace temp table {_majority_table(col)} as
                select file, value from (
                    select _file_index as file, {value} as value, count(*) as rows,
                           sum(count(*)) over (partition by _file_index) as file_rows
                    from _stage where {_present(col)} is not null group by _file_index, {value}
                ) where 2 * rows > file_rows""")


def key_sql(col: Column) -> str:
    """How a key column is compared when looking for repeated keys: as its later use compares it
    (identifiers lower-cased like their HMAC input, codes upper-cased like staging does)."""
    if col.landing_type != "VARCHAR":
        return typed_sql(col)
    if col.pseudonymise:
        return _identifier_clear(col)
    if col.valid_values:
        return f"upper(trim({quoted(col.name)}))"
    return f"trim({quoted(col.name)})"


# ---------------------------------------------------------------------------------------------
# Landing

# CSV bytes staged as text at once: bounds what a batch holds in memory, whatever the delivery's size.
BATCH_BYTES = 256 * 2**20
METADATA_DDL = "_source_file varchar, _source_sha256 varchar, _row_number bigint, _loaded_at timestamp"
QUARANTINE_DDL = ("_source_file varchar, _source_sha256 varchar, _row_number bigint, _rule varchar, "
                  "_reason varchar, _raw_line varchar, _loaded_at timestamp")


def _ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(f"create schema if not exists {AUDIT_SCHEMA}")
    _execute(con,
        f"""create table if not exists {AUDIT_SCHEMA}.source_load (
            run_id varchar, source varchar, contract_version varchar, file_path varchar,
            sha256 varchar, size_bytes bigint, rows_read bigint, rows_landed bigint,
            rows_quarantined bigint, loaded_at timestamp)"""
    )
    ensure_landed_file_table(con)
    ensure_change_scope_table(con)


def raw_table_ddl(contract: Contract) -> str:
    """Columns of raw.<source> (and of its __superseded twin, which adds _superseded_by)."""
    return ", ".join([f"{quoted(c.name)} {c.landing_type}" for c in contract.columns] + [METADATA_DDL])


def _table_columns(con, table: str) -> list[tuple[str, str]] | None:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = current_database() "
        "and schema_name = ? and table_name = ? order by column_index", [RAW_SCHEMA, table]).fetchall()
    return rows or None


def _expected_columns(con, contract: Contract) -> list[tuple[str, str]]:
    """The column names and types DuckDB reports for raw_table_ddl (e.g. DECIMAL(5,2) as written)."""
    con.execute(f"create or replace temp table _shape ({raw_table_ddl(contract)})")
    return con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = '_shape' and database_name = 'temp' "
        "order by column_index").fetchall()


def _reset_source(con, contract: Contract) -> None:
    for table in (contract.table, contract.quarantine_table, superseded_table(contract)):
        con.execute(f"drop table if exists {RAW_SCHEMA}.{table}")
    forget_source(con, contract)


def contract_fingerprint(contract: Contract) -> str:
    """The contract file's sha256: its rules decided which rows landed."""
    return file_sha256(contract.file_path) if contract.file_path else contract.version


def _contract_changed(con, contract: Contract) -> bool:
    con.execute(f"""create table if not exists {AUDIT_SCHEMA}.source_contract (source varchar,
                    contract_version varchar, fingerprint varchar)""")
    held = con.execute(f"select fingerprint from {AUDIT_SCHEMA}.source_contract where source = ?",
                       [contract.name]).fetchone()
    return held is not None and held[0] != contract_fingerprint(contract)


def _record_contract(con, contract: Contract) -> None:
    con.execute(f"delete from {AUDIT_SCHEMA}.source_contract where source = ?", [contract.name])
    con.execute(f"insert into {AUDIT_SCHEMA}.source_contract values (?, ?, ?)",
                [contract.name, contract.version, contract_fingerprint(contract)])


def _ensure_raw_tables(con, contract: Contract, full_refresh: bool) -> bool:
    """Create the source's tables; start them afresh on a full refresh or when the contract changed
    since they were built (its rules decided which rows landed: every delivery is read again under
    the new ones). Returns True then."""
    existing = _table_columns(con, contract.table)
    reset = full_refresh or _contract_changed(con, contract) or (
        existing is not None and existing != _expected_columns(con, contract))
    if reset:
        _reset_source(con, contract)
    _record_contract(con, contract)
    text = ", ".join(f"{quoted(c.name)} varchar" for c in contract.columns)
    con.execute(f"create table if not exists {RAW_SCHEMA}.{contract.table} ({raw_table_ddl(contract)})")
    con.execute(f"create table if not exists {RAW_SCHEMA}.{superseded_table(contract)} "
                f"({raw_table_ddl(contract)}, _superseded_by varchar)")
    con.execute(f"create table if not exists {RAW_SCHEMA}.{contract.quarantine_table} ({text}, {QUARANTINE_DDL})")
    return reset


def _batches(deliveries: list[Delivery]) -> list[list[Delivery]]:
    """Consecutive deliveries grouped up to BATCH_BYTES (a larger file is a batch of its own)."""
    batches, current, size = [], [], 0
    for delivery in deliveries:
        if current and size + delivery.size_bytes > BATCH_BYTES:
            batches.append(current)
            current, size = [], 0
        current.append(delivery)
        size += delivery.size_bytes
    return batches + ([current] if current else [])


def _create_work_tables(con, contract: Contract) -> None:
    cols = ", ".join(f"{quoted(c.name)} varchar" for c in contract.columns)
    _execute(con,
        f"""create or replace temp table _stage (_file_index integer, _source_file varchar,
            _seq bigint, _row_number bigint, {cols})"""
    )
    _execute(con,
        """create or replace temp table _malformed (_file_index integer, _source_file varchar,
            _row_number bigint, _reason varchar, _raw_line varchar)"""
    )
    con.execute("create or replace temp table _files (_file_index integer, _path varchar, _label varchar, "
                "_source_sha256 varchar)")
    con.execute(f"create or replace temp table _landed ({raw_table_ddl(contract)})")


def _stage_batch(con, contract: Contract, batch: list[tuple[int, Delivery]]) -> None:
    """Read a batch of files as text into _stage (one reader call) and their malformed lines into
    _malformed. Rows keep the order of the files and of their lines, so the k-th row of a file is
    numbered k, shifted past the lines the reader rejected."""
    con.execute("delete from _stage; delete from _malformed; delete from _files")
    con.executemany("insert into _files values (?, ?, ?, ?)",
                    [(index, str(d.path), d.label, d.sha256) for index, d in batch])
    columns = {c.name: "VARCHAR" for c in contract.columns}
    con.execute("drop table if exists _rejects_errors; drop table if exists _rejects_scans")
    _execute(con,
        """insert into _stage by name
        select f._file_index, f._label as _source_file, r.* exclude (filename)
        from (select row_number() over () as _seq, *
              from read_csv($paths, header = $header, all_varchar = true, auto_detect = false,
                            columns = $columns, delim = $delim, quote = '"', escape = '"',
                            encoding = $encoding, store_rejects = true, ignore_errors = true,
                            filename = true, rejects_table = '_rejects_errors',
                            rejects_scan = '_rejects_scans')) r
        join _files f on f._path = r.filename""",
        {"paths": [str(d.path) for _, d in batch], "header": contract.header, "columns": columns,
         "delim": contract.delimiter, "encoding": contract.encoding},
    )
    header_rows = 1 if contract.header else 0
    # One line can raise several errors (one per missing field): keep the first per line.
    _execute(con,
        """insert into _malformed
        select f._file_index, f._label, e.line - $header_rows,
               arg_min(e.error_type || ': ' || e.error_message, coalesce(e.column_idx, -1)),
               any_value(e.csv_line)
        from _rejects_errors e
        join _rejects_scans s on s.scan_id = e.scan_id and s.file_id = e.file_id
        join _files f on f._path = s.file_path
        group by f._file_index, f._label, e.line""",
        {"header_rows": header_rows},
    )
    # A file's rows are consecutive in the reader's order: its k-th row is its first's + k - 1 (a
    # window partitioned by file, over the read, cost three times the read).
    con.execute("""update _stage
        set _seq = _stage._seq - firsts._first + 1, _row_number = _stage._seq - firsts._first + 1
        from (select _file_index, min(_seq) as _first from _stage group by _file_index) firsts
        where _stage._file_index = firsts._file_index""")
    for (index,) in con.execute("select distinct _file_index from _malformed order by 1").fetchall():
        _number_staged_rows(con, index)


def _number_staged_rows(con, index: int) -> None:
    """Give the k-th good row of a file with rejected lines the k-th row number not taken by a reject."""
    _execute(con,
        """update _stage set _row_number = numbered.row_number
        from (
            select row_number() over (order by n) as seq, n as row_number
            from range(1, (select count(*) from _stage where _file_index = $index)
                          + (select count(*) from _malformed where _file_index = $index) + 1) t(n)
            where n not in (select _row_number from _malformed where _file_index = $index)
        ) numbered
        where _stage._file_index = $index and _stage._seq = numbered.seq""",
        {"index": index},
    )


def _apply_row_rules(con, contract: Contract, params: _Params) -> None:
    """_checked = _stage + the first broken rule and every reason, then keys repeated in a file."""
    _find_file_majorities(con, contract)
    rules = [r for c in contract.columns for r in column_rules(c, params)]
    rules += cross_column_rules(contract, params)
    first_rule = " ".join(
        f"when {r.condition} then {params.bind(f'rule_{i}', r.name)}" for i, r in enumerate(rules))
    reasons = ", ".join(f"case when {r.condition} then {r.reason} end" for r in rules)
    reason = f"concat_ws('; ', {reasons})" if rules else "cast(null as varchar)"
    _find_suspect_rows(con, rules, params)
    # Only the suspect rows are judged row by row (first rule, every reason), with the same
    # expressions as ever: most rows break no rule.
    _execute(con,
        f"""create or replace temp table _judged as
        select _file_index, _seq, _rule, case when _rule is not null then {reason} end as _reason
        from (select *, case {first_rule or "when false then ''"} end as _rule
              from _stage semi join _suspect using (_file_index, _seq))""",
        params,
    )
    con.execute("""create or replace temp table _checked as
        select s.*, j._rule, j._reason from _stage s left join _judged j using (_file_index, _seq)""")
    _mark_repeated_keys(con, contract, params)


def _find_suspect_rows(con, rules: list[RuleSql], params: _Params) -> None:
    """_suspect = the staged rows (_file_index, _seq) holding a value that breaks a rule. Every rule
    is judged once per distinct tuple of the columns it reads: most columns hold a few codes or
    dates repeated over millions of rows."""
    by_columns: dict[tuple[str, ...], list[RuleSql]] = {}
    for rule in rules:
        by_columns.setdefault(rule.columns, []).append(rule)
    con.execute("create or replace temp table _suspect (_file_index integer, _seq bigint)")
    for columns, group in by_columns.items():
        names = ", ".join(quoted(c) for c in columns)
        broken = " or ".join(f"({r.condition})" for r in group)
        _execute(con, f"""create or replace temp table _broken as
                     select * from (select distinct {names} from _stage) where {broken}""", params)
        if con.execute("select count(*) from _broken").fetchone()[0]:
            on = " and ".join(f"s.{quoted(c)} is not distinct from b.{quoted(c)}" for c in columns)
            con.execute(f"insert into _suspect select s._file_index, s._seq from _stage s semi join _broken b on {on}")


def _mark_repeated_keys(con, contract: Contract, params: _Params) -> None:
    """A primary key repeated within one file is a defect of that file (the first row is kept);
    across files, the later delivery supersedes (supersession.py)."""
    if not contract.primary_key:
        return
    keys = ", ".join(f"{key_sql(contract.column(k))} as _k{i}" for i, k in enumerate(contract.primary_key))
    aliases = ", ".join(f"_k{i}" for i in range(len(contract.primary_key)))
    everything = ", ".join(quoted(c.name) for c in contract.columns)
    # The window runs only over rows whose key hash repeats in their file (in a good file, none;
    # a hash collision only adds rows, the window still compares the keys themselves).
    _execute(con,
        f"""update _checked set _rule = dup.rule, _reason = dup.reason
        from (
            with keyed as not materialized (select *, {keys} from _checked where _rule is null),
            repeated as (select _file_index, hash({aliases}) as _key_hash from keyed group by all having count(*) > 1)
            select _file_index, _row_number,
                   case when same_row then 'exact_duplicate' else 'duplicate_key' end as rule,
                   case when same_row then 'exact duplicate of ' else $key_repeats end
                       || first_file || ' row ' || first_row as reason
            from (
                select _file_index, _row_number,
                       row_number() over w as occurrence,
                       first_value(_source_file) over w as first_file,
                       first_value(_row_number) over w as first_row,
                       hash({everything}) = first_value(hash({everything})) over w as same_row
                from keyed c semi join repeated r on c._file_index = r._file_index and hash({aliases}) = r._key_hash
                window w as (partition by _file_index, {aliases} order by _row_number)
            ) where occurrence > 1
        ) dup
        where _checked._file_index = dup._file_index and _checked._row_number = dup._row_number""",
        {**params, "key_repeats": f"primary key ({', '.join(contract.primary_key)}) repeats "},
    )


def _hmac_at_landing(col: Column) -> bool:
    """typed_sql's case: an identifier kept as text is landed as its HMAC."""
    return col.pseudonymise and col.landing_type == "VARCHAR"


def _pseudonym(col: Column) -> str:
    return f"_p_{col.name}._hmac"


def _pseudonyms_of_landed_rows(con, contract: Contract, params: _Params) -> str:
    """The HMAC of every distinct identifier of the batch's good rows, worked out once each (a
    person has many rows), in _pseudonyms_<column>; returns the joins that give each row its own
    (NULL when the identifier is absent, as typed_sql gives)."""
    joins = []
    for col in contract.columns:
        if _hmac_at_landing(col):
            table, clear = f"_pseudonyms_{col.name}", _identifier_clear(col)
            _execute(con,
                f"""create or replace temp table {table} as
                select _clear, {hmac_sql('_clear')} as _hmac from (
                    select distinct {clear} as _clear from _checked
                    where _rule is null and {_present(col)} is not null)""",
                params)
            joins.append(f"left join {table} _p_{col.name} on _p_{col.name}._clear = {clear}")
    return " ".join(joins)


def _keep_checked_rows(con, contract: Contract, params: _Params, loaded_at: datetime) -> None:
    """Good rows of the batch, typed, to _landed; the others to the quarantine table."""
    joins = _pseudonyms_of_landed_rows(con, contract, params)
    typed = ", ".join(f"{_pseudonym(c) if _hmac_at_landing(c) else typed_sql(c)} as {quoted(c.name)}"
                      for c in contract.columns)
    text = ", ".join(
        (f"{typed_sql(c)} as {quoted(c.name)}" if c.pseudonymise else quoted(c.name))
        for c in contract.columns
    )
    keeps_raw_line = not any(c.pseudonymise for c in contract.columns)
    params["loaded_at"] = loaded_at
    quarantine = f"{RAW_SCHEMA}.{contract.quarantine_table}"
    _execute(con,
        f"""insert into _landed
        select {typed}, c._source_file, f._source_sha256, c._row_number,
               cast($loaded_at as timestamp) as _loaded_at
        from _checked c join _files f using (_file_index) {joins}
        where c._rule is null""",
        params,
    )
    _execute(con,
        f"""insert into {quarantine} by name
        select {text}, c._source_file, f._source_sha256, c._row_number, c._rule, c._reason,
               cast(null as varchar) as _raw_line, cast($loaded_at as timestamp) as _loaded_at
        from _checked c join _files f using (_file_index) where c._rule is not null
        union all by name
        select m._source_file, f._source_sha256, m._row_number, $malformed_rule as _rule,
               m._reason, case when $keeps_raw_line then m._raw_line end as _raw_line,
               cast($loaded_at as timestamp) as _loaded_at
        from _malformed m join _files f using (_file_index)
        order by _source_file, _row_number""",
        {**params, "keeps_raw_line": keeps_raw_line, "malformed_rule": MALFORMED_LINE},
    )


def count_batch(con, contract: Contract, counts: dict[str, list[int]], facts: dict[str, FileFacts]) -> None:
    """Per file of the batch: rows read, landed, quarantined (from the work tables, not the warehouse),
    the rows whose key repeats within the file, and the one organisation of its landed rows."""
    organisation = (f"upper(trim({quoted(contract.organisation_column)}))" if contract.organisation_column
                    else "cast(null as varchar)")
    for label, read, held, repeated, organisations, first in _execute(con,
            f"""select _source_file, count(*), count(_rule), count(*) filter (where list_contains($repeated, _rule)),
                       count(distinct org) filter (where _rule is null), min(org) filter (where _rule is null)
                from (select _source_file, _rule, {organisation} as org from _checked
                      union all select _source_file, 'malformed', null from _malformed)
                group by 1""", {"repeated": list(REPEATED_RULES)}).fetchall():
        counts[label] = [int(read), int(read) - int(held), int(held)]
        facts[label] = FileFacts(int(read), int(repeated), first if organisations == 1 else None)


@dataclass(frozen=True)
class FileToCheck:
    """A delivery whose header passed, and the trust mapping it is read under (if any)."""

    delivery: Delivery
    mapping: TrustMapping | None = None


def checked_files(contract: Contract, deliveries: list[Delivery],
                  mappings: dict[str, TrustMapping] | None = None) -> list[FileToCheck]:
    """Each delivery with its trust's mapping, after its header check (SourceFileError if one fails)."""
    files = [FileToCheck(d, mapping_for(d.path, mappings or {})) for d in deliveries]
    for file in files:
        check_header(file.delivery.path, contract, file.mapping)
    return files


def _map_values(con, contract: Contract, batch: list[tuple[int, FileToCheck]]) -> None:
    """A trust's local labels become the contract's codes before any rule reads them; a label the
    mapping does not name is left for the rules to judge."""
    for index, file in batch:
        for name, labels in (file.mapping.values.items() if file.mapping else ()):
            column = quoted(contract.column(name).name)
            _execute(con,
                f"""update _stage set {column} = coalesce($codes[list_position($labels, upper(trim({column})))], {column})
                where _file_index = $index""",
                {"labels": list(labels), "codes": list(labels.values()), "index": index})


def check_batches(con, contract: Contract, files: list[FileToCheck],
                  params: _Params | None = None) -> Iterator[None]:
    """Stage, map and check the files batch by batch; at each step `_checked` (staged rows with the
    rule each broke, if any) and `_malformed` hold the batch's rows. Landing keeps them, validation
    (validation.py) only counts them: one path, so their verdicts cannot differ. `params` collects
    the rules' bound values (landing passes the ones its typed insert needs too)."""
    params = _Params() if params is None else params
    _create_work_tables(con, contract)
    indexed = list(enumerate(files))
    position = 0
    for batch in _batches([f.delivery for f in files]):
        chunk = indexed[position:position + len(batch)]
        position += len(batch)
        try:
            _stage_batch(con, contract, [(index, f.delivery) for index, f in chunk])
        except duckdb.Error as error:
            names = ", ".join(str(f.delivery.path) for _, f in chunk)
            raise SourceFileError(
                f"{names}: DuckDB could not read the file(s) as {contract.encoding} CSV "
                f"(contract {contract.name} v{contract.version}): {error}"
            ) from error
        _map_values(con, contract, chunk)
        _apply_row_rules(con, contract, params)
        yield


def _land_new_files(con, contract: Contract, plan: DeliveryPlan, files: list[FileToCheck], params: _Params,
                    loaded_at: datetime, facts: dict[str, FileFacts]) -> dict[str, list[int]]:
    """Stage, check and type every file to land, batch by batch; returns label -> [read, landed,
    quarantined] and fills `facts` for the completeness checks."""
    counts: dict[str, list[int]] = {}
    for _ in check_batches(con, contract, files, params):
        _keep_checked_rows(con, contract, params, loaded_at)
        count_batch(con, contract, counts, facts)
    # a file of a header only has no rows to tell its trust: it is the trust's whose file it replaces
    replaced = {w.label: w.organisation for w in plan.withdraw}
    for delivery in plan.land:
        facts.setdefault(delivery.label, FileFacts(0, 0, replaced.get(delivery.label)))
    return counts


def _record_load(con, load: SourceLoad, run_id: str, loaded_at: datetime) -> None:
    con.execute(
        f"delete from {AUDIT_SCHEMA}.source_load where run_id = $run_id and source = $source",
        {"run_id": run_id, "source": load.source},
    )
    rows = [(run_id, load.source, load.contract_version, f.path, f.sha256, f.size_bytes,
             f.rows_read, f.rows_landed, f.rows_quarantined, loaded_at) for f in load.files]
    if rows:
        con.executemany(f"insert into {AUDIT_SCHEMA}.source_load values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _quarantine_by_rule(con, contract: Contract) -> dict[str, int]:
    return dict(con.execute(
        f"select _rule, count(*) from {RAW_SCHEMA}.{contract.quarantine_table} group by 1 order by 1").fetchall())


def _withdraw(con, contract: Contract, labels: list[str]) -> None:
    """Quarantined and superseded rows of withdrawn deliveries leave; their current rows are taken
    out by supersession, which needs their keys to bring back what they superseded."""
    for table in (contract.quarantine_table, superseded_table(contract)):
        con.execute(f"delete from {RAW_SCHEMA}.{table} where list_contains(?, _source_file)", [labels])


def land_source(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    files: list[Path],
    *,
    key: bytes,
    run_id: str,
    loaded_at: datetime,
    label_root: Path | None = None,
    full_refresh: bool = False,
    mappings: dict[str, TrustMapping] | None = None,
    trusts_left: Collection[str] = (),
) -> SourceLoad:
    """Bring the source's tables in line with the files in its folder now; raise SourceFileError if a
    file to land cannot be read at all, or the deliveries are not complete (completeness.py: a trust's
    file missing, a fall in volume, an extract sent twice); then nothing of the source changes.
    `mappings` (trust -> mapping, mappings.py) say how a trust's own headings and labels read as the
    contract's; `trusts_left`: organisations declared to have left, whose missing files are simply withdrawn."""
    _ensure_schemas(con)
    labels = [str(path.relative_to(label_root)) if label_root else str(path) for path in files]
    con.execute("begin transaction")
    try:
        reset = _ensure_raw_tables(con, contract, full_refresh)
        known = landed_files(con, contract.name)
        deliveries = fingerprint_files(files, labels, known, rehash=full_refresh)
        plan = plan_deliveries(contract.name, deliveries, known)
        files_to_land = checked_files(contract, plan.land, mappings)
        load = SourceLoad(contract.name, contract.version, kept=[k.label for k in plan.keep],
                          withdrawn=[w.label for w in plan.withdraw], duplicates=plan.duplicates, reset=reset)
        refresh_mtimes(con, contract.name, [d for d in deliveries if d.label in set(load.kept)])
        if plan.changes_anything:
            _withdraw(con, contract, load.withdrawn)
            facts: dict[str, FileFacts] = {}
            counts = _land_new_files(con, contract, plan, files_to_land, _Params(hmac_parameters(key)), loaded_at, facts)
            fault = delivery_fault(con, contract, plan, facts, Path(label_root or "/"), trusts_left)
            if fault:
                raise SourceFileError(fault)
            apply_supersession(con, contract, withdrawn=load.withdrawn, run_id=run_id)
            if reset or contract.location == "bundled":
                record_everything_changed(con, contract, run_id)
            load.files = [FileLoad(d.label, d.sha256, d.size_bytes, *counts.get(d.label, [0, 0, 0]))
                          for d in plan.land]
            record_landed(con, contract.name, [(d, *counts.get(d.label, [0, 0, 0])) for d in plan.land],
                          plan.withdraw, run_id, loaded_at, {label: f.organisation for label, f in facts.items()})
            _record_load(con, load, run_id, loaded_at)
        load.quarantine_by_rule = _quarantine_by_rule(con, contract)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return load
