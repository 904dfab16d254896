"""Users, log-in with throttling, and session expiry.

Passwords are stored as argon2id hashes in the store's ``users`` table. Every attempt goes
into ``login_attempts`` and the audit log. After ``MAX_FAILURES`` failed attempts for one
user name within the last ``WINDOW_S`` (counted since that user's last success), the name is
locked (a sliding window: attempts while locked count as failures, so hammering keeps it
locked, and a pause of ``WINDOW_S`` always frees it); one source (IP address) is locked
after ``MAX_SOURCE_FAILURES`` failures for any names, so guessing across many names is
slowed too. Where an OpenID Connect provider does the log-in (Streamlit's ``st.login``),
the users table only maps the provider's e-mail address to a role.
"""

from __future__ import annotations

import functools
import json
import re
import time
from getpass import getpass

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from config.settings import settings
from reports.model import TIMEZONE
from reports.privacy.access import Role
from reports.storage import audit
from reports.storage.schema import audit_log, login_attempts, users

MAX_FAILURES = 5
MAX_SOURCE_FAILURES = 20
WINDOW_S = 15 * 60
MIN_PASSWORD = 10
NO_PASSWORD = "!"  # hash of accounts that log in only through OIDC: verifies nothing
_USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{2,80}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown names, so their answer takes as long."""
    return _hasher.hash("lagebild-dummy-password")


class AuthError(ValueError):
    """A user change that was refused; German message."""


class LoginLocked(Exception):
    """Too many failed attempts; ``str(exc)`` is the German message, ``until`` epoch s."""

    def __init__(self, message: str, until: int):
        super().__init__(message)
        self.until = until


def session_idle_minutes() -> int:
    """Minutes without activity after which a log-in session ends."""
    return settings().session_idle_minutes


def _now(now: float | None) -> int:
    return int(time.time() if now is None else now)


def add_user(store, username: str, password: str | None, role: Role | str,
             actor: str = "cli") -> None:
    """Create a user (or replace an existing one's password and role). ``password`` None:
    the account can only log in through OIDC (username = the provider's e-mail)."""
    role = Role(role)
    if role is Role.PUBLIC:
        raise AuthError("Die Rolle „Öffentlich“ braucht kein Konto.")
    if not _USERNAME.match(username or ""):
        raise AuthError("Benutzername: 2–80 Zeichen aus Buchstaben, Ziffern und . _ @ + -")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AuthError(f"Das Passwort muss mindestens {MIN_PASSWORD} Zeichen lang sein.")
    hashed = NO_PASSWORD if password is None else _hasher.hash(password)
    with store.transaction() as conn:
        exists = conn.execute(sa.select(users.c.username).where(
            users.c.username == username)).first()
        if exists:
            conn.execute(users.update().where(users.c.username == username).values(
                password_hash=hashed, role=role.value, active=True))
        else:
            conn.execute(users.insert().values(username=username, password_hash=hashed,
                                               role=role.value, active=True,
                                               created_at=_now(None)))
        audit.record(store, actor, "user_update" if exists else "user_add",
                     {"username": username, "role": role.value, "oidc_only": password is None},
                     conn=conn)
        store.bump_version(conn)


def set_active(store, username: str, active: bool, actor: str) -> None:
    with store.transaction() as conn:
        changed = conn.execute(users.update().where(users.c.username == username).values(
            active=active)).rowcount
        if not changed:
            raise AuthError(f"Benutzer „{username}“ gibt es nicht.")
        audit.record(store, actor, "user_activate" if active else "user_deactivate",
                     {"username": username}, conn=conn)
        store.bump_version(conn)


def list_users(store) -> pd.DataFrame:
    query = sa.select(users.c.username, users.c.role, users.c.active, users.c.created_at)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(users.c.username)).mappings().all()
    frame = pd.DataFrame(rows, columns=["username", "role", "active", "created_at"])
    frame["created_at"] = pd.to_datetime(frame["created_at"].astype("int64"), unit="s",
                                         utc=True).dt.tz_convert(TIMEZONE)
    return frame


def locked_until(store, username: str, source: str | None = None,
                 now: float | None = None) -> int | None:
    """Epoch second until which log-ins for ``username`` (or from ``source``) are refused."""
    now = _now(now)
    since = now - WINDOW_S
    with store.engine.connect() as conn:
        last_ok = conn.execute(sa.select(sa.func.max(login_attempts.c.id)).where(
            login_attempts.c.username == username, login_attempts.c.success)).scalar() or 0
        failures = conn.execute(
            sa.select(login_attempts.c.at).where(
                login_attempts.c.username == username, ~login_attempts.c.success,
                login_attempts.c.id > last_ok, login_attempts.c.at >= since)
            .order_by(login_attempts.c.at.desc()).limit(MAX_FAILURES)).scalars().all()
        source_failures = [] if not source else [
            at for at, detail in conn.execute(
                sa.select(audit_log.c.at, audit_log.c.detail).where(
                    audit_log.c.action == "login_failed", audit_log.c.at >= since)
                .order_by(audit_log.c.at.desc()))
            if json.loads(detail).get("source") == source
        ][:MAX_SOURCE_FAILURES]
    until = [int(f[-1]) + WINDOW_S for f, limit in ((failures, MAX_FAILURES),
                                                    (source_failures, MAX_SOURCE_FAILURES))
             if len(f) >= limit]
    return max(until) if until else None


def _attempt(store, username: str, ok: bool, action: str, detail: dict, now: int) -> None:
    with store.transaction() as conn:
        conn.execute(login_attempts.insert().values(username=username[:80], at=now, success=ok))
        audit.record(store, username[:80] or "unbekannt", action, detail, conn=conn, at=now)


def authenticate(store, username: str, password: str, source: str | None = None,
                 now: float | None = None) -> Role | None:
    """The user's role if the password is right and the account active; None otherwise.

    Raises ``LoginLocked`` (without checking the password) while the name or the source is
    throttled. Every attempt is recorded.
    """
    now = _now(now)
    username = (username or "").strip()
    detail = {"source": source} if source else {}
    until = locked_until(store, username, source, now)
    if until is not None:
        _attempt(store, username, False, "login_locked", detail, now)
        minutes = max(1, (until - now + 59) // 60)
        raise LoginLocked(f"Zu viele fehlgeschlagene Anmeldungen. Bitte in {minutes} Minuten "
                          "erneut versuchen.", until)
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    usable = row is not None and row["password_hash"] != NO_PASSWORD
    try:
        _hasher.verify(row["password_hash"] if usable else _dummy_hash(), password or "")
        ok = usable and bool(row["active"])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _attempt(store, username, False, "login_failed", detail, now)
        return None
    _attempt(store, username, True, "login", detail, now)
    if _hasher.check_needs_rehash(row["password_hash"]):
        with store.transaction() as conn:
            conn.execute(users.update().where(users.c.username == username).values(
                password_hash=_hasher.hash(password)))
    return Role(row["role"])


def role_for_identity(store, email: str | None) -> Role | None:
    """Role of an OIDC-authenticated user: the active account whose user name is the
    verified e-mail address; None (stays public) for anyone else. Audited."""
    email = (email or "").strip().lower()
    if not email:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users.c.role, users.c.active).where(
            sa.func.lower(users.c.username) == email)).first()
    role = Role(row.role) if row and row.active else None
    audit.record(store, email, "login_oidc" if role else "login_oidc_unknown",
                 {"role": role.value if role else None})
    return role


