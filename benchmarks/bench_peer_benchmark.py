"""fct_peer_benchmark at national scale without a national refresh.

Builds a synthetic national input from a refreshed warehouse: its `fct_edi_measure` copied onto every
open English trust that has peers in `dim_trust_peer` (the source trusts' rows in turn, values nudged a
little per copy so that ranks are not all ties), beside the warehouse's own `dim_organisation`,
`dim_trust_peer` and `fct_gender_pay_gap_published`. Then runs each given compiled SQL of the model
(`dbt compile --select fct_peer_benchmark`; it names the catalog `edi`) in a child process with the
refresh's DuckDB settings, and prints rows, wall and CPU seconds (CPU is the fairer figure on a shared
machine), peak RSS and the most spill the temp folder held (polled every half second). A run is stopped
after --timeout seconds or past --max-spill-gb of spill.

    .venv/bin/python benchmarks/bench_peer_benchmark.py --warehouse warehouse/nhs_edi.duckdb \
        --db /tmp/peer/national.duckdb dbt_project/target/compiled/nhs_edi/models/marts/benchmarking/fct_peer_benchmark.sql
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

COPIED_AS_IS = ("dim_organisation", "dim_trust_peer", "fct_gender_pay_gap_published")
POLL_SECONDS = 0.5


def build_national_input(warehouse: Path, db: Path) -> dict:
    """The synthetic national marts in `db`; returns the trusts, measure rows and source trusts."""
    db.unlink(missing_ok=True)
    with duckdb.connect(str(db), config={"memory_limit": "4GB"}) as con:
        con.execute("attach ? as src (read_only)", [str(warehouse)])
        con.execute("create schema marts")
        for table in COPIED_AS_IS:
            con.execute(f"create table marts.{table} as select * from src.marts.{table}")
        con.execute("""
            create table marts.fct_edi_measure as
            with sources as (
                select organisation_code, row_number() over (order by organisation_code) - 1 as source_no
                from (select distinct organisation_code from src.marts.fct_edi_measure)
            ),
            targets as (
                select trust_code, row_number() over (order by trust_code) - 1 as target_no
                from (select distinct trust_code from src.marts.dim_trust_peer)
            ),
            assigned as (
                select t.trust_code, t.target_no, s.organisation_code as source_code
                from targets as t
                inner join sources as s on t.target_no % (select count(*) from sources) = s.source_no
            )
            select m.* replace (a.trust_code as organisation_code, m.value * (1 + (a.target_no % 13) / 1000.0) as value)
            from src.marts.fct_edi_measure as m
            inner join assigned as a on m.organisation_code = a.source_code
        """)
        trusts, rows = con.execute("select count(distinct organisation_code), count(*) "
                                   "from marts.fct_edi_measure").fetchone()
        sources = con.execute("select count(distinct organisation_code) from src.marts.fct_edi_measure").fetchone()[0]
        regions = con.execute("""
            select o.nhs_region_code, count(distinct m.organisation_code)
            from marts.fct_edi_measure as m inner join marts.dim_organisation as o on m.organisation_code = o.trust_code
            group by all order by all""").fetchall()
    return {"trusts": trusts, "measure_rows": rows, "source_trusts": sources, "regions": regions}


def run_model(db: Path, sql_path: Path, spill: Path, memory_limit: str) -> None:
    """In the child: the model's compiled SQL as a table, with the refresh's DuckDB settings."""
    with duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": "false",
                                "temp_directory": str(spill), "threads": 2}) as con:
        con.execute("attach ? as edi", [str(db)])
        con.execute(f"create or replace table edi.marts.fct_peer_benchmark as {sql_path.read_text()}")
        print(con.execute("select count(*) from edi.marts.fct_peer_benchmark").fetchone()[0])


def folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:  # a spill file removed while we looked
            pass
    return total


def measure(db: Path, sql_path: Path, spill: Path, memory_limit: str, timeout: float, max_spill: int) -> dict:
    """Rows, wall seconds, peak RSS (wait4) and peak spill of one run; stopped after `timeout` s or
    past `max_spill` bytes of spill (the old model filled a shared disk)."""
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir(parents=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--run", str(sql_path), "--db", str(db),
                              "--spill", str(spill), "--memory-limit", memory_limit],
                             stdout=subprocess.PIPE, text=True)
    peak_spill, stopped = 0, False
    # wait4 without blocking, so the child is reaped once, with its peak RSS
    while (reaped := os.wait4(child.pid, os.WNOHANG))[0] == 0:
        peak_spill = max(peak_spill, folder_bytes(spill))
        if not stopped and (time.perf_counter() - started > timeout or peak_spill > max_spill):
            child.kill()
            stopped = True
        time.sleep(POLL_SECONDS)
    _, status, usage = reaped
    output = child.stdout.read()
    seconds = time.perf_counter() - started
    shutil.rmtree(spill, ignore_errors=True)
    ok = not stopped and os.waitstatus_to_exitcode(status) == 0
    return {"sql": str(sql_path), "rows": int(output.split()[-1]) if ok else None, "finished": ok,
            "seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_gb": round(usage.ru_maxrss / 1024 ** 2, 2), "peak_spill_gb": round(peak_spill / 1024 ** 3, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sql", nargs="*", type=Path, help="compiled SQL of fct_peer_benchmark, one run each")
    parser.add_argument("--warehouse", type=Path, help="a refreshed warehouse file to copy the marts from")
    parser.add_argument("--db", type=Path, required=True, help="the synthetic national database (rebuilt)")
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is stopped")
    parser.add_argument("--max-spill-gb", type=float, default=8.0, help="spill at which a run is stopped")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spill", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_model(args.db, args.run, args.spill, args.memory_limit)
        return
    if args.warehouse:
        started = time.perf_counter()
        built = build_national_input(args.warehouse, args.db)
        print(f"national input: {built['trusts']} trusts ({built['source_trusts']} source trusts copied), "
              f"{built['measure_rows']:,} measure rows, built in {time.perf_counter() - started:.1f} s")
        print("trusts by region: " + ", ".join(f"{r or 'none'} {n}" for r, n in built["regions"]))
    print(f"{'rows':>12} {'seconds':>8} {'CPU s':>7} {'peak RSS GB':>11} {'peak spill GB':>13}  sql")
    for sql_path in args.sql:
        r = measure(args.db, sql_path, args.db.with_suffix(".spill"), args.memory_limit, args.timeout,
                    int(args.max_spill_gb * 1024 ** 3))
        rows = f"{r['rows']:,}" if r["finished"] else "stopped"
        print(f"{rows:>12} {r['seconds']:>8} {r['cpu_seconds']:>7} {r['peak_rss_gb']:>11} {r['peak_spill_gb']:>13}  "
              f"{r['sql']}", flush=True)


if __name__ == "__main__":
    main()
