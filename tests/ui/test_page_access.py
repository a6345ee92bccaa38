"""The sign-in gate (ui/auth.py) and the Access page (pages/access.py), run through the real app.py.

AppTest seeds `st.user` from `at.user` and the secrets from `at.secrets`, so every state of the gate is
reached here with the real users table; the real provider's round trip is in tests/e2e/test_access_journeys.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rollout.core.access import LOCAL
from rollout.store.db import Database
from rollout.store.users import add_user, remove_user

from support import ROOT, every_tab, texts

AUTH = {"redirect_uri": "http://127.0.0.1:1/oauth2callback", "cookie_secret": "test-secret", "client_id": "rollout",
        "client_secret": "unused", "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}
NO_ACCESS = "You have no access yet — ask an administrator."


@pytest.fixture
def signed_in(sample_db_path: Path, monkeypatch: pytest.MonkeyPatch, crash_logs: Path):
    """Run app.py on a page with sign-in on, as this OpenID user (None: not signed in)."""
    from streamlit.testing.v1 import AppTest

    from ui.navigation import by_url_path

    monkeypatch.setenv("ROLLOUT_DB", str(sample_db_path))
    monkeypatch.setenv("ROLLOUT_ADMINS", "boss@acme.cn")

    def opener(page: str, user: dict[str, Any] | None, query: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        for name, value in (query or {}).items():
            at.query_params[name] = value
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
        at.session_state["as_of"] = date(2026, 11, 22)
        at.switch_page(by_url_path(page).file)
        at.run()
        assert not at.exception
        return at
    return opener


def audit_rows(path: Path, action: str) -> list[tuple]:
    with Database(path) as db:
        return db.rows("SELECT actor, table_name FROM audit_log WHERE action = ? ORDER BY audit_id", [action])


def test_not_signed_in_sees_only_the_sign_in_button(signed_in) -> None:
    at = signed_in("staffing", None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert at.title[0].value == "ERP rollout"
    assert not at.sidebar.date_input  # no filters, no page of the app
    assert not at.dataframe


def test_an_unknown_email_has_no_access_yet(signed_in, sample_db_path: Path) -> None:
    at = signed_in("portfolio", {"email": "Stranger@Acme.cn"})
    assert texts(at.warning) == [NO_ACCESS]
    assert "Signed in as stranger@acme.cn" in texts(at.markdown)
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and not at.metric
    assert audit_rows(sample_db_path, "login") == []


def test_no_email_claim_is_refused_with_its_own_page(signed_in) -> None:
    at = signed_in("portfolio", {"sub": "cio"})
    assert "carries no email address" in texts(at.warning)[0]
    assert not at.dataframe


def test_a_viewer_sees_the_pages_without_edit_controls(signed_in, sample_db_path: Path) -> None:
    with Database(sample_db_path) as db:
        add_user(db, LOCAL, "cio@acme.cn", "viewer", ["EAST"], name="CIO")
    at = signed_in("settings", {"email": "CIO@acme.cn"})
    assert at.session_state["_caller"].role == "viewer"
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "Signed in as cio@acme.cn · viewer · Regions EAST" in sidebar.replace("\\", "").replace("\u2060", "")
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert not [b for b in at.button if b.key == "backup_prepare"]
    assert audit_rows(sample_db_path, "login") == [("cio@acme.cn", "session")]
    at.run()  # a second run of the same session records no second login
    assert len(audit_rows(sample_db_path, "login")) == 1


# Buttons a viewer may press: signing out, opening a branch, and the planner's what-if (it writes nothing).
VIEWER_BUTTONS = {"sign_out", "portfolio_open", "plan_run"}
PAGES = [("portfolio", None), ("branch", {"branch": "B01"}), ("branch", {"branch": "B03"}), ("executives", None),
         ("steering", None), ("decisions", None), ("staffing", None), ("lessons", None), ("planning", None),
         ("data", None), ("settings", None)]


def controls(at: Any, page: str = "") -> tuple[set[str], set[str]]:
    """The button keys (form submits included) and the tab labels of a run, every lazy tab of the page opened
    in turn (only the open one is drawn)."""
    tabs = {t.label for t in at.tabs}
    return {b.key for run in every_tab(at, page) for b in run.button}, tabs


@pytest.mark.slow
@pytest.mark.parametrize(("page", "query"), PAGES, ids=[f"{p}-{(q or {}).get('branch', '')}" for p, q in PAGES])
def test_a_viewer_gets_no_edit_control_on_any_page(signed_in, sample_db_path: Path, page: str,
                                                   query: dict[str, str] | None) -> None:
    with Database(sample_db_path) as db:
        add_user(db, LOCAL, "cio@acme.cn", "viewer")
    buttons, tabs = controls(signed_in(page, {"email": "cio@acme.cn"}, query), page)
    assert buttons <= VIEWER_BUTTONS and "Edit" not in tabs


@pytest.mark.slow
def test_an_administrator_gets_the_edit_controls_a_viewer_does_not(signed_in) -> None:
    """The other side of the test above: the same pages as an administrator show their edit controls."""
    found: set[str] = set()
    for page, query in PAGES:
        buttons, tabs = controls(signed_in(page, {"email": "boss@acme.cn"}, query), page)
        found |= buttons | tabs
    assert {"checklist_save", "golive_entries_submit_B01", "golive_kickoff_submit_B03", "tp_submit", "snapshot_take",
            "decision_submit", "Edit", "lessons_status_submit", "problems_new_submit", "settings_save_Readiness",
            "backup_prepare"} <= found, sorted(found)


@pytest.mark.slow
def test_an_editor_of_one_region_edits_but_cannot_import_or_back_up(signed_in, sample_db_path: Path) -> None:
    with Database(sample_db_path) as db:
        add_user(db, LOCAL, "east@acme.cn", "editor", ["EAST"])
    assert "decision_submit" in controls(signed_in("decisions", {"email": "east@acme.cn"}))[0]
    assert "snapshot_take" in controls(signed_in("steering", {"email": "east@acme.cn"}))[0]  # of its own scope
    assert "backup_prepare" not in controls(signed_in("settings", {"email": "east@acme.cn"}))[0]
    data = signed_in("data", {"email": "east@acme.cn"})
    assert "Only an administrator may load a workbook." in texts(data.info)


@pytest.mark.slow
def test_the_access_page_is_for_administrators_only(signed_in, sample_db_path: Path) -> None:
    with Database(sample_db_path) as db:
        add_user(db, LOCAL, "hq@acme.cn", "editor")
    at = signed_in("access", {"email": "hq@acme.cn"})  # not offered to an editor: the default page opens
    assert at.title[0].value == "Portfolio"
    assert "Users" not in [h.value for h in at.subheader]


def test_a_bootstrap_admin_adds_a_user_and_sees_it_audited(signed_in, sample_db_path: Path) -> None:
    at = signed_in("access", {"email": "boss@acme.cn"})
    at.text_input(key="access_email").input("North.Lead@acme.cn")
    at.text_input(key="access_name").input("North lead")
    at.selectbox(key="access_role").select("editor")
    at.multiselect(key="access_regions").select("NORTH")
    at.button(key="access_add_submit").click().run()
    assert not at.exception
    assert "Added north.lead@acme.cn." in texts(at.success)
    with Database(sample_db_path) as db:
        assert db.rows("SELECT role, regions, created_by FROM users WHERE email = 'north.lead@acme.cn'") == [
            ("editor", "NORTH", "boss@acme.cn")]
    trail = at.dataframe[-1].value
    assert list(trail.columns)[:4] == ["When", "Who", "Action", "Table"]
    assert ("boss@acme.cn", "insert", "users") in set(zip(trail["Who"], trail["Action"], trail["Table"], strict=True))


def test_the_last_administrator_cannot_be_demoted(open_page, sample_db_path: Path) -> None:
    with Database(sample_db_path) as db:
        add_user(db, LOCAL, "only.admin@acme.cn", "admin")
    at = open_page("access")
    at.selectbox(key="access_pick").select("only.admin@acme.cn").run()
    at.selectbox(key="access_change_role_only_admin_acme_cn").select("viewer")
    at.button(key="access_change_submit").click().run()
    errors = texts(at.error)
    assert len(errors) == 1 and "last active administrator" in errors[0]
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT role FROM users WHERE email = 'only.admin@acme.cn'") == "admin"


def test_the_audit_trail_filters_by_person(open_page, sample_db_path: Path) -> None:
    with Database(sample_db_path) as db:
        add_user(db, LOCAL, "a@acme.cn", "viewer")
        total = db.scalar("SELECT count(*) FROM audit_log")
    at = open_page("access")
    assert len(at.dataframe[-1].value) == min(total, 5000)
    at.selectbox(key="audit_actor").select("local").run()
    assert set(at.dataframe[-1].value["Who"]) == {"local"}
    at.selectbox(key="audit_table").select("users").run()
    trail = at.dataframe[-1].value
    assert list(zip(trail["Who"], trail["Action"], trail["Table"], strict=True)) == [("local", "insert", "users")]
    assert '"a@acme.cn"' in trail["Row"].iloc[0]
    at.date_input(key="audit_dates").set_value((date(2020, 1, 1), date(2020, 1, 2))).run()
    assert at.date_input(key="audit_dates").value == (date(2020, 1, 1), date(2020, 1, 2))
    assert at.dataframe[-1].value.empty  # nothing was changed in those days


@pytest.mark.slow
def test_local_mode_says_sign_in_is_off(open_page) -> None:
    at = open_page("portfolio")
    assert any("Sign-in is off" in c.value for c in at.sidebar.caption)
    assert at.session_state["_caller"] == LOCAL
    assert not [b for b in at.sidebar.button if b.key == "sign_out"]


@pytest.mark.slow
def test_signing_out_is_recorded_and_forgets_the_caller(signed_in, sample_db_path: Path) -> None:
    at = signed_in("portfolio", {"email": "boss@acme.cn"})
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    assert audit_rows(sample_db_path, "logout") == [("boss@acme.cn", "session")]
    assert "_caller" not in at.session_state
    at.run()  # the next run of the session: signed out
    assert [b.label for b in at.button] == ["Sign in"]


@pytest.mark.slow
def test_a_deactivated_user_loses_access_on_the_next_run(signed_in, sample_db_path: Path) -> None:
    with Database(sample_db_path) as db:
        add_user(db, LOCAL, "cio@acme.cn", "viewer")
    at = signed_in("portfolio", {"email": "cio@acme.cn"})
    assert at.session_state["_caller"].role == "viewer"
    with Database(sample_db_path) as db:
        remove_user(db, LOCAL, "cio@acme.cn")
    at.run()
    assert texts(at.warning) == [NO_ACCESS] and not at.dataframe