# --- sessions -----------------------------------------------------------------------------


def new_session(username: str, role: Role, now: float | None = None) -> dict:
    """What the UI keeps in its session state after a successful log-in."""
    now = _now(now)
    return {"username": username, "role": Role(role).value, "issued_at": now, "last_seen": now}


def session_expired(session: dict | None, now: float | None = None,
                    idle_minutes: int | None = None) -> bool:
    """True if the session is missing or idle longer than allowed (then: log out)."""
    if not session or "last_seen" not in session:
        return True
    idle = session_idle_minutes() if idle_minutes is None else idle_minutes
    return _now(now) - int(session["last_seen"]) > idle * 60


def touch(session: dict, now: float | None = None) -> None:
    session["last_seen"] = _now(now)


# --- command line ---------------------------------------------------------------------------


def register_cli(subparsers) -> None:
    """``python -m reports user add NAME --role admin [--password-stdin | --oidc]`` and
    ``user deactivate NAME``."""
    user = subparsers.add_parser("user", help="Benutzerkonten verwalten")
    actions = user.add_subparsers(dest="user_action", required=True)
    add = actions.add_parser("add", help="Konto anlegen oder Passwort/Rolle ändern")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role if r is not
                                                       Role.PUBLIC])
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true",
                     help="Passwort aus der ersten Zeile der Standardeingabe lesen")
    how.add_argument("--oidc", action="store_true",
                     help="nur Anmeldung über OpenID Connect (Benutzername = E-Mail)")
    add.set_defaults(func=_cli_add)
    off = actions.add_parser("deactivate", help="Konto sperren")
    off.add_argument("username")
    off.set_defaults(func=_cli_deactivate)


def _cli_add(args) -> int:
    import sys

    from reports.storage.store import Store

    if args.oidc:
        password = None
    elif args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass("Passwort: ")
        if getpass("Passwort wiederholen: ") != password:
            print("Die Passwörter stimmen nicht überein.", file=sys.stderr)
            return 2
    try:
        add_user(Store.open(), args.username, password, args.role, actor="cli")
    except AuthError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Konto „{args.username}“ mit Rolle „{args.role}“ gespeichert.")
    return 0


def _cli_deactivate(args) -> int:
    import sys

    from reports.storage.store import Store

    try:
        set_active(Store.open(), args.username, False, actor="cli")
    except AuthError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Konto „{args.username}“ gesperrt.")
    return 0
