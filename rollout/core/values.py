"""Value helpers shared by every layer: missing cells, dates, plain values, rounding, SQL quoting.

A value read back through DuckDB or a DataFrame may be None, NaN, NaT or pd.NA where a cell was
empty, a Timestamp or a numpy scalar where Python code expects a date or a number: every layer
turns such values into plain Python with these functions, so "empty" and "a date" mean the same
thing everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA: an empty cell as read back through a DataFrame. Text is never missing."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    try:
        found = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(found, (bool, np.bool_)) and bool(found)  # a list or an array is not one missing value


def as_date(value: Any) -> date | None:
    """A date as read back (date, datetime, Timestamp, ISO text) as a date; missing as None."""
    if is_missing(value):
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):  # Timestamp too
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def iso_text(value: Any) -> str | None:
    """A date-like value as YYYY-MM-DD text (other values as their text); missing as None."""
    if is_missing(value):
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plain(value: Any) -> Any:
    """A value as plain Python: missing as None, a Timestamp as a date (at midnight) or a datetime,
    a numpy scalar as its Python number or bool. Other values are returned as they are."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def json_ready(value: Any) -> Any:
    """A value as JSON holds it: plain, with dates and datetimes as ISO text."""
    value = plain(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def comparable(value: Any) -> Any:
    """A value made comparable with another reading of the same cell: empty text and missing as
    None, dates (also as text with a midnight time) as YYYY-MM-DD text, numbers as floats."""
    value = json_ready(value)
    if value == "":
        return None
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        return value[:10] if value[10:] in ("", " 00:00:00", "T00:00:00") else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def round_half_up(value: float, places: int) -> float:
    """`places` decimals, half away from zero (as DuckDB's round), not Python's banker's rounding."""
    quantum = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(quantum)


def round1(value: float) -> float:
    """One decimal, half away from zero (as DuckDB's round): the summary's percentages."""
    return round_half_up(value, 1)


def quote(name: str) -> str:
    """An SQL identifier (table, column, catalogue) in double quotes, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(text: str) -> str:
    """An SQL string literal in single quotes, inner quotes doubled (for statements that take no
    parameters, such as ATTACH)."""
    return "'" + text.replace("'", "''") + "'"


def page_count(rows: int, size: int) -> int:
    """Pages of `size` rows needed for `rows` rows (at least one, so an empty table has a page)."""
    return max(1, -(-int(rows) // max(1, int(size))))


def page_of(frame: pd.DataFrame, page: int, size: int) -> pd.DataFrame:
    """Rows of page `page` (1-based, clamped to the pages there are) of `size` rows each."""
    page = min(max(1, int(page)), page_count(len(frame), size))
    return frame.iloc[(page - 1) * size: page * size]
