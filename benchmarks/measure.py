"""Run a child process and measure it: wall seconds, CPU seconds and the peak memory of it and its children."""

import os
import subprocess
import time
from typing import NamedTuple


class Measured(NamedTuple):
    output: str
    seconds: float
    peak_mb: float
    # user + system CPU of the child and every process it waited for (dbt included): on a machine
    # shared with other jobs, wall seconds grow with their load and CPU seconds much less
    cpu_seconds: float


def run_measured(args: list[str], **popen) -> Measured:
    """wait4 reports the child's own resource use (max RSS, CPU), not ours."""
    started = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, **popen)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        tail = "\n".join(output.splitlines()[-40:])
        raise SystemExit(f"{' '.join(args[:3])} … failed (exit {os.waitstatus_to_exitcode(status)}):\n{tail}")
    return Measured(output, seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
