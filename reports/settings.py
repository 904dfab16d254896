"""Runtime settings, read from environment variables so one deployment differs from another
without code changes. Read on each call: tests and the CLI may change the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = PROJECT_DIR / "var" / "lagebild.sqlite"


@dataclass(frozen=True)
class Settings:
    database_url: str
    ortsteile_file: Path | None  # official Ortsteile data replacing data/ortsteile.geojson
    ortsteile_name_field: str | None
    address_list_file: Path | None  # official address list (street, house number, x, y)
    online_geocoder: bool  # Nominatim for what the gazetteer cannot resolve
    nominatim_url: str
    nominatim_contact: str | None  # e-mail or URL in the user agent (Nominatim usage policy)
    tile_url: str | None  # XYZ tile template; None: offline basemap from the gazetteer
    tile_attribution: str
    min_count: int  # k: aggregates below this are suppressed for the public
    retention_days: int  # personal free text older than this is erased
    max_upload_mb: int
    session_idle_minutes: int  # a log-in ends after this long without activity


def _path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value) if value else None


def settings() -> Settings:
    env = os.environ.get
    return Settings(
        database_url=env("DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}",
        ortsteile_file=_path("LAGEBILD_ORTSTEILE_FILE"),
        ortsteile_name_field=env("LAGEBILD_ORTSTEILE_NAME_FIELD") or None,
        address_list_file=_path("LAGEBILD_ADDRESS_LIST"),
        online_geocoder=env("LAGEBILD_ONLINE_GEOCODER", "0") == "1",
        nominatim_url=env("LAGEBILD_NOMINATIM_URL", "https://nominatim.openstreetmap.org"),
        nominatim_contact=env("LAGEBILD_NOMINATIM_CONTACT", "").strip() or None,
        tile_url=env("LAGEBILD_TILE_URL") or None,
        tile_attribution=env("LAGEBILD_TILE_ATTRIBUTION", ""),
        min_count=int(env("LAGEBILD_MIN_COUNT", "5")),
        retention_days=int(env("LAGEBILD_RETENTION_DAYS", "730")),
        max_upload_mb=int(env("LAGEBILD_MAX_UPLOAD_MB", "50")),
        session_idle_minutes=int(env("LAGEBILD_SESSION_IDLE_MINUTES", "30")),
    )
