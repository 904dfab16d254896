"""The deployment's geography: applies the settings (official Ortsteile, address list,
online fallback) to geo/, which itself reads no settings. Called by every entry point
(dashboard, CLI) before the first geographic question is asked."""

from __future__ import annotations

from config.paths import VAR_DIR
from config.settings import Settings, settings
from geo import boundary, geocode
from geo.nominatim import NominatimGeocoder

NOMINATIM_CACHE = VAR_DIR / "nominatim-cache.sqlite"


def nominatim_from(current: Settings) -> NominatimGeocoder:
    """The online fallback as the settings describe it (server, contact, cache in var/)."""
    return NominatimGeocoder(current.nominatim_url, NOMINATIM_CACHE,
                             contact=current.nominatim_contact)


def apply_settings(current: Settings | None = None) -> Settings:
    """Point geo/ at the configured files and services; returns the settings applied."""
    current = current or settings()
    boundary.use_official_file(current.ortsteile_file, current.ortsteile_name_field)
    online = nominatim_from(current) if current.online_geocoder else None
    geocode.use_extras(current.address_list_file, online)
    return current
