"""Pilot lessons and go-live problems (METRICS.md "Lessons", issue 7).

Reads: application coverage per lesson, the lesson x branch application matrix, recurring lessons
(with the problems behind them), the open go-live problem backlog, problems per week after go-live
and the critical-problem flags the Portfolio page shows. Each figure is one SQL file under
rollout/metrics/sql/lessons_*.sql.

Writes (the lessons loop): record a lesson, set a lesson's status at many branches at once, turn a
lesson into a checklist item at every branch not yet live, log and close problems. Every write is
validated by the importer's rules (rollout.exchange.spec), one transaction, audited like rollout.exchange.edits does:
a refused write saves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import CellError, NotFoundError, ValidationError
from rollout.core.i18n import _
from rollout.core.values import comparable, is_missing, quote
from rollout.exchange import edits
from rollout.exchange.spec import APPLICATION_STATUSES, SHEETS, in_the_future, not_allowed
from rollout.metrics.live import branches_live_sql
from rollout.metrics.queries import load_sql
from rollout.store.db import Cursor, Database
from rollout.store.scope import whole
from rollout.store.settings import get_settings

MATRIX_STATUSES = ("missing", "planned", "applied", "verified", "not_applicable")
AGE_BANDS = ("0-3 days", "4-7 days", "8-14 days", "15-30 days", "over 30 days")
# A lesson's category as the checklist dimension of the item it becomes.
CATEGORY_DIMENSION = {"data": "data", "training": "people", "process": "process", "people": "people",
                      "technical": "technical", "executive": "governance"}


def _regions(regions: Iterable[str] | None) -> list[str]:
    return [str(r) for r in (regions or ())]


# --- metrics ----------------------------------------------------------------------------------------

def application_coverage(db: Database, as_of: date, regions: Sequence[str] = ()) -> pd.DataFrame:
    """Per lesson: eligible_branches, covered_branches, application_coverage (percent, null when no
    branch is eligible). regions narrows the eligible branches (empty: every region)."""
    return db.df(load_sql("lessons_application_coverage"), {"as_of": as_of, "regions": _regions(regions)})


def summary_fields(db: Database, as_of: date, settings: dict[str, float] | None = None) -> pd.DataFrame:
    """lesson_code + application_coverage (unrounded; summary.py rounds)."""
    return application_coverage(db, as_of)[["lesson_code", "application_coverage"]]


def recurring_lessons(db: Database, as_of: date) -> pd.DataFrame:
    """One row per (lesson, problem) where the lesson recurred (see lessons_recurring.sql)."""
    return db.df(load_sql("lessons_recurring"), {"as_of": as_of})


def application_matrix(db: Database, as_of: date) -> pd.DataFrame:
    """Long form: lesson x non-pilot branch with status (missing when there is no row), eligible,
    branch_order (going live soonest first)."""
    return db.df(load_sql("lessons_application_matrix"), {"as_of": as_of})


def matrix_branch_order(matrix: pd.DataFrame) -> list[str]:
    """The branches of application_matrix rows in the matrix's order (going live soonest first)."""
    return matrix.sort_values("branch_order")["branch_code"].drop_duplicates().tolist()


def lessons_overview(db: Database, as_of: date, regions: Sequence[str] = ()) -> pd.DataFrame:
    """Every lesson with its category, impact, module, recommendation, coverage and the number of
    problems behind its recurrence (in the chosen regions)."""
    lessons = db.df("SELECT lesson_code, source_branch_code, phase, module, category, impact, title, description, "
                    "recommendation, checklist_item_code, recorded_on FROM lessons ORDER BY lesson_code")
    coverage = application_coverage(db, as_of, regions)
    recurring = recurring_lessons(db, as_of)
    if regions:
        recurring = recurring[recurring.region_code.isin(list(regions))]
    counts = recurring.groupby("lesson_code").size().rename("recurring_problems").reset_index()
    merged = lessons.merge(coverage, on="lesson_code", how="left").merge(counts, on="lesson_code", how="left")
    merged["recurring_problems"] = merged["recurring_problems"].fillna(0).astype(int)
    return merged


