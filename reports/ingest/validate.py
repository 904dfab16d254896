"""Turn a ``RawTable`` into a report frame, with one German message per rejected row.

Everything is vectorised over columns (and over the distinct values of a column, which
repeat a lot in exports), so a million rows validate in seconds; only rejected rows are
touched one by one, to write their messages.

Messages name the file, the row as a spreadsheet shows it ("Zeile 17"; header = Zeile 1;
"Eintrag N" for JSON formats) and the column as it is called in the file, e.g.
``polizei_2026-11.csv, Zeile 17, Feld „Tatzeit“: „32.13.2026“ ist kein gültiges Datum.``

Local times are Europe/Berlin. At the end of summer time the hour 02:00-03:00 happens twice;
such times are read as the first (summer time) occurrence. Times that do not exist (the hour
skipped in spring, 02:00-03:00) are moved forward to 03:00, the first time that exists.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import numpy as np
import pandas as pd

from reports.ingest.coordinates import impossible, metric_zone, placeholder, zone32_to_33
from reports.ingest.importers import FileError, RawTable
from reports.ingest.profiles import REQUIRED, Profile, fold, vocabulary_categories
from reports.model import REPORT_COLUMNS, TIMEZONE, stable_id, vocabulary

REJECT_COLUMNS = ["row_number", "field", "message", "raw"]
REQUIRED_LABELS = {"occurred_at": "das Datum", "category": "die Kategorie"}
MIN_YEAR = 2000  # earlier dates are typing errors in this project's data
# Dates are read in microseconds, which hold any year a cell can spell, and only those from
# 1900 to 2100 go on: the store's nanosecond times end in 2262, and an unchecked conversion
# turned "15.06.2600" into a wrong date in 2015 instead of an error.
FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_COUNT = 1_000_000
SENSITIVITY_VALUES = {
    "public": "public", "oeffentlich": "public", "offentlich": "public",
    "members": "members", "mitglieder": "members", "intern": "members",
    "restricted": "restricted", "vertraulich": "restricted",
}

GERMAN_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%y %H:%M",
                  "%d.%m.%y", "%d.%m.%y %H:%M:%S")
_ISO = r"^\d{4}-\d{1,2}-\d{1,2}"
_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_EXCEL = r"^\d{5}(?:[.,]\d+)?$"  # days since 1899-12-30; 5 digits = years 1927-2173
_EXCEL_EPOCH = np.datetime64("1899-12-30", "us")
_NAIVE = "datetime64[ns]"
_WIDE = "datetime64[us]"
_FIRST = np.datetime64(f"{FIRST_YEAR}-01-01", "us")
_END = np.datetime64(f"{LAST_YEAR + 1}-01-01", "us")
# A time of day as exports write it: 18:30, 18:30:15, 18.30 Uhr, 18h30, 18 Uhr, 1830, or the
# time part of an ISO/spreadsheet value (1899-12-30T18:30:00).
_CLOCK = (r"^(?:.*[T ])?(?P<h>[01]?\d|2[0-3])(?:[:.h](?P<m>[0-5]\d)(?:[:.](?P<s>[0-5]\d))?)?"
          r"\s*(?:uhr|h)?$")
_CLOCK_COMPACT = r"^(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)$"
_POSTCODE_GAP = r"\s+(0\d{4})\b"


def parse_times(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Times of day -> seconds after midnight (NaN where empty) and a mask of bad ones.

    A bare hour must say so (``18 Uhr``); a bare number like ``18`` is not taken as a time.
    """
    codes, uniques = pd.factorize(values.astype("str").fillna("").str.strip())
    text = pd.Series(uniques, dtype="str")
    parts = text.str.extract(_CLOCK, flags=2)  # re.IGNORECASE
    compact = text.str.extract(_CLOCK_COMPACT)
    parts = parts.where(parts["h"].notna(), compact.reindex(columns=parts.columns))
    bare = text.str.fullmatch(r"\d{1,2}") & parts["m"].isna()
    hours = pd.to_numeric(parts["h"], errors="coerce").where(~bare)
    seconds = (hours * 3600 + pd.to_numeric(parts["m"], errors="coerce").fillna(0) * 60
               + pd.to_numeric(parts["s"], errors="coerce").fillna(0)).to_numpy("float64")
    empty = text.eq("").to_numpy()
    bad = ~empty & np.isnan(seconds)
    return seconds[codes], bad[codes]


