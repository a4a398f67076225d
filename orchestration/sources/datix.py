"""Incident reporting (Datix-like): incidents in which staff were affected."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("datix")
