"""Consultant man-days (METRICS.md "Consultant man-days"): used, by phase, burn rate, forecast at go-live.

"Man-days used and remaining" is reported at every phase. A branch that logs its consultant days
(the consultant_days sheet) is measured from those rows, as of any date; a branch that does not
falls back to the branches sheet's consultant_days_used (no dates, so the same on every date).
Each figure is one query in rollout/metrics/sql/man_days_*.sql.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.exchange.spec import CONSULTANT_PHASES
from rollout.metrics.queries import load_sql
from rollout.store.db import Database

NO_PHASE = "no phase"  # man-days of a branch that does not log them (branches.consultant_days_used)


def man_days_used(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch: region_code, man_days_used (null when the branch logs nothing and the branches
    sheet has no figure), logged (from consultant_days rows, else the branches sheet)."""
    frame = db.run(load_sql("man_days_used"), {"as_of": as_of})
    frame["logged"] = frame["logged"].astype(bool)
    return frame.sort_values("branch_code").reset_index(drop=True)


def man_days_by_phase(db: Database, as_of: date, branch_code: str | None = None) -> pd.DataFrame:
    """Per (branch, phase) with logged days on or before D: region_code, man_days_used."""
    frame = db.run(load_sql("man_days_by_phase"), {"as_of": as_of})
    if branch_code is not None:
        frame = frame[frame["branch_code"] == branch_code]
    rank = frame["phase"].map({p: i for i, p in enumerate(CONSULTANT_PHASES)})
    return frame.assign(rank=rank).sort_values(["branch_code", "rank"]).drop(columns="rank").reset_index(drop=True)


def burn_rate(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch that logs consultant days: burn_rate, man-days per week over the last 28 days."""
    return db.run(load_sql("man_days_burn_rate"), {"as_of": as_of}).sort_values("branch_code") \
        .reset_index(drop=True)


def man_days_forecast(db: Database, as_of: date) -> pd.DataFrame:
    """Per branch: region_code, budget, planned_go_live, live, man_days_used, logged, burn_rate,
    forecast_at_go_live, remaining (budget − used) and overrun (null where METRICS.md says so)."""
    frame = db.run(load_sql("man_days_forecast"), {"as_of": as_of})
    for column in ("live", "logged"):
        frame[column] = frame[column].astype(bool)
    frame["planned_go_live"] = pd.to_datetime(frame["planned_go_live"])
    return frame.reset_index(drop=True)


def summary_fields(db: Database, as_of: date, settings: object = None) -> pd.DataFrame:
    """branch_code + man_days_used, man_days_overrun (unrounded; summary.py rounds)."""
    frame = man_days_forecast(db, as_of)
    return frame[["branch_code", "man_days_used", "overrun"]].rename(columns={"overrun": "man_days_overrun"})


def man_days_over_time(db: Database, as_of: date, branch_code: str) -> pd.DataFrame:
    """A branch's logged man-days per work date up to D with the running total (for its chart)."""
    frame = db.df("SELECT work_date, sum(days) AS days FROM consultant_days WHERE branch_code = ? AND work_date <= ? "
                  "GROUP BY work_date ORDER BY work_date", [branch_code, as_of])
    frame["work_date"] = pd.to_datetime(frame["work_date"])
    frame["used"] = frame["days"].cumsum()
    return frame


def _region_sums(figures: pd.DataFrame) -> pd.DataFrame:
    """Per region of man_days_forecast's rows: used, budget, remaining (branches with both figures) and forecast
    overrun, unrounded."""
    both = figures.dropna(subset=["budget", "man_days_used"])
    return pd.DataFrame({
        "used": figures.groupby("region_code")["man_days_used"].sum(min_count=1),
        "budget": figures.groupby("region_code")["budget"].sum(min_count=1),
        "remaining": both.groupby("region_code")["remaining"].sum(min_count=1),
        "forecast_overrun": figures.groupby("region_code")["overrun"].sum(min_count=1)})


def _with_total(frame: pd.DataFrame) -> pd.DataFrame:
    """Regions in code order, a TOTAL row last, to 1 decimal, region_code a column."""
    frame = frame.sort_index()
    total = frame.sum(min_count=1).to_frame("TOTAL").T
    frame = pd.concat([frame, total]).round(1)
    frame.index.name = "region_code"
    return frame.reset_index()


def by_region(figures: pd.DataFrame) -> pd.DataFrame:
    """by_region_and_phase's budget, used, remaining and forecast overrun without the phases, from
    man_days_forecast's rows (the steering pack's slide, which shows no phase)."""
    return _with_total(_region_sums(figures))


def by_region_and_phase(db: Database, as_of: date, branches: list[str] | None = None) -> pd.DataFrame:
    """Man-days used per region and phase (a column per phase, NO_PHASE for branches that do not log
    them), with each region's budget, used and remaining (budget − used, counting branches with
    both figures) and forecast overrun; a TOTAL row last. `branches`: only these (None: all)."""
    phases = db.run(load_sql("man_days_by_phase"), {"as_of": as_of})
    figures = man_days_forecast(db, as_of)
    if branches is not None:
        phases = phases[phases["branch_code"].isin(branches)]
        figures = figures[figures["branch_code"].isin(branches)]
    unlogged = figures[~figures["logged"]].assign(phase=NO_PHASE)[["region_code", "phase", "man_days_used"]]
    used = pd.concat([phases[["region_code", "phase", "man_days_used"]], unlogged], ignore_index=True)
    columns = [*CONSULTANT_PHASES, NO_PHASE]
    grid = used.pivot_table(index="region_code", columns="phase", values="man_days_used", aggfunc="sum",
                            fill_value=0.0).reindex(columns=columns, fill_value=0.0)
    totals = _region_sums(figures)
    frame = grid.join(totals, how="outer").reindex(columns=[*columns, *totals.columns])
    frame[columns] = frame[columns].fillna(0.0)
    return _with_total(frame)
