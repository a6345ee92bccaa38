"""How a figure is written on screen: percentages, days, status and module labels (pure, no streamlit).

Figures (ui.figures) and page sections (ui.sections) both write values through these, so a
percentage or a missing date reads the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from rollout.core import labels
from rollout.core.i18n import _, ngettext
from rollout.core.labels import N_, STATUS_COLOURS, column_label

STAFFING_STATUS_TEXT = {"uncovered": N_("Uncovered module"), "single_point_of_failure": N_("Single point of failure"),
                        "covered": N_("Covered"), "no_modules": N_("No modules")}
NO_MODULE = "(no module)"  # a filter value (Lessons page): shown through module_label / no_module_text


def no_module_text() -> str:
    """'(no module)' in the current language."""
    return _("(no module)")


def staffing_status_text(status: object) -> str:
    """A branch's staffing status code in words (unknown codes unchanged)."""
    return _(STAFFING_STATUS_TEXT[status]) if status in STAFFING_STATUS_TEXT else str(status)


def percent(value: Any, missing: str = "—") -> str:
    """'63.6%' (one decimal), or `missing` (what an undefined figure means here, e.g. 'no plan')."""
    return missing if value is None or pd.isna(value) else f"{float(value):.1f}%"


def readiness_text(value: Any) -> str:
    """'63.6%', or 'no plan' for an undefined readiness (a branch with no checklist item)."""
    return percent(value, _("no plan"))


def day_text(value: Any) -> str:
    """'2026-11-22', or '—' for no date."""
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def count_text(value: Any) -> str | int:
    """A whole number, or '—' when unknown."""
    return "—" if value is None or pd.isna(value) else int(value)


def status_label(status: object) -> str:
    """A readiness status as the user reads it, as a heading writes it ('no_plan' is 'No plan', 无计划)."""
    text = labels.status_label(str(status))
    return text[:1].upper() + text[1:]


def last_contact_text(days: object) -> str:
    """Days since the last touchpoint in words ("never contacted" when there is none)."""
    if days is None or pd.isna(days):
        return _("never contacted")
    days = int(days)
    return _("today") if days == 0 else ngettext("{days} day ago", "{days} days ago", days).format(days=days)


def module_label(module: object) -> str:
    """A module, or '(no module)' for a lesson or problem that has none (the filter's value, not translated)."""
    return NO_MODULE if module is None or pd.isna(module) or module == "" else str(module)


# --- tables a person reads -------------------------------------------------------------------------------


def go_live_text(days: Any, actual_go_live: Any = None) -> str:
    """A branch's go-live in words: 'live since 2026-03-02' for a live branch, 'in 21 days', 'today',
    '5 days overdue' for a planned date already passed; '' with no date. Never a negative count."""
    if actual_go_live is not None and not pd.isna(actual_go_live):
        return _("live since {day}").format(day=day_text(actual_go_live))
    if days is None or pd.isna(days):
        return ""
    days = int(days)
    if days == 0:
        return _("today")
    if days > 0:
        return ngettext("in {count} day", "in {count} days", days).format(count=days)
    return ngettext("{count} day overdue", "{count} days overdue", -days).format(count=-days)


def go_live_tile(row: Any) -> tuple[str, str]:
    """A branch's go-live as a tile shows it: the date (live since, else planned; '—' for none) as the value and
    the words ('live', 'in 21 days', '5 days overdue') below it, so a narrow tile never cuts the value."""
    if row["status"] == "live":
        return day_text(row["actual_go_live"]), labels.status_label("live")
    return day_text(row["planned_go_live"]), go_live_text(row["days_to_go_live"])


def is_date_only(series: pd.Series) -> bool:
    """Datetimes holding only midnights (DuckDB DATEs), or Python dates in an object column."""
    values = series.dropna()
    if pd.api.types.is_datetime64_any_dtype(series):
        return bool(values.empty or (values == values.dt.normalize()).all())
    return series.dtype == object and not values.empty and bool(
        values.map(lambda v: isinstance(v, date) and not isinstance(v, datetime)).all())


def _number_text(value: Any, whole: bool) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{int(value)}" if whole else f"{float(value):.1f}"


def readable(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The frame as a person reads it, and its status columns (by their new header).

    Headers through labels.column_label; dates as YYYY-MM-DD; empty cells blank (never None, nan or
    NaT: a number column with an empty cell becomes text, one decimal); readiness statuses in words
    (labels.status_label, so the page can colour them from labels.STATUS_COLOURS) and stages in words. The
    same frame is shown and downloaded, so the CSV reads like the screen."""
    shown = frame.copy()
    statuses: list[str] = []
    for position, name in enumerate(frame.columns):
        series = frame.iloc[:, position]
        if is_date_only(series):
            shown.isetitem(position, series.map(lambda v: "" if pd.isna(v) else day_text(v)).astype(object))
        elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        elif pd.api.types.is_numeric_dtype(series):
            if series.isna().any():
                whole = pd.api.types.is_integer_dtype(series) or bool(
                    (series.dropna() == series.dropna().round()).all())
                shown.isetitem(position, series.map(lambda v, w=whole: _number_text(v, w)).astype(object))
        elif series.dtype == object or pd.api.types.is_string_dtype(series) \
                or isinstance(series.dtype, pd.CategoricalDtype):
            values = series.dropna()
            if str(name) == "status" and not values.empty and values.astype(str).isin(list(STATUS_COLOURS)).all():
                shown.isetitem(position, series.map(lambda v: "" if pd.isna(v) else labels.status_label(str(v))))
                statuses.append(column_label(str(name)))
            elif str(name) == "stage" and not values.empty and values.astype(str).isin(list(labels.STAGE_LABELS)).all():
                shown.isetitem(position, series.map(lambda v: "" if pd.isna(v) else labels.stage_label(str(v))))
            elif series.isna().any():
                shown.isetitem(position, series.astype(object).where(series.notna(), ""))
    shown.columns = unique_headers([column_label(str(c)) for c in frame.columns], list(frame.columns))
    return shown.reset_index(drop=True), statuses


def unique_headers(headers: list[str], names: list[Any]) -> list[str]:
    """The headers with any repeat told apart by its column's name: two columns may share a label (a table
    cannot show, and pyarrow cannot serialise, two columns of one name)."""
    seen: set[str] = set()
    unique = []
    for header, name in zip(headers, names, strict=True):
        unique.append(header if header not in seen else f"{header} ({name})")
        seen.add(unique[-1])
    return unique
