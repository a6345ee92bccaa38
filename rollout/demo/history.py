"""The demo's past: weekly review snapshots, a few go / no-go decisions and a saved launch plan.

A demo that starts today has nothing to compare with, so "what changed", the trend and the go/no-go
log would be empty on first run. This writes the history a portfolio in its twelfth week of weekly
reviews would have, through the same library calls a user's clicks make (snapshots replay METRICS.md
on each past date; decisions and the scenario pass their own checks). Deterministic: the choices
depend only on the portfolio, never on a random draw or the clock.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.i18n import _
from rollout.core.progress import Progress, part, silent
from rollout.metrics import readiness
from rollout.planning import planner, scenarios
from rollout.steering import decisions, snapshots
from rollout.store.db import Database

DEMO = Caller("demo", "admin", None)  # who the demo history is written by, in the audit trail
COMMITTEE = "Steering committee (demo)"
PLAN_NAME = "Demo plan (optimised at build)"


def planner_overrides(branches: int, time_limit_s: float = 10.0) -> dict[str, Any]:
    """Launch-planner settings in proportion to the portfolio (the defaults fit about 70 branches), each
    within its Settings limit up to the largest demo (tests/demo check them against rollout.store.settings)."""
    return {"max_go_lives_per_month": max(3, math.ceil(branches / 12)),
            "capacity_days_per_month": max(400, 12 * branches), "solve_time_limit_s": time_limit_s}


def take_weekly_snapshots(db: Database, today: date, weeks: int = 12, progress: Progress = silent) -> list[int]:
    """One snapshot per weekly review: today and each of the `weeks` weeks before, oldest first."""
    taken = []
    for done, k in enumerate(range(weeks, -1, -1)):
        progress(done / (weeks + 1), _("replaying weekly review {done} of {count}").format(done=done + 1,
                                                                                          count=weeks + 1))
        taken.append(snapshots.take_snapshot(db, today - timedelta(weeks=k), f"Weekly review (demo), week -{k}"
                                             if k else "Weekly review (demo), this week", caller=DEMO))
    return taken


def _soonest(status: pd.DataFrame, today: date, wanted: str) -> str | None:
    """The branch of one status with the soonest planned go-live in the next 90 days, if any."""
    dated = status.assign(planned=pd.to_datetime(status["planned_go_live"]))
    found = dated[(dated["status"] == wanted) & (dated["planned"] >= pd.Timestamp(today))
                  & (dated["planned"] <= pd.Timestamp(today + timedelta(days=90)))]
    found = found.sort_values(["planned", "branch_code"])
    return None if found.empty else str(found["branch_code"].iloc[0])


def record_decisions(db: Database, today: date) -> list[int]:
    """The committee's calls of the last two reviews on the next go-lives: a go for the soonest green
    branch, a go with conditions for the soonest amber one, a no-go for the soonest red one."""
    last_week, before = today - timedelta(days=7), today - timedelta(days=14)
    status = {day: readiness.branch_status(db, day) for day in (last_week, before)}
    calls = [("green", "go", before, None, None),
             ("amber", "go_with_conditions", last_week, "Close the failing gates and re-check readiness",
              today + timedelta(days=7)),
             ("red", "no_go", last_week, None, today + timedelta(days=14))]
    ids = []
    for wanted, decision, decided_on, conditions, follow_up in calls:
        branch = _soonest(status[decided_on], decided_on, wanted)
        if branch is not None:
            ids.append(decisions.record_decision(db, branch, decision, decided_on, COMMITTEE, conditions=conditions,
                                                 follow_up_on=follow_up, caller=DEMO))
    return ids


def save_plan(db: Database, today: date, branches: int) -> str | None:
    """Optimise the launch plan once and save it as a scenario (skipped when no plan is possible)."""
    overrides = planner_overrides(branches)
    plan = planner.plan_json(db, today, overrides=overrides)
    if plan["status"] == "infeasible":
        return None
    scenarios.save_scenario(db, PLAN_NAME, planner.params_from(db, overrides).as_dict(), plan, overwrite=True,
                            caller=DEMO)
    return PLAN_NAME


def build_history(db: Database, today: date, branches: int, weeks: int = 12,
                  progress: Progress = silent) -> dict[str, int]:
    """Everything above; returns how many snapshots, decisions and scenarios were written."""
    taken = take_weekly_snapshots(db, today, weeks, part(progress, 0.0, 0.7))
    progress(0.7, _("recording go / no-go decisions"))
    decided = record_decisions(db, today)
    progress(0.75, _("optimising the launch plan"))
    saved = save_plan(db, today, branches)
    progress(1.0, _("optimising the launch plan"))
    return {"snapshots": len(taken), "decisions": len(decided), "plan_scenarios": int(saved is not None)}
