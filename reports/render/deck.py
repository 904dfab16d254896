"""The projector deck: the session's agenda as one self-contained HTML file, one item per
screen with its map and figures.

Built once per agenda (the maps are the handout's renderer, ``reports.render.mapimage``,
embedded as PNG data URLs), then stepped in the browser by a few lines of our own
JavaScript: → / Bild ↓ / Leertaste next, ← / Bild ↑ back, Pos1 / Ende first and last, or the
buttons. No server round trip per step, no request to anyone (no fonts, no scripts from
outside), so the same file opens offline on any projector laptop. Text that would not fit a
screen is made smaller until it fits (from 1024×768 to 1920×1080). Every text is escaped
for HTML here; the numbers are the agenda's, i.e. what the role may see.
"""

from __future__ import annotations

import base64
import html
from datetime import date

from geo.boundary import Boundary
from reports.coordination.agenda import Agenda, AgendaItem
from reports.coordination.meetings import german_date
from reports.privacy.access import count_text
from reports.render.handout import (
    DEMO_LABEL,
    detail_map,
    item_map,
    role_label,
    sections_of,
)
from reports.render.mapimage import draw_map
from reports.views.tables import min_count, rounding_note

TITLE_MAP = (4.4, 5.0)  # the district (taller than wide) beside the agenda
SLIDE_MAP = (6.0, 4.65)  # inches at MAP_DPI: 900×700 px, labels readable on a projector
MAP_DPI = 150
KIND_LABELS = {"situation": "Lage", "concern": "Anliegen", "hotspot": "Hotspot",
               "measure": "Maßnahme", "free": "Punkt"}

STYLE = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; overflow: hidden; background: #fff; color: #1a1a1a;
  font-family: "DejaVu Sans", "Source Sans Pro", Arial, sans-serif; }
.slide { display: none; position: absolute; inset: 0 0 3.4rem 0; padding: 2.2vh 2.5vw 1vh;
  flex-direction: column; }
.slide.on { display: flex; }
.kind { font-size: clamp(12px, 1.9vmin, 24px); color: #5B2C83; text-transform: uppercase;
  letter-spacing: .06em; margin: 0; }
h1 { font-size: clamp(26px, 6vmin, 76px); margin: .2em 0 .3em; line-height: 1.1; }
h2 { font-size: clamp(20px, 4.4vmin, 56px); margin: .1em 0 .4em; line-height: 1.15; }
.body { flex: 1; min-height: 0; display: grid; gap: 2.5vw;
  grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); }
.body.wide { grid-template-columns: minmax(0, 1fr); }
.body.title { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); }
.map { min-height: 0; min-width: 0; display: flex; align-items: flex-start;
  justify-content: center; }
.map img { width: 100%; height: 100%; object-fit: contain; object-position: top; }
.text { min-height: 0; overflow: hidden; font-size: clamp(14px, 3vmin, 40px);
  line-height: 1.3; }
