"""What every page shares: the cached store and boundary, the current role, the sidebar
filters mirrored in the URL, and the visible report frame.

Access hook: a log-in page sets ``st.session_state["role"]`` (a ``Role``); everything here
reads it only through ``current_role()``, and every frame a page shows comes from
``visible_frame()``, which passes through ``reports.views.source.reports_for`` (the role's
rows, columns and period).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import cast

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
from reports.views.view_state import (
    FIRST_DAY,
    LAST_DAY,
    PRESETS,
    ViewRules,
    ViewState,
    parse_view,
    view_params,
)

ROLE_KEY = "role"



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


def event_annotations() -> pd.DataFrame:
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


# -- view: the URL is the one source of truth ------------------------------------------------

# Filter widget -> ViewState field. Each run the widgets are set from the URL's ViewState
# before they are drawn, and a change is written back to the URL at once (``_changed``); the
# URL is the only state. A page switch drops the query string, so the session's last view
# is put back into the URL then.
WIDGETS = {"f_preset": "preset", "f_year": "year", "f_from": "start", "f_to": "end",
           "f_topics": "topics", "f_sources": "sources", "f_categories": "categories",
           "f_ortsteile": "ortsteile"}
FILTER_PARAMS = ("zeit", "jahr", "von", "bis", "thema", "quelle", "kategorie", "ortsteil")
_VIEW_KEY = "_view_params"  # the URL's view parameters of this session's last run
_PROBLEMS_KEY = "_view_problems"


@dataclass(frozen=True)
class FilterState:
    filter: ReportFilter
    preset: str
    note: str = ""  # e.g. why "seit letzter Sitzung" fell back


def view_rules() -> ViewRules:
    """What the URL's values are checked against for this deployment and day."""
    from reports.views.map import LAYERS

    vocab = vocabulary()
    return ViewRules(tuple(vocab.topics), tuple(vocab.sources), tuple(vocab.categories),
                     tuple(district_geometry().ortsteile["name"]), tuple(LAYERS),
                     _surroundings(), today())


@st.cache_resource(show_spinner=False)
def _surroundings() -> tuple[float, float, float, float]:
    """The district's bounds in lon/lat, padded by about 4–5 km."""
    west, south, east, north = district_geometry().ortsteile.to_crs(4326).total_bounds
    pad = 0.05
    return (float(west) - pad, float(south) - pad, float(east) + pad, float(north) + pad)


def url_view() -> tuple[ViewState, tuple[str, ...]]:
    """The URL's view as it stands, and a German message for each value not used."""
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    return parse_view(params, view_rules())


def _check_url() -> ViewState:
    """Parse the URL; a value that is not used is named in German on the page and leaves
    the URL (its default applies), never an exception."""
    if not any(name in st.query_params for name in FILTER_PARAMS) and \
            st.session_state.get(_VIEW_KEY):
        st.query_params.update(st.session_state[_VIEW_KEY])  # back after a page switch
    view, problems = url_view()
    if problems:
        _write_url(view)
        st.session_state[_PROBLEMS_KEY] = problems
    return view


def _write_url(view: ViewState) -> None:
    """The URL of ``view`` (page parameters outside the view, e.g. ``sitzung``, stay)."""
    from reports.views.view_state import PARAMS

    params = view_params(view)
    kept = {n: st.query_params.get_all(n) for n in st.query_params
            if n not in PARAMS.values()}
    wanted = {**kept, **params}
    current = {n: st.query_params.get_all(n) for n in st.query_params}
    normal = {n: v if isinstance(v, list) else [v] for n, v in wanted.items()}
    if current != normal:
        st.query_params.from_dict(wanted)
    st.session_state[_VIEW_KEY] = {n: v for n, v in params.items()
                                   if n in FILTER_PARAMS}


def show_url_problems() -> None:
    """The German messages about the link's unusable values, once, above the page."""
    for problem in st.session_state.pop(_PROBLEMS_KEY, ()):
        st.warning(f"Im Link wurde ein Wert nicht verwendet: {problem}",
                   icon=":material/link_off:")


def _widget_value(key: str, view: ViewState, rules: ViewRules):
    field = WIDGETS[key]
    value = getattr(view, field)
    if field == "year":
        return value or rules.today.year
    if field in ("start", "end"):
        return value or rules.default_range()[0 if field == "start" else 1]
    return list(value) if isinstance(value, tuple) else value


def _from_widgets(view: ViewState) -> ViewState:
    """``view`` with the filter widgets' current values."""
    state = st.session_state
    values = {field: state[key] for key, field in WIDGETS.items() if key in state}
    for field in ("topics", "sources", "categories", "ortsteile"):
        if field in values:
            values[field] = tuple(values[field] or ())
    if values.get("preset") != "jahr":
        values["year"] = None
    if values.get("preset") != "frei":
        values["start"] = values["end"] = None
    return replace(view, **values)


def _changed() -> None:
    """A filter widget changed: write the new view to the URL."""
    view, _ = url_view()
    _write_url(_from_widgets(view))


def seed_widgets(widgets: dict[str, str], view: ViewState) -> None:
    """Set a page's widgets (key -> ViewState field) from the URL's view before they are
    drawn: the URL decides, no widget keeps a value of its own."""
    for key, field in widgets.items():
        value = getattr(view, field)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value


def widgets_changed(widgets: dict[str, str]) -> None:
    """Callback of a page's view widgets: write their values to the URL."""
    view, _ = url_view()
    values = {field: st.session_state[key] for key, field in widgets.items()
              if key in st.session_state}
    values = {f: tuple(v) if isinstance(v, list) else v for f, v in values.items()}
    _write_url(replace(view, **values))


def write_view(view: ViewState) -> None:
    """Put ``view`` into the URL (a page's map position or selection changed)."""
    _write_url(view)


