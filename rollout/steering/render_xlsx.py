"""The steering pack as Excel: a cover sheet with the sections' sentences, then one sheet per full list,
with human headers in the pack's language, status words, numbers as numbers and dates as dates.

Formula-safe: every cell is written by rollout.exchange.cells.write_cell, as in the workbook
export, so a hostile branch name such as `=cmd|' /C calc'!A0` is shown, never evaluated. Written in
openpyxl's write-only mode: thousands of rows stream out without building a sheet in memory.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rollout.core.i18n import _
from rollout.core.labels import status_label
from rollout.exchange.cells import write_cell
from rollout.steering.model import STATUS_COLUMNS, Pack, Table, header

SHEET_NAME_LIMIT = 31
BOLD = Font(bold=True)


def sheet_name(title: str, used: set[str]) -> str:
    """An Excel sheet name from a title: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:SHEET_NAME_LIMIT] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    cell = write_cell(WriteOnlyCell(sheet), value)
    if bold:
        cell.font = BOLD
    return cell


def _value(sheet: Any, value: Any) -> Any:
    """A value to append: numbers as they are (the fast path of thousands of rows), anything else (text,
    dates, missing values) through write_cell."""
    if type(value) in (int, float) and value == value:  # not NaN
        return value
    return write_cell(WriteOnlyCell(sheet), value)


def _write_table(sheet: Any, table: Table) -> None:
    frame = table.full
    for j, column in enumerate(frame.columns, start=1):
        width = max([len(header(column)) * 1.6, *(len(str(v)) * 1.1 for v in frame[column].head(200))], default=10)
        sheet.column_dimensions[get_column_letter(j)].width = max(10, min(60, width + 2))
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, header(c), bold=True) for c in frame.columns])
    statuses = [c in STATUS_COLUMNS for c in frame.columns]
    for row in zip(*(frame[c].tolist() for c in frame.columns), strict=True):  # column-wise: fast on Arrow text
        sheet.append([_value(sheet, status_label(v) if is_status and isinstance(v, str) else v)
                      for v, is_status in zip(row, statuses, strict=True)])


def xlsx_bytes(pack: Pack) -> bytes:
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    cover = workbook.create_sheet(sheet_name(_("Steering pack"), used))
    cover.column_dimensions["A"].width = 40
    cover.column_dimensions["B"].width = 100
    cover.append([_cell(cover, pack.title, bold=True)])
    cover.append([_cell(cover, _("As of")), _cell(cover, pack.as_of)])
    cover.append([])
    names: dict[str, str] = {}
    for section in pack.sections:
        for table in section.tables:
            names[table.key] = sheet_name(table.title, used)
    for section in pack.sections:
        cover.append([_cell(cover, section.title, bold=True)])
        for line in section.lines:
            cover.append([None, _cell(cover, line)])
        for table in section.tables:
            cover.append([None, _cell(cover, _("Sheet “{sheet}”: {count} rows").format(
                sheet=names[table.key], count=len(table.full)))])
    for section in pack.sections:
        for table in section.tables:
            _write_table(workbook.create_sheet(names[table.key]), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
