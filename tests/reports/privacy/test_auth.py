"""Users, argon2 passwords, log-in throttling, OIDC role mapping, session expiry, CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from config.paths import PROJECT_DIR
from reports.privacy.access import Role
from reports.privacy.auth import (
    MAX_FAILURES,
    MAX_SOURCE_FAILURES,
    UNKNOWN_NAME,
    WINDOW_S,
    AuthError,
    LoginLocked,
    add_user,
    authenticate,
    list_users,
    role_for_identity,
    set_active,
)
from reports.storage.audit import list_audit
from reports.storage.schema import login_attempts, users

PASSWORD = "richtig-geheim-1"
T0 = 1_800_000_000


def test_password_is_stored_as_argon2_hash(store):
    add_user(store, "anna", PASSWORD, Role.EDITOR, actor="admin")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert list_users(store)[["username", "role", "active"]].values.tolist() == [
        ["anna", "redaktion", True]]
    assert list_audit(store)["action"].tolist() == ["user_add"]


def test_authenticate_right_wrong_unknown_inactive(store):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    assert authenticate(store, "anna", PASSWORD, now=T0) is Role.MEMBER
    assert authenticate(store, "anna", "falsch-falsch", now=T0 + 1) is None
    assert authenticate(store, "niemand", PASSWORD, now=T0 + 2) is None
    set_active(store, "anna", False, actor="admin")
    assert authenticate(store, "anna", PASSWORD, now=T0 + 3) is None
    with store.engine.connect() as conn:
        attempts = conn.execute(sa.select(login_attempts.c.username, login_attempts.c.success)
                                .order_by(login_attempts.c.id)).all()
    names = [name for name, _ in attempts]
    assert [ok for _, ok in attempts] == [True, False, False, False]
    assert names[:2] == ["anna", "anna"] and names[3] == "anna"
    assert names[2].startswith(UNKNOWN_NAME)  # no account: never stored as typed
    actions = list_audit(store).sort_values("id")["action"].tolist()
    assert actions == ["user_add", "login", "login_failed", "login_failed", "user_deactivate",
                       "login_failed"]


def test_bad_user_input_refused_in_german(store):
    with pytest.raises(AuthError, match="mindestens 10 Zeichen"):
        add_user(store, "anna", "kurz", Role.MEMBER)
    with pytest.raises(AuthError, match="Benutzername"):
        add_user(store, "<script>", PASSWORD, Role.MEMBER)
    with pytest.raises(AuthError, match="braucht kein Konto"):
        add_user(store, "anna", PASSWORD, Role.PUBLIC)
    with pytest.raises(AuthError, match="gibt es nicht"):
        set_active(store, "niemand", False, actor="admin")
    assert list_users(store).empty


def test_throttling_per_user_name(store):
    add_user(store, "anna", PASSWORD, Role.ADMIN)
    for i in range(MAX_FAILURES):
        assert authenticate(store, "anna", f"falsch-{i}", now=T0 + i) is None
    # now even the right password is refused, with a German message
    with pytest.raises(LoginLocked, match="Zu viele fehlgeschlagene Anmeldungen") as exc:
        authenticate(store, "anna", PASSWORD, now=T0 + 60)
    assert exc.value.until == T0 + WINDOW_S  # when the oldest of the five leaves the window
    # other users are not affected
    add_user(store, "bert", PASSWORD, Role.MEMBER)
    assert authenticate(store, "bert", PASSWORD, now=T0 + 61) is Role.MEMBER
    # the refused attempt counted as a failure: still locked at the end of the first window
    with pytest.raises(LoginLocked):
        authenticate(store, "anna", PASSWORD, now=T0 + WINDOW_S + 1)
    # after a pause of a whole window, the right password works again
    assert authenticate(store, "anna", PASSWORD, now=T0 + 2 * WINDOW_S + 2) is Role.ADMIN
    assert "login_locked" in list_audit(store)["action"].tolist()


def test_success_resets_the_failure_count(store):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    for i in range(MAX_FAILURES - 1):
        authenticate(store, "anna", "falsch-falsch", now=T0 + i)
    assert authenticate(store, "anna", PASSWORD, now=T0 + 10) is Role.MEMBER
    for i in range(MAX_FAILURES - 1):
        authenticate(store, "anna", "falsch-falsch", now=T0 + 20 + i)
    assert authenticate(store, "anna", PASSWORD, now=T0 + 30) is Role.MEMBER


def test_throttling_per_source_across_names(store):
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    for i in range(MAX_SOURCE_FAILURES):
        authenticate(store, f"rate{i}", "falsch-falsch", source="203.0.113.9", now=T0 + i)
    with pytest.raises(LoginLocked):
        authenticate(store, "anna", PASSWORD, source="203.0.113.9", now=T0 + 100)
    assert authenticate(store, "anna", PASSWORD, source="198.51.100.1",
                        now=T0 + 101) is Role.MEMBER


def test_oidc_email_maps_to_role(store):
    add_user(store, "Lena@Example.org", None, Role.EDITOR)
    assert role_for_identity(store, "lena@example.org") is Role.EDITOR
    assert role_for_identity(store, "fremd@example.org") is None
    assert role_for_identity(store, None) is None
    # an OIDC-only account has no password that could ever match
    assert authenticate(store, "Lena@Example.org", "!", now=T0) is None
    set_active(store, "Lena@Example.org", False, actor="admin")
    assert role_for_identity(store, "lena@example.org") is None


def test_cli_user_add_with_password_stdin(tmp_path):
    """``python -m reports user add NAME --role admin --password-stdin`` creates the first
    admin; a too short password is refused with a German message and exit code 2."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env = {"DATABASE_URL": url, "PATH": "/usr/bin", "PYTHONPATH": str(PROJECT_DIR)}

    def cli(*args: str, password: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reports", *args], input=password + "\n",
                              text=True, capture_output=True, env=env, cwd=str(tmp_path),
                              check=False)

    done = cli("user", "add", "chefin", "--role", "admin", "--password-stdin",
               password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "chefin" in done.stdout
    refused = cli("user", "add", "kurz", "--role", "mitglied", "--password-stdin",
                  password="kurz")
    assert refused.returncode == 2 and "mindestens 10 Zeichen" in refused.stderr
    assert "Traceback" not in refused.stderr
    from reports.storage.store import Store

    store = Store.open(url)
    assert authenticate(store, "chefin", PASSWORD) is Role.ADMIN
    assert list_users(store)["username"].tolist() == ["chefin"]
    retention = subprocess.run([sys.executable, "-m", "reports", "retention", "--days", "30"],
                               text=True, capture_output=True, env=env, cwd=str(tmp_path),
                               check=False)
    assert retention.returncode == 0, retention.stderr
    assert list_audit(store)["action"].tolist()[0] == "retention"


def test_session_expiry_in_streamlit(tmp_path, monkeypatch):
    """app_pages.session.enforce_session ends an idle log-in before anything reads the role."""
    import time

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from reports.privacy.sessions import open_session
    from reports.storage.store import Store

    def app():
        import streamlit as st

        from app_pages import session, shared

        session.enforce_session()
        st.write(f"role={shared.current_role().value}")

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = Store.open(url)
    add_user(store, "anna", PASSWORD, Role.MEMBER)
    st.cache_resource.clear()
    at = AppTest.from_function(app)
    at.session_state["auth_session"] = open_session(store, "anna")[0]
    at.run()
    assert at.markdown[0].value == "role=mitglied"
    at.session_state["auth_session"] = open_session(store, "anna", now=time.time() - 31 * 60)[0]
    at.run()
    assert at.markdown[0].value == "role=oeffentlich"
    assert "Inaktivität" in at.sidebar.warning[0].value
    st.cache_resource.clear()
    store.close()
