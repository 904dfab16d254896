"""The public concern form (including abuse) and the moderation flow, on real stores."""

from __future__ import annotations

import hashlib
import time
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from reports.coordination import concerns
from reports.coordination.concerns import ConcernError, ConcernForm, Puzzle, Sender
from reports.coordination.meetings import Meeting, add_meeting
from reports.privacy.safe import escape_html, escape_markdown
from reports.storage.audit import list_audit
from reports.storage.schema import concerns as concerns_table
from tests.helpers import shipped_geocoder

RABET = (12.3995, 51.3430)  # lon, lat inside the district
TEXT = "Seit Tagen liegen Spritzen am Spielplatz im Rabet."


def form(**changes) -> ConcernForm:
    values = {"topic": "soziales", "description": TEXT, "lon": RABET[0], "lat": RABET[1]}
    values.update(changes)
    return ConcernForm(**values)


def solved(now: float, bits: int = 6) -> tuple[Puzzle, str]:
    """A puzzle issued a minute before ``now`` (small, so tests stay fast) and its nonce."""
    puzzle = Puzzle(f"seed{now}", now - 60, bits)
    return puzzle, concerns.solve(puzzle)


def send(store, session="s1", ip="192.0.2.1", now=None, **changes) -> int:
    now = time.time() if now is None else now
    puzzle, nonce = solved(now)
    return concerns.submit(store, form(**changes), Sender(session, ip), puzzle, nonce,
                           geocoder=shipped_geocoder(), now=now).id


def stored(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(concerns_table)).scalar_one()


def test_the_puzzle_is_checked_with_one_hash_and_needs_its_leading_zero_bits():
    puzzle = Puzzle.new(bits=12)
    assert puzzle.bits == 12 and len(puzzle.seed) == 32
    nonce = concerns.solve(puzzle)
    digest = hashlib.sha256(f"{puzzle.seed}:{nonce}".encode()).digest()
    assert digest[0] == 0 and digest[1] >> 4 == 0
    assert puzzle.solved_by(nonce) and not puzzle.solved_by("") and not puzzle.solved_by("x")
    assert not Puzzle(puzzle.seed, 0, 24).solved_by(nonce) or nonce == "0"  # more bits: no
    assert Puzzle.new().bits == concerns.PUZZLE_BITS >= 16  # the page's puzzle costs work


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


def test_a_scripted_sender_without_the_puzzle_or_too_fast_is_refused(store):
    """What a bot reading the form sees has no answer to copy: without the solved puzzle,
    with a nonce of another puzzle, or sent seconds after the form appeared, it fails."""
    now = 1_800_000_000
    puzzle, nonce = solved(now)
    sender = Sender("bot", "198.51.100.7")
    geo = shipped_geocoder()
    with pytest.raises(ConcernError, match="noch nicht fertig"):
        concerns.submit(store, form(), sender, puzzle, "", geocoder=geo, now=now)
    for guess in ("7", "12", "1" * 40):  # e.g. an arithmetic answer read from a label
        with pytest.raises(ConcernError, match="Sicherheitsprüfung ist fehlgeschlagen"):
            concerns.submit(store, form(), sender, puzzle, guess, geocoder=geo, now=now)
    _, other_nonce = solved(now + 1)
    if not puzzle.solved_by(other_nonce):
        with pytest.raises(ConcernError, match="fehlgeschlagen"):
            concerns.submit(store, form(), sender, puzzle, other_nonce, geocoder=geo, now=now)
    fresh = Puzzle(puzzle.seed, now - 1, puzzle.bits)
    with pytest.raises(ConcernError, match="sehr schnell"):
        concerns.submit(store, form(), sender, fresh, nonce, geocoder=geo, now=now)
    stale = Puzzle(puzzle.seed, now - concerns.PUZZLE_LIFETIME - 1, puzzle.bits)
    with pytest.raises(ConcernError, match="zu lange offen"):
        concerns.submit(store, form(), sender, stale, nonce, geocoder=geo, now=now)
    assert stored(store) == 0
    assert concerns.submit(store, form(), sender, puzzle, nonce, geocoder=geo, now=now).id


def test_rate_limit_per_session_and_hour(store):
    now = 1_800_000_000
    for i in range(concerns.PER_SESSION_PER_HOUR):
        send(store, now=now + i, description=f"{TEXT} ({i})")
    with pytest.raises(ConcernError, match="in der letzten Stunde schon mehrere"):
        send(store, now=now + 10, description=f"{TEXT} (neu)")
    assert stored(store) == concerns.PER_SESSION_PER_HOUR
    send(store, session="other", now=now + 11)  # another session is not blocked
    send(store, now=now + 3601)  # an hour later the session may send again


def test_many_sessions_from_one_address_cannot_block_a_different_sender(store):
    """Issue 22: a bot opening 20 sessions from one host fills only its address's quota;
    a resident from another address still gets through."""
    now = 1_800_000_000
    filed = 0
    for i in range(20):
        try:
            send(store, session=f"bot{i}", ip="203.0.113.9", now=now + i,
                 description=f"{TEXT} (Bot {i})")
            filed += 1
        except ConcernError as exc:
            assert "Von Ihrem Anschluss" in str(exc)
    assert filed == concerns.PER_SENDER_PER_HOUR
    assert send(store, session="resident", ip="192.0.2.55", now=now + 30)
    with store.engine.connect() as conn:
        senders = conn.execute(select(concerns_table.c.sender)).scalars().all()
    assert "203.0.113.9" not in senders and len(set(senders)) == 2  # a keyed hash is kept


