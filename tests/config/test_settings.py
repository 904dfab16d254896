"""Settings: every variable declared once, validated where read, documented in the README."""

from __future__ import annotations

import logging
import re
from dataclasses import fields
from pathlib import Path

import pytest

from config.paths import PROJECT_DIR
from config.settings import SETTINGS, SettingError, Settings, settings


def readme_settings() -> dict[str, str]:
    """Variable -> default column of the README's settings table."""
    text = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)`(?: / `([A-Z_]+)`)? \| ([^|]*) \|", section, flags=re.M)
    documented: dict[str, str] = {}
    for first, second, default in rows:
        for name in filter(None, (first, second)):
            documented[name] = default.strip()
    return documented


def test_every_setting_is_documented_and_every_documented_one_declared():
    declared = {s.variable for s in SETTINGS}
    assert set(readme_settings()) == declared


def test_declarations_match_the_settings_fields():
    assert [s.attribute for s in SETTINGS] == [f.name for f in fields(Settings)]
    assert len({s.variable for s in SETTINGS}) == len(SETTINGS)


def test_defaults_apply_without_environment():
    current = settings({})
    assert current.min_count == 5
    assert current.retention_days == 730
    assert current.online_geocoder is False
    assert current.ortsteile_file is None
    assert current.database_url.startswith("sqlite:///")
    assert current.trusted_proxies == ()


def test_values_are_parsed():
    current = settings({"LAGEBILD_MIN_COUNT": " 7 ", "LAGEBILD_ONLINE_GEOCODER": "1",
                        "LAGEBILD_ORTSTEILE_FILE": "/srv/ot.gpkg",
                        "LAGEBILD_TRUSTED_PROXIES": "127.0.0.1, ::1",
                        "DATABASE_URL": "postgresql+psycopg://u@h/db"})
    assert current.min_count == 7
    assert current.online_geocoder is True
    assert current.ortsteile_file == Path("/srv/ot.gpkg")
    assert current.trusted_proxies == ("127.0.0.1", "::1")
    assert current.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("LAGEBILD_MIN_COUNT", "fünf", "keine ganze Zahl"),
    ("LAGEBILD_MIN_COUNT", "0", "kleinste sichere Wert ist 2"),
    ("LAGEBILD_MIN_COUNT", "-3", "kleinste sichere Wert ist 2"),
    ("LAGEBILD_RETENTION_DAYS", "-3", "kleiner als 1"),
    ("LAGEBILD_MAX_UPLOAD_MB", "50MB", "keine ganze Zahl"),
    ("LAGEBILD_SESSION_IDLE_MINUTES", "", "keine ganze Zahl"),
    ("LAGEBILD_ONLINE_GEOCODER", "vielleicht", "weder 1 (an) noch 0 (aus)"),
])
def test_invalid_values_fail_with_a_german_sentence_naming_the_variable(variable, value, words):
    with pytest.raises(SettingError) as caught:
        settings({variable: value})
    assert variable in str(caught.value)
    assert words in str(caught.value)
    assert "aggregates" not in str(caught.value)  # no English help text reaches a user


def test_a_min_count_of_one_is_refused_unless_explicitly_allowed(caplog):
    with pytest.raises(SettingError, match="einzelne Meldungen öffentlich"):
        settings({"LAGEBILD_MIN_COUNT": "1"})
    with caplog.at_level(logging.WARNING):
        allowed = settings({"LAGEBILD_MIN_COUNT": "1", "LAGEBILD_ALLOW_SMALL_MIN_COUNT": "1"})
    assert allowed.min_count == 1
    assert "LAGEBILD_MIN_COUNT=1" in caplog.text
    with pytest.raises(SettingError, match="kleinste sichere Wert"):  # 0 turns suppression off
        settings({"LAGEBILD_MIN_COUNT": "0", "LAGEBILD_ALLOW_SMALL_MIN_COUNT": "1"})


def test_dashboard_shows_the_german_message(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "0")
    app = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=60).run()
    texts = " ".join(e.value for e in app.error)
    assert "LAGEBILD_MIN_COUNT=0" in texts and "kleinste sichere Wert" in texts
    assert not app.exception


def test_documented_defaults_are_the_declared_ones():
    documented = readme_settings()
    for setting in SETTINGS:
        if setting.default and documented[setting.variable].startswith("`"):
            assert documented[setting.variable].strip("`") == setting.default, setting.variable