def lessons_per_category(overview: pd.DataFrame) -> pd.DataFrame:
    """Lessons per category and impact over these rows of lessons_overview (categories in order,
    only the pairs that occur)."""
    counts = overview.groupby(["impact", "category"]).size().rename("lessons").reset_index()
    return counts[["category", "impact", "lessons"]].sort_values(["category", "impact"], ignore_index=True)


def recurring_counts(recurring: pd.DataFrame) -> dict[str, int]:
    """How many lessons recurred and how many problems are behind them (rows of recurring_lessons)."""
    return {"lessons": int(recurring["lesson_code"].nunique()), "problems": int(recurring["problem_code"].nunique())}


def open_problems(db: Database, as_of: date) -> pd.DataFrame:
    """Problems open on D at branches live on D, oldest first, with age_days and age_band."""
    return db.df(load_sql("lessons_open_problems"), {"as_of": as_of})


def problem_backlog(db: Database, as_of: date) -> pd.DataFrame:
    """Open problems per live branch x severity x age band (counts; only non-empty cells)."""
    frame = open_problems(db, as_of)
    if frame.empty:
        return pd.DataFrame(columns=["branch_code", "branch_name", "region_code", "severity", "age_band",
                                     "open_problems"])
    grouped = (frame.groupby(["branch_code", "branch_name", "region_code", "severity", "severity_rank", "age_band"])
               .size().rename("open_problems").reset_index())
    grouped["band_rank"] = grouped["age_band"].map({b: i for i, b in enumerate(AGE_BANDS)})
    grouped = grouped.sort_values(["branch_code", "severity_rank", "band_rank"])
    return grouped.drop(columns=["severity_rank", "band_rank"]).reset_index(drop=True)


def backlog_per_branch(backlog: pd.DataFrame) -> pd.DataFrame:
    """Open problems per branch and severity over every age band (rows of problem_backlog), by code."""
    totals = backlog.groupby(["branch_code", "severity"])["open_problems"].sum().rename("open_problems")
    return totals.reset_index().astype({"open_problems": int})


def problems_per_week(db: Database, as_of: date) -> pd.DataFrame:
    """Per live branch and week after go-live (0 = go-live week): problems opened and closed."""
    return db.df(load_sql("lessons_problems_per_week"), {"as_of": as_of})


