"""METRICS.md "Forecast track record" against hand-checked cases, on both engines (db_factory), and the
replay against the forecast itself: every replayed forecast is the one probabilistic_forecast gives as of
its own date.

The store (tests/track_cases.py) holds three branches, each a case of the issue:
- ON_TIME: a forecast decided on the as-of day itself;
- NEVER: a branch never ready;
- EARLY: a branch ready before its P50 (and ELSEWHERE, out of the reader's scope).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from statistics import NormalDist

import pandas as pd
import pytest
from track_cases import BRANCHES, CHECKLIST, REGIONS, D, day, never_early_weeks

from rollout.core.access import Caller
from rollout.core.i18n import use_language
from rollout.metrics import readiness, track_record
from rollout.metrics.summary import summary
from rollout.store.settings import get_settings

PHI = NormalDist().cdf


@pytest.fixture
def store(db_factory):
    return db_factory(regions=REGIONS, branches=BRANCHES, checklist=CHECKLIST)


@pytest.mark.slow
def test_hand_checked_cases(store) -> None:
    db = store.scoped(Caller("reader", "viewer", frozenset({"R"})))  # ELSEWHERE is out of the reader's scope
    frame = track_record.forecasts(db, D)
    assert "ELSEWHERE" not in set(frame["branch_code"])
    rows = {(r["branch_code"], r["weeks_back"]): r for r in frame.to_dict("records")}
    on = pd.Timestamp

    # a forecast decided on the as-of day itself, and it came true on that day
    on_time = [rows[("ON_TIME", k)] for k in range(1, 53)]
    assert all(r["remaining_weight"] == r["weeks_back"] and r["pace_mean"] == 1 and r["pace_sd"] == 0 for r in on_time)
    assert all(r["ready_p50_on"] == on(D) and r["ready_p80_on"] == on(D) and r["ready_on"] == on(D) for r in on_time)
    assert all(r["p_ready_by_go_live"] == 100 for r in on_time)

    # a branch never ready: its P80 dates of k >= 8 passed on D − 49 and none came true
    never = {k: rows[("NEVER", k)] for k in range(1, 53)}
    assert all(pd.isna(r["ready_on"]) for r in never.values())
    assert all(never[k]["ready_p80_on"] == on(day(-49)) and never[k]["remaining_weight"] == k - 7 for k in range(8, 53))
    # k = 4: μ = σ = 0.5, R = 1; week 3: z = (1 − 1.5) / (0.5 √3) = −0.577 > −0.8416, week 4: z = −1 -> P80 = D
    assert never[4]["ready_p80_on"] == on(D)
    # k = 3: μ = 0.375, P50 = F_3 + 7 ceil(1 / 0.375) = D − 21 + 21 = D; k = 2: D − 14 + 28 = D + 14, not decided
    assert never[3]["ready_p50_on"] == on(D) and never[2]["ready_p50_on"] == on(day(14))
    # k = 1: μ = 1/8, σ = √7 / 8; P80 at week 18 (√m = (0.8416 σ + √((0.8416 σ)² + 4 μ)) / (2 μ) = 4.15)
    assert never[1]["ready_p80_on"] == on(day(-7 + 7 * 18))
    # chance by D − 30: K = floor((7k − 30) / 7); k <= 5 gives K <= 0 (0); k = 6, 7 by the normal model
    mean6, sd6 = never_early_weeks(6)
    mean7, sd7 = never_early_weeks(7)
    chance = {k: 0.0 for k in range(1, 6)} | {6: 100 * (1 - PHI((1 - mean6) / sd6)),
                                               7: 100 * (1 - PHI((1 - 2 * mean7) / (sd7 * math.sqrt(2))))}
    chance |= {k: 100.0 for k in range(8, 53)}
    assert all(math.isclose(never[k]["p_ready_by_go_live"], chance[k], abs_tol=1e-9) for k in range(1, 53))

    # a branch ready before its P50: finished D − 70, forecast D − 56; no forecast once nothing remained
    early = [r for r in frame.to_dict("records") if r["branch_code"] == "EARLY"]
    assert sorted(r["weeks_back"] for r in early) == list(range(11, 53))
    assert all(r["ready_p50_on"] == on(day(-56)) and r["ready_on"] == on(day(-70)) for r in early)
    assert all(r["p_ready_by_go_live"] == 0 for r in early)

    # the figures: P50 decided 52 + (45 + 5: k = 3…7) + 42, true 52 + 42; P80 52 + (45 + 4: k = 4…7) + 42
    record = track_record.track_record(db, D)
    assert record["forecasts"] == 52 + 52 + 42
    assert record["p50_decided"] == 144 and math.isclose(record["p50_coverage"], 100 * 94 / 144)
    assert record["p80_decided"] == 143 and math.isclose(record["p80_coverage"], 100 * 94 / 143)
    outcome = [1.0] * 52 + [0.0] * 52 + [1.0] * 42
    chances = [1.0] * 52 + [chance[k] / 100 for k in range(1, 53)] + [0.0] * 42
    brier = sum((c - o) ** 2 for c, o in zip(chances, outcome, strict=True)) / 146
    share = sum(outcome) / 146
    assert record["chance_decided"] == 146 and math.isclose(record["brier"], brier)
    assert math.isclose(record["brier_reference"], share * (1 - share))
    assert math.isclose(record["brier_skill"], 1 - brier / (share * (1 - share)))

    # the summary's JSON: coverages to 1 decimal, scores to 3
    fields = summary(db, D)["forecast_track_record"]
    assert fields == {"forecasts": 146, "p50_decided": 144, "p50_coverage": 65.3, "p80_decided": 143,
                      "p80_coverage": 65.7, "chance_decided": 146, "brier": round(brier, 3),
                      "brier_reference": round(share * (1 - share), 3),
                      "brier_skill": round(1 - brier / (share * (1 - share)), 3)}

    # reliability: chance 100 in the last bin (52 true of 52 + 45 false), 0 in the first (k <= 5 and EARLY)
    bins = track_record.reliability(frame, D)
    assert list(bins["forecasts"]) == [5 + 42, 0, 1, 0, 0, 0, 0, 0, 0, 97 + 1]
    assert math.isclose(bins["came_true"].iloc[0], 100 * 42 / 47)
    assert math.isclose(bins["came_true"].iloc[9], 100 * 52 / 98)
    assert pd.isna(bins["mean_chance"].iloc[1]) and math.isclose(bins["mean_chance"].iloc[2], chance[6])

    # the note beside P80 dates: 143 decided, 65.7 % < 70 %
    settings = get_settings(db)
    with use_language("en"):
        assert track_record.p80_note(record, settings) == "P80 dates have come true 65.7 % of the time"
        assert track_record.headline(record) == "P80 dates came true 65.7 % of the time over 143 past forecasts"
    assert track_record.p80_note(record, {**settings, "track_record_note_below": 60}) is None
    assert track_record.p80_note({**record, "p80_decided": 29}, settings) is None


@pytest.mark.slow
def test_whole_store_and_nothing_decided(store) -> None:
    record = track_record.track_record(store, D)
    assert record["forecasts"] == 146 + 52 and record["p80_decided"] == 143 + 52
    # a year before: nothing decided yet (every P80 date lies after that as-of)
    early = track_record.track_record(store, day(-420))
    assert early["p80_decided"] == 0 and early["p80_coverage"] is None and early["chance_decided"] == 0
    assert early["brier"] is None and early["brier_skill"] is None and track_record.headline(early) is None


@pytest.mark.slow
def test_replay_is_the_forecast_of_each_week(sample_db) -> None:
    """Every (branch, F_k) forecast equals probabilistic_forecast as of F_k, and no forecast is missed."""
    for as_of in (date(2026, 11, 22), date(2026, 9, 15)):
        frame = track_record.forecasts(sample_db, as_of)
        for k in range(1, 53):
            replay = readiness.probabilistic_forecast(sample_db, as_of - timedelta(weeks=k))
            replay = replay[~replay["is_live"] & replay["has_plan"] & (replay["remaining_weight"] > 0)
                            & (replay["pace_mean"] > 0)].set_index("branch_code")
            ours = frame[frame["weeks_back"] == k].set_index("branch_code")
            assert sorted(ours.index) == sorted(replay.index), (as_of, k)
            for column in ("remaining_weight", "pace_mean", "pace_sd", "p_ready_by_go_live"):
                pd.testing.assert_series_equal(ours[column].astype(float), replay.loc[ours.index, column].astype(float),
                                               check_names=False, atol=1e-9)
            for column in ("ready_p50_on", "ready_p80_on"):
                assert list(ours[column]) == list(replay.loc[ours.index, column]), (as_of, k, column)


# The public sample's expected forecast_track_record (../shared/samples/expected_summary_*.json of
# 2026-12-04; tests/fixtures/ holds the earlier copy, whose workbook has the same checklist and branches).
SAMPLE_RECORDS = {
    date(2026, 9, 15): {"forecasts": 26, "p50_decided": 13, "p50_coverage": 100.0, "p80_decided": 10,
                        "p80_coverage": 100.0, "chance_decided": 19, "brier": 0.673, "brier_reference": 0.0,
                        "brier_skill": None},
    date(2026, 11, 22): {"forecasts": 60, "p50_decided": 16, "p50_coverage": 100.0, "p80_decided": 12,
                         "p80_coverage": 100.0, "chance_decided": 19, "brier": 0.646, "brier_reference": 0.0,
                         "brier_skill": None},
}


@pytest.mark.slow
@pytest.mark.parametrize("as_of", list(SAMPLE_RECORDS), ids=str)
def test_public_sample_track_record(sample_db, as_of: date) -> None:
    assert track_record.summary_fields(sample_db, as_of) == SAMPLE_RECORDS[as_of]


def test_an_empty_store_has_no_record() -> None:
    from support import make_db

    db = make_db(":memory:", regions=REGIONS, branches=[BRANCHES[0]])  # a branch without a checklist
    assert track_record.summary_fields(db, D) == {"forecasts": 0, "p50_decided": 0, "p50_coverage": None,
                                                  "p80_decided": 0, "p80_coverage": None, "chance_decided": 0,
                                                  "brier": None, "brier_reference": None, "brier_skill": None}
    assert list(track_record.reliability_bins(db, D)["forecasts"]) == [0] * 10


@pytest.mark.slow
@pytest.mark.parametrize("as_of", [D, day(-60), day(-420)], ids=str)
def test_the_status_given_reads_the_same_forecasts(store, as_of: date) -> None:
    """The summary and the pack hand the status they read to the track record instead of its own branch query
    (track_record_branches.sql), and one reading of the weeks done to both the forecast (its last 8) and the
    track record (60): every forecast is the same."""
    status = readiness.status_with_forecast(store, as_of)
    pd.testing.assert_frame_equal(track_record.forecasts(store, as_of, status), track_record.forecasts(store, as_of))
    assert track_record.track_record(store, as_of, status=status) == track_record.track_record(store, as_of)
    weeks = readiness.weekly_done(store, as_of, track_record.WEEKS + readiness.PACE_WEEKS)
    assert list(weeks.codes) == sorted(status["branch_code"]) and weeks.done.shape == (len(status), 61)
    assert (weeks.done[:, 1:].sum() > 0) == (as_of > day(-420))  # nothing done a year back
    pd.testing.assert_frame_equal(readiness.status_with_forecast(store, as_of, done=weeks), status)
    pd.testing.assert_frame_equal(track_record.forecasts(store, as_of, status, weeks),
                                  track_record.forecasts(store, as_of))
    with pytest.raises(ValueError, match="60 weeks asked of a reading of 8"):
        track_record.forecasts(store, as_of, status, readiness.weekly_done(store, as_of))


@pytest.mark.slow  # near the 1 s budget on a slow hour of this machine (CI run, 2026-12-05)
def test_weeks_are_matched_to_branches_by_code(store) -> None:
    """The weeks done and the branch figures come from two queries: a branch the weeks' reading did not see (added
    between them) has none done, and every other branch keeps its own weeks, never its neighbour's."""
    weeks = readiness.weekly_done(store, D, 60)
    codes = list(weeks.codes)
    worked = [i for i in range(len(codes)) if weeks.done[i].any()]
    first = worked[0]
    second = next(i for i in worked if (weeks.done[i] != weeks.done[first]).any())  # weeks unlike the first's
    rows = weeks.rows_for(pd.Series([codes[second], "NEW", codes[first]]), 60)
    assert rows.shape == (3, 61) and not rows[1].any()
    assert (rows[0] == weeks.done[second]).all() and (rows[2] == weeks.done[first]).all()
    # a status of some branches only: the same forecast for each of them
    status = readiness.status_with_forecast(store, D)
    some = status.iloc[::2].reset_index(drop=True)
    mine = readiness.probabilistic_forecast(store, D, readiness.statuses(store, D).iloc[::2], weeks)
    every = readiness.probabilistic_forecast(store, D)
    pd.testing.assert_frame_equal(mine.reset_index(drop=True),
                                  every[every["branch_code"].isin(some["branch_code"])].reset_index(drop=True))
