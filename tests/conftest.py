"""Shared fixtures: real DuckDB files built from readable literal rows or from the public sample."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rollout.exchange.importer import import_workbook
from rollout.store.db import Database

from support import ROOT, SAMPLE, make_db, private_copy


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
def _navigation_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run AppTests as the real server runs the app after its first visit.

    Streamlit runs an app that has a pages/ folder in its old multipage mode (each page alone)
    until st.navigation has run once in the process; the real server leaves that mode for good at
    the first visit (ui.common.through_router), but AppTest resets the flag before every run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)








@pytest.fixture
def open_section(sample_db_path: Path, monkeypatch: pytest.MonkeyPatch):
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
def open_page(sample_db_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the real app.py on a page, against the sample database (or db_path), and return the AppTest.

    open_page("staffing", as_of=date(2026, 11, 22), query={"branch": "B03"})
    """
    from streamlit.testing.v1 import AppTest

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
        at.switch_page(f"pages/{page}.py")
        at.run()
        return at
    return opener
