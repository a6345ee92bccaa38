"""From kick-off to acceptance, in real Chromium against a real streamlit server on a copy of the sample:

(a) the team records a kick-off held on a Saturday afternoon and sees both findings;
(b) the team logs a day's document entries at a live branch;
(c) the CIO accepts a branch and sees it leave the Portfolio's "ready for acceptance" list.
"""

from __future__ import annotations

import pytest

from browser import assert_no_exception, navigate, open_app, screenshot, wait_for_app, wait_for_text

pytestmark = pytest.mark.e2e


def type_into(page, key: str, text: str) -> None:
    """Type into the text or number input with this widget key, replacing what is there (Tab, not Enter:
    Enter would submit the form)."""
    field = page.locator(f".st-key-{key} input")
    field.fill(text)
    field.press("Tab")


def type_segments(page, key: str, first: str, digits: str) -> None:
    """Type a date (YYYYMMDD, first="year") or a time (HHMM, first="hour") into a st.date_input /
    st.time_input: its fields are segments that move on by themselves as the digits come."""
    page.locator(f".st-key-{key} [data-type={first}]").click()
    page.keyboard.type(digits)
    page.keyboard.press("Tab")


def alerts(page) -> list[str]:
    return page.locator('[data-testid="stAlertContainer"]').all_text_contents()


def test_team_records_a_kickoff_on_a_saturday_afternoon(page) -> None:
    open_app(page, "branch", branch="B09")  # B09: no kick-off recorded yet, peak season in September
    page.get_by_text("No kick-off meeting is recorded for this branch.").wait_for()
    type_segments(page, "golive_kickoff_held_on_B09", "year", "20261121")  # a Saturday
    type_segments(page, "golive_kickoff_start_B09", "hour", "1400")
    page.locator(".st-key-golive_kickoff_committee_B09 label").click()
    page.locator(".st-key-golive_kickoff_rewards_B09 label").click()
    type_into(page, "golive_kickoff_ref_B09", "minutes/B09-kickoff.pdf")
    page.locator(".st-key-golive_kickoff_submit_B09 button").click()
    wait_for_text(page, "Kick-off of B09 on 2026-11-21 saved.")
    assert any(t.endswith("Kick-off findings: weekend, afternoon.") for t in alerts(page)), alerts(page)
    assert page.get_by_text("Held on 2026-11-21 (Saturday) · start 14:00").count() == 1
    assert_no_exception(page)
    screenshot(page, "journey_kickoff_recorded")


def test_team_logs_a_days_entries(page) -> None:
    open_app(page, "branch", branch="B01")
    page.get_by_role("heading", name="Since go-live").wait_for()
    type_into(page, "golive_entries_documents_B01", "120")
    type_into(page, "golive_entries_same_day_B01", "120")
    page.locator(".st-key-golive_entries_submit_B01 button").click()
    wait_for_text(page, "Entries of B01 on 2026-11-22 saved: 120 of 120 entered the same day.")
    assert_no_exception(page)
    screenshot(page, "journey_entries_logged")


def test_cio_accepts_a_branch_and_it_leaves_the_ready_list(page) -> None:
    open_app(page, "portfolio")
    ready = page.locator(".st-key-live_ready_list")
    ready.wait_for()
    assert "B01 · 天津分公司: ready" in ready.text_content()
    screenshot(page, "journey_live_branches")
    open_app(page, "branch", branch="B01")
    type_segments(page, "golive_accept_on_B01", "year", "20261122")
    page.locator(".st-key-golive_accept_submit_B01 button").click()
    wait_for_text(page, "Acceptance of B01 saved: accepted on 2026-11-22.")
    assert_no_exception(page)
    navigate(page, "portfolio")  # from the sidebar's menu: the same session runs the page again
    ready = page.locator(".st-key-live_ready_list")
    ready.wait_for()
    wait_for_app(page)
    assert "B01" not in ready.text_content()
    assert_no_exception(page)
    screenshot(page, "journey_accepted")
