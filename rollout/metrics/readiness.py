"""Readiness metrics (METRICS.md "Readiness"), checklist plans and their editing.

Every figure is computed in DuckDB by a query file `rollout/metrics/sql/readiness_*.sql` (one per metric,
its header quoting METRICS.md) and is "as of" a date, so every figure replays for a past date.
Thresholds come from rollout.store.settings. Writes go through rollout.exchange.edits (validated, audited).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import CellError, ConflictError, NotFoundError, RolloutError, ValidationError
from rollout.core.i18n import _, format_number, format_weekday, ngettext
from rollout.core.values import as_date, iso_text, plain
from rollout.exchange import edits
from rollout.exchange.importer import broken_references
from rollout.exchange.spec import SHEETS, peak_month_set, validate_rows
from rollout.metrics.queries import load_sql
from rollout.store.db import Database
from rollout.store.scope import whole
from rollout.store.settings import get_settings

SUMMARY_COLUMNS = ["branch_code", "checklist_readiness", "overdue_items", "failing_gates", "data_readiness",
                   "forecast_ready_on", "slip_days", "status"]
PROBABILISTIC_COLUMNS = ["p_ready_by_go_live", "ready_p50_on", "ready_p80_on"]
STATUSES = ("live", "green", "amber", "red", "no_plan")
CHECKLIST_COLUMNS = SHEETS["checklist"].column_names
EDITABLE_COLUMNS = ["dimension", "title", "owner", "due_date", "weight", "status", "completed_on", "gate"]


# --- running the query files ----------------------------------------------------------------------

def _run(db: Database, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """rollout/metrics/sql/<name>.sql with the named parameters it uses."""
    return db.run(load_sql(name), params)


def _settings(db: Database, settings: Mapping[str, float] | None) -> Mapping[str, float]:
    return settings if settings is not None else get_settings(db)


def _params(as_of: date, settings: Mapping[str, float]) -> dict[str, Any]:
    return {"as_of": as_of, "window_days": int(settings["forecast_window_days"]),
            "red_gate_days": settings["red_gate_days"], "red_slip_days": settings["red_slip_days"],
            "red_readiness_below": settings["red_readiness_below"],
            "red_readiness_days": settings["red_readiness_days"]}


def _only(frame: pd.DataFrame, branch_code: str | None) -> pd.DataFrame:
    if branch_code is None:
        return frame.reset_index(drop=True)
    return frame[frame["branch_code"] == branch_code].reset_index(drop=True)


# --- the metrics ----------------------------------------------------------------------------------

READINESS_COLUMNS = ["branch_code", "items", "weight_planned", "weight_done", "checklist_readiness", "overdue_items",
                     "failing_gates"]


def checklist_readiness(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Per branch: items, weight_planned, weight_done, checklist_readiness (null: no plan),
    overdue_items, failing_gates (the query's sums for the forecast left out)."""
    frame = _run(db, "readiness_checklist", _params(as_of, _settings(db, settings)))
    return frame[READINESS_COLUMNS].sort_values("branch_code").reset_index(drop=True)


def readiness_by_dimension(db: Database, as_of: date, branch_code: str | None = None) -> pd.DataFrame:
    """Per (branch, dimension with items): checklist_readiness of that dimension."""
    return _only(_run(db, "readiness_by_dimension", {"as_of": as_of}), branch_code)


def overdue_items(db: Database, as_of: date, branch_code: str | None = None) -> pd.DataFrame:
    """Every overdue item (owner, due date, days late), most late first per branch."""
    return _only(_run(db, "readiness_overdue_items", {"as_of": as_of}), branch_code)


def most_late_items(db: Database, as_of: date) -> pd.DataFrame:
    """The first row of overdue_items per branch (the item a status reason names): a branch's reasons need it
    alone, and 10,000 branches have some 76,000 overdue items."""
    return _run(db, "readiness_most_late_items", {"as_of": as_of})


def failing_gates(db: Database, as_of: date, branch_code: str | None = None) -> pd.DataFrame:
    """Every failing gate item, earliest due first per branch."""
    return _only(_run(db, "readiness_failing_gates", {"as_of": as_of}), branch_code)


def failing_gate_titles(db: Database, as_of: date) -> pd.DataFrame:
    """branch_code, title and owner of every failing gate, in failing_gates' order: what a status reason and a
    next action name (the steering pack reads these alone)."""
    return _run(db, "readiness_failing_gate_titles", {"as_of": as_of})


def data_readiness(db: Database) -> pd.DataFrame:
    """Per branch: data_objects, data_readiness (null without master-data rows). Same for every date."""
    return _run(db, "readiness_data", {}).sort_values("branch_code").reset_index(drop=True)


def master_data_progress(db: Database, branch_code: str | None = None) -> pd.DataFrame:
    """Per (branch, object): expected / loaded / validated and percentages."""
    return _only(_run(db, "readiness_master_data", {}), branch_code)