.text p { margin: 0 0 .6em; }
.figures { display: flex; gap: 2.5vw; margin-bottom: .6em; }
.figure .value { font-size: 2.4em; font-weight: bold; line-height: 1.05; }
.figure .label { font-size: .8em; color: #444; }
.change { font-size: 1.25em; font-weight: bold; }
.note { font-size: .7em; color: #444; }
ol { margin: 0; padding-left: 1.6em; }
ol.long { columns: 2; column-gap: 3vw; }
li { margin-bottom: .25em; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: .78em; }
th, td { text-align: left; padding: .18em .4em; border-bottom: 1px solid #ccc;
  vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
.badge { display: inline-block; min-width: 1.5em; text-align: center; border-radius: 1em;
  border: 2px solid #D55E00; font-weight: bold; }
.badge.up { background: #D55E00; color: #fff; }
nav { position: absolute; left: 0; right: 0; bottom: 0; height: 3.4rem; display: flex;
  align-items: center; gap: .8rem; padding: 0 2.5vw; border-top: 1px solid #ddd;
  font-size: 15px; background: #fafafa; }
nav button { font: inherit; padding: .45rem 1rem; white-space: nowrap; border: 1px solid #999;
  border-radius: .4rem; background: #fff; cursor: pointer; }
nav button.primary { background: #D55E00; border-color: #D55E00; color: #fff; }
nav button:disabled { opacity: .4; cursor: default; }
nav .where { flex: 1; min-width: 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
@media (max-width: 1400px) { nav .keys { display: none; } }
nav .tag { white-space: nowrap; color: #555; }
nav .demo { font-weight: bold; color: #a04000; }
"""

# Steps in the browser. Embedded in the dashboard (an iframe), the keys pressed anywhere on
# the page step too, except in a text field, and the handler removes itself once its frame
# is gone (another page).
SCRIPT = """
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  var prev = document.getElementById('prev'), next = document.getElementById('next');
  var where = document.getElementById('where');
  var current = 0;
  function fit(slide) {
    var boxes = slide.querySelectorAll('.text');
    for (var k = 0; k < boxes.length; k++) {
      var box = boxes[k];
      box.style.fontSize = '';
      var size = parseFloat(getComputedStyle(box).fontSize);
      while (size > 9 && (box.scrollHeight > box.clientHeight + 1 ||
                          box.scrollWidth > box.clientWidth + 1)) {
        size -= 1;
        box.style.fontSize = size + 'px';
      }
    }
  }
  function show(n) {
    current = Math.max(0, Math.min(slides.length - 1, n));
    for (var k = 0; k < slides.length; k++) slides[k].classList.toggle('on', k === current);
    where.textContent = 'Folie ' + (current + 1) + ' von ' + slides.length;
    where.title = slides[current].getAttribute('data-title');
    prev.disabled = current === 0;
    next.disabled = current === slides.length - 1;
    fit(slides[current]);
    document.body.setAttribute('data-slide', String(current + 1));
  }
  function key(event) {
    if (window.frameElement && !window.frameElement.isConnected) {
      event.currentTarget.removeEventListener('keydown', key);
      return;
    }
    var target = event.target;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' ||
                   target.isContentEditable)) return;
    var go = {ArrowRight: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, PageUp: -1}[event.key];
    if (go) show(current + go);
    else if (event.key === 'Home') show(0);
    else if (event.key === 'End') show(slides.length - 1);
    else return;
    event.preventDefault();
  }
  prev.addEventListener('click', function () { show(current - 1); });
  next.addEventListener('click', function () { show(current + 1); });
  document.addEventListener('keydown', key);
  try {
    var outer = window.parent;
    if (outer !== window && outer.document) {
      if (outer.__lagebildDeckKey) {
        outer.document.removeEventListener('keydown', outer.__lagebildDeckKey);
      }
      outer.__lagebildDeckKey = key;
      outer.document.addEventListener('keydown', key);
    }
  } catch (e) { /* another origin: keys work inside the frame */ }
  window.addEventListener('resize', function () { fit(slides[current]); });
  window.lagebildDeck = {show: show, count: slides.length,
                         current: function () { return current + 1; }};
  show(0);
})();
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _figures(pairs: list[tuple[str, str]]) -> str:
    return '<div class="figures">' + "".join(
        f'<div class="figure"><div class="value">{_e(value)}</div>'
        f'<div class="label">{_e(label)}</div></div>' for label, value in pairs) + "</div>"


def _sections_table(agenda: Agenda, k: int) -> str:
    if agenda.hotspots.empty:
        return "<p>Kein Straßenabschnitt ist im Zeitraum ein Hotspot.</p>"
    rows = []
    for n, r in enumerate(agenda.hotspots.itertuples(), start=1):
        up = r.change in ("new", "intensifying")
        rows.append(f'<tr><td><span class="badge{" up" if up else ""}">{n}</span></td>'
                    f"<td>{_e(r.place)}</td><td class=\"n\">{_e(count_text(r.reports_now, k))}"
                    f"</td><td class=\"n\">{_e(count_text(r.reports_before, k))}</td>"
                    f"<td>{_e(r.change_text)}</td></tr>")
    return ("<table><thead><tr><th>Nr.</th><th>Straßenabschnitt</th><th>jetzt</th>"
            "<th>davor</th><th>Veränderung</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")


def _item_text(agenda: Agenda, item: AgendaItem, k: int) -> str:
    if item.kind == "situation":
        figures = _figures([("Meldungen im Zeitraum", count_text(item.figures["jetzt"], k)),
                            ("im Zeitraum davor", count_text(item.figures["davor"], k))])
        return figures + _sections_table(agenda, k) + (
            '<p class="note">Gefüllte Nummer: neu oder verstärkt (deutlich mehr Meldungen '
            "und jetzt ein Hotspot).</p>")
    if item.kind == "hotspot":
        row = agenda.hotspots.iloc[item.number - 1] if item.number else None
        figures = _figures([("Meldungen jetzt", count_text(item.figures["jetzt"], k)),
                            ("im Zeitraum davor", count_text(item.figures["davor"], k))])
        if row is None:
            return figures + f"<p>{_e(item.text)}</p>"
        return (figures + f'<p class="change">{_e(row["change_text"])}</p>'
                f"<p>{_e(row['change_label'])}</p>"
                f'<p class="note">Nr. {item.number} auf der Lagekarte.</p>')
    return f"<p>{_e(item.text)}</p>" if item.text else ""


def _slide(title: str, kind: str, heading: str, body: str, level: str = "h2") -> str:
    return (f'<section class="slide" data-title="{_e(title)}"><p class="kind">{_e(kind)}</p>'
            f"<{level}>{_e(heading)}</{level}>{body}</section>")


def build_deck(agenda: Agenda, boundary: Boundary, demo: bool, made_on: date) -> str:
    """The whole deck as one HTML document; ``boundary``: the district the agenda was found
    on (``agenda_for``)."""
    m = agenda.meeting
    k = min_count(agenda.role)
    when = german_date(m.held_on, weekday=True, long=True)
    when += f", {m.starts_at} Uhr" if m.starts_at else ""
    total = agenda.figures.iloc[0] if len(agenda.figures) else None
    listing = "".join(f"<li>{_e(item.title)}</li>" for item in agenda.items)
    long_list = ' class="long"' if len(agenda.items) > 6 else ""
    note = rounding_note(agenda.role)
    overview = draw_map(boundary, sections_of(agenda), size=TITLE_MAP, dpi=MAP_DPI)
    title_body = (
        f'<div class="body title"><div class="text"><p>{_e(when)}'
        + (f" · {_e(m.place)}" if m.place else "") + "</p>"
        f"<p>Betrachteter Zeitraum: {_e(agenda.period_text)}</p>"
        + (_figures([("Meldungen im Zeitraum", count_text(total["jetzt"], k)),
                     ("im Zeitraum davor", count_text(total["davor"], k))])
           if total is not None else "")
        + f"<ol{long_list}>{listing or '<li>Keine Punkte.</li>'}</ol>"
        + (f'<p class="note">{_e(note)}</p>' if note else "") + "</div>"
        f'<div class="map">{_img(overview.png, "Der Leipziger Osten mit den Hotspots")}</div>'
        "</div>")
    slides = [_slide(m.title, "Tagesordnung", m.title, title_body, "h1")]
    for n, item in enumerate(agenda.items, start=1):
        # the situation close up: on a screen the district's sections crowd
        drawn = (detail_map(agenda, boundary, SLIDE_MAP, MAP_DPI) if item.kind == "situation"
                 else item_map(agenda, item, boundary, SLIDE_MAP, MAP_DPI))
        text = f'<div class="text">{_item_text(agenda, item, k)}</div>'
        body = (f'<div class="body"><div class="map">{_img(drawn.png, item.title)}</div>'
                f"{text}</div>" if drawn is not None else f'<div class="body wide">{text}</div>')
        slides.append(_slide(item.title, KIND_LABELS[item.kind],
                             f"{n}. {item.title}", body))
    demo_tag = f'<span class="tag demo">{_e(DEMO_LABEL)}</span>' if demo else ""
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(m.title)} am {_e(german_date(m.held_on))}</title>"
        f"<style>{STYLE}</style></head><body>" + "".join(slides)
        + '<nav><button id="prev" type="button" aria-label="vorherige Folie">◀ Zurück'
        '</button><button id="next" type="button" class="primary" aria-label="nächste Folie">'
        'Weiter ▶</button><span class="where" id="where"></span>'
        '<span class="tag keys">Tasten: → / Bild ↓ weiter, ← / Bild ↑ zurück</span>'
        f'<span class="tag">{_e(role_label(agenda.role))} · Stand {_e(german_date(made_on))}'
        f"</span>{demo_tag}</nav><script>{SCRIPT}</script></body></html>")
