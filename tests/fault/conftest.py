"""A refresh in a subprocess, on a small generated landing set, that a test can kill at a chosen point."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.files import published_path
from orchestration.settings import REPO_ROOT
from orchestration.synthetic import generate

# The run id, from a Dagster log line (--verbose) or the summary's verdict (the default console).
RUN_ID = re.compile(r"(?:nightly_refresh - |Refresh )([0-9a-f]{8}-[0-9a-f-]{27})")
REFRESH_SECONDS = 1800  # a loaded two-core machine needs minutes per refresh


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {f"{s}.{t}" for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables()").fetchall()}


def published_runs(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute("select run_id, status from audit.refresh_run").fetchall())


def live_processes_in_group(pgid: int) -> list[int]:
    """Processes (not zombies) still in a process group: a surviving dbt would keep writing."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            alive.append(int(stat.parent.name))
    return alive


class RefreshProcess:
    """`edi refresh` in its own process group, its output collected line by line."""

    def __init__(self, env: dict, stop_at: tuple[str, int] | None = None, options: tuple[str, ...] = ()):
        target, call = stop_at or ("-", 0)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fault.pause", target, str(call), "refresh", *options],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def run_id(self) -> str | None:
        return next((m.group(1) for line in self.lines if (m := RUN_ID.search(line))), None)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def wait_for(self, text: str, times: int = 1, timeout: float = REFRESH_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while self.count(text) < times:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"refresh never printed {text!r} {times}x:\n{self.output[-4000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the whole group: the Dagster process and its dbt child."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        left = self._group_after_grace()
        self._remove_dbt_target()
        assert not left, f"processes {left} of the killed refresh survived"

    def finish(self) -> int:
        """Wait for the refresh to end; it must not leave a process (such as dbt) running."""
        try:
            code = self.proc.wait(timeout=REFRESH_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"refresh still running after {REFRESH_SECONDS} s:\n{self.output[-4000:]}")
        self._reader.join(timeout=30)
        left = self._group_after_grace()
        if left:
            self.kill()
            pytest.fail(f"the refresh ended (exit {code}) but left processes {left} running:\n{self.output[-4000:]}")
        self._remove_dbt_target()
        return code

    def _group_after_grace(self) -> list[int]:
        """What is still alive in the group after a few seconds: Dagster's compute-log watchers
        notice their parent has gone only on their next poll, once a second."""
        deadline = time.monotonic() + 10
        while live_processes_in_group(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        return live_processes_in_group(self.proc.pid)

    def _remove_dbt_target(self) -> None:
        """dagster-dbt gives each invocation its own folder under dbt_project/target, which a killed
        run never removes (harmless to the next run, but not to be left in the work tree)."""
        if self.run_id:
            for folder in (REPO_ROOT / "dbt_project" / "target").glob(f"*-{self.run_id[:7]}-*"):
                shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Site:
    """One warehouse folder, its landing folder and Dagster home, and how to refresh it."""

    landing: Path
    warehouse: Path
    dagster_home: Path
    console: str = ""  # what its first refresh printed

    @property
    def published(self) -> Path:
        return published_path(self.warehouse)

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("EDI_", "DAGSTER_HOME"))}
        return {**env, "EDI_MODE": "demo", "EDI_LANDING_DIR": str(self.landing),
                "EDI_WAREHOUSE_DIR": str(self.warehouse), "DAGSTER_HOME": str(self.dagster_home),
                "PYTHONUNBUFFERED": "1"}

    def start(self, stop_at: tuple[str, int] | None = None, *options: str) -> RefreshProcess:
        """`edi refresh --verbose [options]`, stopped at a function's n-th call if asked: the tests
        follow the run by its full log (dbt's model lines, the stop marker printed to stdout)."""
        return RefreshProcess(self.env, stop_at, ("--verbose", *options))

    def refresh(self) -> RefreshProcess:
        """A whole refresh that must succeed, with the console a person sees (progress and summary)."""
        run = RefreshProcess(self.env)
        assert run.finish() == 0, run.output[-4000:]
        return run


def new_site(root: Path, landing: Path) -> Site:
    home = root / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return Site(landing, root / "warehouse", home)


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("fault_landing") / "landing"
    generate(trusts=1, seed=11, out=landing)
    return landing


@pytest.fixture(scope="session")
def published_site(tmp_path_factory, small_landing) -> Site:
    """A warehouse published once by a whole refresh: the version every kill must leave intact."""
    site = new_site(tmp_path_factory.mktemp("fault_published"), small_landing)
    site.console = site.refresh().output
    return site


@pytest.fixture
def site(published_site, tmp_path) -> Site:
    """A private copy of the published warehouse (its history too) with a fresh Dagster home."""
    copy = new_site(tmp_path, published_site.landing)
    shutil.copytree(published_site.warehouse, copy.warehouse, symlinks=True)  # bi/ is a symlink
    return copy
