"""Sessions: plan, edit, cancel, list; the next meeting; audit; CLI."""

from __future__ import annotations

from datetime import date

import pytest

from reports.coordination.meetings import (
    Meeting,
    MeetingError,
    add_meeting,
    cancel_meeting,
    edit_meeting,
    german_date,
    list_meetings,
    next_meeting,
    normalise_time,
)
from reports.storage.audit import list_audit
from tests.lagebild.test_cli import cli


def test_plan_edit_cancel_and_next_meeting(store):
    assert next_meeting(store, date(2026, 11, 30)) is None
    first = add_meeting(store, Meeting(date(2026, 12, 3), "Plenum", "18.30", "Stadtteilladen",
                                       "Gäste: Ordnungsamt"), "anna")
    second = add_meeting(store, Meeting(date(2027, 1, 14), "Plenum Januar"), "anna")
    nxt = next_meeting(store, date(2026, 11, 30))
    assert (nxt.id, nxt.starts_at, nxt.place, nxt.note) == (first, "18:30", "Stadtteilladen",
                                                             "Gäste: Ordnungsamt")
    assert nxt.label == "Do., 03.12.2026, 18:30 Uhr – Plenum (Stadtteilladen)"

    edit_meeting(store, first, "anna", place="Rathaus Ost", starts_at="19:00")
    assert next_meeting(store, date(2026, 11, 30)).place == "Rathaus Ost"

    cancel_meeting(store, first, "anna", "Krankheit")
    assert next_meeting(store, date(2026, 11, 30)).id == second
    assert [m.id for m in list_meetings(store)] == [second]
    cancelled = next(m for m in list_meetings(store, include_cancelled=True) if m.id == first)
    assert cancelled.status == "cancelled" and "Abgesagt: Krankheit" in cancelled.note
    # cancelled sessions are no "last meeting" for the time presets either
    assert list(store.list_meetings()["id"]) == [second]

    actions = list(list_audit(store)["action"])
    assert actions.count("meeting_add") == 2 and actions.count("meeting_edit") == 2


def test_errors_name_the_field(store):
    add_meeting(store, Meeting(date(2026, 12, 3), "Plenum"), "anna")
    with pytest.raises(MeetingError, match=r"Feld „Datum“: Am 03\.12\.2026"):
        add_meeting(store, Meeting(date(2026, 12, 3), "zweite"), "anna")
    with pytest.raises(MeetingError, match="Feld „Titel“"):
        add_meeting(store, Meeting(date(2026, 12, 4), "  "), "anna")
    with pytest.raises(MeetingError, match="Feld „Uhrzeit“"):
        add_meeting(store, Meeting(date(2026, 12, 4), "x", "25:00"), "anna")
    with pytest.raises(MeetingError, match="Sitzung 99"):
        edit_meeting(store, 99, "anna", title="y")


@pytest.mark.parametrize(("text", "expected"), [("18:30", "18:30"), ("9.05", "09:05"),
                                                ("", ""), ("  7:00 ", "07:00")])
def test_times_are_normalised(text, expected):
    assert normalise_time(text) == expected


def test_german_dates():
    assert german_date(date(2026, 12, 3)) == "03.12.2026"
    assert german_date(date(2026, 12, 3), weekday=True, long=True) == "Do., 3. Dezember 2026"


def test_cli_add_list_edit_cancel(tmp_path):
    run = cli(tmp_path, "meeting", "add", "--date", "03.12.2026", "--title", "Plenum",
              "--time", "18:30", "--place", "Stadtteilladen")
    assert run.returncode == 0, run.stderr
    assert "Do., 03.12.2026, 18:30 Uhr – Plenum (Stadtteilladen)" in run.stdout
    assert cli(tmp_path, "meeting", "edit", "1", "--title", "Plenum Dezember").returncode == 0
    assert "Plenum Dezember" in cli(tmp_path, "meeting", "list").stdout
    assert cli(tmp_path, "meeting", "cancel", "1", "--reason", "Sturm").returncode == 0
    assert "Keine Sitzungen" in cli(tmp_path, "meeting", "list").stdout
    assert "abgesagt" in cli(tmp_path, "meeting", "list", "--all").stdout
    bad = cli(tmp_path, "meeting", "add", "--date", "32.12.2026", "--title", "x")
    assert bad.returncode == 2 and "TT.MM.JJJJ" in bad.stderr
