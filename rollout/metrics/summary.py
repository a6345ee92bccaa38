"""The machine-readable summary (METRICS.md "Machine-readable summary"): one JSON object.

It only assembles: each figure comes from the function of the module that owns it, so the CLI,
the pages, the snapshots and the steering pack all show the same numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from rollout.core.values import is_missing, iso_text, plain, round1
from rollout.metrics import (
    after_go_live,
    engagement,
    kickoff,
    lessons,
    man_days,
    raid,
    readiness,
    staffing,
    track_record,
)
from rollout.store.db import Database
from rollout.store.settings import get_settings

BRANCH_FIELDS = ["branch_code", "checklist_readiness", "overdue_items", "failing_gates", "data_readiness",
                 "fill_rate", "over_allocated_people", "uncovered_modules", "spof_modules", "forecast_ready_on",
                 "slip_days", "p_ready_by_go_live", "ready_p50_on", "ready_p80_on",
                 # From kick-off to acceptance (METRICS.md "Kick-off meeting", "Consultant man-days", "After go-live")
                 "kickoff_findings", "man_days_used", "man_days_overrun", "problems_past_limit",
                 "same_day_entry_rate", "ready_for_acceptance", "acceptance_overdue", "payment_overdue",
                 # The RAID log and template deviations (METRICS.md "RAID log", "Template deviations")
                 *raid.SUMMARY_COLUMNS[1:],
                 "status"]
EXECUTIVE_FIELDS = ["exec_code", "engagement_score", "days_since_last_touchpoint", "status", "overdue_follow_ups"]
LESSON_FIELDS = ["lesson_code", "application_coverage"]
ROUNDED = {"checklist_readiness", "data_readiness", "fill_rate", "p_ready_by_go_live", "engagement_score",
           "application_coverage", "man_days_used", "man_days_overrun", "same_day_entry_rate"}
COUNTS = {"overdue_items", "failing_gates", "over_allocated_people", "uncovered_modules", "spof_modules", "slip_days",
          "days_since_last_touchpoint", "overdue_follow_ups", "problems_past_limit", *raid.BRANCH_COUNTS}


def json_value(field: str, value: Any) -> Any:
    """A figure in the summary's JSON form: null, 1-decimal, integer or YYYY-MM-DD."""
    if is_missing(value):
        return None
    if field in ROUNDED:
        return round1(float(value))
    if field in COUNTS:
        return int(value)
    if isinstance(value, date):  # datetime and Timestamp too
        return iso_text(value)
    return plain(value)


def records(frame: pd.DataFrame, fields: list[str], key: str) -> list[dict[str, Any]]:
    frame = frame.reindex(columns=fields).sort_values(key, key=lambda s: s.astype(str))
    return [{f: json_value(f, row[f]) for f in fields} for row in frame.to_dict("records")]


def summary(db: Database, as_of: date, status: pd.DataFrame | None = None) -> dict[str, Any]:
    """Every branch, executive and lesson with its figures as of a date, and the forecast's track record.
    `status`: readiness.status_with_forecast of the date when the caller has it (snapshots)."""
    settings = get_settings(db)
    done = None
    if status is None:  # read once: the readiness fields and the track record's branch figures and weeks done
        status, done = track_record.status_and_weeks(db, as_of, settings)
    branches = db.df("SELECT branch_code FROM branches")
    for part in (readiness.summary_fields(db, as_of, settings, status), staffing.summary_fields(db, as_of, settings),
                 kickoff.summary_fields(db, as_of, settings), man_days.summary_fields(db, as_of, settings),
                 after_go_live.summary_fields(db, as_of, settings), raid.summary_fields(db, as_of, settings)):
        branches = branches.merge(part, on="branch_code", how="left")
    executives = db.df("SELECT exec_code FROM executives").merge(
        engagement.summary_fields(db, as_of, settings), on="exec_code", how="left")
    lesson_rows = db.df("SELECT lesson_code FROM lessons").merge(
        lessons.summary_fields(db, as_of, settings), on="lesson_code", how="left")
    return {"as_of": as_of.isoformat(),
            "branches": records(branches, BRANCH_FIELDS, "branch_code"),
            "executives": records(executives, EXECUTIVE_FIELDS, "exec_code"),
            "lessons": records(lesson_rows, LESSON_FIELDS, "lesson_code"),
            "forecast_track_record": track_record.summary_fields(db, as_of, status, done)}
