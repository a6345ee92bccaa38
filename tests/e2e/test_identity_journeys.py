"""Issue 24, items 1-3, in Chromium against a real OpenID provider and a real `streamlit run app.py`.

A regional editor and a regional viewer open every page and tab and click every download button: no file
(CSV, xlsx, pptx, html, zip) names a branch, executive or person of another region. A viewer deactivated
between two clicks of the same open page gets nothing from the second; a sign-out in one tab refuses the
browser's other tab on its next interaction. One browser (context) for the module, as one person's laptop:
its tabs share the sign-in cookie.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.core.access import LOCAL
from rollout.store.db import Database
from rollout.store.users import add_user
from ui.navigation import ALL_PAGES

from browser import (
    assert_no_exception,
    browser_context,
    choose,
    navigate,
    open_signed,
    screenshot,
    sign_in,
    signed_in_server,
    wait_for_app,
    wait_for_text,
)
from support import file_text, names_in, outside_names

USERS = {
    "east-editor": {"sub": "east-editor", "email": "east.lead@acme.cn", "name": "East lead"},
    "north-viewer": {"sub": "north-viewer", "email": "north.viewer@acme.cn", "name": "North viewer"},
    "admin": {"sub": "admin", "email": "boss@acme.cn", "name": "Rollout lead"},
}
PAGES = [p.url_path for p in ALL_PAGES if p.needs is None]  # what an editor or a viewer is offered
PACK = re.compile(r"steering_pack_.*\.(pptx|xlsx|html)$")


@pytest.fixture(scope="module")
def signed_app(sample_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with sign-in on, on a private copy of the sample with an EAST editor and a NORTH viewer."""
    folder = tmp_path_factory.mktemp("identity-e2e")
    db_path = folder / "rollout.duckdb"
    shutil.copy(sample_db_file, db_path)
    with Database(db_path) as db:
        add_user(db, LOCAL, USERS["east-editor"]["email"], "editor", ["EAST"], name="East lead")
        add_user(db, LOCAL, USERS["north-viewer"]["email"], "viewer", ["NORTH"], name="North viewer")
    with signed_in_server(db_path, folder, USERS.values(), "boss@acme.cn") as url:
        yield url


@pytest.fixture(scope="module")
def context(browser: object, signed_app: str) -> Iterator[object]:
    with browser_context(browser, signed_app) as one_browser:
        yield one_browser


@pytest.fixture(scope="module")
def tab(context: object) -> object:
    return context.new_page()


@pytest.fixture(scope="module")
def hidden(sample_db_file: Path) -> dict[str, set[str]]:
    """Per region: the names its callers must never read (from the sample the server's store was copied from).
    The pilot's code is not among them: its lessons are everyone's (ACCESS.md), and name it as their source."""
    with Database(sample_db_file, read_only=True) as db:
        pilot = db.scalar("SELECT branch_code FROM branches WHERE is_pilot")
        return {region: outside_names(db, {region}) - {pilot} for region in ("EAST", "NORTH")}


def open_expanders(page: object) -> None:
    for summary in page.locator('[data-testid="stMain"] details:not([open]) > summary').all():
        if summary.is_visible():
            summary.click()


