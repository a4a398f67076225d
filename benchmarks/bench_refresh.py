"""Benchmark the nightly refresh end to end: generate N trusts, then `edi refresh` on them.

Each scale runs in fresh temporary folders, in child processes, so peak memory (max RSS of the
children) is the refresh's own. Prints: scale, rows read, seconds, peak memory.

    .venv/bin/python benchmarks/bench_refresh.py --trusts 1 10
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

EDI = str(Path(sys.executable).parent / "edi")


def run_child(args: list[str], env: dict) -> tuple[float, float]:
    """Run one child; return (seconds, peak resident memory in MB of it and its descendants)."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed")
    return seconds, usage.ru_maxrss / 1024


def bench_scale(trusts: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as root:
        env = {**os.environ, "EDI_LANDING_DIR": f"{root}/landing", "EDI_WAREHOUSE_DIR": f"{root}/warehouse",
               "DAGSTER_HOME": root, "EDI_MODE": "demo"}
        Path(root, "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        gen_seconds, gen_peak = run_child(
            [EDI, "generate", "--trusts", str(trusts), "--seed", str(seed), "--out", f"{root}/landing"], env)
        seconds, peak = run_child([EDI, "refresh"], env)
        with duckdb.connect(f"{root}/warehouse/edi.duckdb", read_only=True) as con:
            rows = con.execute("select sum(rows_read) from audit.source_load").fetchone()[0]
    return {"trusts": trusts, "rows": rows, "generate_s": gen_seconds, "refresh_s": seconds, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trusts", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    table = Table(title="nightly refresh (generate + edi refresh)")
    for column in ("scale (trusts)", "rows read", "generate s", "refresh s", "peak memory MB"):
        table.add_column(column, justify="right")
    for trusts in args.trusts:
        r = bench_scale(trusts, args.seed)
        table.add_row(str(r["trusts"]), f"{r['rows']:,}", f"{r['generate_s']:.1f}",
                      f"{r['refresh_s']:.1f}", f"{r['peak_mb']:,.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
