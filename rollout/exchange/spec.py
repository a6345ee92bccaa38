"""The workbook format (../shared/WORKBOOK.md), declared once.

Every sheet's columns, types, enumerations, ranges, keys, references and row rules live here.
The importer, the in-app edit checks, the template workbook, the exporter and the Methodology
page's format table are all derived from this one declaration; pydantic does the validating so
that every error of every row is collected, each with its sheet, row, column and value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache, cached_property
from typing import Annotated, Any

from pydantic import BeforeValidator, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from rollout.core.errors import CellError
from rollout.core.i18n import _, format_number
from rollout.core.labels import N_
from rollout.core.limits import MAX_CELL_CHARS, date_in_range, date_range_text
from rollout.core.typed import fold_code, invisible_character, region_code_refusal

MODULES = ("finance", "supply_chain", "production", "hr")
DIMENSIONS = ("governance", "people", "data", "process", "technical", "kickoff")
CHECKLIST_STATUSES = ("open", "in_progress", "done", "waived")
ROLES = ("project_manager", "key_user", "it_admin", "data_steward", "trainer")
CHANNELS = ("email", "phone", "visit", "meeting")
CATEGORIES = ("data", "training", "process", "people", "technical", "executive")
IMPACTS = ("low", "medium", "high")
APPLICATION_STATUSES = ("planned", "applied", "verified", "not_applicable")
OBJECTS = ("customers", "vendors", "materials", "boms", "chart_of_accounts", "opening_balances", "other")
SEVERITIES = ("low", "medium", "high", "critical")
CONSULTANT_PHASES = ("preparation", "kickoff", "training", "testing", "cutover", "support")
RAID_KINDS = ("risk", "action", "issue", "decision")
RAID_STATUSES = ("open", "in_progress", "closed", "cancelled")
RESPONSES = ("avoid", "mitigate", "transfer", "accept")
DEVIATION_KINDS = ("configuration", "report", "interface", "form", "enhancement", "workflow", "data")
DEVIATION_DECISIONS = ("proposed", "approved", "rejected", "after_go_live")

# Text that a spreadsheet would run as a formula; the exporter neutralises it (see exporter.py).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def normalise_name(text: object) -> str:
    """Sheet names, headers and enumerations: NFKC (full-width letters are letters), case-insensitive,
    trimmed, spaces stand for `_`."""
    return re.sub(r"\s+", "_", unicodedata.normalize("NFKC", str(text)).strip()).lower()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# --- cell parsers: each returns the typed value or raises with the "expected" text -------------

def _fail(expected: str) -> PydanticCustomError:
    """A refused cell; `expected` is already in the current language (the sentence after the value)."""
    return PydanticCustomError("cell", "{expected}", {"expected": expected})


def _not_a_code() -> PydanticCustomError:
    return _fail(_("is not a code (expected text or a whole number)"))


def parse_code(value: object) -> str:
    """Codes are trimmed text in NFKC form (full-width Ｂ００１ is B001); a whole number typed into a
    code cell is read as its digits; an invisible or control character inside is refused."""
    if isinstance(value, bool):
        raise _not_a_code()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise _not_a_code()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (date, datetime)):
        raise _fail(_("is a date (expected a code)"))
    text = fold_code(value)
    hidden = invisible_character(str(value).strip()) or invisible_character(text)  # named as typed
    if hidden:
        raise _fail(_("holds an invisible or control character, {character} (expected a code of visible "
                      "characters: retype it)").format(character=hidden))
    return text


def parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def unquote(text: str) -> str:
    """The exporter writes formula-like text to CSV with one leading apostrophe; the importer removes
    it again, in every column (codes included), so the round trip is exact."""
    stripped = text.strip()
    if stripped[:1] == "'" and stripped[1:2] and stripped[1] in FORMULA_PREFIXES:
        return stripped[1:]
    return text


class Unreadable(str):
    """A cell the reader could not take as a value (a formula with no saved value, a spreadsheet error
    such as #DIV/0!, a number the file spells wrongly): its text, and what the validator says of it."""

    expected: str

    def __new__(cls, text: str, expected: str) -> Unreadable:
        cell = super().__new__(cls, text)
        cell.expected = expected
        return cell


_DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")


def _not_a_date() -> PydanticCustomError:
    return _fail(_("is not a date (expected a date cell or text like 2026-11-20, 2026/11/20 or 2026.11.20)"))


def parse_date(value: object) -> date:
    """A real date cell, or text that puts the year first (day- or month-first text is ambiguous), within
    1990-01-01 .. 2100-12-31."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise _fail(_("has a time of day (expected a date)"))
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        match = _DATE_TEXT.match(str(value).strip())
        if not match:
            raise _not_a_date()
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _fail(_("is not a real calendar date")) from None
    if not date_in_range(day):
        raise _out_of_range(date_range_text())
    return day


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _fail(_("is not a yes/no value (expected true/false, yes/no, y/n or 1/0)"))


def _out_of_range(expected: str) -> PydanticCustomError:
    return _fail(_("is out of range (expected {expected})").format(expected=expected))


# What a number cell expects: the text, or a function giving it in the current language (the cached
# validators outlive a language switch, so the text is made when a cell fails, not when they are built).
Expected = str | Callable[[], str] | None


def _expected_text(expected: Expected, fallback: str) -> str:
    if callable(expected):
        return expected()
    return expected or fallback


def parse_number(value: object, expected: Expected = None) -> float:
    """A finite number (1,234.5 and full-width digits too); NaN, INF and overflowing values are refused."""
    if isinstance(value, bool):
        raise _fail(_("is not a number"))
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        else:
            number = float(unicodedata.normalize("NFKC", str(value)).strip().replace(",", ""))
    except ValueError:
        raise _fail(_("is not a number")) from None
    except OverflowError:  # an integer too large for any float
        raise _out_of_range(_expected_text(expected, _("a number"))) from None
    if not math.isfinite(number):
        raise _fail(_("is not a finite number (expected {expected})").format(
            expected=_expected_text(expected, _("a number"))))
    return number


def parse_int(value: object, expected: Expected = None) -> int:
    number = parse_number(value, expected or _("a whole number"))
    if not number.is_integer():
        raise _fail(_("is not a whole number"))
    return int(number)


_TIME_TEXT = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")


def _not_a_time() -> PydanticCustomError:
    return _fail(_("is not a time of day (expected a time cell or text like 09:30, 24-hour)"))


def parse_time(value: object) -> str:
    """A time of day as `HH:MM` text (24-hour): a real Excel time cell, or text like 09:30 or 9:30."""
    if isinstance(value, time):
        # a time cell is a fraction of a day: read back it can miss the minute by a microsecond
        seconds = round(value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6)
        if seconds % 60:
            raise _fail(_("has seconds (expected a time of day to the minute, like 09:30)"))
        if seconds >= 24 * 3600:
            raise _not_a_time()
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}"
    if isinstance(value, (date, datetime, bool, int, float)):
        raise _not_a_time()
    match = _TIME_TEXT.match(str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise _not_a_time()
    return f"{int(match[1]):02d}:{match[2]}"


def parse_months(value: object) -> str:
    """Peak months as "11,12": each 1-12, stored sorted and without repeats."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        parts = [value]
    else:
        parts = [p for p in re.split(r"[,，;；\s]+", str(value).strip()) if p]
    months = set()
    for part in parts:
        try:
            month = parse_int(part)
        except PydanticCustomError:
            raise _not_months() from None
        if not 1 <= month <= 12:
            raise _not_months()
        months.add(month)
    return ",".join(str(m) for m in sorted(months))


def _not_months() -> PydanticCustomError:
    return _fail(_("is not a list of months (expected month numbers 1-12 separated by commas, e.g. 11,12)"))


def peak_month_set(peak_months: str | None) -> set[int]:
    """The stored "11,12" form back as a set of month numbers."""
    return {int(p) for p in (peak_months or "").split(",") if p}


# --- the declaration ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # code, text, date, time (HH:MM text), bool, int, float, enum, months
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    default: Any = None
    ref: str | None = None  # the sheet whose key this code points to
    doc: str = ""

    @property
    def sql_type(self) -> str:
        return {"date": "DATE", "bool": "BOOLEAN", "int": "INTEGER", "float": "DOUBLE"}.get(self.kind, "VARCHAR")

    def expected(self) -> str:
        """What a valid value looks like, in user words of the current language (for the template, the
        Methodology page and the importer's errors); enum values and bounds stay as the format has them."""
        text = one_of(self.enum) if self.kind == "enum" else _(KIND_TEXT[self.kind])
        if self.minimum is not None:
            text += f", {'>' if self.exclusive_minimum else '>='} {_figure(self.minimum)}"
        if self.maximum is not None:
            text += f", <= {_figure(self.maximum)}"
        if self.default is not None:
            text = _("{expected} (default {default})").format(expected=text, default=self.default)
        return text


KIND_TEXT = {"code": N_("a code"), "text": N_("text"), "date": N_("a date (YYYY-MM-DD)"),
             "time": N_("a time of day (HH:MM, 24-hour)"), "bool": N_("yes/no"), "int": N_("a whole number"),
             "float": N_("a number"), "months": N_("months, e.g. 11,12")}


def one_of(values: Iterable[str]) -> str:
    """'one of a, b, c' in the current language (the values as the format spells them)."""
    return _("one of {values}").format(values=", ".join(values))


def not_allowed(values: Iterable[str]) -> str:
    """What an enumeration cell holding another word expects."""
    return _("is not allowed (expected one of {values})").format(values=", ".join(values))


def _figure(number: float) -> str:
    """A limit as people write it: 1,000,000 and 0.5, not 1e+06."""
    return format_number(int(number)) if float(number).is_integer() else f"{number:g}"


@dataclass(frozen=True)
class RowRule:
    """A rule across cells of one row, checked column-wise: `check` gets the rule's columns (lists,
    in the order of `columns`) and today, and yields (row index, column, value, expected)."""

    columns: tuple[str, ...]
    check: Callable[..., Iterable[tuple[int, str, Any, str]]]


@dataclass(frozen=True)
class ReferencedDate:
    """Dates of a row checked against a date of the row its code points to (WORKBOOK.md "Date ranges"):
    `not_before` (acceptance: accepted_on and payment_received_on not before the branch's actual_go_live,
    when both are known), `not_after` (a kick-off held_on not after the branch's actual_go_live, when both
    are known) or `needs` (an acceptance's accepted_on only for a branch with an actual_go_live).

    The importer and the edits look the referenced date up (in the same workbook, else the database)
    and call `check`; a change to the referenced date is checked the other way round by `check_bound`."""

    columns: tuple[str, ...]
    via: str  # the code column pointing to the other sheet
    target_column: str  # the date column of the other sheet
    mode: str = "not_before"

    def _broken(self, day: Any, bound: Any) -> bool:
        if day is None:
            return False
        if self.mode == "needs":
            return bound is None
        if bound is None:
            return False
        return day < bound if self.mode == "not_before" else day > bound

    def check(self, sheet: str, values: Mapping[str, list[Any]], codes: list[Any], row_numbers: list[int],
              bounds: Mapping[Any, Any]) -> Iterable[CellError]:
        """Errors of these rows (values per column, in row order) given the referenced dates by code (a code
        missing from bounds names no row: the reference check reports it)."""
        for index, code in enumerate(codes):
            if code not in bounds:
                continue
            bound = bounds[code]
            for column in self.columns:
                day = values[column][index]
                if self._broken(day, bound):
                    yield CellError(sheet, row_numbers[index], column, day, self._expected(code, bound))

    def _expected(self, code: Any, bound: Any) -> str:
        if self.mode == "needs":
            return _("is given but {code} has no {column} (expected it empty until the branch is live)").format(
                code=code, column=self.target_column)
        if self.mode == "not_after":
            return _("is after {code}'s {column} {day} (expected a date on or before it)").format(
                code=code, column=self.target_column, day=bound)
        return _("is before {code}'s {column} {day} (expected a date on or after it)").format(
            code=code, column=self.target_column, day=bound)

    def check_bound(self, sheet: str, target: str, row_number: int | None, code: Any, bound: Any,
                    stored: Mapping[str, Any]) -> Iterable[CellError]:
        """Errors of a new referenced date `bound` against the dates already stored for its code."""
        for column in self.columns:
            day = stored.get(column)
            if not self._broken(day, bound):
                continue
            if self.mode == "needs":
                expected = _("is empty but {code} has {column} {day} on the {sheet} sheet (expected a date on or "
                             "before it)").format(code=code, column=column, day=day, sheet=sheet)
            elif self.mode == "not_after":
                expected = _("is before {code}'s {column} {day} on the {sheet} sheet (expected a date on or "
                             "after it)").format(code=code, column=column, day=day, sheet=sheet)
            else:
                expected = _("is after {code}'s {column} {day} on the {sheet} sheet (expected a date on or "
                             "before it)").format(code=code, column=column, day=day, sheet=sheet)
            yield CellError(target, row_number, self.target_column, bound, expected)


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = ()
    unknown: str = ""  # what a code pointing to no row of this sheet is, e.g. "is not a known region (...)"
    label_column: str | None = None
    ref_rules: tuple[ReferencedDate, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def blank_key_columns(self) -> list[str]:
        """Optional columns of the key: stored as '' (a primary key cannot hold NULL)."""
        return [c.name for c in self.columns if c.name in self.key and not c.required]


def _range_rule(start: str, end: str) -> RowRule:
    def check(starts: list, ends: list, today: date) -> Iterable[tuple[int, str, Any, str]]:
        for index, (first, last) in enumerate(zip(starts, ends, strict=True)):
            if first is not None and last is not None and last < first:
                yield index, end, last, _("is before {column} {day} (expected a date on or after it)").format(
                    column=start, day=first)
    return RowRule((start, end), check)


def _done_needs_completed_on(statuses: list, completed: list, today: date) -> Iterable[tuple[int, str, Any, str]]:
    for index, (status, done_on) in enumerate(zip(statuses, completed, strict=True)):
        if done_on is None:
            if status == "done":
                yield index, "completed_on", None, _("is empty (expected a date: an item that is done needs "
                                                     "completed_on)")
        elif done_on > today:
            yield index, "completed_on", done_on, in_the_future(today)


def _key_user_needs_module(roles: list, modules: list, today: date) -> Iterable[tuple[int, str, Any, str]]:
    for index, (role, module) in enumerate(zip(roles, modules, strict=True)):
        if role == "key_user" and not module:
            yield index, "module", None, _("is empty (expected a module: a key_user requirement is per module)")


def _not_above(column: str, limit: str) -> RowRule:
    def check(values: list, limits: list, today: date) -> Iterable[tuple[int, str, Any, str]]:
        for index, (value, most) in enumerate(zip(values, limits, strict=True)):
            if value is not None and most is not None and value > most:
                yield index, column, value, _("is more than {limit} {most} (expected at most {limit})").format(
                    limit=limit, most=f"{most:g}")
    return RowRule((column, limit), check)


def in_the_future(today: date) -> str:
    """What a date of something that has happened expects, when it lies after today."""
    return _("is in the future (expected a date on or before {today})").format(today=today)


def _closed_needs_closed_on(statuses: list, closed: list, today: date) -> Iterable[tuple[int, str, Any, str]]:
    for index, (status, closed_on) in enumerate(zip(statuses, closed, strict=True)):
        if closed_on is None and status in ("closed", "cancelled"):
            yield index, "closed_on", None, _("is empty (expected a date: an item that is {status} needs "
                                              "closed_on)").format(status=status)


def _raid_figures_fit_the_kind(kinds: list, probabilities: list, impacts: list, responses: list,
                               today: date) -> Iterable[tuple[int, str, Any, str]]:
    """probability and response belong to risks, impact to risks and issues (WORKBOOK.md): a figure given
    for another kind is a typing slip, refused rather than silently scored."""
    for index, (kind, probability, impact, response) in enumerate(
            zip(kinds, probabilities, impacts, responses, strict=True)):
        if kind is None:
            continue
        for column, value, kinds_allowed in (("probability", probability, ("risk",)),
                                             ("impact", impact, ("risk", "issue")),
                                             ("response", response, ("risk",))):
            if value is not None and kind not in kinds_allowed:
                yield index, column, value, _("is given for a {kind} (expected empty: {column} is for {kinds})").format(
                    kind=kind, column=column, kinds=", ".join(kinds_allowed))
                break


def _decided_needs_decided_on(decisions: list, decided: list, delivered: list,
                              today: date) -> Iterable[tuple[int, str, Any, str]]:
    for index, (decision, decided_on, delivered_on) in enumerate(zip(decisions, decided, delivered, strict=True)):
        if decided_on is None and decision not in (None, "proposed"):
            yield index, "decided_on", None, _("is empty (expected a date: a deviation decided {decision} needs "
                                               "decided_on)").format(decision=decision)
        elif delivered_on is not None and decision in ("proposed", "rejected"):
            yield index, "delivered_on", delivered_on, _("is given for a deviation decided {decision} (expected "
                                                         "empty: only an approved or after_go_live deviation is "
                                                         "built)").format(decision=decision)


DONE_NEEDS_COMPLETED_ON = RowRule(("status", "completed_on"), _done_needs_completed_on)
CLOSED_NEEDS_CLOSED_ON = RowRule(("status", "closed_on"), _closed_needs_closed_on)
RAID_FIGURES_FIT_THE_KIND = RowRule(("kind", "probability", "impact", "response"), _raid_figures_fit_the_kind)
DECIDED_NEEDS_DECIDED_ON = RowRule(("decision", "decided_on", "delivered_on"), _decided_needs_decided_on)
KEY_USER_NEEDS_MODULE = RowRule(("role", "module"), _key_user_needs_module)


def _col(name: str, kind: str, required: bool = False, **kw: Any) -> Column:
    return Column(name, kind, required, **kw)


def _enum(name: str, values: tuple[str, ...], required: bool = False, **kw: Any) -> Column:
    return Column(name, "enum", required, enum=values, **kw)


SHEETS: dict[str, Sheet] = {s.name: s for s in [
    Sheet("regions", (
        _col("region_code", "code", True), _col("region_name", "text", True),
    ), ("region_code",), unknown=N_("is not a known region ({expected})")),
    Sheet("branches", (
        _col("branch_code", "code", True), _col("branch_name", "text", True),
        _col("region_code", "code", True, ref="regions"), _col("city", "text"),
        _col("is_pilot", "bool", default=False), _col("headcount", "int", minimum=0, maximum=1_000_000),
        _col("wave", "int", minimum=0, maximum=1_000),
        _col("planned_kickoff", "date"), _col("planned_go_live", "date"), _col("actual_go_live", "date"),
        _col("peak_months", "months"), _col("consultant_days_budget", "float", minimum=0, maximum=1_000_000),
        _col("consultant_days_used", "float", minimum=0, maximum=1_000_000),
        _col("requirements_signed_on", "date"),
    ), ("branch_code",), (_range_rule("planned_kickoff", "planned_go_live"),),
        unknown=N_("is not a known branch ({expected})")),
    Sheet("modules", (
        _col("branch_code", "code", True, ref="branches"), _enum("module", MODULES, True),
        _col("phase", "int", True, minimum=1, maximum=3), _col("planned_go_live", "date"),
        _col("actual_go_live", "date"),
    ), ("branch_code", "module")),
    Sheet("checklist", (
        _col("branch_code", "code", True, ref="branches"), _col("item_code", "code", True),
        _enum("dimension", DIMENSIONS, True), _col("title", "text", True), _col("owner", "text"),
        _col("due_date", "date"),
        _col("weight", "float", minimum=0, exclusive_minimum=True, maximum=1_000, default=1.0),
        _enum("status", CHECKLIST_STATUSES, True), _col("completed_on", "date"), _col("gate", "bool", default=False),
    ), ("branch_code", "item_code"), (DONE_NEEDS_COMPLETED_ON,)),
    Sheet("people", (
        _col("person_code", "code", True), _col("name", "text", True),
        _col("branch_code", "code", True, ref="branches"), _col("title", "text"), _col("department", "text"),
        _col("email", "text"), _col("joined_on", "date"), _col("left_on", "date"),
    ), ("person_code",), (_range_rule("joined_on", "left_on"),), unknown=N_("is not a known person ({expected})")),
    Sheet("role_requirements", (
        _col("branch_code", "code", True, ref="branches"), _enum("role", ROLES, True), _enum("module", MODULES),
        _col("required_fte", "float", True, minimum=0, exclusive_minimum=True, maximum=1_000),
    ), ("branch_code", "role", "module"), (KEY_USER_NEEDS_MODULE,)),
    Sheet("assignments", (
        _col("person_code", "code", True, ref="people"), _col("branch_code", "code", True, ref="branches"),
        _enum("role", ROLES, True), _enum("module", MODULES),
        _col("fte", "float", True, minimum=0, exclusive_minimum=True, maximum=1),
        _col("is_backup", "bool", default=False), _col("start_date", "date"), _col("end_date", "date"),
    ), ("person_code", "branch_code", "role", "module"), (_range_rule("start_date", "end_date"),)),
    Sheet("training", (
        _col("person_code", "code", True, ref="people"), _enum("module", MODULES, True),
        _col("course", "text", True), _col("completed_on", "date"),
        _col("score", "float", minimum=0, maximum=100),
    ), ("person_code", "module", "course")),
    Sheet("executives", (
        _col("exec_code", "code", True), _col("name", "text", True), _col("title", "text"),
        _col("region_code", "code", True, ref="regions"), _col("branch_code", "code", ref="branches"),
        _col("email", "text"),
    ), ("exec_code",), unknown=N_("is not a known executive ({expected})")),
    Sheet("touchpoints", (
        _col("exec_code", "code", True, ref="executives"), _col("date", "date", True),
        _enum("channel", CHANNELS, True), _col("duration_min", "int", minimum=0, maximum=10_080),
        _col("hq_contact", "text"),
        _col("topic", "text"), _col("sentiment", "int", minimum=-2, maximum=2), _col("commitment", "text"),
        _col("follow_up_due", "date"),
    ), ("exec_code", "date", "channel", "topic")),
    Sheet("lessons", (
        _col("lesson_code", "code", True), _col("source_branch_code", "code", True, ref="branches"),
        _col("phase", "text"), _enum("module", MODULES), _enum("category", CATEGORIES, True),
        _col("title", "text", True), _col("description", "text"), _enum("impact", IMPACTS, True),
        _col("recommendation", "text"), _col("checklist_item_code", "code"), _col("recorded_on", "date"),
    ), ("lesson_code",), unknown=N_("is not a known lesson ({expected})")),
    Sheet("lesson_applications", (
        _col("lesson_code", "code", True, ref="lessons"), _col("branch_code", "code", True, ref="branches"),
        _enum("status", APPLICATION_STATUSES, True), _col("note", "text"), _col("updated_on", "date"),
    ), ("lesson_code", "branch_code")),
    Sheet("master_data", (
        _col("branch_code", "code", True, ref="branches"), _enum("object", OBJECTS, True),
        _col("records_expected", "int", True, minimum=0, maximum=1_000_000_000),
        _col("records_loaded", "int", minimum=0, maximum=1_000_000_000),
        _col("records_validated", "int", minimum=0, maximum=1_000_000_000),
    ), ("branch_code", "object")),
    Sheet("problems", (
        _col("problem_code", "code", True), _col("branch_code", "code", True, ref="branches"),
        _col("opened_on", "date", True), _col("closed_on", "date"), _enum("severity", SEVERITIES, True),
        _enum("module", MODULES), _col("title", "text", True), _col("owner", "text"),
    ), ("problem_code",), (_range_rule("opened_on", "closed_on"),)),
    Sheet("kickoffs", (
        _col("branch_code", "code", True, ref="branches"), _col("held_on", "date", True),
        _col("start_time", "time"), _col("duration_min", "int", minimum=0, exclusive_minimum=True, maximum=1_440),
        _col("chair", "text"), _col("attendees", "int", minimum=0, maximum=100_000),
        _col("steering_committee_named", "bool"),
        _col("rewards_announced", "bool"), _col("qa_held", "bool"), _col("minutes_signed_on", "date"),
        _col("minutes_ref", "text"),
    ), ("branch_code",), (_range_rule("held_on", "minutes_signed_on"),),
        ref_rules=(ReferencedDate(("held_on",), "branch_code", "actual_go_live", "not_after"),)),
    Sheet("consultant_days", (
        _col("branch_code", "code", True, ref="branches"), _col("work_date", "date", True),
        _col("consultant", "text", True), _enum("phase", CONSULTANT_PHASES, True),
        _col("days", "float", True, minimum=0, exclusive_minimum=True, maximum=1), _col("note", "text"),
    ), ("branch_code", "work_date", "consultant", "phase")),
    Sheet("daily_entries", (
        _col("branch_code", "code", True, ref="branches"), _col("date", "date", True),
        _col("documents", "int", True, minimum=0, maximum=1_000_000_000),
        _col("entered_same_day", "int", True, minimum=0, maximum=1_000_000_000),
    ), ("branch_code", "date"), (_not_above("entered_same_day", "documents"),)),
    Sheet("acceptance", (
        _col("branch_code", "code", True, ref="branches"), _col("accepted_on", "date"),
        _col("payment_due", "date"), _col("payment_received_on", "date"),
    ), ("branch_code",), ref_rules=(
        ReferencedDate(("accepted_on", "payment_received_on"), "branch_code", "actual_go_live"),
        ReferencedDate(("accepted_on",), "branch_code", "actual_go_live", "needs"))),
    Sheet("raid", (
        _col("raid_code", "code", True), _enum("kind", RAID_KINDS, True), _col("branch_code", "code", ref="branches"),
        _col("title", "text", True), _col("description", "text"), _col("owner", "text"),
        _col("raised_on", "date", True), _col("due_date", "date"), _enum("status", RAID_STATUSES, True),
        _col("closed_on", "date"), _col("probability", "int", minimum=1, maximum=5),
        _col("impact", "int", minimum=1, maximum=5), _enum("response", RESPONSES), _col("source", "text"),
    ), ("raid_code",), (_range_rule("raised_on", "closed_on"), CLOSED_NEEDS_CLOSED_ON, RAID_FIGURES_FIT_THE_KIND),
        unknown=N_("is not a known RAID item ({expected})")),
    Sheet("deviations", (
        _col("deviation_code", "code", True), _col("branch_code", "code", True, ref="branches"),
        _enum("module", MODULES), _col("process", "text"), _col("title", "text", True),
        _enum("kind", DEVIATION_KINDS, True), _col("raised_on", "date", True),
        _enum("decision", DEVIATION_DECISIONS, True), _col("decided_on", "date"),
        _col("effort_days", "float", minimum=0, maximum=100_000), _col("blocks_go_live", "bool", default=False),
        _col("delivered_on", "date"),
    ), ("deviation_code",), (_range_rule("raised_on", "decided_on"), _range_rule("raised_on", "delivered_on"),
                             _range_rule("decided_on", "delivered_on"), DECIDED_NEEDS_DECIDED_ON),
        unknown=N_("is not a known deviation ({expected})")),
]}

# The order in which sheets load, parents first, so references resolve within one workbook.
LOAD_ORDER = list(SHEETS)


# --- pydantic models derived from the declaration -----------------------------------------------

def _parser(column: Column) -> Callable[[object], Any]:
    if column.kind == "enum":
        allowed = set(column.enum)

        def parse_enum(value: object) -> str:
            text = normalise_name(value)
            if text not in allowed:
                raise _fail(not_allowed(column.enum))
            return text
        return parse_enum
    if column.kind in ("int", "float"):
        parse_figure = parse_int if column.kind == "int" else parse_number

        def base(value: object) -> Any:
            return parse_figure(value, column.expected)
    else:
        base = {"code": parse_code, "text": parse_text, "date": parse_date, "time": parse_time, "bool": parse_bool,
                "months": parse_months}[column.kind]
    if column.name == "region_code":
        def parse_region(value: object) -> str:
            code = base(value)
            refusal = region_code_refusal(code)
            if refusal:
                raise _fail(refusal)
            return code
        return parse_region
    if column.minimum is None and column.maximum is None:
        return base

    def parse_in_range(value: object) -> Any:
        number = base(value)
        low_bad = column.minimum is not None and (
            number <= column.minimum if column.exclusive_minimum else number < column.minimum)
        high_bad = column.maximum is not None and number > column.maximum
        if low_bad or high_bad:
            raise _out_of_range(column.expected())
        return number
    return parse_in_range


def _cell_validator(column: Column) -> Callable[[object], Any]:
    parse = _parser(column)

    def validate(value: object) -> Any:
        if isinstance(value, Unreadable):
            raise _fail(value.expected)
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS:
                raise _fail(_("is {length} characters long (expected at most {limit} characters in a cell)")
                            .format(length=format_number(len(value)), limit=format_number(MAX_CELL_CHARS)))
            value = unquote(value)
        if is_blank(value):
            if column.required:
                raise _fail(_("is empty (expected {expected})").format(expected=column.expected()))
            return column.default
        return parse(value)
    return validate


@cache
def column_adapter(sheet_name: str, column_name: str) -> TypeAdapter:
    """A pydantic validator for a list of one column's values (cached: building it costs ~ms)."""
    column = SHEETS[sheet_name].column(column_name)
    return TypeAdapter(list[Annotated[Any, BeforeValidator(_cell_validator(column))]])


_TEXT_TYPES = {str, type(None)}


def _validate_column(sheet: Sheet, column: Column, values: list[Any]) -> tuple[list[Any], dict[int, str]]:
    """Parse one column: pydantic validates each DISTINCT value once (codes, dates and enums
    repeat a lot), then the results map back to every row. Returns parsed values and, per
    failing row index, what was expected."""
    if set(map(type, values)) <= _TEXT_TYPES:
        keys: list[Any] = values  # text from CSV: the value is its own key
    else:  # spreadsheet cells: 1, 1.0 and True are equal as keys but parse differently
        keys = [(type(v), v) for v in values]
    distinct = list(dict.fromkeys(keys))
    originals = distinct if keys is values else [k[1] for k in distinct]
    failures: dict[int, str] = {}
    try:
        parsed = column_adapter(sheet.name, column.name).validate_python(originals)
    except PydanticValidationError as exc:
        for err in exc.errors():
            failures[err["loc"][0]] = (err.get("ctx") or {}).get("expected") or err["msg"]
        parsed = [None if i in failures else _cell_validator(column)(v) for i, v in enumerate(originals)]
    if not failures:
        by_key = dict(zip(distinct, parsed, strict=True))
        return list(map(by_key.__getitem__, keys)), {}
    index = {k: i for i, k in enumerate(distinct)}
    lookup = [index[k] for k in keys]
    row_failures = {row: failures[i] for row, i in enumerate(lookup) if i in failures}
    return [parsed[i] for i in lookup], row_failures


@dataclass
class SheetRows:
    """A sheet's validated values, column by column, with the spreadsheet row number of each row.

    Refused rows keep the cells that did parse (others are None): references and repeated keys
    are checked on them too, so one pass reports every error, but they are never written.
    `present` names the columns the sheet had: an absent column leaves stored values alone (its
    values here are only the defaults a new row gets)."""

    sheet: Sheet
    columns: dict[str, list[Any]]
    all_numbers: list[int]
    refused: set[int] = field(default_factory=set)
    present: frozenset[str] | None = None  # None: every column

    @cached_property
    def good(self) -> list[int]:
        """Indexes of the rows that passed."""
        return [i for i in range(len(self.all_numbers)) if i not in self.refused]

    def column(self, name: str) -> list[Any]:
        """One column's values over the rows that passed."""
        values = self.columns[name]
        return values if not self.refused else [values[i] for i in self.good]

    def has(self, name: str) -> bool:
        """Whether the sheet had this column (a key column always counts as present)."""
        return self.present is None or name in self.present or name in self.sheet.key

    @property
    def row_numbers(self) -> list[int]:
        """Spreadsheet row numbers of the rows that passed."""
        return self.all_numbers if not self.refused else [self.all_numbers[i] for i in self.good]

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The rows that passed, as dicts (for edits and small sheets)."""
        names = self.sheet.column_names
        return [dict(zip(names, values, strict=True))
                for values in zip(*(self.column(n) for n in names), strict=True)]

    def __len__(self) -> int:
        return len(self.good)


# Given the absent columns a row rule needs and the parsed columns, the stored row (as a dict of those
# columns) for each row whose key is in the database already, None for a new key.
StoredRows = Callable[[list[str], dict[str, list[Any]]], list[dict[str, Any] | None]]


def validate_columns(sheet_name: str, columns: dict[str, list[Any]], row_numbers: list[int],
                     today: date, stored: StoredRows | None = None) -> tuple[SheetRows, list[CellError]]:
    """Validate every cell, column by column, then each row's rules (done needs completed_on,
    dates run forward, ...) on the rows whose cells all parsed. Returns the values and every
    error (sheet, row, column, value, expected).

    A column absent from `columns` keeps its stored values on update; when a row rule needs one,
    `stored` supplies them, so the rule judges the row as it will be after the load."""
    sheet = SHEETS[sheet_name]
    count = len(row_numbers)
    errors: list[CellError] = []
    bad: set[int] = set()
    parsed: dict[str, list[Any]] = {}
    for column in sheet.columns:
        values = columns.get(column.name) or [None] * count
        parsed[column.name], failures = _validate_column(sheet, column, values)
        for index, expected in failures.items():
            bad.add(index)
            errors.append(CellError(sheet_name, row_numbers[index], column.name, values[index], expected))
    for name in sheet.blank_key_columns:
        parsed[name] = ["" if v is None else v for v in parsed[name]]
    absent = sorted({c for rule in sheet.rules for c in rule.columns if c not in columns})
    judged = parsed
    if absent and stored is not None and count:
        kept = stored(absent, parsed)
        judged = {**parsed, **{name: [parsed[name][i] if row is None else row[name] for i, row in enumerate(kept)]
                               for name in absent}}
    for rule in sheet.rules:
        for index, column_name, value, expected in rule.check(*(judged[c] for c in rule.columns), today):
            if index not in bad:  # a row whose cells failed is not judged on its rules
                bad.add(index)
                if column_name not in columns:
                    expected = _("{expected} (the value stored in the database: the sheet has no {column} "
                                 "column)").format(expected=expected, column=column_name)
                errors.append(CellError(sheet_name, row_numbers[index], column_name, value, expected))
    names = sheet.column_names
    errors.sort(key=lambda e: (e.row or 0, names.index(e.column) if e.column in names else -1))
    return SheetRows(sheet, parsed, list(row_numbers), bad, frozenset(columns)), errors


def validate_rows(sheet_name: str, raw_rows: list[dict[str, Any]], row_numbers: list[int],
                  today: date) -> tuple[SheetRows, list[CellError]]:
    """validate_columns for rows given as dicts (edits, small inputs)."""
    names = SHEETS[sheet_name].column_names
    return validate_columns(sheet_name, {n: [row.get(n) for row in raw_rows] for n in names}, row_numbers, today)
