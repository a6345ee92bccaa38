"""Shared fixtures: real DuckDB files built from readable literal rows or from the public sample."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rollout.exchange.edits import insert_rows  # noqa: E402
from rollout.exchange.importer import import_workbook  # noqa: E402
from rollout.exchange.spec import LOAD_ORDER  # noqa: E402
from rollout.store.db import Database  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = FIXTURES / "sample_rollout.xlsx"
SAMPLE_DATES = [date(2026, 9, 15), date(2026, 11, 22)]


def make_db(path: Path | str = ":memory:", today: date = date(2030, 1, 1), **tables: list[dict[str, Any]]) -> Database:
    """A database holding exactly these rows, checked by the importer's own rules.

    Keyword = sheet name, value = rows as dicts (missing optional columns are empty), e.g.
    make_db(regions=[{"region_code": "E", "region_name": "East"}], branches=[...]).
    """
    db = Database(path)
    for name in LOAD_ORDER:
        if tables.get(name):
            insert_rows(db, name, tables[name], actor="test", today=today)
    return db


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


@contextmanager
def private_copy(template: Path, folder: Path) -> Iterator[Database]:
    """An open, writable copy of a database file built once, so tests never share writes."""
    path = folder / template.name
    shutil.copy(template, path)
    db = Database(path)
    try:
        yield db
    finally:
        db.close()


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


def metrics(at: Any) -> dict[str, str]:
    """An AppTest's metrics by label; a repeated label keeps the first (a later section's own "Status")."""
    found: dict[str, str] = {}
    for metric in at.metric:
        found.setdefault(metric.label, metric.value)
    return found


def frame_with(at: Any, *columns: str) -> Any:
    """An AppTest's first dataframe that has every one of these columns."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert found, f"no table with {columns}"
    return found[0]


def texts(elements: Any) -> list[str]:
    """Messages as the user reads them (ui.common.plain escapes markdown with backslashes)."""
    return [str(e.value).replace("\\", "") for e in elements]


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
