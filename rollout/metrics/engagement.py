"""Regional-executive engagement (METRICS.md "Executive engagement") and this week's call list.

Every figure is computed in DuckDB from rollout/metrics/sql/engagement_*.sql, as of a date D: touchpoints
dated after D do not exist yet. The weekly replay runs the same queries on a list of dates, so the
chart and the table can never disagree. Channel weights, half-life and status thresholds are
settings (rollout.store.settings). `log_touchpoint` is the one way the app records a touchpoint.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import CellError, ValidationError
from rollout.core.i18n import _, ngettext
from rollout.core.values import iso_text, round1
from rollout.exchange.edits import insert_rows
from rollout.exchange.spec import in_the_future
from rollout.metrics.queries import load_sql
from rollout.store.db import Database
from rollout.store.settings import get_settings

STATUSES = ("engaged", "cooling", "silent")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Call-list rule (docs/methodology/engagement.md): a silent or never-contacted head whose branch
# goes live within this many days gets a visit rather than a phone call.
VISIT_WITHIN_DAYS = 60
CALL_LIST_COLUMNS = ["rank", "exec_code", "name", "region_code", "branch_code", "status", "score",
                     "days_since_last_touchpoint", "overdue_follow_ups", "next_go_live", "days_to_go_live",
                     "suggested_channel", "reason"]
TABLE_COLUMNS = ["exec_code", "name", "title", "region_code", "branch_code", "status", "engagement_score",
                 "days_since_last_touchpoint", "last_touchpoint", "next_go_live", "go_live_branch",
                 "days_to_go_live", "open_commitments", "overdue_follow_ups", "oldest_overdue_due"]


def _values(as_of: date | list[date], settings: dict[str, float] | None, db: Database) -> dict[str, Any]:
    dates = list(as_of) if isinstance(as_of, (list, tuple)) else [as_of]
    return {**(settings if settings is not None else get_settings(db)), "dates": dates,
            "as_of": dates[0] if len(dates) == 1 else None}


# --- the METRICS.md figures: one function per entry, each over one date or a list of dates ----------

def engagement_score(db: Database, as_of: date | list[date],
                     settings: dict[str, float] | None = None) -> pd.DataFrame:
    """exec_code, as_of, engagement_score: sum of weight × 0.5^(age/half-life) over touchpoints <= D."""
    return db.run(load_sql("engagement_score"), _values(as_of, settings, db))


def days_since_last_touchpoint(db: Database, as_of: date | list[date]) -> pd.DataFrame:
    """exec_code, as_of, last_touchpoint, days_since_last_touchpoint (null: never contacted)."""
    return db.run(load_sql("engagement_days_since_last_touchpoint"), _values(as_of, {}, db))


def status(db: Database, as_of: date | list[date], settings: dict[str, float] | None = None) -> pd.DataFrame:
    """exec_code, as_of, engagement_score, last_touchpoint, days_since_last_touchpoint, status."""
    return db.run(load_sql("engagement_status"), _values(as_of, settings, db))


def overdue_follow_ups(db: Database, as_of: date | list[date]) -> pd.DataFrame:
    """exec_code, as_of, overdue_follow_ups, oldest_overdue_due."""
    return db.run(load_sql("engagement_overdue_follow_ups"), _values(as_of, {}, db))


def summary_fields(db: Database, as_of: date, settings: dict[str, float]) -> pd.DataFrame:
    """exec_code + engagement_score, days_since_last_touchpoint, status, overdue_follow_ups (unrounded)."""
    figures = status(db, as_of, settings).merge(overdue_follow_ups(db, as_of), on=["exec_code", "as_of"])
    return figures[["exec_code", "engagement_score", "days_since_last_touchpoint", "status", "overdue_follow_ups"]]


# --- what the Executives page shows --------------------------------------------------------------------

def headline(heads: pd.DataFrame) -> dict[str, int]:
    """Heads per status (engaged, cooling, silent; 0 when none) and their overdue follow-ups in
    total, over these rows of executive_table."""
    counts = {status: int((heads["status"] == status).sum()) for status in STATUSES}
    return {**counts, "overdue_follow_ups": int(heads["overdue_follow_ups"].sum())}


def executive_table(db: Database, as_of: date, commitments: bool = True) -> pd.DataFrame:
    """One row per executive: who, where, status, score, days since contact, next go-live, open
    commitments (unless `commitments` is False: the call list does not read them) and overdue follow-ups as of D."""
    settings = get_settings(db)
    people = db.df("SELECT exec_code, name, title, region_code, branch_code FROM executives")
    values = _values(as_of, settings, db)
    frame = (people
             .merge(status(db, as_of, settings).drop(columns="as_of"), on="exec_code")
             .merge(overdue_follow_ups(db, as_of).drop(columns="as_of"), on="exec_code")
             .merge(db.run(load_sql("engagement_next_go_live"), values), on="exec_code", how="left"))
    if commitments:
        frame = frame.merge(db.run(load_sql("engagement_open_commitments"), values), on="exec_code", how="left")
    frame["branch_code"] = frame["branch_code"].where(frame["branch_code"].fillna("") != "", None)
    columns = TABLE_COLUMNS if commitments else [c for c in TABLE_COLUMNS if c != "open_commitments"]
    return frame[columns].sort_values("exec_code").reset_index(drop=True)


def score_history(db: Database, as_of: date, weeks: int = 26) -> pd.DataFrame:
    """The weekly replay: exec_code, name, as_of, engagement_score, status for D, D−7, … (weeks dates)."""
    dates = [as_of - timedelta(days=7 * k) for k in range(weeks)]
    names = db.df("SELECT exec_code, name, region_code FROM executives")
    history = status(db, dates).merge(names, on="exec_code")
    return history[["exec_code", "name", "region_code", "as_of", "engagement_score", "status"]].sort_values(
        ["exec_code", "as_of"]).reset_index(drop=True)


def touchpoints(db: Database, as_of: date) -> pd.DataFrame:
    """Every touchpoint on or before D, newest first, with is_open / is_overdue / followed_up_on."""
    return db.run(load_sql("engagement_touchpoints"), {"as_of": as_of})


def commitments(db: Database, as_of: date) -> pd.DataFrame:
    """Touchpoints on or before D carrying a commitment or a follow-up due date, with their state:
    overdue (due < D, not followed up), open (not followed up yet), or followed up (a later touchpoint)."""
    found = touchpoints(db, as_of)
    found = found[(found["commitment"].fillna("") != "") | found["follow_up_due"].notna()].copy()
    found["state"] = "followed up"
    found.loc[found["is_open"].astype(bool), "state"] = "open"
    found.loc[found["is_overdue"].astype(bool), "state"] = "overdue"
    order = {"overdue": 0, "open": 1, "followed up": 2}
    found = found.assign(_order=found["state"].map(order)).sort_values(["_order", "follow_up_due", "exec_code"])
    return found[["exec_code", "name", "region_code", "date", "channel", "topic", "commitment", "follow_up_due",
                  "state", "followed_up_on"]].reset_index(drop=True)


# --- this week's call list ----------------------------------------------------------------------------

def _days_text(days: Any) -> str:
    return _("never contacted") if pd.isna(days) else _("last contact {days} days ago").format(days=int(days))


def _go_live_text(row: dict[str, Any]) -> str:
    if pd.isna(row["next_go_live"]):
        if isinstance(row.get("branch_code"), str) and row["branch_code"]:
            return _("{branch} is already live").format(branch=row["branch_code"])
        return _("no upcoming go-live in the region")
    days = int(row["days_to_go_live"])
    where = row["go_live_branch"] or _("their branch")
    when = iso_text(row["next_go_live"])
    if days < 0:
        return _("{branch} planned go-live {day} passed {days} days ago without going live").format(
            branch=where, day=when, days=-days)
    return _("{branch} goes live in {days} days ({day})").format(branch=where, days=days, day=when)


def _with_overdue(reason: str, overdue: int) -> str:
    """The reason, followed by the count of overdue follow-ups when there are any."""
    if not overdue:
        return reason
    return ngettext("{reason}; {count} overdue follow-up", "{reason}; {count} overdue follow-ups", overdue).format(
        reason=reason, count=overdue)


def _soon(row: dict[str, Any]) -> bool:
    return not pd.isna(row["days_to_go_live"]) and row["days_to_go_live"] <= VISIT_WITHIN_DAYS


def tiers(table: pd.DataFrame) -> pd.Series:
    """Each executive's call tier (the rule of docs/methodology/engagement.md): 1 silent or cooling heads who
    were contacted before, 2 engaged heads with overdue follow-ups, 3 never contacted, 0 no call needed."""
    never = table["days_since_last_touchpoint"].isna()
    tier = np.select([never, table["status"].isin(["silent", "cooling"]),
                      table["overdue_follow_ups"].fillna(0).astype(int) > 0], [3, 1, 2], 0)
    return pd.Series(tier, index=table.index, dtype=int)


def suggest(row: dict[str, Any], tier: int) -> tuple[str, str]:
    """(suggested channel, reason) for one executive of this call tier (tiers)."""
    score = _("score {score}").format(score=f"{row['engagement_score']:.1f}")
    overdue = int(row["overdue_follow_ups"])
    if tier == 3:
        channel = "visit" if _soon(row) else "phone"
        return channel, _("never contacted; {go_live}").format(go_live=_go_live_text(row))
    last = _days_text(row["days_since_last_touchpoint"])
    if tier == 1 and row["status"] == "silent":
        channel = "visit" if _soon(row) else "phone"
        return channel, _with_overdue(_("silent ({score}, {last_contact}); {go_live}").format(
            score=score, last_contact=last, go_live=_go_live_text(row)), overdue)
    if tier == 1:
        return "phone", _with_overdue(_("cooling ({score}, {last_contact}); {go_live}").format(
            score=score, last_contact=last, go_live=_go_live_text(row)), overdue)
    due = iso_text(row["oldest_overdue_due"])
    return "email", ngettext(
        "engaged ({score}) but {count} follow-up overdue (due {day}, no touchpoint since); {go_live}",
        "engaged ({score}) but {count} follow-ups overdue (due {day}, no touchpoint since); {go_live}",
        overdue).format(score=score, count=overdue, day=due, go_live=_go_live_text(row))


def call_order(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of executive_table that need a call, most urgent first, with their tier and rank (no words yet:
    call_words writes them for the rows shown)."""
    calls = table.assign(tier=tiers(table))
    calls = calls[calls["tier"] > 0]
    last = 10**9  # sorts a missing date after every real one

    def ordinal(values: pd.Series) -> np.ndarray:
        """Each date's day number (date.toordinal), a missing one `last`: one array operation for 10,000 heads."""
        days = (pd.to_datetime(values) - pd.Timestamp("1970-01-01")).dt.days + EPOCH_ORDINAL
        return days.fillna(last).astype("int64").to_numpy()

    calls = calls.assign(_go_live=ordinal(calls["next_go_live"]),
                         _silent_first=(calls["status"] != "silent").astype(int),
                         _oldest_due=ordinal(calls["oldest_overdue_due"]),
                         _overdue=-calls["overdue_follow_ups"].astype(int))
    calls = calls.sort_values(["tier", "_go_live", "_silent_first", "engagement_score", "_overdue", "_oldest_due",
                               "exec_code"]).reset_index(drop=True)
    # Tier 2 is ordered by need of the follow-ups, not by go-live: re-sort inside it.
    tier2 = calls[calls["tier"] == 2].sort_values(["_overdue", "_oldest_due", "_go_live", "exec_code"])
    calls = pd.concat([calls[calls["tier"] == 1], tier2, calls[calls["tier"] == 3]]).reset_index(drop=True)
    calls["rank"] = range(1, len(calls) + 1)
    return calls.drop(columns=["_go_live", "_silent_first", "_oldest_due", "_overdue"])


