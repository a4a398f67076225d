"""Data contracts and what is derived from them: landing, quarantine, GX suites, dbt sources."""
