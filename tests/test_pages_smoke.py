"""Every page renders on the sample database without an exception."""

from __future__ import annotations

import pytest

PAGES = ["portfolio", "branch", "executives", "steering", "decisions", "staffing", "lessons", "planning", "data",
         "methodology", "settings"]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(open_page, page: str) -> None:
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"
