"""Write-audit-publish: every run writes its own candidate DuckDB file; only a run whose every
check passed swaps it into place as the published warehouse."""
