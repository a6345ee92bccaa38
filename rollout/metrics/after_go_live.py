"""After go-live (METRICS.md "After go-live"): problems against their time limits, same-day entry,
readiness for acceptance, overdue acceptance and overdue payment, and the live branches to act on.

The seeds: after go-live every document of the day is entered the same day; problems are fixed
within a time limit, because an unresolved backlog paralyses the system; acceptance follows the
first clean month, and "a month's delay becomes another month". Each figure is one query in
rollout/metrics/sql/after_go_live_*.sql, as of a date. Writes (a day's entries, an acceptance)
go through rollout.exchange.edits: the importer's rules, one transaction, audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.i18n import _
from rollout.core.values import as_date
from rollout.exchange import edits
from rollout.metrics.live import branches_live
from rollout.metrics.queries import load_sql
from rollout.store.db import Database
from rollout.store.settings import get_settings

LIMIT_SETTINGS = {"critical": "critical_problem_days", "high": "high_problem_days", "medium": "medium_problem_days",
                  "low": "low_problem_days"}
SEVERITY_ORDER = ["critical", "high", "medium", "low"]
TREND_MAX_DAYS = 365
# What a live branch needs, most urgent first (live_branches sorts by it).
ACTIONS = ["acceptance overdue", "payment overdue", "blocking problems", "ready for acceptance",
           "problems past limit", "same-day entry low", "stabilising", "accepted"]


def _settings(db: Database, settings: Mapping[str, float] | None) -> Mapping[str, float]:
    return settings if settings is not None else get_settings(db)


def problem_limits(settings: Mapping[str, float]) -> dict[str, int]:
    """Each severity's time limit in days (settings; defaults critical 3, high 7, medium 14, low 30)."""
    return {severity: int(settings[key]) for severity, key in LIMIT_SETTINGS.items()}


def _params(as_of: date, settings: Mapping[str, float], days: int = 1, branch_code: str | None = None
            ) -> dict[str, Any]:
    limits = problem_limits(settings)
    return {"as_of": as_of, "days": int(days), "branch_code": branch_code,
            "entry_target": float(settings["same_day_entry_target"]),
            **{f"limit_{severity}": days_ for severity, days_ in limits.items()}}


# --- problems and their time limits -------------------------------------------------------------------

def problems_against_limits(db: Database, as_of: date, settings: Mapping[str, float] | None = None,
                            branch_code: str | None = None) -> pd.DataFrame:
    """Every problem open on D (any branch, live or not) with age_days, limit_days, due_by and
    past_limit; per branch the most severe and oldest first."""
    frame = db.run(load_sql("after_go_live_open_problems"), _params(as_of, _settings(db, settings)))
    frame["past_limit"] = frame["past_limit"].astype(bool)
    if branch_code is not None:
        frame = frame[frame["branch_code"] == branch_code]
    return frame.reset_index(drop=True)


