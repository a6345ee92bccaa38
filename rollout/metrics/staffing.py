"""Staffing metrics (METRICS.md "Staffing"): fill rates, gaps, over-allocation, key-user coverage.

Each METRICS.md entry is one SQL file `rollout/metrics/sql/staffing_*.sql` (its header quotes the
definition) run by one function here. Every query takes the as-of date D and an optional
`leaving` person: the what-if ("what if this person leaves?") treats that person as having left on
D (left_on = D, so not active on D) inside the query itself, so nothing is ever written.

Also here: the branch-level staffing view the pages and the summary read, the departures of the
last 90 days, the what-if, and the three edits of the Staffing page (assign, departure, training
result), which go through rollout.exchange.edits (importer rules, one transaction, audited).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import CellError, NotFoundError, ValidationError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.core.values import is_missing, json_ready
from rollout.exchange import edits
from rollout.exchange.spec import in_the_future
from rollout.metrics.live import branches_live
from rollout.metrics.queries import load_sql
from rollout.store.db import Database
from rollout.store.settings import get_settings

DEPARTURE_WINDOW_DAYS = 90
GOING_LIVE_DAYS = 60  # "going live soon", as the Portfolio's tile and the steering pack count it


def _run(db: Database, name: str, as_of: date, leaving: str | None = None, **extra: Any) -> pd.DataFrame:
    """Run rollout/metrics/sql/<name>.sql with the named parameters it uses ($as_of, $leaving, ...)."""
    return db.run(load_sql(name), {"as_of": as_of, "leaving": leaving, **extra})


def _settings(db: Database, settings: Mapping[str, float] | None) -> Mapping[str, float]:
    """The caller's settings, read once per call (stored values only when the caller has none)."""
    return settings if settings is not None else get_settings(db)


# --- one function per METRICS.md entry ------------------------------------------------------------

def active_people(db: Database, as_of: date, leaving: str | None = None) -> pd.DataFrame:
    """People active on as_of: joined_on (if any) <= D and (left_on empty or > D)."""
    return _run(db, "staffing_active_people", as_of, leaving)


def active_assignments(db: Database, as_of: date, leaving: str | None = None) -> pd.DataFrame:
    """Assignments active on as_of: person active and start <= D <= end (empty ends open)."""
    return _run(db, "staffing_active_assignments", as_of, leaving)


def requirement_fill(db: Database, as_of: date, leaving: str | None = None) -> pd.DataFrame:
    """Every role requirement with required/assigned fte, fill (0..1) and gap (>= 0)."""
    return _run(db, "staffing_requirement_fill", as_of, leaving)


def gaps(db: Database, as_of: date, leaving: str | None = None) -> pd.DataFrame:
    """Requirements with a positive gap, largest first: branch, role, module, required, assigned, gap."""
    fill = requirement_fill(db, as_of, leaving)
    found = fill[fill["gap"] > 0]
    return found.sort_values(["gap", "branch_code", "role", "module"], ascending=[False, True, True, True],
                             ignore_index=True)[
        ["branch_code", "branch_name", "region_code", "role", "module", "required_fte", "assigned_fte", "gap"]]


def gaps_going_live(db: Database, as_of: date, days: int = GOING_LIVE_DAYS) -> pd.DataFrame:
    """The branches going live within `days` days of as_of (not live, with role requirements), the largest gap
    in fte first (then the sooner go-live): branch_code, branch_name, region_code, planned_go_live,
    days_to_go_live, required_fte, gap_fte, fill_rate. A heatmap of the first rows shows where people are
    missing soonest, where the lowest fill rates of a large portfolio are all 0 % at branches far from go-live."""
    return _run(db, "staffing_gaps_going_live", as_of, days=int(days))


def branch_fill_rate(db: Database, as_of: date, leaving: str | None = None) -> pd.DataFrame:
    """Every branch: fill_rate (0..100, null without requirements), required, filled and gap fte."""
    return _run(db, "staffing_branch_fill_rate", as_of, leaving)


def over_allocated(db: Database, as_of: date, leaving: str | None = None) -> pd.DataFrame:
    """People whose active fte, over every branch, exceeds 1.0 (0.6 + 0.4 is exactly full)."""
    return _run(db, "staffing_over_allocated", as_of, leaving)


