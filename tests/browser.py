"""A real `streamlit run app.py` server and Debian's Chromium: shared by the browser tests and bench/browser.py.

Plain functions only (the pytest fixtures that use them live in tests/e2e/conftest.py), so the browser
tests import helpers from here rather than from a test module, and a benchmark can start the same
server and drive the same browser.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


def network_address() -> str | None:
    """This computer's address on its network (None: it has none besides loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


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
def streamlit_server(db: Path | str, log_folder: Path, port: int | None = None, secrets: Path | None = None,
                     env: dict[str, str] | None = None, address: str = "127.0.0.1") -> Iterator[str]:
    """A new `streamlit run app.py` process on a loopback port (free unless told), on this store (a file or a
    postgresql:// URL), with this secrets file (sign-in) and extra environment; its URL. Every
    server is a fresh process: its first visit is the first since a server start. address: where it
    listens (0.0.0.0: on the network too; the URL stays the loopback one)."""
    with streamlit_process(db, log_folder, port, secrets, env, address) as (url, _):
        yield url


@contextmanager
def streamlit_process(db: Path | str, log_folder: Path, port: int | None = None, secrets: Path | None = None,
                      env: dict[str, str] | None = None,
                      address: str = "127.0.0.1") -> Iterator[tuple[str, subprocess.Popen]]:
    """streamlit_server's process and URL (a benchmark reads the process's memory)."""
    chosen = port
    log_folder.mkdir(parents=True, exist_ok=True)
    log = open(log_folder / "streamlit.log", "w+", encoding="utf-8")  # noqa: SIM115
    env = {**os.environ, "ROLLOUT_DB": str(db), "ROLLOUT_LOG_DIR": str(log_folder),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    for attempt in range(3):  # a free port may be taken meanwhile by another process (an xdist worker)
        port = chosen or free_port()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                 "--server.address", address, "--server.headless", "true",
                                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                                 *(["--secrets.files", str(secrets)] if secrets else [])],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            break
        except RuntimeError as exc:
            log.seek(0)
            said = log.read()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if chosen or "already in use" not in said or attempt == 2:
                log.close()
                raise RuntimeError(f"{exc}\n{said[-3000:]}") from None
            log.seek(0)
            log.truncate()
    try:
        yield url, proc
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen) -> None:
    """End a server process: asked first, killed when it does not go within 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def browser_context(browser: object, url: str) -> Iterator[object]:
    """A new browser context (its own cookies: one browser of one person) on the app at url; its tabs
    (context.new_page()) share its cookies, as the tabs of one browser do."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, base_url=url)
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def browser_page(browser: object, url: str) -> Iterator[object]:
    """A new browser tab (in its own context: no shared cookies or session) on the app at url."""
    with browser_context(browser, url) as context:
        yield context.new_page()


def wait_for_app(page: object, timeout: float = 90_000) -> None:
    """Until the script has finished running and nothing is left spinning."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    # let the last delta render, and catch a rerun the finished run asked for (a query parameter written back):
    # the browser asks within a round trip on loopback. 150 ms, not 300: the browser tests run on one worker, and
    # while it waits the second core idles (about 500 waits a run)
    page.wait_for_timeout(150)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def charts_drawn(page: object, timeout: float = 120_000) -> None:
    """Until every plotly chart element on the page holds its drawn SVG."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(el => el.querySelector('.main-svg'))""", timeout=timeout)


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def record_outside_requests(page: object, outside: set[str]) -> None:
    """Add to `outside` every URL this tab requests from another machine (the app must work on an intranet)."""
    page.on("request", lambda request: outside.add(request.url)
            if urllib.parse.urlparse(request.url).hostname not in LOCAL_HOSTS
            and not request.url.startswith(("data:", "blob:")) else None)


def wait_for_text(page: object, text: str, timeout: float = 90_000) -> None:
    """Until an alert (success, error, info...) holding this text is on the page: a click's rerun may not
    have started yet when the script state is read, so a result is awaited by its own text."""
    page.locator('[data-testid="stAlertContainer"]', has_text=text).first.wait_for(timeout=timeout)
    wait_for_app(page)


def open_app(page: object, path: str, **params: str) -> None:
    """Open a page of the app (as of the sample's review date unless told otherwise) and wait for it."""
    query = {k: v for k, v in {"as_of": AS_OF, **params}.items() if v is not None}
    path = "" if path == "portfolio" else path  # the default page lives at the root url
    page.goto(f"/{path}?" + urllib.parse.urlencode(query))
    # routed through app.py: its sidebar filter is there (the first visit after a server start reruns once)
    page.locator(".st-key-as_of_picker").wait_for(timeout=90_000)
    wait_for_app(page)


