"""Recruitment (Trac-like): one row per application with the stage reached."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("trac")
