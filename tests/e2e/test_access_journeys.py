"""Sign-in journeys (ACCESS.md) in Chromium against a real OpenID Connect provider.

`python -m oidc_provider_mock` runs on a loopback port with one predefined user per journey (its
authorisation form has a button per user); a real `streamlit run app.py` gets an `[auth]` secrets file
pointing at it, on a private copy of the sample database whose users table holds a viewer and an editor
of one region; ROLLOUT_ADMINS names the administrator. No network beyond the loopback.
"""

from __future__ import annotations

import csv
import io
import shutil
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.core.access import LOCAL
from rollout.store.db import Database
from rollout.store.users import add_user

from browser import (
    assert_no_exception,
    browser_page,
    navigate,
    open_signed,
    screenshot,
    sign_in,
    signed_in_server,
    wait_for_app,
    wait_for_text,
)

USERS = {
    "viewer": {"sub": "viewer", "email": "CIO@acme.cn", "name": "CIO"},
    "editor": {"sub": "editor", "email": "east.lead@acme.cn", "name": "East lead"},
    "admin": {"sub": "admin", "email": "boss@acme.cn", "name": "Rollout lead"},
    "stranger": {"sub": "stranger", "email": "stranger@acme.cn"},
    "no-email": {"sub": "no-email", "name": "Nobody"},
}
# What a viewer may press besides downloads: signing out, opening a branch, the planner's what-if (it writes
# nothing), and their own reminders and language on Settings (every signed-in user's own, NOTIFY.md); everything
# else that writes is not drawn for them.
VIEWER_BUTTONS = {"Sign out", "Open", "Optimise the plan", "Save my reminders"}


