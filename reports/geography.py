"""The deployment's geography: builds the ``geo.geography.Geography`` the settings describe
(official Ortsteile, address list, online fallback); geo/ itself reads no settings. Each
entry point (dashboard, CLI) builds it once and passes it on explicitly."""

from __future__ import annotations

from config.paths import VAR_DIR
from config.settings import Settings, settings
from geo.geography import Geography, load_geography
from geo.nominatim import NominatimGeocoder

NOMINATIM_CACHE = VAR_DIR / "nominatim-cache.sqlite"


def nominatim_from(current: Settings) -> NominatimGeocoder:
    """The online fallback as the settings describe it (server, contact, cache in var/)."""
    return NominatimGeocoder(current.nominatim_url, NOMINATIM_CACHE,
                             contact=current.nominatim_contact)


def geography_from(current: Settings | None = None) -> Geography:
    """The Geography of the settings (default: the environment's)."""
    current = current or settings()
    online = nominatim_from(current) if current.online_geocoder else None
    return load_geography(current.ortsteile_file, current.ortsteile_name_field,
                          current.address_list_file, online)
