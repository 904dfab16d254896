"""What every page shares: the cached store and boundary, the current role, the sidebar
filters mirrored in the URL, and the visible report frame.

Access hook: a log-in page sets ``st.session_state["role"]`` (a ``Role``); everything here
reads it only through ``current_role()``, and every frame a page shows comes from
``visible_frame()``, which passes through ``reports.views.source.reports_for`` (the role's
rows, columns and period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from config.locale import VEGA_CONFIG, german_number
from geo.geography import Geography
from reports.geography import geography_from
from reports.model import vocabulary
from reports.privacy.access import ROLE_LABELS, Policy, Role, effective_filter, policy_for
from reports.storage.query import ReportFilter
from reports.storage.store import Store
from reports.views.source import enough_reports, filter_categories, reports_for

ROLE_KEY = "role"

PRESETS = {
    "sitzung": "seit letzter Sitzung",
    "30": "letzte 30 Tage",
    "90": "letzte 90 Tage",
    "6m": "letzte 6 Monate",
    "365": "letzte 365 Tage",
    "jahr": "ein Jahr",
    "frei": "freier Zeitraum",
}
DEFAULT_PRESET = "90"
# Widget key -> URL query parameter; lists are comma-separated in the URL.
# Parameters a page owns (the filters leave them in the URL): an Anliegen's status token.
_PAGE_PARAMS = ("status",)
_LIST_PARAMS = {"f_topics": "thema", "f_sources": "quelle", "f_categories": "kategorie",
                "f_ortsteile": "ortsteil"}


def current_role() -> Role:
    """The signed-in role; the public (no log-in) by default."""
    value = st.session_state.get(ROLE_KEY, Role.PUBLIC)
    try:
        return Role(value)
    except ValueError:
        return Role.PUBLIC


def current_policy() -> Policy:
    """The privacy policy of the signed-in role."""
    return policy_for(current_role())


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """The store, opened once per process."""
    return Store.open()


@st.cache_resource(show_spinner=False)
def geography() -> Geography:
    """The deployment's geography (boundary, register, geocoder), built from the settings
    once per process and passed explicitly to whatever asks a geographic question."""
    return geography_from()


@st.cache_resource(show_spinner=False)
def district_geometry():
    """Ortsteile, district outline, real street lines and population, loaded once."""
    from config.settings import settings
    from geo.aggregate import population
    from geo.gazetteer import street_lines
    from reports.views.map import MapContext

    district = geography().district
    streets = street_lines()
    streets = streets[streets.intersects(district.buffer(300))]
    current = settings()
    return MapContext(geography().ortsteile(), district, streets, population(),
                      current.tile_url, current.tile_attribution)


@st.cache_resource(max_entries=1, show_spinner=False)
def _all_reports(version: str) -> pd.DataFrame:
    """Every report, loaded once per data version; filters then run in pandas."""
    return get_store().load_reports()


# Shared, not copied (cache_resource): pickling half a million rows for st.cache_data costs
# close to a second per rerun. Pages treat frames as read-only (assign/copy, never in place).
@st.cache_resource(max_entries=16, show_spinner=False)
def frame_for(version: str, role: Role, f: ReportFilter) -> pd.DataFrame:
    """The reports of ``f`` that ``role`` sees, for per-version caches of the pages."""
    return reports_for(_all_reports(version), f, role)


@st.cache_resource(max_entries=8, show_spinner=False)
def _agenda(version: str, meeting_id: int, role: Role, day: date):
    from reports.views.meeting import agenda_for

    # the view-model applies the role's rules itself; the district limits the grid
    return agenda_for(get_store(), meeting_id, role, day, frame=_all_reports(version),
                      boundary=geography().boundary)


def agenda(meeting_id: int):
    """The agenda of a session as the current role sees it (page, projector, handout)."""
    return _agenda(data_version(), int(meeting_id), current_role(), today())


def visible_frame(f: ReportFilter | None = None) -> pd.DataFrame:
    """The reports of filter ``f`` (default: the sidebar filter) that the current role sees."""
    return frame_for(data_version(), current_role(), f or current_filter())


def data_version() -> str:
    """Key of everything computed from the store: results cached per (data version, role,
    filter, options) are shared by all sessions and computed once. While the store cannot
    be read, the last version read stands in (``last_good``)."""
    from app_pages import last_good

    return last_good.read("data_version", get_store().data_version)


def draw_map(m, **options):
    """``st_folium`` for a map cached per data version and shared by sessions: st_folium
    rewrites the ids of the tree it renders, so it gets a private copy (10–30 ms, against
    0.2–0.4 s for building the map). An unchanged map keeps its component key, so the
    browser does not redraw it on a rerun. ``render=False`` skips rendering the whole HTML
    page around the map, which st_folium does not send (about 0.1 s per run); the map's
    own render still collects its scripts and styles."""
    import copy

    from streamlit_folium import st_folium

    return st_folium(copy.deepcopy(m), render=False, **options)


@st.cache_data(max_entries=4, show_spinner=False)
def _meetings(version: str) -> pd.DataFrame:
    return get_store().list_meetings()


def meetings() -> pd.DataFrame:
    return _meetings(data_version())


@st.cache_data(max_entries=4, show_spinner=False)
def _annotations(version: str) -> pd.DataFrame:
    return get_store().list_annotations()


def annotations() -> pd.DataFrame:
    return _annotations(data_version())


def today() -> date:
    """The day the time presets count back from: the real date (``config.clock``; the demo
    ends yesterday, so a demo store needs no frozen clock)."""
    from config.clock import today as real_today

    return real_today()


@st.cache_data(max_entries=4, show_spinner=False)
def _is_demo(version: str) -> bool:
    """Whether the store holds the demo, asked once per data version (not on every rerun)."""
    return get_store().is_demo()


# -- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterState:
    filter: ReportFilter
    preset: str
    note: str = ""  # e.g. why "seit letzter Sitzung" fell back


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _restore_from_url() -> None:
    """On a session's first run, put the URL's filter into the widgets' state."""
    if st.session_state.get("_filters_restored"):
        return
    st.session_state["_filters_restored"] = True
    _set_defaults()
    q = st.query_params
    vocab = vocabulary()
    allowed = {"f_topics": vocab.topics, "f_sources": vocab.sources,
               "f_categories": vocab.categories, "f_ortsteile": None}
    for key, param in _LIST_PARAMS.items():
        if param in q:
            values = [v for v in q[param].split(",") if v]
            if allowed[key] is not None:
                values = [v for v in values if v in allowed[key]]
            st.session_state[key] = values
    if q.get("zeit") in PRESETS:
        st.session_state["f_preset"] = q["zeit"]
    if (year := q.get("jahr", "")).isdigit():
        st.session_state["f_year"] = int(year)
    start, end = _parse_date(q.get("von")), _parse_date(q.get("bis"))
    if start and end and start <= end:
        st.session_state["f_from"], st.session_state["f_to"] = start, end


