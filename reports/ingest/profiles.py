"""Mapping profiles: which column of a partner's export is which model field, and which of
its values mean which category. Kept as data (``data/profiles/<source>.toml``) so a partner
changing its export means editing a file, not code.

``suggest_mapping`` guesses a mapping from column headers for files nobody wrote a profile
for yet; the dashboard shows it as a preview the user confirms or corrects.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from config.paths import DATA_DIR
from reports.model import SENSITIVITIES, vocabulary

PROFILE_DIR = DATA_DIR / "profiles"
FIELDS = ("occurred_at", "reported_at", "address", "lon", "lat", "x", "y", "category",
          "description", "count", "sensitivity")
REQUIRED = ("occurred_at", "category")
ID_FIELD = "id"  # pseudo field of a mapping: the partner's record number column

# Normalised header -> field, most specific first. Headers are matched after lower-casing,
# folding umlauts (ä -> ae, ß -> ss) and dropping everything but letters and digits.
SYNONYMS: dict[str, tuple[str, ...]] = {
    ID_FIELD: ("vorgangsnummer", "vorgangsnr", "aktenzeichen", "meldungsnummer", "meldungsnr",
               "servicerequestid", "laufendenummer", "lfdnr", "nummer", "id", "nr"),
    "occurred_at": ("tatzeit", "tatdatum", "tatzeitpunkt", "zeitpunkt", "ereigniszeit",
                    "funddatum", "fundzeit", "einsatzzeit", "datumuhrzeit", "vorfallsdatum",
                    "datum", "zeit", "occurredat", "requesteddatetime", "datetime", "date",
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

    def with_mapping(self, mapping: dict[str, str] | None) -> Profile:
        """This profile with columns overridden by ``mapping`` (field -> column).

        An empty column unmaps the field; for ``id`` that means: identity from the content.
        """
        if not mapping:
            return self
        unknown = set(mapping) - set(FIELDS) - {ID_FIELD}
        if unknown:
            raise ProfileError(
                f"Unbekannte Felder in der Zuordnung: {', '.join(sorted(unknown))} "
                f"(möglich: {', '.join((ID_FIELD, *FIELDS))})."
            )
        columns = {**self.columns, **{k: v for k, v in mapping.items() if k != ID_FIELD}}
        columns = {k: v for k, v in columns.items() if v}
        id_column = mapping.get(ID_FIELD, self.id_column) or None  # "" -> identity from content
        return replace(self, columns=columns, id_column=id_column)

    def category_of(self, value: str) -> str | None:
        return self.categories.get(fold(value))


def fold(text: str) -> str:
    """Case- and umlaut-insensitive key: ``Straße`` == ``STRASSE`` == ``strasse``."""
    text = str(text).strip().lower().replace("ß", "ss")
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.split())


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
    defaults = raw.get("defaults", {})
    overrides = dict(raw.get("sensitivity", {}))
    for level in (defaults.get("sensitivity", "members"), *overrides.values()):
        if level not in SENSITIVITIES:
            raise ProfileError(f"{name}: Unbekannte Sensibilität „{level}“.")
    return Profile(
        source=source, label=raw.get("label", ""), format=raw.get("format"),
        id_column=raw.get("id_column") or None, columns=columns, categories=categories,
        sensitivity=defaults.get("sensitivity", "members"), count=int(defaults.get("count", 1)),
        category_sensitivity=overrides,
    )


def generic_profile(source: str) -> Profile:
    """Profile for a source without a profile file: only vocabulary values as categories."""
    if source not in vocabulary().sources:
        raise ProfileError(
            f"Unbekannte Quelle „{source}“; möglich: {', '.join(vocabulary().sources)}."
        )
    return Profile(source=source)


def suggest_mapping(columns: list[str], profile: Profile | None = None) -> dict[str, str]:
    """Best guess field -> column for the given headers.

    A profile's own columns win where the file has them (header compared folded); the
    remaining fields are matched by synonyms, exact before prefix matches, each column once.
    """
    keys = {c: _header_key(c) for c in columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    if profile:
        wanted = {**profile.columns, **({ID_FIELD: profile.id_column} if profile.id_column else {})}
        for fld, col in wanted.items():
            if isinstance(col, tuple):
                continue
            hit = next((c for c in columns if keys[c] == _header_key(col)), None)
            if hit and hit not in used:
                mapping[fld] = hit
                used.add(hit)
    for exact in (True, False):
        for fld, synonyms in SYNONYMS.items():
            if fld in mapping:
                continue
            for synonym in synonyms:
                hit = next(
                    (c for c in columns if c not in used and keys[c]
                     and (keys[c] == synonym if exact
                          else len(synonym) >= 4 and keys[c].startswith(synonym))),
                    None,
                )
                if hit:
                    mapping[fld] = hit
                    used.add(hit)
                    break
    return mapping
