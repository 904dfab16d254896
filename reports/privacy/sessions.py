"""Server-side log-in sessions: a log-in survives a reload, new tabs and a second dashboard
process, and ends on log-out, on idle expiry and when the account is disabled.

A successful log-in opens a row in the store's ``sessions`` table and hands out a
single-use *grant* (valid ``GRANT_TTL_S``). The browser sends the grant once, in the body of
a POST (never in a URL), and receives the session *token* in an HttpOnly, SameSite=Strict
cookie; every later page load presents the cookie and is resolved here. The store keeps only
SHA-256 hashes of grant and token (both 256-bit random, so a fast hash suffices), so a copy
of the database logs no one in. The role is read from the account on every resolve: a
changed role applies at once, a disabled account's sessions are refused (and revoked by
``auth.set_active``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from config.settings import settings
from reports.privacy.access import Role
from reports.storage.faults import StoreError
from reports.storage.schema import sessions, users

GRANT_TTL_S = 60  # the browser exchanges the grant right after the log-in
TOUCH_EVERY_S = 30  # last_seen is written at most this often per session
COOKIE = "lagebild_session"


@dataclass(frozen=True)
class Session:
    """A live session: its id, the account and the account's current role."""

    id: str
    username: str
    role: Role


class _Busy(Exception):
    """Another writer holds the store: a touch is skipped rather than queued."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now(now: float | None) -> int:
    return int(time.time() if now is None else now)


def idle_limit_s() -> int:
    """Seconds without activity after which a session ends (LAGEBILD_SESSION_IDLE_MINUTES)."""
    return settings().session_idle_minutes * 60


def open_session(store, username: str, now: float | None = None) -> tuple[str, str]:
    """A new session for ``username``, who has just logged in: (session id, grant)."""
    now = _now(now)
    session_id, grant = secrets.token_hex(16), secrets.token_urlsafe(32)
    with store.transaction() as conn:
        conn.execute(sessions.insert().values(
            id=session_id, username=username, grant_hash=_hash(grant),
            grant_expires_at=now + GRANT_TTL_S, created_at=now, last_seen=now))
    return session_id, grant


def exchange_grant(store, grant: str, now: float | None = None) -> str | None:
    """The cookie token for an unused, unexpired grant of a live session (the grant is then
    used up); None for anything else."""
    if not grant or len(grant) > 200:
        return None
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with store.transaction() as conn:
        changed = conn.execute(sessions.update().where(
            sessions.c.grant_hash == _hash(grant), sessions.c.grant_expires_at >= now,
            sessions.c.revoked_at.is_(None), sessions.c.last_seen >= now - idle_limit_s(),
        ).values(token_hash=_hash(token), grant_hash=None, grant_expires_at=None)).rowcount
    return token if changed == 1 else None


def resolve(store, session_id: str | None = None, token: str | None = None,
            now: float | None = None) -> Session | None:
    """The live session named by ``session_id`` (a tab that logged in itself) or by the
    cookie ``token``; None if it is unknown, revoked, idle longer than allowed or its
    account is disabled. A live session is kept alive (``last_seen``)."""
    if session_id:
        where = sessions.c.id == session_id
    elif token and len(token) <= 200:
        where = sessions.c.token_hash == _hash(token)
    else:
        return None
    now = _now(now)
    query = sa.select(sessions.c.id, sessions.c.username, sessions.c.last_seen,
                      users.c.role).join(users, users.c.username == sessions.c.username).where(
        where, sessions.c.revoked_at.is_(None), users.c.active.is_(True),
        sessions.c.last_seen >= now - idle_limit_s())
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if now - int(row.last_seen) >= TOUCH_EVERY_S:
        _touch(store, row.id, now)
    return Session(row.id, row.username, Role(row.role))


def _touch(store, session_id: str, now: int) -> None:
    """Record activity, unless another writer (an import) holds the store right now: a
    page never waits for a touch, the next run tries again."""
    def busy(_seconds: float) -> None:
        raise _Busy

    try:
        with store.transaction(waiting=busy) as conn:
            conn.execute(sessions.update().where(sessions.c.id == session_id)
                         .values(last_seen=now))
    except (_Busy, StoreError):
        pass


def revoke(store, session_id: str | None = None, token: str | None = None,
           now: float | None = None) -> None:
    """End a session (log-out): its cookie is refused from now on, in every process."""
    if not session_id and not token:
        return
    where = sessions.c.id == session_id if session_id else \
        sessions.c.token_hash == _hash(token or "")
    with store.transaction() as conn:
        conn.execute(sessions.update().where(where, sessions.c.revoked_at.is_(None))
                     .values(revoked_at=_now(now), grant_hash=None))


def revoke_user(conn, username: str, now: float | None = None) -> None:
    """End every session of ``username`` inside the caller's transaction (account disabled)."""
    conn.execute(sessions.update().where(sessions.c.username == username,
                                         sessions.c.revoked_at.is_(None))
                 .values(revoked_at=_now(now), grant_hash=None))
