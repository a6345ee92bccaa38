"""app.py's frame: filters from the URL (refused values replaced with a notice) and failures shown as a
message in place of an exception, on every page (ui/state.py, ui/router.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rollout.core.errors import DatabaseError
from ui.navigation import ALL_PAGES
from ui.state import LATEST, as_of_from_url, regions_from_url

from support import frame_with, texts

PAGES = [p.url_path for p in ALL_PAGES]
TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(("text", "expected", "notice"), [
    (None, TODAY, None), ("", TODAY, None), ("2026-11-22", date(2026, 11, 22), None),
    ("1990-01-01", date(1990, 1, 1), None), ("2100-12-31", LATEST, None),
    ("9999-12-31", TODAY, "outside 1990-01-01 to 2100-12-31"), ("0001-01-01", TODAY, "outside"),
    ("1989-12-31", TODAY, "outside"), ("2026-13-45", TODAY, "not a date"), ("yesterday", TODAY, "not a date"),
    ("x" * 10_000, TODAY, "not a date"),
])
def test_as_of_from_url(text, expected, notice) -> None:
    found, said = as_of_from_url(text, TODAY)
    assert found == expected
    assert (said is None) if notice is None else (notice in said and "showing today, 2026-11-30" in said)
    assert said is None or len(said) < 200  # a long value is cut short in the notice


def test_regions_from_url() -> None:
    assert regions_from_url(["EAST"], {"EAST", "WEST"}) == (["EAST"], None)
    kept, said = regions_from_url(["UNKNOWN", "EAST"], {"EAST"})
    assert kept == ["EAST"] and "UNKNOWN" in said and "showing the others" in said
    kept, said = regions_from_url(["UNKNOWN"], {"EAST"})
    assert kept == [] and "showing every region" in said


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "not-a-date"])
def test_a_link_with_a_refused_date_shows_today_with_a_notice(open_page, as_of: str) -> None:
    at = open_page("staffing", as_of=None, query={"as_of": as_of})
    assert not at.exception
    assert at.sidebar.date_input(key="as_of_picker").value == date.today()
    notices = texts(at.warning)
    assert any("as-of date" in n and "showing today" in n for n in notices), notices
    assert "as_of" not in at.query_params  # the link is corrected: today is the default
    assert at.title[0].value == "Staffing"


@pytest.mark.slow
def test_a_link_with_an_unknown_region_shows_every_region_with_a_notice(open_page) -> None:
    at = open_page("portfolio", as_of=None, regions=None, query={"region": "UNKNOWN", "as_of": "2026-11-22"})
    assert not at.exception
    assert any("region(s) that do not exist (UNKNOWN)" in n for n in texts(at.warning))
    assert at.sidebar.multiselect(key="regions_picker").value == []
    assert at.sidebar.date_input(key="as_of_picker").value == date(2026, 11, 22)
    assert "region" not in at.query_params
    assert len(frame_with(at, "top_reason")) == 12  # every branch of the sample


def test_a_link_with_a_known_region_filters_without_a_notice(open_page) -> None:
    at = open_page("staffing", as_of=None, regions=None, query={"region": "NORTH", "as_of": "2026-11-22"})
    assert not at.exception and not at.warning
    assert at.sidebar.multiselect(key="regions_picker").value == ["NORTH"]
    assert {m.label: m.value for m in at.metric}["Branches with an uncovered module"] == "2"  # B06, B09


@pytest.mark.parametrize("page", PAGES)
def test_an_unexpected_failure_is_one_line_naming_the_log(open_page, page: str, monkeypatch, crash_logs: Path) -> None:
    import streamlit as st

    def broken(*args, **kwargs):
        raise KeyError("internal detail 4711")

    monkeypatch.setattr(st, "title", broken)  # every page draws its title first
    at = open_page(page)
    assert not at.exception
    errors = texts(at.error)
    assert len(errors) == 1 and errors[0].startswith("Something went wrong on this page. The details were logged to "
                                                     f"{crash_logs}"), errors
    assert "4711" not in errors[0] and "Traceback" not in errors[0]
    assert at.sidebar.date_input(key="as_of_picker").value == date(2026, 11, 22)  # the frame is still there
    logs = list(crash_logs.glob("*.log"))
    assert len(logs) == 1 and "KeyError: 'internal detail 4711'" in logs[0].read_text(encoding="utf-8")
    logs[0].unlink()  # expected: the crash_logs fixture must not fail the test


@pytest.mark.parametrize("page", ["portfolio", "settings"])
def test_a_domain_error_shows_its_own_words(open_page, page: str, monkeypatch) -> None:
    import streamlit as st

    def refused(*args, **kwargs):
        raise DatabaseError("the database file is locked by another program")

    monkeypatch.setattr(st, "title", refused)
    at = open_page(page)
    assert not at.exception
    assert texts(at.error) == ["the database file is locked by another program"]


@pytest.mark.slow
def test_a_callback_failure_is_shown_by_the_next_run(open_page, monkeypatch, crash_logs: Path) -> None:
    from rollout.metrics import engagement

    def broken(*args, **kwargs):
        raise ZeroDivisionError("internal detail 4712")

    monkeypatch.setattr(engagement, "log_touchpoint", broken)  # the touchpoint form's callback calls it
    at = open_page("executives", as_of=None)
    at.button(key="tp_submit").click().run()
    assert not at.exception
    errors = texts(at.error)
    assert len(errors) == 1 and errors[0].startswith("Something went wrong on this page."), errors
    assert "4712" not in errors[0]
    logs = list(crash_logs.glob("*.log"))
    assert len(logs) == 1 and "callback save_touchpoint" in logs[0].read_text(encoding="utf-8")
    logs[0].unlink()
    at.run()
    assert not at.error  # shown once
