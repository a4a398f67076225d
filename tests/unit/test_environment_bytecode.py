"""Every `edi` command and every dbt process it starts imports thousands of modules: the environment
`make install` builds carries them compiled, so no process compiles them again at start-up (uv installs
sources only, and with PYTHONDONTWRITEBYTECODE set Python never caches what it compiled)."""

import importlib
import importlib.util
from pathlib import Path

import pytest

# The heavy imports of a refresh: Dagster and dagster-dbt (the code location), dbt (its own process),
# Great Expectations (the checks), pandas and matplotlib (checks, BI extract, board report).
HEAVY = ["dagster", "dagster_dbt", "dbt.cli.main", "great_expectations", "pandas", "matplotlib", "sqlalchemy"]


@pytest.mark.parametrize("name", HEAVY)
def test_the_heavy_imports_of_a_refresh_are_installed_compiled(name):
    source = importlib.util.find_spec(name).origin
    assert Path(importlib.util.cache_from_source(source)).exists(), f"{name} is installed without bytecode"
