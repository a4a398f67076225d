import duckdb
import pytest

from orchestration.quality.pseudonymise import hmac_parameters, hmac_sql, pseudonymise
from orchestration.settings import DEMO_PSEUDONYMISATION_KEY, SettingsError, load_settings


@pytest.mark.parametrize("key", [b"short", b"k" * 64, b"a-very-long-key-" * 10])
def test_sql_hmac_equals_python_hmac(key):
    values = ["12345678", " Ann.Example@NHS.net ", "ünïcode"]
    con = duckdb.connect()
    sql = f"select {hmac_sql('lower(trim(v))')} from (select unnest($values) as v)"
    got = [r[0] for r in con.execute(sql, {**hmac_parameters(key), "values": values}).fetchall()]
    assert got == [pseudonymise(v, key) for v in values]


def test_different_keys_give_unlinkable_pseudonyms():
    assert pseudonymise("12345678", b"key-one") != pseudonymise("12345678", b"key-two")


def test_production_refuses_the_demo_key_and_short_keys(monkeypatch):
    monkeypatch.setenv("EDI_MODE", "production")
    for key in ("", DEMO_PSEUDONYMISATION_KEY, "too-short"):
        monkeypatch.setenv("EDI_PSEUDONYMISATION_KEY", key)
        with pytest.raises(SettingsError, match="EDI_PSEUDONYMISATION_KEY"):
            load_settings()
    monkeypatch.setenv("EDI_PSEUDONYMISATION_KEY", "x" * 40)
    assert load_settings().pseudonymisation_key == b"x" * 40


def test_demo_mode_uses_the_named_demo_key_and_settings_never_print_it(monkeypatch):
    monkeypatch.setenv("EDI_MODE", "demo")
    monkeypatch.delenv("EDI_PSEUDONYMISATION_KEY", raising=False)
    settings = load_settings()
    assert settings.pseudonymisation_key == DEMO_PSEUDONYMISATION_KEY.encode()
    assert DEMO_PSEUDONYMISATION_KEY not in repr(settings)
