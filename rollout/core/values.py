"""Value helpers shared by every layer: missing cells, dates, rounding, SQL identifier quoting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA: an empty cell as read back through a DataFrame. Text is never missing."""
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array is not one missing value
        return False


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
