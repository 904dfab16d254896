"""The deployment's settings: every environment variable the project reads, declared once.

Each ``Setting`` names its variable, default, parser and help text; ``settings()`` reads and
validates them all, so a wrong value fails where it is read, with a German sentence that
names the variable, instead of deep inside a page. This is the only module that reads the
environment; everything below it takes values as arguments. Read on each call: tests and
the CLI may change the environment.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.paths import VAR_DIR

log = logging.getLogger(__name__)

DEFAULT_DATABASE = VAR_DIR / "lagebild.sqlite"
SMALLEST_SAFE_MIN_COUNT = 2  # k = 1 publishes single reports; k < 1 turns suppression off


class SettingError(ValueError):
    """A setting has a value the project cannot use; the message is German."""


def _text(value: str) -> str:
    return value.strip()


def _optional_text(value: str) -> str | None:
    return value.strip() or None


def _optional_path(value: str) -> Path | None:
    return Path(value.strip()) if value.strip() else None


def _flag(value: str) -> bool:
    word = value.strip().lower()
    if word in {"1", "true", "ja", "yes", "on"}:
        return True
    if word in {"0", "false", "nein", "no", "off", ""}:
        return False
    raise ValueError("ist weder 1 (an) noch 0 (aus)")


def _whole(minimum: int | None) -> Callable[[str], int]:
    """Whole numbers from ``minimum`` on (None: any; the caller checks the range itself)."""

    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError("ist keine ganze Zahl") from None
        if minimum is not None and number < minimum:
            raise ValueError(f"ist kleiner als {minimum}")
        return number

    return parse


def _database_url(value: str) -> str:
    return value.strip() or f"sqlite:///{DEFAULT_DATABASE}"


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (as text), parser and help text."""

    variable: str
    attribute: str
    default: str
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "database_url", "", _database_url,
            "SQLAlchemy URL of the store; empty: SQLite file var/lagebild.sqlite"),
    Setting("LAGEBILD_ORTSTEILE_FILE", "ortsteile_file", "", _optional_path,
            "the city's official Ortsteile (GeoJSON, Shapefile, GeoPackage or a folder); "
            "replaces the shipped boundaries"),
    Setting("LAGEBILD_ORTSTEILE_NAME_FIELD", "ortsteile_name_field", "", _optional_text,
            "attribute holding the Ortsteil name in that file; empty: detected"),
    Setting("LAGEBILD_ADDRESS_LIST", "address_list_file", "", _optional_path,
            "official address list (HK-DE or plain CSV); takes precedence over the shipped one"),
    Setting("LAGEBILD_ONLINE_GEOCODER", "online_geocoder", "0", _flag,
            "1: ask Nominatim for what the offline geocoder cannot resolve"),
    Setting("LAGEBILD_NOMINATIM_URL", "nominatim_url", "https://nominatim.openstreetmap.org",
            _text, "Nominatim server"),
    Setting("LAGEBILD_NOMINATIM_CONTACT", "nominatim_contact", "", _optional_text,
            "contact (e-mail or URL) in the Nominatim user agent"),
    Setting("LAGEBILD_TILE_URL", "tile_url", "", _optional_text,
            "XYZ tile server; empty: the shipped offline basemap"),
    Setting("LAGEBILD_TILE_ATTRIBUTION", "tile_attribution", "", _text,
            "attribution shown with that tile server"),
    Setting("LAGEBILD_MIN_COUNT", "min_count", "5", _whole(None),
            "k: aggregates with fewer reports are hidden from the public (at least 2)"),
    Setting("LAGEBILD_ALLOW_SMALL_MIN_COUNT", "allow_small_min_count", "0", _flag,
            "1: accept LAGEBILD_MIN_COUNT=1 (publishes single reports; logged as a warning)"),
    Setting("LAGEBILD_RETENTION_DAYS", "retention_days", "730", _whole(1),
            "descriptions older than this many days are erased by the retention command"),
    Setting("LAGEBILD_MAX_UPLOAD_MB", "max_upload_mb", "50", _whole(1),
            "upload size limit in MB"),
    Setting("LAGEBILD_SESSION_IDLE_MINUTES", "session_idle_minutes", "30", _whole(1),
            "a log-in ends after this many minutes without activity"),
    Setting("LAGEBILD_TRUSTED_PROXIES", "trusted_proxies", "", _addresses,
            "comma-separated addresses of reverse proxies whose X-Forwarded-For is trusted"),
)


@dataclass(frozen=True)
class Settings:
    database_url: str
    ortsteile_file: Path | None
    ortsteile_name_field: str | None
    address_list_file: Path | None
    online_geocoder: bool
    nominatim_url: str
    nominatim_contact: str | None
    tile_url: str | None
    tile_attribution: str
    min_count: int
    allow_small_min_count: bool
    retention_days: int
    max_upload_mb: int
    session_idle_minutes: int
    trusted_proxies: tuple[str, ...]


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """All settings from ``environ`` (default: the process environment), validated."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.variable, setting.default)
        try:
            values[setting.attribute] = setting.parse(raw)
        except ValueError as exc:
            raise SettingError(
                f"Die Einstellung {setting.variable}=„{raw}“ {exc}. Zulässige Werte nennt die "
                "Tabelle der Einstellungen in der README."
            ) from None
    if values["min_count"] < SMALLEST_SAFE_MIN_COUNT:
        if values["min_count"] < 1 or not values["allow_small_min_count"]:
            raise SettingError(
                f"Die Einstellung LAGEBILD_MIN_COUNT={values['min_count']} würde einzelne "
                f"Meldungen öffentlich zeigen; der kleinste sichere Wert ist "
                f"{SMALLEST_SAFE_MIN_COUNT}. Nur mit LAGEBILD_ALLOW_SMALL_MIN_COUNT=1 erlaubt."
            )
        log.warning("LAGEBILD_MIN_COUNT=%s: public aggregates may show single reports",
                    values["min_count"])
    return Settings(**values)