def test_the_global_quota_keeps_room_for_new_senders(store, monkeypatch):
    monkeypatch.setattr(concerns, "ALL_PER_HOUR", 4)
    monkeypatch.setattr(concerns, "CEILING_PER_HOUR", 6)
    now = 1_800_000_000
    for i in range(4):  # many addresses (a botnet, or a busy evening) reach the total
        send(store, session=f"s{i}", ip=f"198.51.100.{i}", now=now + i)
    with pytest.raises(ConcernError, match="sehr viele Anliegen"):
        send(store, session="s0b", ip="198.51.100.0", now=now + 5)  # sent this hour
    send(store, session="new1", ip="192.0.2.10", now=now + 6)  # first of its address
    send(store, session="new2", ip="192.0.2.11", now=now + 7)
    with pytest.raises(ConcernError, match="sehr viele Anliegen"):  # the hard ceiling
        send(store, session="new3", ip="192.0.2.12", now=now + 8)
    assert stored(store) == 6


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
    # Spritzenfund is filed under Soziales too: the resident's topic stays
    assert report["topic"] == "soziales" and report["description"] == TEXT
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


def test_a_category_outside_the_residents_topic_takes_its_main_topic(store):
    report_id = concerns.accept(store, send(store), "graffiti", "redakteurin")
    assert store.load_reports().set_index("id").loc[report_id, "topic"] == "umwelt"


def submit_receipt(store, now: float, **changes) -> concerns.Receipt:
    puzzle, nonce = solved(now)
    return concerns.submit(store, form(**changes), Sender("s1", "192.0.2.1"), puzzle, nonce,
                           geocoder=shipped_geocoder(), now=now)


def steps(status) -> list[tuple[str, bool]]:
    return [(s.label, s.done) for s in status.steps]


def test_a_status_link_follows_the_concern_from_receipt_to_discussion(store):
    now = pd.Timestamp("2026-11-20 10:00", tz="Europe/Berlin").timestamp()
    receipt = submit_receipt(store, now, contact="mail@example.org")
    assert len(receipt.token) >= 24
    with store.engine.connect() as conn:  # only the token's hash is stored
        kept = conn.execute(select(concerns_table.c.status_token)).scalar_one()
    assert kept == hashlib.sha256(receipt.token.encode()).hexdigest() != receipt.token
    today = date(2026, 11, 25)
    status = concerns.status_for(store, receipt.token, today)
    assert status.id == receipt.id and status.topic == "Soziales"
    assert steps(status) == [("Eingegangen", True), ("In Prüfung durch die Redaktion", False),
                             ("Auf der Tagesordnung", False), ("Besprochen", False)]
    assert "mail@example.org" not in repr(status)  # the contact stays with Redaktion
    assert concerns.status_for(store, receipt.token[:-1], today) is None
    assert concerns.status_for(store, "", today) is None

    meeting = add_meeting(store, Meeting(date(2026, 12, 10), "Plenum"), "redakteurin")
    concerns.accept(store, receipt.id, "spritzenfund", "redakteurin")
    status = concerns.status_for(store, receipt.token, today)
    assert steps(status)[1:3] == [("In Prüfung durch die Redaktion", True),
                                  ("Auf der Tagesordnung am 10.12.2026", True)]
    assert not status.steps[3].done
    concerns.answer(store, receipt.id, "Die Stadtreinigung räumt den Platz am Freitag.",
                    "redakteurin")
    status = concerns.status_for(store, receipt.token, today)
    assert status.answer == "Die Stadtreinigung räumt den Platz am Freitag."
    assert not status.steps[3].done
    assert concerns.status_for(store, receipt.token, date(2026, 12, 11)).steps[3].done
    concerns.answer(store, receipt.id, "Besprochen: Reinigung zweimal die Woche.",
                    "redakteurin", discussed=True)
    assert concerns.status_for(store, receipt.token, today).steps[3].done
    assert len(list_audit(store, action="concern_answer")) == 2
    assert meeting


def test_a_rejected_concern_says_so_and_shows_the_answer(store):
    receipt = submit_receipt(store, 1_800_000_000)
    concerns.reject(store, receipt.id, "intern: kein Bezug", "redakteurin")
    concerns.answer(store, receipt.id, "Das betrifft nicht den Leipziger Osten.", "redakteurin")
    status = concerns.status_for(store, receipt.token, date(2027, 2, 1))
    assert "nicht in die Auswertung übernommen" in status.closed
    assert len(status.steps) == 2 and status.steps[1].done
    assert "intern" not in repr(status)  # the internal reason is not shown


def test_an_answer_is_length_limited(store):
    new_id = send(store)
    with pytest.raises(ConcernError, match="Feld „Antwort“: höchstens 2000"):
        concerns.answer(store, new_id, "x" * 2001, "redakteurin")


def test_the_nearest_address_names_a_clicked_point():
    assert concerns.nearest_address(*RABET)  # a street and a number of the register
    name = concerns.nearest_address(12.4060, 51.3451)
    assert name.startswith("Hermann-Liebmann-Straße ")
    assert concerns.nearest_address(12.0, 51.0) == ""  # far from any address
