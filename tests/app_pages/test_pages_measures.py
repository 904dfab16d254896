"""The Anliegen and Maßnahmen pages under Streamlit's AppTest, on a small demo store."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from config.paths import PROJECT_DIR
from reports.privacy.access import Role
from tests.helpers import demo_database

ROOT = PROJECT_DIR
ATTACK = '<script>alert("x")</script> **fett** im Rabet'


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory, "pages_measures")


@pytest.fixture
def app(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def make(role: Role, page: str, params: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.session_state["role"] = role
        at.run()
        at = at.switch_page(page)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        return at.run()

    yield make
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


def _store(url: str):
    from reports.storage.store import Store

    return Store.open(url)


def _fill_concern(at: AppTest, description: str, address: str, solved: bool = True,
                  honeypot: str = "") -> AppTest:
    """Fill the form; ``solved``: as if the browser had solved the puzzle a minute ago."""
    from reports.coordination.concerns import Puzzle, solve

    if solved:
        puzzle = Puzzle("apptest" + description[:8], time.time() - 60, bits=6)
        at.session_state["anliegen_puzzle"] = puzzle
        at.session_state["anliegen_nonce"] = f"{puzzle.seed}:{solve(puzzle)}"
    at.text_area(key="anliegen_description").set_value(description)
    at.text_input(key="anliegen_address").set_value(address)
    at.text_input(key="anliegen_hp").set_value(honeypot)
    return at.button(key="FormSubmitter:anliegen_form-Anliegen senden").click().run()


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.MEMBER, Role.EDITOR, Role.ADMIN])
@pytest.mark.parametrize("page", ["app_pages/anliegen.py", "app_pages/massnahmen.py"])
def test_pages_run_for_every_role(app, page, role):
    at = app(role, page)
    assert not at.exception, at.exception
    assert at.title[0].value in {"Anliegen", "Maßnahmen"}
    editing = (any(h.value == "Moderation" for h in at.header) if page.endswith("anliegen.py")
               else any(f.key == "m_title" for f in at.text_input))
    assert editing == (role in (Role.EDITOR, Role.ADMIN))


def test_public_concern_flow_and_moderation(app, demo_url):
    from reports.coordination.concerns import list_concerns

    store = _store(demo_url)
    at = app(Role.PUBLIC, "app_pages/anliegen.py")
    _fill_concern(at, ATTACK, "Eisenbahnstraße 50", solved=False)
    assert any("Sicherheitsprüfung im Browser ist noch nicht fertig" in e.value
               for e in at.error)
    assert list_concerns(store).empty
    _fill_concern(at, ATTACK, "")
    assert any("Bitte einen Ort" in e.value for e in at.error)
    _fill_concern(at, ATTACK, "Eisenbahnstraße 50", honeypot="spam")
    assert list_concerns(store).empty
    _fill_concern(at, ATTACK, "Eisenbahnstraße 50")
    assert not at.exception and any("Danke" in s.value for s in at.success)
    (new_id,) = list_concerns(store)["id"]
    assert any(f"Nr. {new_id}" in s.value for s in at.success)
    assert at.text_area(key="anliegen_description").value == ""  # the form starts empty
    assert at.text_input(key="anliegen_address").value == ""
    (link,) = [c.value for c in at.code if "/anliegen?status=" in c.value]
    token = link.split("status=")[1]

    status = app(Role.PUBLIC, "app_pages/anliegen.py", {"status": token})
    assert any(s.value == f"Ihr Anliegen Nr. {new_id}" for s in status.subheader)
    assert ATTACK in [t.value for t in status.text]  # the resident's own text, as text
    wrong = app(Role.PUBLIC, "app_pages/anliegen.py", {"status": token[:-2]})
    assert any("kein Anliegen" in e.value for e in wrong.error)

    editor = app(Role.EDITOR, "app_pages/anliegen.py")
    assert ATTACK in [t.value for t in editor.text]  # shown as plain text, verbatim
    assert not any("<script>" in m.value for m in editor.markdown)
    before = store.count_reports()
    assert editor.selectbox(key=f"cat_{new_id}").value == "sonstiges_soziales"  # no keyword
    editor.button(key=f"reject_{new_id}").click().run()
    assert any("Begründung" in e.value for e in editor.error)
    editor.selectbox(key=f"cat_{new_id}").set_value("spritzenfund")
    editor.button(key=f"accept_{new_id}").click().run()
    assert not editor.exception
    assert store.count_reports() == before + 1
    assert list_concerns(store).iloc[0]["status"] == "accepted"
    store.close()


def test_editor_creates_a_measure_from_an_ortsteil_and_is_told_when_the_area_is_missing(
        app, demo_url):
    from reports.coordination.measures import list_measures

    store = _store(demo_url)
    count = len(list_measures(store))
    at = app(Role.EDITOR, "app_pages/massnahmen.py")
    at.text_input(key="m_title").set_value("Laternen Volkmarsdorf")
    at.multiselect(key="m_partners").set_value(["fachamt"])
    at.selectbox(key="m_kind").set_value("construction")
    at.multiselect(key="m_categories").set_value(["defekte_beleuchtung"])
    at.button(key="FormSubmitter:m_create-Maßnahme speichern").click().run()
    assert any("Bitte eine Fläche auf der Karte zeichnen" in e.value for e in at.error)
    assert len(list_measures(store)) == count

    at.radio(key="m_area_mode").set_value("ortsteil").run()
    at.selectbox(key="m_ortsteil").set_value("Volkmarsdorf")
    at.button(key="FormSubmitter:m_create-Maßnahme speichern").click().run()
    assert not at.exception
    added = [m for m in list_measures(store) if m.title == "Laternen Volkmarsdorf"]
    assert len(added) == 1 and added[0].area_label == "Volkmarsdorf"
    store.close()


def test_public_sees_measures_evaluation_but_no_create_form(app):
    at = app(Role.PUBLIC, "app_pages/massnahmen.py")
    assert not at.exception
    assert not [f for f in at.text_input if f.key == "m_title"]
    assert any(s.value == "Wirkung einer Maßnahme" for s in at.subheader)
    texts = [m.value for m in (*at.success, *at.info)]
    assert any(("Gebiet" in t or "Meldungen" in t) for t in texts)
