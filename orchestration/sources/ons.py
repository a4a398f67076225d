"""ONS Census 2021: ethnicity, disability, age and sex of the resident population."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("ons")
