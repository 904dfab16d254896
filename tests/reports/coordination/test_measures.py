"""Measures: validation, storage, areas from the map, balance and the map layer."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from config.paths import STATIC_DIR
from geo.boundary import load_boundary
from geo.crs import to_display
from geo.grid import GridSpec, cell_ids
from maps.measures import KIND_COLORS, measure_layer, measures_map
from reports.coordination import measures
from reports.coordination.measures import Measure, MeasureError
from reports.model import TIMEZONE
from reports.storage.audit import list_audit

BOUNDARY = load_boundary()  # the shipped Ortsteile


def rabet_area():
    centre = BOUNDARY.district.representative_point()
    return centre.buffer(200)


def measure(**changes) -> Measure:
    values = {"title": "Zusätzliche Reinigung", "partners": ("stadtreinigung",),
              "kind": "cleaning", "area": rabet_area(), "area_label": "Rabet",
              "starts_on": date(2025, 4, 1), "categories": ("illegale_muellablagerung",)}
    values.update(changes)
    return Measure(**values)


@pytest.mark.parametrize("changes, message", [
    ({"area": Point(0, 0).buffer(0)}, "Die Maßnahme braucht ein Gebiet"),
    ({"area": shapely.Polygon()}, "Die Maßnahme braucht ein Gebiet"),
    ({"area": box(0, 0, 100, 100)}, "außerhalb des Leipziger Ostens"),
    ({"area": shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])}, "überschneidet sich"),
    ({"title": "  "}, "Feld „Titel“"),
    ({"kind": "strafe"}, "Feld „Art“"),
    ({"status": "irgendwie"}, "Feld „Status“"),
    ({"partners": ()}, "Feld „Verantwortlich“"),
    ({"partners": ("nasa",)}, "Feld „Verantwortlich“"),
    ({"categories": ()}, "Feld „Kategorien“"),
    ({"ends_on": date(2025, 3, 1)}, "Das Ende liegt vor dem Beginn"),
])
def test_invalid_measures_are_refused_in_german_and_nothing_is_saved(store, changes, message):
    with pytest.raises(MeasureError, match=message):
        measures.add_measure(store, measure(**changes), "redaktion",
                             BOUNDARY.district)
    assert measures.list_measures(store) == []


def test_a_measure_round_trips_and_its_status_changes(store):
    version = store.data_version()
    new_id = measures.add_measure(store, measure(notes="<b>zweimal</b> wöchentlich"), "anna",
                                  BOUNDARY.district)
    assert store.data_version() != version
    (stored,) = measures.list_measures(store)
    assert stored.id == new_id and stored == measure(notes="<b>zweimal</b> wöchentlich")
    assert stored.area.equals_exact(rabet_area(), 1e-6)
    measures.set_status(store, new_id, "done", "anna")
    assert measures.list_measures(store)[0].status == "done"
    with pytest.raises(MeasureError, match="gibt es nicht"):
        measures.set_status(store, 999, "done", "anna")
    assert set(list_audit(store)["action"]) >= {"measure_add", "measure_status"}


def test_area_from_drawing_converts_lonlat_to_metres():
    area = rabet_area()
    lon, lat = to_display(*[list(c) for c in zip(*area.exterior.coords, strict=True)])
    drawn = {"type": "Polygon", "coordinates": [list(zip(lon, lat, strict=True))]}
    metric = measures.area_from_drawing(drawn)
    assert metric.area == pytest.approx(area.area, rel=1e-6)
    assert metric.centroid.distance(area.centroid) < 0.01


@pytest.mark.parametrize("drawing, message", [
    (None, "Bitte eine Fläche auf der Karte zeichnen"),
    ({}, "Bitte eine Fläche auf der Karte zeichnen"),
    ({"type": "Point", "coordinates": [12.4, 51.34]}, "keine Linie oder Markierung"),
    ({"type": "Polygon"}, "keine gültige Fläche"),
])
def test_bad_drawings_are_refused(drawing, message):
    with pytest.raises(MeasureError, match=message):
        measures.area_from_drawing(drawing)


def test_area_from_cells_and_ortsteil():
    spec = GridSpec(100, "square")
    p = BOUNDARY.district.representative_point()
    ids = cell_ids([p.x, p.x + 100], [p.y, p.y], spec)
    assert measures.area_from_cells(ids, spec).area == pytest.approx(20_000)
    with pytest.raises(MeasureError, match="Rasterzelle"):
        measures.area_from_cells([], spec)
    assert measures.area_from_ortsteil("Volkmarsdorf", BOUNDARY.ortsteile()).area > 100_000
    with pytest.raises(MeasureError, match="Ortsteil „Atlantis“"):
        measures.area_from_ortsteil("Atlantis", BOUNDARY.ortsteile())


def test_balance_counts_measures_by_kind_and_quarter():
    items = [measure(kind="repressive", starts_on=date(2025, 1, 10)),
             measure(kind="repressive", starts_on=date(2025, 2, 10)),
             measure(kind="social", starts_on=date(2025, 2, 1)),
             measure(kind="cleaning", starts_on=date(2025, 7, 1))]
    table = measures.balance(items)
    counts = {(r.Zeitraum.strftime("%Y-%m"), r.Art): r.Maßnahmen for r in table.itertuples()}
    assert counts == {("2025-01", "repressiv"): 2, ("2025-01", "soziale Hilfe"): 1,
                      ("2025-07", "Reinigung"): 1}
    assert measures.balance([]).empty


def test_evaluate_measure_stops_at_its_end_and_effects_say_why_not():
    area = rabet_area()
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D", tz=TIMEZONE)
    frame = pd.DataFrame({"occurred_at": days, "category": "illegale_muellablagerung",
                          "x": area.centroid.x, "y": area.centroid.y, "count": 1})
    ended = measure(ends_on=date(2025, 4, 30))
    result = measures.evaluate_measure(ended, frame, district=BOUNDARY.district, days=180)
    assert result.windows.after == (date(2025, 4, 1), date(2025, 5, 1))
    table = measures.effects([ended, measure(categories=("graffiti",))], frame, BOUNDARY.district)
    assert table["Art"].tolist() == ["Reinigung", "Reinigung"]
    assert table["Wirkung %"].isna().tolist() == [True, True]  # comparison area is empty
    assert table["Aussage"].str.startswith("Zu wenige Meldungen").all()


def test_measure_layer_colours_by_kind_and_escapes_titles():
    items = [measure(title='<script>alert("x")</script>', kind="repressive", id=1),
             measure(title="Beratung", kind="social", id=2)]
    layer, legend = measure_layer(items)
    features = layer.data["features"]
    assert features[0]["properties"]["title"] == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert [f["properties"]["_colour"] for f in features] == [KIND_COLORS["repressive"],
                                                              KIND_COLORS["social"]]
    assert legend.entries == [(KIND_COLORS["repressive"], "repressiv"),
                              (KIND_COLORS["social"], "soziale Hilfe")]


def test_measures_map_loads_nothing_from_other_hosts():
    m = measures_map([measure(id=1)], BOUNDARY.ortsteile(), BOUNDARY.district, draw=True)
    html = m.get_root().render()
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.js" in html
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.css" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and not [s for s in sources if s.startswith(("http", "//"))]
    assert "L.Control.Draw" in html


def test_vendored_leaflet_draw_is_complete():

    folder = STATIC_DIR / "vendor" / "leaflet-draw"
    for name in ("leaflet.draw.js", "leaflet.draw.css", "LICENSE", "images/spritesheet.svg",
                 "images/spritesheet.png", "images/spritesheet-2x.png"):
        assert (folder / name).stat().st_size > 0
    assert "Leaflet.draw 1.0.4" in (folder / "leaflet.draw.js").read_text()[:200]

