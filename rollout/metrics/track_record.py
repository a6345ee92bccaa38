"""The forecast's track record (METRICS.md "Forecast track record"): does "80 % sure" come true?

Every week of the past year is replayed as of its own date F_k = D − 7k (k = 1…52) and the forecasts
the app would have shown then (the chance by go-live, the P50 and P80 dates of METRICS.md
"Probabilistic forecast") are checked against what happened by D. Replaying 52 full summaries would
cost 52 summaries; instead SQL reads each branch's weight done per week once (60 weeks: the 52 dates
and the 8-week pace of the oldest), and the 8-week pace of every F_k is that row slid by k weeks. The
normal model is the forecast's own (rollout.metrics.readiness.ready_chance / ready_weeks), vectorised
over every (branch, week), so a replayed forecast is exactly the one probabilistic_forecast gives as of
F_k (tests/metrics/test_track_record.py checks it date by date).

Limits (METRICS.md, said on the Methodology page): today's planned_go_live and checklist stand in for
those of each past week. Over the reader's scope: the handle given (db.scoped(caller)) sees only its
branches.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from rollout.core.i18n import _, format_number, ngettext
from rollout.core.values import is_missing, round1, round_half_up
from rollout.metrics.queries import load_sql
from rollout.metrics.readiness import (
    PACE_WEEKS,
    WeeksDone,
    pace_figures,
    ready_chance,
    ready_weeks,
    status_with_forecast,
    weekly_done,
)
from rollout.store.db import Database

WEEKS = 52              # forecast dates F_k = D − 7k, k = 1…52
NOTE_MIN_DECIDED = 30   # the P80 note needs at least this many decided P80 dates
BINS = 10               # reliability: [0, 10), [10, 20) … [90, 100]
FORECAST_COLUMNS = ["branch_code", "weeks_back", "forecast_on", "planned_go_live", "remaining_weight", "pace_mean",
                    "pace_sd", "p_ready_by_go_live", "ready_p50_on", "ready_p80_on", "ready_on"]
RECORD_FIELDS = ["forecasts", "p50_decided", "p50_coverage", "p80_decided", "p80_coverage", "chance_decided",
                 "brier", "brier_reference", "brier_skill"]
SCORES = {"brier", "brier_reference", "brier_skill"}  # three decimals; the coverages one


def _branches(db: Database, as_of: date, status: pd.DataFrame | None) -> pd.DataFrame:
    """track_record_branches.sql's figures, in branch code order: taken from readiness.status_with_forecast of the
    date when the caller has it, which holds the same figures (its last_completed_on, of the items done as of D,
    is the ready day T wherever T is read: a branch with a plan and nothing remaining has every item it plans
    done as of D)."""
    if status is None:
        return db.run(load_sql("track_record_branches"), {"as_of": as_of})
    branches = status[["branch_code", "planned_go_live", "actual_go_live", "weight_planned", "remaining_weight",
                       "last_completed_on"]]
    if not branches["branch_code"].is_monotonic_increasing:
        branches = branches.sort_values("branch_code")
    return branches.reset_index(drop=True)


def status_and_weeks(db: Database, as_of: date,
                     settings: Mapping[str, float] | None = None) -> tuple[pd.DataFrame, WeeksDone]:
    """readiness.status_with_forecast and the weeks done the track record reads (60), from one reading of the
    weeks (the forecast takes the last 8): for a caller that reads both (the summary, the pack)."""
    weeks = weekly_done(db, as_of, WEEKS + PACE_WEEKS)
    return status_with_forecast(db, as_of, settings, weeks), weeks


def forecasts(db: Database, as_of: date, status: pd.DataFrame | None = None,
              done: WeeksDone | None = None) -> pd.DataFrame:
    """Every forecast of the last 52 weeks: one row per (branch, F_k) whose probabilistic forecast as of
    F_k has R > 0 and μ > 0 (not live on F_k, with a plan, not stalled).

    Columns: branch_code, weeks_back (k), forecast_on (F_k), planned_go_live, remaining_weight (R as of
    F_k), pace_mean, pace_sd, p_ready_by_go_live (c_k, percent, unrounded; null without a planned date),
    ready_p50_on, ready_p80_on (NaT: none within 260 weeks), ready_on (the branch's ready day T on D, or
    NaT). In branch code order, then the newest forecast first. `status`: readiness.status_with_forecast of
    the date when the caller has it (the summary, the pack): its branch figures are not read again. `done`:
    readiness.weekly_done of the date over 60 weeks, likewise (its weeks are matched to the branches by code)."""
    branches = _branches(db, as_of, status)
    codes = pd.Index(branches["branch_code"].astype(str))
    weeks = weekly_done(db, as_of, WEEKS + PACE_WEEKS) if done is None else done
    done = weeks.rows_for(codes, WEEKS + PACE_WEEKS)
    d = pd.Timestamp(as_of)
    k = np.arange(1, WEEKS + 1)

    # the pace of F_k is weeks k + 1 … k + 8; R as of F_k is R as of D plus the weight done in weeks 1…k
    pace = np.lib.stride_tricks.sliding_window_view(done[:, 1:], PACE_WEEKS, axis=1)[:, 1:WEEKS + 1, :]
    remaining_today = branches["remaining_weight"].to_numpy(dtype=float)
    remaining = remaining_today[:, None] + np.cumsum(done[:, 1:WEEKS + 1], axis=1)

    forecast_on = d - pd.to_timedelta(7 * k, unit="D")
    actual = pd.to_datetime(branches["actual_go_live"]).to_numpy()
    live = actual[:, None] <= forecast_on.to_numpy()[None, :]  # NaT compares False: never live
    has_plan = branches["weight_planned"].to_numpy(dtype=float) > 0
    # μ > 0 exactly when any of the eight weeks had weight done: the model runs on the forecasts only. The
    # weeks with any done are counted per window from a running count (a max over the strided windows took
    # 0.15 s at 10,000 branches)
    weeks_done = np.concatenate([np.zeros((len(codes), 1)), np.cumsum(done[:, 1:] > 0, axis=1)], axis=1)
    paced = weeks_done[:, PACE_WEEKS + 1:WEEKS + PACE_WEEKS + 1] - weeks_done[:, 1:WEEKS + 1] > 0
    rows, cols = np.nonzero(has_plan[:, None] & ~live & (remaining > 0) & paced)
    mean, sd = pace_figures(pace[rows, cols, :])

    planned = pd.to_datetime(branches["planned_go_live"])
    weeks_to_go_live = np.floor((planned - d).dt.days.to_numpy(dtype=float) / 7)[rows] + k[cols]  # K as of F_k
    chance = np.full(len(rows), np.nan)
    dated = ~np.isnan(weeks_to_go_live)
    chance[dated] = 100.0 * ready_chance(remaining[rows, cols][dated], mean[dated], sd[dated],
                                         weeks_to_go_live[dated])

    frame = pd.DataFrame({"branch_code": codes[rows], "weeks_back": k[cols], "forecast_on": forecast_on[cols],
                          "planned_go_live": planned.to_numpy()[rows], "remaining_weight": remaining[rows, cols],
                          "pace_mean": mean, "pace_sd": sd, "p_ready_by_go_live": chance})
    for level, weeks in ready_weeks(frame["remaining_weight"], frame["pace_mean"], frame["pace_sd"]).items():
        days = pd.to_timedelta(np.where(weeks > 0, 7 * weeks, 0), unit="D")
        frame[f"ready_p{level}_on"] = (frame["forecast_on"] + days).where(weeks > 0)
    last = pd.to_datetime(branches["last_completed_on"])
    ready_on = last.where(has_plan & (remaining_today <= 0))  # the ready day T, NaT when not ready on D
    frame["ready_on"] = ready_on.to_numpy()[rows]
    return frame[FORECAST_COLUMNS]


def outcomes(frame: pd.DataFrame, as_of: date) -> dict[str, pd.Series]:
    """Per forecast: which of its figures are decided on D and which came true (boolean Series):
    p50_decided, p50_true, p80_decided, p80_true, chance_decided, chance_true (o = 1)."""
    d, ready = pd.Timestamp(as_of), frame["ready_on"]
    found = {}
    for level in (50, 80):
        on = frame[f"ready_p{level}_on"]
        found[f"p{level}_decided"] = on.notna() & (on <= d)
        found[f"p{level}_true"] = found[f"p{level}_decided"] & ready.notna() & (ready <= on)
    planned = pd.to_datetime(frame["planned_go_live"])
    found["chance_decided"] = frame["p_ready_by_go_live"].notna() & planned.notna() & (planned <= d)
    found["chance_true"] = ready.notna() & planned.notna() & (ready <= planned)
    return found


def track_record(db: Database, as_of: date, frame: pd.DataFrame | None = None,
                 status: pd.DataFrame | None = None, done: WeeksDone | None = None) -> dict[str, Any]:
    """METRICS.md "Forecast track record" figures, unrounded (summary_fields rounds): forecasts,
    p50_decided, p50_coverage, p80_decided, p80_coverage (percent, None when nothing is decided),
    chance_decided, brier, brier_reference, brier_skill (None without decided chances; the skill also
    when the reference is 0). `frame`: forecasts(db, as_of) when the caller has it; else `status` and `done` as
    in forecasts."""
    frame = forecasts(db, as_of, status, done) if frame is None else frame
    found = outcomes(frame, as_of)
    record: dict[str, Any] = {"forecasts": len(frame)}
    for level in (50, 80):
        decided = int(found[f"p{level}_decided"].sum())
        record[f"p{level}_decided"] = decided
        record[f"p{level}_coverage"] = 100.0 * int(found[f"p{level}_true"].sum()) / decided if decided else None
    decided = found["chance_decided"]
    chance = frame.loc[decided, "p_ready_by_go_live"].to_numpy(dtype=float) / 100
    came = found["chance_true"][decided].to_numpy(dtype=float)
    record["chance_decided"] = len(chance)
    brier = reference = skill = None
    if len(chance):
        brier = float(np.mean((chance - came) ** 2))
        share = float(came.mean())
        reference = share * (1 - share)
        skill = 1 - brier / reference if reference > 0 else None
    record.update(brier=brier, brier_reference=reference, brier_skill=skill)
    return record


def summary_fields(db: Database, as_of: date, status: pd.DataFrame | None = None,
                   done: WeeksDone | None = None) -> dict[str, Any]:
    """The summary's forecast_track_record: coverages to 1 decimal, scores to 3 (half away from zero).
    `status` and `done` as in forecasts."""
    record = track_record(db, as_of, status=status, done=done)
    return {field: None if is_missing(record[field]) else
            round_half_up(record[field], 3) if field in SCORES else
            round1(record[field]) if field.endswith("_coverage") else int(record[field])
            for field in RECORD_FIELDS}


def reliability(frame: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The reliability diagram's points: decided chances in ten bins by c_k ([0, 10) … [90, 100]).

    Columns: bin_from, bin_to (percent), forecasts (count), mean_chance (mean c_k, percent), came_true
    (share with o = 1, percent); every bin listed, the empty ones with 0 and nulls."""
    found = outcomes(frame, as_of)
    decided = frame.loc[found["chance_decided"], ["p_ready_by_go_live"]].assign(
        came=found["chance_true"][found["chance_decided"]].astype(float))
    decided["bin"] = np.minimum(np.floor(decided["p_ready_by_go_live"] / (100 / BINS)), BINS - 1).astype(int)
    grouped = decided.groupby("bin").agg(forecasts=("came", "size"), mean_chance=("p_ready_by_go_live", "mean"),
                                         came_true=("came", "mean"))
    grouped = grouped.reindex(range(BINS))
    return pd.DataFrame({"bin_from": [10 * b for b in range(BINS)], "bin_to": [10 * (b + 1) for b in range(BINS)],
                         "forecasts": grouped["forecasts"].fillna(0).astype(int).to_numpy(),
                         "mean_chance": grouped["mean_chance"].to_numpy(dtype=float),
                         "came_true": 100 * grouped["came_true"].to_numpy(dtype=float)})


