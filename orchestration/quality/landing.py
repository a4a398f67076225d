"""Land a source's files into `raw.<source>` under its contract, quarantining bad rows.

Every file is read by DuckDB's CSV reader as text, so nothing is lost to a failed cast; malformed
lines are captured by the reader's reject tables. Each row is then checked against the contract's
row-level rules; rows that break one go to `raw.<source>__quarantine` with the rule and a reason,
the rest are cast to the contract's types and landed. Per file, rows read = landed + quarantined is
recorded in `audit.source_load`.

SQL here is assembled only from identifiers checked by the contract loader (lower snake_case) and
fixed type names; every value (paths, patterns, code lists, bounds, reason texts) is bound.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.quality.contracts import DECIMAL_TYPE, Column, Contract
from orchestration.quality.pseudonymise import hmac_parameters, hmac_sql
from orchestration.quality.reference_values import KEY_SEPARATOR, reference_keys

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
    source: str
    contract_version: str
    files: list[FileLoad] = field(default_factory=list)
    quarantine_by_rule: dict[str, int] = field(default_factory=dict)

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


def source_files(contract: Contract, landing_dir: Path, reference_dir: Path) -> list[Path]:
    root = landing_dir if contract.location == "landing" else reference_dir
    files = sorted(p for p in root.glob(contract.path_glob) if p.is_file())
    if not files:
        raise SourceFileError(
            f"{root / contract.path_glob}: no file found for source {contract.name} "
            f"(contract {contract.name} v{contract.version})"
        )
    return files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def check_header(path: Path, contract: Contract) -> None:
    """Fail the file when its columns are not exactly the contract's."""
    where = f"contract {contract.name} v{contract.version}"
    if path.stat().st_size == 0:
        raise SourceFileError(f"{path}: the file is empty; {where} expects a header row and data")
    header = read_header(path, contract)
    expected = [c.source_name for c in contract.columns]
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
    missing = [c for c in expected if c not in found]
    extra = [h for h in found if h not in expected]
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(repr(c) for c in missing))
    if extra:
        problems.append("unexpected column(s) " + ", ".join(repr(c) for c in extra))
    problems += [f"{h!r} appears {found.count(h)} times" for h in dict.fromkeys(found) if found.count(h) > 1]
    # Rows are read by position: the right names in another order would land values in the wrong columns.
    if not problems and found != expected:
        problems.append("columns are in a different order")
    if problems:
        raise SourceFileError(f"{path}: {'; '.join(problems)} — {where} expects {expected}")


# ---------------------------------------------------------------------------------------------
# SQL fragments built from one contract column


def _quoted(name: str) -> str:
    return f'"{name}"'


def _present(col: Column) -> str:
    return f"nullif(trim({_quoted(col.name)}), '')"


def typed_sql(col: Column) -> str:
    """The value cast to the contract type (NULL when absent or not castable)."""
    raw = _quoted(col.name)
    if col.landing_type == "VARCHAR":
        if col.pseudonymise:
            return f"case when {_present(col)} is not null then {hmac_sql(f'lower(trim({raw}))')} end"
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
    return f"list_contains($nulls_{col.name}, trim({_quoted(col.name)}))"


def value_sql(col: Column) -> str | None:
    """The value rules compare and staging casts to: the typed value, or for a number carried as
    text (castTo) that text cast to its type, NULL for a null marker. None for plain text."""
    if col.cast_to:
        text = f"trim({_quoted(col.name)})"
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
    present, raw, value = _present(col), _quoted(col.name), value_sql(col)
    shown = "''" if col.pseudonymise else f"' (value ' || {present} || ')'"

    def reason(text: str) -> str:
        return f"{params.bind(f'msg_{len(params)}', text)} || {shown}"

    rules = []
    if col.required:
        rules.append(RuleSql(f"required:{col.name}", f"{present} is null",
                             params.bind(f"msg_{len(params)}", f"{col.name} is missing")))
    if col.date_format and col.is_temporal:
        params[f"fmt_{col.name}"] = col.date_format
    if col.null_values:
        params[f"nulls_{col.name}"] = list(col.null_values)
    if value is not None:
        rules.append(RuleSql(f"type:{col.name}",
                             f"{present} is not null and not {_is_null_marker(col)} and {value} is null",
                             reason(_type_message(col))))
    if col.pattern:
        pattern = params.bind(f"pattern_{col.name}", col.pattern)
        rules.append(RuleSql(f"pattern:{col.name}",
                             f"{present} is not null and not regexp_full_match(trim({raw}), {pattern})",
                             reason(f"{col.name} does not match {col.pattern}")))
    if col.valid_values:
        values = params.bind(f"values_{col.name}", [v.strip().upper() for v in col.valid_values])
        rules.append(RuleSql(f"valid_values:{col.name}",
                             f"{present} is not null and not list_contains({values}, upper(trim({raw})))",
                             reason(f"{col.name} is not in the contract code list")))
    for bound, op, word in ((col.minimum, "<", "minimum"), (col.maximum, ">", "maximum")):
        if bound is None:
            continue
        name = f"{word}_{col.name}"
        limit = "current_date" if bound == "today" else f"cast({params.bind(name, str(bound))} as {col.value_type})"
        rules.append(RuleSql(f"{word}:{col.name}", f"{value} {op} {limit}",
                             reason(f"{col.name} is outside the {word} {bound}")))
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
                                     f"{message} || {shown}"))
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
        ))
    return rules


