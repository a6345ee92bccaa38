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


# A branch's stage (readiness_status.sql) and a role of role_requirements (WORKBOOK.md), as a person reads them.
STAGE_LABELS = {
    "live": N_("live"),
    "stage 1 live": N_("stage 1 live"),
    "not scheduled": N_("not scheduled"),
    "before kick-off": N_("before kick-off"),
    "preparation": N_("preparation"),
}
ROLE_LABELS = {
    "project_manager": N_("Project manager"),
    "key_user": N_("Key user"),
    "it_admin": N_("IT admin"),
    "data_steward": N_("Data steward"),
    "trainer": N_("Trainer"),
}


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
    # a count per status heads its column with the status word, as a heading writes it (the tiles' words)
    "live": N_("Live"),
    "green": N_("Green"),
    "amber": N_("Amber"),
    "red": N_("Red"),
    "no_plan": N_("No plan"),
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
    "title": N_("Subject"),  # an item's, lesson's or problem's title (a person's job title is no table column)
    "due_date": N_("Due date"),
    "created_at": N_("Saved at"),
    "as_of": N_("As of"),
}


# The headers of the app's other tables (issue 17, interface half): the library's column names, and the few
# display names a page section gives its columns. Kept apart from the block above so work on the library's
# labels and on the pages' labels merges cleanly.
TABLE_LABELS = {
    # the RAID log and template deviations
    "raid_code": N_("RAID item"), "subject": N_("Subject"), "kind": N_("Kind"), "raised_on": N_("Raised on"),
    "probability": N_("Probability"),
    "band": N_("Band"), "response": N_("Response"), "source": N_("Source"), "overdue": N_("Overdue"),
    "deviation_code": N_("Deviation"), "effort_days": N_("Effort (man-days)"), "blocks_go_live": N_("Blocks go-live"),
    "delivered_on": N_("Delivered on"), "pending": N_("Pending"), "blocking": N_("Blocking"),
    "approved": N_("Approved"), "process": N_("Process"), "description": N_("Details"),
    "decision_on_date": N_("Decision on the date"), "requirements_signed_on": N_("Requirement analysis signed on"),
    # readiness and the checklist
    "item_code": N_("Item"), "title": N_("Description"), "dimension": N_("Dimension"), "owner": N_("Owner"),
    "due_date": N_("Due date"), "days_late": N_("Days late"), "gate": N_("Gate"), "completed_on": N_("Completed on"),
    "weight": N_("Weight"), "done": N_("Done"), "module": N_("Module"), "phase": N_("Phase"), "object": N_("Object"),
    "records_expected": N_("Records expected"), "records_loaded": N_("Records loaded"),
    "records_validated": N_("Records validated"), "validated_pct": N_("Validated %"),
    # staffing
    "person_code": N_("Person"), "name": N_("Name"), "role": N_("Role"), "fte": N_("FTE"),
    "required_fte": N_("Required FTE"), "assigned_fte": N_("Assigned FTE"), "gap": N_("Gap"),
    "gap_fte": N_("Gap (FTE)"),
    "total_fte": N_("Total FTE"), "is_backup": N_("Backup"), "start_date": N_("Start"), "end_date": N_("End"),
    "home_branch_code": N_("Home branch"), "key_users": N_("Key users"), "trained_key_users": N_("Trained key users"),
    "key_user_codes": N_("Key user codes"), "key_users_now": N_("Key users now"), "headcount": N_("Headcount"),
    "key_users_norm_low": N_("Key-user norm (low)"), "key_users_norm_high": N_("Key-user norm (high)"),
    "modules": N_("Modules"), "staffing_status": N_("Staffing status"), "coverage": N_("Coverage"),
    "single_point_of_failure": N_("Single point of failure"), "uncovered": N_("Uncovered"),
    "below_norm_modules": N_("Modules below norm"), "assessment": N_("Assessment"), "assessments": N_("Assessments"),
    "best_score": N_("Best score"), "last_assessed_on": N_("Last assessed on"), "left_on": N_("Left on"),
    "leaves": N_("Leaves"), "branch_go_live": N_("Branch go-live"), "branch_is_live": N_("Branch live"),
    # executives and touchpoints
    "exec_code": N_("Executive"), "executive": N_("Executive"), "region": N_("Region"), "branch": N_("Branch"),
    "score": N_("Score"), "last contact": N_("Last contact"), "days since last contact": N_("Days since last contact"),
    "days_since_last_touchpoint": N_("Days since last contact"), "next go-live": N_("Next go-live"),
    "next_go_live": N_("Next go-live"), "go-live branch": N_("Go-live branch"),
    "open commitments": N_("Open commitments"), "overdue follow-ups": N_("Overdue follow-ups"),
    "overdue_follow_ups": N_("Overdue follow-ups"), "days_to_go_live": N_("Days to go-live"), "rank": N_("Rank"),
    "reason": N_("Reason"), "suggested_channel": N_("Suggested channel"), "channel": N_("Channel"),
    "date": N_("Date"), "duration_min": N_("Duration (minutes)"), "hq_contact": N_("HQ contact"), "topic": N_("Topic"),
    "sentiment": N_("Sentiment"), "commitment": N_("Commitment"), "follow_up_due": N_("Follow-up due"),
    "followed_up_on": N_("Followed up on"), "state": N_("State"),
    # lessons and go-live problems
    "lesson_code": N_("Lesson"), "lesson_title": N_("Lesson title"), "category": N_("Category"), "impact": N_("Impact"),
    "recommendation": N_("Recommendation"), "recorded_on": N_("Recorded on"), "source_branch_code": N_("Learnt at"),
    "checklist_item_code": N_("Checklist item"), "covered_branches": N_("Branches covered"),
    "eligible_branches": N_("Eligible branches"), "application_coverage": N_("Coverage %"),
    "recurring_problems": N_("Recurring problems"), "eligible": N_("Eligible"), "note": N_("Note"),
    "updated_on": N_("Updated on"), "application_status": N_("Application status"), "problem_code": N_("Problem"),
    "problem_title": N_("Problem title"), "severity": N_("Severity"), "opened_on": N_("Opened on"),
    "closed_on": N_("Closed on"), "age_days": N_("Age (days)"), "age_band": N_("Age band"),
    "open_problems": N_("Open problems"), "opened": N_("Opened"), "closed": N_("Closed"), "week_start": N_("Week of"),
    "oldest_age_days": N_("Oldest (days)"), "oldest_opened_on": N_("Oldest opened on"),
    "problem_codes": N_("Problems"), "critical open past limit": N_("Critical open past limit"),
    "open": N_("Open"), "limit_days": N_("Limit (days)"), "due_by": N_("Due by"), "past_limit": N_("Past limit"),
    # after go-live and man-days
    "man_days_used": N_("Man-days used"), "budget_days": N_("Budget (man-days)"), "used_days": N_("Used (man-days)"),
    "remaining_days": N_("Remaining (man-days)"), "next action": N_("Next action"),
    "days live": N_("Days live"), "same-day entry %": N_("Same-day entry %"),
    "problems past limit": N_("Problems past limit"), "ready for acceptance": N_("Ready for acceptance"),
    "acceptance overdue": N_("Acceptance overdue"), "accepted on": N_("Accepted on"), "payment due": N_("Payment due"),
    "payment overdue": N_("Payment overdue"),
    # decisions and snapshots
    "decision_id": N_("Decision no."), "decision": N_("Decision"), "decided_on": N_("Decided on"),
    "decided_by": N_("Decided by"), "conditions": N_("Conditions"), "follow_up_on": N_("Follow-up on"),
    "status_then": N_("Status then"), "readiness_then": N_("Readiness then %"),
    "failing_gates_then": N_("Failing gates then"), "status_now": N_("Status now"),
    "readiness_now": N_("Readiness now %"),
    "failing_gates_now": N_("Failing gates now"), "conditions_met": N_("Conditions met"),
    "figures_as_of": N_("Figures as of"), "recorded_at": N_("Recorded at"), "snapshot_id": N_("Snapshot"),
    "as_of": N_("As of"), "taken_at": N_("Taken at"), "label": N_("Label"),
    # data, settings, the workbook format
    "import_id": N_("Load"), "file_name": N_("File"), "imported_at": N_("Loaded at"), "sha256": N_("SHA-256"),
    "table_name": N_("Table"), "inserted": N_("Inserted"), "updated": N_("Updated"), "unchanged": N_("Unchanged"),
    "changed_at": N_("Changed at"), "actor": N_("By"), "action": N_("Action"), "row_key": N_("Row"),
    "column_name": N_("Column"), "old_value": N_("Old value"), "new_value": N_("New value"), "column": N_("Column"),
    "required": N_("Required"), "key": N_("Key"), "expected": N_("Expected"), "refers to": N_("Refers to"),
    "problem": N_("Problem"),
    # the forecast's go-lives at risk (Portfolio)
    "ready_p50_on": N_("P50 ready"), "ready_p80_on": N_("P80 ready"), "weeks_with_progress": N_("Weeks with progress"),
    "trust": N_("Trust"),
    # launch planning: the plan, its difference from the current dates, scenarios and their comparison
    "kickoff": N_("Kick-off"), "stage2_go_live": N_("Stage-2 go-live"), "months_late": N_("Months late"),
    "pinned": N_("Pinned"), "moved_months": N_("Moved (months)"), "change": N_("Change"),
    "weighted_lateness": N_("Weighted lateness"), "finish_month": N_("Finish month"),
    "ready_date": N_("Ready date for rule 6"), "conflict": N_("Conflict"), "figure": N_("Figure"),
    "kickoff_a": N_("Kick-off (first)"), "go_live_a": N_("Go-live (first)"),
    "stage2_go_live_a": N_("Stage-2 go-live (first)"), "kickoff_b": N_("Kick-off (second)"),
    "go_live_b": N_("Go-live (second)"), "stage2_go_live_b": N_("Stage-2 go-live (second)"),
    "table": N_("Sheet"), "current": N_("Current"), "new": N_("New"), "scenario": N_("Scenario"),
}
COLUMN_LABELS.update({name: label for name, label in TABLE_LABELS.items() if name not in COLUMN_LABELS})


def status_label(code: str) -> str:
    """A status code (live, green, amber, red, no_plan) as a person reads it; unknown codes unchanged."""
    return gettext(STATUS_LABELS[code]) if code in STATUS_LABELS else code


def stage_label(code: str) -> str:
    """A branch's stage code (preparation, stage 1 live, ...) in words; unknown codes unchanged."""
    return gettext(STAGE_LABELS[code]) if code in STAGE_LABELS else code


def role_label(code: str) -> str:
    """A role code (key_user, project_manager, ...) in words; unknown codes unchanged."""
    return gettext(ROLE_LABELS[code]) if code in ROLE_LABELS else code


def column_label(name: str) -> str:
    """A column's header as a person reads it: the declared label, else the name with spaces."""
    if name in COLUMN_LABELS:
        return gettext(COLUMN_LABELS[name])
    return name.replace("_", " ")


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with human column headers (for a table on screen or a CSV download)."""
    return frame.rename(columns={c: column_label(c) for c in frame.columns})
