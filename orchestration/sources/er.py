"""Employee-relations case management: formal cases by type, stage and outcome."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("er")
