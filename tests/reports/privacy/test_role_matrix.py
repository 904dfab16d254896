"""Every role x (single reports, aggregates, exports): exactly what each may see."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest

from config.paths import PROJECT_DIR
from reports.model import RECORD_KEY, vocabulary
from reports.privacy.access import Role, aggregate_for, policy_for, visible_reports
from reports.privacy.policy import publish_counts
from reports.render.export import ExportDenied, export_aggregate, export_reports
from reports.storage.audit import list_audit
from tests.privacy_sample import SECRET, STREET, leaks, sample_reports

RESTRICTED_CATEGORIES = {"konsumort", "kontakt_strassensozialarbeit"}
# role -> (visible categories with their counts, details, raw points, may edit, may admin)
EXPECTED = {
    Role.PUBLIC: ({"illegale_muellablagerung": 12, "drogenhandel": 8, "graffiti": 3},
                  False, False, False, False),
    Role.MEMBER: ({"illegale_muellablagerung": 12, "drogenhandel": 8, "graffiti": 3},
                  True, True, False, False),
    Role.EDITOR: ({"illegale_muellablagerung": 12, "drogenhandel": 8, "graffiti": 3,
                   "ruhestoerung": 4, "konsumort": 6, "kontakt_strassensozialarbeit": 2},
                  True, True, True, False),
    Role.ADMIN: ({"illegale_muellablagerung": 12, "drogenhandel": 8, "graffiti": 3,
                  "ruhestoerung": 4, "konsumort": 6, "kontakt_strassensozialarbeit": 2},
                 True, True, True, True),
}


@pytest.fixture(scope="module")
def reports() -> pd.DataFrame:
    return sample_reports()


@pytest.mark.parametrize("role", list(Role))
def test_visible_reports(role, reports):
    categories, details, points, may_edit, may_admin = EXPECTED[role]
    seen = visible_reports(reports, role)
    assert seen["category"].value_counts().to_dict() == categories
    policy = policy_for(role)
    assert (policy.may_edit, policy.may_admin) == (may_edit, may_admin)
    if role in (Role.PUBLIC, Role.MEMBER):
        assert "restricted" not in set(seen["sensitivity"])
        assert not RESTRICTED_CATEGORIES & set(seen["category"])
    raw = reports.set_index("id").loc[seen["id"]]
    if details:
        assert seen["description"].str.contains(SECRET).all()
        assert seen["address"].str.contains(STREET).all()
        assert seen["source_ref"].notna().all()
    else:
        assert seen[["description", "address", "source_ref"]].isna().all().all()
    if points:
        assert (seen["lon"].to_numpy() == raw["lon"].to_numpy()).all()
        assert (seen["x"].to_numpy() == raw["x"].to_numpy()).all()
    else:
        # snapped to 50 m cell centres: no raw coordinate survives, even at 5 decimals
        assert ((seen["x"] % 50) == 25).all() and ((seen["y"] % 50) == 25).all()
        raw_lonlat = {(f"{lo:.5f}", f"{la:.5f}") for lo, la in zip(raw.lon, raw.lat,
                                                                       strict=True)}
        shown = {(f"{lo:.5f}", f"{la:.5f}") for lo, la in zip(seen.lon, seen.lat, strict=True)}
        assert not raw_lonlat & shown
        assert (abs(seen["x"].to_numpy() - raw["x"].to_numpy()) <= 25 * 2**0.5).all()


def _category_counts(reports: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Reports per category the role may see, with the sums of their record keys."""
    grouped = visible_reports(reports, role).groupby("category")[RECORD_KEY]
    return pd.DataFrame({"reports": grouped.size(), "reports_key": grouped.sum()}).reset_index()


@pytest.mark.parametrize("role", list(Role))
def test_aggregates(role, reports):
    categories = EXPECTED[role][0]
    counts = _category_counts(reports, role)
    out = aggregate_for(role, counts).set_index("category")
    if role is Role.PUBLIC:
        # graffiti (3 < k) hidden, the others perturbed and rounded (cell key method)
        expected = publish_counts(counts["reports"], counts["reports_key"], 5)
        assert out["reports"].tolist() == expected.tolist()
        assert pd.isna(out.loc["graffiti", "reports"]) and out.loc["graffiti", "hidden"]
        assert out.loc["illegale_muellablagerung", "reports"] in (10, 15)
        assert "reports_key" not in out
    else:
        assert out["reports"].to_dict() == categories
        assert not out["hidden"].any()


