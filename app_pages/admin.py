"""Admin: user accounts, the audit log and the retention run. Admin role only; the check is
repeated here because a page can be opened by URL even when the navigation hides it."""

from __future__ import annotations

import json

import streamlit as st

from app_pages import shared
from config.settings import settings
from reports.privacy.access import ROLE_LABELS, Role, policy_for
from reports.privacy.auth import AuthError, add_user, list_users, set_active
from reports.privacy.retention import erase_old_descriptions
from reports.privacy.safe import escape_markdown
from reports.storage import audit

st.title("Verwaltung")
role = shared.current_role()
store = shared.get_store()
actor = shared.current_actor()

if not policy_for(role).may_admin:
    audit.record(store, actor, "access_denied", {"page": "admin", "role": role.value})
    st.error("Diese Seite ist nur für Admins. Bitte als Admin anmelden.")
    st.stop()

users_tab, log_tab, retention_tab = st.tabs(["Benutzer", "Protokoll", "Aufbewahrung"])

with users_tab:
    accounts = list_users(store)
    st.dataframe(
        accounts.assign(role=accounts["role"].map(lambda r: ROLE_LABELS[Role(r)])),
        column_config={"username": "Benutzername", "role": "Rolle", "active": "aktiv",
                       "created_at": st.column_config.DatetimeColumn("angelegt",
                                                                     format="DD.MM.YYYY HH:mm")},
        hide_index=True, width="stretch")
    with st.form("benutzer_neu", clear_on_submit=True):
        st.subheader("Konto anlegen oder Passwort/Rolle ändern")
        name = st.text_input("Benutzername (bei OIDC: E-Mail-Adresse)", max_chars=80)
        new_role = st.selectbox("Rolle", [Role.MEMBER, Role.EDITOR, Role.ADMIN],
                                format_func=ROLE_LABELS.__getitem__)
        oidc_only = st.checkbox("nur Anmeldung über das Organisationskonto (OIDC)")
        password = st.text_input("Passwort (mindestens 10 Zeichen)", type="password",
                                 max_chars=200, autocomplete="new-password")
        if st.form_submit_button("Speichern", type="primary"):
            try:
                add_user(store, name.strip(), None if oidc_only else password, new_role,
                         actor=actor)
            except AuthError as exc:
                audit.record(store, actor, "user_add_refused", {"username": name[:80],
                                                                "reason": str(exc)})
                st.error(str(exc))
            else:
                st.success(f"Konto „{escape_markdown(name.strip())}“ gespeichert.")
    if not accounts.empty:
        st.subheader("Konto sperren oder entsperren")
        chosen = st.selectbox("Benutzer", accounts["username"].tolist(), key="admin_user")
        is_active = bool(accounts.set_index("username").loc[chosen, "active"])
        label = "Sperren" if is_active else "Entsperren"
        if chosen == st.session_state.get("username") and is_active:
            st.caption("Das eigene Konto kann hier nicht gesperrt werden.")
        elif st.button(label, key="admin_toggle"):
            set_active(store, chosen, not is_active, actor=actor)
            st.rerun()

with log_tab:
    entries = audit.list_audit(store, limit=int(st.number_input(
        "Einträge", 50, 5000, 500, step=50)))
    actions = sorted(entries["action"].unique())
    picked = st.multiselect("Aktion", actions, placeholder="alle", select_all=False)
    if picked:
        entries = entries[entries["action"].isin(picked)]
    entries = entries.assign(detail=entries["detail"].map(
        lambda d: ", ".join(f"{k}: {v}" for k, v in json.loads(d).items())))
    st.dataframe(entries.drop(columns="id"), hide_index=True, width="stretch",
                 column_config={"at": st.column_config.DatetimeColumn(
                     "Zeit", format="DD.MM.YYYY HH:mm:ss"), "actor": "wer",
                     "action": "Aktion", "detail": "Details"})

with retention_tab:
    days = int(st.number_input("Beschreibungen löschen, die älter sind als (Tage)", 1, 36500,
                               settings().retention_days))
    st.write("Gelöscht werden Freitexte (Beschreibungen von Meldungen und Anliegen, "
             "Kontaktangaben, Rohzeilen in der Quarantäne). Zahlen, Orte und Kategorien "
             "bleiben erhalten. Der Lauf wird protokolliert.")
    sure = st.checkbox("Ja, endgültig löschen")
    if st.button("Aufbewahrungsfrist anwenden", disabled=not sure):
        erased = erase_old_descriptions(store, days, actor=actor)
        st.success(f"{shared.fmt_int(erased)} Beschreibungen gelöscht.")
