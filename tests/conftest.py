"""Shared fixtures. Tests never touch the network, the repo's landing/ or warehouse/."""

import os

# Set before anything imports dagster, dbt or great_expectations.
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ["EDI_MODE"] = "demo"
# Refreshes print no board-report PDFs (a second each in Chromium) unless a test asks: the demo refresh
# does (tests/integration/conftest.py), and the browser tests check them there.
os.environ["EDI_REPORT_PDF"] = "false"
