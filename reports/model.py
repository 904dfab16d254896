"""The one report model every partner export is mapped onto.

A report set is a pandas DataFrame with exactly the columns of ``REPORT_COLUMNS``;
vectorised frames (not one object per row) keep a million-row import fast.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from config.locale import TIMEZONE
from config.paths import DATA_DIR

SENSITIVITIES = ("public", "members", "restricted")
# Geocoding status of a report, with the German label shown in the UI.
GEOCODE_STATUSES = {
    "exact": "exakte Adresse",
    "interpolated": "Hausnummer interpoliert",
    "street": "Straße",
    "place": "Ort/Platz",
    "intersection": "Kreuzung",
    "fuzzy": "unscharfer Treffer",
    "coordinates": "Koordinaten",
    "manual": "von Hand gesetzt",
    "unresolved": "nicht zugeordnet",
    "outside": "außerhalb des Gebiets",
}
PLACED_STATUSES = tuple(s for s in GEOCODE_STATUSES if s not in ("unresolved", "outside"))

# Column name -> pandas dtype of a report frame.
REPORT_COLUMNS: dict[str, str] = {
    "id": "string",
    "source": "string",
    "source_ref": "string",
    "topic": "string",
    "category": "string",
    "occurred_at": f"datetime64[ns, {TIMEZONE}]",
    "reported_at": f"datetime64[ns, {TIMEZONE}]",
    "address": "string",
    "lon": "float64",
    "lat": "float64",
    "x": "float64",
    "y": "float64",
    "ortsteil": "string",
    "geocode_status": "string",
    "precision_m": "float64",
    "count": "int32",
    "description": "string",
    "sensitivity": "string",
    "batch_id": "string",
    "content_hash": "string",
}

# The record key of the cell key method (``reports.privacy.policy``): a random integer in
# [0, RECORD_KEY_RANGE) the store draws once per report id (kept when a re-import replaces
# the report). It is stored and loaded with every report but never shown or exported: a
# published count's noise is read from the sum of its reports' keys.
RECORD_KEY = "record_key"
RECORD_KEY_RANGE = 2**31  # fits a signed 32-bit INTEGER on both back ends
# What the store loads: the model's columns and the record key.
STORED_COLUMNS: dict[str, str] = {**REPORT_COLUMNS, RECORD_KEY: "int64"}


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    topic: str
    restricted: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """Sources, topics and categories as configured in ``data/vocabulary.toml``."""

    sources: dict[str, str]
    topics: dict[str, str]
    categories: dict[str, Category]

    def categories_of(self, topic: str) -> list[Category]:
        return [c for c in self.categories.values() if c.topic == topic]

    @property
    def restricted_categories(self) -> frozenset[str]:
        return frozenset(k for k, c in self.categories.items() if c.restricted)


@cache
def vocabulary(path: Path | None = None) -> Vocabulary:
    raw = tomllib.loads((path or DATA_DIR / "vocabulary.toml").read_text(encoding="utf-8"))
    categories = {
        key: Category(key, spec["label"], spec["topic"], bool(spec.get("restricted", False)))
        for key, spec in raw["categories"].items()
    }
    unknown = {c.topic for c in categories.values()} - set(raw["topics"])
    if unknown:
        raise ValueError(f"categories refer to unknown topics: {sorted(unknown)}")
    return Vocabulary(dict(raw["sources"]), dict(raw["topics"]), categories)


def stable_id(source: str, source_ref: str) -> str:
    """Same partner record -> same id, across re-imports and machines."""
    return hashlib.blake2b(f"{source}\x1f{source_ref}".encode(), digest_size=8).hexdigest()


def empty_reports() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPORT_COLUMNS.items()})
