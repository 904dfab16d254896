"""The offline basemap's tile renderer (maps.tiles) on a tiny fixture, and the shipped pyramid."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image

from geo.boundary import load_boundary
from maps import tiles

# A small square of the Leipziger Osten (EPSG:25833), about 600 m wide.
X0, Y0 = 319600.0, 5691300.0


@pytest.fixture(scope="module")
def tiny() -> tiles.BasemapData:
    ortsteile = gpd.GeoDataFrame(
        {"name": ["Innen", "Nachbar"]},
        geometry=[shapely.box(X0, Y0, X0 + 300, Y0 + 600),
                  shapely.box(X0 + 300, Y0, X0 + 600, Y0 + 600)], crs=25833)
    streets = gpd.GeoDataFrame(
        {"name": ["Eisenbahnstraße", "Hermann-Liebmann-Straße"]},
        geometry=[shapely.LineString([(X0 - 200, Y0 + 300), (X0 + 800, Y0 + 320)]),
                  shapely.LineString([(X0 + 150, Y0 - 200), (X0 + 160, Y0 + 800)])], crs=25833)
    buildings = gpd.GeoDataFrame(
        geometry=[shapely.box(X0 + 20 + 40 * i, Y0 + 340, X0 + 50 + 40 * i, Y0 + 370)
                  for i in range(10)], crs=25833)
    return tiles.BasemapData(ortsteile, ("Innen",), streets, buildings)


def _pngs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/*/*.png"))}


def test_tiles_are_256px_non_empty_small_and_deterministic(tiny, tmp_path):
    meta = tiles.build_tiles(tiny, tmp_path / "a", range(14, 17), block_tiles=2)
    first = _pngs(tmp_path / "a")
    assert meta["tiles"] == len(first) > 0 and meta["bytes"] == sum(map(len, first.values()))
    for z in (14, 15, 16):  # every tile that intersects the area, and no other
        x0, y0, x1, y1 = tiles.tile_range(tiles.area_bounds(tiny), z)
        expected = {f"{z}/{x}/{y}.png" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
        assert {k for k in first if k.startswith(f"{z}/")} == expected
    streets = tiny.streets.to_crs(tiles.MERCATOR_CRS).union_all()
    empty = 0
    for key, png in first.items():
        image = Image.open(io.BytesIO(png))
        assert image.size == (256, 256) and image.format == "PNG"
        assert len(png) < 40_000
        drawn = len(np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0)) > 1
        z, x, y = (int(part) for part in key.removesuffix(".png").split("/"))
        if shapely.box(*tiles.tile_bounds(z, x, y)).buffer(-1).intersects(streets):
            assert drawn, key
        empty += not drawn
    assert 0 < empty < len(first)  # ground far from every line stays plain background
    tiles.build_tiles(tiny, tmp_path / "b", range(14, 17), block_tiles=2)
    assert _pngs(tmp_path / "b") == first


def test_block_edges_leave_no_seam(tiny, tmp_path):
    """Drawn in one block or tile by tile, a zoom gives the same pixels: no label is cut."""
    tiles.build_tiles(tiny, tmp_path / "one", range(16, 17), block_tiles=8)
    tiles.build_tiles(tiny, tmp_path / "many", range(16, 17), block_tiles=1)
    one, many = _pngs(tmp_path / "one"), _pngs(tmp_path / "many")
    assert one.keys() == many.keys() and len(one) > 1
    for key in one:
        a = np.asarray(Image.open(io.BytesIO(one[key])).convert("RGB"), dtype=int)
        b = np.asarray(Image.open(io.BytesIO(many[key])).convert("RGB"), dtype=int)
        assert np.abs(a - b).max() <= 8, key  # palette quantisation may shift a shade


def _dark_pixels(data: tiles.BasemapData, z: int, layer: int = 3) -> int:
    """Pixels as dark as text (lines and buildings are lighter grey) in the labels (3) or
    the ground (2) tiles."""
    bounds = tiles.area_bounds(data)
    total = 0
    for drawn in tiles.render_zoom(tiles._prepare(data, bounds), bounds, z):
        rgba = np.asarray(Image.open(io.BytesIO(drawn[layer])).convert("RGBA"), dtype=int)
        total += int(((rgba[..., :3].sum(axis=2) < 3 * 110) & (rgba[..., 3] > 200)).sum())
    return total


def test_street_names_are_written_along_the_lines_from_zoom_15(tiny):
    labels = tiles._street_labels(tiny.streets.to_crs(tiles.MERCATOR_CRS), 16)
    angles = {name: angle for name, _, _, angle in labels}
    assert angles.keys() == {"Eisenbahnstraße", "Hermann-Liebmann-Straße"}
    assert abs(angles["Eisenbahnstraße"]) < 5
    assert abs(abs(angles["Hermann-Liebmann-Straße"]) - 90) < 5
    unnamed = tiles.BasemapData(tiny.ortsteile, tiny.district,
                                tiny.streets.assign(name=""), tiny.buildings)
    assert _dark_pixels(tiny, 15) > _dark_pixels(unnamed, 15) + 40
    assert _dark_pixels(tiny, 14) == _dark_pixels(unnamed, 14)  # only Ortsteil names there
    assert _dark_pixels(tiny, 16, layer=2) == 0  # the ground carries no names


def test_names_are_a_transparent_layer_with_the_parks_in_green(tiny, tmp_path):
    """Names lie on a transparent pyramid above the data layers; a park of the register is
    named in green where its addresses' middle is, only from zoom 14 on."""
    parks = gpd.GeoDataFrame({"name": ["Rabet"]},
                             geometry=[shapely.Point(X0 + 450, Y0 + 150)], crs=25833)
    data = tiles.BasemapData(tiny.ortsteile, tiny.district, tiny.streets, tiny.buildings, parks)
    meta = tiles.build_tiles(data, tmp_path, range(13, 17), block_tiles=2)
    labels = sorted((tmp_path / tiles.LABELS_DIR).glob("*/*/*.png"))
    assert len(labels) == meta["tiles"] and meta["label_bytes"] == sum(
        p.stat().st_size for p in labels)
    green = {}
    for path in labels:
        rgba = np.asarray(Image.open(path).convert("RGBA"), dtype=int)
        assert (rgba[..., 3] == 0).mean() > 0.5, path  # mostly see-through
        r, g, b, a = (rgba[..., i] for i in range(4))
        z = int(path.relative_to(tmp_path / tiles.LABELS_DIR).parts[0])
        green[z] = green.get(z, 0) + int(((g > r + 40) & (g > b + 40) & (a > 200)).sum())
    assert green[13] == 0 and green[14] > 20 and green[16] > 20


