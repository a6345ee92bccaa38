"""Local mode (no [auth]) started on the network anyway (`--server.address 0.0.0.0`): this computer's
browser gets the app, another computer's gets a page saying that sign-in is off and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from browser import assert_no_exception, browser_page, network_address, streamlit_server, wait_for_app

pytestmark = pytest.mark.e2e
REFUSED = "Sign-in is off, so this app serves only the computer it runs on."


def test_a_visitor_from_another_computer_is_refused_while_sign_in_is_off(browser, sample_db_file: Path,
                                                                          tmp_path: Path) -> None:
    address = network_address()
    if address is None:
        pytest.skip("this computer has no network address besides loopback")
    db = tmp_path / "rollout.duckdb"
    shutil.copy(sample_db_file, db)
    with streamlit_server(db, tmp_path / "logs", address="0.0.0.0") as url:
        port = url.rsplit(":", 1)[1]
        with browser_page(browser, f"http://{address}:{port}") as page:  # as another computer reaches it
            page.goto("/portfolio")
            page.get_by_text(REFUSED).wait_for(timeout=90_000)
            assert_no_exception(page)
            assert not page.get_by_role("heading", name="Portfolio", exact=True).count()
            assert not page.locator('[data-testid="stSidebarNav"]').count()  # no page of the app is offered
        with browser_page(browser, url) as page:  # this computer
            page.goto("/portfolio")
            page.get_by_role("heading", name="Portfolio", exact=True).wait_for(timeout=90_000)
            wait_for_app(page)
            assert not page.get_by_text(REFUSED).count()
