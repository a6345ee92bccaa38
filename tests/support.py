"""Helpers shared by the tests (plain functions and paths; fixtures live in conftest.py).

Test modules import from here (`from support import make_db`), never from each other or from conftest.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from rollout.exchange.edits import insert_rows
from rollout.exchange.spec import LOAD_ORDER
from rollout.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
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


def contents(db: Database) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (import_log without its wall-clock time): compare before and after."""
    tables = [r[0] for r in db.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                                    "AND table_type = 'BASE TABLE' ORDER BY 1")]
    return {t: db.rows(f'SELECT * {"EXCLUDE (imported_at)" if t == "import_log" else ""} FROM "{t}" ORDER BY ALL')
            for t in tables}


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


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx workbook from sheet name -> rows (the first row is the header)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
