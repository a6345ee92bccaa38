"""Launch-plan scenarios: save a plan by name, compare two, see how a plan moves the current dates,
and apply one to the branches' (and their modules') planned dates: previewed first, then written in
one transaction with every changed value in audit_log (all or nothing, refused if the data changed
since the preview).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import CellError, NotFoundError, ValidationError
from rollout.core.i18n import _, ngettext
from rollout.core.values import as_date, iso_text
from rollout.exchange.edits import edit_batch
from rollout.exchange.spec import SHEETS
from rollout.planning import planner
from rollout.store.audit import authorise_own_scope, record_json
from rollout.store.db import Database
from rollout.store.scope import saved_in_scope, scope_text
from rollout.store.settings import SETTINGS

PREVIEW_COLUMNS = ["table", "branch_code", "module", "column", "current", "new"]


_OF_SCOPE = saved_in_scope("plan_scenarios")  # a scenario is seen by the scope it was saved by


def _month_diff(old: date, new: date) -> int:
    return (new.year - old.year) * 12 + new.month - old.month


def plan_frame(plan: dict[str, Any]) -> pd.DataFrame:
    """The plan's branches as a table (dates as dates)."""
    columns = ["branch_code", "kickoff", "go_live", "stage2_go_live", "months_late", "pinned"]
    frame = pd.DataFrame(plan.get("branches") or [], columns=columns)
    for column in ("kickoff", "go_live", "stage2_go_live"):
        frame[column] = [as_date(v) for v in frame[column]]
    return frame


def moved_words(months: int | None) -> str:
    if months is None:
        return _("new date")
    if months == 0:
        return _("unchanged")
    if months > 0:
        return ngettext("later by {count} month", "later by {count} months", months).format(count=months)
    return ngettext("earlier by {count} month", "earlier by {count} months", -months).format(count=-months)


def diff_from_current(db: Database, plan: dict[str, Any]) -> pd.DataFrame:
    """Per planned branch: its current planned_go_live, the plan's go-live, months moved (+ later)."""
    frame = plan_frame(plan)
    current = {r[0]: r[1] for r in db.rows("SELECT branch_code, planned_go_live FROM branches")}
    frame["planned_go_live"] = [current.get(c) for c in frame["branch_code"]]
    frame["moved_months"] = [None if p is None else _month_diff(p, g)
                             for p, g in zip(frame["planned_go_live"], frame["go_live"], strict=True)]
    frame["moved_months"] = frame["moved_months"].astype("Int64")
    frame["change"] = [moved_words(None if pd.isna(m) else int(m)) for m in frame["moved_months"]]
    return frame[["branch_code", "planned_go_live", "go_live", "moved_months", "change", "kickoff",
                  "stage2_go_live", "pinned"]]


def moves(diff: pd.DataFrame) -> dict[str, int]:
    """How many branches of diff_from_current the plan moves earlier, later, or leaves in their month
    (branches with no current date count in none)."""
    moved = diff["moved_months"].dropna()
    return {"earlier": int((moved < 0).sum()), "later": int((moved > 0).sum()), "unchanged": int((moved == 0).sum())}


SEGMENTS = ("preparation", "stage 1", "stage 2")


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def current_plan(db: Database, as_of: date) -> dict[str, Any]:
    """The plan in force: each branch not live on as_of that has a planned go-live, with its planned
    kick-off and go-live (the branches sheet), shaped like an optimised plan (plan_json: status
    "current", no objective, no load) so the page draws it the same way before anything is optimised."""
    rows = db.rows("SELECT branch_code, planned_kickoff, planned_go_live FROM branches "
                   "WHERE planned_go_live IS NOT NULL AND (actual_go_live IS NULL OR actual_go_live > ?) "
                   "ORDER BY planned_go_live, branch_code", [as_of])
    branches = [{"branch_code": code, "kickoff": iso_text(kickoff), "go_live": iso_text(go_live),
                 "stage2_go_live": None, "months_late": None, "pinned": False} for code, kickoff, go_live in rows]
    finish = max((b["go_live"] for b in branches), default=None)
    return {"as_of": as_of.isoformat(), "status": "current", "gap": None, "load": [], "conflicts": [],
            "objective": {"weighted_lateness": None, "finish_month": finish[:7] if finish else None},
            "branches": branches}


def first_go_lives(plan: dict[str, Any], n: int) -> dict[str, Any]:
    """The plan with only its n branches that go live first (then by code): a Gantt a person can read at
    2,000 branches; the plan's table keeps every branch."""
    ordered = sorted(plan.get("branches") or [], key=lambda b: (b["go_live"], b["branch_code"]))
    return {**plan, "branches": ordered[:max(0, int(n))]}