def _default_range() -> tuple[date, date]:
    return today() - timedelta(days=89), today()


def _set_defaults() -> None:
    """Widget values live in session state only (no widget defaults), so the URL and the
    reset button can set them without Streamlit's default-vs-state warning."""
    st.session_state["f_preset"] = DEFAULT_PRESET
    st.session_state["f_year"] = today().year
    st.session_state["f_from"], st.session_state["f_to"] = _default_range()
    for key in _LIST_PARAMS:
        st.session_state[key] = []


def reset_filters() -> None:
    st.session_state.pop(_SHADOW_KEY, None)
    _set_defaults()
    st.query_params.clear()


def _period(preset: str, year: int, free: tuple, last_meeting: date | None
            ) -> tuple[date, date, str]:
    end = today()
    if preset == "sitzung":
        if last_meeting is None:
            return end - timedelta(days=89), end, ("Noch keine Sitzung im Kalender: "
                                                   "es gelten die letzten 90 Tage.")
        return last_meeting + timedelta(days=1), max(end, last_meeting + timedelta(days=1)), ""
    if preset in ("30", "90", "365"):
        return end - timedelta(days=int(preset) - 1), end, ""
    if preset == "6m":
        return (pd.Timestamp(end) - pd.DateOffset(months=6)).date() + timedelta(days=1), end, ""
    if preset == "jahr":
        return date(year, 1, 1), date(year, 12, 31), ""
    start, stop = free
    if stop < start:
        return stop, start, "„Von“ lag nach „bis“: die beiden Tage wurden getauscht."
    return start, stop, ""


