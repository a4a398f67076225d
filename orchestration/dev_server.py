"""`make dev`: run `dagster dev` so that Ctrl-C stops all of it within a bounded time.

`dagster dev` runs a webserver, a daemon, code servers and, for a materialisation started from the UI,
a run worker. On Ctrl-C it stops them one after another, waiting up to a minute for each, and a code
server whose parent is gone lingers until its heartbeat times out; a signal sent to `make` alone (an
editor's stop button, `kill -INT`) never reaches them at all. This launcher puts the whole tree in its
own process group, forwards the first SIGINT / SIGTERM / SIGHUP to every process in it at once, and
kills whatever is still running after STOP_GRACE_SECONDS. Nothing is lost by the kill: a run that is
cut short leaves only its own candidate file, which the next run deletes, and the instance's SQLite
storage is crash-safe (orchestration/instance_storage.py).

Usage: python -m orchestration.dev_server [dagster dev arguments...]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

STOP_GRACE_SECONDS = 15.0
_POLL_SECONDS = 0.2


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_group(child: subprocess.Popen, grace: float) -> float:
    """SIGINT to every process of the child's group, SIGKILL to what is left after `grace` seconds;
    returns the seconds it took until none was left."""
    started = time.monotonic()
    os.killpg(child.pid, signal.SIGINT)
    while time.monotonic() - started < grace:
        child.poll()  # reap the leader, so its zombie does not keep the group alive
        if not _group_alive(child.pid):
            return time.monotonic() - started
        time.sleep(_POLL_SECONDS)
    print(f"still running after {grace:.0f} s: killing the rest", file=sys.stderr, flush=True)
    os.killpg(child.pid, signal.SIGKILL)
    while child.poll() is None or _group_alive(child.pid):
        time.sleep(_POLL_SECONDS)
    return time.monotonic() - started


def run_until_stopped(command: list[str], grace: float = STOP_GRACE_SECONDS) -> int:
    """Run `command` in its own process group until it exits or this process is asked to stop."""
    stop_signals: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda received, _frame: stop_signals.append(received))
    child = subprocess.Popen(command, start_new_session=True)
    while child.poll() is None and not stop_signals:
        time.sleep(_POLL_SECONDS)
    if child.returncode is not None and not _group_alive(child.pid):
        return child.returncode
    print("stopping the Dagster UI and its processes ...", file=sys.stderr, flush=True)
    seconds = stop_group(child, grace)
    print(f"stopped in {seconds:.1f} s", file=sys.stderr, flush=True)
    return 0 if stop_signals else child.returncode


def main() -> None:
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    sys.exit(run_until_stopped([dagster, "dev", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
