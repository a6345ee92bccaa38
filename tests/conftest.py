"""Shared fixtures: real stores (DuckDB files, and PostgreSQL databases for the server engine) built from
readable literal rows or from the public sample."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from rollout.core.access import LOCAL
from rollout.exchange.importer import import_workbook
from rollout.store.db import Database

from support import (
    ROOT,
    SAMPLE,
    PostgresServer,
    Stores,
    built_once,
    make_db,
    markup_workbook,
    postgres_binaries,
)

# --- how the suite runs: workers, the clock, Hypothesis, the 1 s budget (README "Tests") ---------------

CLOCK_FOLDER = ROOT / "tests" / "clock"
CPU_LIMIT = 1.0  # seconds of CPU (this process and the children it waited for) an unmarked test may take

# Hypothesis: "ci" keeps every property's own example count (CI sets CI=true), "dev" runs a tenth of it
# (support.examples scales the counts); HYPOTHESIS_PROFILE chooses either.
hypothesis_settings.register_profile("ci", max_examples=100)
hypothesis_settings.register_profile("dev", max_examples=10)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """pyproject's addopts hold pytest-xdist's -n and --dist: with `-p no:xdist` they are accepted and
    ignored, so the suite then runs in one process."""
    if not pluginmanager.has_plugin("xdist"):
        group = parser.getgroup("xdist", "pytest-xdist absent: its options are ignored")
        group._addoption("-n", "--numprocesses", dest="numprocesses", default=None)  # -n is reserved for plugins
        group.addoption("--dist", dest="dist", default="no")


BROWSER_GROUP = "browser"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker per core, none (one process) when only named tests run (a `file::test` id)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    if config.args and all("::" in arg for arg in config.args):
        return 0
    return len(os.sched_getaffinity(0))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` with the browser tests as one group, found by their path: pytest 9.2 no longer lets
    xdist carry a test's xdist_group in its id (pytest-dev/pytest-xdist#1386), so the mark alone scattered them
    over both workers, each starting its own server and Chromium."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserGroup(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return BROWSER_GROUP if nodeid.startswith("tests/e2e/") else super()._split_scope(nodeid)

    return BrowserGroup(config, log)


def pytest_configure(config: pytest.Config) -> None:
    """With ROLLOUT_TEST_CLOCK_SHIFT_DAYS set, every Python process of the run lives that many days ahead:
    tests/clock/sitecustomize.py, on PYTHONPATH for every process this one starts (workers, CLI, servers),
    and started here for this one if it was not started with it."""
    if not os.environ.get("ROLLOUT_TEST_CLOCK_SHIFT_DAYS"):
        return
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(CLOCK_FOLDER) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(CLOCK_FOLDER), *paths])
    if str(CLOCK_FOLDER) not in sys.path:
        sys.path.insert(0, str(CLOCK_FOLDER))
    import sitecustomize

    sitecustomize.move_clock()


def _cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (the CLI, a dump, initdb)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


_OWN = pytest.StashKey[float]()  # CPU seconds of the test's own fixtures' setup
_FIXTURES: list[list[float]] = []  # fixtures being set up: [start, CPU of shared fixtures set up inside]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A test is charged its own (function-scoped) fixtures' setup; a module- or session-wide fixture's setup
    or teardown is shared work (whichever test comes first, or when xdist switches a parametrized session
    fixture), charged to no test."""
    _FIXTURES.append([_cpu(), 0.0])
    try:
        return (yield)
    finally:
        start, inner = _FIXTURES.pop()
        spent = _cpu() - start
        shared = spent if fixturedef.scope != "function" else inner
        item = getattr(request, "_pyfuncitem", None)
        if _FIXTURES:  # inside another fixture: tell it what was shared work
            _FIXTURES[-1][1] += shared
        elif fixturedef.scope == "function" and item is not None:
            item.stash[_OWN] = item.stash.get(_OWN, 0.0) + spent - inner


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    start = _cpu()
    try:
        return (yield)
    finally:
        _charge(item, _cpu() - start + item.stash.get(_OWN, 0.0))