def critical_problem_flags(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Branches with critical problems open on D for more than critical_problem_days days."""
    limit = int((settings if settings is not None else get_settings(db))["critical_problem_days"])
    return db.df(load_sql("lessons_critical_problem_flags"), {"as_of": as_of, "limit_days": limit})


# --- choices for forms -------------------------------------------------------------------------------

PROBLEM_PREFIX, PROBLEM_WIDTH = "PR", 3  # problem codes as the forms make them: PR001, PR002...


def _next_of(used: Iterable[str], prefix: str, width: int) -> str:
    numbers = [int(m[1]) for c in used if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", c))]
    return f"{prefix}{(max(numbers, default=0) + 1):0{width}d}"


def _codes_sql(table: str) -> str:
    key = quote(SHEETS[table].key[0])
    return f"SELECT {key} FROM {quote(table)} WHERE starts_with({key}, ?)"


def next_code(db: Database, table: str, prefix: str, width: int = 0) -> str:
    """The next free code like L5 or PR015: prefix + (highest number used with that prefix) + 1. A code is
    one namespace across every region, so the highest is taken over the whole store, whoever asks (a
    scoped caller's own highest would collide with a code of another region): only the code made is shown."""
    return _next_of([r[0] for r in whole(db).rows(_codes_sql(table), [prefix])], prefix, width)


def _next_in_transaction(cur: Cursor, table: str, prefix: str, width: int) -> str:
    return _next_of([r[0] for r in cur.execute(_codes_sql(table), [prefix]).fetchall()], prefix, width)


def branches_not_live(db: Database, as_of: date) -> pd.DataFrame:
    """Branches that are not the pilot and not live on D, going live soonest first."""
    return db.run(f"SELECT branch_code, branch_name, region_code, planned_go_live FROM ({branches_live_sql()}) "
                  "WHERE NOT coalesce(is_pilot, false) AND NOT is_live "
                  "ORDER BY coalesce(actual_go_live, planned_go_live) NULLS LAST, branch_code", {"as_of": as_of})


def branch_codes(db: Database) -> list[str]:
    """Every branch code, the pilot(s) first (for forms)."""
    return [r[0] for r in db.rows("SELECT branch_code FROM branches ORDER BY coalesce(is_pilot, false) DESC, "
                                  "branch_code")]


def problems_list(db: Database, as_of: date) -> pd.DataFrame:
    """Every problem logged on or before D, open ones first (for the close-a-problem form)."""
    return db.df("SELECT p.*, b.region_code, (p.closed_on IS NULL OR p.closed_on > ?) AS open "
                 "FROM problems p JOIN branches b USING (branch_code) WHERE p.opened_on <= ? "
                 "ORDER BY open DESC, p.opened_on, p.problem_code", [as_of, as_of])


# --- writes ------------------------------------------------------------------------------------------

def _refuse(label: str, column: str | None, value: Any, expected: str) -> ValidationError:
    return ValidationError([CellError(label, None, column, value, expected)])


def _lesson(db: Database, lesson_code: str) -> dict[str, Any]:
    found = db.df("SELECT * FROM lessons WHERE lesson_code = ?", [lesson_code])
    if found.empty:
        raise NotFoundError(_("lesson {code} does not exist (reload the page)").format(code=repr(lesson_code)))
    row = found.iloc[0].to_dict()
    return {k: (None if is_missing(v) else v) for k, v in row.items()}


def record_lesson(db: Database, lesson: Mapping[str, Any], *, caller: Caller, today: date | None = None) -> None:
    """Add one lesson (validated like an imported row, audited). recorded_on defaults to today."""
    today = today or date.today()
    row = {k: v for k, v in lesson.items() if v not in (None, "")}
    row.setdefault("recorded_on", today)
    if row["recorded_on"] > today:
        raise _refuse(_("new lesson"), "recorded_on", row["recorded_on"], in_the_future(today))
    edits.insert_rows(db, "lessons", [row], caller=caller, today=today, label=_("new lesson"))


def set_application_status(db: Database, lesson_code: str, branch_codes: Sequence[str], status: str,
                           note: str | None = None, *, caller: Caller, today: date | None = None) -> tuple[int, int]:
    """Set the lesson's status at every given branch at once: all or nothing, audited.

    A branch without a row gets one; an existing row changes status (and note when one is given);
    updated_on becomes today. Returns (rows added, rows changed)."""
    today = today or date.today()
    codes = list(dict.fromkeys(str(c) for c in branch_codes))
    label = _("lesson status")
    if not codes:
        raise _refuse(label, "branch_code", None, _("is empty (expected at least one branch)"))
    if status not in APPLICATION_STATUSES:
        raise _refuse(label, "status", status, not_allowed(APPLICATION_STATUSES))
    raw = [{"lesson_code": lesson_code, "branch_code": code, "status": status, "note": note or None,
            "updated_on": today} for code in codes]
    added = changed = 0
    with edits.edit_batch(db, caller, today) as batch:  # all branches or none
        batch.validate("lesson_applications", raw, label)  # every error at once, before writing
        for row in raw:
            key = {"lesson_code": lesson_code, "branch_code": row["branch_code"]}
            current = batch.current("lesson_applications", key)
            if current is None:
                added += batch.insert("lesson_applications", [row], label=_at(row["branch_code"]))
                continue
            changes = {"status": status, **({"note": note} if note else {})}
            if any(comparable(v) != comparable(current[c]) for c, v in changes.items()):
                batch.update("lesson_applications", key, {**changes, "updated_on": today},
                             label=_at(row["branch_code"]))
                changed += 1
    return added, changed


def _at(branch_code: str) -> str:
    return _("lesson status at {branch}").format(branch=branch_code)


def checklist_item_for(lesson: Mapping[str, Any]) -> dict[str, Any]:
    """The checklist item a lesson becomes (without branch_code)."""
    code = lesson.get("checklist_item_code") or f"LL-{lesson['lesson_code']}"
    advice = lesson.get("recommendation") or lesson["title"]
    return {"item_code": code, "dimension": CATEGORY_DIMENSION[lesson["category"]],
            "title": f"Lesson {lesson['lesson_code']}: {advice}", "weight": 1.0, "status": "open", "gate": False}


def lesson_to_checklist(db: Database, lesson_code: str, as_of: date, due_date: date | None = None,
                        *, caller: Caller, today: date | None = None) -> int:
    """Add the lesson as a checklist item at every branch not the pilot and not live on as_of, and
    link it through lessons.checklist_item_code. Idempotent: a branch that already has the item is
    left alone, so doing it twice adds nothing. One transaction. Returns the items added."""
    today = today or date.today()
    lesson = _lesson(db, lesson_code)
    item = checklist_item_for(lesson)
    if due_date is not None:
        item["due_date"] = due_date
    branches = branches_not_live(db, as_of)["branch_code"].tolist()
    raw = [{"branch_code": code, **item} for code in branches]
    with edits.edit_batch(db, caller, today) as batch:  # the items and the link commit together
        added = batch.insert("checklist", raw, label=_("lesson {code} as checklist item").format(code=lesson_code),
                             skip_existing=True) if raw else 0
        if lesson.get("checklist_item_code") != item["item_code"]:
            batch.update("lessons", {"lesson_code": lesson_code}, {"checklist_item_code": item["item_code"]},
                         label=_("lesson {code}").format(code=lesson_code))
    return added


def _check_not_future(label: str, column: str, value: date | None, today: date) -> None:
    edits.refuse_future(label, {column: value}, [column], today)


def log_problem(db: Database, problem: Mapping[str, Any], *, caller: Caller, today: date | None = None) -> str:
    """Log one problem (validated, audited) and return its code. opened_on / closed_on may not be in the
    future. Problem codes are one namespace across every region: with no code given, the next free one is
    chosen in the write's own transaction (so two editors never collide); a given code already taken is
    refused with the same words wherever it is taken, never "already exists" of another region's problem."""
    today = today or date.today()
    row = {k: v for k, v in problem.items() if v not in (None, "")}
    label = _("new problem")
    _check_not_future(label, "opened_on", row.get("opened_on"), today)
    _check_not_future(label, "closed_on", row.get("closed_on"), today)
    with edits.edit_batch(db, caller, today) as batch:
        batch.authorise("problems", row)  # before anything is looked up: a refused caller learns nothing
        if "problem_code" not in row:
            row["problem_code"] = _next_in_transaction(batch.cur, "problems", PROBLEM_PREFIX, PROBLEM_WIDTH)
        elif batch.current("problems", batch.validate("problems", [row], label).rows[0]) is not None:
            raise ValidationError([CellError(label, None, "problem_code", str(row["problem_code"]), _(
                "is taken (expected a code no problem uses: leave the code empty and the next free one is "
                "chosen)"))])
        batch.insert("problems", [row], label=label)
    return str(row["problem_code"])


def close_problem(db: Database, problem_code: str, closed_on: date, original: Mapping[str, Any] | None = None,
                  *, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """Close a problem on a date (not before it was opened, not in the future). `original` is the
    row as shown: if someone changed it since, the close is refused (ConflictError)."""
    today = today or date.today()
    label = _("problem {code}").format(code=problem_code)
    if original is not None:  # as shown by a DataFrame: NaT / NaN mean empty
        original = {k: (None if is_missing(v) else v) for k, v in original.items()}
    _check_not_future(label, "closed_on", closed_on, today)
    return edits.update_row(db, "problems", {"problem_code": problem_code}, {"closed_on": closed_on},
                            original=original, caller=caller, today=today, label=label)

