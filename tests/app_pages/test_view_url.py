"""The URL is the view: a link restores filter and map state, and every unusable value is
named in German on the page (never a Python exception or Streamlit's English error page)."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from config.paths import PROJECT_DIR
from reports.privacy.access import Role
from tests.helpers import demo_database

# a point on the Eisenbahnstraße in Volkmarsdorf (lat, lon), inside the district
EISENBAHNSTRASSE = "51.34660,12.41100"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory, "view_url", rows=2000)


@pytest.fixture
def app(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def make(query: dict, role: Role = Role.MEMBER, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=120)
        at.session_state["role"] = role
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        at.first_warnings = [w.value for w in at.warning]  # shown once, on the link's run
        if page:
            at.switch_page(page).run()
        return at

    yield make
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


def _warnings(at: AppTest) -> list[str]:
    return at.first_warnings


def test_overflowing_dates_give_german_messages_and_the_default_period(app):
    at = app({"zeit": "frei", "von": "0001-01-01", "bis": "9999-12-31"}, role=Role.PUBLIC)
    assert not at.exception
    warnings = _warnings(at)
    assert any("„von“" in w and "außerhalb" in w for w in warnings)
    assert any("„bis“" in w and "außerhalb" in w for w in warnings)
    assert at.sidebar.selectbox(key="f_preset").value == "frei"
    start, end = (date.fromisoformat(at.query_params[k]) for k in ("von", "bis"))
    assert (end - start).days == 89  # the default free period, not the link's
    assert "(ganze Wochen)" in " ".join(c.value for c in at.sidebar.caption)


def test_unknown_values_are_named_and_dropped(app):
    at = app({"zeit": "gestern", "thema": ["umwelt", "mond"], "ebenen": ["heat", "laser"],
              "zelle": "75", "zoom": "nah", "mitte": "52.52000,13.40500"},
             page="app_pages/karte.py")
    assert not at.exception
    text = " ".join(_warnings(at))
    for name in ("„zeit“", "„thema“", "„ebenen“", "„zelle“", "„zoom“", "„mitte“"):
        assert name in text, name
    assert "„mond“" in text and "„laser“" in text
    assert at.sidebar.selectbox(key="f_preset").value == "90"
    assert at.sidebar.multiselect(key="f_topics").value == ["umwelt"]
    assert at.multiselect(key="karte_layers").value == ["heat"]
    assert at.radio(key="karte_cell").value == 100


def test_a_link_restores_the_map_view_and_the_clicked_cell(app):
    at = app({"zeit": "365", "ebenen": ["cells"], "zelle": "250", "form": "hex",
              "dichte": "cells", "punkt": EISENBAHNSTRASSE}, page="app_pages/karte.py")
    assert not at.exception and not _warnings(at)
    assert at.multiselect(key="karte_layers").value == ["cells"]
    assert (at.radio(key="karte_cell").value, at.radio(key="karte_shape").value,
            at.radio(key="karte_heat").value) == (250, "hex", "cells")
    assert any(m.value.startswith("**250-m-Zelle") for m in at.markdown)
    assert any(m.label == "Meldungen im Zeitraum" for m in at.metric)


def test_the_public_gets_the_same_view_without_points(app):
    at = app({"zeit": "365", "ebenen": ["cells", "markers"], "zelle": "250"},
             role=Role.PUBLIC, page="app_pages/karte.py")
    assert not at.exception
    assert at.multiselect(key="karte_layers").value == ["cells"]
    assert at.radio(key="karte_cell").value == 250
