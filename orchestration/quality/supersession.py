"""Current and superseded rows across deliveries, and what changed for the incremental rebuild.

Rows of one source with the same organisation and primary key may come in several deliveries (a
corrected history, a monthly extract that closes a version or progresses an application). The row of
the latest delivery (by file name) is current, in `raw.<source>`; the others are kept, with the file
that superseded them, in `raw.<source>__superseded`. Only keys touched by this run (in a new delivery
or in a withdrawn one) are re-decided.

Comparing each touched key's current row before and after gives the *change scope*: per organisation,
the earliest date whose figures may differ, written to `audit.change_scope` for dbt's incremental
models. A row placed in time by the contract's period column changes figures from that date; a row
whose only changes are to its end columns (a version closed or reopened, a person's termination, a
case's formal start or closure) changes them from the earliest old or new value of an end date that
changed (a reason or status sent with it describes that end: a leaver's history re-sent with the
leaving date does not move the versions that ended years before), or, when only text end columns
changed, from the earliest end date of the two versions; a
row re-sent identical as figures see it (codes compared upper-cased, text trimmed, as keys are)
changes nothing.

SQL is assembled only from contract identifiers checked by the contract loader; values are bound.
"""

from __future__ import annotations

import duckdb

from orchestration.identifiers import quoted
from orchestration.quality.contracts import Column, Contract

RAW_SCHEMA = "raw"
CHANGE_SCOPE = "audit.change_scope"
EVERYTHING = "0001-01-01"  # affected_from of a change that cannot be placed in time
ANY_ORGANISATION = "*"


def superseded_table(contract: Contract) -> str:
    return f"{contract.name}__superseded"


def landed_key_sql(col: Column) -> str:
    """A key column of a landed (typed) row, compared as landing compares keys: identifiers are
    already normalised HMACs, codes compared upper-cased, other text trimmed."""
    name = quoted(col.name)
    if col.landing_type != "VARCHAR" or col.pseudonymise:
        return name
    return f"upper(trim({name}))" if col.valid_values else f"trim({name})"


def _key_columns(contract: Contract) -> list[tuple[str, str]]:
    """(alias, expression) of the supersession key: the organisation, then the primary key."""
    keys = [(f"_k{i}", landed_key_sql(contract.column(name))) for i, name in enumerate(contract.primary_key)]
    if contract.organisation_column:
        keys.insert(0, ("_k_org", f"upper(trim({quoted(contract.organisation_column)}))"))
    return keys


def _period_sql(contract: Contract, name: str | None) -> str:
    if name is None:
        return f"cast('{EVERYTHING}' as date)"
    col = contract.column(name)
    if col.landing_type == "INTEGER":  # a calendar year
        return f"make_date({quoted(name)}, 1, 1)"
    return f"cast({quoted(name)} as date)"


def ensure_change_scope_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists audit")
    con.execute(f"""create table if not exists {CHANGE_SCOPE} (run_id varchar, source varchar,
                    organisation_code varchar, affected_from date)""")


def _qualify(expr: str, alias: str) -> str:
    """Prefix every quoted column of a key expression with a table alias."""
    out, inside, token = [], False, ""
    for char in expr:
        if char == '"':
            if inside:
                out.append(f'{alias}."{token}"')
                token = ""
            inside = not inside
        elif inside:
            token += char
        else:
            out.append(char)
    return "".join(out)


NEVER = "date '9999-12-31'"


def _end_dates(contract: Contract) -> list[str]:
    """The period-end columns that are dates."""
    return [c.name for c in contract.columns if c.name in contract.period_end_columns and c.is_temporal]


def _least(dates: list[str]) -> str:
    if not dates:
        return NEVER
    return dates[0] if len(dates) == 1 else f"least({', '.join(dates)})"


def _period_end_sql(contract: Contract, alias: str) -> str:
    """The earliest of the row's end dates (none: 9999-12-31)."""
    return _least([f"coalesce(cast({alias}.{quoted(c)} as date), {NEVER})" for c in _end_dates(contract)])


def _changed_end_date_sql(contract: Contract) -> str:
    """Between the versions after (a) and before (b): the earliest old or new value of an end date that
    changed (none changed: 9999-12-31)."""
    return _least([f"case when a._end_{i} is distinct from b._end_{i} "
                   f"then least(coalesce(a._end_{i}, {NEVER}), coalesce(b._end_{i}, {NEVER})) else {NEVER} end"
                   for i, _ in enumerate(_end_dates(contract))])


def _organisation_sql(contract: Contract, alias: str) -> str:
    return (f"upper(trim({alias}.{quoted(contract.organisation_column)}))" if contract.organisation_column
            else f"'{ANY_ORGANISATION}'")


def _row_period_sql(contract: Contract, alias: str) -> str:
    return _qualify(_period_sql(contract, contract.period_column), alias)