def test_register_parks_lie_inside_their_ring_of_addresses():
    parks = tiles.register_parks().set_index("name")
    assert {"Rabet", "Mariannenpark"} <= set(parks.index)
    assert not any(n.startswith(("Zum ", "Am ")) for n in parks.index)
    streets = gpd.read_parquet(tiles.DATA_DIR / "streets.geoparquet").set_index("name")
    rabet = parks.geometry["Rabet"]
    # the register's Rabet "street" rings the park: its middle lies within 150 m of the line
    assert rabet.distance(streets.geometry["Rabet"]) < 150

def test_stale_tiles_of_an_earlier_build_are_removed(tiny, tmp_path):
    stale = tmp_path / "9" / "1" / "1.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    tiles.build_tiles(tiny, tmp_path, range(14, 15))
    assert not stale.exists() and tiles.read_metadata(tmp_path)["max_zoom"] == 14


SHIPPED = tiles.read_metadata(tiles.TILES_DIR)


@pytest.mark.skipif(SHIPPED is None, reason="static/tiles/ not built (lagebild build-tiles)")
def test_shipped_pyramid_covers_the_district_at_every_zoom():
    district = load_boundary().ortsteile().to_crs(tiles.MERCATOR_CRS).total_bounds
    assert SHIPPED["min_zoom"] == tiles.MIN_ZOOM and SHIPPED["max_zoom"] >= 16
    for z in range(SHIPPED["min_zoom"], SHIPPED["max_zoom"] + 1):
        x0, y0, x1, y1 = tiles.tile_range(tuple(district), z)
        missing = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
                   if not (tiles.TILES_DIR / str(z) / str(x) / f"{y}.png").is_file()]
        assert missing == [], (z, missing[:5])
    files = list(tiles.TILES_DIR.glob("*/*/*.png"))
    assert len(files) == SHIPPED["tiles"]
    assert sum(p.stat().st_size for p in files) == SHIPPED["bytes"] < 25_000_000
