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
from browser import (  # noqa: F401  (wait_for_app … re-exported for tests written before tests/browser.py)
    CHROMIUM,
    assert_no_exception,
    launch_chromium,
    open_app,
    screenshot,
    streamlit_server,
    wait_for_app,
    wait_for_text,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
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
    """A real streamlit server running app.py, terminated at the end of the session."""
    with open(tmp_path_factory.mktemp("e2e-log") / "streamlit.log", "w+", encoding="utf-8") as log, \
            streamlit_server({"ROLLOUT_DB": str(server_db)}, log) as url:
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
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  base_url=app_url)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
