"""Benchmark the synthetic trust-extract generator at 1, 10 and all open trusts.

Each scale runs in a child process writing to a fresh temporary folder, so the peak memory (the
child's max RSS, from wait4) is the generator's own. Prints: scale, rows written, seconds, peak
memory, and the output size.

    python benchmarks/bench_generate.py                # 1 and 10 trusts
    python benchmarks/bench_generate.py --national     # ... and every open English trust
    python benchmarks/bench_generate.py --trusts 1 3 --seed 7
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from measure import run_measured

REPO_ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys
from pathlib import Path
from orchestration.synthetic import generate
report = generate(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
print(json.dumps({"rows": report.total_rows, "files": len(report.rows), "generator_s": report.seconds}))
"""


def bench_scale(trusts: int, seed: int) -> dict:
    """Generate `trusts` trusts in a child process; return rows, seconds and peak memory."""
    with tempfile.TemporaryDirectory() as root:
        output, seconds, peak_mb, _ = run_measured(
            [sys.executable, "-c", CHILD, str(trusts), str(seed), root], cwd=REPO_ROOT)
        size = sum(p.stat().st_size for p in Path(root).rglob("*.csv"))
    return {"trusts": trusts, **json.loads(output), "seconds": seconds,
            "peak_mb": peak_mb, "size_mb": size / 2**20}


def all_open_trusts() -> int:
    sys.path.insert(0, str(REPO_ROOT))
    from orchestration.synthetic.trusts import trust_profiles

    return len(trust_profiles())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trusts", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--national", action="store_true", help="also generate every open trust")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    scales = args.trusts + ([all_open_trusts()] if args.national else [])
    table = Table(title="synthetic trust extracts (generate)")
    for column in ("scale (trusts)", "rows written", "files", "seconds", "peak memory MB", "output MB"):
        table.add_column(column, justify="right")
    for trusts in scales:
        r = bench_scale(trusts, args.seed)
        table.add_row(str(r["trusts"]), f"{r['rows']:,}", str(r["files"]), f"{r['seconds']:.1f}",
                      f"{r['peak_mb']:,.0f}", f"{r['size_mb']:,.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
