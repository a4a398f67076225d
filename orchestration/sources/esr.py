"""ESR (Electronic Staff Record): assignment history and the 31 March pay snapshot."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("esr")
