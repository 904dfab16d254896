"""k (LAGEBILD_MIN_COUNT) is validated where it is read: below 2 only with an explicit
allowance and a warning; anything else wrong is a German sentence naming the variable."""

from __future__ import annotations

import logging

import pytest

from config.settings import SettingError, settings


@pytest.mark.parametrize("value", ["0", "1", "-3"])
def test_small_or_negative_k_is_refused(value):
    with pytest.raises(SettingError, match="LAGEBILD_MIN_COUNT") as caught:
        settings({"LAGEBILD_MIN_COUNT": value})
    assert "aggregates" not in str(caught.value)  # no English help text reaches a user


def test_k_one_only_with_allowance_and_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        current = settings({"LAGEBILD_MIN_COUNT": "1", "LAGEBILD_ALLOW_SMALL_MIN_COUNT": "1"})
    assert current.min_count == 1
    assert "LAGEBILD_MIN_COUNT=1" in caplog.text


def test_not_a_number_names_the_variable_in_german():
    with pytest.raises(SettingError, match="„fünf“ ist keine ganze Zahl"):
        settings({"LAGEBILD_MIN_COUNT": "fünf"})


def test_dashboard_shows_the_german_message(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from config.paths import PROJECT_DIR

    monkeypatch.setenv("LAGEBILD_MIN_COUNT", "0")
    app = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=60).run()
    texts = " ".join(e.value for e in app.error)
    assert "LAGEBILD_MIN_COUNT=0" in texts and "kleinste sichere Wert" in texts
    assert not app.exception
