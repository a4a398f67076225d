"""The scale benchmark keeps each run's row as soon as it is measured: a national scale takes an hour,
and a benchmark stopped in its increment must not lose the full refresh it measured before."""

import csv
import json
import sys

import pytest

from orchestration.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import bench_refresh  # noqa: E402 - a script folder, not a package


def measured_run(total: float) -> dict:
    return {**{stage: 1.0 for stage in bench_refresh.STAGES}, "total": total, "cpu_s": 9.0, "peak_mb": 600.0,
            "rows_read": 10, "file_mb": 70.0,
            "nodes": [{"layer": "metrics", "unique_id": "model.nhs_edi.bi_edi_measure", "seconds": total / 2}]}


def read_rows(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_benchmark_stopped_in_its_increment_keeps_the_full_refresh(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_refresh, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(bench_refresh, "generate", lambda trusts, landing, what: 0)
    outcomes = iter([measured_run(7.0), SystemExit("refresh did not publish")])

    def refresh(root, env):
        outcome = next(outcomes)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(bench_refresh, "refresh", refresh)
    results = bench_refresh.ResultsFile()
    with pytest.raises(SystemExit):
        bench_refresh.measure_scale(1, tmp_path, with_baseline=False, record=results.add)

    (full,) = read_rows(results.path)
    assert (full["scale"], full["run"], float(full["total"])) == ("1", "full", 7.0)
    assert full["baseline_s"] == ""  # measured without the baseline: left empty, not made up
    assert json.loads(results.path.with_suffix(".json").read_text())["cpus"] >= 1


def test_every_run_is_appended_under_one_header(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_refresh, "RESULTS_DIR", tmp_path)
    results = bench_refresh.ResultsFile()
    results.add({"scale": 1, "run": "full", **measured_run(7.0), "baseline_s": 2.0, "baseline_peak_mb": 400.0,
                 "baseline_error": ""})
    results.add({"scale": 1, "run": "+2025-02", **measured_run(5.0)})
    rows = read_rows(results.path)
    assert [(r["run"], r["total"], r["baseline_s"]) for r in rows] == [("full", "7.0", "2.0"), ("+2025-02", "5.0", "")]
    nodes = read_rows(results.path.with_suffix(".nodes.csv"))  # where each run's time went, one header
    assert [(n["run"], n["unique_id"], n["seconds"]) for n in nodes] == [
        ("full", "model.nhs_edi.bi_edi_measure", "3.5"), ("+2025-02", "model.nhs_edi.bi_edi_measure", "2.5")]