def _charge(item: pytest.Item, spent: float) -> None:
    """The test's CPU seconds (its own fixtures and its call) as a report property, for an unmarked test."""
    if item.get_closest_marker("slow") is None and item.get_closest_marker("e2e") is None:
        item.user_properties.append(("cpu_seconds", round(spent, 2)))


_OVER_BUDGET: list[tuple[str, float]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collected in the main process (xdist sends each worker's reports here with their properties)."""
    if report.when == "call":
        spent = dict(report.user_properties).get("cpu_seconds")
        if spent is not None and spent > CPU_LIMIT:
            _OVER_BUDGET.append((report.nodeid, spent))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _OVER_BUDGET and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _OVER_BUDGET:
        terminalreporter.section("unmarked tests over the 1 s budget", sep="=", red=True)
        terminalreporter.line(f"These took more than {CPU_LIMIT:.0f} s of CPU (their own fixtures and call; "
                              "module- and session-wide fixtures not counted) and are not marked: mark each "
                              "@pytest.mark.slow (README, Tests).")
        for nodeid, spent in sorted(_OVER_BUDGET, key=lambda x: -x[1]):
            terminalreporter.line(f"  {spent:6.2f} s  {nodeid}")

# --- stores of both engines: the same cases run on a file and on PostgreSQL ---------------------------

@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL for the session (initdb + pg_ctl on a free loopback port, no Docker).

    Skipped, with the reason, where the server binaries are missing; on CI (CI set) missing binaries fail
    instead, since .ci/run installs Debian's postgresql package.
    """
    bindir = postgres_binaries()
    if bindir is None:
        reason = ("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb; apt-get install "
                  "postgresql): the server-engine tests are skipped")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = PostgresServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=["file", "server"])
def stores(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Stores:
    """Fresh store locations of one engine: every test using it (through db_factory, sample_db or directly)
    runs once on an embedded file and once on PostgreSQL."""
    server = request.getfixturevalue("pg_server") if request.param == "server" else None
    return Stores(request.param, tmp_path_factory.mktemp(f"stores-{request.param}"), server).prepare()


@pytest.fixture
def db_factory(stores: Stores) -> Iterator[Any]:
    """make_db bound to a fresh store of the parametrized engine (each call a new one)."""
    opened: list[tuple[Database, str]] = []

    def factory(**tables: list[dict[str, Any]]) -> Database:
        location = stores.new()
        db = make_db(location, **tables)
        opened.append((db, location))
        return db
    yield factory
    for db, location in opened:
        db.close()
        stores.drop(location)


@pytest.fixture(scope="session")
def sample_store(stores: Stores) -> str:
    """The public sample loaded once into a store of the parametrized engine (copy it before writing)."""
    location = stores.new()
    with Database(location) as db:
        import_workbook(db, SAMPLE, today=date(2026, 11, 22), caller=LOCAL)
    return location


@pytest.fixture
def sample_db(sample_store: str, stores: Stores) -> Iterator[Database]:
    """A private writable copy of the sample, on each engine."""
    location = stores.copy(sample_store)
    db = Database(location)
    try:
        yield db
    finally:
        db.close()
        stores.drop(location)


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public sample loaded once into a DuckDB file (copy it before writing to it)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    with Database(path) as db:
        import_workbook(db, SAMPLE, today=date(2026, 11, 22), caller=LOCAL)
    return path


@pytest.fixture(scope="session")
def markup_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public sample with HTML in its codes and names (support.markup_workbook), loaded once."""
    folder = tmp_path_factory.mktemp("markup")
    (folder / "markup.xlsx").write_bytes(markup_workbook())
    path = folder / "markup.duckdb"
    with Database(path) as db:
        import_workbook(db, folder / "markup.xlsx", today=date(2026, 11, 22), caller=LOCAL)
    return path


@pytest.fixture
def sample_db_path(sample_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of the sample database as a path (for the app and the CLI)."""
    path = tmp_path / "sample.duckdb"
    shutil.copy(sample_db_file, path)
    return path


@pytest.fixture(autouse=True)
def _navigation_mode():
    """Run AppTests as the real server runs the app after its first visit (ui/router.py says why)."""
    from ui.router import without_legacy_mode

    with without_legacy_mode():
        yield


@pytest.fixture
def crash_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The folder a page writes an unexpected failure's details to (ROLLOUT_LOG_DIR; ui/router.py).

    A page shows such a failure as one line, so an AppTest sees no exception: a log left here fails the
    test instead, with the traceback (a test that provokes a failure on purpose removes the log)."""
    folder = tmp_path / "crash-logs"
    monkeypatch.setenv("ROLLOUT_LOG_DIR", str(folder))
    yield folder
    logs = sorted(folder.glob("*.log")) if folder.exists() else []
    if logs:
        pytest.fail("a page failed unexpectedly:\n" + logs[0].read_text(encoding="utf-8")[-4000:])


@pytest.fixture
def open_section(sample_db_path: Path, monkeypatch: pytest.MonkeyPatch, crash_logs: Path):
    """Run a function that draws one ui section alone (outside app.py) against the sample database.

    open_section(script): the script imports what it needs inside itself, as AppTest.from_function requires.
    """
    from streamlit.testing.v1 import AppTest

    def opener(script: Any) -> AppTest:
        monkeypatch.setenv("ROLLOUT_DB", str(sample_db_path))
        at = AppTest.from_function(script, default_timeout=60)
        at.session_state["_caller"] = LOCAL  # what app.py's sign-in gate decides with sign-in off: never a default
        at.run()
        return at
    return opener


@pytest.fixture
def open_page(sample_db_path: Path, monkeypatch: pytest.MonkeyPatch, crash_logs: Path):
    """Run the real app.py on a page, against the sample database (or db_path), and return the AppTest.

    open_page("staffing", as_of=date(2026, 11, 22), query={"branch": "B03"}, state={"staffing_tab": "Edit"})
    """
    from streamlit.testing.v1 import AppTest

    from ui.navigation import by_url_path

    def opener(page: str, db_path: Path | None = None, as_of: date | None = date(2026, 11, 22),
               query: dict[str, str] | None = None, regions: list[str] | None = None,
               state: dict[str, object] | None = None) -> AppTest:
        monkeypatch.setenv("ROLLOUT_DB", str(db_path or sample_db_path))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        for name, value in (query or {}).items():
            at.query_params[name] = value
        if as_of is not None:
            at.session_state["as_of"] = as_of
        if regions is not None:
            at.session_state["regions"] = regions
        for name, value in (state or {}).items():
            at.session_state[name] = value
        at.switch_page(by_url_path(page).file)
        at.run()
        return at
    return opener


@pytest.fixture(scope="session")
def demo_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2,000-branch demo as of today (seed 7, with its weekly reviews), built once per run and shared by
    the xdist workers (a few minutes; ROLLOUT_E2E_BIG_DB names a file `rollout demo --branches 2000` wrote
    today to take instead). Read-only: copy it before writing."""
    def build(path: Path) -> None:
        if os.environ.get("ROLLOUT_E2E_BIG_DB"):
            shutil.copy(os.environ["ROLLOUT_E2E_BIG_DB"], path)
            return
        from rollout.demo.portfolio import build_demo

        with Database(path) as db:
            build_demo(db, branches=2000, seed=7, today=date.today())
    return built_once(tmp_path_factory, "demo2000.duckdb", build)


@pytest.fixture(scope="session", autouse=True)
def _warm_imports() -> None:
    """The libraries and the app's modules imported, and the catalogues compiled, once per process before the
    first test: a first import is shared work (not counted in the 1 s budget), whichever test comes first."""
    import pkgutil

    import ortools.sat.python.cp_model  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import pptx  # noqa: F401
    import streamlit.testing.v1  # noqa: F401

    import rollout
    import ui
    from rollout.core import i18n

    for package in (rollout, ui):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            __import__(module.name)
    for language in i18n.LANGUAGES:
        i18n.translations(language)
