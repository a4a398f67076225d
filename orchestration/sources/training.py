"""Training and CPD records: course completions, mandatory or not."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("training")
