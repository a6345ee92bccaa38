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


# Codes and names holding HTML (issue 14, item 6): they must show as typed, never as a link, bold text or
# an image, in tables, pickers, messages and charts alike. "evil.test" and "ZQ" mark what came from here.
MARKUP_CODES = {
    "NORTH": "<b>NORTH</b>",
    "B03": '<a href="https://evil.test/b03">B03</a>',
    "B05": "<b>B05</b>",
    "B07": "<img src=x onerror=alert(7)>B07",
    "X03": "<b>X03</b>",
    "L1": '<a href="https://evil.test/l1">L1</a>',
    "P022": "<b>P022</b>",
    "PR002": "<img src=x onerror=alert(2)>PR002",
}
MARKUP_TEXT = {  # (sheet, key column, key, column): text
    ("regions", "region_code", "EAST", "region_name"): "<i>ZQ east</i>",
    ("branches", "branch_code", "B04", "branch_name"): '<a href="https://evil.test/n">ZQ B04 name</a>',
    ("branches", "branch_code", "B08", "branch_name"): "<b>ZQ B08 name</b>",
    ("executives", "exec_code", "X01", "name"): "<b>ZQ X01 name</b>",
    ("people", "person_code", "P001", "name"): "<b>ZQ P001 name</b>",
    ("lessons", "lesson_code", "L2", "title"): "<img src=x onerror=alert(3)>ZQ L2 title",
    ("problems", "problem_code", "PR001", "title"): '<a href="https://evil.test/p">ZQ PR001 title</a>',
    ("checklist", "item_code", "B03-01", "title"): "<b>ZQ B03-01 title</b>",
}


def markup_workbook() -> bytes:
    """The public sample with MARKUP_CODES in every code column and MARKUP_TEXT in some names (.xlsx)."""
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE)
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            cells = dict(zip(header, row, strict=False))
            for (name, key_column, key, column), text in MARKUP_TEXT.items():
                if sheet.title == name and cells[key_column].value == key:
                    cells[column].value = text
            for column, cell in cells.items():
                if column and column.endswith("_code") and cell.value in MARKUP_CODES:
                    cell.value = MARKUP_CODES[cell.value]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
    """Messages as the user reads them (ui.widgets.plain escapes markdown with backslashes)."""
    return [str(e.value).replace("\\", "").replace("\u2060", "") for e in elements]


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
