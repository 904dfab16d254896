"""The handout PDF: all A4, German dates, street names, role and demo labels on every page,
the agenda's numbers; on SQLite and PostgreSQL; and the CLI writes the same document."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from geo.boundary import load_boundary
from geo.gazetteer import street_lines
from reports.coordination import concerns
from reports.coordination.agenda import add_free_item
from reports.coordination.concerns import ConcernForm
from reports.coordination.meetings import Meeting, add_meeting
from reports.model import stable_id
from reports.privacy.access import Role, count_text
from reports.render.handout import DEMO_LABEL, data_today, handout_for
from reports.storage.store import Store
from reports.views.tables import min_count
from tests.helpers import reports_at, submit_concern
from tests.lagebild.test_cli import cli

BOUNDARY = load_boundary()  # the shipped Ortsteile

PREVIOUS, MEETING = date(2026, 10, 29), date(2026, 12, 10)
TODAY = date(2026, 12, 1)
A4_PT = (595.28, 841.89)


def _street_point(name: str, share: float) -> tuple[float, float]:
    streets = street_lines()
    p = streets[streets["name"] == name].geometry.iloc[0].interpolate(share, normalized=True)
    return p.x, p.y


def fill(store: Store) -> int:
    """Background reports over 12 weeks, a new cluster on Eisenbahnstraße in the last 4,
    two sessions, an accepted concern with hostile text, a free item; demo flag on."""
    rng = np.random.default_rng(5)
    start = pd.Timestamp(PREVIOUS - timedelta(days=60), tz="Europe/Berlin")
    hx, hy = _street_point("Eisenbahnstraße", 0.7)
    bx, by = _street_point("Hermann-Liebmann-Straße", 0.5)
    x = np.concatenate([bx + rng.normal(0, 600, 700), hx + rng.normal(0, 25, 60)])
    y = np.concatenate([by + rng.normal(0, 600, 700), hy + rng.normal(0, 25, 60)])
    times = pd.DatetimeIndex(start + pd.to_timedelta(rng.uniform(0, 92, 700), unit="D")).append(
        pd.DatetimeIndex(pd.Timestamp(PREVIOUS + timedelta(days=5), tz="Europe/Berlin")
                         + pd.to_timedelta(rng.uniform(0, 25, 60), unit="D")))
    with store.transaction() as conn:
        store.upsert_reports(reports_at(x, y, times), conn)
        store.set_demo(True, conn=conn)
    add_meeting(store, Meeting(PREVIOUS, "Plenum Oktober"), "red")
    meeting = add_meeting(store, Meeting(MEETING, "Plenum Dezember", "18:30", "Stadtteilladen"),
                          "red")
    from geo.crs import to_display

    lon, lat = to_display(hx, hy)
    concern = submit_concern(store, ConcernForm("umwelt", "Sperrmüll $x$ <b>fett</b> an "
                                                "der Ecke", lon=float(lon), lat=float(lat)),
                             now=pd.Timestamp(PREVIOUS + timedelta(days=10),
                                              tz="Europe/Berlin").timestamp())
    concerns.accept(store, concern, "illegale_muellablagerung", "red")
    add_free_item(store, meeting, "Bericht Quartiersmanagement", "", "red")
    return meeting


def pdf_pages(pdf: bytes) -> list[tuple[tuple[float, float], str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [((float(p.mediabox.width), float(p.mediabox.height)), p.extract_text())
            for p in reader.pages]


def check_document(pdf: bytes, agenda, role_text: str) -> str:
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    for size, text in pages:
        assert size == pytest.approx(A4_PT, abs=0.5)
        assert role_text in text and DEMO_LABEL in text
    text = "\n".join(t for _, t in pages)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "ISO date in the handout"
    assert "Do., 10. Dezember 2026, 18:30 Uhr" in text
    assert f"{agenda.since:%d.%m.%Y} – {agenda.until:%d.%m.%Y}" in text
    for row in agenda.figures.itertuples():
        shown = count_text(row.jetzt, min_count(agenda.role))
        assert re.search(rf"{re.escape(row.Bereich)}\s+{re.escape(shown)}\b", text), row
    for row in agenda.hotspots.itertuples():
        assert row.place in text.replace("\n", " ")
    return text


def test_member_and_public_handouts(store):
    meeting = fill(store)
    agenda, pdf = handout_for(store, "next", Role.MEMBER, TODAY, BOUNDARY)
    assert agenda.meeting.id == meeting
    assert agenda.hotspots["place"].str.startswith("Eisenbahnstraße").any()
    text = check_document(pdf, agenda, "nur für Mitglieder")
    assert "Eisenbahnstraße" in text and "Sperrmüll $x$ <b>fett</b>" in text
    assert "Bericht Quartiersmanagement" in text

    public, public_pdf = handout_for(store, str(meeting), Role.PUBLIC, TODAY, BOUNDARY)
    public_text = check_document(public_pdf, public, "öffentlich")
    assert "Sperrmüll" not in public_text and "Bericht Quartiersmanagement" not in public_text


def test_cli_writes_the_same_handout(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    store = Store.open(url)
    fill(store)
    agenda, _ = handout_for(store, "next", Role.MEMBER, data_today(store), BOUNDARY)
    store.close()
    out = tmp_path / "handout.pdf"
    run = cli(tmp_path, "handout", "--meeting", "next", "--role", "mitglied", "--out", str(out))
    assert run.returncode == 0, run.stderr
    check_document(out.read_bytes(), agenda, "nur für Mitglieder")
    none = cli(tmp_path, "handout", "--meeting", "99", "--out", str(out))
    assert none.returncode == 2 and "Sitzung 99" in none.stderr


COUNT = r"unter 5|\d{1,3}(?:\.\d{3})*"


def _published(text: str) -> bool:
    """A public count as printed: "unter 5" or a multiple of 5 (never 1–4)."""
    return text == "unter 5" or int(text.replace(".", "")) % 5 == 0


def test_public_handout_prints_published_counts_as_the_public_sitzung_page(
        tmp_path, monkeypatch):
    """Three Ruhestörungen in the period: members read 3, the public's handout and Sitzung
    page both "unter 5"; every count on the public handout is published and equals the page's
    figure in the same row."""
    url = f"sqlite:///{tmp_path / 'public.sqlite'}"
    store = Store.open(url)
    fill(store)
    x, y = _street_point("Hermann-Liebmann-Straße", 0.3)
    quiet = reports_at(np.full(3, x), np.full(3, y), pd.DatetimeIndex(
        [pd.Timestamp(PREVIOUS + timedelta(days=d), tz="Europe/Berlin") for d in (6, 9, 12)]),
        category="ruhestoerung")
    quiet["source_ref"] = quiet["content_hash"] = [f"quiet-{k}" for k in range(3)]
    quiet["id"] = [stable_id("stadtreinigung", r) for r in quiet["source_ref"]]
    with store.transaction() as conn:
        store.upsert_reports(quiet, conn)
    member, _ = handout_for(store, "next", Role.MEMBER, TODAY, BOUNDARY)
    agenda, pdf = handout_for(store, "next", Role.PUBLIC, TODAY, BOUNDARY)
    store.close()
    assert member.figures.set_index("Bereich").loc["Ordnung", "jetzt"] == 3
    assert agenda.since.weekday() == 0 and agenda.until.weekday() == 6  # whole weeks
    text = check_document(pdf, agenda, "öffentlich").replace("\n", " ")

    printed = {}
    for row in agenda.figures.itertuples():
        found = re.search(rf"{re.escape(row.Bereich)} ({COUNT}) ({COUNT})\b", text)
        assert found, row
        printed[row.Bereich] = found.groups()
    assert printed["Ordnung"][0] == "unter 5"
    for row in agenda.hotspots.itertuples():
        found = re.search(rf"{re.escape(row.change_label)} ({COUNT}) ({COUNT})\b",
                          text[text.index(row.place):])
        assert found, row
        printed[row.place] = found.groups()
    counts = [v for pair in printed.values() for v in pair]
    counts += re.findall(rf"({COUNT}) Meldungen", text) + re.findall(rf"vorher ({COUNT})", text)
    assert counts and all(_published(c) for c in counts), counts

    # the public Sitzung page of the same store and day shows the same figures
    from streamlit.testing.v1 import AppTest

    from app_pages import shared
    from config.paths import PROJECT_DIR

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(shared, "today", lambda: TODAY)
    at = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=120)
    at.session_state["role"] = Role.PUBLIC
    at.run()
    at.switch_page("app_pages/sitzung.py").run()
    assert not at.exception, at.exception
    page = {}
    for table in at.dataframe:
        frame = table.value
        if "Meldungen im Zeitraum" in frame.columns:
            page.update({r[0]: (r[1], r[2]) for r in frame[
                ["Bereich", "Meldungen im Zeitraum", "im Zeitraum davor"]].itertuples(
                    index=False)})
        if "Straßenabschnitt" in frame.columns:
            page.update({r[0]: (r[1], r[2]) for r in frame[
                ["Straßenabschnitt", "jetzt", "davor"]].itertuples(index=False)})
    assert page == printed
    assert any(agenda.period_text in c.value for c in at.caption)
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
