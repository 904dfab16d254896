"""The session handout: an A4 document built from the same agenda the page and the projector
show, so every number on paper is a number on screen.

Laid out with fpdf2 (pure Python, maintained, embeds TrueType fonts, page header/footer
hooks): every page carries the session, the role the copy was made for ("nur für
Mitglieder" / "öffentlich") and, on demo data, "Synthetische Demodaten". The map is drawn
with matplotlib (district, Ortsteile, street names, hot street sections numbered as in the
table) and placed as an image. The font is the DejaVu Sans that matplotlib ships, so German
text and typographic signs print on any machine.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from geo.boundary import Boundary
from geo.crs import METRIC_CRS
from reports.analysis.hotspot_change import RULE
from reports.coordination.agenda import SECTION_TITLES, Agenda
from reports.coordination.meetings import german_date
from reports.privacy.access import Role, count_text, policy_for
from reports.privacy.safe import escape_mathtext
from reports.views.tables import min_count, rounding_note

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
DEMO_LABEL = "Synthetische Demodaten"
MARGIN_MM = 15
MAP_STREET_LABELS = 40  # the longest streets get a name on the map
SECTION_COLOUR = "#D55E00"
ZOOM_M = 500  # a slide's map shows this much around its section


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
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, size * 0.48, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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




def map_png(agenda: Agenda, boundary: Boundary, only: int | None = None,
            size=(7.0, 6.2)) -> bytes:
    """District, Ortsteile (of ``boundary``) and named streets, with the agenda's hot sections
    numbered as in its table (``only``: just that 1-based section, for one projector slide)."""
    from geo.gazetteer import street_lines
    from geo.grid import cell_polygons
    from reports.analysis.hotspot_change import SPEC

    fig, ax = plt.subplots(figsize=size, dpi=160)
    area = gpd.GeoSeries([boundary.district], crs=METRIC_CRS)
    streets = street_lines()
    streets = streets[streets.intersects(boundary.district.buffer(200))]
    streets.plot(ax=ax, color="#9a9a9a", linewidth=0.8)
    parts = boundary.ortsteile()
    parts.boundary.plot(ax=ax, color="#555555", linewidth=0.6, linestyle="--")
    area.boundary.plot(ax=ax, color="black", linewidth=1.2)
    longest = streets.assign(length=streets.length).nlargest(MAP_STREET_LABELS, "length")
    for name, geom in zip(longest["name"], longest.geometry, strict=True):
        point = geom.interpolate(0.5, normalized=True)
        ax.annotate(escape_mathtext(name), (point.x, point.y), fontsize=5.2, color="#333333",
                    ha="center", va="center", bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                       "ec": "none", "alpha": 0.7})
    for number, row in enumerate(agenda.hotspots.itertuples(), start=1):
        if only is not None and number != only:
            continue
        cells = cell_polygons(list(row.cell_ids), SPEC)
        cells.plot(ax=ax, facecolor=SECTION_COLOUR, edgecolor="black", linewidth=0.3,
                   alpha=0.8, hatch="///")
        centre = cells.union_all().centroid
        ax.annotate(str(number), (centre.x, centre.y), fontsize=8, weight="bold",
                    ha="center", va="center", bbox={"boxstyle": "circle,pad=0.2",
                                                    "fc": "white", "ec": SECTION_COLOUR})
        if only is not None:  # one slide: the section and its surroundings
            x0, y0, x1, y1 = cells.total_bounds
            ax.set_xlim(x0 - ZOOM_M, x1 + ZOOM_M)
            ax.set_ylim(y0 - ZOOM_M, y1 + ZOOM_M)
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def build_handout(agenda: Agenda, boundary: Boundary, demo: bool, made_on: date) -> bytes:
    """The handout as PDF bytes (all pages A4); ``boundary``: the district the agenda was
    found on (``agenda_for``)."""
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

    pdf.add_page()
    pdf.heading(f"Karte: {SECTION_TITLES['hotspot']}")
    pdf.image(io.BytesIO(map_png(agenda, boundary)), w=pdf.epw)
    pdf.paragraph("Grau: Straßen (beschriftet: die längsten), gestrichelt: Ortsteilgrenzen; "
                  "schraffiert und nummeriert: Straßenabschnitte der Tabelle.", 8.5)
    pdf.heading(SECTION_TITLES["hotspot"])
    if agenda.hotspots.empty:
        pdf.paragraph("Keine neuen oder sich verstärkenden Hotspots im Zeitraum.")
    else:
        pdf.table_rows(["Nr.", "Straßenabschnitt", "Ortsteil", "Veränderung", "jetzt", "davor"],
                       [[str(n), r.place, r.ortsteil or "", r.change_label,
                         number(r.reports_now), number(r.reports_before)]
                        for n, r in enumerate(agenda.hotspots.itertuples(), start=1)],
                       [10, 52, 40, 40, 19, 19])
    pdf.paragraph(RULE, 8.5)

    pdf.heading(SECTION_TITLES["measure"])
    if agenda.measures.empty:
        pdf.paragraph("Keine Maßnahme ist zur Überprüfung fällig.")
    for item in (i for i in agenda.items if i.kind == "measure"):
        pdf.paragraph(item.title, bold=True)
        pdf.paragraph(item.text)
    if policy_for(agenda.role).sees_details:
        pdf.heading(SECTION_TITLES["concern"])
        concerns = [i for i in agenda.items if i.kind == "concern"]
        for item in concerns:
            pdf.paragraph(item.title, bold=True)
            pdf.paragraph(item.text)
        if not concerns:
            pdf.paragraph("Keine Anliegen für diese Sitzung.")
        free = [i for i in agenda.items if i.kind == "free"]
        if free:
            pdf.heading(SECTION_TITLES["free"])
            for item in free:
                pdf.paragraph(item.title, bold=True)
                if item.text:
                    pdf.paragraph(item.text)
    if m.note and policy_for(agenda.role).sees_details:
        pdf.heading("Notiz der Moderation")
        pdf.paragraph(m.note)
    return bytes(pdf.output())


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


def data_today(store, now: date | None = None) -> date:
    """The day the data reaches: today, or on the demo store (whose reports end on a fixed
    day) the day after its last report, as the dashboard counts."""
    now = now or date.today()
    if not store.is_demo():
        return now
    last = store.last_report_day()
    return min(now, last) if last else now


def register_cli(subparsers) -> None:
    """``python -m reports handout --meeting next --role mitglied --out FILE.pdf``."""
    run = subparsers.add_parser("handout", help="Handout einer Sitzung als PDF (A4)")
    run.add_argument("--meeting", default="next", help="next oder Sitzungsnummer")
    run.add_argument("--role", default="mitglied", choices=[r.value for r in Role],
                     help="für wen: oeffentlich oder mitglied (Standard)")
    run.add_argument("--out", required=True, metavar="DATEI.pdf")
    run.set_defaults(func=_cli_run)


def _cli_run(args) -> int:
    from reports.geography import geography_from
    from reports.storage.store import Store

    store = Store.open()
    agenda, pdf = handout_for(store, args.meeting, Role(args.role), data_today(store),
                              geography_from().boundary)
    Path(args.out).write_bytes(pdf)
    print(f"Handout für {agenda.meeting.label} ({role_label(agenda.role)}) nach {args.out} "
          "geschrieben.")
    return 0
