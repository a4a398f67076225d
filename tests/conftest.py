"""Shared fixtures. Tests never touch the network, the repo's landing/ or warehouse/."""

import os
import sys

# A pytest-xdist worker runs as `python -c`, so its __main__ has no __file__; pyspark (which Great
# Expectations imports when `make test-spark` has installed it) takes that for its own doctest run and
# exits the process mid-import, so after `make test-spark` every check failed under `make test`.
if getattr(sys.modules["__main__"], "__spec__", None) is None and not hasattr(sys.modules["__main__"], "__file__"):
    sys.modules["__main__"].__file__ = "<pytest-xdist worker>"

# Set before anything imports dagster, dbt or great_expectations.
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ["EDI_MODE"] = "demo"
# Refreshes print no board-report PDFs (a second each in Chromium) unless a test asks: the demo refresh
# does (tests/integration/conftest.py), and the browser tests check them there.
os.environ["EDI_REPORT_PDF"] = "false"
