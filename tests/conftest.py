"""Shared fixtures: real DuckDB files built from readable literal rows or from the public sample."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rollout.exchange.importer import import_workbook
from rollout.store.db import Database

from support import ROOT, SAMPLE, make_db, markup_workbook, private_copy


@pytest.fixture
def db_factory(tmp_path: Path):
    """make_db bound to a fresh file in tmp_path (each call a new file)."""
    counter = iter(range(1000))

    def factory(**tables: list[dict[str, Any]]) -> Database:
        return make_db(tmp_path / f"t{next(counter)}.duckdb", **tables)
    return factory


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public sample loaded once into a DuckDB file (copy it before writing to it)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    with Database(path) as db:
        import_workbook(db, SAMPLE, today=date(2026, 11, 22))
    return path


@pytest.fixture(scope="session")
def markup_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public sample with HTML in its codes and names (support.markup_workbook), loaded once."""
    folder = tmp_path_factory.mktemp("markup")
    (folder / "markup.xlsx").write_bytes(markup_workbook())
    path = folder / "markup.duckdb"
    with Database(path) as db:
        import_workbook(db, folder / "markup.xlsx", today=date(2026, 11, 22))
    return path


@pytest.fixture
def sample_db(sample_db_file: Path, tmp_path: Path):
    """A private writable copy of the sample database."""
    with private_copy(sample_db_file, tmp_path) as db:
        yield db


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
        at.run()
        return at
    return opener


@pytest.fixture
def open_page(sample_db_path: Path, monkeypatch: pytest.MonkeyPatch, crash_logs: Path):
    """Run the real app.py on a page, against the sample database (or db_path), and return the AppTest.

    open_page("staffing", as_of=date(2026, 11, 22), query={"branch": "B03"})
    """
    from streamlit.testing.v1 import AppTest

    from ui.navigation import by_url_path

    def opener(page: str, db_path: Path | None = None, as_of: date | None = date(2026, 11, 22),
               query: dict[str, str] | None = None, regions: list[str] | None = None) -> AppTest:
        monkeypatch.setenv("ROLLOUT_DB", str(db_path or sample_db_path))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        for name, value in (query or {}).items():
            at.query_params[name] = value
        if as_of is not None:
            at.session_state["as_of"] = as_of
        if regions is not None:
            at.session_state["regions"] = regions
        at.switch_page(by_url_path(page).file)
        at.run()
        return at
    return opener