def map_position(returned: dict | None, view: ViewState) -> ViewState:
    """``view`` with the centre, zoom and clicked point st_folium returned, as far as they
    lie in the district's surroundings and zoom range (else unchanged)."""
    from reports.views.view_state import ZOOMS

    if not returned:
        return view
    west, south, east, north = _surroundings()
    changes: dict = {}
    for field, key in (("centre", "center"), ("point", "last_clicked")):
        where = returned.get(key) or {}
        lat, lon = where.get("lat"), where.get("lng")
        if lat is not None and lon is not None and west <= lon <= east and south <= lat <= north:
            changes[field] = (round(float(lat), 5), round(float(lon), 5))
    zoom = returned.get("zoom")
    if zoom is not None:
        changes["zoom"] = min(max(round(float(zoom)), ZOOMS[0]), ZOOMS[1])
    return replace(view, **changes)


def reset_filters() -> None:
    view, _ = url_view()
    default = ViewState()
    _write_url(replace(view, **{f: getattr(default, f) for f in WIDGETS.values()}))


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


def _last_meeting() -> date | None:
    reference_day = today()
    days = [d for d in pd.to_datetime(meetings()["held_on"]).dt.date if d <= reference_day]
    return max(days) if days else None


def sidebar_filters() -> FilterState:
    """Render the shared filters in the sidebar, set from and written to the URL."""
    view = _check_url()
    vocab = vocabulary()
    rules = view_rules()
    for key in WIDGETS:  # the URL decides; no widget keeps a value of its own
        st.session_state[key] = _widget_value(key, view, rules)
    with st.sidebar:
        st.header("Filter")
        preset = st.selectbox("Zeitraum", list(PRESETS), format_func=lambda k: PRESETS[k],
                              key="f_preset", on_change=_changed)
        if preset == "jahr":
            st.number_input("Jahr", FIRST_DAY.year, rules.today.year, key="f_year",
                            on_change=_changed)
        elif preset == "frei":
            # Two single dates, not a range picker: Streamlit's range picker labels itself
            # in English ("Date range", "Select…") and offers no way to change that.
            st.date_input("Von", min_value=FIRST_DAY, max_value=LAST_DAY, format="DD.MM.YYYY",
                          key="f_from", on_change=_changed)
            st.date_input("bis", min_value=FIRST_DAY, max_value=LAST_DAY, format="DD.MM.YYYY",
                          key="f_to", on_change=_changed)
        st.multiselect("Thema", list(vocab.topics), format_func=lambda k: vocab.topics[k],
                       key="f_topics", placeholder="alle", select_all=False,
                       on_change=_changed)
        st.multiselect("Quelle", list(vocab.sources), format_func=lambda k: vocab.sources[k],
                       key="f_sources", placeholder="alle", select_all=False,
                       on_change=_changed)
        cats = filter_categories(view.topics, view.sources, current_role())
        st.session_state["f_categories"] = [c for c in view.categories if c in cats]
        st.multiselect("Kategorie", cats, format_func=lambda k: vocab.categories[k].label,
                       key="f_categories", placeholder="alle", select_all=False,
                       on_change=_changed)
        st.multiselect("Ortsteil", list(rules.ortsteile), key="f_ortsteile",
                       placeholder="alle", select_all=False, on_change=_changed)
        st.button("Filter zurücksetzen", on_click=reset_filters, width="stretch")
        view = _from_widgets(view)
        _write_url(view)
        state = _filter_of(view)
        shown = effective_filter(state.filter, current_role())
        st.caption(f"{shown.start:%d.%m.%Y} – {shown.end:%d.%m.%Y}"
                   + (" (ganze Wochen)" if shown != state.filter else ""))
        if state.note:
            st.caption(state.note)
    return state


def current_view() -> ViewState:
    """This run's view, parsed from the URL into one frozen ``ViewState``."""
    return url_view()[0]


def _filter_of(view: ViewState) -> FilterState:
    first, last = view_rules().default_range()
    year = view.year or today().year
    start, end, note = _period(view.preset, year, (view.start or first, view.end or last),
                               _last_meeting() if view.preset == "sitzung" else None)
    f = ReportFilter(start, end, view.topics, view.sources, view.categories, view.ortsteile)
    return FilterState(f, view.preset, note)


def filter_state() -> FilterState:
    """The sidebar filter of this run's view."""
    return _filter_of(current_view())


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


def period(f: ReportFilter) -> tuple[date, date]:
    """The filter's first and last day (the sidebar filter always sets both)."""
    if f.start is None or f.end is None:
        raise ValueError("the sidebar filter needs a start and an end")
    return f.start, f.end


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
    from altair.theme import ConfigKwds, ThemeConfig

    # config/ stays free of Altair, so its plain dict is typed as Vega-Lite's config here
    if alt.theme.active != "lagebild":
        alt.theme.register("lagebild", enable=True)(
            lambda: ThemeConfig(config=cast(ConfigKwds, VEGA_CONFIG)))


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




@st.cache_resource(show_spinner=False)
def _german_streamlit_js() -> str:
    from config.paths import PROJECT_DIR

    return (PROJECT_DIR / "static/vendor/lagebild/streamlit-de.js").read_text("utf-8")


def page_style() -> None:
    """The dashboard's CSS (layout for projectors) and German texts for Streamlit's own
    fixed English labels (``static/vendor/lagebild/streamlit-de.js``; our own code, no
    user data in it)."""
    from app_pages.streamlit_compat import DASHBOARD_CSS, PHONE_CSS

    st.html(DASHBOARD_CSS + PHONE_CSS)
    st.html(f"<script>{_german_streamlit_js()}</script>", unsafe_allow_javascript=True)
