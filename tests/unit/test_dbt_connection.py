"""dbt's connection: the run's warehouse file and DuckDB limits come from the plugin, never from the
profile, so every run's dbt reuses the parse `edi prepare` saved (a changed profile re-parses it all)."""

import duckdb
import pytest
import yaml

from orchestration.dbt_connection import Plugin
from orchestration.settings import DBT_PROJECT_DIR, SettingsError


def test_the_duckdb_profile_is_the_same_text_for_every_run():
    duckdb_target = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())["nhs_edi"]["outputs"]["duckdb"]
    assert "env_var(" not in yaml.safe_dump(duckdb_target)  # a value from the environment would change it per run
    assert duckdb_target["plugins"] == [{"module": "orchestration.dbt_connection"}]


def test_the_plugin_attaches_the_runs_file_as_edi_with_its_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("EDI_DUCKDB_PATH", str(tmp_path / "run.duckdb"))
    monkeypatch.setenv("EDI_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("EDI_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    plugin = Plugin(name="dbt_connection", plugin_config={})
    config = {"preserve_insertion_order": False}
    plugin.update_connection_config(None, config)
    with duckdb.connect(":memory:", config=config) as con:
        plugin.configure_connection(con)
        con.execute("attach if not exists ':memory:' as edi")  # the profile's placeholder: a no-op now
        assert con.execute("select path from duckdb_databases() where database_name = 'edi'").fetchone() == (
            str(tmp_path / "run.duckdb"),)
        assert con.execute("select current_setting('temp_directory')").fetchone() == (str(tmp_path / "spill"),)
        assert con.execute("select current_setting('memory_limit')").fetchone()[0].startswith("953.6 MiB")


def test_without_a_warehouse_path_dbt_stops_instead_of_building_in_memory(monkeypatch):
    monkeypatch.delenv("EDI_DUCKDB_PATH", raising=False)
    with pytest.raises(SettingsError, match="EDI_DUCKDB_PATH is not set"):
        Plugin(name="dbt_connection", plugin_config={}).configure_connection(duckdb.connect())
