"""Address normalisation: hand-written partner addresses -> one comparable key.

Partners write the same place many ways ("Eisenbahnstr. 120", "eisenbahnstrasse 120a",
"Ecke Hermann-Liebmann-/Eisenbahnstraße"). Both the gazetteer names and the input go through
the same ``name_key`` so that case, ß/ss, umlauts, "Str."/"Straße" and spacing never decide a
match. ``parse_address`` never raises: hostile or empty text becomes kind "invalid" with a
German reason the user can act on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

MAX_LENGTH = 300  # longer "addresses" are pasted documents, not addresses

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "–": "-", "—": "-",
                          "‐": "-", "‑": "-", "’": "'", "`": "'"})
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))  # copy-paste debris
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HTML = re.compile(r"<\s*[a-zA-Z/!][^>]*>")
# letters of any script, digits, punctuation
_ALLOWED = re.compile(r"[\w\s.,;:\-/'()\[\]&+#\"–—‐‑’‘`´„“”«»]*")
_STREET_ABBR = re.compile(r"str(?:\.|\b)")  # "Eisenbahnstr.", "Torgauer Str"
_PLATZ_ABBR = re.compile(r"(?:\bpl\b\.?|pl\.)")  # "Otto-Runki-Pl."
_NOISE = re.compile(
    r"\b\d{5}\b|\bleipzig\b|\bdeutschland\b|\bgermany\b|\bsachsen\b"
    r"|\b(?:hausnummer|hausnr|hnr|nr|no)\b\.?|#"
)
_NON_KEY = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_STREET_TYPE = r"(?:strasse|platz|weg|allee|ring|gasse|markt|damm|ufer|park)"
_TYPE_SUFFIX = re.compile(_STREET_TYPE + r"\s*\.?$")
_CORNER_PREFIX = re.compile(r"^(?:ecke|kreuzung|kreuzungsbereich|einmuendung)\b[\s:,.]*(.*)$")
_CORNER_INFIX = re.compile(r"\s*[,/]?\s*\b(?:ecke|kreuzung)\b[\s:,]*")
_PAIR_SPLIT = re.compile(r"\s*/\s*|\s+(?:und|u\.|&)\s+|\s*&\s*|\s*,\s*")
_AFTER_TYPE = re.compile(r"^(.*?" + _STREET_TYPE + r")\s+(\D.*)$")
_NUMBER_END = re.compile(
    r"^(?P<name>.*?[^\d\s])\s*(?P<num>\d{1,4})\s*(?P<suf>[a-z])?"
    r"(?:\s*(?:-|/|bis|\+|und|u\.|,)\s*(?P<to>\d{1,4})\s*[a-z]?)*\s*\.?$"
)
_NUMBER_START = re.compile(r"^(?P<num>\d{1,4})\s*(?P<suf>[a-z])?\s+(?P<name>[a-z].*)$")
_COORD_PAIR = re.compile(
    r"^\s*(-?\d{1,8}\.\d+|-?\d{6,8})\s*[,; ]\s*(-?\d{1,8}\.\d+|-?\d{6,8})\s*$"
    r"|^\s*(-?\d{1,8},\d+)\s*[; ]\s*(-?\d{1,8},\d+)\s*$"
)
_PARENS = re.compile(r"[(\[]([^)\]]*)[)\]]")
# A leading word that places the report relative to a street or place: "im Rabet",
# "gegenüber Eisenbahnstraße 50". Longer forms first ("an der" before "an").
_PREPOSITION = re.compile(
    r"\s*(?P<word>(?:in\s+)?h(?:ö|oe)he(?:\s+(?:von|vom|der|des))?"
    r"|gegen(?:ü|ue)ber(?:\s+(?:von|vom|der|dem|den))?|nahe(?:\s+(?:der|dem|den))?"
    r"|(?:an|auf|vor|hinter|neben)\s+(?:der|dem|den)|im|am|an|beim|bei)\s+(?P<rest>\S.*)",
    re.IGNORECASE | re.DOTALL,
)
# Fast path for the common clean form "Name 12a[, 04315 Leipzig]" / "Name": no digits, commas or
# slashes in the name, so none of the checks below can apply unless the name holds a noise or
# corner word. tests/test_normalize.py checks it agrees with the full parser.
_SIMPLE = re.compile(
    r"\s*(?:\d{5}(?:\s+(?i:leipzig))?\s*,\s*)?"
    r"([A-Za-zÄÖÜäöüßéèáà][A-Za-zÄÖÜäöüßéèáà .'\-]{1,79})(?:(\d{1,4})\s*([A-Za-z])?)?"
    r"(?:(?:\s*,\s*|\s+)\d{5})?(?:(?:\s*,\s*|\s+)(?i:leipzig))?\s*"
)
_SIMPLE_BLOCKERS = re.compile(
    r"\b(?:leipzig|deutschland|germany|sachsen|hausnummer|hausnr|hnr|nr|no|ecke|kreuzung"
    r"|kreuzungsbereich|einmuendung|einmündung|und|u)\b",
    re.IGNORECASE,
)
_simple_keys: dict[str, str | None] = {}  # name -> key (None: needs the full parser)
SUFFIXES = ("", *"abcdefghijklmnopqrstuvwxyz")  # house-number suffix by code (0: none)
_SUFFIX_CODE = {None: 0, **{t: i for i, t in enumerate(SUFFIXES)},
                **{t.upper(): i for i, t in enumerate(SUFFIXES)}}


class ParsedAddress(NamedTuple):
    """One address, normalised. A tuple (C-level hashing): it is the geocoder's cache key.

    kind: "address" (name + house number), "name" (street or place, the gazetteer decides),
    "intersection" (street_key x second_street), "coordinates" (a, b in ``coords``),
    "invalid" (``reason`` says why).
    """

    kind: str
    street_key: str = ""
    number: int | None = None
    suffix: str = ""
    second_street: str = ""
    detail: str = ""
    range_to: int | None = None
    coords: tuple[float, float] | None = None
    reason: str = ""


def fold(text: str) -> str:
    """Lower case, NFKC, ß->ss, ä->ae (etc.), other accents dropped, dashes unified."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_UMLAUTS)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str) -> str:
    """Street/place name -> comparison key: "Hermann-Liebmann-Str." -> "hermannliebmannstrasse"."""
    text = fold(name)
    text = _STREET_ABBR.sub("strasse", text)
    text = _PLATZ_ABBR.sub("platz", text)
    return _NON_KEY.sub("", text)


