"""Every page renders on the sample database without an exception or an error message, through app.py."""

from __future__ import annotations

from datetime import date

import pytest

from ui.navigation import ALL_PAGES

PAGES = [p.url_path for p in ALL_PAGES]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_renders(open_page, page: str) -> None:
    at = open_page(page)  # an unexpected failure is logged: the crash_logs fixture fails the test
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a title"
    assert at.sidebar.date_input(key="as_of_picker").value == date(2026, 11, 22)  # routed through app.py's sidebar


def test_second_run_keeps_the_router(open_page) -> None:
    """Every rerun goes through app.py (Streamlit would otherwise run a page of pages/ alone)."""
    at = open_page("methodology")
    at.run()
    assert at.sidebar.multiselect(key="regions_picker").value == []
    assert not at.exception
    picker = at.sidebar.multiselect(key="regions_picker")
    assert len(picker.options) == 3 and picker.value == []  # the sample's three regions, none chosen
    assert at.sidebar.date_input(key="as_of_picker").value == date(2026, 11, 22)
