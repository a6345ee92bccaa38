"""Every page at 2,000 branches in real Chromium: it renders without an error, asks nothing of another
machine, and leaves a screenshot in tests/e2e/screenshots/<page>_2000.png for people to look at.

Building a 2,000-branch demo takes minutes on a busy machine: it is built once per run (the demo_2000
fixture, shared with the steering pack's test), or taken from ROLLOUT_E2E_BIG_DB; the server gets a copy."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ui.navigation import ALL_PAGES

from browser import (
    assert_no_exception,
    browser_page,
    charts_drawn,
    navigate,
    page_url,
    record_outside_requests,
    screenshot,
    streamlit_server,
    wait_for_app,
)

BRANCHES = 2000  # non-pilot branches: 2,001 with the pilot


@pytest.fixture(scope="module")
def big_url(demo_2000: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e-2000")
    path = folder / "rollout.duckdb"
    shutil.copy(demo_2000, path)
    with streamlit_server(path, folder / "log") as url:
        yield url


@pytest.mark.slow
def test_every_page_at_2000_branches(browser: object, big_url: str) -> None:
    """The first page from its link, the others from the sidebar's menu in the same tab and session (as a
    person goes through them; a new load of the app per page cost a second of Chromium's CPU each)."""
    outside: set[str] = set()
    shots: list[Path] = []
    with browser_page(browser, big_url) as tab:
        record_outside_requests(tab, outside)
        tab.set_viewport_size({"width": 1440, "height": 4000})  # the whole page in each picture
        for number, target in enumerate(ALL_PAGES):
            if number:
                navigate(tab, target.url_path, timeout=180_000)
            else:
                tab.goto(page_url(target.url_path))
                tab.locator(".st-key-as_of_picker").wait_for(timeout=180_000)
                wait_for_app(tab, timeout=180_000)
            charts_drawn(tab, timeout=180_000)
            assert_no_exception(tab)
            if target.url_path == "portfolio":
                # a page of the risk-first table, not 2,001 rows; the heatmap holds the 25 most at risk
                assert tab.get_by_text(re.compile(r"Branches 1 to 50 of 2,?001, risk first")).count() == 1
                assert tab.locator(".st-key-portfolio_top_n input").input_value() == "25"
            shots.append(screenshot(tab, f"{target.url_path}_{BRANCHES}"))
    assert [p.name for p in shots] == [f"{t.url_path}_{BRANCHES}.png" for t in ALL_PAGES]  # every page was opened
    assert not outside, sorted(outside)
    assert all(p.exists() and p.stat().st_size > 10_000 for p in shots)
