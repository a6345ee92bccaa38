"""The steering pack as Excel: a cover sheet, then one sheet per table.

Formula-safe: every cell is written by rollout.exchange.cells.write_cell, as in the workbook
export, so a hostile branch name such as `=cmd|' /C calc'!A0` is shown, never evaluated.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rollout.exchange.cells import write_cell
from rollout.steering.model import NOT_YET, Pack

SHEET_NAMES = {"portfolio": "Portfolio", "red": "Red branches", "go_lives": "Next go-lives",
               "staffing": "Staffing risks", "executives": "Executives to contact", "lessons": "Lessons coverage",
               "changes": "Changes", "changes_status_changes": "Changed status",
               "changes_readiness_up": "Readiness up", "changes_readiness_down": "Readiness down",
               "changes_new_overdue": "New overdue items", "changes_new_failing_gates": "New failing gates",
               "changes_went_silent": "Went silent", "changes_people_left": "People who left",
               "changes_lessons_applied": "Lessons newly applied", "man_days": "Man-days",
               "man_days_phases": "Man-days by phase", "man_days_remaining": "Man-days remaining",
               "acceptance": "Acceptance and payment", "branches": "Branches"}


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_frame(sheet: Any, frame: pd.DataFrame, start_row: int = 1) -> None:
    for j, column in enumerate(frame.columns, start=1):
        cell = sheet.cell(row=start_row, column=j)
        write_cell(cell, str(column))
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(str(column)) + 2))
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=start_row + 1):
        for j, value in enumerate(row, start=1):
            write_cell(sheet.cell(row=i, column=j), value)


def xlsx_bytes(pack: Pack) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Pack"
    used = {"pack"}
    write_cell(cover.cell(row=1, column=1), pack.title)
    cover.cell(row=1, column=1).font = Font(bold=True, size=14)
    write_cell(cover.cell(row=2, column=1), "as_of")
    write_cell(cover.cell(row=2, column=2), pack.as_of)
    contents = []
    for section in pack.sections:
        if section.frame is None:
            contents.append({"section": section.title, "sheet": "", "note": section.note or NOT_YET})
            continue
        name = _sheet_name(SHEET_NAMES.get(section.key, section.title), used)
        _write_frame(workbook.create_sheet(name), section.frame)
        contents.append({"section": section.title, "sheet": name, "note": section.note})
    _write_frame(cover, pd.DataFrame(contents, columns=["section", "sheet", "note"]), start_row=4)
    cover.column_dimensions["A"].width = 44
    cover.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