def plan_segments(plan: dict[str, Any], prep_months: int) -> pd.DataFrame:
    """The bars of a plan's Gantt, one row per branch and segment (branch_code, segment, begin, end):
    preparation from the first of the month prep_months before go-live (not before the as-of month)
    to go-live; stage 1 from go-live to the stage-2 go-live, or one month; stage 2 one month."""
    as_of = date.fromisoformat(plan["as_of"])
    rows = []
    for branch in plan.get("branches") or []:
        go_live = date.fromisoformat(branch["go_live"])
        stage2 = date.fromisoformat(branch["stage2_go_live"]) if branch["stage2_go_live"] else None
        start = go_live
        for _month in range(prep_months):
            start = (start - timedelta(days=1)).replace(day=1)
        start = max(start, as_of.replace(day=1))
        segments = [("preparation", start, go_live), ("stage 1", go_live, stage2 or _next_month(go_live))]
        if stage2:
            segments.append(("stage 2", stage2, _next_month(stage2)))
        rows += [{"branch_code": branch["branch_code"], "segment": name, "begin": begin, "end": end}
                 for name, begin, end in segments]
    return pd.DataFrame(rows, columns=["branch_code", "segment", "begin", "end"])


# --- scenarios ------------------------------------------------------------------------------------

def confidence_words(confidence: Any) -> str:
    """The ready date a plan's rule 6 used: 'P50 ready date', 'P80 ready date' or 'forecast ready date'."""
    return _("P{confidence} ready date").format(confidence=int(confidence)) if confidence in (50, 80) else \
        _("forecast ready date")


def save_scenario(db: Database, name: str, params: dict[str, Any], plan: dict[str, Any],
                  overwrite: bool = False, *, caller: Caller) -> None:
    """Store a plan under a name (refused when the name is taken, unless overwrite). The parameters
    always record the confidence rule 6 used (`confidence`: 50, 80, or null for the forecast ready date);
    the plan records the scope the caller reads (only that scope sees it again; an administrator's is every
    region, whatever an old users row says). Audited."""
    authorise_own_scope(db, caller, "scenarios")
    scope = scope_text(db.scoped(caller))  # the scope the plan was computed over: '*' for an administrator
    plan = {**plan, "scope": scope}
    params = {**params, "confidence": params.get("confidence")}
    if params["confidence"] not in (None, 50, 80):
        raise ValidationError([CellError(_("scenario"), None, "confidence", params["confidence"],
                                         _("is not 50 or 80 (or empty for the forecast ready date)"))])
    name = (name or "").strip()
    if not name:
        raise ValidationError([CellError(_("scenario"), None, "name", None, _("is empty (expected a name)"))])
    if len(name) > 100:
        raise ValidationError([CellError(_("scenario"), None, "name", name,
                                         _("is too long (at most 100 characters)"))])
    with db.transaction() as cur:
        taken = cur.execute("SELECT plan_json FROM plan_scenarios WHERE name = ?", [name]).fetchone()
        if taken and (not overwrite or json.loads(taken[0]).get("scope", "*") != scope):
            raise ValidationError([CellError(_("scenario"), None, "name", name,
                                             _("is already saved (pick another name)"))])
        cur.execute("DELETE FROM plan_scenarios WHERE name = ?", [name])
        cur.execute("INSERT INTO plan_scenarios (name, created_at, params_json, plan_json) VALUES (?, ?, ?, ?)",
                    [name, datetime.now(), json.dumps(params, default=str), json.dumps(plan, default=str)])
        record_json(cur, caller.email, "update" if taken else "insert", "plan_scenarios", {"name": name},
                    new={"params": params})


def scenarios(db: Database) -> pd.DataFrame:
    """Saved scenarios, newest first, with their headline figures."""
    rows = db.rows(f"SELECT name, created_at, params_json, plan_json FROM plan_scenarios WHERE {_OF_SCOPE} "
                   "ORDER BY created_at DESC", [scope_text(db)])
    records = []
    for name, created_at, params_json, plan_json in rows:
        plan = json.loads(plan_json)
        objective = plan.get("objective") or {}
        records.append({"name": name, "created_at": created_at, "as_of": plan.get("as_of"),
                        "status": plan.get("status"), "weighted_lateness": objective.get("weighted_lateness"),
                        "finish_month": objective.get("finish_month"), "branches": len(plan.get("branches") or []),
                        "ready_date": confidence_words(json.loads(params_json).get("confidence")),
                        "params": params_json})
    return pd.DataFrame(records, columns=["name", "created_at", "as_of", "status", "weighted_lateness",
                                          "finish_month", "branches", "ready_date", "params"])


