"""Mapping profiles: which column of a partner's export is which model field, and which of
its values mean which category. Kept as data (``data/profiles/<source>.toml``) so a partner
changing its export means editing a file, not code.

Files nobody wrote a profile for are recognised by ``reports.ingest.recognize`` (with the
synonyms below); the Daten page shows the result as a preview the user confirms or corrects
and can save as a profile in the database.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from config.paths import DATA_DIR
from reports.model import SENSITIVITIES, fold, vocabulary

PROFILE_DIR = DATA_DIR / "profiles"
FIELDS = ("occurred_at", "reported_at", "address", "lon", "lat", "x", "y", "category",
          "description", "count", "sensitivity")
REQUIRED = ("occurred_at", "category")
ID_FIELD = "id"  # pseudo field of a mapping: the partner's record number column
# Pseudo fields for exports that split one field over several columns: they are combined
# with their field (date + time -> occurred_at; street + house number + postcode -> address).
PARTS = {"occurred_time": "occurred_at", "house_number": "address", "postcode": "address"}
CHOICES = (ID_FIELD, *FIELDS[:1], "occurred_time", *FIELDS[1:3], "house_number", "postcode",
           *FIELDS[3:])

# Normalised header -> field, most specific first. Headers are matched after lower-casing,
# folding umlauts (ä -> ae, ß -> ss) and dropping everything but letters and digits.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "occurred_time": ("uhrzeit", "tatuhrzeit", "zeitangabe", "uhr", "time"),
    "house_number": ("hausnummer", "hausnr", "hnr", "hsnr", "housenumber"),
    "postcode": ("postleitzahl", "plz", "postcode", "zip"),
    ID_FIELD: ("vorgangsnummer", "vorgangsnr", "aktenzeichen", "meldungsnummer", "meldungsnr",
               "servicerequestid", "laufendenummer", "lfdnr", "nummer", "id", "nr"),
    "occurred_at": ("tatzeit", "tatdatum", "tatzeitpunkt", "zeitpunkt", "ereigniszeit",
                    "funddatum", "fundzeit", "einsatzzeit", "datumuhrzeit", "vorfallsdatum",
                    "datum", "tag", "zeit", "occurredat", "requesteddatetime", "datetime", "date",
                    "timestamp"),
    "reported_at": ("meldedatum", "meldezeit", "gemeldetam", "eingangsdatum", "eingang",
                    "erfasstam", "erfassungsdatum", "reportedat"),
    "address": ("adresse", "anschrift", "tatort", "fundort", "einsatzort", "standort",
                "strasse", "ort", "lage", "address", "location"),
    "category": ("kategorie", "deliktart", "delikt", "meldungsart", "art", "typ", "thema",
                 "category", "servicename", "type"),
    "description": ("beschreibung", "bemerkungen", "bemerkung", "hinweis", "details", "notiz",
                    "kommentar", "text", "description"),
    "count": ("anzahl", "menge", "stueckzahl", "stueck", "stk", "count", "quantity"),
    "x": ("rechtswert", "ostwert", "easting", "utmx", "x"),
    "y": ("hochwert", "nordwert", "northing", "utmy", "y"),
    "lat": ("breitengrad", "geobreite", "breite", "latitude", "lat", "geometrylat"),
    "lon": ("laengengrad", "geolaenge", "laenge", "longitude", "long", "lon", "lng",
            "geometrylon"),
    "sensitivity": ("sensibilitaet", "vertraulichkeit", "sichtbarkeit", "schutzstufe",
                    "sensitivity"),
}


class ProfileError(ValueError):
    """A profile or mapping is unusable; German message."""


@dataclass(frozen=True)
class Profile:
    source: str
    label: str = ""
    format: str | None = None
    id_column: str | None = None
    columns: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)  # folded export value -> key
    sensitivity: str = "members"
    count: int = 1
    category_sensitivity: dict[str, str] = field(default_factory=dict)
    # category key -> the topic this source files it under, for categories of several topics
    # (Drogen- und Suchthilfe: Spritzenfund under Soziales); else the category's main topic
    category_topics: dict[str, str] = field(default_factory=dict)

    def topic_of(self, category: str) -> str | None:
        spec = vocabulary().categories.get(category)
        return self.category_topics.get(category, spec.topic) if spec else None

    def with_choices(self, choices: dict[str, str]) -> Profile:
        """This profile with exactly the given columns (flat choices incl. parts)."""
        unknown = set(choices) - set(CHOICES)
        if unknown:
            raise ProfileError(f"Unbekannte Felder in der Zuordnung: {', '.join(sorted(unknown))}.")
        columns = columns_from_choices({k: v for k, v in choices.items() if k != ID_FIELD})
        return replace(self, columns=columns, id_column=choices.get(ID_FIELD) or None)

    def with_categories(self, categories: dict[str, str] | None) -> Profile:
        """This profile with more export values -> category keys (e.g. chosen in the page)."""
        if not categories:
            return self
        known = vocabulary().categories
        bad = sorted(k for k in categories.values() if k not in known)
        if bad:
            raise ProfileError(f"Unbekannte Kategorie(n): {', '.join(bad)}.")
        return replace(self, categories={**self.categories,
                                         **{fold(v): k for v, k in categories.items()}})

    def choices(self) -> dict[str, str]:
        """Flat field -> column view of the columns (combined fields split into parts)."""
        out = {ID_FIELD: self.id_column} if self.id_column else {}
        for fld, col in self.columns.items():
            if isinstance(col, tuple):
                names = COMBINED_PARTS.get(fld, (fld,))
                out.update({n: c for n, c in zip(names, col, strict=False)})
            else:
                out[fld] = col
        return out

    def category_of(self, value: str) -> str | None:
        return self.categories.get(fold(value))


COMBINED_PARTS = {"occurred_at": ("occurred_at", "occurred_time"),
                  "address": ("address", "house_number", "postcode")}


def columns_from_choices(choices: dict[str, str]) -> dict[str, str | tuple[str, ...]]:
    """Flat choices -> profile columns: a field with parts becomes a tuple in part order
    (date, time) or (street, house number, postcode)."""
    choices = {k: v for k, v in choices.items() if v}
    columns: dict[str, str | tuple[str, ...]] = {
        k: v for k, v in choices.items() if k not in PARTS}
    for fld, names in COMBINED_PARTS.items():
        parts = [choices[n] for n in names if n in choices]
        if fld in choices and len(parts) > 1:
            columns[fld] = tuple(parts)
    return columns


def profile_to_dict(profile: Profile) -> dict:
    """The TOML/JSON shape ``profile_from_dict`` reads (for the database and batches)."""
    out: dict = {"source": profile.source, "label": profile.label,
                 "columns": {k: list(v) if isinstance(v, tuple) else v
                             for k, v in profile.columns.items()},
                 "categories": dict(profile.categories),
                 "defaults": {"sensitivity": profile.sensitivity, "count": profile.count},
                 "sensitivity": dict(profile.category_sensitivity)}
    if profile.category_topics:
        out["topics"] = dict(profile.category_topics)
    if profile.format:
        out["format"] = profile.format
    if profile.id_column:
        out["id_column"] = profile.id_column
    return out


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def vocabulary_categories() -> dict[str, str]:
    """Category keys and German labels (folded) -> key: accepted from every source."""
    voc = vocabulary()
    out = {fold(key): key for key in voc.categories}
    out.update({fold(c.label): key for key, c in voc.categories.items()})
    return out


def load_profile(source: str, directory: Path | None = None) -> Profile:
    path = (directory or PROFILE_DIR) / f"{source}.toml"
    if not path.exists():
        raise ProfileError(f"Kein Zuordnungsprofil für die Quelle „{source}“ ({path}).")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path.name}: Profil nicht lesbar ({exc}).") from exc
    return profile_from_dict(raw, path.name)


def profile_from_dict(raw: dict, name: str = "Profil") -> Profile:
    voc = vocabulary()
    source = raw.get("source", "")
    if source not in voc.sources:
        raise ProfileError(f"{name}: Unbekannte Quelle „{source}“ (siehe data/vocabulary.toml).")
    columns = {k: (tuple(v) if isinstance(v, list) else v)
               for k, v in raw.get("columns", {}).items()}
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise ProfileError(f"{name}: Unbekannte Felder in [columns]: {', '.join(sorted(unknown))}.")
    categories = {}
    for value, key in raw.get("categories", {}).items():
        if key not in voc.categories:
            raise ProfileError(f"{name}: „{value}“ verweist auf unbekannte Kategorie „{key}“.")
        categories[fold(value)] = key
    topics = dict(raw.get("topics", {}))
    for key, topic in topics.items():
        if key not in voc.categories or topic not in voc.categories[key].topics:
            raise ProfileError(f"{name}: [topics] „{key}“ = „{topic}“: diese Kategorie gehört "
                               "nicht zu diesem Thema (siehe data/vocabulary.toml).")
    defaults = raw.get("defaults", {})
    overrides = dict(raw.get("sensitivity", {}))
    for level in (defaults.get("sensitivity", "members"), *overrides.values()):
        if level not in SENSITIVITIES:
            raise ProfileError(f"{name}: Unbekannte Sensibilität „{level}“.")
    return Profile(
        source=source, label=raw.get("label", ""), format=raw.get("format"),
        id_column=raw.get("id_column") or None, columns=columns, categories=categories,
        sensitivity=defaults.get("sensitivity", "members"), count=int(defaults.get("count", 1)),
        category_sensitivity=overrides, category_topics=topics,
    )


def generic_profile(source: str) -> Profile:
    """Profile for a source without a profile file: only vocabulary values as categories."""
    if source not in vocabulary().sources:
        raise ProfileError(
            f"Unbekannte Quelle „{source}“; möglich: {', '.join(vocabulary().sources)}."
        )
    return Profile(source=source)