def problems_past_limit(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Per branch (every branch): problems_past_limit (every severity) and blocking_past_limit
    (critical and high: these keep a branch from acceptance)."""
    problems = problems_against_limits(db, as_of, settings)
    past = problems[problems["past_limit"]]
    counts = pd.DataFrame({
        "problems_past_limit": past.groupby("branch_code").size(),
        "blocking_past_limit": past[past["severity"].isin(["critical", "high"])].groupby("branch_code").size()})
    frame = db.df("SELECT branch_code FROM branches ORDER BY branch_code").set_index("branch_code").join(counts)
    return frame.fillna(0).astype(int).reset_index()


def problems_by_severity(db: Database, as_of: date, branch_code: str,
                         settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One branch's open problems per severity (most severe first, every severity listed): the
    time limit in days, open on D, past the limit."""
    settings = _settings(db, settings)
    problems = problems_against_limits(db, as_of, settings, branch_code)
    limits = problem_limits(settings)
    return pd.DataFrame([{"severity": s, "limit_days": limits[s],
                          "open": int((problems["severity"] == s).sum()),
                          "past_limit": int(((problems["severity"] == s) & problems["past_limit"]).sum())}
                         for s in SEVERITY_ORDER])


# --- same-day entry ---------------------------------------------------------------------------------------

def same_day_entry_rate(db: Database, as_of: date, branch_code: str | None = None) -> pd.DataFrame:
    """Per branch with daily entries in (D − 30, D]: documents, entered_same_day and
    same_day_entry_rate (null when they hold no documents)."""
    frame = db.run(load_sql("after_go_live_same_day_entry_rate"),
                   {"as_of": as_of, "days": 1, "branch_code": branch_code})
    return frame[["branch_code", "documents", "entered_same_day", "same_day_entry_rate"]] \
        .sort_values("branch_code").reset_index(drop=True)


def same_day_entry_trend(db: Database, as_of: date, branch_code: str, days: int | None = None) -> pd.DataFrame:
    """A branch's same-day entry rate over time: for each day up to D (from its first daily entry,
    at most a year, or the last `days` days), the rate of its 30-day window and that day's own
    documents and same-day entries."""
    if days is None:
        first = as_date(db.scalar("SELECT min(date) FROM daily_entries WHERE branch_code = ? AND date <= ?",
                                  [branch_code, as_of]))
        days = 1 if first is None else min(TREND_MAX_DAYS, (as_of - first).days + 1)
    frame = db.run(load_sql("after_go_live_same_day_entry_rate"),
                   {"as_of": as_of, "days": max(1, int(days)), "branch_code": branch_code})
    frame["day"] = pd.to_datetime(frame["day"])
    return frame.sort_values("day").reset_index(drop=True)


# --- acceptance and payment ---------------------------------------------------------------------------

def acceptance_days(db: Database, as_of: date, days: int, settings: Mapping[str, float] | None = None,
                    branch_code: str | None = None) -> pd.DataFrame:
    """Per live branch and day, for D and the `days` − 1 days before it, each judged as of that day:
    days_live, accepted, same_day_entry_rate, blocking_problems, ready_for_acceptance."""
    frame = db.run(load_sql("after_go_live_acceptance_days"),
                   _params(as_of, _settings(db, settings), days, branch_code))
    for column in ("accepted", "ready_for_acceptance"):
        frame[column] = frame[column].astype(bool)
    return frame


def ready_for_acceptance(db: Database, as_of: date, settings: Mapping[str, float] | None = None,
                         branch_code: str | None = None) -> pd.DataFrame:
    """Per branch live on D: days_live, accepted, same_day_entry_rate, blocking_problems (critical
    and high past their limit) and ready_for_acceptance."""
    frame = acceptance_days(db, as_of, 1, settings, branch_code)
    return frame.drop(columns="day").reset_index(drop=True)


def acceptance_overdue(db: Database, as_of: date, settings: Mapping[str, float] | None = None,
                       branch_code: str | None = None) -> pd.DataFrame:
    """Per branch live on D: its figures on D (as ready_for_acceptance), ready_days (the days of the
    last `acceptance_overdue_days` it was ready, each judged as of that day) and acceptance_overdue
    (ready on every one of them)."""
    settings = _settings(db, settings)
    window = int(settings["acceptance_overdue_days"])
    frame = acceptance_days(db, as_of, window, settings, branch_code)
    ready_days = frame.groupby("branch_code")["ready_for_acceptance"].sum().rename("ready_days")
    today = frame[frame["day"] == pd.Timestamp(as_of)].drop(columns="day").set_index("branch_code")
    today = today.join(ready_days)
    today["ready_days"] = today["ready_days"].astype(int)
    today["acceptance_overdue"] = today["ready_days"] >= window
    return today.reset_index()


def payment_overdue(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch: live, accepted_on, payment_due, payment_received_on, accepted, paid,
    payment_overdue and payment_days_overdue (days past payment_due while unpaid)."""
    frame = db.run(load_sql("after_go_live_payment_overdue"), {"as_of": as_of})
    for column in ("live", "accepted", "paid", "payment_overdue"):
        frame[column] = frame[column].astype(bool)
    return frame


# --- the summary and the live-branch view ------------------------------------------------------------

def summary_fields(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """branch_code + problems_past_limit, same_day_entry_rate, ready_for_acceptance,
    acceptance_overdue, payment_overdue (the three acceptance fields false for branches not live)."""
    settings = _settings(db, settings)
    frame = problems_past_limit(db, as_of, settings)[["branch_code", "problems_past_limit"]]
    frame = frame.merge(same_day_entry_rate(db, as_of)[["branch_code", "same_day_entry_rate"]], on="branch_code",
                        how="left")
    acceptance = acceptance_overdue(db, as_of, settings)[["branch_code", "ready_for_acceptance",
                                                          "acceptance_overdue"]]
    payment = payment_overdue(db, as_of)
    payment["payment_overdue"] &= payment["live"]
    frame = frame.merge(acceptance, on="branch_code", how="left").merge(
        payment[["branch_code", "payment_overdue"]], on="branch_code", how="left")
    for column in ("ready_for_acceptance", "acceptance_overdue", "payment_overdue"):
        frame[column] = frame[column].astype("boolean").fillna(False).astype(bool)
    return frame


def _action(row: Mapping[str, Any], target: float) -> tuple[int, str]:
    """What a live branch needs first, as (rank in ACTIONS, the words shown)."""
    rate = row["same_day_entry_rate"]
    if row["acceptance_overdue"]:
        return 0, _("accept now: ready for acceptance {days} days in a row").format(days=int(row["ready_days"]))
    if row["payment_overdue"]:
        return 1, _("chase the payment: due {day}, {days} days ago").format(
            day=as_date(row["payment_due"]), days=int(row["payment_days_overdue"]))
    if row["blocking_past_limit"]:
        return 2, _("fix {count} critical/high problem(s) past their time limit").format(
            count=int(row["blocking_past_limit"]))
    if row["ready_for_acceptance"]:
        return 3, _("ready: schedule the acceptance")
    if row["problems_past_limit"]:
        return 4, _("fix {count} problem(s) past their time limit").format(count=int(row["problems_past_limit"]))
    if row["accepted"]:
        return 7, _("accepted on {day}").format(day=as_date(row["accepted_on"]))
    if pd.isna(rate):
        return 5, _("log the daily entries: no same-day entry figure in the last 30 days")
    if rate < target:
        return 5, _("raise same-day entry: {rate}% (target {target}%)").format(rate=f"{rate:.1f}", target=f"{target:g}")
    return 6, _("stabilising: live {days} days (acceptance after 30)").format(days=int(row["days_live"]))


def live_branches(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The branches live on D with their stabilisation figures, what each needs (`action`) and
    sorted by it, most urgent first (ACTIONS), then by problems past limit, lowest same-day entry
    and longest live: branch_code, branch_name, region_code, actual_go_live, days_live,
    same_day_entry_rate, open_problems, problems_past_limit, blocking_past_limit,
    ready_for_acceptance, ready_days, acceptance_overdue, accepted, accepted_on, payment_due,
    payment_received_on, paid, payment_overdue, payment_days_overdue, action, action_rank."""
    settings = _settings(db, settings)
    branches = branches_live(db, as_of)
    names = branches[branches["is_live"]][["branch_code", "branch_name", "region_code", "actual_go_live"]]
    acceptance = acceptance_overdue(db, as_of, settings).drop(columns=["accepted"])
    problems = problems_against_limits(db, as_of, settings)
    opened = problems.groupby("branch_code").size().rename("open_problems")
    frame = (names.merge(acceptance, on="branch_code", how="left")
             .merge(problems_past_limit(db, as_of, settings), on="branch_code", how="left")
             .merge(opened, left_on="branch_code", right_index=True, how="left")
             .merge(payment_overdue(db, as_of).drop(columns=["live"]), on="branch_code", how="left"))
    frame["open_problems"] = frame["open_problems"].fillna(0).astype(int)
    ranked = [_action(row, float(settings["same_day_entry_target"])) for row in frame.to_dict("records")]
    frame["action_rank"] = [rank for rank, _text in ranked]
    frame["action"] = [text for _rank, text in ranked]
    frame["rate_order"] = frame["same_day_entry_rate"].fillna(-1.0)
    frame = frame.sort_values(["action_rank", "problems_past_limit", "rate_order", "days_live", "branch_code"],
                              ascending=[True, False, True, False, True])
    first = ["branch_code", "branch_name", "region_code", "action", "actual_go_live", "days_live",
             "same_day_entry_rate", "open_problems", "problems_past_limit", "blocking_past_limit",
             "ready_for_acceptance", "ready_days", "acceptance_overdue", "accepted", "accepted_on", "payment_due",
             "payment_received_on", "paid", "payment_overdue", "payment_days_overdue", "action_rank"]
    return frame[first].reset_index(drop=True)


def live_counts(live: pd.DataFrame) -> dict[str, int]:
    """The live-branch tiles from a (filtered) live_branches frame."""
    return {"live": len(live),
            "same_day_entry_low": int((live["action_rank"] == ACTIONS.index("same-day entry low")).sum()),
            "problems_past_limit": int((live["problems_past_limit"] > 0).sum()),
            "ready_for_acceptance": int(live["ready_for_acceptance"].sum()),
            "acceptance_overdue": int(live["acceptance_overdue"].sum()),
            "payment_overdue": int(live["payment_overdue"].sum())}


# --- writes ----------------------------------------------------------------------------------------------

def record_daily_entries(db: Database, branch_code: str, day: date, documents: int, entered_same_day: int,
                         original: Mapping[str, Any] | None = None, *, caller: Caller,
                         today: date | None = None) -> dict[str, Any]:
    """Log (or correct) one day's document counts of a branch: the importer's rules (entered the
    same day at most the documents), not a day after today, audited."""
    today = today or date.today()
    label = _("entries of {branch} on {day}").format(branch=branch_code, day=day)
    row = {"branch_code": branch_code, "date": day, "documents": documents, "entered_same_day": entered_same_day}
    edits.refuse_future(label, row, ["date"], today)
    return edits.upsert_row(db, "daily_entries", row, original=original, caller=caller, today=today, label=label)


def record_acceptance(db: Database, branch_code: str, accepted_on: date | None, payment_due: date | None,
                      payment_received_on: date | None, original: Mapping[str, Any] | None = None,
                      *, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """Record (or correct) a branch's acceptance and payment: the importer's rules (not before the
    branch's go-live), accepted_on and payment_received_on not after today, audited. `original`:
    the row as shown."""
    today = today or date.today()
    label = _("acceptance of {branch}").format(branch=branch_code)
    row = {"branch_code": branch_code, "accepted_on": accepted_on, "payment_due": payment_due,
           "payment_received_on": payment_received_on}
    edits.refuse_future(label, row, ["accepted_on", "payment_received_on"], today)
    return edits.upsert_row(db, "acceptance", row, original=original, caller=caller, today=today, label=label)


def acceptance_record(db: Database, branch_code: str) -> dict[str, Any]:
    """The branch's acceptance row as stored (dates or None; all None when there is none)."""
    found = db.rows("SELECT accepted_on, payment_due, payment_received_on FROM acceptance WHERE branch_code = ?",
                    [branch_code])
    values = found[0] if found else (None, None, None)
    return dict(zip(["accepted_on", "payment_due", "payment_received_on"], values, strict=True))