_FILTER_KEYS = ("f_preset", "f_year", "f_from", "f_to", *_LIST_PARAMS)
_SHADOW_KEY = "_filter_values"


def _keep_widget_state() -> None:
    """Streamlit drops a widget's state on runs that do not draw it (an interrupted run, a
    page that stops early); the filters come back from a plain copy kept alongside."""
    shadow = st.session_state.get(_SHADOW_KEY, {})
    for key in _FILTER_KEYS:
        if key not in st.session_state and key in shadow:
            st.session_state[key] = shadow[key]


def sidebar_filters() -> FilterState:
    """Render the shared filters in the sidebar and mirror them in the URL."""
    _restore_from_url()
    _keep_widget_state()
    vocab = vocabulary()
    reference_day = today()
    meeting_days = [d for d in pd.to_datetime(meetings()["held_on"]).dt.date
                    if d <= reference_day]
    last_meeting = max(meeting_days) if meeting_days else None
    with st.sidebar:
        st.header("Filter")
        preset = st.selectbox("Zeitraum", list(PRESETS), format_func=PRESETS.get,
                              key="f_preset")
        # A widget's state is dropped on runs that do not show it: set it again first.
        year, free = reference_day.year, _default_range()
        if preset == "jahr":
            st.session_state.setdefault("f_year", year)
            year = st.number_input("Jahr", 2000, reference_day.year, key="f_year")
        elif preset == "frei":
            # Two single dates, not a range picker: Streamlit's range picker labels itself
            # in English ("Date range", "Select…") and offers no way to change that.
            st.session_state.setdefault("f_from", free[0])
            st.session_state.setdefault("f_to", free[1])
            free = (st.date_input("Von", format="DD.MM.YYYY", key="f_from"),
                    st.date_input("bis", format="DD.MM.YYYY", key="f_to"))
        start, end, note = _period(preset, int(year), free, last_meeting)
        topics = st.multiselect("Thema", list(vocab.topics), format_func=vocab.topics.get,
                                key="f_topics", placeholder="alle", select_all=False)
        sources = st.multiselect("Quelle", list(vocab.sources), format_func=vocab.sources.get,
                                 key="f_sources", placeholder="alle", select_all=False)
        cats = filter_categories(tuple(topics), tuple(sources), current_role())
        st.session_state["f_categories"] = [
            c for c in st.session_state.get("f_categories", []) if c in cats]
        categories = st.multiselect("Kategorie", cats,
                                    format_func=lambda k: vocab.categories[k].label,
                                    key="f_categories", placeholder="alle",
                                    select_all=False)
        ortsteile = st.multiselect("Ortsteil", list(district_geometry().ortsteile["name"]),
                                   key="f_ortsteile", placeholder="alle",
                                   select_all=False)
        st.button("Filter zurücksetzen", on_click=reset_filters, width="stretch")
        shown = effective_filter(ReportFilter(start, end), current_role())
        st.caption(f"{shown.start:%d.%m.%Y} – {shown.end:%d.%m.%Y}"
                   + (" (ganze Wochen)" if shown != ReportFilter(start, end) else ""))
        if note:
            st.caption(note)
    f = ReportFilter(start, end, tuple(topics), tuple(sources), tuple(categories),
                     tuple(ortsteile))
    _write_url(preset, int(year), f)
    st.session_state[_SHADOW_KEY] = {k: st.session_state[k] for k in _FILTER_KEYS
                                     if k in st.session_state}
    state = FilterState(f, preset, note)
    st.session_state["_filter_state"] = state
    return state