def split_preposition(text: str) -> tuple[str, str] | None:
    """("gegenüber", "Eisenbahnstraße 50") for "gegenüber Eisenbahnstraße 50": the leading
    preposition (im, am, an der, auf dem, vor dem, hinter dem, gegenüber, Höhe, nahe, bei)
    and the rest, or None. Street names may start with one ("Am Rabet"), so the geocoder
    tries the whole text first."""
    match = _PREPOSITION.fullmatch(text)
    return (match.group("word"), match.group("rest")) if match else None


def _invalid(reason: str) -> ParsedAddress:
    return ParsedAddress("invalid", reason=reason)


def _hostile(text: str) -> str | None:
    """German reason why ``text`` cannot be an address at all, or None."""
    if len(text) > MAX_LENGTH:
        return f"Adresse zu lang ({len(text)} Zeichen, höchstens {MAX_LENGTH})"
    if _CONTROL.search(text):
        return "Adresse enthält Steuerzeichen"
    if _HTML.search(text):
        return "Adresse enthält HTML-Tags"
    if not _ALLOWED.fullmatch(text):
        return "Adresse enthält unzulässige Zeichen (z. B. Emojis)"
    return None


def _complete_suspended(first: str, second: str) -> str:
    """"hermann-liebmann-" + "eisenbahnstrasse" -> "hermann-liebmann-strasse"."""
    if first.endswith("-"):
        match = _TYPE_SUFFIX.search(_STREET_ABBR.sub("strasse", second))
        if match:
            return first + match.group(0)
    return first


def _strip_number(part: str) -> str:
    match = _NUMBER_END.match(part)
    return match.group("name") if match else part


def _intersection(text: str) -> tuple[str, str] | None:
    """Two street names if ``text`` names a corner, else None."""
    prefix = _CORNER_PREFIX.match(text)
    if prefix:
        rest = prefix.group(1)
        parts = [p for p in _PAIR_SPLIT.split(rest, maxsplit=1) if p.strip()]
        if len(parts) != 2:
            after = _AFTER_TYPE.match(_STREET_ABBR.sub("strasse", rest))
            parts = list(after.groups()) if after else []
    else:
        infix = _CORNER_INFIX.split(text, maxsplit=1)
        parts = infix if len(infix) == 2 else _slash_pair(text)
    if len(parts) != 2:
        return None
    first, second = (_strip_number(p.strip(" ,.;")) for p in parts)
    if not (re.search(r"[a-z]{2}", first) and re.search(r"[a-z]{2}", second)):
        return None
    return _complete_suspended(first, second), second


