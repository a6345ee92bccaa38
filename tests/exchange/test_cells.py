"""rollout/exchange/cells.py: the one formula-safe writer of every .xlsx and CSV cell (WORKBOOK.md)."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from rollout.exchange.cells import csv_value, write_cell
from rollout.exchange.spec import unquote

FORMULAS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


def round_trip(values: list[object], write_only: bool) -> list:
    """Write values through write_cell into a sheet (normal or write-only) and read the saved cells back."""
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    if write_only:
        sheet.append([write_cell(WriteOnlyCell(sheet), v) for v in values])
    else:
        for column, value in enumerate(values, start=1):
            write_cell(sheet.cell(row=1, column=column), value)
    buffer = io.BytesIO()
    book.save(buffer)
    return list(next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows()))


@pytest.mark.parametrize("write_only", [True, False], ids=["export", "steering pack"])
def test_formula_text_is_a_plain_string_in_xlsx(write_only: bool) -> None:
    cells = round_trip([*FORMULAS, "plain", date(2026, 11, 22), np.int64(3), pd.NA, "bell\x07"], write_only)
    for cell, text in zip(cells, FORMULAS, strict=False):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    plain, day, number, empty, bell = cells[len(FORMULAS):]
    assert (plain.value, plain.quotePrefix) == ("plain", False)
    assert day.value.date() == date(2026, 11, 22) and day.number_format == "yyyy-mm-dd"
    assert number.value == 3 and empty.value is None and bell.value == "bell"  # .xlsx cannot hold \x07


def test_formula_text_gets_one_apostrophe_in_csv_that_the_importer_removes() -> None:
    for text in FORMULAS:
        assert csv_value(text) == "'" + text
        assert unquote(csv_value(text)) == text  # the importer drops that one apostrophe again
    assert [csv_value(v) for v in ("x", None, pd.NaT, True, 2.0, 2.5, date(2026, 1, 2))] == [
        "x", "", "", "true", "2", 2.5, "2026-01-02"]
