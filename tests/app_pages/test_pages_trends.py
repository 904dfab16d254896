"""The Trends page at a place under Streamlit's AppTest, on a small demo store: the place
selector changes the series, the public series is published, markers carry texts."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from config.paths import PROJECT_DIR
from reports.privacy.access import Role
from tests.helpers import demo_database

FROM = date(2025, 6, 1)  # the demo's measures from here on start inside the filter


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory, "pages_trends")


@pytest.fixture
def app(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def make(role: Role) -> AppTest:
        at = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=120)
        at.session_state["role"] = role
        for key, value in {"zeit": "frei", "von": FROM.isoformat(), "bis": "2026-10-31"}.items():
            at.query_params[key] = value
        at.run()
        return at.switch_page("app_pages/trends.py").run()

    yield make
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


def _chart(at: AppTest) -> tuple[dict, list]:
    """The main chart (the first on the page): its spec and its datasets as DataFrames."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    chart = at.get("vega_lite_chart")[0]
    return json.loads(chart.proto.spec), [convert_arrow_bytes_to_pandas_df(d.data.data)
                                          for d in chart.proto.datasets]


def _reports(datasets: list) -> list:
    """The bar values (NA: "unter 5") of the series."""
    frame = next(d for d in datasets if "reports" in d.columns and "rolling" in d.columns)
    return [None if pd.isna(v) else int(v) for v in frame["reports"]]


def _texts(datasets: list) -> list[str]:
    return [t for d in datasets if "text" in d.columns for t in d["text"]]


def _place_control(at):
    """The "Ort" buttons (the page's other segmented controls come first)."""
    return next(b for b in at.get("button_group") if b.key == "trend_place")


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.MEMBER])
def test_trend_at_a_measure_area_with_labelled_markers(app, demo_url, role):
    from reports.coordination.measures import list_measures
    from reports.storage.store import Store

    store = Store.open(demo_url)
    items = list_measures(store)
    store.close()
    recent = next(i for i, m in enumerate(items)
                  if m.starts_on >= FROM)
    at = app(role)
    assert not at.exception, at.exception
    total = sum(v or 0 for v in _reports(_chart(at)[1]))
    _place_control(at).set_value("measure").run()
    assert not at.exception, at.exception
    at.selectbox(key="trend_measure").set_value(recent).run()
    title = items[recent].title
    assert any(title in s.value for s in at.subheader)
    spec, datasets = _chart(at)
    values = _reports(datasets)
    assert sum(v or 0 for v in values) < total  # the area's reports, not the filter's
    if role is Role.PUBLIC:  # published: "unter 5" (no value) or a multiple of 5
        assert all(v is None or (v >= 5 and v % 5 == 0) for v in values), values
    texts = _texts(datasets)
    assert any(t.startswith("Sitzung: ") for t in texts), texts
    assert any(t.startswith("Beginn: " + title[:20]) for t in texts), texts
    assert '"text": {"field": "text"' in json.dumps(spec)  # drawn as text on the chart
    assert any("Senkrechte Linien mit Beschriftung" in c.value for c in at.caption)


def test_trend_at_a_street_section(app):
    """Members count at a stretch of street by house numbers; the public is not offered
    one (a free place: ``views.trends.place_kinds``)."""
    public = app(Role.PUBLIC)
    assert set(_place_control(public).options) == {"ganzer Filter", "Hotspot",
                                                   "Maßnahmengebiet"}
    at = app(Role.MEMBER)
    _place_control(at).set_value("section").run()
    at.selectbox(key="trend_street").set_value("Eisenbahnstraße").run()
    at.number_input(key="trend_hn_from").set_value(20).run()
    at.number_input(key="trend_hn_to").set_value(80).run()
    assert not at.exception, at.exception
    assert any("Eisenbahnstraße 20–80" in s.value for s in at.subheader)