def _rows(fmt: str, data: bytes) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str)
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        values = list(sheet.iter_rows(values_only=True))
        return pd.DataFrame(values[1:], columns=values[0])
    features = json.loads(data)["features"]
    return pd.DataFrame([{**f["properties"], "Länge": f["geometry"]["coordinates"][0]}
                         for f in features])


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
@pytest.mark.parametrize("role", list(Role))
def test_report_exports(role, fmt, reports, store):
    categories, _details, *_ = EXPECTED[role]
    if role is Role.PUBLIC:
        with pytest.raises(ExportDenied, match="nur angemeldete Mitglieder"):
            export_reports(store, reports, role, fmt, actor="anonym")
        assert list_audit(store)["action"].tolist() == ["export_denied"]
        return
    rows = _rows(fmt, export_reports(store, reports, role, fmt, actor="tester"))
    keys = {c.label: k for k, c in vocabulary().categories.items()}  # labels, not codes
    assert rows["Kategorie"].map(keys).value_counts().to_dict() == categories
    assert rows["Beschreibung"].str.contains(SECRET).all()
    assert "content_hash" not in rows and "batch_id" not in rows
    entry = list_audit(store).iloc[0]
    assert (entry["actor"], entry["action"]) == ("tester", "export")
    assert json.loads(entry["detail"])["rows"] == sum(categories.values())


@pytest.mark.parametrize("role", list(Role))
def test_aggregate_exports(role, reports, store):
    counts = _category_counts(reports, role)
    rows = _rows("csv", export_aggregate(store, counts, role, "csv", actor="x"))
    shown = dict(zip(rows["category"], rows["reports"], strict=True))
    assert "reports_key" not in rows
    if role is Role.PUBLIC:
        expected = publish_counts(counts["reports"], counts["reports_key"], 5)
        assert pd.isna(shown["graffiti"])
        assert [shown[c] for c in ("drogenhandel", "illegale_muellablagerung")] == [
            str(v) for v in expected.iloc[[0, 2]]]
    else:
        assert {c: int(v) for c, v in shown.items()} == EXPECTED[role][0]


# -- pages x roles (Streamlit AppTest: the real scripts, the real store) -----------------------

DASHBOARD = str(PROJECT_DIR / "dashboard.py")
# the page scripts are the files dashboard.py's navigation names (not its helper modules)
PAGE_FILES = sorted(p.name for p in (PROJECT_DIR / "app_pages").glob("*.py")
                    if f'"app_pages/{p.name}"' in (PROJECT_DIR / "dashboard.py").read_text())
RESTRICTED_TEXT = [f"{SECRET} {c} " for c in ("konsumort", "kontakt_strassensozialarbeit",
                                              "ruhestoerung")]


@pytest.fixture(scope="module")
def app_store(tmp_path_factory):
    import streamlit as st

    from reports.storage.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'store.sqlite'}"
    app = Store.open(url)
    with app.transaction() as conn:
        app.upsert_reports(sample_reports(unresolved=2), conn)
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield app
    patch.undo()
    st.cache_resource.clear()
    st.cache_data.clear()
    app.close()


def _payload(node) -> bytes:
    """Everything the elements of a rendered script would send to the browser."""
    parts = []
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "SerializeToString"):
        parts.append(proto.SerializeToString())
    for child in getattr(node, "children", {}).values():
        parts.append(_payload(child))
    return b"".join(parts)