def key_user_coverage(db: Database, as_of: date, leaving: str | None = None,
                      settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every modules row: distinct active key users (0 uncovered, 1 single point of failure), trained ones."""
    return _run(db, "staffing_key_user_coverage", as_of, leaving,
                pass_mark=float(_settings(db, settings)["training_pass_mark"]))


def key_user_assessment(db: Database, as_of: date, leaving: str | None = None,
                        settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every active key user per (branch, module): passed, failed or not_assessed (pass mark a setting)."""
    return _run(db, "staffing_key_user_assessment", as_of, leaving,
                pass_mark=float(_settings(db, settings)["training_pass_mark"]))


# --- views built from the metrics ------------------------------------------------------------------

def over_allocated_assignments(db: Database, as_of: date) -> pd.DataFrame:
    """Every active assignment of every over-allocated person (across branches and roles)."""
    people = over_allocated(db, as_of)[["person_code", "total_fte"]]
    assigned = active_assignments(db, as_of)
    found = people.merge(assigned, on="person_code", how="inner")
    return found[["person_code", "name", "home_branch_code", "total_fte", "branch_code", "region_code", "role",
                  "module", "fte", "is_backup", "start_date", "end_date"]].sort_values(
        ["total_fte", "person_code", "branch_code", "role", "module"], ascending=[False, True, True, True, True],
        ignore_index=True)


def staffing_status(uncovered: int, spof: int, modules: int) -> str:
    """A branch's staffing status (documented in docs/methodology/staffing.md), worst first."""
    if uncovered > 0:
        return "uncovered"
    if spof > 0:
        return "single_point_of_failure"
    if modules == 0:
        return "no_modules"
    return "covered"


def _branch_summary(db: Database, as_of: date, leaving: str | None, settings: Mapping[str, float],
                    query: str = "staffing_branch_summary") -> pd.DataFrame:
    """staffing_branch_summary.sql, or a query over it (staffing_summary_fields.sql), with its parameters."""
    return _run(db, query, as_of, leaving, pass_mark=float(settings["training_pass_mark"]),
                min_key_users=int(settings["min_key_users_per_module"]))


def branch_staffing(db: Database, as_of: date, leaving: str | None = None,
                    settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per branch: fill rate, gap, over-allocated own people, module coverage, key-user norms
    and the staffing status. Counts are 0 (never null); fill_rate is null without requirements.
    Two queries (staffing_branch_summary.sql, staffing_branch_key_users.sql) so thousands of branches stay
    fast; the summary and the pack need the first alone."""
    settings = _settings(db, settings)
    frame = _branch_summary(db, as_of, leaving, settings).merge(
        _run(db, "staffing_branch_key_users", as_of, leaving, pass_mark=float(settings["training_pass_mark"])),
        on="branch_code", how="left")
    for column in ("key_users", "passed_key_users"):  # 0, never null
        frame[column] = frame[column].fillna(0).astype(int)
    frame["key_users_norm_low"] = [_norm(h, settings["end_users_per_key_user"]) for h in frame["headcount"]]
    frame["key_users_norm_high"] = [_norm(h, settings["end_users_per_key_user_low"]) for h in frame["headcount"]]
    frame["staffing_status"] = [staffing_status(u, s, m) for u, s, m in
                                zip(frame["uncovered_modules"], frame["spof_modules"], frame["modules"], strict=True)]
    return frame


def staffing_kpis(branches: pd.DataFrame) -> dict[str, Any]:
    """The Staffing page's headline over these rows of branch_staffing: branches with an uncovered
    module, single points of failure, uncovered modules, over-allocated people (each counted at their
    own branch, so once) and the open gap in fte."""
    return {"branches_with_uncovered_module": int((branches["uncovered_modules"] > 0).sum()),
            "spof_modules": int(branches["spof_modules"].sum()),
            "uncovered_modules": int(branches["uncovered_modules"].sum()),
            "over_allocated_people": int(branches["over_allocated_people"].sum()),
            "gap_fte": float(branches["gap_fte"].sum())}


def over_allocated_at(over: pd.DataFrame, branch_code: str) -> pd.DataFrame:
    """Rows of over_allocated_assignments for the people whose own branch is this one or who work
    here: every active assignment of theirs, at any branch."""
    involved = set(over.loc[(over["home_branch_code"] == branch_code) | (over["branch_code"] == branch_code),
                            "person_code"])
    return over[over["person_code"].isin(involved)]


def _norm(headcount: Any, end_users_per_key_user: float) -> int | None:
    """Key users a headcount calls for at one key user per N end users (rounded up); null without headcount."""
    if is_missing(headcount):
        return None
    return math.ceil(int(headcount) / float(end_users_per_key_user))


def summary_fields(db: Database, as_of: date, settings: Mapping[str, float]) -> pd.DataFrame:
    """branch_code + fill_rate, over_allocated_people, uncovered_modules, spof_modules."""
    # branch_staffing's first query alone (its key-user norms and staffing status are for the Staffing page),
    # and only these columns of it
    return _branch_summary(db, as_of, None, settings, "staffing_summary_fields")


def coverage_matrix(db: Database, as_of: date) -> pd.DataFrame:
    """Key-user coverage per (branch, module) with the branches going live soonest first: branches not
    live on as_of by planned go-live (none last), then live branches."""
    coverage = key_user_coverage(db, as_of)
    branches = branches_live(db, as_of)[["branch_code", "planned_go_live", "is_live"]].rename(
        columns={"planned_go_live": "branch_go_live", "is_live": "branch_is_live"})
    frame = coverage.merge(branches, on="branch_code", how="left")
    frame["coverage"] = [_coverage_label(k, t) for k, t in zip(frame["key_users"], frame["trained_key_users"],
                                                                strict=True)]
    frame = frame.sort_values(["branch_is_live", "branch_go_live", "branch_code", "module"],
                              na_position="last", ignore_index=True)
    return frame[["branch_code", "branch_name", "region_code", "branch_go_live", "branch_is_live", "module",
                  "key_users", "trained_key_users", "coverage", "key_user_codes", "uncovered",
                  "single_point_of_failure"]]


def _coverage_label(key_users: int, trained: int) -> str:
    count = "2+" if key_users >= 2 else str(int(key_users))
    return _("{count} ({trained} trained)").format(count=count, trained=int(trained)) if key_users else "0"


def departures(db: Database, as_of: date, days: int = DEPARTURE_WINDOW_DAYS) -> pd.DataFrame:
    """People who left in (as_of - days, as_of], one row per assignment they held the day before, with
    what it leaves now: the requirement's gap and, for a key user, the module's coverage on as_of."""
    left = _run(db, "staffing_departures", as_of, days=int(days))
    fill = requirement_fill(db, as_of)[["branch_code", "role", "module", "required_fte", "assigned_fte", "gap"]]
    coverage = key_user_coverage(db, as_of)[["branch_code", "module", "key_users"]]
    frame = left.merge(fill, on=["branch_code", "role", "module"], how="left")
    frame = frame.merge(coverage.rename(columns={"key_users": "key_users_now"}), on=["branch_code", "module"],
                        how="left")
    frame["leaves"] = [_leaves(r) for r in frame.to_dict("records")]
    return frame[["person_code", "name", "home_branch_code", "region_code", "left_on", "branch_code", "role",
                  "module", "fte", "is_backup", "gap", "key_users_now", "leaves"]]


def _leaves(row: dict[str, Any]) -> str:
    if row.get("branch_code") is None or pd.isna(row.get("branch_code")):
        return _("held no assignment")
    parts = []
    if row["role"] == "key_user" and row["module"] and not pd.isna(row.get("key_users_now")):
        count = int(row["key_users_now"])
        module = row["module"]
        parts.append(_("{module} uncovered").format(module=module) if count == 0 else
                     _("{module} single point of failure").format(module=module) if count == 1 else
                     _("{module} still has {count} key users").format(module=module, count=count))
    gap = row.get("gap")
    if gap is not None and not pd.isna(gap):
        parts.append(_("gap {gap} fte").format(gap=f"{gap:g}") if gap > 0 else _("requirement still filled"))
    else:
        parts.append(_("no requirement for this role"))
    return "; ".join(parts)


def key_user_norms(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch: headcount, active key users and the norm (one per 15-20 end users; >= N per module)."""
    frame = branch_staffing(db, as_of)
    return frame[["branch_code", "branch_name", "region_code", "headcount", "key_users", "key_users_norm_low",
                  "key_users_norm_high", "modules", "below_norm_modules"]]


def fill_matrix(db: Database, as_of: date) -> pd.DataFrame:
    """Fill rate (0..100) per branch and role: sum(required × fill) / sum(required) over the role's
    requirements (its modules), the branch formula restricted to one role."""
    fill = requirement_fill(db, as_of)
    if fill.empty:
        return pd.DataFrame(columns=["branch_code", "region_code", "role", "required_fte", "fill_rate"])
    fill = fill.assign(weighted=fill["required_fte"] * fill["fill"])
    grouped = fill.groupby(["branch_code", "region_code", "role"], as_index=False).agg(
        required_fte=("required_fte", "sum"), weighted=("weighted", "sum"))
    grouped["fill_rate"] = grouped["weighted"] / grouped["required_fte"] * 100
    return grouped.drop(columns="weighted")


def people(db: Database) -> pd.DataFrame:
    """Everyone, for pickers and the departure form."""
    return db.df("SELECT p.person_code, p.name, p.branch_code, b.region_code, p.title, p.joined_on, p.left_on "
                 "FROM people AS p JOIN branches AS b USING (branch_code) ORDER BY p.person_code")


# --- what if this person leaves --------------------------------------------------------------------

def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: json_ready(v) for k, v in row.items()} for row in frame.to_dict("records")]


