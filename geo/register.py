"""The shipped real geography of Leipzig, as built by ``python -m geo build-data``.

One geography for everything: the address register (all Leipzig), the street names with their
courses, named places and the Ortsteil polygons, all in EPSG:25833. Loaded from the files in
data/ (see data/README.md); nothing here reads ../shared or the environment.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from config.paths import DATA_DIR
from geo.build_data import ADDRESSES, ORTSTEILE, PLACES, STREETS

ALIASES = "aliases.toml"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL); Leipzig Open Data Project (CC0)"


@dataclass(frozen=True)
class Register:
    """addresses: DataFrame[street, housenumber, number, suffix, postcode, x, y, source,
    precision_m]; streets: GeoDataFrame[name, key, ortsteile, in_osten, line_source, geometry];
    places: GeoDataFrame[name, key, kind, precision_m, geometry]; aliases: other name ->
    official name (data/aliases.toml)."""

    addresses: pd.DataFrame
    streets: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    aliases: dict[str, str]

    def without(self, rows) -> Register:
        """The same register with the address rows ``rows`` (positions) held back."""
        kept = self.addresses.drop(self.addresses.index[list(rows)]).reset_index(drop=True)
        return Register(kept, self.streets, self.places, self.aliases)


@functools.cache
def load_register(data_dir: Path = DATA_DIR) -> Register:
    """The shipped register in ``data_dir``; cached per directory (treat as read-only)."""
    data_dir = Path(data_dir)
    aliases: dict[str, str] = {}
    if (data_dir / ALIASES).exists():
        with (data_dir / ALIASES).open("rb") as f:
            for official, others in tomllib.load(f).get("aliases", {}).items():
                aliases.update(dict.fromkeys(others, official))
    return Register(
        pd.read_parquet(data_dir / ADDRESSES),
        gpd.read_parquet(data_dir / STREETS),
        gpd.read_parquet(data_dir / PLACES),
        aliases,
    )


@functools.cache
def shipped_ortsteile(data_dir: Path = DATA_DIR) -> gpd.GeoDataFrame:
    """All Ortsteil polygons of Leipzig (ot, name, geometry), EPSG:25833."""
    return gpd.read_parquet(Path(data_dir) / ORTSTEILE)
