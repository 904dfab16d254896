"""The geocoder as the settings configure it (official address list, Nominatim): the one place
that hands settings to ``geo.geocode``, which takes them as arguments."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from geo.geocode import Geocoder, default_geocoder
from reports.settings import settings


def configured_geocoder() -> Geocoder:
    """The shipped register plus LAGEBILD_ADDRESS_LIST and LAGEBILD_ONLINE_GEOCODER."""
    current = settings()
    return _geocoder(current.address_list_file, current.online_geocoder)


@cache
def _geocoder(address_list: Path | None, online: bool) -> Geocoder:
    nominatim = None
    if online:
        from geo.nominatim import NominatimGeocoder

        nominatim = NominatimGeocoder.from_settings()
    return default_geocoder(address_list, nominatim)
