"""Trainee Information System (NHS England): doctors in training's ARCP outcomes and exam sittings."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("tis")