def _slash_pair(text: str) -> list[str]:
    """"A / B" is a corner, "12/14" a house-number range."""
    if "/" not in text:
        return []
    left, right = text.split("/", 1)
    if re.search(r"\d\s*[a-z]?\s*$", left) and re.match(r"\s*\d", right):
        return []
    return [left, right]


def _nothing_named(text: str) -> str:
    if re.search(r"[^\W\d_]", text):
        return "keine Straße und kein Ort erkennbar (nur Postleitzahl, Ort oder Hausnummer)"
    return "keine Straße und kein Ort erkennbar (nur Ziffern oder Satzzeichen)"


def _coordinates(text: str) -> tuple[float, float] | None:
    match = _COORD_PAIR.match(text)
    if not match:
        return None
    a, b = (g for g in match.groups() if g is not None)
    return float(a.replace(",", ".")), float(b.replace(",", "."))


def parse_address(text: object) -> ParsedAddress:
    """Parse free address text; never raises."""
    if not isinstance(text, str) or not text.strip():
        return _invalid("keine Adresse angegeben")
    simple = _SIMPLE.fullmatch(text) if len(text) <= MAX_LENGTH else None
    parsed = _parse_simple(*simple.groups()) if simple else None
    return parsed or _parse_full(text)


def _parse_full(text: str) -> ParsedAddress:
    """The general parser (any non-empty string)."""
    reason = _hostile(text)
    if reason:
        return _invalid(reason)
    coords = _coordinates(text)
    if coords:
        return ParsedAddress("coordinates", coords=coords)
    folded = _SPACES.sub(" ", _NOISE.sub(" ", fold(text.translate(_INVISIBLE)))).strip(" ,;:")
    details = [d.strip() for d in _PARENS.findall(folded)]
    folded = _PARENS.sub(" ", folded).strip(" ,;:")
    corner = _intersection(folded)
    if corner:
        first, second = (name_key(c) for c in corner)
        return ParsedAddress("intersection", street_key=first, second_street=second)
    parts = [p.strip() for p in folded.split(",")]
    main_index = next((i for i, p in enumerate(parts) if re.search(r"[a-z]", p)), None)
    if main_index is None:
        return _invalid(_nothing_named(text))
    main = parts[main_index]
    details += [p for i, p in enumerate(parts) if i != main_index and p]
    number = suffix = None
    range_to = None
    match = _NUMBER_END.match(main) or _NUMBER_START.match(main)
    if match:
        main, number, suffix = match.group("name"), int(match.group("num")), match.group("suf")
        to = match.groupdict().get("to")
        range_to = int(to) if to and int(to) > number else None
    key = name_key(main)
    if len(re.sub(r"[0-9]", "", key)) < 2:
        return _invalid(_nothing_named(text))
    return ParsedAddress(
        "address" if number is not None else "name",
        street_key=key,
        number=number,
        suffix=suffix or "",
        detail=", ".join(d for d in details if d),
        range_to=range_to,
    )


def simple_key(name: str) -> str | None:
    """Key of a name caught by the fast path (``_SIMPLE``'s first group), None where the full
    parser must decide. Cached: a batch repeats few names with many house numbers."""
    name = name.rstrip()
    if name not in _simple_keys:
        if len(_simple_keys) > 100_000:
            _simple_keys.clear()
        key = None if _SIMPLE_BLOCKERS.search(name) else name_key(name)
        _simple_keys[name] = key if key and len(key) >= 2 else None
    return _simple_keys[name]


def simple_parts(
    texts: Iterable[object], name_code: Callable[[str], int]
) -> Iterator[tuple[int, int, int, int]]:
    """The batch form of ``parse_address``'s fast path: (position, ``name_code(name)``, house
    number or -1, index of the suffix in ``SUFFIXES``) of each text in the common clean form;
    ``name_code`` gets the raw name (for ``simple_key``). Everything else (None, hostile,
    corners, details) is left to ``parse_address``. A generator of int tuples, so that a
    million texts never hold a million Python objects at once."""
    match = _SIMPLE.fullmatch
    suffix_code = _SUFFIX_CODE.__getitem__
    for position, text in enumerate(texts):
        if isinstance(text, str) and len(text) <= MAX_LENGTH:
            found = match(text)
            if found:
                name, number, suffix = found.groups()
                yield position, name_code(name), int(number) if number else -1, suffix_code(suffix)


def _parse_simple(name: str, number: str | None, suffix: str | None) -> ParsedAddress | None:
    """The fast path of ``parse_address``; None where the full parser must decide."""
    key = simple_key(name)
    if key is None:
        return None
    if number is None:
        return ParsedAddress("name", street_key=key)
    return ParsedAddress("address", street_key=key, number=int(number),
                         suffix=(suffix or "").lower())