@pytest.fixture(scope="module")
def signed_app(sample_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app with sign-in on (its URL) and its database."""
    folder = tmp_path_factory.mktemp("access-e2e")
    db_path = folder / "rollout.duckdb"
    shutil.copy(sample_db_file, db_path)
    with Database(db_path) as db:
        add_user(db, LOCAL, USERS["viewer"]["email"], "viewer", name="CIO")
        add_user(db, LOCAL, USERS["editor"]["email"], "editor", ["EAST"], name="East lead")
    with signed_in_server(db_path, folder, USERS.values(), "Boss@acme.cn") as url:
        yield url, db_path


@pytest.fixture
def tab(browser: object, signed_app: tuple[str, Path]) -> Iterator[object]:
    with browser_page(browser, signed_app[0]) as page:
        yield page


def buttons(page: object) -> set[str]:
    """The labels of every button on the page (main area and sidebar) but downloads, which write nothing."""
    return set(page.evaluate("""() => [...document.querySelectorAll('[data-testid="stApp"] button')]
        .filter(b => b.dataset.testid && b.dataset.testid.startsWith('stBaseButton')
                     && !b.closest('[data-testid="stDownloadButton"]'))
        .map(b => b.innerText.split('\\n').pop().trim()).filter(t => t)"""))


def test_a_visitor_sees_only_the_sign_in_page(tab: object) -> None:
    tab.goto("/staffing")
    tab.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
    wait_for_app(tab)
    assert tab.locator(".st-key-as_of_picker").count() == 0
    assert tab.locator('[data-testid="stDataFrame"]').count() == 0
    screenshot(tab, "access_sign_in")


def test_an_unknown_email_has_no_access_yet(tab: object) -> None:
    sign_in(tab, "stranger")
    wait_for_text(tab, "You have no access yet")
    assert "stranger@acme.cn" in tab.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
    assert tab.locator(".st-key-as_of_picker").count() == 0 and tab.locator('[data-testid="stDataFrame"]').count() == 0
    screenshot(tab, "access_no_access")


def test_a_sign_in_without_an_email_claim_is_refused(tab: object) -> None:
    sign_in(tab, "no-email")
    wait_for_text(tab, "carries no email address")
    assert tab.locator('[data-testid="stDataFrame"]').count() == 0


def test_a_viewer_sees_every_page_without_an_edit_control(tab: object) -> None:
    sign_in(tab, "viewer")
    sidebar = tab.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Signed in as").wait_for()
    assert "cio@acme.cn · viewer · All regions" in sidebar.inner_text().replace("\u2060", "")
    assert sidebar.get_by_text("Access", exact=True).count() == 0  # the Access page is not offered
    # every page is covered by tests/ui/test_page_access.py; here the ones with the most edit controls
    open_signed(tab, "branch?branch=B01")  # the others from the sidebar's menu, in the same session
    for path in ("branch", "staffing", "data", "settings"):
        if path != "branch":
            navigate(tab, path)
        assert_no_exception(tab)
        assert buttons(tab) <= VIEWER_BUTTONS, (path, buttons(tab) - VIEWER_BUTTONS)
        assert tab.locator('[data-testid="stFileUploader"], [data-testid="stDataFrameGlideDataEditor"]').count() == 0
    screenshot(tab, "access_viewer_settings")


def test_an_administrator_adds_a_user_changes_a_role_and_reads_the_audit_trail(
        tab: object, signed_app: tuple[str, Path]) -> None:
    sign_in(tab, "admin")
    open_signed(tab, "access")
    tab.locator(".st-key-access_email input").fill("north.lead@acme.cn")
    tab.locator(".st-key-access_name input").fill("North lead")
    tab.locator(".st-key-access_add_submit button").click()
    wait_for_text(tab, "Added north.lead")  # (an address is drawn with a word joiner before its @)
    tab.locator(".st-key-access_pick input").click()
    tab.keyboard.type("north.lead@acme.cn")
    tab.keyboard.press("Enter")
    wait_for_app(tab)
    tab.locator(".st-key-access_change_role_north_lead_acme_cn input").click()
    tab.keyboard.type("editor")
    tab.keyboard.press("Enter")
    tab.locator(".st-key-access_change_submit button").click()
    wait_for_text(tab, "Changed north.lead")
    assert_no_exception(tab)
    screenshot(tab, "access_admin_page")
    users = downloaded(tab, "access_users")
    assert {"Email": "north.lead@acme.cn", "Name": "North lead", "Role": "editor", "Regions": "*",
            "Added by": "boss@acme.cn"}.items() <= next(u for u in users if u["Email"] == "north.lead@acme.cn").items()
    trail = downloaded(tab, "access_audit")
    assert list(trail[0])[:4] == ["When", "Who", "Action", "Table"]
    done = [(r["Who"], r["Action"], r["Table"]) for r in trail]
    assert done[:2] == [("boss@acme.cn", "update", "users"), ("boss@acme.cn", "insert", "users")]
    assert ("boss@acme.cn", "login", "session") in done


def downloaded(page: object, key: str) -> list[dict[str, str]]:
    """The rows of the CSV download beside the table with this key."""
    with page.expect_download() as download:
        page.locator(f".st-key-{key}_download button").click()
    return list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))


EAST = {"PIL", "B01", "B04", "B07", "B10"}  # the sample's branches of region EAST


def test_an_editor_of_one_region_sees_and_edits_only_its_branches(tab: object) -> None:
    sign_in(tab, "editor")
    open_signed(tab, "")
    sidebar = tab.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")
    assert "east.lead@acme.cn · editor · Regions EAST" in sidebar
    rows = downloaded(tab, "portfolio_table")
    column = next(c for c in rows[0] if c.lower() in ("branch", "branch_code"))
    assert {r[column] for r in rows} == EAST
    navigate(tab, "data")
    with tab.expect_download() as download:
        tab.locator(".st-key-export_zip button").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        branches = list(csv.DictReader(io.StringIO(archive.read("branches.csv").decode("utf-8-sig"))))
    assert {b["branch_code"] for b in branches} == EAST and {b["region_code"] for b in branches} == {"EAST"}
    open_signed(tab, "branch?branch=B02")  # a branch of WEST: it does not exist for this editor
    wait_for_text(tab, "There is no branch B02")
    shown = urllib.parse.parse_qs(urllib.parse.urlparse(tab.url).query)["branch"]  # the page writes its branch
    assert len(shown) == 1 and shown[0] in EAST, tab.url
    assert tab.locator(".st-key-checklist_save").count() == 1  # an editor edits its own region's plan
    screenshot(tab, "access_editor_branch_not_found")


def test_signing_out_ends_the_session(tab: object) -> None:
    sign_in(tab, "viewer")
    tab.locator(".st-key-sign_out button").click()
    end = tab.get_by_role("button", name="End session")  # the provider's own sign-out page
    end.wait_for(timeout=60_000)
    end.click()
    tab.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
    wait_for_app(tab)
    assert tab.locator(".st-key-as_of_picker").count() == 0
    tab.goto("/staffing")  # the cookie is gone: a page address asks for a sign-in again
    tab.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
    screenshot(tab, "access_signed_out")