def what_if_leaves(db: Database, person_code: str, as_of: date) -> dict[str, Any]:
    """What breaks if this person leaves on as_of (left_on = as_of, simulated in the queries; nothing is
    saved): the assignments they hold, the modules that become uncovered or single points of failure,
    and every branch whose figures or staffing status change. JSON-able."""
    found = db.df("SELECT person_code, name, branch_code, joined_on, left_on FROM people WHERE person_code = ?",
                  [person_code])
    if found.empty:
        raise NotFoundError(_("person {code} does not exist (expected a person_code of the people sheet)").format(
            code=repr(person_code)))
    person = {k: json_ready(v) for k, v in found.iloc[0].to_dict().items()}
    active = not active_people(db, as_of).query("person_code == @person_code").empty
    person["active"] = active
    held = active_assignments(db, as_of).query("person_code == @person_code")

    keys = ["branch_code", "module"]
    settings = get_settings(db)
    before = key_user_coverage(db, as_of, settings=settings)
    after = key_user_coverage(db, as_of, leaving=person_code, settings=settings)
    coverage = before[[*keys, "branch_name", "key_users", "trained_key_users"]].merge(
        after[[*keys, "key_users", "trained_key_users"]], on=keys, suffixes=("_before", "_after"))
    changed = coverage[(coverage["key_users_before"] != coverage["key_users_after"])
                       | (coverage["trained_key_users_before"] != coverage["trained_key_users_after"])]
    uncovered = changed[(changed["key_users_after"] == 0) & (changed["key_users_before"] > 0)]
    spof = changed[(changed["key_users_after"] == 1) & (changed["key_users_before"] > 1)]

    columns = ["branch_code", "branch_name", "fill_rate", "gap_fte", "over_allocated_people", "uncovered_modules",
               "spof_modules", "staffing_status"]
    branches_before = branch_staffing(db, as_of, settings=settings)[columns]
    branches_after = branch_staffing(db, as_of, leaving=person_code, settings=settings)[columns]
    both = branches_before.merge(branches_after.drop(columns="branch_name"), on="branch_code",
                                 suffixes=("_before", "_after"))
    differs = pd.Series(False, index=both.index)
    for column in columns[2:]:
        old, new = both[f"{column}_before"], both[f"{column}_after"]
        if column in ("fill_rate", "gap_fte"):
            moved = ((old - new).abs() > 1e-9) | (old.isna() != new.isna())
        else:
            moved = old != new
        differs |= moved.fillna(False)
    branch_changes = both[differs]
    status_changes = branch_changes[branch_changes["staffing_status_before"] != branch_changes["staffing_status_after"]]

    return {
        "as_of": as_of.isoformat(),
        "person": person,
        "assignments": _records(held[["branch_code", "role", "module", "fte", "is_backup", "start_date",
                                      "end_date"]]),
        "modules_uncovered": _records(uncovered),
        "modules_single_point_of_failure": _records(spof),
        "coverage_changes": _records(changed),
        "branches_changed": _records(branch_changes),
        "status_changes": _records(status_changes[["branch_code", "branch_name", "staffing_status_before",
                                                    "staffing_status_after"]]),
        "note": (_("computed, not saved: the person is treated as leaving on the as-of date (left_on = as_of). "
                   "Readiness status does not depend on staffing, so it does not change.")
                 if active else _("this person is not active on the as-of date: their leaving changes nothing")),
    }


