"""Server-side sessions on both back ends: grant and token, idle expiry, log-out, disabled
accounts, changed roles; the store never holds a secret in clear."""

from __future__ import annotations

import time

import sqlalchemy as sa

from reports.privacy.access import Role
from reports.privacy.auth import add_user, set_active
from reports.privacy.sessions import (
    GRANT_TTL_S,
    TOUCH_EVERY_S,
    exchange_grant,
    open_session,
    resolve,
    revoke,
)
from reports.storage.schema import sessions

PASSWORD = "ein-langes-passwort"


def _rows(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(sessions)).mappings()]


def test_a_grant_is_exchanged_once_for_a_token_that_resolves(store):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    session_id, grant = open_session(store, "anna")
    token = exchange_grant(store, grant)
    assert token and exchange_grant(store, grant) is None  # single use
    live = resolve(store, token=token)
    assert live is not None and (live.id, live.username, live.role) == (
        session_id, "anna", Role.MEMBER)
    assert resolve(store, session_id=session_id) == live
    assert resolve(store, token=token + "x") is None and resolve(store) is None
    stored = " ".join(str(v) for row in _rows(store) for v in row.values())
    assert token not in stored and grant not in stored  # only hashes are kept


def test_a_stale_grant_is_refused(store):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    now = time.time()
    _, grant = open_session(store, "anna", now=now - GRANT_TTL_S - 5)
    assert exchange_grant(store, grant, now=now) is None


def test_idle_sessions_end_and_activity_keeps_them_alive(store, monkeypatch):
    monkeypatch.setenv("LAGEBILD_SESSION_IDLE_MINUTES", "10")
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    t0 = time.time()
    session_id, grant = open_session(store, "anna", now=t0)
    token = exchange_grant(store, grant, now=t0)
    assert resolve(store, token=token, now=t0 + 9 * 60) is not None  # touches last_seen
    assert resolve(store, token=token, now=t0 + 18 * 60) is not None
    assert resolve(store, token=token, now=t0 + 29 * 60) is None  # 11 minutes idle
    assert resolve(store, session_id=session_id, now=t0 + 29 * 60) is None
    seen = _rows(store)[0]["last_seen"]
    resolve(store, token=token, now=t0 + 18 * 60 + TOUCH_EVERY_S - 1)
    assert _rows(store)[0]["last_seen"] == seen  # not written more often than needed


def test_log_out_and_disabling_the_account_revoke(store):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    add_user(store, "ben", PASSWORD, Role.EDITOR)
    first, grant = open_session(store, "anna")
    token = exchange_grant(store, grant)
    second, _ = open_session(store, "anna")
    other, _ = open_session(store, "ben")
    revoke(store, None, token)
    assert resolve(store, token=token) is None and resolve(store, session_id=first) is None
    assert resolve(store, session_id=second) is not None
    set_active(store, "anna", False, actor="admin")
    assert resolve(store, session_id=second) is None
    set_active(store, "anna", True, actor="admin")
    assert resolve(store, session_id=second) is None  # re-enabling does not revive it
    assert resolve(store, session_id=other).role is Role.EDITOR


def test_the_role_is_the_accounts_current_one(store):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    session_id, _ = open_session(store, "anna")
    add_user(store, "anna", PASSWORD, Role.EDITOR, actor="admin")
    assert resolve(store, session_id=session_id).role is Role.EDITOR
