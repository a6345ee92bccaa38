"""A real `streamlit run app.py` server and Debian's Chromium: shared by the browser tests and bench/browser.py.

Plain functions only (the pytest fixtures that use them live in tests/e2e/conftest.py), so a benchmark
can start the same server and drive the same browser without importing a test module.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
AS_OF = "2026-11-22"  # the sample's second review date: every figure of the journeys is as of it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


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


@contextmanager
def streamlit_server(env: dict[str, str], log: IO[str]) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port with these extra environment variables; yields its URL."""
    port = free_port()
    full_env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
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


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with no background traffic (the machine has no internet)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_for_app(page: Any, timeout: float = 45_000) -> None:
    """Until the script has finished running and nothing is left spinning."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)  # let the last delta render
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def wait_for_text(page: Any, text: str, timeout: float = 45_000) -> None:
    """Until an alert (success, error, info...) holding this text is on the page: a click's rerun may not
    have started yet when the script state is read, so a result is awaited by its own text."""
    page.locator('[data-testid="stAlertContainer"]', has_text=text).first.wait_for(timeout=timeout)
    wait_for_app(page)


def page_url(path: str, **params: str | None) -> str:
    """The app-relative URL of a page (the default page lives at the root)."""
    path = "" if path == "portfolio" else path
    return f"/{path}?" + "&".join(f"{k}={v}" for k, v in params.items() if v is not None)


def open_app(page: Any, path: str, **params: str | None) -> None:
    """Open a page of the app (as of the sample's review date unless told otherwise) and wait for it."""
    page.goto(page_url(path, **{"as_of": AS_OF, **params}))
    # routed through app.py: its sidebar filter is there (the first visit after a server start reruns once)
    page.locator(".st-key-as_of_picker").wait_for(timeout=45_000)
    wait_for_app(page)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(page: Any) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()[:2000]