def click_downloads(page: object, where: str, files: dict[str, bytes]) -> None:
    """Click every download button of the page as it is drawn now (by widget key: a click's rerun may redraw
    the page); keep each file by where and name."""
    open_expanders(page)
    keys = page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stDownloadButton"]')]
        .map(b => [...(b.closest('[class*="st-key-"]') || b).classList].find(c => c.startsWith('st-key-')))
        .filter(k => k)""")
    for key in keys:
        button = page.locator(f".{key} button").first
        if not button.is_visible():  # in a tab not open now: clicked when its tab is
            continue
        with page.expect_download(timeout=180_000) as download:
            button.click()
        files[f"{where}: {download.value.suggested_filename}"] = Path(download.value.path()).read_bytes()
        wait_for_app(page)


def every_download(page: object, branch: str) -> dict[str, bytes]:
    """Every page and every tab of it, every download button clicked: the files by where and name. The first
    page from a link (the journeys' as-of date), the others from the sidebar's menu in the same session."""
    files: dict[str, bytes] = {}
    open_signed(page, "")  # the default page answers at the root: /portfolio opens on "Page not found"
    for path in PAGES:
        if path != "portfolio":
            navigate(page, path)
        assert "as_of=2026-11-22" in page.url, page.url  # the session's as-of, written back to every page's URL
        if path == "branch":
            choose(page, "branch_select", branch)
            page.locator('[data-testid="stHeading"]', has_text=f"{branch} · ").wait_for()
        assert_no_exception(page)
        click_downloads(page, path, files)
        tabs = page.locator('[data-testid="stMain"] [role="tab"]')
        for number in range(1, tabs.count()):  # the first tab is open already
            tabs.nth(number).click()
            wait_for_app(page)
            assert_no_exception(page)
            click_downloads(page, f"{path} tab {number}", files)
    return files


def assert_only_region(files: dict[str, bytes], hidden: set[str]) -> None:
    leaks = {where: sorted(names_in(file_text(data), hidden)) for where, data in files.items()}
    assert {where: names for where, names in leaks.items() if names} == {}
    assert len([name for name in files if PACK.search(name)]) == 3, sorted(files)  # the pack in its three formats
    assert any(name.endswith("rollout_export.zip") for name in files), sorted(files)


def sign_out(page: object) -> None:
    """The sidebar's Sign out, through the provider's own end-session page, back to the app's sign-in page."""
    page.locator(".st-key-sign_out button").click()
    end = page.get_by_role("button", name="End session")
    end.wait_for(timeout=60_000)
    end.click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
    wait_for_app(page)


def test_an_editor_of_one_region_downloads_only_its_region(tab: object, hidden: dict[str, set[str]]) -> None:
    sign_in(tab, "east-editor")
    files = every_download(tab, "B01")
    assert_only_region(files, hidden["EAST"])
    assert len(files) > 30, sorted(files)  # every table's CSV, the exports, the pack


def test_a_viewer_of_one_region_downloads_only_its_region(tab: object, hidden: dict[str, set[str]]) -> None:
    sign_out(tab)
    sign_in(tab, "north-viewer")
    files = every_download(tab, "B03")
    assert_only_region(files, hidden["NORTH"])
    screenshot(tab, "identity_viewer_downloads")


def pack_button(page: object) -> object:
    return page.locator(".st-key-pack_xlsx button")


def test_a_viewer_deactivated_between_two_clicks_gets_nothing(context: object, tab: object) -> None:
    context.clear_cookies()
    sign_in(tab, "north-viewer")
    open_signed(tab, "steering")
    with tab.expect_download(timeout=180_000):
        pack_button(tab).click()
    admin = context.new_page()
    context.clear_cookies()  # the admin signs in on the same browser: the viewer's open tab keeps its session
    sign_in(admin, "admin")
    open_signed(admin, "access")
    admin.locator(".st-key-access_pick input").click()
    admin.keyboard.type("north.viewer@acme.cn")
    admin.keyboard.press("Enter")
    wait_for_app(admin)
    admin.locator(".st-key-access_deactivate button").click()
    wait_for_text(admin, "Deactivated north.viewer")
    downloads: list[object] = []
    tab.on("download", lambda download: downloads.append(download))
    pack_button(tab).click()  # the same open page, the same button: refused when the click comes
    tab.get_by_text("Failed to generate file").first.wait_for(timeout=60_000)
    tab.wait_for_timeout(2_000)
    assert downloads == []
    screenshot(tab, "identity_deactivated_download")
    choose(tab, "regions_picker", "NORTH")  # the next interaction with the page: no access
    wait_for_text(tab, "You have no access yet")


def test_signing_out_in_one_tab_refuses_the_other(context: object) -> None:
    first, second = context.new_page(), context.new_page()  # two tabs of one browser, one sign-in
    context.clear_cookies()
    sign_in(first, "admin")
    open_signed(second, "access")
    second.locator(".st-key-access_email input").fill("late@acme.cn")
    sign_out(first)
    second.locator(".st-key-access_add_submit button").click()  # acts after the sign-out: refused
    second.get_by_text("You signed out of this browser in another tab").wait_for(timeout=90_000)
    wait_for_app(second)
    assert second.locator(".st-key-access_email").count() == 0
    screenshot(second, "identity_signed_out_elsewhere")
    second.get_by_role("button", name="Sign in").click()  # signing in again: a new identity, let in
    second.get_by_role("button", name="admin", exact=True).click()
    second.wait_for_url("**/", timeout=60_000)
    open_signed(second, "access")
    with second.expect_download() as download:  # the users table's CSV: the refused form added nobody
        second.locator(".st-key-access_users_download button").click()
    users = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "north.viewer@acme.cn" in users and "late@acme.cn" not in users
