"""The geography one deployment works on, as one object passed explicitly: the district's
boundary (shipped or the city's official Ortsteile), the address register, an optional
official address list and online fallback, and the geocoder built on them.

Built once by the entry point (``reports.geography.geography_from`` from the settings; the
dashboard caches it per process) and handed to whatever asks a geographic question, so no
module keeps a "current" geography that could change at run time or leak between tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from config.paths import DATA_DIR
from geo.boundary import Boundary, load_boundary
from geo.register import Register, load_register

if TYPE_CHECKING:
    from geo.geocode import Geocoder
    from geo.nominatim import NominatimGeocoder


@dataclass(frozen=True, eq=False)
class Geography:
    """``boundary``: the Ortsteile and the district; ``register``: addresses, streets and
    places; ``address_list``: an official address list's file (its points win); ``online``:
    the Nominatim fallback or None. The geocoder is built on first use (a few seconds)."""

    boundary: Boundary
    register: Register
    address_list: Path | None = None
    online: NominatimGeocoder | None = field(default=None)

    @property
    def district(self) -> shapely.Geometry:
        """The district's outline (union of its Ortsteile), EPSG:25833."""
        return self.boundary.district

    @property
    def core(self) -> shapely.Geometry:
        """The Quartiersmanagement core (data/district.toml ``core``), EPSG:25833."""
        return self.boundary.core

    def ortsteile(self) -> gpd.GeoDataFrame:
        """GeoDataFrame[name, geometry] of the district's Ortsteile (a copy), EPSG:25833."""
        return self.boundary.ortsteile()

    def assign_ortsteil(self, x, y) -> np.ndarray:
        """Ortsteil name per EPSG:25833 point, None outside the district."""
        return self.boundary.assign_ortsteil(x, y)

    @cached_property
    def geocoder(self) -> Geocoder:
        """The geocoder over the register, the address list and the online fallback."""
        from geo.geocode import Geocoder, load_address_list

        addresses = load_address_list(self.address_list) if self.address_list else None
        return Geocoder(self.register, self.boundary.assign_ortsteil, addresses, self.online)


def load_geography(ortsteile_file: Path | None = None, name_field: str | None = None,
                   address_list: Path | None = None, online: NominatimGeocoder | None = None,
                   data_dir: Path = DATA_DIR) -> Geography:
    """A Geography of the shipped data in ``data_dir`` and the given official files (None:
    the shipped ones). Boundary and register are loaded once per process and shared."""
    return Geography(load_boundary(ortsteile_file, name_field), load_register(data_dir),
                     Path(address_list) if address_list else None, online)
