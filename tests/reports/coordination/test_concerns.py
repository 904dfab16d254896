"""The public concern form (including abuse) and the moderation flow, on real stores."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import func, select

from reports.coordination import concerns
from reports.coordination.concerns import Challenge, ConcernError, ConcernForm
from reports.privacy.safe import escape_html, escape_markdown
from reports.storage.audit import list_audit
from reports.storage.schema import concerns as concerns_table
from tests.helpers import shipped_geography

RABET = (12.3995, 51.3430)  # lon, lat inside the district
CHALLENGE = Challenge("Wie viel ist 3 plus 4?", 7)
TEXT = "Seit Tagen liegen Spritzen am Spielplatz im Rabet."


def form(**changes) -> ConcernForm:
    values = {"topic": "soziales", "description": TEXT, "lon": RABET[0], "lat": RABET[1]}
    values.update(changes)
    return ConcernForm(**values)


def send(store, session="s1", answer="7", now=None, **changes) -> int:
    return concerns.submit(store, form(**changes), session, CHALLENGE, answer,
                           geocoder=shipped_geography().geocoder, now=now)


def stored(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(concerns_table)).scalar_one()


def test_challenge_asks_a_sum_and_checks_it():
    c = Challenge.new(random.Random(1))
    a, b = (int(w) for w in c.question.rstrip("?").split()[-3::2])
    assert c.answer == a + b
    assert c.accepts(f" {a + b} ") and not c.accepts(str(a + b + 1)) and not c.accepts("")


def test_a_concern_with_a_point_is_queued_with_its_place(store):
    version = store.data_version()
    new_id = send(store, contact="mail@example.org")
    queue = concerns.list_concerns(store, status="new")
    assert list(queue["id"]) == [new_id]
    row = queue.iloc[0]
    assert row["ortsteil"] == "Neustadt-Neuschönefeld" and row["geocode_status"] == "manual"
    assert "contact" not in queue and "session_key" not in queue  # only Redaktion sees it
    assert concerns.list_concerns(store, with_contact=True).iloc[0]["contact"] == \
        "mail@example.org"
    assert store.data_version() != version
    assert list(list_audit(store, action="concern_submit")["actor"]) == ["öffentlich"]


def test_a_concern_with_an_address_is_geocoded(store):
    new_id = send(store, lon=None, lat=None, address="Eisenbahnstraße 50")
    row = concerns.list_concerns(store).set_index("id").loc[new_id]
    assert row["geocode_status"] == "exact" and row["ortsteil"] == "Neustadt-Neuschönefeld"


@pytest.mark.parametrize("changes, message", [
    ({"lon": None, "lat": None}, "Bitte einen Ort auf der Karte wählen oder eine Adresse"),
    ({"lon": None, "lat": None, "address": "Nirgendwostraße 1"}, "wurde nicht gefunden"),
    ({"lon": 13.4, "lat": 52.5}, "außerhalb des Leipziger Ostens"),
    ({"lon": float("nan"), "lat": 51.3}, "Feld „Ort“"),
    ({"honeypot": "http://spam.example"}, "konnte nicht angenommen werden"),
    ({"description": "x" * (concerns.MAX_DESCRIPTION + 1)}, "höchstens 2000 Zeichen"),
    ({"description": "kurz"}, "mindestens 10 Zeichen"),
    ({"address": "a" * 201}, "Feld „Adresse“: höchstens 200 Zeichen"),
    ({"contact": "c" * 201}, "Feld „Kontakt“: höchstens 200 Zeichen"),
    ({"topic": "unbekannt"}, "Feld „Thema“"),
])
def test_bad_input_is_refused_in_german_and_nothing_is_saved(store, changes, message):
    with pytest.raises(ConcernError, match=message):
        send(store, **changes)
    assert stored(store) == 0


def test_a_wrong_challenge_answer_is_refused(store):
    with pytest.raises(ConcernError, match="Sicherheitsfrage"):
        send(store, answer="8")
    with pytest.raises(ConcernError, match="Sicherheitsfrage"):
        send(store, answer="")
    assert stored(store) == 0


def test_rate_limit_per_session_and_hour(store):
    now = 1_800_000_000
    for i in range(concerns.PER_SESSION_PER_HOUR):
        send(store, now=now + i, description=f"{TEXT} ({i})")
    with pytest.raises(ConcernError, match="in der letzten Stunde schon mehrere"):
        send(store, now=now + 10, description=f"{TEXT} (neu)")
    assert stored(store) == concerns.PER_SESSION_PER_HOUR
    send(store, session="other", now=now + 11)  # another session is not blocked
    send(store, now=now + 3601)  # an hour later the session may send again


def test_global_rate_limit_stops_a_flood_from_many_sessions(store, monkeypatch):
    monkeypatch.setattr(concerns, "ALL_PER_HOUR", 4)
    now = 1_800_000_000
    for i in range(4):
        send(store, session=f"bot{i}", now=now + i)
    with pytest.raises(ConcernError, match="sehr viele Anliegen"):
        send(store, session="fresh", now=now + 5)
    assert stored(store) == 4


def test_markup_is_stored_verbatim_and_escaped_when_shown(store):
    attack = '<script>alert("x")</script> <img src=x onerror=alert(1)> [link](http://evil)'
    new_id = send(store, description=attack)
    row = concerns.list_concerns(store).set_index("id").loc[new_id]
    assert row["description"] == attack
    assert "<script>" not in escape_html(row["description"])
    shown = escape_markdown(row["description"])
    assert "<img" not in shown and "](http" not in shown


def test_accept_creates_exactly_one_report_and_refuses_a_second_time(store):
    new_id = send(store)
    before = store.count_reports()
    report_id = concerns.accept(store, new_id, "spritzenfund", "redakteurin")
    assert store.count_reports() == before + 1
    report = store.load_reports().set_index("id").loc[report_id]
    assert report["source"] == "buerger" and report["category"] == "spritzenfund"
    assert report["topic"] == "umwelt" and report["description"] == TEXT
    assert report["ortsteil"] == "Neustadt-Neuschönefeld"
    row = concerns.list_concerns(store).set_index("id").loc[new_id]
    assert row["status"] == "accepted" and row["report_id"] == report_id
    with pytest.raises(ConcernError, match="schon bearbeitet"):
        concerns.accept(store, new_id, "spritzenfund", "redakteurin")
    with pytest.raises(ConcernError, match="schon bearbeitet"):
        concerns.reject(store, new_id, "doppelt", "redakteurin")
    assert store.count_reports() == before + 1
    assert len(list_audit(store, action="concern_accept")) == 1


def test_accept_needs_a_known_category(store):
    new_id = send(store)
    with pytest.raises(ConcernError, match="Kategorie"):
        concerns.accept(store, new_id, "", "redakteurin")
    assert store.count_reports() == 0
    assert concerns.list_concerns(store).iloc[0]["status"] == "new"


def test_reject_needs_a_reason(store):
    new_id = send(store)
    with pytest.raises(ConcernError, match="Begründung"):
        concerns.reject(store, new_id, "   ", "redakteurin")
    assert concerns.list_concerns(store).iloc[0]["status"] == "new"
    concerns.reject(store, new_id, "kein Bezug zum Leipziger Osten", "redakteurin")
    row = concerns.list_concerns(store).iloc[0]
    assert row["status"] == "rejected" and row["reason"] == "kein Bezug zum Leipziger Osten"
    with pytest.raises(ConcernError, match="abgelehntes"):
        concerns.put_on_agenda(store, new_id, None, "redakteurin")


def test_merge_links_an_existing_report_only(store):
    first, second = send(store), send(store, session="s2")
    report_id = concerns.accept(store, first, "spritzenfund", "redakteurin")
    with pytest.raises(ConcernError, match="gibt es nicht"):
        concerns.merge(store, second, "0000000000000000", "redakteurin")
    concerns.merge(store, second, report_id, "redakteurin")
    row = concerns.list_concerns(store).set_index("id").loc[second]
    assert row["status"] == "merged" and row["report_id"] == report_id
    assert store.count_reports() == 1


def test_put_on_agenda_needs_an_existing_meeting(store):
    new_id = send(store)
    with pytest.raises(ConcernError, match="Sitzung 99"):
        concerns.put_on_agenda(store, new_id, 99, "redakteurin")
    meeting = store.add_meeting(date(2026, 12, 3), "Sitzung")
    concerns.put_on_agenda(store, new_id, meeting, "redakteurin")
    assert concerns.list_concerns(store).iloc[0]["meeting_id"] == meeting


def test_unknown_concern_gives_a_german_message(store):
    with pytest.raises(ConcernError, match="Anliegen 42 gibt es nicht"):
        concerns.accept(store, 42, "spritzenfund", "redakteurin")


def test_parallel_submissions_cannot_slip_past_the_session_limit(store):
    from concurrent.futures import ThreadPoolExecutor

    def attempt(i: int) -> bool:
        try:
            send(store, now=1_800_000_000 + i, description=f"{TEXT} ({i})")
            return True
        except ConcernError:
            return False

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert sum(results) == concerns.PER_SESSION_PER_HOUR
    assert stored(store) == concerns.PER_SESSION_PER_HOUR


def test_a_second_click_does_not_file_the_same_concern_twice(store):
    now = 1_800_000_000
    send(store, now=now)
    with pytest.raises(ConcernError, match="bereits gesendet"):
        send(store, now=now + 2)
    assert stored(store) == 1
    send(store, session="other", now=now + 3)  # the same words from someone else are fine
    assert stored(store) == 2