def _row_facts(contract: Contract, alias: str) -> str:
    """Per row: the key, organisation, period, period end, and hashes with and without the end columns.
    The hashes see values as figures do (landed_key_sql): a row re-sent with a code in another case or
    text with other spaces round it is the same row, so it cannot date a change from its period."""
    values = {c.name: _qualify(landed_key_sql(c), alias) for c in contract.columns}
    rest = [expr for name, expr in values.items() if name not in contract.period_end_columns]
    end = _period_end_sql(contract, alias)
    end_dates = "".join(f"cast({alias}.{quoted(c)} as date) as _end_{i}, "
                        for i, c in enumerate(_end_dates(contract)))
    return (f"{_organisation_sql(contract, alias)} as _org, {_row_period_sql(contract, alias)} as _period, "
            f"{end} as _period_end, {end_dates}"
            f"hash({', '.join(values.values())}) as _full_hash, "
            f"hash({', '.join(rest)}) as _rest_hash")


def apply_supersession(con: duckdb.DuckDBPyConnection, contract: Contract, *, withdrawn: list[str],
                       run_id: str) -> None:
    """Decide the current row of every key touched by this run's new rows (temp table _landed) or by
    its withdrawn deliveries, move the rows accordingly, and record the change scope."""
    ensure_change_scope_table(con)
    raw, superseded = f"{RAW_SCHEMA}.{contract.table}", f"{RAW_SCHEMA}.{superseded_table(contract)}"
    if not contract.primary_key:
        _replace_keyless_rows(con, contract, withdrawn, run_id)
        return
    keys = _key_columns(contract)
    # Nothing held yet (a first landing, a full refresh): only this run's deliveries can contest a key
    if not con.execute(f"select exists (from {raw}) or exists (from {superseded})").fetchone()[0]:
        _land_into_empty_tables(con, contract, keys, run_id)
        return
    key_select = ", ".join(f"{expr} as {alias}" for alias, expr in keys)
    aliases = ", ".join(alias for alias, _ in keys)
    columns = ", ".join(_raw_columns(contract))
    params = {"withdrawn": withdrawn}
    same_key = " and ".join(f"k.{alias} is not distinct from c.{alias}" for alias, _ in keys)

    con.execute(f"""create or replace temp table _touched as
        select distinct {key_select} from _landed
        union select distinct {key_select} from {raw} where list_contains($withdrawn, _source_file)""", params)

    def on(table: str) -> str:
        """Rows of `table` whose key is touched (joined with _touched as t)."""
        return " and ".join(f"{_qualify(expr, table)} is not distinct from t.{alias}" for alias, expr in keys)

    con.execute(f"""create or replace temp table _before as
        select {_row_facts(contract, 'r')}, {', '.join(f'{_qualify(e, "r")} as {a}' for a, e in keys)},
               r._source_file
        from {raw} r semi join _touched t on {on('r')}""")
    con.execute(f"""create or replace temp table _pool as
        with pooled as (
            select {columns} from _landed
            union all
            select {columns} from {raw} r semi join _touched t on {on('r')}
            where not list_contains($withdrawn, r._source_file)
            union all
            select {columns} from {superseded} s semi join _touched t on {on('s')}
        )
        , keyed as not materialized (select *, {key_select} from pooled),
        -- most keys come in one delivery only: a hash aggregate finds the others (a window over
        -- every row sorted them all)
        contested as (select {aliases}, max(_source_file) as _winner from keyed group by all having count(*) > 1)
        select k.*, coalesce(c._winner, k._source_file) as _winner
        from keyed k left join contested c on {same_key}""", params)
    con.execute(f"delete from {raw} r using _touched t where {on('r')}")
    con.execute(f"delete from {superseded} s using _touched t where {on('s')}")
    con.execute(f"insert into {raw} select {columns} from _pool where _source_file = _winner "
                "order by _source_file, _row_number")
    con.execute(f"insert into {superseded} select {columns}, _winner from _pool where _source_file <> _winner "
                "order by _source_file, _row_number")
    _record_change_scope(con, contract, keys, run_id)


