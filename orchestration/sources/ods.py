"""NHS Organisation Data Service: trusts, ICBs, regions and successor organisations."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("ods")
