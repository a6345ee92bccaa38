"""Browser journeys: a real `streamlit run app.py` server on a free loopback port, driven by Chromium.

The server runs on a private copy of the sample database (ROLLOUT_DB); each test gets a fresh
browser page. Screenshots go to tests/e2e/screenshots/<name>.png (git-ignored) for people to look at.
Skipped, with the reason, when /usr/bin/chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
AS_OF = "2026-11-22"  # the sample's second review date: every figure of the journeys is as of it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")


@pytest.fixture(scope="session")
def server_db(sample_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's database: a private copy of the sample (journeys write to it)."""
    path = tmp_path_factory.mktemp("e2e") / "rollout.duckdb"
    shutil.copy(sample_db_file, path)
    return path


@contextmanager
def streamlit_server(location: str, log_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port with ROLLOUT_DB=location; yields its URL, stops it after."""
    port = free_port()
    log = open(log_path, "w+", encoding="utf-8")  # noqa: SIM115
    env = {**os.environ, "ROLLOUT_DB": location, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, proc)
        except RuntimeError as exc:
            log.seek(0)
            raise RuntimeError(f"{exc}\n{log.read()[-3000:]}") from None
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def app_url(server_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real streamlit server running app.py, terminated at the end of the session."""
    with streamlit_server(str(server_db), tmp_path_factory.mktemp("e2e-log") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
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


def wait_for_app(page: object, timeout: float = 45_000) -> None:
    """Until the script has finished running and nothing is left spinning."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)  # let the last delta render
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def wait_for_text(page: object, text: str, timeout: float = 45_000) -> None:
    """Until an alert (success, error, info...) holding this text is on the page: a click's rerun may not
    have started yet when the script state is read, so a result is awaited by its own text."""
    page.locator('[data-testid="stAlertContainer"]', has_text=text).first.wait_for(timeout=timeout)
    wait_for_app(page)


def open_app(page: object, path: str, **params: str) -> None:
    """Open a page of the app (as of the sample's review date unless told otherwise) and wait for it."""
    query = {"as_of": AS_OF, **params}
    path = "" if path == "portfolio" else path  # the default page lives at the root url
    page.goto(f"/{path}?" + "&".join(f"{k}={v}" for k, v in query.items() if v is not None))
    # routed through app.py: its sidebar filter is there (the first visit after a server start reruns once)
    page.locator(".st-key-as_of_picker").wait_for(timeout=45_000)
    wait_for_app(page)


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(page: object) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()[:2000]
