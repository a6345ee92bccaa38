"""Words a person reads for the codes the library returns: statuses and column headers, in one place.

The library's frames keep their snake_case columns and status codes (tests, JSON and the workbook
format rely on them); a table, a download or a slide shows `column_label(name)` and
`status_label(code)` instead, translated into the current language (rollout.core.i18n). Messages are
marked with `N_` here (for pybabel extract) and translated at the point of display.
"""

from __future__ import annotations

import pandas as pd

from rollout.core.i18n import gettext


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message


STATUS_LABELS = {
    "live": N_("live"),
    "green": N_("green"),
    "amber": N_("amber"),
    "red": N_("red"),
    "no_plan": N_("no plan"),
}

# The one status palette (issue 18): every chart, tile, table cell and slide colours a status from here.
# Red/amber/green as traffic lights, live a calm blue (done, not "good"), no plan a neutral grey; the
# amber is dark enough to carry white text and the green is distinguishable from the red for most
# colour-blind readers by lightness as well as hue.
STATUS_COLOURS = {
    "live": "#1f77b4",
    "green": "#2ca02c",
    "amber": "#ff9f1c",
    "red": "#d62728",
    "no_plan": "#9e9e9e",
}
STATUS_ORDER = ("red", "amber", "green", "no_plan", "live")  # risk first, as a steering committee reads


COLUMN_LABELS = {
    "branch_code": N_("Branch"),
    "branch_name": N_("Branch name"),
    "region_code": N_("Region"),
    "region_name": N_("Region name"),
    "status": N_("Status"),
    "branches": N_("Branches"),
    "checklist_readiness": N_("Readiness %"),
    "data_readiness": N_("Data readiness %"),
    "overdue_items": N_("Overdue items"),
    "failing_gates": N_("Failing gates"),
    "forecast_ready_on": N_("Forecast ready"),
    "slip_days": N_("Slip (days)"),
    "planned_go_live": N_("Planned go-live"),
    "actual_go_live": N_("Live since"),
    "fill_rate": N_("Fill rate %"),
    "uncovered_modules": N_("Uncovered modules"),
    "spof_modules": N_("Single points of failure"),
    "over_allocated_people": N_("Over-allocated people"),
    "readiness_min": N_("Lowest readiness %"),
    "readiness_median": N_("Median readiness %"),
    "readiness_max": N_("Highest readiness %"),
    "week": N_("Week"),
    "go_lives": N_("Go-lives"),
    "live": N_("live"),
    "green": N_("green"),
    "amber": N_("amber"),
    "red": N_("red"),
    "no_plan": N_("no plan"),
    # the Portfolio's branch table and other tables (issue 18)
    "wave": N_("Wave"),
    "stage": N_("Stage"),
    "top_reason": N_("Top reason"),
    "go_live": N_("Go-live"),
    "days_to_go_live": N_("Days to go-live"),
    "p_ready_by_go_live": N_("Chance by go-live %"),
    "planned_kickoff": N_("Planned kick-off"),
    "person_code": N_("Person"),
    "exec_code": N_("Executive"),
    "module": N_("Module"),
    "name": N_("Name"),
    "title": N_("Title"),
    "due_date": N_("Due date"),
    "created_at": N_("Saved at"),
    "as_of": N_("As of"),
}


def status_label(code: str) -> str:
    """A status code (live, green, amber, red, no_plan) as a person reads it; unknown codes unchanged."""
    return gettext(STATUS_LABELS[code]) if code in STATUS_LABELS else code


def column_label(name: str) -> str:
    """A column's header as a person reads it: the declared label, else the name with spaces."""
    if name in COLUMN_LABELS:
        return gettext(COLUMN_LABELS[name])
    return name.replace("_", " ")


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with human column headers (for a table on screen or a CSV download)."""
    return frame.rename(columns={c: column_label(c) for c in frame.columns})
