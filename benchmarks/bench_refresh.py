"""Benchmark the nightly refresh at 1, 10, 50 trusts and national, beside the raw-DuckDB baseline.

For each scale, in fresh temporary folders and child processes (so peak memory is the refresh's own:
the maximum RSS of the child and every process it waited for, dbt included):
1. generate the trusts' extracts as at 31 January 2025 (not part of the refresh);
2. `edi refresh`: wall seconds, CPU seconds (its own and dbt's: on a machine shared with other jobs
   they grow far less than wall seconds), peak RSS, seconds per stage and the published file's size. Stages:
   start-up (process start, Dagster, definitions, dbt's own start and parse, the summary), landing,
   checks (Great Expectations and row accounting), dbt models (seeds, staging, star schema), dbt tests,
   metrics (metric and BI marts), publish (audit, hashes, swap, BI extract). The dbt stages split the
   build's elapsed time by the node seconds each layer took (audit.dbt_node_timing);
3. the baseline: benchmarks/baseline.py on the same files (plain read_csv, then every model's compiled
   SQL in one DuckDB connection: no rules, tests, Dagster or publishing);
4. the nightly increment: February 2025's extracts added to the folder, `edi refresh` again.

Prints one table and writes benchmarks/results/<stamp>_<commit>.csv (a row as soon as each run is
measured), .json (machine and commit) and .nodes.csv (every dbt node's seconds in each run: where the
time goes).

    .venv/bin/python benchmarks/bench_refresh.py                       # 1 10 50 national
    .venv/bin/python benchmarks/bench_refresh.py --trusts 1 10 --no-baseline
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from measure import run_measured

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BASE_AS_AT = date(2025, 1, 31)
INCREMENT_MONTH = "2025-02"
SEED = 2026
STAGES = ("start-up", "landing", "checks", "dbt models", "dbt tests", "metrics", "publish")
RESULT_COLUMNS = ("scale", "run", "landing", "checks", "dbt models", "dbt tests", "metrics", "publish", "start-up",
                  "total", "cpu_s", "peak_mb", "rows_read", "file_mb", "baseline_s", "baseline_peak_mb",
                  "baseline_error")
NODE_COLUMNS = ("scale", "run", "layer", "unique_id", "seconds")
GENERATE = """
import json, sys
from datetime import date
from pathlib import Path
from orchestration.synthetic import generate, generate_increment
trusts, seed, out, what = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
report = (generate_increment(trusts, seed, out, what) if len(what) == 7
          else generate(trusts, seed, out, as_at=date.fromisoformat(what)))