def forecast(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Per branch: is_live, has_plan, window_weight, remaining_weight, last_completed_on, stalled,
    forecast_ready_on, slip_days, and the checklist figures it was computed from (READINESS_COLUMNS)."""
    settings = _settings(db, settings)
    frame = _run(db, "readiness_forecast", _params(as_of, settings))
    frame["forecast_ready_on"] = pd.to_datetime(frame["forecast_ready_on"])
    frame["stalled"] = frame["stalled"].astype(bool)
    frame["has_plan"] = frame["has_plan"].astype(bool)
    return frame.sort_values("branch_code").reset_index(drop=True)


def forecast_ready(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """For the launch planner, every branch: branch_code, checklist_readiness, forecast_ready_on
    (Timestamp or NaT), stalled, has_plan."""
    frame = forecast(db, as_of, settings)  # the checklist figures come with it (one pass over the checklist)
    return frame[["branch_code", "checklist_readiness", "forecast_ready_on", "stalled", "has_plan"]]


def readiness_trend(db: Database, as_of: date, branch_code: str | None = None,
                    weeks: int | None = None) -> pd.DataFrame:
    """Weekly checklist readiness (branch_code, week_of, checklist_readiness) at D, D-7, ... back to
    the week before the first completion / kick-off (at most 104 weeks), or `weeks` points."""
    if weeks is None:
        where = "WHERE branch_code = ?" if branch_code else ""
        params = [branch_code] if branch_code else []
        start = db.scalar(f"SELECT least(min(completed_on), min(due_date)) FROM checklist {where}", params)
        kickoff = db.scalar(f"SELECT min(planned_kickoff) FROM branches {where}", params)
        starts = [d for d in (start, kickoff) if d is not None]
        first = min(starts) if starts else as_of
        if isinstance(first, datetime):
            first = first.date()
        weeks = max(1, min(104, math.ceil((as_of - first).days / 7) + 2))
    frame = _only(_run(db, "readiness_trend", {"as_of": as_of, "weeks": int(weeks)}), branch_code)
    frame["week_of"] = pd.to_datetime(frame["week_of"])
    return frame


# --- probabilistic forecast (METRICS.md "Probabilistic forecast") -----------------------------------

PACE_WEEKS = 8          # the weekly pace: the 8 weeks ending on D (the 56-day window)
MAX_WEEKS = 260         # P50 / P80: none within 260 weeks is null
TRUSTED_WEEKS = 4       # fewer weeks with any progress: the figures are not to be trusted
_PACE = [f"w{j}" for j in range(1, PACE_WEEKS + 1)]
_TOLERANCE = 1e-9       # float noise (0.1 + 0.2) never decides "ready" nor makes a steady pace lumpy
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _z(remaining: np.ndarray, mean: np.ndarray, sd: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """(R − kμ) / (σ√k), element-wise over arrays that broadcast; σ = 0 gives −inf when kμ ≥ R, else +inf
    (so the chance is the step from 0 to 1), and μ = 0 (stalled) gives +inf (chance 0)."""
    gap = remaining - weeks * mean
    gap = np.where(np.abs(gap) <= _TOLERANCE * np.maximum(np.abs(remaining), 1.0), 0.0, gap)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, gap / (sd * np.sqrt(np.maximum(weeks, 1))), np.where(gap <= 0, -np.inf, np.inf))
    return np.where(mean > 0, z, np.inf)


def ready_chance(remaining: Any, mean: Any, sd: Any, weeks: Any) -> np.ndarray:
    """P(ready by week k) = 1 − Φ((R − kμ) / (σ√k)) for arrays (or numbers) that broadcast together;
    k ≤ 0 gives 0. Φ from math.erfc, applied element-wise by a numpy ufunc (no scipy needed)."""
    remaining, mean, sd, weeks = (np.asarray(v, dtype=float) for v in (remaining, mean, sd, weeks))
    z = _z(remaining, mean, sd, weeks)
    chance = 0.5 * np.asarray(_erfc(z / math.sqrt(2)), dtype=float)  # 1 − Φ(z) = erfc(z / √2) / 2
    return np.where(weeks >= 1, chance, 0.0)


# the chance is >= p exactly when z <= Φ⁻¹(1 − p): 0 for P50, −0.8416… for P80
_LEVELS = {50: 0.0, 80: NormalDist().inv_cdf(0.2)}


def pace_figures(pace: Any) -> tuple[np.ndarray, np.ndarray]:
    """μ and σ (population: divides by 8) of each row of weekly paces (branches × 8 weeks). A steady
    pace has σ exactly 0 (float noise of the mean aside)."""
    pace = np.atleast_2d(np.asarray(pace, dtype=float))
    mean = pace.mean(axis=1)
    sd = pace.std(axis=1)
    return mean, np.where(sd <= _TOLERANCE * np.maximum(mean, 1.0), 0.0, sd)


def ready_weeks(remaining: Any, mean: Any, sd: Any, levels: Iterable[int] = (50, 80)) -> dict[int, np.ndarray]:
    """Per branch and level (50, 80): the smallest k in 1…260 with P(ready by week k) >= level %, or 0
    when there is none (stalled, or not within 260 weeks).

    The chance grows with k (for R > 0, μ > 0), so the first week solves kμ − c σ √k >= R (c = 0 for
    P50, 0.8416… for P80), a quadratic in √k; the root is then checked against the chance itself,
    stepping a week back or on while float noise left it off by one. Vectorised over the branches."""
    remaining, mean, sd = (np.asarray(v, dtype=float).reshape(-1) for v in (remaining, mean, sd))
    found = {}
    for level in levels:
        limit = _LEVELS[level]  # P >= level exactly when z <= limit
        c = -limit
        with np.errstate(divide="ignore", invalid="ignore"):
            root = (c * sd + np.sqrt((c * sd) ** 2 + 4 * mean * remaining)) / (2 * mean)
        weeks = np.where(mean > 0, np.clip(np.ceil(np.nan_to_num(root * root, posinf=MAX_WEEKS + 1)), 1,
                                           MAX_WEEKS + 1), MAX_WEEKS + 1)
        for _step in range(3):  # a week earlier still reaches the level: step back (mostly none or one)
            back = (weeks > 1) & (weeks <= MAX_WEEKS + 1) & (_z(remaining, mean, sd, weeks - 1) <= limit)
            if not back.any():
                break
            weeks = np.where(back, weeks - 1, weeks)
        for _step in range(3):  # this week does not reach it yet: step on
            on = (weeks <= MAX_WEEKS) & (_z(remaining, mean, sd, weeks) > limit)
            if not on.any():
                break
            weeks = np.where(on, weeks + 1, weeks)
        reached = (weeks <= MAX_WEEKS) & (_z(remaining, mean, sd, np.minimum(weeks, MAX_WEEKS)) <= limit)
        found[level] = np.where(reached, weeks, 0).astype(int)
    return found


@dataclass(frozen=True)
class WeeksDone:
    """weekly_done's answer: the weight done per branch (rows: `codes`, in branch code order) and week b = 1…weeks
    before D (column b, week b covering (D − 7b, D − 7(b − 1)]; column 0 unused)."""

    codes: pd.Index
    done: np.ndarray

    @property
    def weeks(self) -> int:
        return self.done.shape[1] - 1

    def rows_for(self, branch_codes: pd.Series | pd.Index, weeks: int) -> np.ndarray:
        """Weeks 0…weeks of these branches, matched by code (a branch the reading did not see has none done):
        a caller's branch figures, read by another query, never take another branch's weeks."""
        if weeks > self.weeks:
            raise ValueError(f"{weeks} weeks asked of a reading of {self.weeks}")
        rows = self.codes.get_indexer(pd.Index(branch_codes))
        found = np.zeros((len(rows), weeks + 1))
        seen = rows >= 0
        found[seen] = self.done[rows[seen], :weeks + 1]
        return found


def weekly_done(db: Database, as_of: date, weeks: int = PACE_WEEKS) -> WeeksDone:
    """The weight done by every branch in each of the `weeks` weeks before D, from one query (weeks 1…8 are the
    probabilistic forecast's w1…w8; the track record reads 60 weeks)."""
    weekly = _run(db, "readiness_weekly_done", {"as_of": as_of, "weeks": int(weeks)})
    is_name = weekly["week"].to_numpy(dtype=int) == 0
    named, worked = weekly[is_name], weekly[~is_name]  # one row per branch with its code; per (branch, week)
    codes = pd.Index(named["branch_code"].astype(str).to_numpy()[np.argsort(named["branch_row"].to_numpy(dtype=int))])
    done = np.zeros((len(codes), int(weeks) + 1))
    done[worked["branch_row"].to_numpy(dtype=int), worked["week"].to_numpy(dtype=int)] = \
        worked["weight"].to_numpy(dtype=float)
    return WeeksDone(codes, done)


def probabilistic_forecast(db: Database, as_of: date, status: pd.DataFrame | None = None,
                           done: WeeksDone | None = None) -> pd.DataFrame:
    """METRICS.md "Probabilistic forecast" for every branch at once, computed (not sampled).

    Per branch: branch_code, planned_go_live, is_live, has_plan, planned_weight, remaining_weight,
    last_completed_on, w1..w8 (the weekly pace, w1 the week ending on D), pace_mean (μ), pace_sd (σ,
    population), weeks_with_progress (weeks of the eight with any weight done), trusted (at least 4 of
    them), stalled, weeks_to_go_live (K), p_ready_by_go_live (percent, unrounded), ready_p50_on and
    ready_p80_on (Timestamp or NaT). Live branches and branches without a plan: all three null. The
    weekly pace comes from SQL, the normal model from numpy over all branches at once (no loop per
    branch or per week).
    `status`: the branch figures of readiness_status.sql for the same date, when the caller has them
    (they are read otherwise). `done`: weekly_done of the date (at least 8 weeks) when the caller has it (the
    track record reads 60 weeks)."""
    if status is None:
        status = _status_frame(db, as_of, _settings(db, None))
    frame = status[["branch_code", "planned_go_live", "is_live", "has_plan", "weight_planned", "remaining_weight",
                    "last_completed_on"]].rename(columns={"weight_planned": "planned_weight"}).reset_index(drop=True)
    done = weekly_done(db, as_of) if done is None else done
    pace = done.rows_for(frame["branch_code"], PACE_WEEKS)[:, 1:]  # a branch with nothing done: eight zero weeks
    frame[_PACE] = pace
    mean, sd = pace_figures(pace)
    remaining = frame["remaining_weight"].to_numpy(dtype=float)
    is_live = frame["is_live"].astype(bool).to_numpy()
    has_plan = frame["planned_weight"].to_numpy(dtype=float) > 0
    rated = ~is_live & has_plan
    done = rated & (remaining <= 0)
    open_ = rated & (remaining > 0)
    stalled = open_ & (mean <= 0)
    d = pd.Timestamp(as_of)
    planned = pd.to_datetime(frame["planned_go_live"])
    weeks_to_go_live = np.floor((planned - d).dt.days.to_numpy(dtype=float) / 7)  # K; NaN without a date
    has_date = ~np.isnan(weeks_to_go_live)

    chance = np.full(len(frame), np.nan)
    chance[rated & has_date] = 0.0
    chance[done & has_date] = 100.0
    going = open_ & has_date
    chance[going] = 100.0 * ready_chance(remaining[going], mean[going], sd[going], weeks_to_go_live[going])

    last = pd.to_datetime(frame["last_completed_on"])
    dates = {}
    for level, weeks in ready_weeks(remaining[open_], mean[open_], sd[open_]).items():
        column = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
        column[done] = last[done]
        found = pd.Series(weeks, index=frame.index[open_])
        found = found[found > 0]
        column[found.index] = d + pd.to_timedelta(7 * found.to_numpy(), unit="D")
        dates[level] = column

    frame["planned_go_live"] = planned
    frame["last_completed_on"] = last
    frame["has_plan"] = has_plan
    frame["pace_mean"] = mean
    frame["pace_sd"] = sd
    frame["weeks_with_progress"] = (pace > 0).sum(axis=1)
    frame["trusted"] = frame["weeks_with_progress"] >= TRUSTED_WEEKS
    frame["stalled"] = stalled
    frame["weeks_to_go_live"] = pd.array(np.where(has_date, weeks_to_go_live, np.nan), dtype="Float64").astype(
        "Int64")
    frame["p_ready_by_go_live"] = chance
    frame["ready_p50_on"] = dates[50]
    frame["ready_p80_on"] = dates[80]
    return frame


def forecast_fan(db: Database, as_of: date, branch_code: str) -> pd.DataFrame:
    """The fan of the Branch page's trend chart: week by week from D (week_of, weeks), the readiness the
    branch reaches with a 50 % chance (readiness_p50: kμ more done) and with an 80 % chance
    (readiness_p80: kμ − 0.8416 σ√k more done, never below today's), both capped at 100. The P50 line
    reaches 100 % on ready_p50_on and the P80 line on ready_p80_on (the same model). Drawn up to the P80
    date (without one, up to 104 weeks or the P50 date). Empty when there is no such date to forecast:
    live, no plan, stalled, or nothing remaining."""
    columns = ["week_of", "weeks", "readiness_p50", "readiness_p80"]
    frame = probabilistic_forecast(db, as_of)
    frame = frame[frame["branch_code"] == branch_code]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    row = frame.iloc[0]
    if row["is_live"] or not row["has_plan"] or row["remaining_weight"] <= 0 or row["stalled"]:
        return pd.DataFrame(columns=columns)
    d = pd.Timestamp(as_of)
    if not pd.isna(row["ready_p80_on"]):
        last = (row["ready_p80_on"] - d).days // 7
    elif not pd.isna(row["ready_p50_on"]):
        last = max(104, (row["ready_p50_on"] - d).days // 7)
    else:
        last = 104
    weeks = np.arange(0, int(last) + 1, dtype=float)
    planned, remaining = float(row["planned_weight"]), float(row["remaining_weight"])
    done_now = planned - remaining
    mean, sd = float(row["pace_mean"]), float(row["pace_sd"])

    def readiness_at(more: np.ndarray) -> np.ndarray:
        more = np.maximum(more, 0.0)
        reached = remaining - more <= _TOLERANCE * max(remaining, 1.0)
        return np.where(reached, 100.0, 100.0 * (done_now + np.minimum(more, remaining)) / planned)

    return pd.DataFrame({"week_of": d + pd.to_timedelta(7 * weeks, unit="D"), "weeks": weeks.astype(int),
                         "readiness_p50": readiness_at(weeks * mean),
                         "readiness_p80": readiness_at(weeks * mean + _LEVELS[80] * sd * np.sqrt(weeks))})


def go_lives_at_risk(db: Database, as_of: date, days: int = 90, below: float = 50.0,
                     settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Planned go-lives in the next `days` days (as_of <= planned_go_live <= as_of + days, not live)
    whose chance of being ready by then is below `below` percent (a branch without a chance, i.e. with
    no plan, is not listed), soonest first: branch_code, branch_name, region_code, planned_go_live,
    days_to_go_live, status, checklist_readiness, p_ready_by_go_live, ready_p50_on, ready_p80_on,
    weeks_with_progress, trusted."""
    status = _status_frame(db, as_of, _settings(db, settings))
    chances = probabilistic_forecast(db, as_of, status)
    frame = status.merge(chances[["branch_code", *PROBABILISTIC_COLUMNS, "weeks_with_progress", "trusted"]],
                         on="branch_code", how="left")
    soon = frame["days_to_go_live"].between(0, days) & ~frame["is_live"]
    risky = soon & (frame["p_ready_by_go_live"] < below)
    columns = ["branch_code", "branch_name", "region_code", "planned_go_live", "days_to_go_live", "status",
               "checklist_readiness", *PROBABILISTIC_COLUMNS, "weeks_with_progress", "trusted"]
    return frame.loc[risky, columns].sort_values(["planned_go_live", "branch_code"]).reset_index(drop=True)


def _status_frame(db: Database, as_of: date, settings: Mapping[str, float]) -> pd.DataFrame:
    frame = _run(db, "readiness_status", _params(as_of, settings))
    for column in ("planned_kickoff", "planned_go_live", "actual_go_live", "forecast_ready_on", "last_completed_on"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("stalled", "has_plan", "is_live", "red_gate", "red_slip", "red_readiness", "red_deviation",
                   "amber_risk"):
        frame[column] = frame[column].astype(bool)
    return frame


def statuses(db: Database, as_of: date, settings: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every branch's status and readiness figures on a date, without the reasons and the probabilistic
    forecast: a fifth of branch_status's cost, for replaying the status on many dates (the trend)."""
    return _status_frame(db, as_of, _settings(db, settings))


def summary_fields(db: Database, as_of: date, settings: dict[str, float],
                   status: pd.DataFrame | None = None) -> pd.DataFrame:
    """branch_code + checklist_readiness, overdue_items, failing_gates, data_readiness,
    forecast_ready_on, slip_days, status, p_ready_by_go_live, ready_p50_on, ready_p80_on (unrounded;
    summary.py rounds). `status`: status_with_forecast of the same date when the caller has it (a snapshot
    words its reasons from the same frame)."""
    if status is None:
        status = status_with_forecast(db, as_of, settings)
    return status[[*SUMMARY_COLUMNS, *PROBABILISTIC_COLUMNS]]


# --- status reasons in words ----------------------------------------------------------------------

def _day(value: Any) -> str:
    return iso_text(value) or ""


def go_live_words(days: Any) -> str:
    """'go-live in 21 days', 'go-live today', 'go-live passed 5 days ago', 'no planned go-live'."""
    if days is None or pd.isna(days):
        return _("no planned go-live")
    days = int(days)
    if days > 0:
        return ngettext("go-live in {count} day", "go-live in {count} days", days).format(count=days)
    if days == 0:
        return _("go-live today")
    return ngettext("planned go-live passed {count} day ago", "planned go-live passed {count} days ago",
                    -days).format(count=-days)


def _pct(value: float) -> str:
    return format_number(value, 1) + "%"


def _gate_not_done(title: str, when: str) -> str:
    return _("gate '{title}' not done, {when}").format(title=title, when=when)


def _reasons(row: Mapping[str, Any], gates: list[dict[str, Any]], late: list[dict[str, Any]],
             settings: Mapping[str, float]) -> list[str]:
    """The status's reasons, the top reason first (red triggers, then amber ones)."""
    status = row["status"]
    if status == "live":
        return [_("live since {day}").format(day=_day(row["actual_go_live"]))]
    if status == "no_plan":
        if row["items"]:
            return [_("every checklist item is waived (no plan)")]
        return [_("no checklist items (no plan): create the plan, e.g. from the pilot's template")]
    reasons: list[str] = []
    when = go_live_words(row["days_to_go_live"])
    if row["red_gate"]:
        for title in (gate["title"] for gate in gates):
            reasons.append(_gate_not_done(title, when))
    if row["red_slip"]:
        reasons.append(_("forecast ready {day}, {count} days after the planned go-live (more than {limit})").format(
            day=_day(row["forecast_ready_on"]), count=int(row["slip_days"]), limit=f"{settings['red_slip_days']:g}"))
    if row["red_readiness"]:
        reasons.append(_("readiness {readiness} (below {limit}%), {when}").format(
            readiness=_pct(row["checklist_readiness"]), limit=f"{settings['red_readiness_below']:g}", when=when))
    if row["red_deviation"]:
        count = int(row["deviations_blocking"])
        reasons.append(ngettext("{count} deviation from the template blocks the go-live, {when}",
                                "{count} deviations from the template block the go-live, {when}", count).format(
            count=count, when=when))
    if not pd.isna(row["slip_days"]) and row["slip_days"] > 0 and not row["red_slip"]:
        slip = int(row["slip_days"])
        reasons.append(ngettext("forecast ready {day}, {count} day after the planned go-live",
                                "forecast ready {day}, {count} days after the planned go-live",
                                1 if row["slip_days"] == 1 else 2).format(day=_day(row["forecast_ready_on"]),
                                                                          count=slip))
    if row["stalled"]:
        reasons.append(_("stalled: nothing completed in the last {days} days, {weight} weight still open (no "
                         "forecast)").format(days=int(settings["forecast_window_days"]),
                                             weight=f"{row['remaining_weight']:g}"))
    if row["overdue_items"]:
        worst = late[0] if late else None
        count = int(row["overdue_items"])
        if worst is None:
            text = ngettext("{count} overdue item", "{count} overdue items", count).format(count=count)
        else:
            owner = worst["owner"] if isinstance(worst["owner"], str) and worst["owner"] else _("no owner")
            text = ngettext("{count} overdue item, most late '{title}' ({owner}, {days} days late)",
                            "{count} overdue items, most late '{title}' ({owner}, {days} days late)", count).format(
                count=count, title=worst["title"], owner=owner, days=int(worst["days_late"]))
        reasons.append(text)
    if row["amber_risk"]:
        count = int(row["open_critical_risks"])
        reasons.append(ngettext("{count} open critical risk", "{count} open critical risks", count).format(
            count=count))
    if row["failing_gates"] and not row["red_gate"]:
        for title in (gate["title"] for gate in gates):
            reasons.append(_gate_not_done(title, when))
    if status == "green":
        ready = row["forecast_ready_on"]
        readiness = _pct(row["checklist_readiness"])
        reasons.insert(0, _("on track: readiness {readiness}").format(readiness=readiness) if pd.isna(ready) else
                       _("on track: readiness {readiness}, forecast ready {day}").format(readiness=readiness,
                                                                                         day=_day(ready)))
    return reasons


def _split(frame: pd.DataFrame) -> dict[Any, list[dict[str, Any]]]:
    """frame's rows per branch_code as plain records, each part in frame's order (records, not frames:
    slicing a frame per branch was most of branch_status's time at 2,000 branches)."""
    parts: dict[Any, list[dict[str, Any]]] = {}
    for record in frame.astype(object).to_dict("records"):
        parts.setdefault(record["branch_code"], []).append(record)
    return parts


def branch_status(db: Database, as_of: date, settings: Mapping[str, float] | None = None,
                  status: pd.DataFrame | None = None, gates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every branch with its status and reasons in words (the top reason first), days to go-live,
    stage and every readiness figure, the probabilistic forecast's three figures among them (with
    weeks_with_progress and trusted). `reasons` is a list of text, `top_reason` its first item. `status` and
    `gates`: status_with_forecast and failing_gates of the date when the caller has them (a snapshot)."""
    settings = _settings(db, settings)
    status = status_with_forecast(db, as_of, settings) if status is None else status
    gates = failing_gates(db, as_of) if gates is None else gates
    return with_reasons(status, gates, most_late_items(db, as_of), settings)


def status_with_forecast(db: Database, as_of: date, settings: Mapping[str, float] | None = None,
                         done: WeeksDone | None = None) -> pd.DataFrame:
    """branch_status without the reasons (add them with with_reasons to the rows that show them): the
    steering pack counts every branch but words the reasons of its top rows only. `done`: weekly_done of the
    date when the caller has it (the pack reads it once for this and the track record)."""
    frame = _status_frame(db, as_of, _settings(db, settings))
    return frame.merge(probabilistic_forecast(db, as_of, frame, done)[["branch_code", *PROBABILISTIC_COLUMNS,
                                                                       "weeks_with_progress", "trusted"]],
                       on="branch_code", how="left")


def with_reasons(frame: pd.DataFrame, gates: pd.DataFrame, late: pd.DataFrame,
                 settings: Mapping[str, float]) -> pd.DataFrame:
    """Rows of status_with_forecast with their reasons in words (`reasons`, `top_reason`) and
    branch_status's column order; gates and late are failing_gates and overdue_items (or most_late_items) of
    the same date."""
    # one pass each, not one filter per branch; a reason names only the most late overdue item
    gates = gates[gates["branch_code"].isin(frame["branch_code"])]
    late = late[late["branch_code"].isin(frame["branch_code"])]
    gates_by = _split(gates[["branch_code", "title"]])
    late_by = _split(late.drop_duplicates("branch_code")[["branch_code", "title", "owner", "days_late"]])
    frame = frame.copy()
    reasons = [_reasons(row, gates_by.get(row["branch_code"], []), late_by.get(row["branch_code"], []), settings)
               for row in frame.to_dict("records")]
    frame["reasons"] = reasons
    frame["top_reason"] = [r[0] if r else "" for r in reasons]
    first = ["branch_code", "branch_name", "region_code", "wave", "planned_kickoff", "planned_go_live",
             "actual_go_live", "days_to_go_live", "stage", "status", "top_reason", "reasons",
             "checklist_readiness", "data_readiness", "overdue_items", "failing_gates", "forecast_ready_on",
             "slip_days", "stalled", "has_plan"]
    return frame[first + [c for c in frame.columns if c not in first]]


def kpis(status: pd.DataFrame, as_of: date, days: int = 60) -> dict[str, int]:
    """The Portfolio tiles from a (filtered) branch_status frame: branches per status and the
    go-lives planned in the next `days` days (not yet live, as_of <= planned_go_live <= as_of + days)."""
    counts = {s: int((status["status"] == s).sum()) for s in STATUSES}
    soon = status["days_to_go_live"].between(0, days) & ~status["status"].eq("live")
    counts["go_lives_next_days"] = int(soon.sum())
    return counts


def count_by(status: pd.DataFrame, by: str) -> pd.DataFrame:
    """Branches per (wave or region, status) from a (filtered) branch_status frame."""
    if status.empty:
        return pd.DataFrame(columns=[by, "status", "branches"])
    return status.groupby([by, "status"], dropna=False).size().reset_index(name="branches")


def modules(db: Database, branch_code: str, as_of: date) -> pd.DataFrame:
    """The branch's modules and phases, with whether each is live on the date."""
    return db.df("SELECT module, phase, planned_go_live, actual_go_live, "
                 "coalesce(actual_go_live <= ?::DATE, false) AS live FROM modules WHERE branch_code = ? "
                 "ORDER BY phase, module", [as_of, branch_code])


# --- the checklist and its editing ----------------------------------------------------------------

def checklist(db: Database, branch_code: str) -> pd.DataFrame:
    """The branch's checklist as shown for editing (dates as date objects, in item order)."""
    frame = db.df("SELECT * FROM checklist WHERE branch_code = ? ORDER BY item_code", [branch_code])
    for column in ("due_date", "completed_on"):
        if frame.empty:  # an editor needs a date-typed column even without rows
            frame[column] = pd.Series(dtype="datetime64[us]")
        else:
            frame[column] = pd.Series([as_date(v) for v in frame[column]], dtype=object, index=frame.index)
    return frame[CHECKLIST_COLUMNS]


def _clean(value: Any) -> Any:
    """A cell from an edited table as a plain value (NaN/NaT/'' as None, Timestamp as date)."""
    if isinstance(value, str):
        return value.strip() or None
    value = plain(value)
    return value.date() if isinstance(value, datetime) else value


def _same(a: Any, b: Any) -> bool:
    a, b = _clean(a), _clean(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return float(a) == float(b)
    return a == b


def _rows(data: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(data, pd.DataFrame):
        data = data.to_dict("records")
    return [{k: _clean(v) for k, v in dict(r).items()} for r in data]


def _next_codes(branch_code: str, taken: set[str], count: int) -> list[str]:
    codes, n = [], 1
    while len(codes) < count:
        code = f"{branch_code}-{n:02d}"
        if code not in taken:
            codes.append(code)
            taken.add(code)
        n += 1
    return codes


def save_checklist_changes(db: Database, branch_code: str, edited_rows: pd.DataFrame | Iterable[Mapping[str, Any]],
                           original_rows: pd.DataFrame | Iterable[Mapping[str, Any]], today: date | None = None,
                           *, caller: Caller) -> dict[str, int]:
    """Apply a branch's edited checklist: changed rows are updated (optimistically: refused when the
    row changed since it was shown), rows without an item_code (or with a new one) are added with the
    next free code. Every changed row is validated first by the importer's rules, so one bad row
    refuses the whole save and nothing is written. Returns {"updated": n, "added": n}."""
    today = today or date.today()
    shown = {r["item_code"]: r for r in _rows(original_rows) if r.get("item_code")}
    edited = _rows(edited_rows)
    current = {r["item_code"]: r for r in _rows(checklist(db, branch_code))}
    updates: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    new_rows: list[dict[str, Any]] = []
    for position, row in enumerate(edited, start=1):
        code = row.get("item_code")
        if code in shown:
            changes = {c: row.get(c) for c in EDITABLE_COLUMNS if c in row and not _same(row.get(c), shown[code][c])}
            if changes:
                updates.append((shown[code], changes, _("checklist item {code}").format(code=code)))
        elif any(row.get(c) is not None for c in EDITABLE_COLUMNS):
            new_rows.append({**{c: row.get(c) for c in EDITABLE_COLUMNS}, "item_code": code,
                             "branch_code": branch_code, "_position": position})
    # new items: a code typed by the user, else the next free one
    taken = set(current) | {r["item_code"] for r in new_rows if r["item_code"]}
    blanks = [r for r in new_rows if not r["item_code"]]
    for row, code in zip(blanks, _next_codes(branch_code, taken, len(blanks)), strict=True):
        row["item_code"] = code
    # validate everything before writing anything
    errors: list[CellError] = []
    for shown_row, changes, label in updates:
        now = current.get(shown_row["item_code"])
        if now is None:
            raise NotFoundError(edits.not_found(label))
        for column in CHECKLIST_COLUMNS:
            if not _same(shown_row.get(column), now.get(column)):
                raise ConflictError(_("{label}: someone else changed {column} since you loaded it; reload the page "
                                      "and make your change again").format(label=label, column=column))
        merged = {**now, **changes}
        merged = {c: merged[c] for c in CHECKLIST_COLUMNS}
        errors += _check(db, [merged], today, label)
    for row in new_rows:
        label = _("new checklist row {position}").format(position=row.pop("_position"))
        if row["item_code"] in current:
            errors.append(CellError(label, None, "item_code", row["item_code"],
                                    _("already exists (expected a new code)")))
            continue
        errors += _check(db, [{c: row.get(c) for c in CHECKLIST_COLUMNS}], today, label)
    if errors:
        raise ValidationError(errors)
    with edits.edit_batch(db, caller, today) as batch:  # every change commits together or none does
        for shown_row, changes, label in updates:
            batch.update("checklist", {"branch_code": branch_code, "item_code": shown_row["item_code"]}, changes,
                         original={c: shown_row.get(c) for c in CHECKLIST_COLUMNS}, label=label)
        added = 0
        if new_rows:
            added = batch.insert("checklist", [{c: r.get(c) for c in CHECKLIST_COLUMNS} for r in new_rows],
                                 label=_("new checklist row"))
    return {"updated": len(updates), "added": added}


def _check(db: Database, rows: list[dict[str, Any]], today: date, label: str) -> list[CellError]:
    """The importer's rules (types, enums, ranges, row rules, references) on rows, errors labelled."""
    valid, errors = validate_rows("checklist", rows, list(range(1, len(rows) + 1)), today)
    errors += list(broken_references(db, {"checklist": valid}))
    return [CellError(label, None, e.column, e.value, e.expected) for e in errors]


# --- plan from a template -------------------------------------------------------------------------

def pilot_code(db: Database) -> str | None:
    return db.scalar("SELECT branch_code FROM branches WHERE is_pilot ORDER BY branch_code LIMIT 1")


def _template_store(db: Database, source_code: str | None) -> tuple[Database, str | None]:
    """Where a template is read, and its code: the pilot's checklist is every region's template, so it is
    read from the whole store (a regional editor plans from it though the pilot is not in its scope); a
    source branch named by the caller is read through the caller's handle (outside its scope: not found)."""
    if source_code is not None:
        return db, source_code
    return whole(db), pilot_code(whole(db))


def _branch(db: Database, code: str) -> dict[str, Any]:
    frame = db.df("SELECT * FROM branches WHERE branch_code = ?", [code])
    if frame.empty:
        raise NotFoundError(branch_not_found(code))
    return frame.iloc[0].to_dict()


def branch_not_found(code: str) -> str:
    return _("branch {code} does not exist").format(code=repr(code))


def _new_code(item_code: str, source_code: str, branch_code: str) -> str:
    if item_code.startswith(source_code):
        return branch_code + item_code[len(source_code):]
    return item_code


def plan_from_template(db: Database, branch_code: str, source_code: str | None = None, write: bool = True,
                       today: date | None = None, *, caller: Caller | None) -> pd.DataFrame:
    """Copy the pilot's (or source_code's) checklist to a branch: status open, no completion, no owner,
    each due date at the same distance before the branch's planned go-live as it was before the
    source's go-live (actual, else planned). Item codes keep their suffix (PIL-07 -> B11-07); items
    whose code the branch already has are skipped, never overwritten. write=False: preview only.
    Returns the items added (or that would be added). The caller is always named (None only for a preview):
    writing checks and audits it."""
    if write and caller is None:
        raise TypeError("plan_from_template(write=True) needs the caller who writes")
    target = _branch(db, branch_code)
    templates, source_code = _template_store(db, source_code)
    if source_code is None:
        raise RolloutError(_("there is no pilot branch to copy the plan from (choose a source branch)"))
    source = _branch(templates, source_code)
    if source_code == branch_code:
        raise RolloutError(_("branch {code} cannot be its own template (choose another source branch)").format(
            code=branch_code))
    items = templates.df("SELECT * FROM checklist WHERE branch_code = ? ORDER BY item_code", [source_code])
    if items.empty:
        raise RolloutError(_("branch {code} has no checklist items to copy (choose another source branch)").format(
            code=source_code))
    anchor = as_date(source["actual_go_live"]) or as_date(source["planned_go_live"])
    target_go_live = as_date(target["planned_go_live"])
    existing = {r[0] for r in db.rows("SELECT item_code FROM checklist WHERE branch_code = ?", [branch_code])}
    rows = []
    for item in items.to_dict("records"):
        code = _new_code(item["item_code"], source_code, branch_code)
        if code in existing:
            continue
        due = as_date(item["due_date"])
        new_due = target_go_live - (anchor - due) if (due and anchor and target_go_live) else None
        rows.append({"branch_code": branch_code, "item_code": code, "dimension": item["dimension"],
                     "title": item["title"], "owner": None, "due_date": new_due, "weight": float(item["weight"]),
                     "status": "open", "completed_on": None, "gate": bool(item["gate"])})
    if write and rows:
        edits.insert_rows(db, "checklist", rows, caller=caller, today=today,
                          label=_("plan from {code}").format(code=source_code), skip_existing=True)
    return pd.DataFrame(rows, columns=CHECKLIST_COLUMNS)


# --- kick-off rules -------------------------------------------------------------------------------

def _suffix(item_code: str, branch_code: str) -> str:
    return item_code[len(branch_code):] if item_code.startswith(branch_code) else item_code


def kickoff_flags(db: Database, branch_code: str, source_code: str | None = None) -> pd.DataFrame:
    """The seeds' kick-off rules for a branch, as (rule, finding) rows: a planned kick-off on a weekend
    or in the branch's peak months, and kick-off items of the template (the pilot's checklist, or
    source_code's) missing from the branch's checklist (matched by item-code suffix or title)."""
    branch = _branch(db, branch_code)
    found: list[tuple[str, str]] = []
    kickoff = as_date(branch["planned_kickoff"])
    if kickoff is not None:
        if kickoff.weekday() >= 5:
            found.append(("weekend", _("planned kick-off {day} is a {weekday} (hold it on a working day, in the "
                                       "morning)").format(day=kickoff.isoformat(), weekday=format_weekday(kickoff))))
        peaks = peak_month_set(branch["peak_months"] if isinstance(branch["peak_months"], str) else None)
        if kickoff.month in peaks:
            found.append(("peak season", _("planned kick-off {day} falls in the branch's peak months ({months})")
                          .format(day=kickoff.isoformat(), months=", ".join(str(m) for m in sorted(peaks)))))
    templates, template = _template_store(db, source_code)
    if template and template != branch_code:
        wanted = templates.df("SELECT item_code, title FROM checklist WHERE branch_code = ? AND dimension = 'kickoff' "
                       "ORDER BY item_code", [template])
        have = db.df("SELECT item_code, title FROM checklist WHERE branch_code = ?", [branch_code])
        suffixes = {_suffix(c, branch_code) for c in have["item_code"]}
        titles = {str(t).strip().lower() for t in have["title"]}
        for item in wanted.to_dict("records"):
            title = str(item["title"]).strip().lower()
            if _suffix(item["item_code"], template) not in suffixes and title not in titles:
                found.append(("missing kick-off item", _("'{title}' ({code} in {template}'s checklist) is not in "
                                                         "this branch's plan").format(
                    title=item["title"], code=item["item_code"], template=template)))
    return pd.DataFrame(found, columns=["rule", "finding"])

