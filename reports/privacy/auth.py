"""Users and log-in with throttling (the sessions a log-in opens: ``reports.privacy.sessions``).

Passwords are stored as argon2id hashes in the store's ``users`` table. Every attempt goes
into ``login_attempts`` and the audit log. After ``MAX_FAILURES`` failed attempts for one
user name within the last ``WINDOW_S`` (counted since that user's last success), the name is
locked (a sliding window: attempts while locked count as failures, so hammering keeps it
locked, and a pause of ``WINDOW_S`` always frees it); one source (IP address) is locked
after ``MAX_SOURCE_FAILURES`` failures for any names, so guessing across many names is
slowed too. Where an OpenID Connect provider does the log-in (Streamlit's ``st.login``),
the users table only maps the provider's e-mail address to a role.

Atomic under concurrency: an attempt is *reserved* — checked against both limits and
recorded as a failure — in one write transaction (SQLite: the file's write lock; PostgreSQL:
advisory locks on the name and on the address) before the password is verified, and turned
into a success afterwards. Thirty simultaneous guesses for one name therefore get at most
``MAX_FAILURES`` passwords checked. A name that is not an account (often a password typed into
the wrong field) is never stored or logged as typed: it is kept as ``unbekannt #<hash>``,
a keyed, truncated hash that still lets the limit count per name.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import re
import time
from collections.abc import Iterable
from getpass import getpass

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from config.settings import settings
from reports.model import TIMEZONE
from reports.privacy.access import Role
from reports.privacy.sessions import revoke_user
from reports.storage import audit
from reports.storage.schema import login_attempts, meta, users

MAX_FAILURES = 5
MAX_SOURCE_FAILURES = 20
WINDOW_S = 15 * 60
MIN_PASSWORD = 10
NO_PASSWORD = "!"  # hash of accounts that log in only through OIDC: verifies nothing
_USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{2,80}$")
UNKNOWN_NAME = "unbekannt #"  # prefix of the stored label of a name that is no account
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
    """Enable or disable an account; disabling ends its sessions in every process."""
    with store.transaction() as conn:
        changed = conn.execute(users.update().where(users.c.username == username).values(
            active=active)).rowcount
        if not changed:
            raise AuthError(f"Benutzer „{username}“ gibt es nicht.")
        if not active:
            revoke_user(conn, username)
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


def client_address(peer: str | None, forwarded_for: Iterable[str] = (),
                   trusted_proxies: Iterable[str] = ()) -> str:
    """The address a log-in comes from, for the per-address limit.

    ``peer`` is the direct TCP peer (None: unknown, taken as loopback, which is what a
    server that hides local addresses means). Only when the peer is one of
    ``trusted_proxies`` (addresses or networks, ``LAGEBILD_TRUSTED_PROXIES``) is
    ``X-Forwarded-For`` believed: its entries are read from the right (the ones the trusted
    proxies appended) and the first address that is not itself a trusted proxy is the
    client. A client can prepend anything, so entries left of that are never used."""
    networks = []
    for entry in trusted_proxies:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in networks)

    current = _normal_address(peer) or "127.0.0.1"
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    while trusted(current) and hops:
        candidate = _normal_address(hops.pop())
        if candidate is None:  # garbage in the header: stay with the proxy's address
            break
        current = candidate
    return current


def _normal_address(text: str | None) -> str | None:
    """A valid IP address in its canonical form (``::ffff:1.2.3.4`` -> ``1.2.3.4``)."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def _name_label(conn, username: str) -> str:
    """How an attempt's name is stored and logged: as typed for an account, else a keyed,
    truncated hash (it may be a password typed into the wrong field)."""
    if username and _USERNAME.match(username) and conn.execute(
            sa.select(users.c.username).where(users.c.username == username)).first():
        return username
    key = conn.execute(sa.select(meta.c.value).where(meta.c.key == "instance")).scalar() or ""
    digest = hmac.new(f"lagebild-login:{key}".encode(), username.encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return UNKNOWN_NAME + digest[:12]


def _failures(conn, label: str, source: str | None, since: int) -> tuple[list[int], list[int]]:
    """Times of the recent failures for the name (since its last success) and the source,
    newest first, at most as many as their limits."""
    a = login_attempts.c
    last_ok = conn.execute(sa.select(sa.func.max(a.id)).where(
        a.username == label, a.success)).scalar() or 0
    by_name = conn.execute(
        sa.select(a.at).where(a.username == label, ~a.success, a.id > last_ok, a.at >= since)
        .order_by(a.at.desc()).limit(MAX_FAILURES)).scalars().all()
    by_source = [] if not source else conn.execute(
        sa.select(a.at).where(a.source == source, ~a.success, a.at >= since)
        .order_by(a.at.desc()).limit(MAX_SOURCE_FAILURES)).scalars().all()
    return [int(t) for t in by_name], [int(t) for t in by_source]


def _until(by_name: list[int], by_source: list[int]) -> int | None:
    until = [f[-1] + WINDOW_S for f, limit in ((by_name, MAX_FAILURES),
                                               (by_source, MAX_SOURCE_FAILURES))
             if len(f) >= limit]
    return max(until) if until else None


def locked_until(store, username: str, source: str | None = None,
                 now: float | None = None) -> int | None:
    """Epoch second until which log-ins for ``username`` (or from ``source``) are refused."""
    since = _now(now) - WINDOW_S
    with store.engine.connect() as conn:
        return _until(*_failures(conn, _name_label(conn, (username or "").strip()), source,
                                 since))


def _locks(username: str, source: str | None) -> list[str]:
    """PostgreSQL advisory locks of one attempt, always name before address (no deadlock).
    The name is hashed: a lock key is never a password in clear, not even in memory
    statistics."""
    names = ["login-name:" + hashlib.sha256(username.encode("utf-8")).hexdigest()]
    return names + (["login-source:" + source] if source else [])


def authenticate(store, username: str, password: str, source: str | None = None,
                 now: float | None = None) -> Role | None:
    """The user's role if the password is right and the account active; None otherwise.

    Raises ``LoginLocked`` (without checking the password) while the name or the source is
    throttled. Every attempt is recorded; it is reserved as a failure before the password
    is checked, so parallel attempts cannot get more passwords checked than the limit.
    """
    now = _now(now)
    username = (username or "").strip()
    source = _normal_address(source) if source else None
    detail = {"source": source} if source else {}
    locks = _locks(username, source)
    with store.transaction() as conn:
        for name in locks:
            store.lock(conn, name)
        label = _name_label(conn, username)
        until = _until(*_failures(conn, label, source, now - WINDOW_S))
        attempt = conn.execute(login_attempts.insert().values(
            username=label, at=now, success=False, source=source)).inserted_primary_key[0]
        row = None
        if until is not None:
            audit.record(store, label, "login_locked", detail, conn=conn, at=now)
        else:
            row = conn.execute(sa.select(users).where(users.c.username == username)
                               ).mappings().first()
    if until is not None:
        minutes = max(1, (until - now + 59) // 60)
        raise LoginLocked(f"Zu viele fehlgeschlagene Anmeldungen. Bitte in {minutes} Minuten "
                          "erneut versuchen.", until)
    account = row if row is not None and row["password_hash"] != NO_PASSWORD else None
    try:
        _hasher.verify(account["password_hash"] if account else _dummy_hash(), password or "")
        ok = account is not None and bool(account["active"])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with store.transaction() as conn:
        if not ok:
            audit.record(store, label, "login_failed", detail, conn=conn, at=now)
            return None
        conn.execute(login_attempts.update().where(login_attempts.c.id == attempt)
                     .values(success=True))
        audit.record(store, label, "login", detail, conn=conn, at=now)
        assert account is not None  # ok implies a usable account
        if _hasher.check_needs_rehash(account["password_hash"]):
            conn.execute(users.update().where(users.c.username == username).values(
                password_hash=_hasher.hash(password)))
    return Role(account["role"])


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
