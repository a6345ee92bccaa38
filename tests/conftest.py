"""Shared fixtures: real stores (DuckDB files, and PostgreSQL databases for the server engine) built from
readable literal rows or from the public sample."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rollout.core.access import LOCAL
from rollout.exchange.importer import import_workbook
from rollout.store.db import Database

from support import ROOT, SAMPLE, PostgresServer, Stores, make_db, markup_workbook, postgres_binaries

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
    return Stores(request.param, tmp_path_factory.mktemp(f"stores-{request.param}"), server)


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
