"""Go / no-go decisions: recorded with a frozen copy of the branch's figures, then followed up.

A decision row is insert-only (like a snapshot): the figures the committee saw are stored as JSON
beside it and never recomputed. Whether its conditions were met since is judged against the
branch's figures of a later date (see `decision_follow_up` and docs/methodology/steering.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import CellError, NotFoundError, ValidationError
from rollout.core.values import as_date
from rollout.store.audit import record as audit_record
from rollout.store.db import Database
from rollout.store.scope import authorise_branch

DECISIONS = ("go", "no_go", "go_with_conditions")
SHEET = "decision"
# Better status = higher rank; used to say whether a branch improved since the decision.
STATUS_RANK = {"no_plan": 0, "red": 1, "amber": 2, "green": 3, "live": 4}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _as_date(value: Any, column: str, errors: list[CellError], required: bool) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(CellError(SHEET, None, column, None, "is required (expected a date)"))
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(CellError(SHEET, None, column, value, "is not a date (expected YYYY-MM-DD)"))
        return None


def check_decision(db: Database, branch_code: Any, decision: Any, decided_on: Any, decided_by: Any,
                   conditions: Any, follow_up_on: Any) -> dict[str, Any]:
    """The decision as it will be stored, or ValidationError listing every problem."""
    errors: list[CellError] = []
    code = _text(branch_code)
    if not code:
        errors.append(CellError(SHEET, None, "branch_code", None, "is required"))
    elif not db.scalar("SELECT count(*) FROM branches WHERE branch_code = ?", [code]):
        errors.append(CellError(SHEET, None, "branch_code", code, "is not a branch"))
    kind = _text(decision).lower().replace(" ", "_").replace("-", "_")
    if kind not in DECISIONS:
        errors.append(CellError(SHEET, None, "decision", decision, f"is not a decision (expected one of "
                                                                   f"{', '.join(DECISIONS)})"))
    when = _as_date(decided_on, "decided_on", errors, required=True)
    who = _text(decided_by)
    if not who:
        errors.append(CellError(SHEET, None, "decided_by", None, "is required (who decided)"))
    terms = _text(conditions)
    if kind == "go_with_conditions" and not terms:
        errors.append(CellError(SHEET, None, "conditions", None, "are required for a go with conditions"))
    follow = _as_date(follow_up_on, "follow_up_on", errors, required=False)
    if when is not None and follow is not None and follow < when:
        errors.append(CellError(SHEET, None, "follow_up_on", follow.isoformat(),
                                f"is before the decision date {when.isoformat()}"))
    if errors:
        raise ValidationError(errors)
    return {"branch_code": code, "decision": kind, "decided_on": when, "decided_by": who,
            "conditions": terms or None, "follow_up_on": follow}


def branch_figures(db: Database, branch_code: str, as_of: date) -> dict[str, Any]:
    """The branch's summary figures as of a date, with its name, dates and man-days (to freeze)."""
    from rollout.metrics.summary import summary

    figures = next((b for b in summary(db, as_of)["branches"] if b["branch_code"] == branch_code), {})
    row = db.rows("SELECT branch_name, planned_go_live, actual_go_live, consultant_days_budget, "
                  "consultant_days_used FROM branches WHERE branch_code = ?", [branch_code])
    name, planned, actual, budget, used = row[0] if row else (None, None, None, None, None)
    return {"as_of": as_of.isoformat(), **figures, "branch_code": branch_code, "branch_name": name,
            "planned_go_live": planned.isoformat() if planned else None,
            "actual_go_live": actual.isoformat() if actual else None,
            "consultant_days_budget": budget, "consultant_days_used": used}


def record_decision(db: Database, branch_code: str, decision: str, decided_on: date | str, decided_by: str,
                    conditions: str | None = None, follow_up_on: date | str | None = None,
                    as_of: date | None = None, *, caller: Caller) -> int:
    """Store a go / no-go decision with the branch's figures as of as_of (default decided_on); returns its id.

    One transaction: the decision row and its audit_log row are written together or not at all. The caller
    must be an editor of the branch's region (refusals are recorded); a branch outside its scope is not found.
    """
    authorise_branch(db, caller, "decisions", branch_code)
    db = db.scoped(caller)
    clean = check_decision(db, branch_code, decision, decided_on, decided_by, conditions, follow_up_on)
    figures = branch_figures(db, clean["branch_code"], as_of or clean["decided_on"])
    payload = json.dumps(figures, ensure_ascii=False, sort_keys=True, default=str)
    now = datetime.now()
    with db.transaction() as cur:
        decision_id = cur.execute(
            "INSERT INTO decisions (branch_code, decision, decided_on, decided_by, conditions, follow_up_on, "
            "figures_json, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING decision_id",
            [clean["branch_code"], clean["decision"], clean["decided_on"], clean["decided_by"], clean["conditions"],
             clean["follow_up_on"], payload, now]).fetchone()[0]
        stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in clean.items()}
        audit_record(cur, caller.email, "insert", "decisions",
                     json.dumps({"decision_id": int(decision_id)}), new=json.dumps(stored, ensure_ascii=False), at=now)
    return int(decision_id)