print(json.dumps({"rows": report.total_rows}))
"""


def all_open_trusts() -> int:
    sys.path.insert(0, str(REPO_ROOT))
    from orchestration.synthetic.trusts import trust_profiles

    return len(trust_profiles())


def generate(trusts: int, landing: Path, what: str) -> int:
    output = run_measured([sys.executable, "-c", GENERATE, str(trusts), str(SEED), str(landing), what],
                          cwd=REPO_ROOT).output
    return json.loads(output)["rows"]


def last_run(warehouse: Path) -> dict:
    lines = (warehouse / "audit" / "runs.jsonl").read_text().splitlines()
    return json.loads(lines[-1])


def dbt_split(warehouse: Path, run_id: str) -> dict[str, float]:
    """The dbt build's elapsed seconds split by layer in proportion to its node seconds, and what
    the dbt step spent outside the build (its start and parse)."""
    with duckdb.connect(str(warehouse / "edi.duckdb"), read_only=True) as con:
        layers = dict(con.execute("select layer, sum(seconds) from audit.dbt_node_timing where run_id = ? "
                                  "group by 1", [run_id]).fetchall())
        elapsed = con.execute("select dbt_elapsed_seconds from audit.build_state where run_id = ?",
                              [run_id]).fetchone()[0]
    total = sum(layers.values()) or 1.0
    return {"dbt models": elapsed * layers.get("models", 0) / total,
            "dbt tests": elapsed * layers.get("test", 0) / total,
            "metrics": elapsed * layers.get("metrics", 0) / total,
            "dbt elapsed": elapsed}


def refresh(root: Path, env: dict) -> dict:
    _, seconds, peak, cpu = run_measured([str(BIN / "edi"), "refresh"], env=env, stderr=subprocess.DEVNULL)
    warehouse = root / "warehouse"
    run = last_run(warehouse)
    if run["status"] != "published":
        raise SystemExit(f"refresh at {root} did not publish: {run['errors'] or run['status']}")
    stages = run["stage_seconds"]
    split = dbt_split(warehouse, run["run_id"])
    split.pop("dbt elapsed")
    row = {"landing": stages.get("landing", 0.0), "checks": stages.get("checks", 0.0), **split,
           "publish": stages.get("publish", 0.0)}
    row["start-up"] = seconds - sum(row.values())  # everything outside the steps, dbt's start included
    with duckdb.connect(str(warehouse / "edi.duckdb"), read_only=True) as con:
        rows_read = con.execute("select sum(rows_read) from audit.source_load where run_id = ?",
                                [run["run_id"]]).fetchone()[0] or 0
        nodes = [dict(zip(("layer", "unique_id", "seconds"), node)) for node in con.execute(
            "select layer, unique_id, seconds from audit.dbt_node_timing where run_id = ? order by seconds desc",
            [run["run_id"]]).fetchall()]
    size = (warehouse / "edi.duckdb").stat().st_size
    return {**row, "total": seconds, "cpu_s": cpu, "peak_mb": peak, "rows_read": rows_read, "file_mb": size / 2**20,
            "nodes": nodes}


def baseline(landing: Path, root: Path) -> dict:
    """The baseline's seconds and peak; if it fails (it has no spill-friendly batching of its own), why,
    so that the refresh measured before it is not lost."""
    try:
        output, seconds, peak, _ = run_measured(
            [sys.executable, str(REPO_ROOT / "benchmarks" / "baseline.py"), "--landing", str(landing),
             "--db", str(root / "baseline.duckdb"), "--json"], cwd=REPO_ROOT)
    except SystemExit as failure:
        return {"baseline_s": None, "baseline_peak_mb": None, "baseline_error": str(failure).splitlines()[0]}
    finally:
        (root / "baseline.duckdb").unlink(missing_ok=True)
    return {"baseline_s": json.loads(output)["total_s"], "baseline_peak_mb": peak, "baseline_error": ""}


def bench_scale(trusts: int, with_baseline: bool, record: Callable[[dict], None]) -> None:
    """One scale in a fresh folder, removed once measured; a failed step leaves it for a post-mortem
    (its warehouse run history, Dagster's compute logs) and says where."""
    root = Path(tempfile.mkdtemp(prefix=f"bench_{trusts}_", dir=os.environ.get("EDI_BENCH_DIR")))
    try:
        measure_scale(trusts, root, with_baseline, record)
    except SystemExit as failure:
        raise SystemExit(f"{failure}\n(left for inspection: {root})") from None
    shutil.rmtree(root)


def measure_scale(trusts: int, root: Path, with_baseline: bool, record: Callable[[dict], None]) -> None:
    """The full refresh, then the increment: each row recorded as soon as it is measured."""
    landing = root / "landing"
    env = {**os.environ, "EDI_LANDING_DIR": str(landing), "EDI_WAREHOUSE_DIR": str(root / "warehouse"),
           "DAGSTER_HOME": str(root), "EDI_MODE": "demo"}
    (root / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    generate(trusts, landing, BASE_AS_AT.isoformat())
    full = {"scale": trusts, "run": "full", **refresh(root, env)}
    print_table([full])  # shown now: a national scale takes an hour, and a later step may fail
    if with_baseline:
        full.update(baseline(landing, root))
        if full["baseline_error"]:
            print(f"baseline failed: {full['baseline_error']}", file=sys.stderr)
    record(full)
    generate(trusts, landing, INCREMENT_MONTH)
    record({"scale": trusts, "run": f"+{INCREMENT_MONTH}", **refresh(root, env)})


def print_table(rows: list[dict]) -> None:
    table = Table(title="nightly refresh by stage (seconds), beside the raw-DuckDB baseline")
    columns = ("trusts", "run", "rows read", *STAGES, "total", "CPU s", "peak MB", "file MB", "baseline s",
               "refresh / baseline", "× time vs previous scale", "× rows")
    for column in columns:
        table.add_column(column, justify="right")
    previous = None
    for row in rows:
        ratio = f"{row['total'] / row['baseline_s']:.2f}" if row.get("baseline_s") else ""
        growth = rows_growth = ""
        if row["run"] == "full":
            if previous:
                growth = f"{row['total'] / previous['total']:.2f}"
                rows_growth = f"{row['rows_read'] / previous['rows_read']:.2f}"
            previous = row
        table.add_row(str(row["scale"]), row["run"], f"{row['rows_read']:,}",
                      *(f"{row[s]:.1f}" for s in STAGES), f"{row['total']:.1f}", f"{row['cpu_s']:.1f}",
                      f"{row['peak_mb']:,.0f}",
                      f"{row['file_mb']:,.0f}", f"{row['baseline_s']:.1f}" if row.get("baseline_s") else "",
                      ratio, growth, rows_growth)
    Console(width=250).print(table)


def commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                          text=True).stdout.strip() or "unknown"


class ResultsFile:
    """benchmarks/results/<stamp>_<commit>.csv, a row appended as each run is measured (a national
    scale takes an hour: a run stopped later keeps the rows already measured), and its .json."""

    def __init__(self):
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.path = RESULTS_DIR / f"{stamp}_{commit()}.csv"
        with open(self.path, "w", newline="") as handle:
            csv.DictWriter(handle, fieldnames=RESULT_COLUMNS).writeheader()
        write_machine(self.path)

    def add(self, row: dict) -> None:
        with open(self.path, "a", newline="") as handle:
            csv.DictWriter(handle, fieldnames=RESULT_COLUMNS, extrasaction="ignore").writerow(row)
        nodes_path = self.path.with_suffix(".nodes.csv")
        with open(nodes_path, "a", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=NODE_COLUMNS)
            if handle.tell() == 0:
                writer.writeheader()
            writer.writerows({"scale": row["scale"], "run": row["run"], **node} for node in row["nodes"])
        write_machine(self.path)  # the load average after the latest run


def write_machine(path: Path) -> None:
    machine = {"commit": commit(), "python": platform.python_version(), "platform": platform.platform(),
               "cpus": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
               "load_average_at_end": os.getloadavg(), "duckdb": duckdb.__version__,
               "memory_limit": os.environ.get("EDI_DUCKDB_MEMORY_LIMIT", "default")}
    path.with_suffix(".json").write_text(json.dumps(machine, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trusts", nargs="+", default=["1", "10", "50", "national"],
                        help="scales: numbers of trusts, or 'national' for every open English trust")
    parser.add_argument("--no-baseline", action="store_true", help="skip the raw-DuckDB baseline")
    args = parser.parse_args()
    rows, results = [], ResultsFile()
    print(f"results: {results.path}")

    def record(row: dict) -> None:
        rows.append(row)
        results.add(row)

    for scale in args.trusts:
        trusts = all_open_trusts() if scale == "national" else int(scale)
        bench_scale(trusts, not args.no_baseline, record)
        print_table(rows)
    print(f"results: {results.path}")


if __name__ == "__main__":
    main()