def _land_into_empty_tables(con: duckdb.DuckDBPyConnection, contract: Contract, keys: list[tuple[str, str]],
                            run_id: str) -> None:
    """apply_supersession when nothing is held: the same rows and change scope without pooling every new
    row and hashing it for the change scope (76 of 210 s of national training records). Only this run's
    deliveries can contest a key (the latest wins), and with no row before, each organisation changed
    from the earliest period of its rows."""
    raw, superseded = f"{RAW_SCHEMA}.{contract.table}", f"{RAW_SCHEMA}.{superseded_table(contract)}"
    landed = ", ".join(f"l.{name}" for name in _raw_columns(contract))
    order = "order by l._source_file, l._row_number"
    # A contested key's organisation came in more than one file: usually none did, and the keys of the
    # others are not grouped at all (grouping every key was 25 of 139 s of national training records).
    several_files = ("where _k_org in (select _k_org from (select distinct _k_org, _source_file from keyed) "
                     "group by all having count(*) > 1)" if contract.organisation_column else "")
    keyed = f"select {', '.join(f'{expr} as {alias}' for alias, expr in keys)}, _source_file from _landed"
    con.execute(f"""create or replace temp table _contested as
        with keyed as not materialized ({keyed})
        select {', '.join(alias for alias, _ in keys)}, max(_source_file) as _winner
        from keyed {several_files} group by all having count(*) > 1""")
    if con.execute("select exists (from _contested)").fetchone()[0]:
        same_key = " and ".join(f"{_qualify(expr, 'l')} is not distinct from c.{alias}" for alias, expr in keys)
        joined = f"from _landed l left join _contested c on {same_key}"
        con.execute(f"insert into {raw} select {landed} {joined} "
                    f"where l._source_file = coalesce(c._winner, l._source_file) {order}")
        con.execute(f"insert into {superseded} select {landed}, c._winner {joined} "
                    f"where l._source_file <> c._winner {order}")
    else:  # the usual case: every key in one delivery
        con.execute(f"insert into {raw} select {landed} from _landed l {order}")
    con.execute("delete from audit.change_scope where run_id = ? and source = ?", [run_id, contract.name])
    con.execute(f"""insert into {CHANGE_SCOPE}
        select ?, ?, _org, min(_period) from (
            select {_organisation_sql(contract, 'r')} as _org, {_row_period_sql(contract, 'r')} as _period
            from {raw} r)
        where _period is not null group by _org""", [run_id, contract.name])


def _raw_columns(contract: Contract) -> list[str]:
    """The columns of raw.<source>, in order: the contract's, then where each row came from."""
    return [quoted(c.name) for c in contract.columns] + ["_source_file", "_source_sha256", "_row_number", "_loaded_at"]


def record_everything_changed(con: duckdb.DuckDBPyConnection, contract: Contract, run_id: str) -> None:
    """The whole warehouse may differ (public reference data changed, or the source was reloaded):
    every organisation, from the beginning."""
    ensure_change_scope_table(con)
    con.execute("insert into audit.change_scope values (?, ?, ?, cast(? as date))",
                [run_id, contract.name, ANY_ORGANISATION, EVERYTHING])


def _replace_keyless_rows(con: duckdb.DuckDBPyConnection, contract: Contract, withdrawn: list[str],
                          run_id: str) -> None:
    """Without a primary key no row supersedes another: withdrawn rows leave, new rows come in, and
    each changes figures from its own period."""
    raw = f"{RAW_SCHEMA}.{contract.table}"
    columns = ", ".join(_raw_columns(contract))
    con.execute(f"""create or replace temp table _changed as
        select {_row_facts(contract, 'r')} from {raw} r where list_contains(?, r._source_file)
        union all select {_row_facts(contract, 'l')} from _landed l""", [withdrawn])
    con.execute(f"delete from {raw} where list_contains(?, _source_file)", [withdrawn])
    con.execute(f"insert into {raw} select {columns} from _landed order by _source_file, _row_number")
    con.execute("delete from audit.change_scope where run_id = ? and source = ?", [run_id, contract.name])
    con.execute(f"""insert into {CHANGE_SCOPE} select ?, ?, _org, min(_period) from _changed group by _org""",
                [run_id, contract.name])


def _record_change_scope(con: duckdb.DuckDBPyConnection, contract: Contract, keys: list[tuple[str, str]],
                         run_id: str) -> None:
    aliases = ", ".join(alias for alias, _ in keys)
    joined = " and ".join(f"b.{alias} is not distinct from a.{alias}" for alias, _ in keys)
    con.execute(f"""create or replace temp table _after as
        select {_row_facts(contract, 'p')}, {aliases} from _pool p where p._source_file = p._winner""")
    con.execute("delete from audit.change_scope where run_id = ? and source = ?", [run_id, contract.name])
    con.execute(f"""insert into {CHANGE_SCOPE}
        select ?, ?, organisation_code, min(affected_from) from (
            select coalesce(a._org, b._org) as organisation_code,
                   case
                       when b._org is null then a._period
                       when a._org is null then b._period
                       when a._full_hash = b._full_hash then null
                       -- only end columns changed (closed, left, progressed): from the earliest old or
                       -- new value of an end date that changed (a reason or status sent with it
                       -- describes that end); only text end columns: from the earliest end date of
                       -- either version; with no end date at all, from the period itself
                       when a._rest_hash = b._rest_hash and {_changed_end_date_sql(contract)} < {NEVER}
                           then {_changed_end_date_sql(contract)}
                       when a._rest_hash = b._rest_hash and least(a._period_end, b._period_end) < {NEVER}
                           then least(a._period_end, b._period_end)
                       else least(a._period, b._period)
                   end as affected_from
            from _after a full outer join _before b on {joined}
        ) where affected_from is not null
        group by organisation_code""", [run_id, contract.name])