def decision_follow_up(decision: str, decided_on: date, follow_up_on: date | None, then: dict[str, Any],
                       now: dict[str, Any], as_of: date) -> str:
    """Whether a decision's conditions were met since (pure; the rule of docs/methodology/steering.md).

    - "no conditions": a plain go.
    - "met": the branch is now green or live and has no failing gate.
    - "follow-up overdue, not improved" / "follow-up overdue, improved": not met and the follow-up
      date has passed; improved means the status is better than when decided.
    - "open": not met yet, follow-up date not passed (or none).
    - "not yet available": the branch's status is not computed.
    """
    if decision == "go":
        return "no conditions"
    status = now.get("status")
    if status is None:
        return "not yet available"
    if as_of < decided_on:
        return "decided after this date"
    if status in ("green", "live") and not now.get("failing_gates"):
        return "met"
    if follow_up_on is not None and follow_up_on < as_of:
        better = STATUS_RANK.get(status, 0) > STATUS_RANK.get(then.get("status") or "", 0)
        return "follow-up overdue, " + ("improved" if better else "not improved")
    return "open"


def list_decisions(db: Database, as_of: date,
                   current: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Every decision, newest first, with the frozen figures beside today's and the follow-up verdict.

    `current`: branch_code -> today's status, checklist_readiness and failing_gates, when the caller
    has them already (the steering pack); otherwise the summary is computed."""
    from rollout.metrics.summary import summary

    rows = db.df("SELECT d.decision_id, d.branch_code, b.branch_name, d.decision, d.decided_on, d.decided_by, "
                 "d.conditions, d.follow_up_on, d.figures_json, d.recorded_at FROM decisions d "
                 "LEFT JOIN branches b USING (branch_code) ORDER BY d.decided_on DESC, d.decision_id DESC")
    columns = ["decision_id", "branch_code", "branch_name", "decision", "decided_on", "decided_by", "conditions",
               "follow_up_on", "status_then", "readiness_then", "failing_gates_then", "status_now", "readiness_now",
               "failing_gates_now", "conditions_met", "figures_as_of", "recorded_at"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    if current is None:
        current = {b["branch_code"]: b for b in summary(db, as_of)["branches"]}
    records = []
    for row in rows.to_dict("records"):
        then = json.loads(row["figures_json"])
        now = current.get(row["branch_code"], {})
        decided_on, follow = as_date(row["decided_on"]), as_date(row["follow_up_on"])
        records.append({**{k: row[k] for k in ("decision_id", "branch_code", "branch_name", "decision",
                                                "decided_by", "conditions", "recorded_at")},
                        "decided_on": decided_on, "follow_up_on": follow,
                        "status_then": then.get("status"), "readiness_then": then.get("checklist_readiness"),
                        "failing_gates_then": then.get("failing_gates"), "status_now": now.get("status"),
                        "readiness_now": now.get("checklist_readiness"), "failing_gates_now": now.get("failing_gates"),
                        "conditions_met": decision_follow_up(row["decision"], decided_on, follow, then, now, as_of),
                        "figures_as_of": then.get("as_of")})
    return pd.DataFrame(records, columns=columns)


VERDICTS_COUNTED = ("met", "open", "follow-up overdue, not improved", "no conditions")


def decisions_in_regions(db: Database, as_of: date, regions: tuple[str, ...] = ()) -> pd.DataFrame:
    """list_decisions with each branch's region_code, only the decisions of branches in these regions
    (every decision when none is given)."""
    frame = list_decisions(db, as_of)
    found = frame.merge(db.df("SELECT branch_code, region_code FROM branches"), on="branch_code", how="left")
    return found[found["region_code"].isin(list(regions))].reset_index(drop=True) if regions else found


def verdict_counts(decisions: pd.DataFrame) -> dict[str, int]:
    """How many of these decisions have each verdict of VERDICTS_COUNTED (0 when none)."""
    counts = decisions["conditions_met"].value_counts()
    return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICTS_COUNTED}


def decision_figures(db: Database, decision_id: int) -> dict[str, Any]:
    """The figures frozen with a decision."""
    text = db.scalar("SELECT figures_json FROM decisions WHERE decision_id = ?", [int(decision_id)])
    if text is None:
        raise NotFoundError(f"decision {decision_id} does not exist")
    return json.loads(text)
