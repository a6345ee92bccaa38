"""How a figure is written on screen: percentages, days, status and module labels (pure, no streamlit).

Figures (ui.figures) and page sections (ui.sections) both write values through these, so a
percentage or a missing date reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

STATUS_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "live": "Live", "no_plan": "No plan"}
STAFFING_STATUS_TEXT = {"uncovered": "Uncovered module", "single_point_of_failure": "Single point of failure",
                        "covered": "Covered", "no_modules": "No modules"}
NO_MODULE = "(no module)"


def percent(value: Any, missing: str = "—") -> str:
    """'63.6%' (one decimal), or `missing` (what an undefined figure means here, e.g. 'no plan')."""
    return missing if value is None or pd.isna(value) else f"{float(value):.1f}%"


def readiness_text(value: Any) -> str:
    """'63.6%', or 'no plan' for an undefined readiness (a branch with no checklist item)."""
    return percent(value, "no plan")


def day_text(value: Any) -> str:
    """'2026-11-22', or '—' for no date."""
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def count_text(value: Any) -> str | int:
    """A whole number, or '—' when unknown."""
    return "—" if value is None or pd.isna(value) else int(value)


def status_label(status: object) -> str:
    """A readiness status as the user reads it ('no_plan' is 'No plan')."""
    return STATUS_LABELS.get(str(status), str(status))


def last_contact_text(days: object) -> str:
    """Days since the last touchpoint in words ("never contacted" when there is none)."""
    if days is None or pd.isna(days):
        return "never contacted"
    days = int(days)
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def module_label(module: object) -> str:
    """A module, or '(no module)' for a lesson or problem that has none."""
    return NO_MODULE if module is None or pd.isna(module) or module == "" else str(module)