def what_if_text(result: dict[str, Any]) -> str:
    """The what-if as lines a person reads (the CLI's text output)."""
    person = result["person"]
    lines = [_("What if {code} ({name}, {branch}) leaves on {day}? (computed, not saved)").format(
        code=person["person_code"], name=person["name"], branch=person["branch_code"], day=result["as_of"])]
    if not person["active"]:
        lines.append(_("Not active on that date: nothing changes."))
        return "\n".join(lines)
    lines.append(_("Active assignments: {count}").format(count=len(result["assignments"])))
    for a in result["assignments"]:
        module = f"/{a['module']}" if a["module"] else ""
        line = f"  {a['branch_code']} {a['role']}{module} fte {a['fte']:g}"
        lines.append(_("{assignment} (backup)").format(assignment=line) if a["is_backup"] else line)
    none = _("none")
    for title, key in ((N_("Modules left uncovered: {modules}"), "modules_uncovered"),
                       (N_("Modules becoming a single point of failure: {modules}"),
                        "modules_single_point_of_failure")):
        rows = result[key]
        lines.append(_(title).format(modules=", ".join(f"{r['branch_code']}/{r['module']}" for r in rows) if rows
                                     else none))
    changes = result["status_changes"]
    lines.append(_("Branches changing staffing status: {changes}").format(changes=", ".join(
        f"{r['branch_code']} {r['staffing_status_before']} -> {r['staffing_status_after']}" for r in changes)
        if changes else none))
    for r in result["branches_changed"]:
        fill_before = _("n/a") if r["fill_rate_before"] is None else f"{r['fill_rate_before']:.1f}%"
        fill_after = _("n/a") if r["fill_rate_after"] is None else f"{r['fill_rate_after']:.1f}%"
        lines.append("  " + _("{branch}: fill rate {fill_before} -> {fill_after}, uncovered modules {uncovered_before} "
                              "-> {uncovered_after}, single points of failure {spof_before} -> {spof_after}").format(
            branch=r["branch_code"], fill_before=fill_before, fill_after=fill_after,
            uncovered_before=r["uncovered_modules_before"], uncovered_after=r["uncovered_modules_after"],
            spof_before=r["spof_modules_before"], spof_after=r["spof_modules_after"]))
    lines.append(result["note"])
    return "\n".join(lines)


