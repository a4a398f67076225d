"""The physical limit: the same work as a refresh with none of the machinery, in one DuckDB connection.

1. plain `read_csv` of the same landing and bundled files into `raw.<source>` (the contract's types,
   identifiers HMAC'd as landing does: that is work the warehouse must do, not machinery);
2. the seeds read the same way;
3. the compiled SQL of every dbt model (from a `dbt compile` against an empty database, so every
   incremental model compiles to its full build) executed in dependency order.

No row rules, quarantine, tests, Great Expectations, Dagster or publishing.

    .venv/bin/python benchmarks/baseline.py --landing /tmp/landing --db /tmp/baseline.duckdb
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import yaml

from orchestration.quality.contracts import load_contracts
from orchestration.quality.landing import typed_sql
from orchestration.quality.pseudonymise import hmac_parameters
from orchestration.quality.supersession import ensure_change_scope_table
from orchestration.settings import (
    DBT_EXECUTABLE, DBT_PROJECT_DIR, DEMO_PSEUDONYMISATION_KEY, REFERENCE_DATA_DIR, load_settings,
)


def compile_project(target_dir: Path) -> dict:
    """`dbt compile` against an empty database: incremental models compile to their full build.
    dbt attaches its database as `edi` (profiles.yml), so the compiled SQL names that catalog."""
    empty = target_dir / "empty.duckdb"
    subprocess.run(
        [DBT_EXECUTABLE, "compile", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target_dir / "target"), "--quiet"],
        check=True, env={**os.environ, "EDI_DUCKDB_PATH": str(empty)})
    return json.loads((target_dir / "target" / "manifest.json").read_text())


def load_raw(con: duckdb.DuckDBPyConnection, landing: Path) -> int:
    con.execute("create schema if not exists raw")
    ensure_change_scope_table(con)  # empty: the baseline is a full build
    rows = 0
    params = hmac_parameters(DEMO_PSEUDONYMISATION_KEY.encode())
    for contract in load_contracts().values():
        root = landing if contract.location == "landing" else REFERENCE_DATA_DIR
        files = sorted(str(p) for p in root.glob(contract.path_glob))
        columns = {c.name: "VARCHAR" for c in contract.columns}
        typed = ", ".join(f'{typed_sql(c)} as "{c.name}"' for c in contract.columns)
        for c in contract.columns:
            if c.date_format and c.is_temporal:
                params[f"fmt_{c.name}"] = c.date_format
        sql = (f"create or replace table raw.{contract.table} as select {typed}, filename as _source_file, "
               "'' as _source_sha256, cast(0 as bigint) as _row_number, current_localtimestamp() as _loaded_at "
               "from read_csv($files, header = $header, columns = $columns, delim = $delim, quote = '\"', "
               "escape = '\"', encoding = $encoding, filename = true, ignore_errors = true, auto_detect = false)")
        needed = {k: v for k, v in params.items() if f"${k}" in sql}
        con.execute(sql, {**needed, "files": files, "header": contract.header, "columns": columns,
                          "delim": contract.delimiter, "encoding": contract.encoding})
        rows += con.execute(f"select count(*) from raw.{contract.table}").fetchone()[0]
    return rows


def load_seeds(con: duckdb.DuckDBPyConnection, manifest: dict) -> None:
    for node in manifest["nodes"].values():
        if node["resource_type"] != "seed":
            continue
        con.execute(f"create schema if not exists {node['schema']}")
        path = DBT_PROJECT_DIR / node["original_file_path"]
        types = node["config"].get("column_types") or {}
        con.execute(f"create or replace table {node['schema']}.{node['name']} as "
                    "select * from read_csv(?, header = true, types = ?)", [str(path), types or None]
                    ) if types else con.execute(
            f"create or replace table {node['schema']}.{node['name']} as select * from read_csv(?, header = true)",
            [str(path)])


def build_in_batches(con: duckdb.DuckDBPyConnection, node: dict, source: dict) -> None:
    """A `table_in_batches` model as its materialization (dbt_project/macros/materializations/) builds
    it: the model's SQL reads the organisations of one batch from `<model>__batch`."""
    config, table = node["config"], f"{node['schema']}.{node['name']}"
    con.execute(f"create or replace table {table}__batches as select batch_value, "
                f"(dense_rank() over (order by batch_value) - 1) // $size as batch_no from (select distinct "
                f"{config['batch_column']} as batch_value from {source['schema']}.{source['name']})",
                {"size": config["batch_size"]})
    batches = con.execute(f"select count(distinct batch_no) from {table}__batches").fetchone()[0]
    for batch_no in range(max(batches, 1)):
        con.execute(f"create or replace table {table}__batch as "
                    f"select batch_value from {table}__batches where batch_no = $batch_no", {"batch_no": batch_no})
        if batch_no == 0:
            con.execute(f"create or replace table {table} as {node['compiled_code']}")
        else:
            con.execute(f"insert into {table} {node['compiled_code']}")
    con.execute(f"drop table {table}__batch")
    con.execute(f"drop table {table}__batches")


def run_models(con: duckdb.DuckDBPyConnection, manifest: dict) -> dict[str, float]:
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    graph = {uid: [d for d in n["depends_on"]["nodes"] if d in models] for uid, n in models.items()}
    seconds = {}
    for uid in TopologicalSorter(graph).static_order():
        node = models[uid]
        kind = node["config"]["materialized"]
        if kind == "ephemeral":
            continue
        con.execute(f"create schema if not exists {node['schema']}")
        relation = "view" if kind == "view" else "table"
        started = time.perf_counter()
        if kind == "table_in_batches":
            source = next(models[d] for d in graph[uid] if models[d]["name"] == node["config"]["batch_source"])
            build_in_batches(con, node, source)
        else:
            con.execute(f"create or replace {relation} {node['schema']}.{node['name']} as {node['compiled_code']}")
        seconds[node["name"]] = time.perf_counter() - started
        print(f"{seconds[node['name']]:8.2f}  {node['name']}", file=sys.stderr, flush=True)
    return seconds


def run_baseline(landing: Path, db: Path, memory_limit: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        manifest = compile_project(Path(scratch))
        compile_s = time.perf_counter() - started
    db.unlink(missing_ok=True)
    # the DuckDB settings the refresh's dbt build runs with (dbt_project/profiles.yml)
    with duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": "false",
                                "temp_directory": f"{db}.tmp"}) as con:
        con.execute("attach ? as edi", [str(db)])  # the catalog the compiled SQL names
        con.execute("use edi")
        started = time.perf_counter()
        rows = load_raw(con, landing)
        load_s = time.perf_counter() - started
        load_seeds(con, manifest)
        started = time.perf_counter()
        per_model = run_models(con, manifest)
        models_s = time.perf_counter() - started
    return {"rows_read": rows, "compile_s": compile_s, "load_s": load_s, "models_s": models_s,
            "total_s": load_s + models_s, "per_model_s": per_model, "size_bytes": db.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--memory-limit", default=load_settings().duckdb_memory_limit)
    parser.add_argument("--json", action="store_true", help="print only the result as JSON")
    args = parser.parse_args()
    result = run_baseline(args.landing, args.db, args.memory_limit)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "per_model_s"}))
        return
    slowest = sorted(result.pop("per_model_s").items(), key=lambda kv: -kv[1])[:15]
    print(json.dumps(result, indent=1))
    for name, seconds in slowest:
        print(f"{seconds:8.2f}  {name}")


if __name__ == "__main__":
    main()
