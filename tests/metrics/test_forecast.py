"""METRICS.md "Probabilistic forecast": the chance of being ready by the planned go-live and the P50 / P80
ready dates, against hand-computed values (the worked example of METRICS.md first), and its laws
(the chance never falls as the planned date moves later; P80 is never before P50)."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rollout.metrics import readiness
from rollout.metrics.summary import round1, summary

from support import examples, make_db

D = date(2026, 11, 22)
REGIONS = [{"region_code": "R", "region_name": "Region"}]


def days(n: int) -> date:
    return D + timedelta(days=n)


def branch(code: str, go_live: int | None = None, **extra) -> dict:
    return {"branch_code": code, "branch_name": f"Branch {code}", "region_code": "R",
            "planned_go_live": None if go_live is None else days(go_live), **extra}


def plan(code: str, weekly: list[float], remaining: float, earlier: float = 0) -> list[dict]:
    """A checklist whose last 8 weeks completed `weekly` (most recent first; each week's weight done
    on its middle day), `earlier` weight done before the window, and `remaining` weight open."""
    rows = []
    for j, weight in enumerate(weekly, start=1):
        if weight:
            rows.append({"completed_on": days(-7 * j + 4), "weight": weight, "status": "done"})
    if earlier:
        rows.append({"completed_on": days(-100), "weight": earlier, "status": "done"})
    if remaining:
        rows.append({"completed_on": None, "weight": remaining, "status": "open"})
    return [{"branch_code": code, "item_code": f"{code}-{n:02d}", "dimension": "data", "title": f"task {n}", **r}
            for n, r in enumerate(rows, start=1)]


def figures(branches: list[dict], checklist: list[dict], as_of: date = D) -> dict[str, dict]:
    db = make_db(":memory:", regions=REGIONS, branches=branches, checklist=checklist)
    frame = readiness.probabilistic_forecast(db, as_of)
    return {row["branch_code"]: row for row in frame.to_dict("records")}


def on(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


# --- METRICS.md's worked example -------------------------------------------------------------------

def test_worked_example_of_metrics_md() -> None:
    # weeks (most recent first) 2, 0, 1, 0, 3, 0, 2, 0; R = 10; planned go-live D + 30 days.
    # μ = 1.0, σ = √1.25; K = floor(30 / 7) = 4; P = 1 − Φ((10 − 4) / (√1.25 × 2)) = 1 − Φ(2.683) ≈ 0.0036.
    row = figures([branch("A", 30)], plan("A", [2, 0, 1, 0, 3, 0, 2, 0], 10, earlier=5))["A"]
    assert [row[f"w{j}"] for j in range(1, 9)] == [2, 0, 1, 0, 3, 0, 2, 0]  # the older 5 is outside the window
    assert row["pace_mean"] == 1.0 and math.isclose(row["pace_sd"], math.sqrt(1.25), rel_tol=1e-12)
    assert row["weeks_to_go_live"] == 4 and row["weeks_with_progress"] == 4 and row["trusted"]
    expected = 100 * (1 - NormalDist().cdf(6 / (math.sqrt(1.25) * 2)))
    assert math.isclose(row["p_ready_by_go_live"], expected, rel_tol=1e-9)
    assert 0.36 < row["p_ready_by_go_live"] < 0.37 and round1(row["p_ready_by_go_live"]) == 0.4
    assert on(row["ready_p50_on"]) == days(70)   # k = 10: 10 × 1.0 >= 10
    assert on(row["ready_p80_on"]) == days(98)   # k = 14, not 13 (see the boundary below)
    # the boundary: at k = 13 the chance is just below 0.8, at k = 14 above it
    chances = readiness.ready_chance(10, 1.0, math.sqrt(1.25), np.array([9, 10, 13, 14]))
    assert chances[0] < 0.5 <= chances[1] and chances[2] < 0.8 <= chances[3]
    assert math.isclose((10 - 13) / (math.sqrt(1.25) * math.sqrt(13)), -0.744, abs_tol=1e-3)
    # in the summary JSON: rounded to 1 decimal, dates as text
    db = make_db(":memory:", regions=REGIONS, branches=[branch("A", 30)],
                 checklist=plan("A", [2, 0, 1, 0, 3, 0, 2, 0], 10, earlier=5))
    out = summary(db, D)["branches"][0]
    assert (out["p_ready_by_go_live"], out["ready_p50_on"], out["ready_p80_on"]) == (0.4, "2027-01-31", "2027-02-28")


def test_weeks_are_the_eight_half_open_weeks_ending_on_d() -> None:
    # week j is (D − 7j, D − 7(j − 1)]: D and D − 6 are week 1, D − 7 is week 2, D − 55 week 8,
    # D − 56 is outside; an item completed after D is not done yet (it is remaining).
    rows = [(0, 1), (-6, 2), (-7, 4), (-55, 8), (-56, 16), (3, 32)]
    checklist = [{"branch_code": "A", "item_code": f"A-{n}", "dimension": "data", "title": "t", "weight": w,
                  "status": "done", "completed_on": days(offset)} for n, (offset, w) in enumerate(rows)]
    row = figures([branch("A", 60)], checklist)["A"]
    assert [row[f"w{j}"] for j in range(1, 9)] == [3, 4, 0, 0, 0, 0, 0, 8]
    assert row["remaining_weight"] == 32 and row["weeks_with_progress"] == 3 and not row["trusted"]


# --- hand-computed cases ------------------------------------------------------------------------------

def test_steady_pace_is_a_step_from_0_to_100() -> None:
    # 20 a week, every week: μ = 20, σ = 0; R = 100 is reached in week 5 exactly.
    weekly = [20] * 8
    found = figures([branch("A", 35), branch("B", 34), branch("C")],
                    plan("A", weekly, 100) + plan("B", weekly, 100) + plan("C", weekly, 100))
    assert found["A"]["pace_sd"] == 0.0
    assert found["A"]["p_ready_by_go_live"] == 100.0   # K = 5: 5 × 20 >= 100
    assert found["B"]["p_ready_by_go_live"] == 0.0     # K = 4: 80 < 100
    assert found["C"]["p_ready_by_go_live"] is None or pd.isna(found["C"]["p_ready_by_go_live"])  # no planned date
    for code in "ABC":
        assert on(found[code]["ready_p50_on"]) == on(found[code]["ready_p80_on"]) == days(35)
    step = readiness.ready_chance(100, 20, 0, np.arange(1, 9))
    assert list(step) == [0, 0, 0, 0, 1, 1, 1, 1]


def test_steady_pace_with_float_noise_is_still_steady() -> None:
    # 0.1 a week: the mean of eight 0.1 is not exactly 0.1 in binary, but σ is 0 and 8 weeks finish 0.8.
    row = figures([branch("A", 56)], plan("A", [0.1] * 8, 0.8))["A"]
    assert row["pace_sd"] == 0.0 and row["p_ready_by_go_live"] == 100.0
    assert on(row["ready_p50_on"]) == on(row["ready_p80_on"]) == days(56)


def test_lumpy_pace_with_the_same_mean_has_a_lower_chance_and_the_same_p50() -> None:
    # "finished 160 last month and none since": weeks 0, 0, 0, 160, 0, 0, 0, 0. μ = 20 as for the steady
    # 20 a week, σ = √((140² + 7 × 20²) / 8) = √2800 ≈ 52.92. R = 100, planned go-live D + 42 (K = 6):
    # steady: 6 × 20 >= 100, chance 100; lumpy: 1 − Φ((100 − 120) / (52.92 √6)) = 1 − Φ(−0.1543) ≈ 56.1.
    # P50: the smallest k with kμ >= R, k = 5 for both. P80: steady 5; lumpy 14, since
    # (100 − 260) / (52.92 √13) ≈ −0.839 > −0.8416 but (100 − 280) / (52.92 √14) ≈ −0.909.
    found = figures([branch("S", 42), branch("L", 42)],
                    plan("S", [20] * 8, 100) + plan("L", [0, 0, 0, 160, 0, 0, 0, 0], 100))
    steady, lumpy = found["S"], found["L"]
    assert steady["pace_mean"] == lumpy["pace_mean"] == 20.0
    assert math.isclose(lumpy["pace_sd"], math.sqrt(2800), rel_tol=1e-12)
    assert steady["p_ready_by_go_live"] == 100.0
    expected = 100 * (1 - NormalDist().cdf(-20 / (math.sqrt(2800) * math.sqrt(6))))
    assert math.isclose(lumpy["p_ready_by_go_live"], expected, rel_tol=1e-9)
    assert round1(lumpy["p_ready_by_go_live"]) == 56.1
    assert on(steady["ready_p50_on"]) == on(lumpy["ready_p50_on"]) == days(35)
    assert on(steady["ready_p80_on"]) == days(35) and on(lumpy["ready_p80_on"]) == days(98)
    assert lumpy["weeks_with_progress"] == 1 and not lumpy["trusted"]  # say so beside the figure


def test_stalled_branch_has_chance_0_and_no_dates() -> None:
    # work done only before the window, 5 still open: μ = 0 -> chance 0 with a planned date, null without
    found = figures([branch("A", 200), branch("B")],
                    plan("A", [0] * 8, 5, earlier=3) + plan("B", [0] * 8, 5, earlier=3))
    assert found["A"]["stalled"] and found["A"]["p_ready_by_go_live"] == 0.0
    assert pd.isna(found["B"]["p_ready_by_go_live"])
    for code in "AB":
        assert pd.isna(found[code]["ready_p50_on"]) and pd.isna(found[code]["ready_p80_on"])
        assert found[code]["weeks_with_progress"] == 0
    assert list(readiness.ready_chance(5, 0, 0, [1, 10, 1000])) == [0, 0, 0]


def test_nothing_remaining_is_100_and_dated_the_last_completion() -> None:
    # every item done (the last on D − 10): chance 100, P50 = P80 = D − 10, even with the planned date passed
    checklist = plan("A", [0, 3, 0, 0, 0, 0, 0, 0], 0, earlier=2) + plan("B", [0, 3, 0, 0, 0, 0, 0, 0], 0) \
        + plan("C", [0, 3, 0, 0, 0, 0, 0, 0], 0)
    found = figures([branch("A", 40), branch("B", -20), branch("C")], checklist)
    for code in "ABC":
        assert on(found[code]["ready_p50_on"]) == on(found[code]["ready_p80_on"]) == days(-10)
    assert found["A"]["p_ready_by_go_live"] == found["B"]["p_ready_by_go_live"] == 100.0
    assert pd.isna(found["C"]["p_ready_by_go_live"])  # no planned date: no chance


def test_planned_go_live_passed_or_today_gives_0() -> None:
    # K <= 0: a planned date that has passed (K = −2) or is today (K = 0) gives 0, whatever the pace
    weekly = [50] * 8
    found = figures([branch("A", -10), branch("B", 0)], plan("A", weekly, 1) + plan("B", weekly, 1))
    assert found["A"]["weeks_to_go_live"] == -2 and found["B"]["weeks_to_go_live"] == 0
    assert found["A"]["p_ready_by_go_live"] == found["B"]["p_ready_by_go_live"] == 0.0
    assert on(found["A"]["ready_p50_on"]) == days(7)  # the dates still say when it will be ready


def test_planned_go_live_in_less_than_a_week_gives_0_and_in_a_week_counts_one_week() -> None:
    # D + 6: no whole week ends on or before it (K = 0): 0, however little remains. D + 7: K = 1.
    weekly = [50] * 8
    found = figures([branch("A", 6), branch("B", 7)], plan("A", weekly, 1) + plan("B", weekly, 1))
    assert found["A"]["weeks_to_go_live"] == 0 and found["A"]["p_ready_by_go_live"] == 0.0
    assert found["B"]["weeks_to_go_live"] == 1 and found["B"]["p_ready_by_go_live"] == 100.0


def test_p80_beyond_260_weeks_is_null() -> None:
    # one weight 1 in the 8 weeks: μ = 0.125, σ = √0.109375 ≈ 0.3307; R = 30. P50: k = 30 / 0.125 = 240
    # (within 260). P80: 0.125 k − 0.8416 × 0.3307 √k >= 30 first at k = 278 > 260: null.
    # With R = 40, P50 itself (k = 320) is beyond 260: null too.
    found = figures([branch("A", 100), branch("B", 100)],
                    plan("A", [1, 0, 0, 0, 0, 0, 0, 0], 30) + plan("B", [1, 0, 0, 0, 0, 0, 0, 0], 40))
    assert on(found["A"]["ready_p50_on"]) == days(7 * 240)
    assert pd.isna(found["A"]["ready_p80_on"])
    assert pd.isna(found["B"]["ready_p50_on"]) and pd.isna(found["B"]["ready_p80_on"])
    weeks = readiness.ready_weeks([30], [0.125], [math.sqrt(0.109375)])
    assert (weeks[50][0], weeks[80][0]) == (240, 0)
    assert readiness.ready_chance(30, 0.125, math.sqrt(0.109375), 278) >= 0.8 > readiness.ready_chance(
        30, 0.125, math.sqrt(0.109375), 277)


def test_live_and_no_plan_are_null() -> None:
    branches = [branch("L", -30, actual_go_live=days(-30)), branch("N", 30), branch("W", 30)]
    checklist = [*plan("L", [1] * 8, 3), {"branch_code": "W", "item_code": "W-1", "dimension": "data",
                                          "title": "t", "status": "waived"}]
    found = figures(branches, checklist)
    for code in "LNW":
        assert pd.isna(found[code]["p_ready_by_go_live"]), code
        assert pd.isna(found[code]["ready_p50_on"]) and pd.isna(found[code]["ready_p80_on"]), code


def test_waived_items_count_nowhere_and_same_data_same_answer() -> None:
    checklist = [*plan("A", [2, 0, 1, 0, 3, 0, 2, 0], 10),
                 {"branch_code": "A", "item_code": "A-99", "dimension": "data", "title": "t", "weight": 50,
                  "status": "waived"}]
    db = make_db(":memory:", regions=REGIONS, branches=[branch("A", 30)], checklist=checklist)
    first = readiness.probabilistic_forecast(db, D)
    pd.testing.assert_frame_equal(first, readiness.probabilistic_forecast(db, D))  # computed, not sampled
    assert first.loc[0, "remaining_weight"] == 10 and round1(first.loc[0, "p_ready_by_go_live"]) == 0.4


def test_replaying_a_past_date_uses_what_was_known_then() -> None:
    # as of D − 14, the item completed on D − 3 was not done yet: the pace then is the older weeks only
    checklist = plan("A", [4, 0, 2, 2, 0, 0, 0, 0], 4)
    found = figures([branch("A", 30)], checklist, as_of=days(-14))
    assert [found["A"][f"w{j}"] for j in range(1, 9)] == [2, 2, 0, 0, 0, 0, 0, 0]
    assert found["A"]["remaining_weight"] == 8


# --- the fan and the go-lives at risk ---------------------------------------------------------------

def test_fan_reaches_100_on_the_p50_and_p80_dates() -> None:
    db = make_db(":memory:", regions=REGIONS, branches=[branch("A", 30), branch("S", 30)],
                 checklist=plan("A", [2, 0, 1, 0, 3, 0, 2, 0], 10, earlier=10) + plan("S", [0] * 8, 1, earlier=1))
    fan = readiness.forecast_fan(db, D, "A")
    # done today 18 of 28 (64.3 %); the P50 line adds 1 a week, the P80 line reaches 100 % in week 14
    assert fan["weeks"].tolist() == list(range(15))
    assert fan["week_of"].iloc[-1].date() == days(98)
    assert math.isclose(fan["readiness_p50"].iloc[0], 100 * 18 / 28) and fan["readiness_p80"].iloc[0] == 100 * 18 / 28
    assert math.isclose(fan["readiness_p50"].iloc[5], 100 * 23 / 28)
    assert fan["readiness_p50"].iloc[10] == 100.0 and fan["readiness_p50"].iloc[9] < 100
    assert fan["readiness_p80"].iloc[14] == 100.0 and fan["readiness_p80"].iloc[13] < 100
    assert (fan["readiness_p80"] <= fan["readiness_p50"]).all()
    assert fan["readiness_p80"].is_monotonic_increasing and fan["readiness_p50"].is_monotonic_increasing
    assert readiness.forecast_fan(db, D, "S").empty  # stalled: nothing to draw


def test_go_lives_at_risk_lists_the_next_90_days_below_50_percent() -> None:
    weekly = [2, 0, 1, 0, 3, 0, 2, 0]
    branches = [branch("A", 30), branch("B", 91), branch("C", 90), branch("D", 30), branch("E", -5),
                branch("F", 10), branch("G", 20, actual_go_live=days(-1))]
    checklist = (plan("A", weekly, 10) + plan("B", weekly, 14) + plan("C", weekly, 14)
                 + plan("D", [20] * 8, 10) + plan("E", weekly, 10) + plan("G", weekly, 10))
    db = make_db(":memory:", regions=REGIONS, branches=branches, checklist=checklist)
    risky = readiness.go_lives_at_risk(db, D)
    # A (0.4 %) and C (R = 14, K = 12: 1 − Φ(2 / (1.118 √12)) ≈ 30.3 %) qualify; B (K = 13: 40.2 %) is
    # after 90 days, D is sure to be ready, E's date has passed, F has no plan (no chance), G is live.
    assert risky["branch_code"].tolist() == ["A", "C"]
    assert round1(risky.loc[1, "p_ready_by_go_live"]) == 30.3
    assert readiness.go_lives_at_risk(db, D, days=120)["branch_code"].tolist() == ["A", "C", "B"]
    assert readiness.go_lives_at_risk(db, D, below=0.3)["branch_code"].tolist() == []


def test_branch_status_and_summary_carry_the_three_figures() -> None:
    db = make_db(":memory:", regions=REGIONS, branches=[branch("A", 30)],
                 checklist=plan("A", [2, 0, 1, 0, 3, 0, 2, 0], 10))
    row = readiness.branch_status(db, D).iloc[0]
    assert round1(row["p_ready_by_go_live"]) == 0.4 and row["ready_p80_on"].date() == days(98)
    assert row["weeks_with_progress"] == 4 and row["trusted"]
    fields = list(summary(db, D)["branches"][0])
    assert fields[fields.index("slip_days") + 1:fields.index("slip_days") + 4] == [
        "p_ready_by_go_live", "ready_p50_on", "ready_p80_on"]


# --- laws (hypothesis) ------------------------------------------------------------------------------

weights = st.one_of(st.integers(min_value=0, max_value=40).map(lambda n: n / 4),   # exact in binary
                    st.integers(min_value=0, max_value=100).map(lambda n: n / 10))  # 0.1, 0.3: float noise
paces = st.one_of(st.lists(weights, min_size=8, max_size=8), weights.map(lambda w: [w] * 8))  # lumpy or steady


@settings(max_examples=examples(300), deadline=None)
@given(pace=paces, remaining=st.integers(min_value=1, max_value=800).map(lambda n: n / 10),
       first=st.integers(min_value=-20, max_value=400), later=st.integers(min_value=0, max_value=400))
def test_chance_never_falls_as_the_planned_date_moves_later(pace, remaining, first, later) -> None:
    mean, sd = readiness.pace_figures([pace])
    weeks = np.floor(np.array([first, first + later]) / 7)
    early, late = readiness.ready_chance(remaining, mean[0], sd[0], weeks)
    assert 0 <= early <= late <= 1
    assert round1(100 * early) <= round1(100 * late)


@settings(max_examples=examples(300), deadline=None)
@given(pace=paces, remaining=st.integers(min_value=1, max_value=800).map(lambda n: n / 10))
def test_p80_is_never_before_p50_and_each_is_the_first_week_reaching_its_level(pace, remaining) -> None:
    mean, sd = readiness.pace_figures([pace])
    weeks = readiness.ready_weeks([remaining], mean, sd)
    k50, k80 = int(weeks[50][0]), int(weeks[80][0])
    assert k80 == 0 or (k50 != 0 and k50 <= k80)          # P80 null, or both found and P50 first
    chances = readiness.ready_chance(remaining, mean[0], sd[0], np.arange(1, readiness.MAX_WEEKS + 1))
    assert np.all(np.diff(chances) >= 0)                   # the chance never falls week by week
    for k, level in ((k50, 0.5), (k80, 0.8)):
        if k:
            assert chances[k - 1] >= level - 1e-12 and (k == 1 or chances[k - 2] < level + 1e-12)
        else:
            assert mean[0] == 0 or chances[-1] < level + 1e-12


@pytest.mark.slow
def test_library_frame_matches_an_independent_scalar_reading() -> None:
    # 300 seeded random branches in one database (vectorised in one pass) against a plain reading of
    # METRICS.md with statistics.NormalDist, one branch and one week at a time
    rng = random.Random(20)
    cases = {}
    for n in range(300):
        pace = [rng.choice([0, 0, 0.5, 1, 2, 3, 5, 8, 13]) for _ in range(8)]
        cases[f"B{n:03d}"] = (pace, rng.randint(1, 160) / 2, rng.randint(-20, 700))
    found = figures([branch(code, go_live) for code, (_, _, go_live) in cases.items()],
                    [row for code, (pace, remaining, _) in cases.items() for row in plan(code, pace, remaining)])
    checked = 0
    for code, (pace, remaining, go_live) in cases.items():
        row = found[code]
        mu = sum(pace) / 8
        sigma = math.sqrt(sum((w - mu) ** 2 for w in pace) / 8)

        def p(k: int, mu: float = mu, sigma: float = sigma, remaining: float = remaining) -> float:
            if k <= 0 or mu == 0:
                return 0.0
            if sigma < 1e-9:
                return 1.0 if k * mu >= remaining - 1e-9 else 0.0
            return 1 - NormalDist().cdf((remaining - k * mu) / (sigma * math.sqrt(k)))

        assert math.isclose(row["p_ready_by_go_live"], 100 * p(go_live // 7), abs_tol=1e-6), code
        for level, column in ((0.5, "ready_p50_on"), (0.8, "ready_p80_on")):
            k = next((k for k in range(1, 261) if p(k) >= level), None)
            if k is not None and abs(p(k) - level) < 1e-9:
                continue  # exactly on the level: float noise may fall either side
            assert on(row[column]) == (None if k is None else days(7 * k)), (code, level, k)
            checked += 1
    assert checked > 550
