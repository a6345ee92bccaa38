"""The portfolio at a glance, for 20 or 2,000 branches: region roll-up, risk-first order, weekly trend.

Everything here is derived from readiness.branch_status (METRICS.md's status per branch), so the
roll-up always equals the per-branch statuses summed and the trend is METRICS.md replayed on past
dates, never a second definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import pandas as pd

from rollout.metrics import readiness
from rollout.store.db import Database

STATUSES = ("live", "green", "amber", "red", "no_plan")
# Risk first: red, then amber, then the rest; live branches last (nothing left to decide).
RISK_RANK = {"red": 0, "amber": 1, "no_plan": 2, "green": 3, "live": 4}


def in_regions(status: pd.DataFrame, regions: Sequence[str] | None) -> pd.DataFrame:
    """The rows of these regions (all rows when regions is empty or None)."""
    if not regions:
        return status
    return status[status["region_code"].isin(list(regions))]


def region_rollup(status: pd.DataFrame, region_names: Mapping[str, str]) -> pd.DataFrame:
    """One row per region: branch counts per status and the readiness spread of branches not yet live.

    Columns: region_code, region_name, branches, live, green, amber, red, no_plan, readiness_min,
    readiness_median, readiness_max (checklist readiness of branches with a plan that are not live).
    Sorted with the most red, then amber, branches first."""
    counts = (pd.crosstab(status["region_code"], status["status"])
              .reindex(columns=list(STATUSES), fill_value=0) if not status.empty
              else pd.DataFrame(columns=list(STATUSES)))
    open_ = status[~status["status"].isin(["live", "no_plan"])]
    spread = open_.groupby("region_code")["checklist_readiness"].agg(["min", "median", "max"])
    spread.columns = ["readiness_min", "readiness_median", "readiness_max"]
    rollup = counts.join(spread, how="left").reset_index().rename(columns={"index": "region_code"})
    rollup.insert(1, "region_name", rollup["region_code"].map(lambda c: region_names.get(c, c)))
    rollup.insert(2, "branches", rollup[list(STATUSES)].sum(axis=1).astype(int))
    for column in STATUSES:
        rollup[column] = rollup[column].astype(int)
    return rollup.sort_values(["red", "amber", "region_code"], ascending=[False, False, True]).reset_index(drop=True)


def risk_order(status: pd.DataFrame) -> pd.DataFrame:
    """Branches risk first: red, then amber (each by slip, largest first, then failing gates, then
    lowest readiness), then no plan, green and live."""
    ranked = status.assign(_rank=status["status"].map(RISK_RANK).fillna(len(RISK_RANK)),
                           _slip=pd.to_numeric(status["slip_days"], errors="coerce").fillna(-1),
                           _gates=pd.to_numeric(status["failing_gates"], errors="coerce").fillna(0),
                           _ready=pd.to_numeric(status["checklist_readiness"], errors="coerce").fillna(0))
    ranked = ranked.sort_values(["_rank", "_slip", "_gates", "_ready", "branch_code"],
                                ascending=[True, False, False, True, True])
    return ranked.drop(columns=["_rank", "_slip", "_gates", "_ready"]).reset_index(drop=True)


def top_at_risk(status: pd.DataFrame, n: int = 25) -> list[str]:
    """The codes of the n riskiest branches that are red or amber, in risk order."""
    ordered = risk_order(status)
    return ordered.loc[ordered["status"].isin(["red", "amber"]), "branch_code"].head(max(0, n)).tolist()


def review_dates(as_of: date, weeks: int = 12) -> list[date]:
    """The weekly review dates of the trend: as_of and each of the `weeks` weeks before, oldest first."""
    return [as_of - timedelta(weeks=k) for k in range(weeks, -1, -1)]


def status_history(db: Database, as_of: date, weeks: int = 12) -> pd.DataFrame:
    """Branches per region and status on each weekly review date (METRICS.md replayed on that date),
    oldest first: the trend of any choice of regions is read from it without replaying again.

    Columns: week (date), region_code, status, branches."""
    parts = []
    for day in review_dates(as_of, weeks):
        status = readiness.statuses(db, day)
        counts = status.groupby(["region_code", "status"]).size().reset_index(name="branches")
        parts.append(counts.assign(week=day))
    if not parts:
        return pd.DataFrame(columns=["week", "region_code", "status", "branches"])
    return pd.concat(parts, ignore_index=True)[["week", "region_code", "status", "branches"]]


def trend_of(history: pd.DataFrame, as_of: date, weeks: int = 12,
             regions: Sequence[str] | None = None) -> pd.DataFrame:
    """Branches per status on each weekly date, for these regions (all when empty), from status_history.

    Columns: week (date), live, green, amber, red, no_plan; every week listed, oldest first."""
    rows = in_regions(history, regions)
    wide = rows.pivot_table(index="week", columns="status", values="branches", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=review_dates(as_of, weeks), columns=list(STATUSES), fill_value=0)
    frame = wide.fillna(0).astype(int).reset_index(names="week")
    frame.columns.name = None
    return frame[["week", *STATUSES]]


def status_trend(db: Database, as_of: date, weeks: int = 12,
                 regions: Sequence[str] | None = None) -> pd.DataFrame:
    """Branches per status on each weekly date (METRICS.md replayed on that date), oldest first.

    Columns: week (date), live, green, amber, red, no_plan."""
    return trend_of(status_history(db, as_of, weeks), as_of, weeks, regions)


def go_lives_ahead(status: pd.DataFrame, as_of: date, weeks: int = 12) -> pd.DataFrame:
    """Planned go-lives of branches not yet live, per week starting on as_of, for the next `weeks` weeks.

    Columns: week (its first day), go_lives; every week is listed, empty ones with 0."""
    planned = pd.to_datetime(status.loc[status["status"] != "live", "planned_go_live"]).dropna()
    start = pd.Timestamp(as_of)
    offset = ((planned - start).dt.days // 7)
    offset = offset[(offset >= 0) & (offset < weeks)]
    counts = offset.value_counts()
    return pd.DataFrame({"week": [as_of + timedelta(weeks=k) for k in range(weeks)],
                         "go_lives": [int(counts.get(k, 0)) for k in range(weeks)]})


def branch_rows(status: pd.DataFrame) -> pd.DataFrame:
    """The Portfolio's branch table, risk first (risk_order): the columns a CIO reads, library names
    kept (the page labels them). Readiness figures and the chance of being ready by the planned go-live
    rounded to one decimal."""
    ordered = risk_order(status)
    frame = ordered[["branch_code", "branch_name", "region_code", "wave", "status", "p_ready_by_go_live",
                     "planned_go_live", "actual_go_live", "days_to_go_live", "checklist_readiness",
                     "data_readiness", "slip_days", "overdue_items", "failing_gates", "top_reason"]].copy()
    for column in ("checklist_readiness", "data_readiness", "p_ready_by_go_live"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").round(1)
    return frame


CHANGE_COUNTS = ("status_changes", "turned_red", "readiness_up", "readiness_down", "new_overdue",
                 "new_failing_gates", "went_silent", "people_left", "lessons_applied")


def change_counts(tables: Mapping[str, pd.DataFrame | None] | None) -> dict[str, int | None]:
    """How many rows each of "what changed since the last review"'s tables holds
    (rollout.steering.snapshots.what_changed), and how many branches turned red; None where the
    snapshots could not tell (or every count None when there is no pair of snapshots to compare)."""
    tables = tables or {}
    counts: dict[str, int | None] = {name: None if tables.get(name) is None else len(tables[name])
                                     for name in CHANGE_COUNTS if name != "turned_red"}
    changes = tables.get("status_changes")
    counts["turned_red"] = None if changes is None else int((changes["status_after"] == "red").sum())
    return counts


def biggest_moves(tables: Mapping[str, pd.DataFrame | None] | None) -> dict[str, tuple[str, float] | None]:
    """The branch whose readiness rose most since the last review and the one that fell most, each as
    (branch code, change in percentage points), from what_changed's tables; None where none moved."""
    found: dict[str, tuple[str, float] | None] = {}
    for name, table in (("rise", (tables or {}).get("readiness_up")), ("fall", (tables or {}).get("readiness_down"))):
        found[name] = None if table is None or table.empty else (str(table["branch_code"].iloc[0]),
                                                                 float(table["change_points"].iloc[0]))
    return found