_DATE_ONLY = re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2}|\d{5}"
                        r"|\d{4}-\d{2}-\d{2}[ T]00:00(:00)?)$")


def without_time_of_day(values: pd.Series) -> np.ndarray:
    """Mask of date cells that carry no time of day (``24.11.2026``, ``2026-11-24``, a
    whole Excel serial number, or a spreadsheet date read as midnight): stored as 0:00,
    which the import summary says."""
    return values.astype("str").str.strip().str.match(_DATE_ONLY).fillna(False).to_numpy(bool)


def parse_datetimes(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Strings -> tz-aware Europe/Berlin datetimes, a mask of non-empty unparseable ones and
    a mask of dates outside ``FIRST_YEAR``..``LAST_YEAR`` (NaT in the result).

    Accepts ``24.11.2026``, ``24.11.2026 18:30[:00]``, ``24.11.26``, also with ``Uhr`` or
    ``18.30``; ISO 8601 with or without offset; Excel serial numbers (``46350.75``). Each
    shape is parsed by pandas' compiled parsers on the rows that have it, once per distinct
    value (exports repeat dates a lot).
    """
    codes, uniques = pd.factorize(values.astype("str").fillna("").str.strip())
    parsed, bad, outside = _parse_distinct(pd.Series(uniques, dtype="str"))
    return (pd.Series(parsed.array.take(codes), index=values.index), bad[codes],
            outside[codes])


def _parse_distinct(text: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    n = len(text)
    empty = text.eq("").to_numpy()
    naive = np.full(n, np.datetime64("NaT"), dtype=_WIDE)
    aware = np.full(n, np.datetime64("NaT"), dtype=_WIDE)  # UTC, from explicit offsets
    iso = text.str.contains(_ISO, regex=True).to_numpy(bool) & ~empty
    excel = text.str.contains(_EXCEL, regex=True).to_numpy(bool) & ~empty
    german = ~(empty | iso | excel)

    if german.any():
        pending = _parse_formats(text, german, naive)
        if pending.any():  # "24.11.2026, 18.30 Uhr" and the like
            tidy = (text[pending].str.replace(r"\s*Uhr$", "", regex=True)
                    .str.replace(r",\s*", " ", regex=True)
                    .str.replace(r"(\s\d{1,2})\.(\d{2})(?=$|\.\d{2}$)", r"\1:\2", regex=True)
                    .str.replace(r"(:\d{2})\.(\d{2})$", r"\1:\2", regex=True))
            retry = text.copy()
            retry[pending] = tidy
            _parse_formats(retry, pending, naive)
    if iso.any():
        offset = iso & text.str.contains(_OFFSET, regex=True).to_numpy(bool)
        plain = iso & ~offset
        if offset.any():
            parsed = pd.to_datetime(text[offset], format="ISO8601", utc=True, errors="coerce")
            aware[offset] = parsed.dt.tz_localize(None).to_numpy(_WIDE)
        if plain.any():
            parsed = pd.to_datetime(text[plain], format="ISO8601", errors="coerce")
            if getattr(parsed.dt, "tz", None) is None:
                naive[plain] = parsed.to_numpy(_WIDE)
    if excel.any():
        days = pd.to_numeric(text[excel].str.replace(",", ".", regex=False), errors="coerce")
        naive[excel] = _EXCEL_EPOCH + (days * 86400).round().to_numpy("timedelta64[s]")

    outside = np.zeros(n, dtype=bool)
    for wide in (naive, aware):
        far = ~np.isnat(wide) & ((wide < _FIRST) | (wide >= _END))
        wide[far] = np.datetime64("NaT")
        outside |= far
    local = _localize(pd.Series(naive.astype(_NAIVE)))
    utc = pd.Series(aware.astype(_NAIVE)).dt.tz_localize("UTC").dt.tz_convert(TIMEZONE)
    has_offset = ~np.isnat(aware)
    result = local.where(~has_offset, utc)
    bad = ~empty & ~outside & result.isna().to_numpy()
    return result, bad, outside


def _parse_formats(text: pd.Series, pending: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Try the German formats in turn on the rows still pending; returns what is left."""
    pending = pending.copy()
    for fmt in GERMAN_FORMATS:
        if not pending.any():
            break
        where = np.flatnonzero(pending)
        parsed = pd.to_datetime(text.iloc[where], format=fmt, errors="coerce").to_numpy(_WIDE)
        ok = ~np.isnat(parsed)
        out[where[ok]] = parsed[ok]
        pending[where[ok]] = False
    return pending


def _localize(naive: pd.Series) -> pd.Series:
    first = np.ones(len(naive), dtype=bool)  # ambiguous wall time -> summer time (earlier)
    return naive.dt.tz_localize(TIMEZONE, ambiguous=first, nonexistent="shift_forward")


def parse_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Strings with decimal comma or point (``51,3421``, ``1.234,5``) -> float, bad mask."""
    text = values.astype("str").fillna("").str.strip()
    empty = text.eq("").to_numpy()
    # A comma never parses as a float: such cells go straight to the decimal-comma pass.
    plain = ~empty & ~text.str.contains(",", regex=False).to_numpy(bool)
    numbers = np.full(len(text), np.nan)
    if plain.any():
        numbers[plain] = pd.to_numeric(text[plain], errors="coerce").to_numpy("float64")
    retry = np.isnan(numbers) & ~empty
    for tidy in (_decimal_comma, lambda t: _decimal_comma(t.str.replace(r"[\s\u00a0']", "",
                                                                          regex=True))):
        if not retry.any():
            break
        numbers[retry] = pd.to_numeric(tidy(text[retry]), errors="coerce").to_numpy("float64")
        retry &= np.isnan(numbers)
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers, ~empty & np.isnan(numbers)


def _decimal_comma(text: pd.Series) -> pd.Series:
    """``1.234,5`` -> ``1234.5`` where a comma is present; other values unchanged."""
    german = text.str.contains(",", regex=False)
    return text.where(~german, text.str.replace(".", "", regex=False)
                      .str.replace(",", ".", regex=False))


class _Problems:
    """Per-row errors, collected column-wise; texts are built only for the failing rows."""

    def __init__(self, n: int):
        self.parts: list[tuple[np.ndarray, str | None, np.ndarray]] = []
        self.any = np.zeros(n, dtype=bool)

    def add(self, mask: np.ndarray, column: str | None, text) -> None:
        """``text``: a string for all rows, or ``f(positions) -> texts`` of those rows."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        where = np.flatnonzero(mask)
        texts = (np.full(len(where), text, dtype=object) if isinstance(text, str)
                 else np.asarray(text(where), dtype=object))
        self.parts.append((where, column, texts))
        self.any |= mask


def _quoted(values: pd.Series, template: str):
    """Message builder: ``template`` with ``{}`` replaced by the (shortened) cell value."""
    before, after = template.split("{}")
    return lambda where: [f"{before}„{v[:80]}“{after}" for v in values.iloc[where]]


def to_reports(raw: RawTable, profile: Profile, file_name: str, batch_id: str,
               notes: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reports frame, rejects[row_number, field, message, raw]); file-level findings (a
    coordinate system converted, placeholder coordinates) are appended to ``notes``.

    The frame has the ``REPORT_COLUMNS``; its index is the row number shown in messages.
    Rows whose id repeats within the file with different content are rejected (which
    version is right cannot be told); identical repeats stay in the frame for the caller
    to count as duplicates.
    """
    columns = resolve_columns(raw, profile, file_name)
    rows = raw.rows.reset_index(drop=True)
    n = len(rows)
    problems = _Problems(n)

    def required(fld: str) -> pd.Series:
        """Cells of a field the mapping is known to contain."""
        found = cells(fld)
        assert found is not None, fld
        return found

    def cells(fld: str) -> pd.Series | None:
        col = columns.get(fld)
        if col is None:
            return None
        if isinstance(col, tuple):
            parts = [rows[c].astype("str").fillna("").str.strip() for c in col]
            joined = parts[0].str.cat(parts[1:], sep=" ").str.replace(r"\s+", " ", regex=True)
            if fld == "address":  # "Eisenbahnstraße 10 04315" -> "Eisenbahnstraße 10, 04315"
                joined = joined.str.replace(_POSTCODE_GAP, r", \1", regex=True)
            return joined.str.strip()
        return rows[col].astype("str").fillna("").str.strip()

    def name(fld: str) -> str:
        col = columns.get(fld, fld)
        return " + ".join(col) if isinstance(col, tuple) else col

    def optional_text(fld: str) -> pd.Series:
        text = cells(fld)
        if text is None:
            return pd.Series(pd.NA, index=rows.index, dtype="string")
        return text.astype("string").mask(text.eq(""))

    out: dict[str, object] = {}
    # Times
    when = columns["occurred_at"]
    if isinstance(when, tuple) and len(when) == 2:  # date column + time-of-day column
        occurred = _date_and_time(rows, when, problems)
        untimed = rows[when[1]].astype("str").fillna("").str.strip().eq("").to_numpy()
    else:
        text = required("occurred_at")
        untimed = without_time_of_day(text)
        problems.add(text.eq("").to_numpy(), name("occurred_at"), "Angabe fehlt.")
        occurred = _dates(text, problems, name("occurred_at"))
        _check_range(occurred, problems, name("occurred_at"), text)
    out["occurred_at"] = occurred
    text = cells("reported_at")
    if text is not None:
        out["reported_at"] = _dates(text, problems, name("reported_at"))
        _check_range(out["reported_at"], problems, name("reported_at"), text)
    else:
        out["reported_at"] = pd.Series(pd.NaT, index=rows.index,
                                       dtype=REPORT_COLUMNS["reported_at"])

    # Category -> topic
    text = required("category")
    known = vocabulary_categories()
    category = _map_distinct(text, lambda v: profile.category_of(v) or known.get(fold(v)))
    empty = text.eq("").to_numpy()
    problems.add(empty, name("category"), "Angabe fehlt.")
    problems.add(category.isna().to_numpy() & ~empty, name("category"), _quoted(
        text, "{} ist keine bekannte Kategorie; beim Import einer Kategorie zuordnen "
        "oder eine Kategorie wie „Sonstiges (Ordnung)“ eintragen."))
    out["category"] = category
    out["topic"] = _map_distinct(category.fillna(""), profile.topic_of)

    # Place
    out["address"] = optional_text("address")
    for a, b in (("lon", "lat"), ("x", "y")):
        values, texts = {}, {}
        for fld in (a, b):
            text = texts[fld] = cells(fld)
            if text is None:
                values[fld] = np.full(n, np.nan)
                continue
            values[fld], bad = parse_numbers(text)
            problems.add(bad, name(fld), _quoted(text, "{} ist keine Zahl."))
        if texts[a] is not None and texts[b] is not None:
            _check_pair(values[a], values[b], texts[a], texts[b], name(a), name(b), problems,
                        notes)
        half = np.isnan(values[a]) != np.isnan(values[b])
        problems.add(half & np.isnan(values[b]), name(b),
                     f"Angabe fehlt, obwohl „{name(a)}“ angegeben ist.")
        problems.add(half & np.isnan(values[a]), name(a),
                     f"Angabe fehlt, obwohl „{name(b)}“ angegeben ist.")
        out[a], out[b] = values[a], values[b]
    _zone32(out, (name("lon"), name("lat"), name("x"), name("y")), notes)

    # Count
    text = cells("count")
    if text is None:
        out["count"] = np.full(n, profile.count, dtype="int64")
    else:
        number, bad = parse_numbers(text)
        number = np.where(text.eq("").to_numpy(), profile.count, number)
        with np.errstate(invalid="ignore"):
            valid = (number >= 1) & (number <= MAX_COUNT) & (np.mod(number, 1) == 0)
        problems.add(~valid, name("count"), _quoted(
            text, "{} ist keine gültige Anzahl (ganze Zahl von 1 bis 1.000.000)."))
        out["count"] = np.where(valid, number, 1).astype("int64")

    out["description"] = optional_text("description")

    # Sensitivity: column value, else per-category override, else profile default;
    # restricted categories are always restricted.
    overrides = profile.category_sensitivity
    level = _map_distinct(category.fillna(""), lambda c: overrides.get(c, profile.sensitivity))
    text = cells("sensitivity")
    if text is not None:
        given = _map_distinct(text, lambda v: SENSITIVITY_VALUES.get(fold(v)) if v else None)
        problems.add(given.isna().to_numpy() & text.ne("").to_numpy(), name("sensitivity"),
                     _quoted(text, "{} ist keine gültige Sensibilität "
                                   "(öffentlich, Mitglieder oder vertraulich)."))
        level = given.fillna(level)
    restricted = category.isin(vocabulary().restricted_categories).fillna(False).to_numpy()
    out["sensitivity"] = level.where(~restricted, "restricted")

    # Identity
    content = _content_hash(out)
    id_column = columns.get("id")
    if id_column:
        ref = required("id")
        problems.add(ref.eq("").to_numpy(), id_column, "Angabe fehlt (Kennung des Vorgangs).")
        problems.add(ref.str.len().gt(200).to_numpy(), id_column,
                     "Kennung ist länger als 200 Zeichen.")
    else:  # no record number: the content is the identity
        ref = pd.Series(content, index=rows.index).radd("inhalt:")
    out["source_ref"] = ref
    out["content_hash"] = content
    out["id"] = [stable_id(profile.source, r) for r in ref.to_numpy(dtype=object)]
    out["source"] = profile.source
    out["batch_id"] = batch_id
    out["ortsteil"] = out["geocode_status"] = pd.NA
    out["precision_m"] = np.nan

    frame = pd.DataFrame(out, index=rows.index)
    _reject_conflicting_ids(frame, problems, id_column or "Inhalt", raw.row_numbers,
                            raw.row_label)
    good = ~problems.any
    frame = frame.loc[good, list(REPORT_COLUMNS)].astype(REPORT_COLUMNS)
    frame.index = pd.Index(raw.row_numbers[good], name="row_number")
    # Known only here: which stored times are 0:00 because the file gave a date only.
    frame.attrs["without_time"] = raw.row_numbers[good & untimed].astype("int64").tolist()
    rejects = pd.concat([_rejects(raw, problems, file_name), _reader_errors(raw)],
                        ignore_index=True)
    return frame, rejects.sort_values("row_number", kind="stable", ignore_index=True)


def _date_and_time(rows: pd.DataFrame, columns: tuple[str, str],
                   problems: _Problems) -> pd.Series:
    """A date column and a time-of-day column -> one local datetime (the date's own time
    is replaced where the time column has a value)."""
    date_col, time_col = columns
    dates = rows[date_col].astype("str").fillna("").str.strip()
    clock = rows[time_col].astype("str").fillna("").str.strip()
    problems.add(dates.eq("").to_numpy(), date_col, "Angabe fehlt.")
    parsed = _dates(dates, problems, date_col)
    seconds, bad_time = parse_times(clock)
    problems.add(bad_time, time_col, _quoted(clock, "{} ist keine gültige Uhrzeit."))
    given = ~np.isnan(seconds) & parsed.notna().to_numpy()
    if given.any():
        day = parsed.dt.tz_localize(None).dt.normalize()
        naive = day + pd.to_timedelta(np.where(given, seconds, 0), unit="s")
        parsed = parsed.where(~given, _localize(naive))
    _check_range(parsed, problems, date_col, dates)
    return parsed


def _check_pair(a: np.ndarray, b: np.ndarray, text_a: pd.Series, text_b: pd.Series,
                name_a: str, name_b: str, problems: _Problems, notes: list[str] | None) -> None:
    """Placeholder pairs (0/0) become empty; pairs no coordinate system explains are
    rejected with both values named (the values are cleared either way)."""
    zero = placeholder(a, b)
    if zero.any():
        a[zero] = b[zero] = np.nan
        if notes is not None:
            notes.append(f"{int(zero.sum())} Zeile(n) mit „0“ als „{name_a}“ und „{name_b}“: "
                         "als „keine Koordinaten“ gelesen; der Ort kommt aus der Adresse.")
    wrong = impossible(a, b)
    if wrong.any():
        problems.add(wrong, name_a, lambda where: [
            f"„{text_a.iloc[i][:40]}“ / „{text_b.iloc[i][:40]}“ ({name_b}) ist keine mögliche "
            "Koordinate im Raum Leipzig (erwartet Grad wie 51,34 / 12,41 oder Meter wie "
            "318000 / 5690000); Koordinaten korrigieren oder leeren." for i in where])
        a[wrong] = b[wrong] = np.nan


def _zone32(out: dict, names: tuple[str, ...], notes: list[str] | None) -> None:
    """Metres of UTM zone 32 (EPSG:25832), in the x/y or the lon/lat columns, are converted
    to EPSG:25833 x/y; the file's zone is decided once over all its rows."""
    x, y, lon, lat = out["x"], out["y"], out["lon"], out["lat"]
    metric_in_lonlat = (lon > 1000) | (lat > 1000)
    a = np.where(metric_in_lonlat, lon, x)
    b = np.where(metric_in_lonlat, lat, y)
    given = ~np.isnan(a) & ~np.isnan(b)
    if not given.any() or metric_zone(a[given], b[given], names) != 32:
        return
    new_x, new_y, ok = zone32_to_33(a, b)
    if not ok.any():
        return
    out["x"], out["y"] = np.where(ok, new_x, x), np.where(ok, new_y, y)
    out["lon"], out["lat"] = np.where(ok, np.nan, lon), np.where(ok, np.nan, lat)
    if notes is not None:
        notes.append(f"Koordinaten in {int(ok.sum())} Zeile(n) sind ETRS89/UTM Zone 32 "
                     "(EPSG:25832) und wurden nach EPSG:25833 umgerechnet.")


def resolve_columns(raw: RawTable, profile: Profile, file_name: str) -> dict:
    """Field -> column(s) the file has: format defaults, overridden by the profile.

    Missing required or id columns are a file-level error; other missing columns are left
    out (see ``missing_optional``).
    """
    columns = {**raw.implied, **profile.columns}
    if profile.id_column:
        columns["id"] = profile.id_column
    present = set(raw.columns)

    def has(col) -> bool:
        return all(c in present for c in (col if isinstance(col, tuple) else (col,)))

    if "id" in columns and not has(columns["id"]):
        raise FileError(
            f"{file_name}: Die Spalte „{columns['id']}“ für die Vorgangsnummer fehlt. "
            f"Vorhandene Spalten: {', '.join(raw.columns) or 'keine'}. Eine andere Spalte "
            "als Vorgangsnummer wählen oder keine: dann wird die Kennung aus dem Inhalt "
            "jeder Zeile gebildet.")
    missing = [f for f in REQUIRED if f not in columns or not has(columns[f])]
    if missing:
        wanted = " und ".join(REQUIRED_LABELS[f] + (
            f" (erwartet: „{' + '.join(_names(columns[f]))}“)" if f in columns else "")
            for f in dict.fromkeys(missing))
        raise FileError(
            f"{file_name}: Keine Spalte für {wanted} gefunden. Vorhandene Spalten: "
            f"{', '.join(raw.columns) or 'keine'}. Bitte beim Import die passende Spalte "
            "zuordnen.")
    return {f: c for f, c in columns.items() if has(c)}


def _names(col) -> tuple[str, ...]:
    return col if isinstance(col, tuple) else (col,)


def missing_optional(raw: RawTable, profile: Profile) -> list[str]:
    """Notes on profile columns the file lacks (their fields stay empty)."""
    present = set(raw.columns)
    return [
        f"Spalte „{c}“ ({f}) aus dem Profil fehlt in der Datei; das Feld bleibt leer."
        for f, c in profile.columns.items()
        if f not in REQUIRED
        and not all(x in present for x in (c if isinstance(c, tuple) else (c,)))
    ]


def _dates(text: pd.Series, problems: _Problems, column: str) -> pd.Series:
    """The dates of a column; unreadable ones and those outside 1900-2100 are rejected (NaT),
    each message quoting the cell as written."""
    parsed, bad, outside = parse_datetimes(text)
    problems.add(bad, column, _quoted(text, "{} ist kein gültiges Datum."))
    problems.add(outside, column, _quoted(
        text, f"{{}} liegt nicht zwischen {FIRST_YEAR} und {LAST_YEAR} (Tippfehler?)."))
    return parsed


def _check_range(times: pd.Series, problems: _Problems, column: str, text: pd.Series) -> None:
    """Future dates and dates before ``MIN_YEAR``, quoted as ``text`` writes them."""
    now = pd.Timestamp.now(tz=TIMEZONE)
    first = pd.Timestamp(year=MIN_YEAR, month=1, day=1, tz=TIMEZONE)
    problems.add((times > now + timedelta(days=1)).to_numpy(bool), column,
                 _quoted(text, "{} liegt in der Zukunft."))
    problems.add((times < first).to_numpy(bool), column,
                 _quoted(text, f"{{}} liegt vor {MIN_YEAR} (Tippfehler?)."))


def _content_hash(out: dict) -> pd.Series:
    """32 hex digits per row over everything the report says (not where it came from).

    Two keyed 64-bit hashes of pandas' vectorised ``hash_pandas_object``: deterministic
    across runs and machines, and a million rows hash in well under a second.
    """
    def epoch(times: pd.Series) -> np.ndarray:
        return np.where(times.isna(), -1, times.dt.tz_convert("UTC").astype("int64") // 10**9)

    def text(values: pd.Series) -> pd.Series:
        return values.astype("str").fillna("")

    parts = pd.DataFrame({
        "occurred_at": epoch(out["occurred_at"]),
        "reported_at": epoch(out["reported_at"]),
        "category": text(out["category"]),
        "address": text(out["address"]),
        **{k: _rounded(out[k]) for k in ("lon", "lat", "x", "y")},
        "count": out["count"],
        "description": text(out["description"]),
        "sensitivity": text(out["sensitivity"]),
    })
    halves = [pd.util.hash_pandas_object(parts, index=False, hash_key=key).to_numpy()
              for key in ("lagebild-osten-1", "lagebild-osten-2")]
    raw = np.column_stack(halves).astype(">u8").tobytes().hex().encode()
    return pd.Series(np.frombuffer(raw, dtype="S32").astype("U32"), index=out["category"].index,
                     dtype="string")


def _rounded(values: np.ndarray) -> np.ndarray:
    """Coordinates to 7 decimals for hashing; huge values (rejected rows) do not warn."""
    with np.errstate(all="ignore"):
        return np.round(np.nan_to_num(values, nan=-1e9), 7)


def _map_distinct(values: pd.Series, func) -> pd.Series:
    """``func`` applied once per distinct value (exports repeat few values a million times)."""
    codes, uniques = pd.factorize(values)
    mapped = pd.array([func(u) for u in uniques], dtype="string")
    return pd.Series(mapped.take(codes, allow_fill=True), index=values.index)


def _reject_conflicting_ids(frame: pd.DataFrame, problems: _Problems, column: str,
                            numbers: np.ndarray, label: str) -> None:
    valid = ~problems.any
    ids = frame["id"].where(valid)
    repeated = ids.duplicated(keep="first").to_numpy() & valid
    if not repeated.any():
        return
    first = pd.Series(numbers, index=frame.index).where(valid).groupby(ids).transform("first")
    first_hash = frame["content_hash"].where(valid).groupby(ids).transform("first")
    conflict = repeated & frame["content_hash"].ne(first_hash).to_numpy(bool, na_value=False)
    refs = frame["source_ref"].astype("str")

    def texts(where):
        return [f"Kennung „{refs.iloc[i][:80]}“ steht schon in {label} {int(first.iloc[i])}, "
                "dort mit anderem Inhalt." for i in where]

    problems.add(conflict, column, texts)


def _rejects(raw: RawTable, problems: _Problems, file_name: str) -> pd.DataFrame:
    if not problems.parts:
        return pd.DataFrame(columns=REJECT_COLUMNS)
    where = np.concatenate([p[0] for p in problems.parts])
    fields = np.concatenate([np.full(len(p[0]), p[1], dtype=object) for p in problems.parts])
    texts = np.concatenate([p[2] for p in problems.parts])
    parts = pd.DataFrame({"pos": where, "field": fields, "text": texts})
    parts["part"] = "Feld „" + parts["field"].fillna("?").astype(str) + "“: " + parts["text"]
    grouped = parts.groupby("pos", sort=True).agg(field=("field", "first"), part=("part", " ".join))
    pos = grouped.index.to_numpy()
    numbers = raw.row_numbers[pos]
    records = raw.rows.iloc[pos].to_dict("records")
    return pd.DataFrame({
        "row_number": numbers.astype("int64"),
        "field": grouped["field"].to_numpy(),
        "message": [f"{file_name}, {raw.row_label} {n}, {p}"
                    for n, p in zip(numbers, grouped["part"], strict=True)],
        "raw": [json.dumps(r, ensure_ascii=False) for r in records],
    })


def _reader_errors(raw: RawTable) -> pd.DataFrame:
    errors = raw.errors.copy()
    errors["raw"] = errors.get("raw", "{}")
    return errors[REJECT_COLUMNS]


def dedupe(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop rows whose id already occurred earlier in the same file (identical repeats)."""
    repeated = frame["id"].duplicated(keep="first").to_numpy()
    if not repeated.any():
        return frame, 0  # the usual case: no copy of a million-row frame
    return frame.loc[~repeated], int(repeated.sum())
