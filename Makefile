# Two commands on a fresh machine (python3 + make): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EDI := $(BIN)/edi
DEMO_TRUSTS ?= 3
DEMO_SEED ?= 2026
PORT ?= 3000

# Nothing reaches out to the internet at run time.
export DAGSTER_HOME := $(CURDIR)/dagster_home
export DAGSTER_DISABLE_TELEMETRY := true
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test test-slow test-slow-first-half test-spark-then-slow test-spark spark-install check-prepared dev docs prepare bench bench-refresh clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv (a pinned, pip-installed resolver) installs the locked set in seconds instead of ~40 s.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# Every `edi` and dbt process imports thousands of modules: compiled once here, not again at each
# start (uv installs sources only; with PYTHONDONTWRITEBYTECODE set, Python never caches its compiles).
$(VENV)/.compiled: $(VENV)/.installed
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib orchestration > /dev/null
	touch $@

install: $(VENV)/.compiled

prepare: install
	$(EDI) prepare

# EDI_ENGINE=spark make run: dbt builds on a local Spark (Java 17, and the Spark packages on first use)
run: prepare $(if $(filter spark,$(EDI_ENGINE)),spark-install)
	$(EDI) generate --trusts $(DEMO_TRUSTS) --seed $(DEMO_SEED) --out landing --skip-if-present
	$(EDI) refresh

# The tests take the dbt sources file as committed: a contract edited without `edi contracts sync`
# fails here (and in CI) instead of being regenerated out of sight. `make run` / `make dev` sync it.
check-prepared: install
	$(EDI) contracts sync --check
	$(EDI) prepare --no-sync

# --durations=15: every run names its slowest tests, so the CI time budget stays visible.
# On both cores (pytest-xdist): 15.6 min in one process, about 7 in two. Tests go to whichever worker is
# free, so a shared module or session fixture (the demo refresh) may be built once per worker; that costs
# less than --dist loadfile's tail of one long file, and --dist loadgroup, which could build it once, does
# not group under pytest 9.2 (pytest-xdist#1386).
TEST_WORKERS ?= 2
test: check-prepared
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load --durations=15

# The slow tests (every SIGKILL point, several seeds, many nights, 10-trust determinism): CI runs them too.
test-slow: check-prepared
	$(BIN)/python -m pytest -m slow --durations=15

# CI runs the slow lane in two halves beside each other, about even on 2 cores: these files (their own
# data, no shared refresh fixture) after the Spark comparison, every other slow test in the first half.
# A new slow file lands in the first half unless listed here; each slow test runs in exactly one half.
SLOW_BESIDE_SPARK := tests/integration/test_determinism.py tests/integration/test_yearly_spc_refresh.py

test-slow-first-half: check-prepared
	$(BIN)/python -m pytest -m slow $(addprefix --ignore=,$(SLOW_BESIDE_SPARK)) --durations=15

test-spark-then-slow: test-spark
	$(BIN)/python -m pytest -m slow $(SLOW_BESIDE_SPARK) --durations=15

# The dbt project built on a local Apache Spark and compared with the DuckDB build (issue #14,
# tests/spark/). Spark needs Java 17; pyspark and dbt-spark (requirements-spark.lock: the default set
# plus four packages, ~480 MB) are installed into .venv on first use only, so `make test` never pays.
$(VENV)/.spark-installed: $(VENV)/.installed requirements-spark.lock
	@command -v java > /dev/null || { echo "the Spark engine needs Java 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-spark.lock
	touch $@

spark-install: $(VENV)/.spark-installed

test-spark: check-prepared spark-install
	$(BIN)/python -m pytest -m spark tests/spark --durations=15

# Ctrl-C stops the UI and every process it started within seconds (orchestration/dev_server.py).
dev: prepare
	$(BIN)/python -m orchestration.dev_server -w workspace.yaml -p $(PORT)

docs: prepare
	$(EDI) docs

bench: install
	$(BIN)/python benchmarks/bench_generate.py

# The scale benchmark of issue #9: 1, 10, 50 trusts and national, beside the raw-DuckDB baseline (hours).
bench-refresh: prepare
	$(BIN)/python benchmarks/bench_refresh.py

clean:
	rm -rf $(VENV) warehouse landing dbt_project/target dbt_project/logs
