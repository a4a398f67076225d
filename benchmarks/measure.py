"""Run a child process and measure it: wall seconds and the peak memory of it and its children."""

import os
import subprocess
import time


def run_measured(args: list[str], **popen) -> tuple[str, float, float]:
    """(stdout, seconds, peak resident MB); wait4 reports the child's own max RSS, not ours."""
    started = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, **popen)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        tail = "\n".join(output.splitlines()[-40:])
        raise SystemExit(f"{' '.join(args[:3])} … failed (exit {os.waitstatus_to_exitcode(status)}):\n{tail}")
    return output, seconds, usage.ru_maxrss / 1024
