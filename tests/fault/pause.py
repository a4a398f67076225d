"""Run an `edi` command that stops itself when a chosen function is called: test-only instrumentation.

    python -m tests.fault.pause orchestration.publish.files:_fsync 1 refresh

A SIGKILL sent on a timer lands wherever the run happens to be; the kill tests need it at an exact
point (inside a landing transaction, between the history link and the swap...). The wrapper prints
a marker and SIGSTOPs the process on the n-th call, so the test can kill it there. Production code
has no hook: the function is replaced on its module, which the callers look up at call time.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys

MARKER = "FAULT-POINT reached"


def stop_at(target: str, call: int) -> None:
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, name)
    calls = 0

    def stopping(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == call:
            print(f"{MARKER} {target} call {call}", flush=True)
            os.kill(os.getpid(), signal.SIGSTOP)
        return original(*args, **kwargs)

    setattr(module, name, stopping)


if __name__ == "__main__":
    target, call, *command = sys.argv[1:]
    if target != "-":
        stop_at(target, int(call))
    from orchestration.cli import app

    app(command)
