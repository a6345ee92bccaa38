"""How a figure is written on screen: percentages, days, status and module labels (pure, no streamlit).

Figures (ui.figures) and page sections (ui.sections) both write values through these, so a
percentage or a missing date reads the same everywhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from babel.dates import format_date

from rollout.core import i18n, labels
from rollout.core.i18n import _, ngettext
from rollout.core.labels import N_

STAFFING_STATUS_TEXT = {"uncovered": N_("Uncovered module"), "single_point_of_failure": N_("Single point of failure"),
                        "covered": N_("Covered"), "no_modules": N_("No modules")}
NO_MODULE = "(no module)"  # a filter value (Lessons page): shown through module_label / no_module_text


def no_module_text() -> str:
    """'(no module)' in the current language."""
    return _("(no module)")


def staffing_status_text(status: object) -> str:
    """A branch's staffing status code in words (unknown codes unchanged)."""
    return _(STAFFING_STATUS_TEXT[status]) if status in STAFFING_STATUS_TEXT else str(status)


def weekday(day: date) -> str:
    """The day of the week in the current language (Monday, 星期一)."""
    return format_date(day, "EEEE", locale=i18n.BABEL_LOCALES[i18n.current()])


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
