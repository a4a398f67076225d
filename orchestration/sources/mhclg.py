"""MHCLG English Indices of Deprivation 2019."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("mhclg")
