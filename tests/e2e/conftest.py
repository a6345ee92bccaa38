"""Browser journeys: a real `streamlit run app.py` server on a free loopback port, driven by Chromium.

The server runs on a private copy of the sample database (ROLLOUT_DB); each test gets a fresh
browser page. Screenshots go to tests/e2e/screenshots/<name>.png (git-ignored) for people to look at.
Skipped, with the reason, when /usr/bin/chromium or Playwright is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import CHROMIUM, browser_page, launch_chromium, streamlit_server


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are marked e2e and run on one xdist worker (one server, one Chromium, one at a time)."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install Debian's chromium to run the browser journeys)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright python package is not installed"
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("browser"))
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def server_db(sample_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's database: a private copy of the sample (journeys write to it)."""
    path = tmp_path_factory.mktemp("e2e") / "rollout.duckdb"
    shutil.copy(sample_db_file, path)
    return path


@pytest.fixture(scope="session")
def app_url(server_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real streamlit server running app.py for the whole session (the journeys share it)."""
    with streamlit_server(server_db, tmp_path_factory.mktemp("e2e-log")) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[object]:
    with browser_page(browser, app_url) as tab:
        yield tab
