"""The kick-off meeting (METRICS.md "Kick-off meeting"): its findings, its record, and planning one.

The seeds' rules for a kick-off: not on a weekend, not in the afternoon, not in the branch's peak
season, half a day at most, steering committee and rewards/penalties announced, minutes signed by
both sides and archived. `kickoff_findings` judges every branch's recorded kick-off as of a date
(rollout/metrics/sql/kickoff_findings.sql); `plan_findings` judges a kick-off being planned by the
same timing rules before it is held. Writes (a kick-off record, a planned date) go through
rollout.exchange.edits: the importer's rules, one transaction, audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import NotFoundError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.core.values import is_missing
from rollout.exchange import edits
from rollout.exchange.spec import SHEETS, parse_time, peak_month_set
from rollout.metrics.queries import load_sql
from rollout.metrics.readiness import branch_not_found
from rollout.store.db import Database
from rollout.store.settings import get_settings

# (column of kickoff_findings.sql, the reason word of METRICS.md), in METRICS.md's order. The words are
# data (summary JSON, tests) and stay English there; a person reads them through finding_text().
FINDINGS: list[tuple[str, str]] = [
    ("not_held", N_("not held")),
    ("weekend", N_("weekend")),
    ("afternoon", N_("afternoon")),
    ("peak_month", N_("peak month")),
    ("longer_than_half_a_day", N_("longer than half a day")),
    ("steering_committee_not_named", N_("steering committee not named")),
    ("rewards_not_announced", N_("rewards and penalties not announced")),
    ("minutes_not_signed", N_("minutes not signed")),
]


def finding_text(word: str) -> str:
    """A kick-off finding word (FINDINGS, plan_findings) in the current language, for display."""
    return _(word)
NOON = "12:00"
KICKOFF_COLUMNS = SHEETS["kickoffs"].column_names
# What a kick-off needs, from the seeds (DOMAIN.md "Kick-off meeting"), for the planning checklist.
PREPARATION = [
    "Notice sent in advance: agenda, time, place, participants",
    "Materials ready: project charter, implementation schedule, project rules, speeches",
    "Steering committee and project team named at the meeting",
    "Reward and penalty rules announced at the meeting",
    "Minutes signed by both parties and archived",
    "On a working day, in the morning, outside the peak season, half a day at most",
]


def _params(as_of: date, settings: Mapping[str, float]) -> dict[str, Any]:
    return {"as_of": as_of, "max_minutes": int(settings["kickoff_max_minutes"]),
            "minutes_days": int(settings["minutes_signed_within_days"])}


def kickoff_findings(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Per branch: held (a kick-off on or before D), one true/false column per finding and
    `findings`, the list of reason words in METRICS.md's order (empty when none)."""
    settings = settings if settings is not None else get_settings(db)
    frame = db.run(load_sql("kickoff_findings"), _params(as_of, settings))
    columns = [c for c, _word in FINDINGS]
    frame[columns] = frame[columns].astype(bool)
    flags = frame[columns].to_numpy()
    frame["findings"] = [[word for (_column, word), on in zip(FINDINGS, row, strict=True) if on] for row in flags]
    return frame


def summary_fields(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """branch_code + kickoff_findings (a list of reason words)."""
    frame = kickoff_findings(db, as_of, settings)
    return frame[["branch_code", "findings"]].rename(columns={"findings": "kickoff_findings"})


def kickoff_record(db: Database, branch_code: str) -> dict[str, Any] | None:
    """The branch's kick-off row as stored (empty cells as None), or None when none is recorded."""
    frame = db.df("SELECT * FROM kickoffs WHERE branch_code = ?", [branch_code])
    if frame.empty:
        return None
    return {k: (None if is_missing(v) else v) for k, v in frame.iloc[0].to_dict().items()}


def kickoff_plan(db: Database, branch_code: str) -> dict[str, Any]:
    """What planning a branch's kick-off starts from: its planned_kickoff (a date or None) and peak_months."""
    found = db.rows("SELECT planned_kickoff, peak_months FROM branches WHERE branch_code = ?", [branch_code])
    if not found:
        raise NotFoundError(branch_not_found(branch_code))
    return {"planned_kickoff": found[0][0], "peak_months": found[0][1]}


def time_text(value: time | str | None) -> str | None:
    """A time of day as the stored 'HH:MM' text (None stays None)."""
    return None if value is None or value == "" else parse_time(value)


def plan_findings(day: date, start: time | str | None, duration_min: int | None, peak_months: str | None,
                  settings: Mapping[str, float]) -> list[str]:
    """The timing findings a kick-off planned for `day` at `start` for `duration_min` minutes would
    get once held (the rules of kickoff_findings.sql that need no record): weekend, afternoon,
    peak month, longer than half a day, in METRICS.md's order."""
    found = []
    if day.weekday() >= 5:
        found.append("weekend")
    start_text = time_text(start)
    if start_text is not None and start_text >= NOON:
        found.append("afternoon")
    if day.month in peak_month_set(peak_months):
        found.append("peak month")
    if duration_min is not None and duration_min > settings["kickoff_max_minutes"]:
        found.append("longer than half a day")
    return found


def kickoff_items(db: Database, branch_code: str, as_of: date) -> pd.DataFrame:
    """The branch's checklist items of the kick-off dimension with whether each is done as of D."""
    return db.df("SELECT item_code, title, owner, due_date, status, completed_on, "
                 "status = 'done' AND coalesce(completed_on <= ?, false) AS done "
                 "FROM checklist WHERE branch_code = ? AND dimension = 'kickoff' ORDER BY due_date, item_code",
                 [as_of, branch_code])


def record_kickoff(db: Database, kickoff: Mapping[str, Any], original: Mapping[str, Any] | None = None,
                   *, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """Record (or correct) a branch's kick-off: checked by the importer's rules, audited. A meeting
    cannot have been held, nor its minutes signed, after today. `original`: the record as shown."""
    today = today or date.today()
    label = _("kick-off of {branch}").format(branch=kickoff.get("branch_code"))
    row = {c: kickoff.get(c) for c in KICKOFF_COLUMNS}
    row = {c: (None if isinstance(v, str) and not v.strip() else v) for c, v in row.items()}
    edits.refuse_future(label, row, ["held_on", "minutes_signed_on"], today)
    return edits.upsert_row(db, "kickoffs", row, original=original, caller=caller, today=today, label=label)


def set_planned_kickoff(db: Database, branch_code: str, day: date, original: date | None = None,
                        *, caller: Caller, today: date | None = None) -> dict[str, Any]:
    """Set the branch's planned kick-off date (branches.planned_kickoff), audited. `original`: the
    planned date as shown, so someone else's change is not overwritten."""
    return edits.update_row(db, "branches", {"branch_code": branch_code}, {"planned_kickoff": day},
                            original={"planned_kickoff": original}, caller=caller, today=today,
                            label=_("planned kick-off of {branch}").format(branch=branch_code))