# --- edits (Staffing page forms) --------------------------------------------------------------------

def assign_person(db: Database, person_code: str, branch_code: str, role: str, module: str | None, fte: Any,
                  is_backup: bool = False, start_date: date | None = None, end_date: date | None = None,
                  *, caller: Caller, today: date | None = None) -> int:
    """Add an assignment (importer rules: 0 < fte <= 1, known person/branch, end >= start), audited.
    Form rules: a key user is assigned to a module; no assignment starting after the person left."""
    label = _("new assignment")
    problems = []
    if role == "key_user" and not module:
        problems.append(CellError(label, None, "module", None,
                                  _("is empty (expected a module: a key user is assigned per module)")))
    left_on = db.scalar("SELECT left_on FROM people WHERE person_code = ?", [person_code])
    if left_on is not None and start_date is not None and start_date >= left_on:
        problems.append(CellError(label, None, "start_date", start_date.isoformat(),
                                  _("is on or after the day the person left ({day}) (expected an earlier date)")
                                  .format(day=left_on)))
    if problems:
        raise ValidationError(problems)
    row = {"person_code": person_code, "branch_code": branch_code, "role": role, "module": module or None,
           "fte": fte, "is_backup": bool(is_backup), "start_date": start_date, "end_date": end_date}
    return edits.insert_rows(db, "assignments", [row], caller=caller, today=today, label=label)


def record_departure(db: Database, person_code: str, left_on: date | None, original: dict[str, Any] | None = None,
                     *, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """Set (or clear, with None) a person's left_on; refused if the row changed since shown (original)."""
    return edits.update_row(db, "people", {"person_code": person_code}, {"left_on": left_on}, original=original,
                            caller=caller, today=today, label=_("person {code}").format(code=person_code))


def record_training(db: Database, person_code: str, module: str, course: str, completed_on: date | None,
                    score: Any, *, caller: Caller, today: date | None = None) -> str:
    """Record a training result (insert, or update the score of the same person/module/course).
    Form rules: a result has a score and a completion date that is not in the future."""
    today = today or date.today()
    label = _("training result")
    problems = []
    if score is None or score == "":
        problems.append(CellError(label, None, "score", None, _("is empty (expected a score from 0 to 100)")))
    if completed_on is None:
        problems.append(CellError(label, None, "completed_on", None, _("is empty (expected the assessment date)")))
    elif completed_on > today:
        problems.append(CellError(label, None, "completed_on", completed_on.isoformat(), in_the_future(today)))
    if problems:
        raise ValidationError(problems)
    key = {"person_code": person_code, "module": module, "course": str(course).strip()}
    exists = db.scalar("SELECT count(*) FROM training WHERE person_code = ? AND module = ? AND course = ?",
                       [person_code, module, key["course"]])
    if exists:
        edits.update_row(db, "training", key, {"completed_on": completed_on, "score": score}, caller=caller,
                         today=today, label=label)
        return "updated"
    edits.insert_rows(db, "training", [{**key, "completed_on": completed_on, "score": score}], caller=caller,
                      today=today, label=label)
    return "added"
