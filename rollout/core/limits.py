"""The limits every input meets (WORKBOOK.md "Limits"; docs/methodology/safety.md explains them).

One place for the numbers, so the importer, the in-app edits, the CLI flags and the pages refuse
the same things with the same words.
"""

from __future__ import annotations

from datetime import date

from rollout.core.i18n import _

MAX_CELL_CHARS = 10_000  # text in one cell
MAX_COLUMNS = 200  # columns in the header of one sheet (or CSV file)
MAX_ROWS = 1_048_576  # rows held by one sheet (Excel's own ceiling)

EARLIEST_DATE = date(1990, 1, 1)  # every date: cells, CLI flags, ?as_of= in the URL
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE_TEXT = f"a date from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"  # English, as before


def date_range_text() -> str:
    """The accepted dates in the current language ("a date from 1990-01-01 to 2100-12-31")."""
    return _("a date from {earliest} to {latest}").format(earliest=EARLIEST_DATE.isoformat(),
                                                         latest=LATEST_DATE.isoformat())


def date_in_range(day: date) -> bool:
    """True when the date lies within the dates the app accepts (1990-01-01 .. 2100-12-31)."""
    return EARLIEST_DATE <= day <= LATEST_DATE