def _write_url(preset: str, year: int, f: ReportFilter) -> None:
    params = {"zeit": preset}
    if preset == "jahr":
        params["jahr"] = str(year)
    if preset == "frei":
        params["von"], params["bis"] = f.start.isoformat(), f.end.isoformat()
    for key, param in _LIST_PARAMS.items():
        values = st.session_state.get(key) or []
        if values:
            params[param] = ",".join(values)
    params.update({k: st.query_params[k] for k in _PAGE_PARAMS if k in st.query_params})
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def filter_state() -> FilterState:
    state = st.session_state.get("_filter_state")
    return state if state is not None else FilterState(ReportFilter(), DEFAULT_PRESET)


def current_filter() -> ReportFilter:
    """The sidebar filter as the current role may apply it (whole weeks for the public)."""
    return role_filter(filter_state().filter)


def role_filter(f: ReportFilter) -> ReportFilter:
    return effective_filter(f, current_role())


# -- common messages -------------------------------------------------------------------------


def role_caption() -> None:
    role = current_role()
    st.sidebar.caption(f"Rolle: {ROLE_LABELS[role]}")


def demo_badge() -> None:
    if _is_demo(data_version()):
        st.sidebar.markdown(":orange-badge[Synthetische Demodaten]")


def require_reports(frame: pd.DataFrame) -> bool:
    """Friendly message (and False) for an empty store or an empty filter result."""
    if _all_reports(data_version()).empty:
        st.info("Noch keine Meldungen im Datenbestand. Auf der Seite **Daten** lassen sich "
                "Exporte der Partner importieren (oder: `python -m reports demo` für "
                "synthetische Demodaten).")
        return False
    if not enough_reports(frame, current_role()):
        # the public reads the same sentence for none and for a few (published total)
        few = "keine" if current_policy().exact else f"unter {current_policy().min_count}"
        st.info(f"Für diesen Filter gibt es {few} Meldungen. Zeitraum oder Auswahl im "
                "Seitenmenü erweitern – oder „Filter zurücksetzen“.")
        return False
    return True


def fmt_int(n: int) -> str:
    return german_number(n)


def chart_with_downloads(chart, data: pd.DataFrame, name: str) -> None:
    """An Altair chart plus its numbers as CSV and the chart as SVG (PNG: the chart's own
    toolbar). The SVG is rendered offline by vl-convert, only when asked for."""
    st.altair_chart(chart, width="stretch")
    downloads(chart, data, name)


def downloads(chart, data: pd.DataFrame, name: str) -> None:
    """The CSV and SVG download buttons of a chart."""
    from reports.render.export import to_csv_bytes

    # A horizontal row sized to its buttons: columns would squeeze them to "Z…" in a
    # narrow page column.
    with st.container(horizontal=True, gap="small"):
        st.download_button("Zahlen (CSV)", to_csv_bytes(data), f"{name}.csv", "text/csv",
                           key=f"csv_{name}", on_click="ignore", width="content")
        st.download_button("Grafik (SVG)", lambda: _svg(chart), f"{name}.svg",
                           "image/svg+xml", key=f"svg_{name}", on_click="ignore",
                           width="content")


def _svg(chart) -> bytes:
    from reports.render.export import chart_svg

    return chart_svg(chart.to_dict())


def time_axis(start: date, end: date, title: str | None = None):
    """A date axis whose labels never repeat: days for up to four months, months for up to
    two years, years beyond (German names through ``german_charts``)."""
    import altair as alt

    days = (end - start).days
    if days <= 120:
        fmt, interval = "%d.%m.", "week"
    elif days <= 730:
        fmt, interval = "%b %y", "month"
    else:
        fmt, interval = "%Y", "year"
    return alt.Axis(title=title, format=fmt, labelOverlap=True,
                    tickCount={"interval": interval, "step": 1})


