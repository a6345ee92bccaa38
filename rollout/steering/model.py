"""The steering pack as data: at most a dozen slides of sentences, charts and short tables, with the full
lists beside them for the Excel pack and the HTML pack's appendix.

The model holds codes and figures (status codes, snake_case columns, numbers, dates) and text already
translated into the pack's language (titles, sentences, chart titles); the renderers turn columns into
human headers (`header`), statuses into words and colours (rollout.core.labels), and never split a
table over continuation slides: a slide shows `Table.frame` (at most SLIDE_ROWS rows), the full list
is `Table.full`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pandas as pd

from rollout.core.i18n import current, format_number, gettext, use_language
from rollout.core.labels import N_, STATUS_COLOURS, column_label, status_label
from rollout.core.values import plain

NOT_YET = "not yet available"
SLIDE_ROWS = 10  # "top 10": a slide's table never holds more
MAX_SLIDES = 12  # the title slide and one slide per section, at any portfolio size

# Headers of the pack's own columns (rollout.core.labels.COLUMN_LABELS has the app's common ones).
PACK_COLUMNS = {
    "reason": N_("Reason"),
    "owner": N_("Owner"),
    "next_action": N_("Next action"),
    "days_to_go_live": N_("Days to go-live"),
    "p_ready_by_go_live": N_("Chance ready by go-live %"),
    "name": N_("Name"),
    "title": N_("Title"),
    "suggested_channel": N_("Suggested channel"),
    "lesson_code": N_("Lesson"),
    "lesson_title": N_("Lesson title"),
    "application_coverage": N_("Applied at branches %"),
    "recurring_problems": N_("Recurring problems"),
    "budget": N_("Budget (man-days)"),
    "used": N_("Used (man-days)"),
    "remaining": N_("Remaining (man-days)"),
    "used_pct": N_("Used %"),
    "forecast_overrun": N_("Forecast overrun (man-days)"),
    "decision": N_("Decision"),
    "decided_on": N_("Decided on"),
    "decided_by": N_("Decided by"),
    "conditions": N_("Conditions"),
    "follow_up_on": N_("Follow-up on"),
    "conditions_met": N_("Conditions met"),
    "status_now": N_("Status now"),
    "review": N_("Review"),
    "as_of": N_("As of"),
    "label": N_("Label"),
    "region_name": N_("Region"),
    "engagement": N_("Engagement"),
    "days_since_last_touchpoint": N_("Days since last contact"),
    "problem_code": N_("Problem"),
    "problem_title": N_("Problem title"),
    "opened_on": N_("Opened on"),
    "severity": N_("Severity"),
    "application_status": N_("Lesson at the branch"),
}
PERCENT_COLUMNS = {"checklist_readiness", "data_readiness", "fill_rate", "p_ready_by_go_live", "application_coverage",
                   "used_pct", "readiness_min", "readiness_median", "readiness_max"}
DATE_COLUMNS = {"planned_go_live", "forecast_ready_on", "decided_on", "follow_up_on", "as_of", "week",
                "actual_go_live", "opened_on"}
STATUS_COLUMNS = {"status", "status_now"}


def header(column: str) -> str:
    """A column's header in the pack's language."""
    return gettext(PACK_COLUMNS[column]) if column in PACK_COLUMNS else column_label(column)


def display(column: str, value: Any) -> str:
    """A cell as a person reads it in the pack's language: blank when empty, status words, dates as
    YYYY-MM-DD, percentages with one decimal and a % sign, numbers grouped, whole numbers without '.0'."""
    value = plain(value)
    if value is None:
        return ""
    if column in STATUS_COLUMNS:
        return status_label(str(value))
    if isinstance(value, bool):
        return gettext(N_("yes")) if value else gettext(N_("no"))
    if isinstance(value, (date, datetime)) or column in DATE_COLUMNS:
        return value[:10] if isinstance(value, str) else value.isoformat()[:10]
    if isinstance(value, (int, float)):
        return _number(current(), float(value), column in PERCENT_COLUMNS)
    return str(value)


@lru_cache(maxsize=65536)
def _number(language: str, number: float, percent: bool) -> str:
    """A number in a language (cached: Babel's formatting is slow and a pack repeats small counts)."""
    if percent:
        return format_number(number, 1) + "%"
    return format_number(number, 0 if number.is_integer() else 1)


def series_name(column: str) -> str:
    """A chart series' name: a status word for status columns, else the column's header."""
    return status_label(column) if column in STATUS_COLOURS else header(column)


@dataclass
class Chart:
    """A native chart over `frame`: categories from one column, one series per value column.

    kind: "bar" (clustered columns), "stacked" (stacked columns) or "line". `colours` gives a series'
    colour by column (every status series in its palette colour); `point_colours` colours the points of
    a one-series chart one by one (the status chart of the summary)."""

    kind: str
    frame: pd.DataFrame
    category: str
    values: list[str]
    title: str
    colours: dict[str, str] = field(default_factory=dict)
    point_colours: list[str] | None = None


@dataclass(frozen=True)
class Deferred:
    """A full list written when a renderer first reads it (the Excel pack, the HTML appendix), from frames
    the pack has read already: wording 10,000 branches' reasons is most of a big pack's build, and the
    slides show ten. A module-level function and its arguments, never a database handle, so a cached pack
    still pickles and reads nothing later; its words are in the pack's language."""

    func: Callable[..., pd.DataFrame]
    args: tuple[Any, ...]
    language: str

    def __call__(self) -> pd.DataFrame:
        with use_language(self.language):
            return self.func(*self.args).reset_index(drop=True)


@dataclass
class Table:
    """A list: the rows a slide shows (`frame`, at most SLIDE_ROWS) and the full list (`full`, given as a
    frame or as a Deferred one). A table that is not `on_slide` is only in the Excel pack and the HTML
    appendix."""

    key: str  # the Excel sheet's and the HTML anchor's key
    title: str
    frame: pd.DataFrame
    source: pd.DataFrame | Deferred
    on_slide: bool = True

    @property
    def full(self) -> pd.DataFrame:
        """The full list (a deferred one is written now, once)."""
        if isinstance(self.source, Deferred):
            self.source = self.source()
        return self.source


@dataclass
class Section:
    """One slide: sentences, then a chart and/or tables."""

    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    chart: Chart | None = None
    tables: list[Table] = field(default_factory=list)
    status: str | None = None  # the overall status the executive summary shows, a status code
    side_by_side: bool = False  # two tables beside each other on the slide (each half the width)


@dataclass
class Pack:
    title: str
    as_of: date
    language: str
    sections: list[Section] = field(default_factory=list)

    @property
    def slide_count(self) -> int:
        """The title slide and one slide per section (never a continuation slide)."""
        return 1 + len(self.sections)