def call_words(calls: pd.DataFrame) -> pd.DataFrame:
    """Rows of call_order as the call list shows them (CALL_LIST_COLUMNS): a channel and the reason in words,
    the score rounded to 1 decimal (half away from zero), next_go_live as YYYY-MM-DD text."""
    if calls.empty:
        return pd.DataFrame(columns=CALL_LIST_COLUMNS)
    calls = calls.copy()
    said = [suggest(row, int(row["tier"])) for row in calls.to_dict("records")]
    calls["suggested_channel"] = [channel for channel, _reason in said]
    calls["reason"] = [reason for _channel, reason in said]
    calls["score"] = calls["engagement_score"].map(round1)
    for column in ("days_since_last_touchpoint", "days_to_go_live", "overdue_follow_ups"):
        calls[column] = pd.array([None if pd.isna(v) else int(v) for v in calls[column]], dtype="Int64")
    calls["next_go_live"] = [iso_text(v) for v in calls["next_go_live"]]
    calls["branch_code"] = [None if pd.isna(v) or v == "" else v for v in calls["branch_code"]]
    return calls[CALL_LIST_COLUMNS].reset_index(drop=True)


def call_list(db: Database, as_of: date, limit: int | None = None) -> pd.DataFrame:
    """This week's executives to contact, most urgent first, each with a channel and the reason
    (CALL_LIST_COLUMNS); `limit`: only the first rows (a digest's, a slide's), worded alone."""
    calls = call_order(executive_table(db, as_of, commitments=False))
    return call_words(calls if limit is None else calls.head(max(0, limit)))


# --- recording a touchpoint ---------------------------------------------------------------------------

def log_touchpoint(db: Database, row: dict[str, Any], *, caller: Caller, today: date | None = None) -> dict:
    """Record one touchpoint: the form's own rule (its date is not in the future), then the importer's
    rules through rollout.exchange.edits.insert_rows (one transaction, audited). Returns the row as saved."""
    today = today or date.today()
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    clean = {k: (None if v == "" and k != "topic" else v) for k, v in clean.items()}
    clean["topic"] = clean.get("topic") or ""
    when = clean.get("date")
    if isinstance(when, date) and when > today:
        raise ValidationError([CellError(_("touchpoint"), None, "date", when.isoformat(), in_the_future(today))])
    insert_rows(db, "touchpoints", [clean], caller=caller, today=today, label=_("touchpoint"))
    return clean
