"""Domain errors: every failure a user can meet carries a message they can act on.

DuckDB and validation exceptions are translated into these in one place (db.py, spec.py),
so pages and the CLI only ever show a RolloutError's text, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rollout.core.i18n import _, current, use_language


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
    expected: str  # in the language of the context that found the error
    language: str = field(default_factory=current, compare=False, repr=False)

    def __str__(self) -> str:
        """One line in the language `expected` is in (the one current when the error was found); sheet,
        row, column and value stay as the workbook has them."""
        if self.language == current():  # the usual case: no context switch per line of a long refusal
            return self._line()
        with use_language(self.language):
            return self._line()

    def _line(self) -> str:
        if self.row is not None and self.column:
            where = _("{sheet} row {row}, {column}").format(sheet=self.sheet, row=self.row, column=self.column)
        elif self.row is not None:
            where = _("{sheet} row {row}").format(sheet=self.sheet, row=self.row)
        elif self.column:
            where = _("{sheet}, {column}").format(sheet=self.sheet, column=self.column)
        else:
            where = self.sheet
        if self.value is None or self.value == "":
            return _("{where}: {expected}").format(where=where, expected=self.expected)
        return _("{where}: {value} {expected}").format(where=where, value=shown(self.value), expected=self.expected)


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
