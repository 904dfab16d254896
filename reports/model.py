"""The one report model every partner export is mapped onto.

A report set is a pandas DataFrame with exactly the columns of ``REPORT_COLUMNS``;
vectorised frames (not one object per row) keep a million-row import fast.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
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
    topics: tuple[str, ...]  # every topic it is filed under; the first is its main topic
    restricted: bool = False
    keywords: tuple[str, ...] = ()  # folded word stems that suggest it in a free text

    @property
    def topic(self) -> str:
        return self.topics[0]


@dataclass(frozen=True)
class Vocabulary:
    """Sources, topics and categories as configured in ``data/vocabulary.toml``."""

    sources: dict[str, str]
    topics: dict[str, str]
    categories: dict[str, Category]

    def categories_of(self, topic: str) -> list[Category]:
        """Categories filed under ``topic`` (as main topic or as one of several)."""
        return [c for c in self.categories.values() if topic in c.topics]

    def other_of(self, topic: str) -> str:
        """The "Sonstiges" category of a topic: what fits no other category."""
        return f"sonstiges_{topic}"

    def propose(self, text: str, topic: str | None = None) -> list[str]:
        """Categories a free text suggests, best first: keyword stems found in its words,
        a stem at a word's end (its head: "Sperrmüll", "Ratten") counting twice one inside
        a compound ("Spritzenfund", "Mülltonnen"), ties broken in
        favour of ``topic``; then the rest of ``topic``'s categories, its "Sonstiges" last
        of them (first where no stem is found at all); then all others. Restricted
        categories are proposed like any other (only Redaktion moderates)."""
        words = _folded_words(text)
        score = {key: sum(max((_hit(stem, w) for w in words), default=0)
                          for stem in c.keywords)
                 for key, c in self.categories.items()}
        other = {self.other_of(t) for t in self.topics}
        order = {key: i for i, key in enumerate(self.categories)}
        # no stem found at all: the topic's "Sonstiges" is the honest first proposal
        unknown = not any(score.values())

        def rank(key: str) -> tuple:
            last = key != self.other_of(topic or "") if unknown else key in other
            return (-score[key], topic not in self.categories[key].topics, last, order[key])

        return sorted(self.categories, key=rank)

    @property
    def restricted_categories(self) -> frozenset[str]:
        return frozenset(k for k, c in self.categories.items() if c.restricted)


@cache
def vocabulary(path: Path | None = None) -> Vocabulary:
    raw = tomllib.loads((path or DATA_DIR / "vocabulary.toml").read_text(encoding="utf-8"))
    categories = {
        key: Category(key, spec["label"], tuple(spec.get("topics") or [spec["topic"]]),
                      bool(spec.get("restricted", False)),
                      tuple(fold(k) for k in spec.get("keywords", ())))
        for key, spec in raw["categories"].items()
    }
    unknown = {t for c in categories.values() for t in c.topics} - set(raw["topics"])
    if unknown:
        raise ValueError(f"categories refer to unknown topics: {sorted(unknown)}")
    voc = Vocabulary(dict(raw["sources"]), dict(raw["topics"]), categories)
    missing = [voc.other_of(t) for t in voc.topics if voc.other_of(t) not in categories]
    if missing:
        raise ValueError(f"every topic needs its Sonstiges category: {missing}")
    return voc


def fold(text: str) -> str:
    """Case- and umlaut-insensitive key: ``Straße`` == ``STRASSE`` == ``strasse``."""
    text = str(text).strip().lower().replace("ß", "ss")
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.split())


def _hit(stem: str, word: str) -> int:
    """2: the word ends in the stem (plus an ending); 1: the stem is inside; 0: absent."""
    at = word.rfind(stem)
    if at < 0:
        return 0
    return 2 if len(word) - at - len(stem) <= 3 else 1


def _folded_words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", fold(text))


def stable_id(source: str, source_ref: str) -> str:
    """Same partner record -> same id, across re-imports and machines."""
    return hashlib.blake2b(f"{source}\x1f{source_ref}".encode(), digest_size=8).hexdigest()


def empty_reports() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPORT_COLUMNS.items()})