def german_charts() -> None:
    """Every Altair chart of the process formats numbers and dates in German (decimal comma,
    thousands point, German month names), through Vega's own locale config."""
    import altair as alt

    if alt.theme.active != "lagebild":
        alt.theme.register("lagebild", enable=True)(lambda: {"config": VEGA_CONFIG})


def rounding_note() -> None:
    """The caption under public numbers (rounded, small ones hidden)."""
    from reports.views.tables import rounding_note as text

    if note := text(current_role()):
        st.caption(note)


def readable(table: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    from reports.views.tables import readable as as_text

    return as_text(table, current_role(), counts)


_FAULT_KEY = "_store_fault"


def show_fault(exc: Exception) -> None:
    """A store fault as the page shows it: its German message (it says what happened and
    that nothing was half-written)."""
    st.error(str(exc), icon=":material/database:")


def guarded(callback):
    """A button callback whose store fault is kept and shown by the next run (an exception
    inside a callback would end in Streamlit's English error page)."""
    from functools import wraps

    from reports.storage.faults import StoreError

    @wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except StoreError as exc:
            st.session_state[_FAULT_KEY] = str(exc)
            return None

    return run


def show_kept_fault() -> None:
    if message := st.session_state.pop(_FAULT_KEY, None):
        st.error(message, icon=":material/database:")


def current_actor() -> str:
    """Who acts, for the audit log (the log-in page sets ``username``)."""
    return str(st.session_state.get("username") or current_role().value)


# -- look ------------------------------------------------------------------------------------

# The top padding is reduced so that on a 1280×720 projector a page's title, key figure and
# map start above the fold; the main column uses the full width on large screens.
_STYLE = """
<style>
[data-testid="stMainBlockContainer"] {padding: 2.5rem 2rem 2rem 2rem; max-width: 100%;}
[data-testid="stMainBlockContainer"] h1 {padding-top: 0; padding-bottom: .25rem;}
[data-testid="stSidebarHeader"] {height: 2.5rem; margin-bottom: 0;}
[data-testid="stMetricValue"] {font-size: 1.9rem;}
</style>
"""

# -- phone layout (issue 20.3; one block, kept apart for easy merging) ------------------------
# At phone width (Streamlit stacks columns below 640 px) a row of key figures stays one
# compact line instead of a screen of tiles, so the map follows right below; the page's
# padding shrinks. Rows holding a map (Karte: map and cell panel) stack as before.
_PHONE_STYLE = """
<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] {padding: 2.75rem .75rem 1.5rem .75rem;}
  [data-testid="stMainBlockContainer"] h1 {font-size: 2rem;}
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(iframe)) {
    flex-wrap: nowrap; gap: .35rem;
  }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(iframe))
      > [data-testid="stColumn"] {
    width: auto !important; min-width: 0 !important; flex: 1 1 0 !important;
  }
  [data-testid="stMetric"] {padding: 0;}
  [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div,
  [data-testid="stMetricLabel"] p {
    font-size: .7rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
    min-height: 0; min-width: 0; max-width: 100%;
  }
  [data-testid="stMetricLabel"] p {display: block;}
  [data-testid="stMetricValue"] {font-size: 1.15rem;}
  [data-testid="stMetricDelta"] {font-size: .6rem; padding: 0 .2rem;}
  [data-testid="stMetricDelta"] svg {display: none;}
}
</style>
"""


@st.cache_resource(show_spinner=False)
def _german_streamlit_js() -> str:
    from config.paths import PROJECT_DIR

    return (PROJECT_DIR / "static/vendor/lagebild/streamlit-de.js").read_text("utf-8")


def page_style() -> None:
    """The dashboard's CSS (layout for projectors) and German texts for Streamlit's own
    fixed English labels (``static/vendor/lagebild/streamlit-de.js``; our own code, no
    user data in it)."""
    st.html(_STYLE + _PHONE_STYLE)
    st.html(f"<script>{_german_streamlit_js()}</script>", unsafe_allow_javascript=True)
