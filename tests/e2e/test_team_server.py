"""A team on one PostgreSQL store: two app replicas (two `streamlit run` processes) and the CLI at once.

Alice works in replica 1, Bob in replica 2, both on branch B03's checklist as of the sample's review
date; a nightly-style import runs from the command line meanwhile. Alice saves first; Bob's save,
made on the plan as he loaded it, is refused with the app's usual message; the import loads; each
replica's next page run shows the import (the caches follow the store); nothing is lost and no
process ever reports the store "in use".
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout.store.db import Database
from rollout.store.transfer import copy_between

from browser import assert_no_exception, open_app, screenshot, streamlit_server, wait_for_app, wait_for_text
from support import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def team_store(pg_server, sample_db_file: Path) -> Iterator[str]:
    """A server store holding the public sample."""
    url = pg_server.create_database()
    copy_between(sample_db_file, url)
    yield url
    pg_server.drop_database(url)


def open_checklist(page) -> object:
    """Branch B03's page with its checklist editor drawn; returns the editor's canvas."""
    open_app(page, "branch", branch="B03")
    canvas = page.locator('.st-key-checklist_editor [data-testid="data-grid-canvas"]')
    canvas.wait_for(timeout=120_000)
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    return canvas


def set_first_owner(page, canvas, owner: str) -> None:
    """Type a new owner into the first checklist row and commit it (the grid is a canvas: item, dimension
    and title as the sample's texts size them, then owner; the header row is 36 px, a row 35 px)."""
    box = canvas.bounding_box()
    editor = page.locator("textarea.gdg-input")
    for _attempt in range(3):  # a double click on a busy machine may land before the grid listens
        page.mouse.dblclick(box["x"] + 380, box["y"] + 36 + 17)
        try:
            editor.wait_for(timeout=20_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    editor.fill(owner)
    editor.press("Enter")
    editor.wait_for(state="detached")
    wait_for_app(page)  # the edit reached the app (a rerun): saving now saves it


def save(page) -> list[str]:
    page.locator(".st-key-checklist_save button").click()
    wait_for_text(page, re.compile("Saved|someone else changed"), timeout=120_000)
    return page.locator('[data-testid="stAlertContainer"]').all_inner_texts()


def has_region(page, code: str) -> bool:
    """Whether the sidebar's region filter offers this region (picked by typing it, as a user would)."""
    page.locator(".st-key-regions_picker input").click()
    page.keyboard.type(code)
    found = page.get_by_role("option", name=re.compile(code)).count() > 0
    page.keyboard.press("Escape")
    return found


def test_two_replicas_and_the_cli_share_one_store(team_store: str, browser, tmp_path: Path, pg_server) -> None:
    with Database(team_store) as db:
        assert not db.rows("SELECT 1 FROM regions WHERE region_code = 'TEAM'")
        item, owner_before = db.rows("SELECT item_code, owner FROM checklist WHERE branch_code = 'B03' "
                                     "ORDER BY item_code LIMIT 1")[0]
    workbook = tmp_path / "nightly"
    workbook.mkdir()
    (workbook / "regions.csv").write_text("region_code,region_name\nTEAM,Team region\n", encoding="utf-8")
    logs = [tmp_path / "replica1", tmp_path / "replica2"]  # log folders
    with streamlit_server(team_store, logs[0]) as one, streamlit_server(team_store, logs[1]) as two:
        sessions = []
        for url in (one, two):
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, base_url=url)
            context.set_default_timeout(120_000)
            sessions.append((context, context.new_page()))
        (_, alice), (_, bob) = sessions
        try:
            alice_grid, bob_grid = open_checklist(alice), open_checklist(bob)  # both see the plan as it is

            set_first_owner(alice, alice_grid, "alice-e2e")
            assert "Saved: 1 item(s) changed, 0 added." in save(alice)
            screenshot(alice, "team_replica1_saved")

            # the nightly import, from the command line, while both replicas are open
            nightly = subprocess.Popen([sys.executable, "-m", "rollout", "import", "--db", team_store, str(workbook)],
                                       cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

            set_first_owner(bob, bob_grid, "bob-e2e")
            refused = save(bob)
            assert any("someone else changed owner since you loaded it" in t for t in refused), refused
            assert not any(t.startswith("Saved") for t in refused)
            screenshot(bob, "team_replica2_refused")

            out, err = nightly.communicate(timeout=300)
            assert nightly.returncode == 0, err
            assert "in use" not in out + err and pg_server.PASSWORD not in out + err

            # each replica's next page run shows the import: the cache key comes from the store
            for page in (bob, alice):
                open_app(page, "portfolio")
                assert has_region(page, "TEAM")
                assert_no_exception(page)
            # Bob reloads the plan and makes his change on top of Alice's: now it is saved
            bob_grid = open_checklist(bob)
            set_first_owner(bob, bob_grid, "bob-e2e")
            assert "Saved: 1 item(s) changed, 0 added." in save(bob)
        finally:
            for context, _ in sessions:
                context.close()
    with Database(team_store) as db:
        assert db.scalar("SELECT owner FROM checklist WHERE branch_code = 'B03' AND item_code = ?", [item]) == "bob-e2e"
        # nothing lost: Alice's change, then Bob's on top of it, each audited once; the import is there
        assert db.rows("SELECT old_value, new_value FROM audit_log WHERE table_name = 'checklist' "
                       "ORDER BY audit_id") == [(owner_before, "alice-e2e"), ("alice-e2e", "bob-e2e")]
        assert db.scalar("SELECT region_name FROM regions WHERE region_code = 'TEAM'") == "Team region"
        assert db.scalar("SELECT count(*) FROM import_log WHERE file_name LIKE '%nightly%'") >= 1
    for log in logs:
        text = (log / "streamlit.log").read_text(encoding="utf-8")
        assert "in use" not in text and "Traceback" not in text and pg_server.PASSWORD not in text, text[-2000:]
