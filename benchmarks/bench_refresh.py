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
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from measure import run_measured

EDI = str(Path(sys.executable).parent / "edi")


def bench_scale(trusts: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as root:
        env = {**os.environ, "EDI_LANDING_DIR": f"{root}/landing", "EDI_WAREHOUSE_DIR": f"{root}/warehouse",
               "DAGSTER_HOME": root, "EDI_MODE": "demo"}
        Path(root, "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        _, gen_seconds, _ = run_measured(
            [EDI, "generate", "--trusts", str(trusts), "--seed", str(seed), "--out", f"{root}/landing"], env=env)
        _, seconds, peak = run_measured([EDI, "refresh"], env=env, stderr=subprocess.DEVNULL)
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
