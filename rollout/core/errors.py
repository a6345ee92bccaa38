"""Domain errors: every failure a user can meet carries a message they can act on.

DuckDB and validation exceptions are translated into these in one place (db.py, spec.py),
so pages and the CLI only ever show a RolloutError's text, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class RolloutError(Exception):
    """Base of every error the app reports to a user."""


class DatabaseError(RolloutError):
    """The database could not be opened, read or written."""


class DatabaseLockedError(DatabaseError):
    """Another process holds the database file."""


class NotFoundError(RolloutError):
    """A code (branch, person, executive...) that does not exist."""


class ConflictError(RolloutError):
    """An edit was made on data someone else changed since it was shown (optimistic concurrency)."""


@dataclass(frozen=True)
class CellError:
    """One bad value: where it is and what was expected, formatted in one place."""

    sheet: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", {self.column}"
        if self.value is None or self.value == "":
            return f"{where}: {self.expected}"
        return f"{where}: {shown(self.value)} {self.expected}"


def shown(value: object) -> str:
    """A value as the user typed it, quoted, cut short so one error stays one line."""
    text = str(value).replace("\n", " ")
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text) if isinstance(value, str) else text


class ValidationError(RolloutError):
    """Input refused: carries every error found, not just the first."""

    def __init__(self, errors: list[CellError], warnings: list[str] | None = None) -> None:
        self.errors = errors
        self.warnings = warnings or []
        super().__init__("\n".join(str(e) for e in errors))


class AccessDeniedError(RolloutError):
    """The caller's role or region scope does not allow this (ACCESS.md)."""
