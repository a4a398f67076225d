"""ONS geography lookups: LSOA to ICB, local authority to region, trust to STP."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("geography")
