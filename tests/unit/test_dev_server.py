"""`make dev` stops everything it started, within a bounded time, when it is sent Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A stand-in for `dagster dev`: starts a grandchild (a code server), records both process ids, and
# either stops on SIGINT or ignores it as a process stuck in its shutdown does.
TREE = """
import signal, subprocess, sys, time
stubborn = sys.argv[2] == "stubborn"
handler = signal.SIG_IGN if stubborn else signal.SIG_DFL
grandchild = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGINT, signal.%s); time.sleep(600)"
    % ("SIG_IGN" if stubborn else "SIG_DFL")])
signal.signal(signal.SIGINT, handler)
open(sys.argv[1], "w").write(f"{grandchild.pid}")
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _start_launcher(tmp_path: Path, behaviour: str, grace: float) -> tuple[subprocess.Popen, int]:
    pid_file = tmp_path / "grandchild.pid"
    script = (f"import sys; from orchestration.dev_server import run_until_stopped; "
              f"sys.exit(run_until_stopped([sys.executable, '-c', {TREE!r}, {str(pid_file)!r}, {behaviour!r}], "
              f"grace={grace}))")
    launcher = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline, "the stand-in never started"
        time.sleep(0.1)
    return launcher, int(pid_file.read_text())


def test_ctrl_c_stops_the_whole_tree_at_once(tmp_path):
    launcher, grandchild = _start_launcher(tmp_path, "polite", grace=60)
    started = time.monotonic()
    launcher.send_signal(signal.SIGINT)  # to the launcher alone: it must reach the grandchild
    launcher.wait(timeout=30)
    assert time.monotonic() - started < 10
    assert not _alive(grandchild)
    assert "stopped in" in launcher.stderr.read()
    assert launcher.returncode == 0


def test_processes_that_ignore_ctrl_c_are_killed_after_the_grace_period(tmp_path):
    launcher, grandchild = _start_launcher(tmp_path, "stubborn", grace=2)
    started = time.monotonic()
    launcher.send_signal(signal.SIGINT)
    launcher.wait(timeout=30)
    assert 2 <= time.monotonic() - started < 10
    assert not _alive(grandchild)
    assert "killing the rest" in launcher.stderr.read()
