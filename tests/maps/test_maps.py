"""Map builders tested on the folium objects they return: layers, exact counts, escaped
popups, payload size and no third-party hosts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import branca
import folium
import numpy as np
import pandas as pd
import pytest

from geo.boundary import load_boundary
from geo.crs import to_display
from maps import tiles
from maps.assets import localise
from maps.view import build_map
from reports.model import RECORD_KEY, RECORD_KEY_RANGE, REPORT_COLUMNS, TIMEZONE, vocabulary
from reports.privacy.access import Role, visible_reports
from reports.views.map import MAX_MARKERS, MapContext, MapOptions, MapView, map_view

BOUNDARY = load_boundary()  # the shipped Ortsteile

ALL_LAYERS = ("heat", "cells", "ortsteile", "hotspots", "markers")
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def synthetic_reports(n: int, seed: int = 0) -> pd.DataFrame:
    """Reports spread over the district's bounding box plus one dense cluster."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = BOUNDARY.district.bounds
    x, y = rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)
    hot = rng.random(n) < 0.3
    x[hot] = rng.normal((xmin + xmax) / 2, 80, hot.sum())
    y[hot] = rng.normal((ymin + ymax) / 2, 80, hot.sum())
    ortsteil = BOUNDARY.assign_ortsteil(x, y)
    status = np.where(pd.isna(ortsteil), "outside", "exact").astype(object)
    unresolved = rng.random(n) < 0.02
    status[unresolved] = "unresolved"
    x[unresolved] = y[unresolved] = np.nan
    vocab = vocabulary()
    categories = rng.choice([k for k, c in vocab.categories.items() if not c.restricted], n)
    lon, lat = to_display(x, y)
    frame = pd.DataFrame({
        "id": [f"r{i}" for i in range(n)], "source": rng.choice(list(vocab.sources), n),
        "source_ref": [str(i) for i in range(n)],
        "topic": [vocab.categories[c].topic for c in categories], "category": categories,
        "occurred_at": pd.Timestamp("2025-01-01", tz=TIMEZONE)
        + pd.to_timedelta(rng.integers(0, 365 * 86400, n), unit="s"),
        "reported_at": pd.Series(pd.NaT, index=range(n), dtype=f"datetime64[ns, {TIMEZONE}]"),
        "address": "Eisenbahnstraße 1", "lon": lon, "lat": lat, "x": x, "y": y,
        "ortsteil": ortsteil, "geocode_status": status, "precision_m": 5.0, "count": 1,
        "description": XSS, "sensitivity": "members", "batch_id": "b", "content_hash": "h",
    })
    return frame.astype(REPORT_COLUMNS).assign(
        **{RECORD_KEY: rng.integers(0, RECORD_KEY_RANGE, n, dtype=np.int64)})


@pytest.fixture(scope="module")
def ctx() -> MapContext:
    return MapContext(BOUNDARY.ortsteile(), BOUNDARY.district)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return synthetic_reports(5000)


def draw(frame: pd.DataFrame, role: Role, options: MapOptions, ctx: MapContext,
         measures=None) -> tuple[MapView, folium.Map]:
    view = map_view(frame, role, options, ctx)
    return view, build_map(view, ctx, measures)


def _features(m: folium.Map, name_prefix: str) -> list[dict]:
    for child in m._children.values():
        if getattr(child, "layer_name", "").startswith(name_prefix) and hasattr(child, "data"):
            return child.data["features"]
    raise AssertionError(f"no layer {name_prefix!r}")


def _layer_names(m: folium.Map) -> set[str]:
    return {getattr(c, "layer_name", None) for c in m._children.values()} - {None}


def _asset_urls(m: folium.Map) -> list[str]:
    """What streamlit-folium would load: default_js/css of every element in the tree."""
    urls, todo = [], [m]
    while todo:
        element = todo.pop()
        urls += [u for _, u in getattr(element, "default_js", [])]
        urls += [u for _, u in getattr(element, "default_css", [])]
        todo += list(getattr(element, "_children", {}).values())
    return urls


def test_all_layers_present_with_controls(frame, ctx):
    _, m = draw(visible_reports(frame, Role.MEMBER), Role.MEMBER,
                MapOptions(layers=ALL_LAYERS), ctx)
    names = _layer_names(m)
    assert {"Heatmap (Kerndichte)", "Rasterzellen (Quadrat 100 m)", "Hotspots (Gi*)",
            "Einzelmeldungen", "Gebietsgrenze", "Ortsteile (Grenzen)"} <= names
    assert any(n.startswith("Ortsteile: ") for n in names)
    html = m.get_root().render()
    assert "L.control.layers" in html and "L.control.fullscreen" in html
    assert "L.control.scale" in html and "lagebild-legend" in html