def load_scenario(db: Database, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    found = db.rows(f"SELECT params_json, plan_json FROM plan_scenarios WHERE name = ? AND {_OF_SCOPE}",
                    [name, scope_text(db)])
    if not found:
        raise NotFoundError(_("scenario {name}: not found (it may have been deleted; reload the page)").format(
            name=repr(name)))
    return json.loads(found[0][0]), json.loads(found[0][1])


def compare_scenarios(db: Database, first: str, second: str) -> pd.DataFrame:
    """Two scenarios side by side per branch, with how many months the second moves each go-live."""
    a, b = plan_frame(load_scenario(db, first)[1]), plan_frame(load_scenario(db, second)[1])
    keep = ["branch_code", "kickoff", "go_live", "stage2_go_live"]
    merged = a[keep].merge(b[keep], on="branch_code", how="outer", suffixes=("_a", "_b")).sort_values("branch_code")
    merged["moved_months"] = pd.array([None if ga is None or gb is None or pd.isna(ga) or pd.isna(gb)
                                       else _month_diff(ga, gb)
                                       for ga, gb in zip(merged["go_live_a"], merged["go_live_b"], strict=True)],
                                      dtype="Int64")
    merged["change"] = [moved_words(None if pd.isna(m) else int(m)) for m in merged["moved_months"]]
    return merged.reset_index(drop=True)


def _parameter_words(key: str) -> str:
    """A saved parameter's name as the form labels it (a planner setting's label, the forecast switch)."""
    if key in SETTINGS:
        return _(SETTINGS[key].label)
    return _("Ignore the readiness forecast (rule 6)") if key == "ignore_forecast" else key.replace("_", " ")


def _value_words(value: Any) -> Any:
    """A saved parameter's value as a person reads it (yes / no for a switch)."""
    return (_("yes") if value else _("no")) if isinstance(value, bool) else value


def compare_headline(db: Database, first: str, second: str) -> pd.DataFrame:
    """The headline figures and parameters of two scenarios, one column each, in words (the language current)."""
    columns = {}
    for name in (first, second):
        params, plan = load_scenario(db, name)
        objective = plan.get("objective") or {}
        columns[name] = {_("As of"): plan.get("as_of"), _("Status"): planner.status_word(plan.get("status")),
                         _("Weighted lateness"): objective.get("weighted_lateness"),
                         _("Finish month"): objective.get("finish_month"), _("Optimality gap"): plan.get("gap"),
                         **{_parameter_words(k): _value_words(v) for k, v in params.items()
                            if k not in ("pins", "confidence")},
                         _("Pins"): ", ".join(params.get("pins") or []) or "-",
                         _("Ready date for rule 6"): confidence_words(params.get("confidence"))}
    frame = pd.DataFrame(columns)
    frame.index.name = "figure"
    return frame.astype(str).reset_index()


# --- applying a scenario --------------------------------------------------------------------------

def apply_preview(db: Database, name: str, as_of: date) -> pd.DataFrame:
    """Every planned date the scenario would change: table, branch, module, column, current, new.
    Live branches (on as_of) and modules are left alone; so are branches no longer in the data."""
    plan = plan_frame(load_scenario(db, name)[1])
    branches = {r[0]: r[1:] for r in db.rows(
        "SELECT branch_code, planned_kickoff, planned_go_live, actual_go_live FROM branches")}
    modules = db.rows("SELECT branch_code, module, phase, planned_go_live, actual_go_live FROM modules "
                      "ORDER BY branch_code, module")
    rows = []
    for rec in plan.itertuples(index=False):
        if rec.branch_code not in branches:
            continue
        kickoff, go_live, actual = branches[rec.branch_code]
        if actual is not None and actual <= as_of:
            continue
        if kickoff != rec.kickoff:
            rows.append(["branches", rec.branch_code, "", "planned_kickoff", kickoff, rec.kickoff])
        if go_live != rec.go_live:
            rows.append(["branches", rec.branch_code, "", "planned_go_live", go_live, rec.go_live])
        for code, module, phase, planned, module_actual in modules:
            if code != rec.branch_code or (module_actual is not None and module_actual <= as_of):
                continue
            new = rec.go_live if phase == 1 else rec.stage2_go_live
            if new is not None and planned != new:
                rows.append(["modules", code, module, "planned_go_live", planned, new])
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def apply_scenario(db: Database, preview: pd.DataFrame, *, caller: Caller, today: date | None = None) -> int:
    """Write a preview's new dates: validated by the importer's rules, one transaction, audited; refused
    (ConflictError) when any current value differs from what the preview showed. Returns values changed."""
    if preview.empty:
        return 0
    changes: dict[tuple[str, tuple[str, ...]], dict[str, tuple[Any, Any]]] = {}
    for rec in preview.itertuples(index=False):
        key = (rec.branch_code,) if rec.table == "branches" else (rec.branch_code, rec.module)
        changes.setdefault((rec.table, key), {})[rec.column] = (as_date(rec.current), as_date(rec.new))
    written = 0
    with edit_batch(db, caller, today) as batch:  # every date of the plan commits together, or none does
        for (table, key), columns in changes.items():
            sheet = SHEETS[table]
            key_values = dict(zip(sheet.key, key, strict=True))
            label = _("plan for {table} {key}").format(table=table, key=" ".join(key))
            if batch.current(table, key_values) is None:
                raise NotFoundError(_("{label}: not found (it may have been deleted; preview again)").format(
                    label=label))
            batch.update(table, key_values, {c: new for c, (_shown, new) in columns.items()},
                         original={c: shown for c, (shown, _new) in columns.items()}, label=label)
            written += len(columns)
    return written
