"""The "written as people write" address set: strings in the forms partners and residents use,
each with an independent truth point, collected from open sources (see bench/README.md).

Sources (all © OpenStreetMap contributors, ODbL, unless named otherwise):
- ``osten_box_buildings_2025.geojson.gz`` (../shared/data/sources): OSM buildings with
  ``addr:street``/``addr:housenumber``. Truth: the building's centroid. Written as
  "<Ortsteil or part>, <street> <n>", "<street> <n>, Leipzig-<Ortsteil>", "Höhe <street> <n>",
  "<street> Nr. <n>"; buildings whose number is a list or range ("8-10", "38;40") as
  "<street> 8/10" or "<street> 8-10". These register rows are held back from the
  geocoder's index in the bench (``--held`` rows of ``heldback_rows``), so the point comes from
  the neighbours, not from the same record.
- the same buildings at a corner: an addressed building whose footprint comes within CORNER_REACH_M
  of another street's OSM line, written "Ecke A/B", "A-/B-straße", "A Ecke B". Truth: the building.
- named OSM buildings (schools, churches, halls): their own name. Truth: the building.
- Wikipedia (CC BY-SA 4.0) coordinates of four places the OSM extracts do not name: see
  WIKIPEDIA below.
- elsewhere: register addresses outside the district written with their Ortsteil in front.

``python bench/people_write.py --seed 21 --out bench/people_write.csv`` writes the test set;
another seed gives a tuning sample (tune on that, never on the test set).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.boundary import load_boundary
from geo.crs import DISPLAY_CRS, METRIC_CRS, to_display
from geo.normalize import name_key
from geo.register import load_register, shipped_ortsteile

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "sources"
CORNER_REACH_M = 8.0  # footprint this close to the other street's line: a corner house
# Places with coordinates from their Wikipedia articles (infobox / geo template), CC BY-SA 4.0:
# de.wikipedia.org/wiki/Lene-Voigt-Park, /St.-Lukas-Kirche_(Leipzig),
# /Haltepunkt_Leipzig-Anger-Crottendorf, /Bahnhof_Leipzig-Stötteritz
WIKIPEDIA = [
    ("Lene-Voigt-Park", 12.398778, 51.334333, "wikipedia"),
    ("Lukaskirche Volkmarsdorf", 12.409379, 51.343051, "wikipedia"),
    ("S-Bahnhof Anger-Crottendorf", 12.420556, 51.3325, "wikipedia"),
    ("S-Bahnhof Stötteritz", 12.411389, 51.324167, "wikipedia"),
]
SHORT = {"Straße": "Str.", "straße": "str."}


def _short(street: str, rng: np.random.Generator) -> str:
    if rng.random() < 0.5:
        for long, short in SHORT.items():
            street = street.replace(long, short)
    return street


def _area_name(ortsteil: str, rng: np.random.Generator) -> str:
    """The Ortsteil or one part of its name, as residents say it ("Stünz", "Schönefeld")."""
    parts = [p for p in ortsteil.split("-") if len(p) >= 4 and p not in ("Nord", "Mitte")]
    if len(parts) > 1 and rng.random() < 0.6:
        return parts[int(rng.integers(len(parts)))]
    return ortsteil


def _buildings() -> gpd.GeoDataFrame:
    with gzip.open(SHARED / "osten_box_buildings_2025.geojson.gz", "rt", encoding="utf-8") as f:
        data = json.load(f)
    frame = gpd.GeoDataFrame.from_features(data["features"], crs=DISPLAY_CRS).to_crs(METRIC_CRS)
    frame = frame.rename(columns={"addr:street": "street", "addr:housenumber": "housenumber"})
    frame["cx"] = shapely.get_x(shapely.centroid(frame.geometry.values))
    frame["cy"] = shapely.get_y(shapely.centroid(frame.geometry.values))
    return frame


def build(seed: int, n_address: int = 500, n_corner: int = 120, n_named: int = 60,
          n_elsewhere: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    register = load_register()
    buildings = _buildings()
    ortsteile = shipped_ortsteile()
    assign_ortsteil = load_boundary().assign_ortsteil
    inside = assign_ortsteil(buildings["cx"].to_numpy(), buildings["cy"].to_numpy())
    buildings["ortsteil"] = inside
    rows = []
    number = pd.to_numeric(buildings["housenumber"].str.extract(r"^(\d{1,4})$")[0],
                           errors="coerce")
    addressed = buildings[buildings["street"].notna() & number.notna()
                          & pd.notna(buildings["ortsteil"])].assign(number=number)
    picked = addressed.iloc[rng.permutation(len(addressed))[:n_address]]
    for b in picked.itertuples():
        street, n = _short(b.street, rng), int(b.number)
        area = _area_name(b.ortsteil, rng)
        form = rng.integers(5)
        text = (f"{area}, {street} {n}" if form == 0 else
                f"{street} {n}, Leipzig-{area}" if form == 1 else
                f"Höhe {street} {n}" if form == 2 else
                f"{street} Nr. {n}" if form == 3 else
                f"{street} {n}, {area}")
        rows.append((text, b.cx, b.cy, "address", "osm_building"))
    # buildings that carry a list or range of numbers ("8-10", "38;40", "8,10,12")
    spans = buildings[buildings["street"].notna() & pd.notna(buildings["ortsteil"])
                      & buildings["housenumber"].fillna("").str.fullmatch(
                          r"\d{1,4}\s*(?:[-/;,]\s*\d{1,4}\s*)+")]
    for b in spans.itertuples():
        numbers = [int(v) for v in re.findall(r"\d+", b.housenumber)]
        low, high = numbers[0], numbers[-1]
        same_side = list(range(low, high + 1, 2)) if (high - low) % 2 == 0 else numbers
        written = ("/".join(map(str, same_side)) if rng.random() < 0.5 and len(same_side) <= 4
                   else f"{low}-{high}")
        rows.append((f"{_short(b.street, rng)} {written}", b.cx, b.cy, "address",
                     "osm_building"))
    lines = register.streets[register.streets["line_source"].eq("osm")]
    corner_rows = []
    for b in addressed.iloc[rng.permutation(len(addressed))].itertuples():
        own = name_key(b.street)
        near = lines.sindex.query(b.geometry.buffer(CORNER_REACH_M), predicate="intersects")
        others = [lines.iloc[i]["name"] for i in near if lines.iloc[i]["key"] != own]
        if not others:
            continue
        a, other = b.street, others[0]
        form = rng.integers(3)
        if form == 0 and a.endswith("straße") and other.endswith("straße"):
            text = f"{a[:-6]}-/{other}"
        elif form == 1:
            text = f"Ecke {_short(a, rng)}/{_short(other, rng)}"
        else:
            text = f"{a} Ecke {other}"
        corner_rows.append((text, b.cx, b.cy, "corner", "osm_building"))
        if len(corner_rows) >= n_corner:
            break
    rows += corner_rows
    named = buildings[buildings["name"].notna() & pd.notna(buildings["ortsteil"])
                      & buildings["building"].isin(["school", "church", "chapel", "kindergarten",
                                                    "sports_hall", "public", "civic",
                                                    "train_station", "hospital"])]
    counts = named["name"].value_counts()
    named = named[named["name"].map(counts).eq(1)]
    for b in named.iloc[rng.permutation(len(named))[:n_named]].itertuples():
        rows.append((b.name, b.cx, b.cy, "named", "osm_building"))
    for text, lon, lat, source in WIKIPEDIA:
        x, y = gpd.points_from_xy([lon], [lat], crs=DISPLAY_CRS).to_crs(METRIC_CRS)[0].coords[0]
        rows.append((text, x, y, "named", source))
    addresses = register.addresses[register.addresses["source"].eq("osm2025")]
    outside = addresses[pd.isna(assign_ortsteil(addresses["x"].to_numpy(),
                                                addresses["y"].to_numpy()))]
    outside = outside.iloc[rng.permutation(len(outside))[:n_elsewhere]]
    polygons = ortsteile.set_index("name").geometry
    for a in outside.itertuples():
        ot = polygons.index[polygons.contains(shapely.points(a.x, a.y))]
        if not len(ot):
            continue
        area = _area_name(ot[0], rng)
        text = (f"{area}, {_short(a.street, rng)} {a.housenumber}" if rng.random() < 0.5
                else f"{_short(a.street, rng)} {a.housenumber}, {area}")
        rows.append((text, a.x, a.y, "elsewhere", "register_osm2025"))
    frame = pd.DataFrame(rows, columns=["text", "x", "y", "kind", "source"])
    frame["lon"], frame["lat"] = to_display(frame["x"].to_numpy(), frame["y"].to_numpy())
    frame["x"], frame["y"] = frame["x"].round(1), frame["y"].round(1)
    frame["lon"], frame["lat"] = frame["lon"].round(7), frame["lat"].round(7)
    return frame[["text", "lon", "lat", "x", "y", "kind", "source"]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "people_write.csv")
    args = parser.parse_args()
    frame = build(args.seed)
    frame.to_csv(args.out, index=False)
    print(f"{args.out}: {len(frame)} rows, {frame['kind'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
