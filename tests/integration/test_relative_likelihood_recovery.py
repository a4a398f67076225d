"""The relative likelihoods recover the disparities the generator plants (metrics-spec §2-§4).

Counts are pooled over every trust and year of int_relative_likelihood_counts (the planted rates are
the same in every trust, staff group and year), and the planted RL must lie inside the Katz CI of the
pooled counts. One generated trust is small: a single year's CI is wide, so pooling is what makes the
check worth something.
"""

import math
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_SAVED_PARSE_ARGS
from orchestration.synthetic import effects, generate
from tests.integration.conftest import run_refresh

PLANTED = {
    "rl_white_vs_bme_appointed_from_shortlisting": effects.APPOINTMENT_RL_WHITE_VS_BME,
    "rl_nondisabled_vs_disabled_appointed_from_shortlisting": effects.APPOINTMENT_RL_NONDISABLED_VS_DISABLED,
    "rl_bme_vs_white_entering_formal_disciplinary": effects.DISCIPLINARY_RL_BME_VS_WHITE,
    "rl_disabled_vs_nondisabled_entering_formal_capability_performance": effects.CAPABILITY_PERFORMANCE_RL_DISABLED,
    "rl_white_vs_bme_accessing_nonmandatory_training": effects.NONMANDATORY_TRAINING_RL_WHITE_VS_BME,
}

POOLED = """
    select
        c.measure_id,
        sum(case when c.group_value = m.numerator_group then c.events else 0 end),
        sum(case when c.group_value = m.numerator_group then c.base else 0 end),
        sum(case when c.group_value = m.denominator_group then c.events else 0 end),
        sum(case when c.group_value = m.denominator_group then c.base else 0 end)
    from intermediate.int_relative_likelihood_counts as c
    inner join reference.ref_measure as m
        on c.measure_id = m.measure_id
    group by c.measure_id
"""


# The planted RL is what the generator's rates imply; each dataset draws its own realisation around it
# (seed 11 draws a training RL of 1.20 for the 1.15 planted, seed 2 a disciplinary RL of 1.24 for
# 1.5; the warehouse recounts those draws). So the intervals are simultaneous 95% intervals over
# all the comparisons a test makes (Bonferroni): 5 measures -> two-sided 0.05 / 5 -> z = 2.576;
# 5 measures x 4 seeds -> 0.05 / 20 -> z = 3.02.
Z_FIVE = 2.576
Z_TWENTY = 3.02


def katz(a: float, n1: float, c: float, n0: float, z: float) -> tuple[float, float, float]:
    rl = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rl, rl * math.exp(-z * se), rl * math.exp(z * se)


def pooled_rls(db_path: Path, z: float) -> dict[str, tuple[float, float, float]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(POOLED).fetchall()
    return {measure_id: katz(*counts, z=z) for measure_id, *counts in rows}


def assert_planted_inside_ci(rls: dict[str, tuple[float, float, float]], label: str) -> None:
    assert set(rls) == set(PLANTED), f"{label}: measures {sorted(rls)}"
    outside = {m: (round(p, 3), tuple(round(v, 3) for v in rls[m])) for m, p in PLANTED.items()
               if not rls[m][1] <= p <= rls[m][2]}
    assert not outside, f"{label}: planted RL outside the pooled CI (planted, (rl, lower, upper)): {outside}"


def test_demo_refresh_recovers_every_planted_rl(demo_refresh):
    assert_planted_inside_ci(pooled_rls(demo_refresh.db_path, z=Z_FIVE), "demo (seed 11, 1 trust)")


def test_demo_refresh_publishes_every_rl_for_every_trust_year(demo_refresh):
    with duckdb.connect(str(demo_refresh.db_path), read_only=True) as con:
        headline = con.execute(
            "select measure_id, count(*), count(distinct organisation_code || cast(fy_end as varchar))"
            " from marts.fct_relative_likelihood where is_headline group by measure_id").fetchall()
    assert {m for m, _, _ in headline} == set(PLANTED)
    assert all(rows == trust_years and rows >= 4 for _, rows, trust_years in headline), headline


# --- Several seeds (slow) ---------------------------------------------------------------------------
RAW_ASSETS = [k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0] == "raw"]


def build_rl_warehouse(root: Path, seed: int, trusts: int) -> Path:
    """Generate, land the raw extracts through the refresh job (sources only), then dbt-build just the
    models upstream of the RL counts on a copy of the published file: much cheaper than a refresh."""
    generate(trusts=trusts, seed=seed, out=root / "landing")
    result = run_refresh(root / "landing", root / "warehouse",
                         asset_selection=[*RAW_ASSETS, AssetKey(["published", "warehouse"])])
    assert result.success, f"seed {seed}: landing the raw extracts failed"
    db_path = root / "rl.duckdb"
    shutil.copy(root / "warehouse" / "edi.duckdb", db_path)
    args = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
            *DBT_SAVED_PARSE_ARGS]
    env = {**os.environ, "EDI_DUCKDB_PATH": str(db_path)}
    # One dbt subprocess (an in-process dbt-duckdb would keep the file open) that parses the project
    # once and builds only the seeds and models the counts and POOLED read, without their tests.
    command = ["build", "-s", "+int_relative_likelihood_counts", "ref_measure",
               "--resource-type", "seed", "--resource-type", "model"]
    done = subprocess.run([DBT_EXECUTABLE, *command, *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"seed {seed}: dbt {command} failed:\n{done.stdout[-3000:]}"
    return db_path


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_planted_rls_are_recovered_for_several_seeds(tmp_path, seed):
    db_path = build_rl_warehouse(tmp_path, seed, trusts=3)
    assert_planted_inside_ci(pooled_rls(db_path, z=Z_TWENTY), f"seed {seed}, 3 trusts")
