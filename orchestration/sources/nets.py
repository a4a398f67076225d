"""National Education and Training Survey results: aggregated counts only, never a row per person."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("nets")
