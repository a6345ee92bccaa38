"""Spreadsheet cells that are safe to open: the one writer of every .xlsx and CSV cell the app produces.

WORKBOOK.md: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a
formula in a spreadsheet, so it is written as a plain string cell with Excel's quote prefix in
.xlsx (the value itself unchanged) and with one leading apostrophe in CSV (which the importer
removes again, spec.parse_text). The workbook export and the steering pack's Excel file both
write through `write_cell`; every CSV (export, page downloads) through `csv_value`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from rollout.core.values import plain
from rollout.exchange.spec import FORMULA_PREFIXES

# Control characters the .xlsx format cannot hold (openpyxl refuses them); tab, LF and CR it can.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_like(value: Any) -> bool:
    """Text a spreadsheet would evaluate as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def write_cell(cell: Any, value: Any) -> Any:
    """Put a value in an openpyxl cell (a sheet's cell or a write-only cell) and return the cell:
    empty as an empty cell, formula-like text as a plain string with the quote prefix, dates with a
    yyyy-mm-dd format, numpy and pandas values as plain Python."""
    value = plain(value)
    if isinstance(value, str):
        value = _NOT_IN_XLSX.sub("", value)
    cell.value = value
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, (date, datetime)):
        cell.number_format = "yyyy-mm-dd"
    return cell


def csv_value(value: Any) -> Any:
    """A value as a CSV cell: empty as '', booleans as true/false, dates as ISO text, whole floats
    without '.0', formula-like text with one leading apostrophe."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if formula_like(value):
        return "'" + value
    return value
