"""The session handout: an A4 document built from the same agenda the page and the projector
show, so every number on paper is a number on screen.

Laid out with fpdf2 (pure Python, maintained, embeds TrueType fonts, page header/footer
hooks): every page carries the session, the role the copy was made for ("nur für
Mitglieder" / "öffentlich") and, on demo data, "Synthetische Demodaten". The maps are drawn
by ``reports.render.mapimage`` (district, Ortsteile, street names without overlap, hot
street sections outlined and numbered as in the table) and placed as images. The items
follow the order Redaktion set. The font is the DejaVu Sans that matplotlib ships, so German
text and typographic signs print on any machine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib
import pandas as pd
import shapely
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from geo.boundary import Boundary
from reports.analysis.hotspot_change import RISING, RULE, SPEC
from reports.coordination.agenda import SECTION_TITLES, Agenda, AgendaItem
from reports.coordination.meetings import german_date
from reports.privacy.access import Role, count_text, policy_for
from reports.render.mapimage import DrawnMap, Section, draw_map
from reports.views.tables import min_count, rounding_note

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
DEMO_LABEL = "Synthetische Demodaten"
MARGIN_MM = 15
SITUATION_SIZE = (7.0, 7.6)  # inches: the district map across the page's width
DETAIL_SIZE = (7.0, 4.4)  # inches: the listed sections close up, above their table


def role_label(role: Role) -> str:
    return "öffentlich" if role is Role.PUBLIC else "nur für Mitglieder"


class _Document(FPDF):
    def __init__(self, header_text: str, role_text: str, demo: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.header_text, self.role_text, self.demo = header_text, role_text, demo
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN_MM, 20, MARGIN_MM)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90)
        self.set_y(8)
        self.cell(0, 4, self.header_text, align="L")
        self.set_x(MARGIN_MM)
        self.set_font("DejaVu", "B", 8)
        self.cell(0, 4, self.role_text, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.set_y(20)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "B" if self.demo else "", 8)
        self.set_text_color(90)
        self.cell(0, 4, DEMO_LABEL if self.demo else "", align="L")
        self.set_x(MARGIN_MM)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 4, f"{self.role_text} · Seite {self.page_no()} von {{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        align="L")
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, size * 0.48, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        align="L")
        self.ln(1)

    def table_rows(self, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
        self.set_font("DejaVu", "", 9)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5,
                        first_row_as_headings=True) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(3)


@dataclass(frozen=True)
class PlacedMap:
    """A map as placed on a handout page (mm from the page's top left), for tests that look
    at the rendered page."""

    page: int
    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float
    drawn: DrawnMap


def sections_of(agenda: Agenda) -> tuple[Section, ...]:
    """The agenda's listed street sections, numbered as in its table; new or intensifying
    ones marked."""
    return tuple(Section(n, tuple(int(c) for c in row.cell_ids), row.change in RISING,
                         str(row.street))
                 for n, row in enumerate(agenda.hotspots.itertuples(), start=1))


def item_map(agenda: Agenda, item: AgendaItem, boundary: Boundary,
             size: tuple[float, float] = SITUATION_SIZE, dpi: int = 150) -> DrawnMap | None:
    """The map of one agenda item: the district with every listed section (the situation),
    a hot section and its surroundings, a measure's area or a concern's place (None: an
    item without a place)."""
    sections = sections_of(agenda)
    if item.kind == "situation":
        return draw_map(boundary, sections, size=size, dpi=dpi)
    if item.kind == "hotspot" and item.number is not None:
        from geo.grid import cell_polygons

        section = sections[item.number - 1]
        cells = cell_polygons(list(section.cell_ids), SPEC).geometry.values
        return draw_map(boundary, (section,), focus=shapely.union_all(cells), size=size,
                        dpi=dpi)
    if item.area is not None:
        return draw_map(boundary, focus=item.area, shapes=(item.area,), size=size, dpi=dpi)
    return None


def detail_map(agenda: Agenda, boundary: Boundary,
               size: tuple[float, float] = DETAIL_SIZE, dpi: int = 150) -> DrawnMap | None:
    """The listed sections close up (on the district map they lie close together)."""
    from geo.grid import cell_polygons

    sections = sections_of(agenda)
    if not sections:
        return None
    cells = cell_polygons([c for s in sections for c in s.cell_ids], SPEC).geometry.values
    return draw_map(boundary, sections, focus=shapely.union_all(cells), size=size, dpi=dpi)


def build_handout(agenda: Agenda, boundary: Boundary, demo: bool, made_on: date) -> bytes:
    """The handout as PDF bytes (all pages A4); ``boundary``: the district the agenda was
    found on (``agenda_for``)."""
    return handout_layout(agenda, boundary, demo, made_on)[0]


def handout_layout(agenda: Agenda, boundary: Boundary, demo: bool, made_on: date
                   ) -> tuple[bytes, list[PlacedMap]]:
    """The handout and where its maps are (page, position, what was drawn). The items come
    in the order Redaktion set, the same as on the page and the projector."""
    m = agenda.meeting
    role_text = role_label(agenda.role)
    k = min_count(agenda.role)

    def number(value) -> str:  # as the pages print it ("unter 5" for a hidden public count)
        return count_text(value, k)

    when = german_date(m.held_on, weekday=True, long=True)
    when += f", {m.starts_at} Uhr" if m.starts_at else ""
    pdf = _Document(f"Lagebild Leipziger Osten · {m.title} am {german_date(m.held_on)}",
                    role_text, demo)
    pdf.set_title(f"{m.title} am {german_date(m.held_on)}")
    pdf.set_creator("Lagebild Leipziger Osten")
    pdf.add_page()
    pdf.heading(f"{m.title}", 18)
    pdf.paragraph(f"Sitzung am {when}" + (f" · {m.place}" if m.place else ""), 11, bold=True)
    pdf.paragraph(f"Betrachteter Zeitraum: {agenda.period_text}")
    pdf.paragraph(f"Erstellt am {german_date(made_on)} · Fassung: {role_text}"
                  + (f" · {DEMO_LABEL}" if demo else ""), 8.5)
    pdf.ln(2)
    pdf.heading("Tagesordnung")
    for n, item in enumerate(agenda.items, start=1):
        pdf.paragraph(f"{n}. {item.title}")
    if not agenda.items:
        pdf.paragraph("Keine Punkte.")
    pdf.ln(2)
    pdf.heading("Kennzahlen: Meldungen im Zeitraum und im Zeitraum davor")
    pdf.table_rows(["Bereich", "jetzt", "davor"],
                   [[r.Bereich, number(r.jetzt), number(r.davor)]
                    for r in agenda.figures.itertuples()], [90, 40, 40])
    note = rounding_note(agenda.role)
    if note:
        pdf.paragraph(note, 8.5)

    placed: list[PlacedMap] = []
    for n, item in enumerate(agenda.items, start=1):
        if item.kind == "situation":
            pdf.add_page()
            pdf.heading(f"{n}. {item.title}")
            pdf.paragraph(item.text)
            drawn = item_map(agenda, item, boundary)
            assert drawn is not None
            height = pdf.epw * SITUATION_SIZE[1] / SITUATION_SIZE[0]
            placed.append(PlacedMap(pdf.page_no(), pdf.l_margin, pdf.get_y(), pdf.epw,
                                    height, drawn))
            pdf.image(io.BytesIO(drawn.png), w=pdf.epw, h=height)
            pdf.paragraph("Violett: Grenze des Leipziger Ostens, gestrichelt: Ortsteilgrenzen; "
                          "orange umrandet und nummeriert: die Straßenabschnitte der Tabelle "
                          "(gefüllte Nummer: neu oder verstärkt ▲).", 8)
            detail = detail_map(agenda, boundary)
            if detail is not None:
                pdf.add_page()
                pdf.heading("Die Straßenabschnitte im Einzelnen", 11)
                height = pdf.epw * DETAIL_SIZE[1] / DETAIL_SIZE[0]
                placed.append(PlacedMap(pdf.page_no(), pdf.l_margin, pdf.get_y(), pdf.epw,
                                        height, detail))
                pdf.image(io.BytesIO(detail.png), w=pdf.epw, h=height)
                pdf.ln(2)
            _sections_table(pdf, agenda, number)
            continue
        pdf.ln(2)
        pdf.heading(f"{n}. {item.title}", 11)
        if item.text:
            pdf.paragraph(item.text)
        if item.kind == "hotspot" and item.number is not None:
            pdf.paragraph(f"Auf der Karte (Punkt „{SECTION_TITLES['situation']}“): "
                          f"Nr. {item.number}.", 8.5)
    if m.note and policy_for(agenda.role).sees_details:
        pdf.heading("Notiz der Moderation")
        pdf.paragraph(m.note)
    return bytes(pdf.output()), placed


def _sections_table(pdf: _Document, agenda: Agenda, number) -> None:
    """Per section one line of figures and, below it, the change in words (a line of its own,
    so neither wraps into the other)."""
    if agenda.hotspots.empty:
        pdf.paragraph("Kein Straßenabschnitt ist im Zeitraum ein Hotspot.")
    else:
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(col_widths=[10, 52, 40, 13, 13, 52], text_align="LEFT", line_height=4,
                       first_row_as_headings=True) as table:
            header = table.row()
            for value in ("Nr.", "Straßenabschnitt", "Ortsteil", "jetzt", "davor",
                          "Veränderung"):
                header.cell(value)
            for n, r in enumerate(agenda.hotspots.itertuples(), start=1):
                row = table.row()
                for value in (f"{n}{' ▲' if r.change in RISING else ''}", r.place,
                              r.ortsteil or "", number(r.reports_now),
                              number(r.reports_before), r.change_text):
                    row.cell(value)
                words = table.row()
                words.cell("")
                words.cell(r.change_label, colspan=5)
        pdf.ln(3)
    pdf.paragraph(RULE, 8)
    note = rounding_note(agenda.role)
    if note:
        pdf.paragraph(note, 8)


def handout_for(store, meeting: str, role: Role, today: date, boundary: Boundary,
                frame: pd.DataFrame | None = None) -> tuple[Agenda, bytes]:
    """The handout of ``meeting`` ("next" or an id) as ``role`` may see it, on the district
    ``boundary``."""
    from reports.coordination.meetings import MeetingError, next_meeting
    from reports.views.meeting import agenda_for

    if meeting == "next":
        upcoming = next_meeting(store, today)
        if upcoming is None or upcoming.id is None:
            raise MeetingError("Es ist keine Sitzung geplant (python -m reports meeting add).")
        meeting_id = upcoming.id
    else:
        try:
            meeting_id = int(meeting)
        except ValueError:
            raise MeetingError(f"--meeting „{meeting}“: erwartet next oder eine "
                               "Sitzungsnummer.") from None
    agenda = agenda_for(store, meeting_id, role, today, boundary=boundary, frame=frame)
    return agenda, build_handout(agenda, boundary, store.is_demo(), today)


def register_cli(subparsers) -> None:
    """``python -m reports handout --meeting next --role mitglied --out FILE.pdf``."""
    run = subparsers.add_parser("handout", help="Handout einer Sitzung als PDF (A4)")
    run.add_argument("--meeting", default="next", help="next oder Sitzungsnummer")
    run.add_argument("--role", default="mitglied", choices=[r.value for r in Role],
                     help="für wen: oeffentlich oder mitglied (Standard)")
    run.add_argument("--out", required=True, metavar="DATEI.pdf")
    run.set_defaults(func=_cli_run)


def _cli_run(args) -> int:
    from config.clock import today
    from reports.geography import geography_from
    from reports.storage.store import Store

    store = Store.open()
    agenda, pdf = handout_for(store, args.meeting, Role(args.role), today(),
                              geography_from().boundary)
    Path(args.out).write_bytes(pdf)
    print(f"Handout für {agenda.meeting.label} ({role_label(agenda.role)}) nach {args.out} "
          "geschrieben.")
    return 0