def test_no_third_party_hosts_in_map_html_or_assets(frame, ctx):
    _, m = draw(visible_reports(frame, Role.MEMBER), Role.MEMBER,
                MapOptions(layers=(*ALL_LAYERS, "measures")), ctx)
    html = m.get_root().render()
    assert re.findall(r"https?://[^\s\"'<>)]+", html) == []
    urls = _asset_urls(m)
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls)
    assert "/app/static/vendor/leaflet/leaflet.js" in urls


def test_localise_refuses_unknown_cdn_assets_and_colormaps():
    m = folium.Map(tiles=None)
    folium.plugins.MiniMap(tile_layer=None).add_to(m)
    with pytest.raises(ValueError, match="MiniMap"):
        localise(m)
    m = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["#ffffff", "#000000"]).add_to(m)
    with pytest.raises(ValueError, match="colormap"):
        localise(m)


def test_cell_counts_are_exact_and_every_report_is_accounted_for(frame, ctx):
    view, m = draw(frame, Role.MEMBER, MapOptions(layers=("cells",), cell_m=250), ctx)
    cells = _features(m, "Rasterzellen")
    unresolved = int((frame["geocode_status"] == "unresolved").sum())
    outside = int((frame["geocode_status"] == "outside").sum())
    placed = len(frame) - unresolved - outside
    assert int(view.cells["reports"].sum()) == placed
    assert sorted(f["properties"]["text"] for f in cells) == sorted(view.cells["text"])
    def fmt(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    assert f"{fmt(unresolved)} ohne zuordenbaren Ort" in view.accounting
    assert f"{fmt(outside)} außerhalb des Gebiets" in view.accounting
    assert view.accounting.startswith(f"{fmt(placed)} von {fmt(len(frame))} ")


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("cell_m", [50, 100, 250])
def test_grid_variants(frame, ctx, shape, cell_m):
    view, m = draw(frame, Role.MEMBER, MapOptions(("cells",), cell_m, shape), ctx)
    cells = _features(m, "Rasterzellen")
    placed = int(frame["geocode_status"].isin(["exact"]).sum())
    assert int(view.cells["reports"].sum()) == placed
    # Most cells are inner (unclipped) cells with 4 or 6 corners (+ closing point).
    corners = pd.Series([len(f["geometry"]["coordinates"][0]) - 1 for f in cells
                         if f["geometry"]["type"] == "Polygon"])
    assert corners.mode()[0] == (4 if shape == "square" else 6)


def test_public_sees_published_cells_only_and_no_markers(frame, ctx):
    public = visible_reports(frame, Role.PUBLIC)
    view, m = draw(public, Role.PUBLIC, MapOptions(layers=ALL_LAYERS, cell_m=50), ctx)
    cells = _features(m, "Rasterzellen")
    texts = [f["properties"]["text"] for f in cells]
    shown = [int(t.replace(".", "")) for t in texts]
    assert shown and all(v >= 5 and v % 5 == 0 for v in shown)
    assert all(set(f["properties"]) == {"klasse", "_fill"}
               for f in _features(m, "Hotspots"))  # no count, no z for the public
    assert "Einzelmeldungen" not in _layer_names(m)
    assert "Heatmap (Kerndichte)" not in _layer_names(m)  # heat from published cells only
    assert "Datenschutz" in view.accounting and "rund" in view.accounting
    html = m.get_root().render()
    assert "alert" not in html and "Eisenbahnstraße 1" not in html


def test_marker_popups_are_escaped(ctx):
    small = synthetic_reports(50, seed=3)
    view, m = draw(small, Role.MEMBER, MapOptions(layers=("markers",)), ctx)
    cluster = next(c for c in m._children.values()
                   if getattr(c, "layer_name", "") == "Einzelmeldungen")
    popups = [row[3] for row in cluster.data]
    assert all("&lt;script&gt;" in p and "<script" not in p for p in popups)
    assert all("<img" not in p for p in popups)
    html = m.get_root().render()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert len(view.markers) == view.markers_total == len(cluster.data)


def test_markers_are_capped_with_a_note(ctx):
    many = synthetic_reports(MAX_MARKERS * 2, seed=5)
    view, _ = draw(many, Role.MEMBER, MapOptions(layers=("markers",)), ctx)
    assert len(view.markers) == MAX_MARKERS < view.markers_total
    assert any("neuesten" in n for n in view.notes)


def test_ortsteile_rates_and_escaped_tooltips(frame, ctx):
    evil = ctx.ortsteile.copy()
    evil.loc[0, "name"] = "<b>X</b>"
    population = pd.DataFrame({"ortsteil": list(evil["name"]), "einwohner": [10_000] * len(evil)})
    local = MapContext(evil, ctx.district, population=population)
    data = frame.assign(ortsteil=frame["ortsteil"].replace({ctx.ortsteile.loc[0, "name"]:
                                                            "<b>X</b>"}))
    _, m = draw(data, Role.MEMBER, MapOptions(("ortsteile",), per_1000=True), local)
    features = _features(m, "Ortsteile: ")
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert "&lt;b&gt;X&lt;/b&gt;" in by_name
    counts = data["ortsteil"].value_counts()
    for name, props in by_name.items():
        raw = "<b>X</b>" if name.startswith("&lt;") else name
        assert props["text"] == f"{counts.get(raw, 0):,}".replace(",", ".")
        assert props["rate"] == f"{counts.get(raw, 0) / 10:.1f}".replace(".", ",")


def test_map_html_stays_small_at_100k(ctx):
    big = synthetic_reports(100_000, seed=7)
    _, m = draw(big, Role.MEMBER, MapOptions(layers=ALL_LAYERS), ctx)
    html = m.get_root().render()
    assert len(html.encode()) < 1_500_000
    features = sum(len(c.data["features"]) for c in m._children.values()
                   if isinstance(c, folium.GeoJson))
    assert features < 5000


def test_legend_lists_the_shown_classes(frame, ctx):
    _, m = draw(frame, Role.MEMBER, MapOptions(layers=("cells", "hotspots")), ctx)
    legend = next(c for c in m._children.values() if type(c).__name__ == "Legend")
    body = json.dumps(legend.body)
    assert "Meldungen je Zelle" in body and "Hotspot" in body


def test_measures_layer_hook(frame, ctx):
    from datetime import date

    from reports.coordination.measures import Measure

    area = BOUNDARY.district.centroid.buffer(200)
    measure = Measure("<i>Reinigung</i>", ("stadtreinigung",), "cleaning", area, "Rabet",
                      date(2025, 5, 1), ("illegale_muellablagerung",), id=1)
    _, m = draw(frame, Role.MEMBER, MapOptions(layers=("measures",)), ctx, [measure])
    features = _features(m, "Maßnahmen")
    assert [f["properties"]["title"] for f in features] == ["&lt;i&gt;Reinigung&lt;/i&gt;"]
    html = m.get_root().render()
    assert "<i>Reinigung" not in html


def test_configured_tile_server_replaces_the_offline_basemap(ctx):
    import geopandas as gpd
    import shapely

    xmin, ymin, xmax, ymax = BOUNDARY.district.bounds
    streets = gpd.GeoDataFrame({"name": ["Eisenbahnstraße"], "kind": ["street"]},
                               geometry=[shapely.LineString([(xmin, ymin), (xmax, ymax)])],
                               crs=25833)
    offline = MapContext(ctx.ortsteile, ctx.district, streets)
    tiled = MapContext(ctx.ortsteile, ctx.district, streets,
                       tile_url="https://tiles.example.org/{z}/{x}/{y}.png", attribution="Stadt")
    empty = synthetic_reports(0)
    with pytest.MonkeyPatch.context() as patch:  # no pyramid built: vector street lines
        patch.setattr(tiles, "TILES_DIR", Path("/nonexistent/tiles"))
        assert "Straßen (Offline-Grundkarte)" in _layer_names(
            draw(empty, Role.PUBLIC, MapOptions(), offline)[1])
    names = _layer_names(draw(empty, Role.PUBLIC, MapOptions(), tiled)[1])
    assert "Hintergrundkarte" in names and "Straßen (Offline-Grundkarte)" not in names
    assert "Grundkarte (offline)" not in names


def test_offline_basemap_is_the_local_tile_pyramid_and_smaller(tmp_path, monkeypatch):
    """Without a tile server the base layer comes from static/tiles on the same host."""
    from geo.gazetteer import street_lines
    from maps.base import LABELS_PANE, LOCAL_LABELS_URL, LOCAL_TILE_URL, base_map

    levels = [{"min_zoom": 12, "max_zoom": 13, "bounds": [[51.28, 12.33], [51.41, 12.52]]},
              {"min_zoom": 14, "max_zoom": 17, "bounds": [[51.31, 12.38], [51.38, 12.47]]}]
    (tmp_path / tiles.METADATA_FILE).write_text(
        json.dumps({"min_zoom": 12, "max_zoom": 17, "levels": levels}))
    streets = street_lines()
    streets = streets[streets.intersects(BOUNDARY.district.buffer(300))]
    monkeypatch.setattr(tiles, "TILES_DIR", tmp_path)
    m = base_map(BOUNDARY.ortsteile(), streets)
    (group,) = [c for c in m._children.values()
                if getattr(c, "layer_name", "") == "Grundkarte (offline)"]
    layers = list(group._children.values())
    assert [layer.tiles for layer in layers] == [LOCAL_TILE_URL, LOCAL_TILE_URL]
    assert [(layer.options["min_zoom"], layer.options["max_zoom"]) for layer in layers] == [
        (11, 13), (14, 18)]  # z11 from z12 tiles, z18 from z17 tiles
    assert LOCAL_TILE_URL.startswith("/app/static/tiles/")
    assert "Straßen (Offline-Grundkarte)" not in _layer_names(m)
    assert "Ortsteile (Grenzen)" in _layer_names(m)  # the outlines stay vectors on top
    html = localise(m).get_root().render()
    for option in ('"maxNativeZoom": 17', '"minNativeZoom": 12', '"maxZoom": 18'):
        assert option in html
    assert '"attribution"' not in html  # no stray ", " before the data attribution
    assert re.findall(r"https?://[^\s\"'<>)]+", html) == []
    # the names lie in their own pane above the data layers (overlayPane: 400), not listed
    (names,) = [c for c in m._children.values() if getattr(c, "layer_name", "") == "Namen"]
    labels = [c for c in names._children.values() if isinstance(c, folium.TileLayer)]
    assert [layer.tiles for layer in labels] == [LOCAL_LABELS_URL] * 2
    assert all(layer.options["pane"] == LABELS_PANE for layer in labels)
    (pane,) = [c for c in m._children.values() if isinstance(c, folium.map.CustomPane)]
    assert pane.name == LABELS_PANE and int(pane.z_index) > 400 and not names.control
    monkeypatch.setattr(tiles, "TILES_DIR", tmp_path / "none")
    vector = base_map(BOUNDARY.ortsteile(), streets).get_root().render()
    assert len(html) < len(vector) / 3 and len(html) < 1_500_000


def test_offline_basemap_has_a_max_zoom_for_marker_clusters(frame, ctx):
    """Without tiles Leaflet has no maxZoom and markercluster refuses to draw."""
    _, m = draw(visible_reports(frame, Role.MEMBER), Role.MEMBER,
                MapOptions(layers=ALL_LAYERS), ctx)
    assert m.options["maxZoom"] >= 18
    assert '"maxZoom": ' in m.get_root().render()


def _legend_body(m: folium.Map) -> str:
    return next(c for c in m._children.values() if type(c).__name__ == "Legend").body


def test_public_legend_starts_at_the_smallest_drawn_class(frame, ctx):
    public = visible_reports(frame, Role.PUBLIC)
    view, m = draw(public, Role.PUBLIC, MapOptions(layers=("cells",), cell_m=50), ctx)
    smallest = int(view.cells["reports"].min())
    labels = re.findall(r"</span>([^<]+)<br>", _legend_body(m))
    assert smallest >= 5
    assert labels[0].split("–")[0] == str(smallest)  # never "1–5" when under 5 is hidden
    _, member = draw(frame, Role.MEMBER, MapOptions(layers=("cells",), cell_m=50), ctx)
    assert re.findall(r"</span>([^<]+)<br>", _legend_body(member))[0].startswith("1")


def test_single_reports_have_a_colour_legend_by_topic(ctx):
    small = synthetic_reports(300, seed=4)
    _, m = draw(small, Role.MEMBER, MapOptions(layers=("markers",)), ctx)
    body = _legend_body(m)
    assert "Einzelmeldungen nach Thema" in body
    for topic in set(small["topic"]):
        assert vocabulary().topics[topic] in body


def test_hotspot_z_values_are_written_in_german(frame, ctx):
    _, m = draw(frame, Role.MEMBER, MapOptions(layers=("hotspots",)), ctx)
    zs = [f["properties"]["z"] for f in _features(m, "Hotspots")]
    assert zs and all(isinstance(z, str) and re.fullmatch(r"-?\d+,\d\d", z) for z in zs)


def test_every_map_loads_the_german_control_texts_last(frame, ctx):
    _, m = draw(frame, Role.MEMBER, MapOptions(), ctx)
    urls = [u for e in [m, *m._children.values()] for _, u in getattr(e, "default_js", [])]
    assert urls[-1].endswith("/lagebild/leaflet-de.js")
    script = (Path(__file__).resolve().parents[2] / "static/vendor/lagebild/leaflet-de.js"
              ).read_text("utf-8")
    assert 'zoomInTitle = "Vergrößern"' in script and "imperial = false" in script
    html = m.get_root().render()
    assert html.index("leaflet-de.js") > html.index("leaflet/leaflet.js")


def test_every_map_has_the_search_a_folded_legend_and_a_collapsed_layer_list(frame, ctx):
    from maps.base import BACKGROUND_LAYERS
    from maps.legend import OPEN_FROM_PX
    from maps.search import INDEX_URL

    _, m = draw(visible_reports(frame, Role.MEMBER), Role.MEMBER,
                MapOptions(layers=ALL_LAYERS), ctx)
    html = m.get_root().render()
    assert "new L.Control.LagebildSearch" in html and json.dumps(INDEX_URL) in html
    assert html.index("lagebild/map-controls.js") > html.index("leaflet/leaflet.js")
    (control,) = [c for c in m._children.values() if isinstance(c, folium.LayerControl)]
    assert control.options["collapsed"] is True
    assert set(control.options["background"]) == set(BACKGROUND_LAYERS)
    assert set(BACKGROUND_LAYERS) & _layer_names(m) >= {"Gebietsgrenze", "Ortsteile (Grenzen)"}
    assert "<details" in html and "<summary>Legende</summary>" in html
    assert OPEN_FROM_PX[0] >= 900  # a projector-sized Karte (~700 px) starts folded
    script = (Path(__file__).resolve().parents[2] / "static/vendor/lagebild/map-controls.js"
              ).read_text("utf-8")
    assert 'title = "Ebenen"' in script and '"Ebenen: "' in script
    assert "Keine Treffer" in script and "Adresse oder Ort suchen …" in script


def test_cell_outline_is_the_chosen_cell(ctx):
    from geo.grid import GridSpec, cell_centres, cell_ids
    from maps.view import cell_outline

    spec = GridSpec(100, "square")
    x, y = ctx.district.centroid.x, ctx.district.centroid.y
    cell = int(cell_ids(np.array([x]), np.array([y]), spec)[0])
    group, (lat, lon) = cell_outline([cell], spec, "Zelle <b>")
    cx, cy = cell_centres(np.array([cell]), spec)
    dlon, dlat = to_display(cx, cy)
    assert abs(lat - dlat[0]) < 1e-6 and abs(lon - dlon[0]) < 1e-6
    feature = next(iter(group._children.values())).data["features"][0]
    assert feature["properties"]["name"] == "Zelle &lt;b&gt;"


def test_every_map_carries_the_data_attribution_in_one_short_line():
    from maps.base import DATA_ATTRIBUTION, SHORT_ATTRIBUTION, base_map
    from reports.privacy.safe import escape_html

    for tile_url in (None, "https://tiles.example.org/{z}/{x}/{y}.png"):
        html = base_map(BOUNDARY.ortsteile(), tile_url=tile_url).get_root().render()
        assert "attributionControl.addAttribution" in html
        assert json.dumps(escape_html(SHORT_ATTRIBUTION))[1:-1] in html
        assert json.dumps(escape_html(DATA_ATTRIBUTION))[1:-1] in html  # as its tooltip
        assert "OpenStreetMap" in DATA_ATTRIBUTION and "CC0" in DATA_ATTRIBUTION
        assert "OpenStreetMap" in SHORT_ATTRIBUTION and "CC0" in SHORT_ATTRIBUTION
        assert len(SHORT_ATTRIBUTION) <= 50  # one line in a phone's map
