"""Optional online fallback: Nominatim (OpenStreetMap) through geopy, off by default.

Only what the offline gazetteer cannot resolve is sent, at most one request per second (the
Nominatim usage policy), with an identifying user agent, bounded to Leipzig's east, and every
answer (also "not found") is kept in a persistent SQLite cache so that no address is ever asked
twice. Network errors are not cached: the next run tries again.
"""

from __future__ import annotations

import math
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

USER_AGENT = "lagebild-leipziger-osten/0.1 (contact: {contact})"
NO_CONTACT = "set LAGEBILD_NOMINATIM_CONTACT"
# (lat, lon) corners around Leipzig's east; bounded=True keeps answers inside
VIEWBOX = ((51.31, 12.36), (51.39, 12.48))
HOUSE_PRECISION_M = 25.0  # an OSM address point: building-level, like an interpolation
_METRES_PER_DEGREE = 111_320.0

_SCHEMA = """create table if not exists nominatim (
    key text primary key, lon real, lat real, label text, status text, precision_m real,
    fetched_at integer not null)"""


@dataclass(frozen=True)
class OnlineHit:
    lon: float
    lat: float
    label: str
    status: str  # a GEOCODE_STATUSES key: "interpolated" (house), "street" or "place"
    precision_m: float


def _hit_from_raw(raw: dict) -> OnlineHit:
    lon, lat = float(raw["lon"]), float(raw["lat"])
    house = {"house", "building"}
    if {raw.get("type"), raw.get("addresstype"), raw.get("class")} & house:
        status, precision = "interpolated", HOUSE_PRECISION_M
    else:
        status = "street" if raw.get("class") == "highway" else "place"
        south, north, west, east = (float(v) for v in raw.get("boundingbox", [lat] * 2 + [lon] * 2))
        height = (north - south) * _METRES_PER_DEGREE
        width = (east - west) * _METRES_PER_DEGREE * math.cos(math.radians(lat))
        precision = max(math.hypot(height, width) / 2, HOUSE_PRECISION_M)
    return OnlineHit(lon, lat, str(raw.get("display_name", "")), status, precision)


class NominatimGeocoder:
    def __init__(
        self,
        url: str,
        cache_path: Path,
        *,
        contact: str | None = None,
        min_delay_seconds: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(url)
        self.user_agent = USER_AGENT.format(contact=contact or NO_CONTACT)
        self._nominatim = Nominatim(
            user_agent=self.user_agent,
            domain=parts.netloc + parts.path.rstrip("/"),
            scheme=parts.scheme or "https",
            timeout=timeout,
        )
        self._geocode = RateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            swallow_exceptions=False,
        )
        self.cache_path = Path(cache_path)
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.cache_path)) as con, con:
            con.execute(_SCHEMA)

    def lookup(self, text: str, key: str) -> OnlineHit | None:
        """Coordinates for ``text`` (cache key ``key``, the normalised address), or None."""
        with closing(sqlite3.connect(self.cache_path)) as con:
            row = con.execute(
                "select lon, lat, label, status, precision_m from nominatim where key = ?", (key,)
            ).fetchone()
        if row is not None:
            return None if row[0] is None else OnlineHit(*row)
        query = text.strip() if "leipzig" in text.lower() else f"{text.strip()}, Leipzig"
        try:
            location = self._geocode(
                query, exactly_one=True, viewbox=VIEWBOX, bounded=True, country_codes="de"
            )
        except GeopyError:
            return None  # not cached: a network problem is no answer
        hit = _hit_from_raw(location.raw) if location is not None else None
        with closing(sqlite3.connect(self.cache_path)) as con, con:
            con.execute(
                "insert or replace into nominatim values (?, ?, ?, ?, ?, ?, ?)",
                (key, *(
                    (hit.lon, hit.lat, hit.label, hit.status, hit.precision_m)
                    if hit else (None,) * 5
                ), int(time.time())),
            )
        return hit