def one_value_per_file_rules(contract: Contract, params: _Params) -> list[RuleSql]:
    """A trust extract is one trust's: the file's value is the one more than half of its rows carry
    (trimmed, upper case); a row with another value, or any row of a file without such a value, is held."""
    rules = []
    for col in contract.columns:
        if not col.one_value_per_file:
            continue
        present, value = _present(col), f"upper(trim({_quoted(col.name)}))"
        # Per file index, its majority value: one hash aggregate over the staged rows (windows over
        # every row cost a quarter of the landing time of a million-row source).
        file_value = f"""(select map(list(file), list(value)) from (
                select _file_index as file, {value} as value, count(*) as rows,
                       sum(count(*)) over (partition by _file_index) as file_rows
                from _stage where {present} is not null group by _file_index, {value}
            ) where 2 * rows > file_rows)[_file_index]"""
        other = params.bind(f"msg_{len(params)}", f"{col.name} differs from ")
        none = params.bind(f"msg_{len(params)}", f"{col.name}: no value is on more than half of this file's rows")
        tail = params.bind(f"msg_{len(params)}", ", the value on more than half of this file's rows")
        shown = f"' (value ' || {present} || ')'"  # never an identifier: the loader refuses those
        rules.append(RuleSql(
            f"one_value_per_file:{col.name}",
            f"{present} is not null and {value} is distinct from {file_value}",
            f"case when {file_value} is null then {none} else {other} || {file_value} || {tail} end || {shown}",
        ))
    return rules


def key_sql(col: Column) -> str:
    """How a key column is compared when looking for repeated keys: as its later use compares it
    (identifiers lower-cased like their HMAC input, codes upper-cased like staging does)."""
    if col.landing_type != "VARCHAR":
        return typed_sql(col)
    if col.pseudonymise:
        return f"lower(trim({_quoted(col.name)}))"
    if col.valid_values:
        return f"upper(trim({_quoted(col.name)}))"
    return f"trim({_quoted(col.name)})"


# ---------------------------------------------------------------------------------------------
# Landing


def _ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(f"create schema if not exists {AUDIT_SCHEMA}")
    _execute(con,
        f"""create table if not exists {AUDIT_SCHEMA}.source_load (
            run_id varchar, source varchar, contract_version varchar, file_path varchar,
            sha256 varchar, size_bytes bigint, rows_read bigint, rows_landed bigint,
            rows_quarantined bigint, loaded_at timestamp)"""
    )


def _stage_file(con, contract: Contract, path: Path, index: int, label: str) -> None:
    """Append one file's rows (as text) to _stage and its malformed lines to _malformed."""
    columns = {c.name: "VARCHAR" for c in contract.columns}
    con.execute("drop table if exists _rejects_errors; drop table if exists _rejects_scans")
    _execute(con,
        """insert into _stage by name
        select $index as _file_index, $label as _source_file, row_number() over () as _seq, *
        from read_csv($path, header = $header, all_varchar = true, auto_detect = false,
                      columns = $columns, delim = $delim, quote = '"', escape = '"',
                      encoding = $encoding, store_rejects = true, ignore_errors = true,
                      rejects_table = '_rejects_errors', rejects_scan = '_rejects_scans')""",
        {"index": index, "label": label, "path": str(path), "header": contract.header,
         "columns": columns, "delim": contract.delimiter, "encoding": contract.encoding},
    )
    header_rows = 1 if contract.header else 0
    # One line can raise several errors (one per missing field): keep the first per line.
    _execute(con,
        """insert into _malformed
        select $index, $label, line - $header_rows,
               arg_min(error_type || ': ' || error_message, coalesce(column_idx, -1)),
               any_value(csv_line)
        from _rejects_errors group by line""",
        {"index": index, "label": label, "header_rows": header_rows},
    )
    _number_staged_rows(con, index)


def _number_staged_rows(con, index: int) -> None:
    """Give the k-th good row its row number in the file: the k-th number not taken by a reject."""
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


def _create_work_tables(con, contract: Contract) -> None:
    cols = ", ".join(f"{_quoted(c.name)} varchar" for c in contract.columns)
    _execute(con,
        f"""create or replace temp table _stage (_file_index integer, _source_file varchar,
            _seq bigint, _row_number bigint, {cols})"""
    )
    _execute(con,
        """create or replace temp table _malformed (_file_index integer, _source_file varchar,
            _row_number bigint, _reason varchar, _raw_line varchar)"""
    )


