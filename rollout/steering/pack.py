"""The steering pack: one list of sections (`pack(db, as_of)`) rendered as PowerPoint, Excel or HTML.

A section whose figures are not computed yet says "not yet available"; no number is ever made up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from rollout.core.errors import RolloutError
from rollout.core.values import is_missing, iso_text, round1
from rollout.exchange.spec import CONSULTANT_PHASES
from rollout.metrics import after_go_live, engagement, readiness
from rollout.metrics import man_days as man_days_metrics
from rollout.metrics.live import branches_live
from rollout.metrics.summary import summary
from rollout.steering.model import NOT_YET, Chart, Pack, Section
from rollout.steering.render_html import html_text
from rollout.steering.render_pptx import pptx_bytes
from rollout.steering.render_xlsx import xlsx_bytes
from rollout.steering.snapshots import CHANGE_TABLES, changes_between, status_reasons
from rollout.store.db import Database

STATUS_ORDER = ["red", "amber", "green", "live", "no_plan"]
NEXT_GO_LIVES_SHOWN = 10


# --- small helpers ------------------------------------------------------------------------------------


def _names(db: Database, as_of: date) -> pd.DataFrame:
    return branches_live(db, as_of)[["branch_code", "branch_name", "region_code", "planned_go_live", "is_live"]]


def _figures_frame(figures: dict[str, Any], part: str, key: str) -> pd.DataFrame:
    frame = pd.DataFrame(figures.get(part, []))
    return frame if len(frame) else pd.DataFrame(columns=[key])


def _all_null(frame: pd.DataFrame, columns: list[str]) -> bool:
    present = [c for c in columns if c in frame.columns]
    return not present or bool(frame[present].isna().all().all())


def _dates(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        if column in frame.columns:
            frame[column] = frame[column].map(iso_text)
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
               "fill_rate", "overdue_items", "failing_gates", "planned_go_live", "forecast_ready_on", "slip_days",
               "p_ready_by_go_live"]
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
                                 "overdue_items", "slip_days", "planned_go_live", "forecast_ready_on",
                                 "p_ready_by_go_live"])
    return Section("red", "Red branches and why", _dates(frame, ["planned_go_live"]),
                   "No branch is red." if frame.empty else "")


def go_lives_section(as_of: date, figures: dict[str, Any], names: pd.DataFrame) -> Section:
    frame = names.copy()
    planned = pd.to_datetime(frame["planned_go_live"])
    d = pd.Timestamp(as_of)
    upcoming = frame[(planned >= d) & ~frame["is_live"]].copy()
    upcoming["days_to_go_live"] = (pd.to_datetime(upcoming["planned_go_live"]) - d).dt.days.astype("Int64")
    upcoming = upcoming.merge(_figures_frame(figures, "branches", "branch_code"), on="branch_code", how="left")
    upcoming = upcoming.sort_values(["planned_go_live", "branch_code"]).head(NEXT_GO_LIVES_SHOWN)
    frame = upcoming.reindex(columns=["branch_code", "branch_name", "planned_go_live", "days_to_go_live", "status",
                                      "checklist_readiness", "failing_gates", "forecast_ready_on", "slip_days",
                                      "p_ready_by_go_live"])
    return Section("go_lives", "Next go-lives", _dates(frame, ["planned_go_live"]),
                   "No planned go-live after this date." if frame.empty else "")


AT_RISK_DAYS, AT_RISK_BELOW = 90, 50.0


def go_lives_at_risk_section(db: Database, as_of: date) -> Section:
    """Planned go-lives in the next 90 days whose chance of being ready by then is below 50 %
    (readiness.go_lives_at_risk), with the P50 / P80 ready dates and whether the pace can be trusted."""
    risky = readiness.go_lives_at_risk(db, as_of, days=AT_RISK_DAYS, below=AT_RISK_BELOW)
    frame = risky.assign(p_ready_by_go_live=risky["p_ready_by_go_live"].map(round1),
                         checklist_readiness=risky["checklist_readiness"].map(
                             lambda v: None if is_missing(v) else round1(v)),
                         days_to_go_live=risky["days_to_go_live"].astype("Int64"))
    frame = _dates(frame.drop(columns=["region_code"]), ["planned_go_live", "ready_p50_on", "ready_p80_on"])
    return Section("go_lives_at_risk", "Go-lives at risk", frame,
                   f"Planned go-lives in the next {AT_RISK_DAYS} days with less than {AT_RISK_BELOW:g}% chance of "
                   "being ready by the planned date, at the pace of the last 8 weeks (trusted: at least 4 of "
                   "those weeks had progress)." if len(frame) else
                   f"No planned go-live in the next {AT_RISK_DAYS} days has less than {AT_RISK_BELOW:g}% chance of "
                   "being ready by its date.")


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


def man_days(db: Database, as_of: date) -> pd.DataFrame:
    """Consultant man-days per branch: budget, used on D (METRICS.md "Man-days used": the logged days,
    else the branches sheet's figure), remaining (budget − used), % used; a total row last."""
    frame = db.df("SELECT branch_code, branch_name, consultant_days_budget AS budget_days FROM branches "
                  "ORDER BY branch_code").merge(
        man_days_metrics.man_days_used(db, as_of)[["branch_code", "man_days_used"]].rename(
            columns={"man_days_used": "used_days"}), on="branch_code", how="left")
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


def man_days_totals(days: pd.DataFrame) -> dict[str, float | None]:
    """The total row of man_days: budget, used and remaining man-days (None when unknown)."""
    total = days[days["branch_code"] == "TOTAL"].iloc[0]
    return {field: None if is_missing(total[field]) else float(total[field])
            for field in ("budget_days", "used_days", "remaining_days")}


def man_days_chart_rows(days: pd.DataFrame, limit: int = 40) -> tuple[pd.DataFrame, int]:
    """The branch rows of man_days a chart draws, and how many branches there are: every branch in code
    order, or when there are more than `limit`, the `limit` with the most man-days used (then budget)."""
    per_branch = days[days["branch_code"] != "TOTAL"]
    if len(per_branch) <= limit:
        return per_branch, len(per_branch)
    return (per_branch.sort_values(["used_days", "budget_days"], ascending=False, kind="stable").head(limit),
            len(per_branch))


def man_days_section(db: Database, as_of: date) -> Section:
    frame = man_days(db, as_of)
    return Section("man_days", "Consultant man-days: used vs budget", frame,
                   "Remaining = budget − used (negative: over budget). The total's remaining counts branches "
                   "with both figures.", Chart("bar", "branch_code", ["budget_days", "used_days"],
                                              "Man-days per branch: budget and used"))


def man_days_by_phase_section(db: Database, as_of: date) -> Section:
    """Man-days used per region and phase (METRICS.md "Consultant man-days"), a total row last."""
    frame = man_days_metrics.by_region_and_phase(db, as_of)
    phases = [c for c in [*CONSULTANT_PHASES, man_days_metrics.NO_PHASE] if frame[c].fillna(0).any()]
    frame = frame[["region_code", *phases, "used"]]
    return Section("man_days_phases", "Consultant man-days used by phase and region", frame,
                   f"Days logged on or before {as_of.isoformat()} per phase; '{man_days_metrics.NO_PHASE}': branches "
                   "that do not log their days (the branches sheet's figure).",
                   Chart("bar", "region_code", phases, "Man-days used per region and phase") if phases else None)


def man_days_remaining_section(db: Database, as_of: date) -> Section:
    """Man-days budget, used, remaining and the forecast overrun at go-live, per region; a total row last."""
    frame = man_days_metrics.by_region_and_phase(db, as_of)
    frame = frame[["region_code", "budget", "used", "remaining", "forecast_overrun"]]
    return Section("man_days_remaining", "Consultant man-days remaining by region", frame,
                   "Remaining = budget − used (branches with both); forecast overrun: the man-days beyond budget "
                   "at go-live at the last four weeks' pace.",
                   Chart("bar", "region_code", ["budget", "used"], "Man-days per region: budget and used"))


def acceptance_section(db: Database, as_of: date) -> Section:
    """Live branches' acceptance and payment status, the branches needing action first."""
    live = after_go_live.live_branches(db, as_of)
    frame = live[["branch_code", "branch_name", "action", "same_day_entry_rate", "ready_for_acceptance",
                  "acceptance_overdue", "accepted_on", "payment_due", "payment_received_on", "payment_overdue"]].copy()
    frame["same_day_entry_rate"] = [None if is_missing(v) else round1(v) for v in frame["same_day_entry_rate"]]
    frame = _dates(frame, ["accepted_on", "payment_due", "payment_received_on"])
    note = (f"{len(live)} live branches: {int(live['ready_for_acceptance'].sum())} ready for acceptance, "
            f"{int(live['acceptance_overdue'].sum())} with acceptance overdue, {int(live['accepted'].sum())} "
            f"accepted, {int(live['payment_overdue'].sum())} with payment overdue." if len(live)
            else f"No branch is live on {as_of.isoformat()}.")
    return Section("acceptance", "Live branches: acceptance and payment", frame, note)


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
    names = _names(db, as_of)
    reasons = status_reasons(db, as_of)
    sections = [portfolio_section(figures), red_section(db, as_of, figures, names, reasons),
                go_lives_section(as_of, figures, names), go_lives_at_risk_section(db, as_of),
                staffing_section(figures, names),
                executives_section(db, as_of), lessons_section(db, figures), *changes_sections(db),
                man_days_section(db, as_of), man_days_by_phase_section(db, as_of),
                man_days_remaining_section(db, as_of), acceptance_section(db, as_of), branches_section(figures, names)]
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
        return pptx_bytes(content)
    if kind == "xlsx":
        return xlsx_bytes(content)
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
