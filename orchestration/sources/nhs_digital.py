"""NHS Digital (NHS England) workforce statistics: trust FTE by staff group."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("nhs_digital")
