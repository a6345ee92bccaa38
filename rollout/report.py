"""The weekly steering review: frozen snapshots, "what changed since last review", the steering pack.

- A **snapshot** freezes the summary figures of a date (METRICS.md's JSON) together with the facts
  "what changed" needs (branch names, status reasons, overdue items, failing gates, people who left,
  lesson applications). Snapshots are insert-only: nothing here ever updates or deletes one.
- **What changed** is computed purely from two frozen snapshots (`what_changed(old, new)`), so the
  comparison can be replayed and tested with hand-built JSON.
- The **steering pack** is one list of sections (`pack(db, as_of)`), rendered as PowerPoint
  (report_pptx), Excel (report_xlsx) or a standalone HTML page (report_html). A section whose
  figures are not computed yet says "not yet available"; no number is ever made up.

Go / no-go decisions live in report_decisions.py and are re-exported here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from rollout import engagement, readiness
from rollout.db import Database, is_missing
from rollout.errors import NotFoundError, RolloutError
from rollout.report_decisions import (  # noqa: F401  (re-exported: the decisions API)
    DECISIONS,
    decision_figures,
    decision_follow_up,
    list_decisions,
    record_decision,
)
from rollout.summary import round1, summary

NOT_YET = "not yet available"
STATUS_ORDER = ["red", "amber", "green", "live", "no_plan"]
APPLIED = ("applied", "verified")
MOVES_SHOWN = 5
NEXT_GO_LIVES_SHOWN = 10
FIELD_LABELS = {"checklist_readiness": "readiness", "overdue_items": "overdue items",
                "failing_gates": "failing gates", "slip_days": "slip days", "forecast_ready_on": "forecast ready",
                "data_readiness": "data readiness"}
WHY_FIELDS = ["checklist_readiness", "failing_gates", "overdue_items", "slip_days", "forecast_ready_on"]


# --- small helpers ------------------------------------------------------------------------------------

def _iso(value: Any) -> str | None:
    if is_missing(value):
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def _shown(value: Any) -> str:
    if is_missing(value):
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) >= 1000 else f"{value:g}"
    return str(value)


# --- snapshots ----------------------------------------------------------------------------------------

def _status_reasons(db: Database, as_of: date) -> dict[str, str]:
    """branch_code -> the reasons of readiness.branch_status, as one text."""
    frame = readiness.branch_status(db, as_of)
    return {str(code): "; ".join(str(r) for r in reasons) for code, reasons in zip(frame["branch_code"],
                                                                                   frame["reasons"], strict=True)}


def _items(db: Database, as_of: date, kind: str) -> list[dict[str, Any]]:
    """Overdue items or failing gates as of a date (readiness's own lists): branch_code, item_code, title,
    due_date."""
    frame = getattr(readiness, kind)(db, as_of)
    found = [{"branch_code": str(r[0]), "item_code": str(r[1]), "title": r[2], "due_date": _iso(r[3])}
             for r in frame[["branch_code", "item_code", "title", "due_date"]].itertuples(index=False)]
    return sorted(found, key=lambda i: (i["branch_code"], i["item_code"]))


def snapshot_context(db: Database, as_of: date) -> dict[str, Any]:
    """Facts frozen beside the figures so that "what changed" needs nothing but two snapshots."""
    branches = {r[0]: {"name": r[1], "region_code": r[2], "planned_go_live": _iso(r[3]), "actual_go_live": _iso(r[4]),
                       "consultant_days_budget": r[5], "consultant_days_used": r[6]}
                for r in db.rows("SELECT branch_code, branch_name, region_code, planned_go_live, actual_go_live, "
                                 "consultant_days_budget, consultant_days_used FROM branches ORDER BY branch_code")}
    executives = {r[0]: {"name": r[1], "title": r[2], "branch_code": r[3]}
                  for r in db.rows("SELECT exec_code, name, title, branch_code FROM executives ORDER BY exec_code")}
    lessons = {r[0]: {"title": r[1]} for r in db.rows("SELECT lesson_code, title FROM lessons ORDER BY lesson_code")}
    overdue, gates = _items(db, as_of, "overdue_items"), _items(db, as_of, "failing_gates")
    left = [{"person_code": r[0], "name": r[1], "branch_code": r[2], "left_on": _iso(r[3])}
            for r in db.rows("SELECT person_code, name, branch_code, left_on FROM people "
                             "WHERE left_on IS NOT NULL AND left_on <= ? ORDER BY person_code", [as_of])]
    applications = [{"lesson_code": r[0], "branch_code": r[1], "status": r[2]}
                    for r in db.rows("SELECT lesson_code, branch_code, status FROM lesson_applications "
                                     "ORDER BY lesson_code, branch_code")]
    return {"branches": branches, "executives": executives, "lessons": lessons,
            "reasons": _status_reasons(db, as_of), "overdue_items": overdue, "failing_gates": gates,
            "people_left": left, "lesson_applications": applications}


def snapshot_figures(db: Database, as_of: date) -> dict[str, Any]:
    """What a snapshot stores: the summary JSON plus its frozen context."""
    figures = summary(db, as_of)
    figures["context"] = snapshot_context(db, as_of)
    return figures


def take_snapshot(db: Database, as_of: date, label: str | None = None, actor: str = "app") -> int:
    """Freeze the figures of as_of; returns the new snapshot_id (snapshots are never changed later)."""
    label = (label or "").strip() or None
    payload = json.dumps(snapshot_figures(db, as_of), ensure_ascii=False, sort_keys=True, default=str)
    with db.transaction() as cur:
        snapshot_id = cur.execute("INSERT INTO snapshots (as_of, taken_at, label, summary_json) VALUES (?, ?, ?, ?) "
                                  "RETURNING snapshot_id", [as_of, datetime.now(), label, payload]).fetchone()[0]
        cur.execute("INSERT INTO audit_log (changed_at, actor, action, table_name, row_key, column_name, old_value, "
                    "new_value) VALUES (?, ?, 'insert', 'snapshots', ?, NULL, NULL, ?)",
                    [datetime.now(), actor, json.dumps({"snapshot_id": snapshot_id}),
                     json.dumps({"as_of": as_of.isoformat(), "label": label}, ensure_ascii=False)])
    return int(snapshot_id)


def list_snapshots(db: Database) -> pd.DataFrame:
    """Every snapshot, newest first, with its status counts (read from the frozen JSON)."""
    rows = db.rows("SELECT snapshot_id, as_of, taken_at, label, summary_json FROM snapshots "
                   "ORDER BY as_of DESC, snapshot_id DESC")
    records = []
    for snapshot_id, as_of, taken_at, label, text in rows:
        statuses = [b.get("status") for b in json.loads(text).get("branches", [])]
        record = {"snapshot_id": int(snapshot_id), "as_of": as_of, "taken_at": taken_at, "label": label or ""}
        record.update({s: statuses.count(s) for s in ("red", "amber", "green", "live")})
        records.append(record)
    return pd.DataFrame(records, columns=["snapshot_id", "as_of", "taken_at", "label", "red", "amber", "green",
                                          "live"])


def get_snapshot(db: Database, snapshot_id: int) -> dict[str, Any]:
    text = db.scalar("SELECT summary_json FROM snapshots WHERE snapshot_id = ?", [int(snapshot_id)])
    if text is None:
        raise NotFoundError(f"snapshot {snapshot_id} does not exist")
    return json.loads(text)


def latest_pair(db: Database) -> tuple[int | None, int | None]:
    """(the previous review, the latest) snapshot ids; None where missing.

    The latest is the snapshot with the latest as-of date (the newest one taken on that date);
    the previous review is the newest snapshot of an earlier as-of date, or, when every snapshot
    has the same date, the one taken before the latest.
    """
    rows = db.rows("SELECT snapshot_id, as_of FROM snapshots ORDER BY as_of DESC, snapshot_id DESC")
    if not rows:
        return None, None
    latest_id, latest_as_of = rows[0]
    earlier = [r[0] for r in rows[1:] if r[1] < latest_as_of]
    before = earlier[0] if earlier else (rows[1][0] if len(rows) > 1 else None)
    return (None if before is None else int(before)), int(latest_id)


# --- what changed -------------------------------------------------------------------------------------

CHANGE_TABLES = {
    "status_changes": "Branches whose status changed",
    "readiness_up": "Readiness up most",
    "readiness_down": "Readiness down most",
    "new_overdue": "New overdue items",
    "new_failing_gates": "New failing gates",
    "went_silent": "Executives who went silent",
    "people_left": "People who left",
    "lessons_applied": "Lessons newly applied",
}


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(r[key]): r for r in rows or []}


def _delta_text(name: str, before: Any, after: Any) -> str:
    return f"{FIELD_LABELS.get(name, name)} {_shown(before)} → {_shown(after)}"


def what_changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, pd.DataFrame | None]:
    """The change list between two frozen snapshots (old = the previous review, new = this one).

    Pure: reads nothing but the two JSON objects. A table is None when the snapshots do not hold
    what it needs (e.g. hand-built snapshots without context, or figures that were null then).
    """
    old_ctx, new_ctx = old.get("context") or {}, new.get("context") or {}
    names = {**{c: v.get("name") for c, v in (old_ctx.get("branches") or {}).items()},
             **{c: v.get("name") for c, v in (new_ctx.get("branches") or {}).items()}}
    old_b, new_b = _by(old.get("branches", []), "branch_code"), _by(new.get("branches", []), "branch_code")
    both = sorted(set(old_b) & set(new_b))
    result: dict[str, pd.DataFrame | None] = {}

    # Status changes, with the figures that moved and the reasons frozen in the newer snapshot.
    rows = []
    for code in both:
        before, after = old_b[code].get("status"), new_b[code].get("status")
        if before is None or after is None or before == after:
            continue
        why = [_delta_text(f, old_b[code].get(f), new_b[code].get(f)) for f in WHY_FIELDS
               if old_b[code].get(f) != new_b[code].get(f)]
        rows.append({"branch_code": code, "branch_name": names.get(code), "status_before": before,
                     "status_after": after, "what_moved": "; ".join(why),
                     "reasons_now": (new_ctx.get("reasons") or {}).get(code, "")})
    has_status = any(b.get("status") for b in new_b.values()) and any(b.get("status") for b in old_b.values())
    result["status_changes"] = pd.DataFrame(rows, columns=["branch_code", "branch_name", "status_before",
                                                           "status_after", "what_moved", "reasons_now"]) \
        if has_status else None

    # Readiness moves: the largest rises and the largest falls (percentage points).
    moves = []
    for code in both:
        before, after = _num(old_b[code].get("checklist_readiness")), _num(new_b[code].get("checklist_readiness"))
        if before is not None and after is not None and after != before:
            moves.append({"branch_code": code, "branch_name": names.get(code), "readiness_before": before,
                          "readiness_after": after, "change_points": round1(after - before)})
    has_ready = any(_num(b.get("checklist_readiness")) is not None for b in new_b.values())
    columns = ["branch_code", "branch_name", "readiness_before", "readiness_after", "change_points"]
    if has_ready:
        ups = sorted((m for m in moves if m["change_points"] > 0),
                     key=lambda m: (-m["change_points"], m["branch_code"]))
        downs = sorted((m for m in moves if m["change_points"] < 0),
                       key=lambda m: (m["change_points"], m["branch_code"]))
        result["readiness_up"] = pd.DataFrame(ups[:MOVES_SHOWN], columns=columns)
        result["readiness_down"] = pd.DataFrame(downs[:MOVES_SHOWN], columns=columns)
    else:
        result["readiness_up"] = result["readiness_down"] = None

    # New overdue items and failing gates: item by item where both snapshots list them.
    for table, listed, count in (("new_overdue", "overdue_items", "overdue_items"),
                                 ("new_failing_gates", "failing_gates", "failing_gates")):
        if listed in old_ctx and listed in new_ctx:
            seen = {(i["branch_code"], i["item_code"]) for i in old_ctx[listed]}
            items = [{"branch_code": i["branch_code"], "branch_name": names.get(i["branch_code"]),
                      "item_code": i["item_code"], "title": i.get("title"), "due_date": i.get("due_date")}
                     for i in new_ctx[listed] if (i["branch_code"], i["item_code"]) not in seen]
            result[table] = pd.DataFrame(items, columns=["branch_code", "branch_name", "item_code", "title",
                                                         "due_date"])
        elif any(b.get(count) is not None for b in new_b.values()):
            rises = [{"branch_code": c, "branch_name": names.get(c), "before": old_b[c].get(count),
                      "after": new_b[c].get(count)} for c in both
                     if new_b[c].get(count) is not None and old_b[c].get(count) is not None
                     and new_b[c][count] > old_b[c][count]]
            result[table] = pd.DataFrame(rises, columns=["branch_code", "branch_name", "before", "after"])
        else:
            result[table] = None

    # Executives who went silent: silent now, engaged or cooling at the previous review.
    old_x, new_x = _by(old.get("executives", []), "exec_code"), _by(new.get("executives", []), "exec_code")
    exec_names = {**{c: v.get("name") for c, v in (old_ctx.get("executives") or {}).items()},
                  **{c: v.get("name") for c, v in (new_ctx.get("executives") or {}).items()}}
    if any(x.get("status") for x in new_x.values()) and any(x.get("status") for x in old_x.values()):
        silent = [{"exec_code": c, "name": exec_names.get(c), "status_before": old_x[c]["status"],
                   "status_after": "silent", "days_since_last_touchpoint": new_x[c].get("days_since_last_touchpoint"),
                   "engagement_score": new_x[c].get("engagement_score")}
                  for c in sorted(set(old_x) & set(new_x))
                  if new_x[c].get("status") == "silent" and old_x[c].get("status") in ("engaged", "cooling")]
        result["went_silent"] = pd.DataFrame(silent, columns=["exec_code", "name", "status_before", "status_after",
                                                              "days_since_last_touchpoint", "engagement_score"])
    else:
        result["went_silent"] = None

    # People who left since the previous review.
    if "people_left" in old_ctx and "people_left" in new_ctx:
        gone = {p["person_code"] for p in old_ctx["people_left"]}
        left = [{"person_code": p["person_code"], "name": p.get("name"), "branch_code": p.get("branch_code"),
                 "branch_name": names.get(p.get("branch_code")), "left_on": p.get("left_on")}
                for p in new_ctx["people_left"] if p["person_code"] not in gone]
        result["people_left"] = pd.DataFrame(left, columns=["person_code", "name", "branch_code", "branch_name",
                                                            "left_on"])
    else:
        result["people_left"] = None

    # Lessons newly applied: applied or verified now, not before (no row counts as not applied).
    if "lesson_applications" in old_ctx and "lesson_applications" in new_ctx:
        before = {(a["lesson_code"], a["branch_code"]): a["status"] for a in old_ctx["lesson_applications"]}
        titles = {**{c: v.get("title") for c, v in (old_ctx.get("lessons") or {}).items()},
                  **{c: v.get("title") for c, v in (new_ctx.get("lessons") or {}).items()}}
        applied = [{"lesson_code": a["lesson_code"], "title": titles.get(a["lesson_code"]),
                    "branch_code": a["branch_code"], "branch_name": names.get(a["branch_code"]),
                    "status_before": before.get((a["lesson_code"], a["branch_code"])), "status_after": a["status"]}
                   for a in new_ctx["lesson_applications"]
                   if a["status"] in APPLIED and before.get((a["lesson_code"], a["branch_code"])) not in APPLIED]
        result["lessons_applied"] = pd.DataFrame(applied, columns=["lesson_code", "title", "branch_code",
                                                                   "branch_name", "status_before", "status_after"])
    else:
        result["lessons_applied"] = None
    return result


def changes_between(db: Database, old_id: int | None = None, new_id: int | None = None) -> dict[str, Any]:
    """What changed between two stored snapshots (default: the latest and the one before)."""
    if old_id is None and new_id is None:
        old_id, new_id = latest_pair(db)
    if old_id is None or new_id is None:
        return {"old_id": old_id, "new_id": new_id, "old_as_of": None, "new_as_of": None, "tables": None}
    old, new = get_snapshot(db, old_id), get_snapshot(db, new_id)
    return {"old_id": int(old_id), "new_id": int(new_id), "old_as_of": old.get("as_of"),
            "new_as_of": new.get("as_of"), "tables": what_changed(old, new)}


# --- the steering pack --------------------------------------------------------------------------------

@dataclass
class Chart:
    """A native chart: categories from one column, one series per value column."""

    kind: str  # "bar" (clustered columns) or "pie"
    category: str
    values: list[str]
    title: str


@dataclass
class Section:
    key: str
    title: str
    frame: pd.DataFrame | None = None  # None: the section's figures are not available
    note: str = ""
    chart: Chart | None = None


@dataclass
class Pack:
    title: str
    as_of: date
    sections: list[Section] = field(default_factory=list)


def _names(db: Database) -> pd.DataFrame:
    return db.df("SELECT b.branch_code, b.branch_name, b.region_code, b.planned_go_live, b.actual_go_live, "
                 "b.consultant_days_budget, b.consultant_days_used FROM branches b ORDER BY b.branch_code")


def _figures_frame(figures: dict[str, Any], part: str, key: str) -> pd.DataFrame:
    frame = pd.DataFrame(figures.get(part, []))
    return frame if len(frame) else pd.DataFrame(columns=[key])


def _all_null(frame: pd.DataFrame, columns: list[str]) -> bool:
    present = [c for c in columns if c in frame.columns]
    return not present or bool(frame[present].isna().all().all())


def _dates(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        if column in frame.columns:
            frame[column] = frame[column].map(_iso)
    return frame


def portfolio_section(figures: dict[str, Any]) -> Section:
    branches = _figures_frame(figures, "branches", "branch_code")
    if _all_null(branches, ["status"]):
        return Section("portfolio", "Portfolio status", None, f"Branch status: {NOT_YET}.")
    counts = pd.DataFrame({"status": STATUS_ORDER,
                           "branches": [int((branches["status"] == s).sum()) for s in STATUS_ORDER]})
    return Section("portfolio", "Portfolio status", counts, f"{len(branches)} branches.",
                   Chart("bar", "status", ["branches"], "Branches by status"))


def branches_section(figures: dict[str, Any], names: pd.DataFrame) -> Section:
    branches = names[["branch_code", "branch_name", "region_code", "planned_go_live"]].merge(
        _figures_frame(figures, "branches", "branch_code"), on="branch_code", how="left")
    columns = ["branch_code", "branch_name", "region_code", "status", "checklist_readiness", "data_readiness",
               "fill_rate", "overdue_items", "failing_gates", "planned_go_live", "forecast_ready_on", "slip_days"]
    return Section("branches", "Branches", _dates(branches.reindex(columns=columns), ["planned_go_live"]))


def red_section(db: Database, as_of: date, figures: dict[str, Any], names: pd.DataFrame,
                reasons: dict[str, str]) -> Section:
    branches = _figures_frame(figures, "branches", "branch_code")
    if _all_null(branches, ["status"]):
        return Section("red", "Red branches and why", None, f"Branch status: {NOT_YET}.")
    red = names[["branch_code", "branch_name", "planned_go_live"]].merge(
        branches[branches["status"] == "red"], on="branch_code", how="inner")
    red["reasons"] = red["branch_code"].map(lambda c: reasons.get(c, ""))
    frame = red.reindex(columns=["branch_code", "branch_name", "reasons", "checklist_readiness", "failing_gates",
                                 "overdue_items", "slip_days", "planned_go_live", "forecast_ready_on"])
    return Section("red", "Red branches and why", _dates(frame, ["planned_go_live"]),
                   "No branch is red." if frame.empty else "")


def go_lives_section(as_of: date, figures: dict[str, Any], names: pd.DataFrame) -> Section:
    frame = names.copy()
    planned = pd.to_datetime(frame["planned_go_live"])
    actual = pd.to_datetime(frame["actual_go_live"])
    d = pd.Timestamp(as_of)
    upcoming = frame[(planned >= d) & (actual.isna() | (actual > d))].copy()
    upcoming["days_to_go_live"] = (pd.to_datetime(upcoming["planned_go_live"]) - d).dt.days.astype("Int64")
    upcoming = upcoming.merge(_figures_frame(figures, "branches", "branch_code"), on="branch_code", how="left")
    upcoming = upcoming.sort_values(["planned_go_live", "branch_code"]).head(NEXT_GO_LIVES_SHOWN)
    frame = upcoming.reindex(columns=["branch_code", "branch_name", "planned_go_live", "days_to_go_live", "status",
                                      "checklist_readiness", "failing_gates", "forecast_ready_on", "slip_days"])
    return Section("go_lives", "Next go-lives", _dates(frame, ["planned_go_live"]),
                   "No planned go-live after this date." if frame.empty else "")


STAFFING_FIELDS = ["fill_rate", "uncovered_modules", "spof_modules", "over_allocated_people"]


def staffing_section(figures: dict[str, Any], names: pd.DataFrame) -> Section:
    branches = _figures_frame(figures, "branches", "branch_code")
    if _all_null(branches, STAFFING_FIELDS):
        return Section("staffing", "Staffing risks", None, f"Staffing figures: {NOT_YET}.")
    merged = names[["branch_code", "branch_name"]].merge(branches, on="branch_code", how="left")
    risky = merged[(merged["fill_rate"].fillna(100) < 100) | (merged["uncovered_modules"].fillna(0) > 0)
                   | (merged["spof_modules"].fillna(0) > 0) | (merged["over_allocated_people"].fillna(0) > 0)]
    if "status" in risky.columns:
        risky = risky[risky["status"] != "live"]
    frame = risky.reindex(columns=["branch_code", "branch_name", "status", "fill_rate", "uncovered_modules",
                                   "spof_modules", "over_allocated_people"])
    frame = frame.sort_values(["uncovered_modules", "fill_rate", "branch_code"], ascending=[False, True, True],
                              na_position="last")
    return Section("staffing", "Staffing risks", frame,
                   "Branches not live with a fill rate below 100%, an uncovered or single-key-user module, "
                   "or an over-allocated person." if len(frame) else "No staffing risk at branches not live.")


def executives_section(db: Database, as_of: date) -> Section:
    """This week's call list (engagement.call_list), with each executive's title and branch name."""
    people = db.df("SELECT e.exec_code, e.title, b.branch_name FROM executives e "
                   "LEFT JOIN branches b USING (branch_code) ORDER BY e.exec_code")
    calls = engagement.call_list(db, as_of).merge(people, on="exec_code", how="left")
    first = ["exec_code", "name", "branch_name", "status", "reason", "suggested_channel"]
    calls = calls[first + [c for c in calls.columns if c not in first]]
    return Section("executives", "Executives to contact", calls.reset_index(drop=True),
                   "This week's call list, most urgent first." if len(calls) else "Nobody needs a call this week.")


def lessons_section(db: Database, figures: dict[str, Any]) -> Section:
    lessons = _figures_frame(figures, "lessons", "lesson_code")
    if _all_null(lessons, ["application_coverage"]):
        return Section("lessons", "Lessons coverage", None, f"Lesson coverage: {NOT_YET}.")
    frame = db.df("SELECT lesson_code, title, category, impact FROM lessons ORDER BY lesson_code").merge(
        lessons, on="lesson_code", how="left")
    return Section("lessons", "Lessons coverage", frame,
                   "Share of branches (not the pilot, not live) that applied, verified or waived the lesson.",
                   Chart("bar", "lesson_code", ["application_coverage"], "Application coverage (%)"))


def man_days(db: Database) -> pd.DataFrame:
    """Consultant man-days per branch: budget, used, remaining (budget − used), % used; a total row last."""
    frame = db.df("SELECT branch_code, branch_name, consultant_days_budget AS budget_days, "
                  "consultant_days_used AS used_days FROM branches ORDER BY branch_code")
    frame["remaining_days"] = frame["budget_days"] - frame["used_days"]
    with_both = frame.dropna(subset=["budget_days", "used_days"])
    total = {"branch_code": "TOTAL", "branch_name": "all branches",
             "budget_days": float(frame["budget_days"].sum()) if frame["budget_days"].notna().any() else None,
             "used_days": float(frame["used_days"].sum()) if frame["used_days"].notna().any() else None,
             "remaining_days": float(with_both["remaining_days"].sum()) if len(with_both) else None}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["used_pct"] = [round1(u / b * 100) if not is_missing(u) and not is_missing(b) and b > 0 else None
                         for u, b in zip(frame["used_days"], frame["budget_days"], strict=True)]
    return frame


def man_days_section(db: Database) -> Section:
    frame = man_days(db)
    return Section("man_days", "Consultant man-days: used vs budget", frame,
                   "Remaining = budget − used (negative: over budget). The total's remaining counts branches "
                   "with both figures.", Chart("bar", "branch_code", ["budget_days", "used_days"],
                                              "Man-days per branch: budget and used"))


def changes_sections(db: Database) -> list[Section]:
    changes = changes_between(db)
    if changes["tables"] is None:
        return [Section("changes", "What changed since last review", None,
                        "Take a snapshot at each review: the change list compares the latest two.")]
    head = Section("changes", "What changed since last review",
                   pd.DataFrame({"review": ["previous", "latest"],
                                 "snapshot_id": [changes["old_id"], changes["new_id"]],
                                 "as_of": [changes["old_as_of"], changes["new_as_of"]]}))
    parts = [head]
    for key, title in CHANGE_TABLES.items():
        frame = changes["tables"][key]
        parts.append(Section(f"changes_{key}", f"What changed: {title.lower()}", frame,
                             f"{NOT_YET} in these snapshots." if frame is None else ("None." if frame.empty else "")))
    return parts


def pack(db: Database, as_of: date) -> Pack:
    """Every section of the steering pack as of a date (the three formats render this)."""
    figures = summary(db, as_of)
    names = _names(db)
    reasons = _status_reasons(db, as_of)
    sections = [portfolio_section(figures), red_section(db, as_of, figures, names, reasons),
                go_lives_section(as_of, figures, names), staffing_section(figures, names),
                executives_section(db, as_of), lessons_section(db, figures), *changes_sections(db),
                man_days_section(db), branches_section(figures, names)]
    return Pack(f"ERP rollout steering pack, as of {as_of.isoformat()}", as_of, sections)


KINDS = ("pptx", "xlsx", "html")


def report_bytes(db: Database, as_of: date, kind: str) -> bytes:
    """The steering pack as bytes: kind 'pptx', 'xlsx' or 'html' (for the page's download buttons)."""
    kind = kind.lower().lstrip(".")
    if kind not in KINDS:
        raise RolloutError(f"cannot write a steering pack as .{kind} (expected .pptx, .xlsx or .html)")
    return render(pack(db, as_of), kind)


def render(content: Pack, kind: str) -> bytes:
    """One assembled pack in one format."""
    if kind == "pptx":
        from rollout.report_pptx import pptx_bytes
        return pptx_bytes(content)
    if kind == "xlsx":
        from rollout.report_xlsx import xlsx_bytes
        return xlsx_bytes(content)
    from rollout.report_html import html_text
    return html_text(content).encode("utf-8")


def write_report(db: Database, as_of: date, out: Path) -> Path:
    """Write the steering pack to out; the suffix (.pptx, .xlsx, .html) picks the format."""
    out = Path(out)
    kind = out.suffix.lower().lstrip(".")
    if kind not in KINDS:
        raise RolloutError(f"cannot write a steering pack to {out.name} (expected a name ending in .pptx, .xlsx "
                           f"or .html)")
    data = report_bytes(db, as_of, kind)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise RolloutError(f"cannot write {out}: {exc.strerror or exc}") from None
    return out


def branch_choices(db: Database) -> pd.DataFrame:
    """Branches for a picker: code, name, region."""
    return db.df("SELECT branch_code, branch_name, region_code FROM branches ORDER BY branch_code")
