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

from geo.gazetteer import street_lines
from reports.coordination import concerns
from reports.coordination.agenda import add_free_item
from reports.coordination.concerns import Challenge, ConcernForm
from reports.coordination.meetings import Meeting, add_meeting
from reports.privacy.access import Role
from reports.render.handout import DEMO_LABEL, data_today, handout_for
from reports.storage.store import Store
from tests.helpers import reports_at
from tests.lagebild.test_cli import cli

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
    concern = concerns.submit(store, ConcernForm("umwelt", "Sperrmüll $x$ <b>fett</b> an "
                                                 "der Ecke", lon=float(lon), lat=float(lat)),
                              "s1", Challenge("?", 5), "5",
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
        shown = "< k" if pd.isna(row.jetzt) else f"{int(row.jetzt):,}".replace(",", ".")
        assert re.search(rf"{re.escape(row.Bereich)}\s+{re.escape(shown)}\b", text), row
    for row in agenda.hotspots.itertuples():
        assert row.place in text.replace("\n", " ")
    return text


def test_member_and_public_handouts(store):
    meeting = fill(store)
    agenda, pdf = handout_for(store, "next", Role.MEMBER, TODAY)
    assert agenda.meeting.id == meeting
    assert agenda.hotspots["place"].str.startswith("Eisenbahnstraße").any()
    text = check_document(pdf, agenda, "nur für Mitglieder")
    assert "Eisenbahnstraße" in text and "Sperrmüll $x$ <b>fett</b>" in text
    assert "Bericht Quartiersmanagement" in text

    public, public_pdf = handout_for(store, str(meeting), Role.PUBLIC, TODAY)
    public_text = check_document(public_pdf, public, "öffentlich")
    assert "Sperrmüll" not in public_text and "Bericht Quartiersmanagement" not in public_text


def test_cli_writes_the_same_handout(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    store = Store.open(url)
    fill(store)
    agenda, _ = handout_for(store, "next", Role.MEMBER, data_today(store))
    store.close()
    out = tmp_path / "handout.pdf"
    run = cli(tmp_path, "handout", "--meeting", "next", "--role", "mitglied", "--out", str(out))
    assert run.returncode == 0, run.stderr
    check_document(out.read_bytes(), agenda, "nur für Mitglieder")
    none = cli(tmp_path, "handout", "--meeting", "99", "--out", str(out))
    assert none.returncode == 2 and "Sitzung 99" in none.stderr
