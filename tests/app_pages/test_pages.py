"""Every page under Streamlit's AppTest on a small demo store built by the real pipeline."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from config.paths import PROJECT_DIR
from reports.privacy.access import Role
from tests.helpers import demo_database

ROOT = PROJECT_DIR

PAGES = ["app_pages/ueberblick.py", "app_pages/karte.py", "app_pages/trends.py",
         "app_pages/sitzung.py", "app_pages/daten.py"]


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory, "demo")


@pytest.fixture
def app(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def make(role: Role = Role.PUBLIC, query: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.session_state["role"] = role
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at

    yield make
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.MEMBER, Role.EDITOR])
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(app, page, role):
    at = app(role, {"zeit": "365"})
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value in {"Überblick", "Karte", "Trends", "Sitzung", "Daten"}


def test_demo_badge_and_default_page(app):
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Überblick"
    assert any("Synthetische Demodaten" in m.value for m in at.sidebar.markdown)


def test_filter_change_changes_numbers(app):
    at = app(Role.MEMBER, {"zeit": "365"}).run()
    year = int(_metric(at, "Meldungen gesamt").replace(".", ""))
    at.sidebar.selectbox(key="f_preset").set_value("90").run()
    quarter = int(_metric(at, "Meldungen gesamt").replace(".", ""))
    assert 0 < quarter < year
    at.sidebar.multiselect(key="f_topics").set_value(["umwelt"]).run()
    umwelt = int(_metric(at, "Meldungen gesamt").replace(".", ""))
    assert 0 < umwelt < quarter
    assert at.query_params["thema"] in ("umwelt", ["umwelt"])
    assert "zeit" not in at.query_params  # the default period needs no parameter


def test_filter_restored_from_url_and_reset(app):
    at = app(Role.MEMBER, {"zeit": "jahr", "jahr": "2025", "thema": ["ordnung", "unbekannt"]})
    at.run()
    assert at.sidebar.selectbox(key="f_preset").value == "jahr"
    assert at.sidebar.multiselect(key="f_topics").value == ["ordnung"]
    assert "01.01.2025 – 31.12.2025" in " ".join(c.value for c in at.sidebar.caption)
    assert [w.value for w in at.warning] == [
        "Im Link wurde ein Wert nicht verwendet: „thema“: unbekannte Thema „unbekannt“ – "
        "nicht berücksichtigt."]
    at.sidebar.button[0].click().run()
    assert at.sidebar.selectbox(key="f_preset").value == "90"
    assert at.sidebar.multiselect(key="f_topics").value == []


def test_empty_filter_gives_friendly_message(app):
    at = app(Role.MEMBER, {"zeit": "frei", "von": "2001-01-01", "bis": "2001-01-31"}).run()
    assert not at.exception
    assert any("keine Meldungen" in i.value for i in at.info)


def test_public_sees_no_upload(app):
    at = app(Role.PUBLIC).run()
    at.switch_page("app_pages/daten.py").run()
    assert not at.exception
    assert not at.get("file_uploader")
    assert any("Redaktion vorbehalten" in i.value for i in at.info)


def test_karte_accounts_for_the_filter(app):
    at = app(Role.MEMBER, {"zeit": "frei", "von": "2020-01-01", "bis": "2030-12-31"}).run()
    at.switch_page("app_pages/karte.py").run()
    assert not at.exception

    def total() -> int:
        text = next(c.value for c in at.caption if "Meldungen des Filters" in c.value)
        return int(text.split(" von ")[1].split(" ")[0].replace(".", ""))

    everything = total()
    at.sidebar.multiselect(key="f_topics").set_value(["bau"]).run()
    assert 0 < total() < everything


def test_sitzung_shows_the_agenda_by_street_section_and_by_role(app):
    at = app(Role.EDITOR).run()
    at.switch_page("app_pages/sitzung.py").run()
    assert not at.exception, at.exception
    assert "Tagesordnung" in [s.value for s in at.subheader]
    figures = next(d.value for d in at.dataframe if "Meldungen im Zeitraum" in d.value.columns)
    def number(text) -> int:
        return int(str(text).replace(".", ""))

    assert figures["Bereich"].iloc[0] == "Gesamt"
    assert number(figures["Meldungen im Zeitraum"].iloc[0]) > 0
    sections = [d.value for d in at.dataframe if "Straßenabschnitt" in d.value.columns]
    for table in sections:  # the top sections, most reports first, named by street
        assert table["Straßenabschnitt"].str.contains("[A-Za-zäöüß]", regex=True).all()
        now, before = table["jetzt"].map(number), table["davor"].map(number)
        assert now.is_monotonic_decreasing and len(table) <= 8
        for (_, row), n, b in zip(table.iterrows(), now, before, strict=True):
            # the change as a figure and in words that agree with it
            words = row["Einschätzung"]
            assert row["Veränderung"].endswith(f"({n} statt {b})")
            assert ("mehr Meldungen" in words) == (n > b), row
            assert row["Nr."].endswith("▲") == ("deutlich mehr" in words and words.startswith(
                ("neuer", "weiterhin"))), row
    assert sections or any("Kein Straßenabschnitt" in i.value for i in at.info)
    assert any(c.value.startswith("„Deutlich mehr“ oder „deutlich weniger“ heißt")
               for c in at.caption)
    # Redaktion plans a session; it becomes the next one and is chosen
    at.text_input(key="s_new_title").set_value("Sondersitzung Rabet")
    at.text_input(key="s_new_place").set_value("Stadtteilladen")
    at.button(key="FormSubmitter:s_new-Sitzung planen").click().run()
    assert not at.exception, at.exception
    assert any("Sitzung geplant" in s.value for s in at.success)
    assert "Sondersitzung Rabet" in at.selectbox(key="sitzung_id").format_func(
        at.selectbox(key="sitzung_id").value)

    public = app(Role.PUBLIC).run()
    public.switch_page("app_pages/sitzung.py").run()
    assert not public.exception, public.exception
    assert "Tagesordnung" in [s.value for s in public.subheader]
    assert any("Text der Anliegen und die Notizen" in c.value for c in public.caption)


def test_trends_compares_with_previous_years_and_names_hidden_weeks(app):
    import json

    at = app(Role.PUBLIC, {"zeit": "365"}).run()
    at.switch_page("app_pages/trends.py").run()
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    yoy = next(s for s in specs if s.get("encoding", {}).get("strokeDash"))
    assert len(yoy["encoding"]["color"]["scale"]["domain"]) >= 2  # this year and the last
    bars = json.dumps(specs[0])
    assert '"x2"' in bars and "period_end" in bars  # bars span their whole week
    captions = " ".join(c.value for c in at.caption)
    if "ausgeblendet" in captions:
        assert "Mit ausgeblendeten Werten (grau hinterlegt): KW" in captions


def test_presentation_without_a_planned_session_shows_the_last_one(app):
    """The demo's sessions all lie in the past: like the Sitzung page, the projector view
    then shows the last session's deck instead of an empty page."""
    at = app(Role.MEMBER).run()
    at.switch_page("app_pages/praesentation.py").run(timeout=300)
    assert not at.exception, at.exception
    assert not any("Keine Sitzung geplant" in i.value for i in at.info)
    downloads = [d.proto.label for d in at.get("download_button")]
    assert "Präsentation als Datei herunterladen" in downloads