def render(role: Role, page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(DASHBOARD, default_timeout=180)
    at.session_state["role"] = role
    if role is not Role.PUBLIC:
        at.session_state["username"] = f"test-{role.value}"
    at.run()
    if page != "ueberblick.py":
        try:
            at.switch_page(f"app_pages/{page}")
        except ValueError:  # not in this role's navigation: the page must refuse on its own
            at = AppTest.from_file(str(PROJECT_DIR / "app_pages" / page), default_timeout=180)
            at.session_state["role"] = role
        at.run()
    if page == "karte.py" and policy_for(role).sees_points:
        at.multiselect(key="karte_layers").select("markers").run()
    assert not at.exception, [e.value for e in at.exception]
    return at, _payload(at._tree)


@pytest.mark.parametrize("page", PAGE_FILES)
@pytest.mark.parametrize("role", list(Role))
def test_page_shows_what_the_role_may_see(role, page, app_store):
    at, payload = render(role, page)
    frame = sample_reports(unresolved=2)
    if role is Role.PUBLIC:
        assert leaks(payload, frame) == []
    if role in (Role.PUBLIC, Role.MEMBER):
        assert not [t for t in RESTRICTED_TEXT if t.encode() in payload]
    errors = [e.value for e in at.error]
    if page == "admin.py":
        if role is Role.ADMIN:
            assert not errors and [t.label for t in at.tabs] == ["Benutzer", "Protokoll",
                                                                "Aufbewahrung"]
        else:
            assert errors == ["Diese Seite ist nur für Admins. Bitte als Admin anmelden."]
            assert list_audit(app_store, limit=1)["action"].tolist() == ["access_denied"]
    if page == "karte.py":
        details = SECRET.encode() in payload and STREET.encode() in payload
        assert details is (role is not Role.PUBLIC)
        restricted = [t for t in RESTRICTED_TEXT if t.encode() in payload]
        assert bool(restricted) is policy_for(role).sees_restricted_categories
    if page == "daten.py":
        import_offered = "Import" in [h.value for h in at.subheader]
        assert import_offered is policy_for(role).may_edit


def test_log_in_and_out_through_the_page(app_store):
    from streamlit.testing.v1 import AppTest

    from reports.privacy.auth import add_user

    add_user(app_store, "mia", "ein-langes-passwort", Role.MEMBER)
    at = AppTest.from_file(DASHBOARD, default_timeout=180)
    at.run()
    at.switch_page("app_pages/anmelden.py").run()
    at.text_input[0].input("mia")
    at.text_input[1].input("falsches-passwort")
    at.button[0].click().run()  # the form's submit button
    assert [e.value for e in at.error] == [
        "Benutzername oder Passwort ist falsch, oder das Konto ist gesperrt."]
    assert "role" not in at.session_state or at.session_state["role"] is Role.PUBLIC
    at.text_input[0].input("mia")
    at.text_input[1].input("ein-langes-passwort")
    at.button[0].click().run()
    assert at.session_state["role"] is Role.MEMBER
    assert at.session_state["username"] == "mia"
    from reports.privacy.sessions import resolve

    assert resolve(app_store, session_id=at.session_state["auth_session"]).role is Role.MEMBER
    assert any("Angemeldet als" in s.value for s in at.success)
    at.button[0].click().run()  # Abmelden
    assert "role" not in at.session_state
    actions = list_audit(app_store, limit=3)["action"].tolist()
    assert actions[:2] == ["login", "login_failed"]
    # throttled on the page too: after 5 failures the right password is refused as well
    for _ in range(5):
        at.text_input[0].input("mia")
        at.text_input[1].input("falsches-passwort")
        at.button[0].click().run()
    at.text_input[0].input("mia")
    at.text_input[1].input("ein-langes-passwort")
    at.button[0].click().run()
    assert "role" not in at.session_state
    assert [e.value for e in at.error] == [
        "Zu viele fehlgeschlagene Anmeldungen. Bitte in 15 Minuten erneut versuchen."]


def _texts(node) -> list[str]:
    out = []
    value = getattr(node, "value", None)
    if isinstance(value, str):
        out.append(value)
    if type(node).__name__ == "Metric":
        out.append(f"{node.label}: {node.value}")
    for child in getattr(node, "children", {}).values():
        out.extend(_texts(child))
    return out


SMALL_COUNT = re.compile(r"(?<![\d.,<])3(?![\d.,])[^.]{0,40}Meldung|Meldung[^.]{0,40}"
                         r"(?<![\d.,<])3(?![\d.,])")


@pytest.mark.parametrize("page", [p for p in PAGE_FILES if p not in ("admin.py",
                                                                     "anmelden.py")])
def test_public_never_sees_a_small_total(page, app_store):
    """Filtered to Graffiti (3 reports < k = 5), no page tells the public "3 Meldungen"."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(DASHBOARD, default_timeout=180)
    at.query_params["kategorie"] = "graffiti"
    at.run()
    if page != "ueberblick.py":
        at.switch_page(f"app_pages/{page}").run()
    assert not at.exception
    texts = _texts(at.main)
    assert texts, "page rendered nothing"
    assert [t for t in texts if SMALL_COUNT.search(t)] == []


def test_idle_session_ends_before_any_page_renders(app_store):
    import time

    from streamlit.testing.v1 import AppTest

    from reports.privacy.auth import add_user
    from reports.privacy.sessions import open_session

    add_user(app_store, "chefin", "ein-langes-passwort", Role.ADMIN)
    at = AppTest.from_file(DASHBOARD, default_timeout=180)
    at.session_state["auth_session"] = open_session(app_store, "chefin",
                                                    now=time.time() - 31 * 60)[0]
    at.run()
    assert "role" not in at.session_state and "auth_session" not in at.session_state
    assert any("Inaktivität" in w.value for w in at.sidebar.warning)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/admin.py")
