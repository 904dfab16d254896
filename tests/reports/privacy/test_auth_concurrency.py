"""Log-in under attack: parallel guesses get at most the limit of passwords checked (threads
and processes, SQLite and PostgreSQL), log-ins wait for a long import instead of failing,
per-address limits behind a trusted reverse proxy, and a password typed into the user-name
field is never stored or logged."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time

import pytest
import sqlalchemy as sa

import reports.privacy.auth as auth
import reports.storage.store as store_module
from reports.privacy.access import Role
from reports.privacy.auth import (
    MAX_FAILURES,
    MAX_SOURCE_FAILURES,
    UNKNOWN_NAME,
    LoginLocked,
    add_user,
    authenticate,
    client_address,
)
from reports.storage.audit import list_audit
from reports.storage.schema import login_attempts
from reports.storage.store import Store

PASSWORD = "richtig-geheim-1"
ATTEMPTS = 30


class CountingHasher:
    """The real argon2 hasher, counting the passwords it actually checks."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, []

    def verify(self, hashed, password):
        self.calls.append(1)
        return self.real.verify(hashed, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


def _count_verifications(monkeypatch) -> list[int]:
    counting = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", counting)
    return counting.calls


def _guess(url: str, name: str, source: str | None, start, outcomes) -> None:
    store = Store.open(url)
    try:
        start.wait(30)
        try:
            outcomes.append(authenticate(store, name, "falsch-geraten", source=source))
        except LoginLocked:
            outcomes.append("locked")
    finally:
        store.close()


def test_parallel_guesses_for_one_name_check_at_most_the_limit(store, monkeypatch):
    add_user(store, "anna", PASSWORD, Role.ADMIN)
    checked = _count_verifications(monkeypatch)
    start, outcomes = threading.Barrier(ATTEMPTS), []
    threads = [threading.Thread(target=_guess, args=(store.url, "anna", None, start, outcomes))
               for _ in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(outcomes) == ATTEMPTS
    assert len(checked) <= MAX_FAILURES
    assert outcomes.count(None) == len(checked) and outcomes.count("locked") == ATTEMPTS - len(
        checked)
    with pytest.raises(LoginLocked):  # and the right password is refused now too
        authenticate(store, "anna", PASSWORD)


def _process_guess(url: str, name: str, source: str, start, queue) -> None:
    auth._hasher = CountingHasher(auth._hasher)  # in this child process only
    outcome: list = []
    _guess(url, name, source, start, outcome)
    queue.put((outcome[0], len(auth._hasher.calls)))


def test_parallel_guesses_from_processes_across_names_respect_the_address_limit(store):
    """Processes (like several dashboard workers) guessing different names from one address:
    at most the per-address limit of passwords is checked."""
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    n = MAX_SOURCE_FAILURES + 8
    context = multiprocessing.get_context("fork")
    start, queue = context.Barrier(n), context.Queue()
    procs = [context.Process(target=_process_guess,
                             args=(store.url, f"name{i}", "203.0.113.7", start, queue))
             for i in range(n)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(30)
    checked = sum(calls for _, calls in results)
    assert checked <= MAX_SOURCE_FAILURES
    assert [o for o, _ in results].count("locked") == n - checked


def test_a_log_in_waits_for_a_long_import_instead_of_failing(store, monkeypatch):
    """SQLite's own busy timeout is made far shorter than the import's hold: the log-in
    queues for the write lock and then succeeds; a reader is not blocked at all."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    held, done = threading.Event(), threading.Event()

    def long_import() -> None:
        with store.transaction(lock=store_module.REPORTS_LOCK) as conn:
            conn.execute(sa.text("UPDATE meta SET value = value WHERE key = 'version'"))
            held.set()
            done.wait(1.5)

    writer = threading.Thread(target=long_import)
    writer.start()
    held.wait(10)
    other = Store.open(store.url)
    try:
        started = time.monotonic()
        assert other.count_reports() == 0  # a reader does not wait
        assert time.monotonic() - started < 1.0
        assert authenticate(other, "anna", PASSWORD) is Role.MEMBER
    finally:
        done.set()
        writer.join()
        other.close()


@pytest.mark.parametrize("typed", ["Sommer2026!#geheim", "hunter2", "a b c", "x" * 200])
def test_a_password_in_the_name_field_is_never_stored_or_logged(store, typed):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    for _ in range(2):
        assert authenticate(store, typed, PASSWORD, source="198.51.100.4") is None
    with store.engine.connect() as conn:
        names = conn.execute(sa.select(login_attempts.c.username)).scalars().all()
        dump = "\n".join(str(row) for table in ("login_attempts", "audit_log")
                         for row in conn.execute(sa.text(f"SELECT * FROM {table}")))
    assert typed not in dump and typed[:10] not in dump
    assert len(set(names)) == 1 and names[0].startswith(UNKNOWN_NAME)
    audit = list_audit(store)
    failed = audit[audit["action"] == "login_failed"]
    assert set(failed["actor"]) == {names[0]}
    assert json.loads(failed["detail"].iloc[0]) == {"source": "198.51.100.4"}


def test_an_unknown_name_is_still_throttled_per_name(store):
    for _ in range(MAX_FAILURES):
        authenticate(store, "Passwort-im-Namen!9", "egal-egal")
    with pytest.raises(LoginLocked):
        authenticate(store, "Passwort-im-Namen!9", "egal-egal")
    assert authenticate(store, "anderer-name", "egal-egal") is None  # its own count


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    (None, [], [], "127.0.0.1"),                                  # loopback: throttled too
    ("::1", ["203.0.113.5"], [], "::1"),                          # untrusted peer: header ignored
    ("127.0.0.1", ["203.0.113.5"], ["127.0.0.1"], "203.0.113.5"),
    (None, ["203.0.113.5"], ["127.0.0.1", "::1"], "203.0.113.5"),  # hidden loopback peer
    ("127.0.0.1", ["6.6.6.6, 203.0.113.5"], ["127.0.0.1"], "203.0.113.5"),  # spoofed left
    ("10.0.0.2", ["203.0.113.5, 10.0.0.1"], ["10.0.0.0/8"], "203.0.113.5"),  # proxy chain
    ("10.0.0.2", ["unsinn"], ["10.0.0.0/8"], "10.0.0.2"),
    ("::ffff:192.0.2.1", [], [], "192.0.2.1"),
])
def test_client_address_trusts_forwarded_for_only_from_trusted_proxies(peer, forwarded,
                                                                      trusted, expected):
    assert client_address(peer, forwarded, trusted) == expected


def test_clients_behind_a_trusted_proxy_are_limited_per_address(store):
    proxy = ["127.0.0.1"]
    mallory = client_address(None, ["203.0.113.9"], proxy)
    alice = client_address(None, ["198.51.100.1"], proxy)
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    for i in range(MAX_SOURCE_FAILURES):
        authenticate(store, f"rate{i}", "falsch-falsch", source=mallory)
    with pytest.raises(LoginLocked):
        authenticate(store, "anna", PASSWORD, source=mallory)
    assert authenticate(store, "anna", PASSWORD, source=alice) is Role.MEMBER