def _apply_row_rules(con, contract: Contract, params: _Params) -> None:
    """_checked = _stage + the first broken rule and every reason, then repeated keys."""
    rules = [r for c in contract.columns for r in column_rules(c, params)]
    rules += cross_column_rules(contract, params)
    first_rule = " ".join(
        f"when {r.condition} then {params.bind(f'rule_{i}', r.name)}" for i, r in enumerate(rules))
    reasons = ", ".join(f"case when {r.condition} then {r.reason} end" for r in rules)
    _execute(con,
        f"""create or replace temp table _checked as
        select *, case {first_rule or "when false then ''"} end as _rule,
               {f"concat_ws('; ', {reasons})" if rules else "cast(null as varchar)"} as _reason
        from _stage""",
        params,
    )
    _mark_repeated_keys(con, contract, params)


def _mark_repeated_keys(con, contract: Contract, params: _Params) -> None:
    if not contract.primary_key:
        return
    keys = ", ".join(key_sql(contract.column(k)) for k in contract.primary_key)
    everything = ", ".join(_quoted(c.name) for c in contract.columns)
    _execute(con,
        f"""update _checked set _rule = dup.rule, _reason = dup.reason
        from (
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
                from _checked where _rule is null
                window w as (partition by {keys} order by _file_index, _row_number)
            ) where occurrence > 1
        ) dup
        where _checked._file_index = dup._file_index and _checked._row_number = dup._row_number""",
        {**params, "key_repeats": f"primary key ({', '.join(contract.primary_key)}) repeats "},
    )


def _publish_raw_tables(con, contract: Contract, params: _Params, loaded_at: datetime) -> None:
    typed = ", ".join(f"{typed_sql(c)} as {_quoted(c.name)}" for c in contract.columns)
    text = ", ".join(
        (f"{typed_sql(c)} as {_quoted(c.name)}" if c.pseudonymise else _quoted(c.name))
        for c in contract.columns
    )
    keeps_raw_line = not any(c.pseudonymise for c in contract.columns)
    params["loaded_at"] = loaded_at
    table = f"{RAW_SCHEMA}.{contract.table}"
    quarantine = f"{RAW_SCHEMA}.{contract.quarantine_table}"
    _execute(con,
        f"""create or replace table {table} as
        select {typed}, c._source_file, f._source_sha256, c._row_number,
               cast($loaded_at as timestamp) as _loaded_at
        from _checked c join _files f using (_file_index)
        where c._rule is null order by c._file_index, c._row_number""",
        params,
    )
    _execute(con,
        f"""create or replace table {quarantine} as
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


def _count_by_file(con, contract: Contract, load: SourceLoad) -> None:
    table = f"{RAW_SCHEMA}.{contract.table}"
    quarantine = f"{RAW_SCHEMA}.{contract.quarantine_table}"
    landed = dict(con.execute(f"select _source_file, count(*) from {table} group by 1").fetchall())
    held = dict(con.execute(f"select _source_file, count(*) from {quarantine} group by 1").fetchall())
    read = dict(_execute(con,
        """select _source_file, sum(n) from (
             select _source_file, count(*) n from _stage group by 1
             union all select _source_file, count(*) from _malformed group by 1) group by 1"""
    ).fetchall())
    for f in load.files:
        f.rows_read = int(read.get(f.path, 0))
        f.rows_landed = int(landed.get(f.path, 0))
        f.rows_quarantined = int(held.get(f.path, 0))
    load.quarantine_by_rule = dict(
        con.execute(f"select _rule, count(*) from {quarantine} group by 1 order by 1").fetchall()
    )


def _record_load(con, load: SourceLoad, run_id: str, loaded_at: datetime) -> None:
    con.execute(
        f"delete from {AUDIT_SCHEMA}.source_load where run_id = $run_id and source = $source",
        {"run_id": run_id, "source": load.source},
    )
    con.executemany(
        f"insert into {AUDIT_SCHEMA}.source_load values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, load.source, load.contract_version, f.path, f.sha256, f.size_bytes,
             f.rows_read, f.rows_landed, f.rows_quarantined, loaded_at)
            for f in load.files
        ],
    )


def land_source(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    files: list[Path],
    *,
    key: bytes,
    run_id: str,
    loaded_at: datetime,
    label_root: Path | None = None,
) -> SourceLoad:
    """Land all of a source's files; raise SourceFileError if any file cannot be read at all."""
    for path in files:
        check_header(path, contract)
    _ensure_schemas(con)
    _create_work_tables(con, contract)
    con.execute("create or replace temp table _files (_file_index integer, _source_sha256 varchar)")
    load = SourceLoad(contract.name, contract.version)
    for index, path in enumerate(files):
        label = str(path.relative_to(label_root)) if label_root else str(path)
        digest = file_sha256(path)
        load.files.append(FileLoad(label, digest, path.stat().st_size))
        con.execute("insert into _files values ($i, $d)", {"i": index, "d": digest})
        try:
            _stage_file(con, contract, path, index, label)
        except duckdb.Error as error:
            raise SourceFileError(
                f"{path}: DuckDB could not read the file as {contract.encoding} CSV "
                f"(contract {contract.name} v{contract.version}): {error}"
            ) from error
    params = _Params(hmac_parameters(key))
    con.execute("begin transaction")
    try:
        _apply_row_rules(con, contract, params)
        _publish_raw_tables(con, contract, params, loaded_at)
        _count_by_file(con, contract, load)
        _record_load(con, load, run_id, loaded_at)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return load
