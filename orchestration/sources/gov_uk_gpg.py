"""GOV.UK gender pay gap service: employers' published returns."""

from orchestration.quality.source_assets import build_source_system

ASSETS, CHECKS = build_source_system("gov_uk_gpg")
