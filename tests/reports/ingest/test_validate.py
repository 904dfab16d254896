"""Validation: German per-row messages, dates, numbers, identity, mapping; property tests."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.ingest.importers import FileError, read_file
from reports.ingest.profiles import (
    ProfileError,
    load_profile,
    profile_from_dict,
)
from reports.ingest.validate import parse_datetimes, parse_numbers, to_reports
from reports.model import stable_id

PROFILE_TOML = """
source = "polizei"
format = "csv"
id_column = "Vorgangsnummer"
[columns]
occurred_at = "Tatzeit"
category = "Delikt"
address = "Tatort"
count = "Anzahl"
x = "Rechtswert"
y = "Hochwert"
[categories]
"BtM-Handel" = "drogenhandel"
"Körperverletzung" = "gewaltdelikt"
[defaults]
sensitivity = "members"
[sensitivity]
gewaltdelikt = "restricted"
"""
HEADER = "Vorgangsnummer;Tatzeit;Delikt;Tatort;Anzahl;Rechtswert;Hochwert\n"


@pytest.fixture
def profile(tmp_path):
    (tmp_path / "polizei.toml").write_text(PROFILE_TOML, encoding="utf-8")
    return load_profile("polizei", tmp_path)


def run(text: str, profile, name="polizei_2026-11.csv"):
    return to_reports(read_file(text.encode("cp1252"), name), profile, name, "batch")


def test_message_names_file_row_and_field(profile):
    frame, rejects = run(HEADER + "A1;24.11.2026;BtM-Handel;Rabet;;;\n"
                         + "A2;32.13.2026;BtM-Handel;Rabet;;;\n", profile)
    assert len(frame) == 1
    assert rejects["message"].tolist() == [
        "polizei_2026-11.csv, Zeile 3, Feld „Tatzeit“: „32.13.2026“ ist kein gültiges Datum."]
    assert rejects["row_number"].tolist() == [3]
    assert rejects["field"].tolist() == ["Tatzeit"]
    assert '"Vorgangsnummer": "A2"' in rejects["raw"][0]


def test_all_problems_of_a_row_in_one_message(profile):
    _, rejects = run(HEADER + "A1;;Quatsch;Rabet;0;abc;5690000\n", profile)
    message = rejects["message"][0]
    assert len(rejects) == 1
    for part in ("Feld „Tatzeit“: Angabe fehlt.", "„Quatsch“ ist keine bekannte Kategorie",
                 "„0“ ist keine gültige Anzahl", "Feld „Rechtswert“: „abc“ ist keine Zahl."):
        assert part in message


def test_missing_place_is_kept_unresolved_not_rejected(profile):
    frame, rejects = run(HEADER + "A1;24.11.2026 18:30;BtM-Handel;;;;\n", profile)
    assert rejects.empty
    assert frame["address"].isna().all() and frame["x"].isna().all()


def test_half_a_coordinate_pair_is_rejected(profile):
    _, rejects = run(HEADER + "A1;24.11.2026;BtM-Handel;;;318000,5;\n", profile)
    assert "Feld „Hochwert“: Angabe fehlt, obwohl „Rechtswert“ angegeben ist." in \
        rejects["message"][0]


def test_values_are_parsed(profile):
    frame, _ = run(HEADER + "A1;24.11.2026 18:30;btm-handel;Eisenbahnstraße 1;12;"
                   "318000,5;5690000,25\n", profile)
    row = frame.iloc[0]
    assert row["category"] == "drogenhandel" and row["topic"] == "ordnung"
    assert row["count"] == 12
    assert (row["x"], row["y"]) == (318000.5, 5690000.25)
    assert row["sensitivity"] == "members"
    assert row["id"] == stable_id("polizei", "A1")
    assert frame.index.tolist() == [2]


def test_vocabulary_labels_and_sensitivity_rules(profile):
    frame, _ = run(HEADER + "A1;24.11.2026;Körperverletzung;;;;\nA2;24.11.2026;Konsumort;;;;\n"
                   "A3;24.11.2026;Graffiti;;;;\n", profile)
    assert frame["category"].tolist() == ["gewaltdelikt", "konsumort", "graffiti"]
    assert frame["sensitivity"].tolist() == ["restricted", "restricted", "members"]


def test_count_must_be_a_positive_integer(profile):
    frame, rejects = run(HEADER + "".join(
        f"A{i};24.11.2026;BtM-Handel;;{c};;\n" for i, c in enumerate(["", "3", "2,0", "1,5",
                                                                     "-1", "x"])), profile)
    assert frame["count"].tolist() == [1, 3, 2]
    assert rejects["row_number"].tolist() == [5, 6, 7]


def test_repeated_id_with_other_content_is_rejected_identical_kept(profile):
    frame, rejects = run(HEADER + "A1;24.11.2026;BtM-Handel;;;;\nA1;24.11.2026;BtM-Handel;;;;\n"
                         "A1;25.11.2026;BtM-Handel;;;;\n", profile)
    assert frame.index.tolist() == [2, 3]
    assert rejects["message"].tolist() == [
        "polizei_2026-11.csv, Zeile 4, Feld „Vorgangsnummer“: Kennung „A1“ steht schon in "
        "Zeile 2, dort mit anderem Inhalt."]


def test_without_id_column_identity_is_the_content(profile):
    text = "Tatzeit;Delikt;Tatort\n24.11.2026;BtM-Handel;Rabet\n25.11.2026;BtM-Handel;Rabet\n"
    plain = profile_from_dict({"source": "polizei", "columns": {
        "occurred_at": "Tatzeit", "category": "Delikt", "address": "Tatort"},
        "categories": {"BtM-Handel": "drogenhandel"}})
    first, _ = run(text, plain)
    again, _ = run(text.replace(";", ","), plain)  # another layout, same records
    assert first["id"].tolist() == again["id"].tolist()
    assert first["id"].nunique() == 2
    assert first["source_ref"].str.startswith("inhalt:").all()


def test_dates_all_formats_and_daylight_saving():
    values = pd.Series(["24.11.2026", "24.11.2026 18:30", "24.11.26", "1.2.2026 8:05:07",
                        "24.11.2026, 18.30 Uhr", "2026-11-24T18:30:00+01:00", "2026-11-24T17:30Z",
                        "2026-11-24 18:30", "46350.75", "46350,75",
                        "26.10.2025 02:30",   # ambiguous: first (summer time)
                        "29.03.2026 02:30",   # does not exist: moved to 03:00
                        "", "32.13.2026", "heute", "2026-13-01"])
    parsed, bad, outside = parse_datetimes(values)
    assert not outside.any()
    shown = [None if pd.isna(t) else t.isoformat() for t in parsed]
    assert shown == [
        "2026-11-24T00:00:00+01:00", "2026-11-24T18:30:00+01:00", "2026-11-24T00:00:00+01:00",
        "2026-02-01T08:05:07+01:00", "2026-11-24T18:30:00+01:00", "2026-11-24T18:30:00+01:00",
        "2026-11-24T18:30:00+01:00", "2026-11-24T18:30:00+01:00", "2026-11-24T18:00:00+01:00",
        "2026-11-24T18:00:00+01:00", "2025-10-26T02:30:00+02:00", "2026-03-29T03:00:00+02:00",
        None, None, None, None]
    assert bad.tolist() == [False] * 13 + [True] * 3
    assert str(parsed.dtype) == "datetime64[ns, Europe/Berlin]"


def test_numbers_decimal_comma():
    numbers, bad = parse_numbers(pd.Series(["51,3421", "1.234,5", "12.5", " 7 ", "", "x"]))
    assert numbers[:4].tolist() == [51.3421, 1234.5, 12.5, 7.0]
    assert bad.tolist() == [False] * 5 + [True]


def test_future_and_ancient_dates_rejected(profile):
    _, rejects = run(HEADER + "A1;24.11.2099;BtM-Handel;;;;\nA2;24.11.1999;BtM-Handel;;;;\n",
                     profile)
    assert "„24.11.2099“ liegt in der Zukunft." in rejects["message"][0]
    assert "liegt vor 2000" in rejects["message"][1]


def test_far_dates_are_rejected_quoted_as_written_never_wrapped(profile):
    """Years a nanosecond timestamp cannot hold (or only just) were stored as wrong dates
    ("15.06.2600 10:00" as 2015-11-25) or quoted wrongly ("31.12.9999" as „29.03.1816“)."""
    cells = ["15.06.2600 10:00", "31.12.9999", "2600-06-15T10:00:00+01:00", "0001-01-01",
             "01.01.1650 10:00", "99999", "01.01.2101", "24.11.1850"]
    text = HEADER + "".join(f"A{i};{c};BtM-Handel;Rabet;;;\n" for i, c in enumerate(cells))
    frame, rejects = run(text, profile)
    assert frame.empty and len(rejects) == len(cells)
    for row, cell in enumerate(cells, start=2):
        assert rejects["message"][row - 2] == (
            f"polizei_2026-11.csv, Zeile {row}, Feld „Tatzeit“: „{cell}“ liegt nicht zwischen "
            "1900 und 2100 (Tippfehler?).")
    parsed, bad, outside = parse_datetimes(pd.Series([*cells, "31.12.2100 23:59"]))
    assert outside.tolist() == [True] * len(cells) + [False] and not bad.any()
    assert parsed.iloc[-1].isoformat() == "2100-12-31T23:59:00+01:00"


def test_range_messages_quote_the_cell_not_a_reformatted_date(profile):
    _, rejects = run(HEADER + "A1;2099-11-24 18:30;BtM-Handel;;;;\nA2;3.2.99;BtM-Handel;;;;\n",
                     profile)
    assert rejects["message"].str.split(": ", n=1).str[1].tolist() == [
        "„2099-11-24 18:30“ liegt in der Zukunft.", "„3.2.99“ liegt vor 2000 (Tippfehler?)."]


def test_a_far_date_beside_a_time_column_is_rejected_on_the_date():
    split = profile_from_dict({"source": "polizei", "columns": {
        "occurred_at": ["Datum", "Uhrzeit"], "category": "Art"}})
    text = "Datum;Uhrzeit;Art\n15.06.2600;10:00;Drogenhandel\n24.11.2026;18:30;Drogenhandel\n"
    frame, rejects = to_reports(read_file(text.encode(), "x.csv"), split, "x.csv", "b")
    assert len(frame) == 1 and frame["occurred_at"].iloc[0].year == 2026
    assert rejects["message"].tolist() == [
        "x.csv, Zeile 2, Feld „Datum“: „15.06.2600“ liegt nicht zwischen 1900 und 2100 "
        "(Tippfehler?)."]


def test_missing_required_column_is_a_file_error(profile):
    with pytest.raises(FileError,
                       match="Keine Spalte für das Datum \\(erwartet: „Tatzeit“\\) gefunden"):
        run("Vorgangsnummer;Delikt\nA1;BtM-Handel\n", profile)


def test_choices_override_and_split_date_time(profile):
    text = "Nr;Datum;Uhrzeit;Art\nA1;24.11.2026;18:30;Drogenhandel\n"
    chosen = profile.with_choices({"id": "Nr", "category": "Art", "occurred_at": "Datum",
                                   "occurred_time": "Uhrzeit"})
    split = profile_from_dict({"source": "polizei", "columns": {
        "occurred_at": ["Datum", "Uhrzeit"], "category": "Art"}})
    assert chosen.columns["occurred_at"] == ("Datum", "Uhrzeit")
    for prof in (chosen, split):
        frame, rejects = run(text, prof)
        assert rejects.empty
        assert frame["occurred_at"].iloc[0].isoformat() == "2026-11-24T18:30:00+01:00"
    with pytest.raises(ProfileError, match="Unbekannte Felder"):
        profile.with_choices({"wann": "Datum"})
    assert chosen.choices() == {"id": "Nr", "category": "Art", "occurred_at": "Datum",
                                "occurred_time": "Uhrzeit"}


def test_profile_errors_are_german(tmp_path):
    (tmp_path / "polizei.toml").write_text('source = "polizei"\n[categories]\nX = "gibtsnicht"\n')
    with pytest.raises(ProfileError, match="unbekannte Kategorie „gibtsnicht“"):
        load_profile("polizei", tmp_path)
    with pytest.raises(ProfileError, match="Kein Zuordnungsprofil"):
        load_profile("niemand", tmp_path)


# -- properties -------------------------------------------------------------------------------

ANY = profile_from_dict({"source": "polizei", "columns": {
    "occurred_at": "Tatzeit", "category": "Delikt", "count": "Anzahl", "x": "Rechtswert",
    "y": "Hochwert"}, "categories": {"BtM-Handel": "drogenhandel"}})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_rows_or_a_file_error(data):
    try:
        raw = read_file(b"Tatzeit;Delikt;Anzahl;Rechtswert;Hochwert\n" + data, "x.csv")
    except FileError as exc:
        assert "x.csv" in str(exc)
        return
    frame, rejects = to_reports(raw, ANY, "x.csv", "b")
    assert len(frame) + len(rejects) == raw.total
    assert rejects["row_number"].is_unique


CELL = st.one_of(st.sampled_from(["24.11.2026 18:30", "46350.75", "2026-11-24T18:30:00Z",
                                  "BtM-Handel", "graffiti", "3", "0", "-1", "318000,5", "",
                                  "32.13.2026", '"', ";", "\n"]),
                 st.text(max_size=12))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=1, max_size=7), max_size=12),
       st.sampled_from([";", ",", "\t"]), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_rows_in_equal_rows_accounted(rows, sep, encoding):
    lines = ["Tatzeit;Delikt;Anzahl;Rechtswert;Hochwert".replace(";", sep)]
    lines += [sep.join(cells) for cells in rows]
    data = "\n".join(lines).encode(encoding, errors="replace")
    try:
        raw = read_file(data, "x.csv")
        frame, rejects = to_reports(raw, ANY, "x.csv", "b")
    except FileError:
        return
    assert len(frame) + len(rejects) == raw.total
    assert set(frame.index).isdisjoint(rejects["row_number"])
    assert frame["occurred_at"].notna().all() and frame["category"].notna().all()
    assert (frame["count"] >= 1).all()


def test_identity_is_pinned_across_runs_and_machines():
    """Re-importing old files must keep finding duplicates after upgrades: if this changes,
    every stored report would count as "updated" once."""
    plain = profile_from_dict({"source": "polizei", "columns": {
        "occurred_at": "T", "category": "D", "address": "A"}})
    frame, _ = to_reports(read_file(b"T;D;A\n24.11.2025;Graffiti;Rabet\n", "x.csv"),
                          plain, "x.csv", "b")
    assert (frame["id"].iloc[0], frame["content_hash"].iloc[0]) == (
        "1f6b7fbbe3b9cea2", "f05c6e084d0c19f3eeeac922f9a2a191")