def reliability_bins(db: Database, as_of: date) -> pd.DataFrame:
    """The reliability diagram's bins (reliability) of the forecasts of the 52 weeks before as_of."""
    return reliability(forecasts(db, as_of), as_of)


def p80_note(record: Mapping[str, Any], settings: Mapping[str, float]) -> str | None:
    """METRICS.md: when P80 decided >= 30 and P80 coverage < 70 (*default*), the note every P80 date
    shown carries ("P80 dates have come true {coverage} % of the time"); None otherwise."""
    coverage = record.get("p80_coverage")
    if is_missing(coverage) or int(record.get("p80_decided") or 0) < NOTE_MIN_DECIDED:
        return None
    if coverage >= float(settings["track_record_note_below"]):
        return None
    return _("P80 dates have come true {coverage} % of the time").format(
        coverage=format_number(round1(coverage), 1, trim=True))


def headline(record: Mapping[str, Any]) -> str | None:
    """One line for the Portfolio and the pack: "P80 dates came true 53 % of the time over 1,117 past
    forecasts"; None while no P80 date is decided."""
    coverage, decided = record.get("p80_coverage"), int(record.get("p80_decided") or 0)
    if is_missing(coverage) or not decided:
        return None
    return ngettext("P80 dates came true {coverage} % of the time over {count} past forecast",
                    "P80 dates came true {coverage} % of the time over {count} past forecasts", decided).format(
        coverage=format_number(round1(coverage), 1, trim=True), count=format_number(decided))