def navigate(page: object, url_path: str, timeout: float = 90_000) -> None:
    """Open another page of the running app from the sidebar's menu, as a person does, and wait for its run:
    the same tab and server session run just that page (page.goto loads the whole app in the browser again
    and starts a new session: about a second of Chromium's CPU per page). The session's filters (as-of,
    regions, language) stay; the URL's other query parameters do not (Streamlit drops them on a switch)."""
    path = "" if url_path == "portfolio" else url_path  # the default page lives at the root url
    menu = page.locator('[data-testid="stSidebarNav"]')
    link = menu.locator(f'a[data-testid="stSidebarNavLink"][href$="/{path}"]')
    # by the keyboard (focus, Enter), as a click would but with no pointer left over the sidebar: a hovered
    # sidebar draws its collapse button, a button no page drew
    link.press("Enter")  # the menu lists every page (ui.navigation: expanded)
    # the app writes the new page's URL when the server's new run of it begins (no earlier: a finished run
    # seen before that would be the old page's)
    page.wait_for_url(lambda url: urllib.parse.urlparse(url).path == f"/{path}", timeout=timeout)
    wait_for_app(page, timeout)


def screenshot(page: object, name: str) -> Path:
    """A picture of the page for people to look at, once the browser has drawn what the script sent (a busy
    machine can leave placeholders for a while after the run has finished)."""
    with contextlib.suppress(Exception):  # a slow drawing spoils the picture, not the test
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(page: object) -> None:
    """No exception box and no "Something went wrong" message (ui/router.py) on the page."""
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    failed = page.locator('[data-testid="stAlertContainer"]', has_text="Something went wrong")
    assert failed.count() == 0, failed.first.inner_text()[:2000]


def metric(page: object, label: str) -> int:
    """The value of the st.metric tile with this label."""
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$")))
    return int(tile.locator('[data-testid="stMetricValue"]').inner_text())


def choose(page: object, key: str, text: str) -> None:
    """Pick an option of the selectbox / multiselect with this widget key by typing it."""
    page.locator(f".st-key-{key} input").click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_for_app(page)


def launch_chromium(playwright: object) -> object:
    """Debian's Chromium, headless, with no background traffic (the machine has no internet)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def page_url(path: str, **params: str | None) -> str:
    """The app-relative URL of a page (the default page lives at the root)."""
    path = "" if path == "portfolio" else path
    return f"/{path}?" + urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})


@contextmanager
def oidc_provider(log_folder: Path, users: Iterable[dict[str, str]]) -> Iterator[str]:
    """A real OpenID Connect provider (oidc-provider-mock) on a free loopback port, its authorisation form
    offering a button per user (their claims, "sub" on the button); its issuer URL."""
    port = free_port()
    claims = [arg for user in users for arg in ("--user-claims", json.dumps(user))]
    log_folder.mkdir(parents=True, exist_ok=True)
    with (log_folder / "oidc.log").open("w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *claims],
                                stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the OpenID provider did not start: {log_folder / 'oidc.log'}") from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@contextmanager
def signed_in_server(db: Path, folder: Path, users: Iterable[dict[str, str]], admins: str) -> Iterator[str]:
    """The app with sign-in on (an [auth] secrets file pointing at a real OpenID provider offering these users)
    on this store, ROLLOUT_ADMINS set to admins; its URL."""
    port = free_port()
    with oidc_provider(folder / "log", users) as issuer:
        secrets = folder / "secrets.toml"
        secrets.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-of-enough-length"
client_id = "rollout"
client_secret = "rollout-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
''', encoding="utf-8")
        with streamlit_server(db, folder / "log", port=port, secrets=secrets, env={"ROLLOUT_ADMINS": admins}) as url:
            yield url


def sign_in(page: object, sub: str) -> None:
    """From the app's sign-in page through the provider's form (the button of the user with this "sub") back
    to the app."""
    page.goto("/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url("**/", timeout=60_000)
    page.locator('[data-testid="stApp"]').wait_for()
    wait_for_app(page)


def open_signed(page: object, path: str) -> None:
    """Open a page of the app in the signed-in browser and wait for the run to finish."""
    page.goto(f"/{path}{'&' if '?' in path else '?'}as_of=2026-11-22")
    page.locator(".st-key-sign_out").wait_for(timeout=90_000)
    wait_for_app(page)
