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

from config.clock import today as real_today
from geo.boundary import load_boundary
from geo.gazetteer import street_lines
from reports.coordination import concerns
from reports.coordination.agenda import add_free_item
from reports.coordination.concerns import ConcernForm
from reports.coordination.meetings import Meeting, add_meeting
from reports.model import stable_id
from reports.privacy.access import Role, count_text
from reports.render.handout import DEMO_LABEL, handout_for
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
    flat = text.replace("\n", " ")
    for row in agenda.hotspots.itertuples():
        assert row.place in flat
        assert f"{row.change_text}\n{row.change_label}" in text, row  # figures, then words
    titles = [item.title for item in agenda.items]
    headings = [flat.index(f"{n}. {t}", flat.index("Kennzahlen")) for n, t in
                enumerate(titles, start=1)]
    assert headings == sorted(headings), "items out of the agenda's order"
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
    assert "Sperrmüll" not in public_text, public_text  # a concern's text is for members
    assert "Bericht Quartiersmanagement" in public_text  # the same items as the members'
    assert [i.key for i in public.items if i.kind != "hotspot"] == [
        i.key for i in agenda.items if i.kind != "hotspot"]


def test_cli_writes_the_same_handout(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    store = Store.open(url)
    fill(store)
    agenda, _ = handout_for(store, "next", Role.MEMBER, real_today(), BOUNDARY)
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
        found = re.search(rf"{re.escape(row.place)} {re.escape(row.ortsteil)} ({COUNT}) "
                          rf"({COUNT}) ", text)
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


LISTED_STREETS = ["Eisenbahnstraße", "Hildegardstraße", "Konradstraße", "Wurzner Straße",
                  "Dresdner Straße", "Hermann-Liebmann-Straße", "Torgauer Straße",
                  "Ludwigstraße", "Rosa-Luxemburg-Straße"]


def _street_clusters(store: Store, day: date) -> int:
    """Background over 10 weeks and, in the last four, a cluster on each of nine streets
    (growing ones and steady ones), two sessions; returns the next session's id."""
    rng = np.random.default_rng(11)
    start = pd.Timestamp(day - timedelta(days=70), tz="Europe/Berlin")
    bx, by = _street_point("Hermann-Liebmann-Straße", 0.5)
    xs, ys = [bx + rng.normal(0, 700, 600)], [by + rng.normal(0, 700, 600)]
    times = [start + pd.to_timedelta(rng.uniform(0, 69, 600), unit="D")]
    for k, name in enumerate(LISTED_STREETS):
        hx, hy = _street_point(name, 0.4 + 0.03 * k)
        for n, offset in ((25 + 2 * k, 42), (8 if k % 2 else 24, 14)):
            xs.append(hx + rng.normal(0, 20, n))
            ys.append(hy + rng.normal(0, 20, n))
            times.append(start + pd.to_timedelta(offset + rng.uniform(0, 27, n), unit="D"))
    stamps = pd.DatetimeIndex(np.concatenate([t.tz_convert("UTC").tz_localize(None).to_numpy()
                                              for t in times])).tz_localize("UTC")
    with store.transaction() as conn:
        store.upsert_reports(reports_at(np.concatenate(xs), np.concatenate(ys),
                                        stamps.tz_convert("Europe/Berlin")), conn)
        store.set_demo(True, conn=conn)
    add_meeting(store, Meeting(day - timedelta(days=29), "Plenum davor"), "red")
    return add_meeting(store, Meeting(day + timedelta(days=6), "Plenum", "18:30"), "red")


def _colour_box(image: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 40):
    """(x0, y0, x1, y1) of the pixels close to ``rgb`` (None: none)."""
    close = (np.abs(image[..., :3].astype(int) - rgb).sum(axis=2) <= tolerance)
    ys, xs = np.nonzero(close)
    return None if not len(xs) else (xs.min(), ys.min(), xs.max(), ys.max())


def test_every_handout_page_as_drawn(tmp_path):
    """The handout rendered to PNG (pdftoppm) and looked at: the situation map's frame is the
    district (± 10 %), its outline is drawn across the frame, no two street labels overlap
    (boxes from matplotlib's renderer), every listed section's number is on the map, and the
    text names at least five streets, the real date and the session's date."""
    import shutil
    import subprocess

    from PIL import Image

    from reports.coordination.meetings import german_date
    from reports.render.handout import handout_layout
    from reports.render.mapimage import DISTRICT_COLOUR, SECTION_COLOUR
    from reports.views.meeting import agenda_for

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian package poppler-utils) is missing")
    day = real_today()
    store = Store.open(f"sqlite:///{tmp_path / 'h.sqlite'}")
    meeting = _street_clusters(store, day)
    agenda = agenda_for(store, meeting, Role.MEMBER, day, boundary=BOUNDARY)
    pdf, placed = handout_layout(agenda, BOUNDARY, True, day)
    store.close()
    assert len(agenda.hotspots) == 8 and agenda.hotspots["change"].isin(
        ["new", "intensifying"]).any()
    (tmp_path / "h.pdf").write_bytes(pdf)
    dpi = 100
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(tmp_path / "h.pdf"),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(pdf_pages(pdf)) >= 3
    for path in pages:  # every page is A4 and carries ink
        image = np.asarray(Image.open(path).convert("RGB"))
        assert image.shape[:2] == (1170, 827) or image.shape[:2] == (1169, 827)
        assert (image < 200).any()

    def px(mm: float) -> int:
        return round(mm / 25.4 * dpi)

    colour = tuple(int(DISTRICT_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    orange = tuple(int(SECTION_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    whole = placed[0].drawn  # the situation: the whole district
    x0, y0, x1, y1 = BOUNDARY.district.bounds
    fx0, fy0, fx1, fy1 = whole.extent
    fill = max((x1 - x0) / (fx1 - fx0), (y1 - y0) / (fy1 - fy0))
    assert 0.9 <= fill <= 1.0, whole.extent
    assert fx0 <= x0 and fy0 <= y0 and fx1 >= x1 and fy1 >= y1
    for where in placed:
        drawn = where.drawn
        page = np.asarray(Image.open(pages[where.page - 1]).convert("RGB"))
        left, top = px(where.x_mm), px(where.y_mm)
        box = page[top:top + px(where.h_mm), left:left + px(where.w_mm)]
        if where is placed[0]:  # the outline as printed spans the frame's long side
            found = _colour_box(box, colour)
            assert found is not None
            drawn_h = (found[3] - found[1]) / box.shape[0]
            drawn_w = (found[2] - found[0]) / box.shape[1]
            assert max(drawn_h, drawn_w) >= 0.88, (drawn_w, drawn_h)
        boxes = [b for _, b in drawn.labels]
        assert len(boxes) >= 8
        for i, a in enumerate(boxes):
            assert a[0] >= 0 and a[2] <= drawn.size_px[0] and a[1] >= 0
            assert a[3] <= drawn.size_px[1]
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), \
                    (drawn.labels[i], b)
        assert sorted(n for n, _ in drawn.numbers) == list(range(1, 9))
        scale = box.shape[1] / drawn.size_px[0]
        for number, (bx0, by0, bx1, by1) in drawn.numbers:  # the badge is printed there
            badge = box[int(by0 * scale):int(by1 * scale) + 1,
                        int(bx0 * scale):int(bx1 * scale) + 1]
            assert _colour_box(badge, orange, 90) is not None, number
    text = " ".join(t for _, t in pdf_pages(pdf)).replace("\n", " ")
    named = {name for name in street_lines()["name"] if len(name) > 6 and name in text}
    assert len(named & set(LISTED_STREETS)) >= 5, named
    assert f"Erstellt am {german_date(day)}" in text
    assert german_date(day + timedelta(days=6), weekday=True, long=True) in text
