"""A deep link is the first visit of a fresh server: /staffing?region=EAST must open the Staffing page
through app.py (navigation, sidebar, filters), not pages/staffing.py alone (ui/router.py says why)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from rollout.metrics import staffing
from rollout.store.db import Database

from browser import assert_no_exception, browser_page, metric, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.e2e


def test_a_deep_link_opened_first_on_a_fresh_server_has_its_filters(browser, sample_db_file: Path,
                                                                      tmp_path: Path) -> None:
    db = tmp_path / "rollout.duckdb"
    shutil.copy(sample_db_file, db)
    with Database(db) as handle:  # what the page must show: the EAST branches' staffing headline
        branches = staffing.branch_staffing(handle, date(2026, 11, 22))
        expected = staffing.staffing_kpis(branches[branches["region_code"] == "EAST"])
        everywhere = staffing.staffing_kpis(branches)
    assert expected != everywhere  # the filter changes what is shown
    with streamlit_server(db, tmp_path / "logs") as url, browser_page(browser, url) as page:
        page.goto("/staffing?region=EAST&as_of=2026-11-22")  # nothing has been opened on this server before
        page.get_by_role("heading", name="Staffing", exact=True).wait_for(timeout=60_000)
        page.locator(".st-key-regions_picker").wait_for()  # routed: app.py drew the sidebar
        wait_for_app(page)
        assert_no_exception(page)
        assert "/staffing" in page.url and "region=EAST" in page.url and "as_of=2026-11-22" in page.url
        # the picker is drawn from the session's filters; on a busy machine its chip may follow the heading
        page.locator(".st-key-regions_picker [data-tag]").first.wait_for(timeout=30_000)
        chosen = page.locator(".st-key-regions_picker [data-tag]").all_inner_texts()
        assert chosen == ["EAST · 华东区"], chosen
        assert page.locator(".st-key-as_of_picker input").input_value() == "2026-11-22"
        assert page.get_by_text("As of 2026-11-22 · regions EAST").is_visible()
        assert metric(page, "Branches with an uncovered module") == expected["branches_with_uncovered_module"]
        assert metric(page, "Over-allocated people") == expected["over_allocated_people"]
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Launch planning").is_visible()
        screenshot(page, "deep_link_staffing_east")


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "garbage"])
def test_a_link_with_a_refused_date_opens_today_with_a_notice(page, as_of: str) -> None:
    page.goto(f"/branch?as_of={as_of}&region=UNKNOWN")
    page.locator(".st-key-as_of_picker").wait_for(timeout=90_000)
    wait_for_app(page)
    assert_no_exception(page)
    notices = page.locator('[data-testid="stAlertContainer"]').all_inner_texts()
    assert any("as-of date" in n and f"showing today, {date.today().isoformat()}" in n for n in notices), notices
    assert any("UNKNOWN" in n and "showing every region" in n for n in notices), notices
    assert page.locator(".st-key-as_of_picker input").input_value() == date.today().isoformat()
    assert "as_of=" not in page.url and "region=" not in page.url  # the link is corrected


def test_the_default_page_answers_at_its_name_too(page) -> None:
    """/portfolio opens the Portfolio, as / does, without Streamlit's "Page not found" (issue 24)."""
    for path in ("/portfolio?as_of=2026-11-22", "/?as_of=2026-11-22"):
        page.goto(path)
        page.get_by_role("heading", name="Portfolio", exact=True).wait_for(timeout=90_000)
        wait_for_app(page)
        assert_no_exception(page)
        assert not page.get_by_text("Page not found").count()
        assert not page.get_by_text("You have requested page").count()
        assert page.url.split("?")[0].endswith(path.split("?")[0])  # not sent back to the root as a page not found
    # the menu lists the Portfolio once
    menu = page.locator('[data-testid="stSidebarNav"]').get_by_text("Portfolio", exact=True)
    assert menu.count() == 1
