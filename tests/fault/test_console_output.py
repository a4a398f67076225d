"""What a person sees of a real `edi refresh`: a short progress display and a summary whose last
lines say which content version was published and where everything went."""

import pytest

from orchestration.publish.bi_extract import bi_file_path, parquet_dir
from orchestration.publish.inspect import published
from orchestration.refresh_console import log_path
from tests.fault.conftest import RUN_ID


@pytest.mark.slow
def test_the_console_of_a_real_refresh_is_short_and_ends_with_what_was_published_where(published_site):
    lines = published_site.console.strip().splitlines()
    assert len(lines) < 60, published_site.console
    assert "indirect selection" not in published_site.console
    assert "Traceback" not in published_site.console
    version = published(published_site.warehouse).version
    run_id = RUN_ID.search(published_site.console).group(1)
    tail = "\n".join(lines[-6:])
    assert f"Refresh {run_id} published content version {version}" in tail, tail
    for path in (published_site.published, bi_file_path(published_site.warehouse),
                 parquet_dir(published_site.warehouse), published_site.warehouse / "reports" / "index.html",
                 log_path(published_site.warehouse, run_id)):
        assert str(path) in tail, (path, tail)
    assert log_path(published_site.warehouse, run_id).stat().st_mode & 0o777 == 0o600
    log = log_path(published_site.warehouse, run_id).read_text(encoding="utf-8")
    assert "OK created sql table model marts.dim_date" in log  # dbt's own lines are kept in the log
