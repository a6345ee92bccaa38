"""rollout/metrics/portfolio.py: the region roll-up, risk-first order and weekly trend, on the sample and by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from rollout.metrics import portfolio, readiness

from support import SAMPLE_DATES

AS_OF = SAMPLE_DATES[1]


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A branch_status-shaped frame from (code, region, status, readiness, slip, gates, planned) rows."""
    return pd.DataFrame(rows, columns=["branch_code", "region_code", "status", "checklist_readiness", "slip_days",
                                       "failing_gates", "planned_go_live"])


HAND = frame([
    ("A1", "E", "red", 40.0, 10, 1, "2026-12-01"),
    ("A2", "E", "red", 60.0, 30, 0, "2026-12-15"),
    ("A3", "E", "amber", 70.0, None, 2, "2027-01-01"),
    ("A4", "N", "green", 90.0, None, 0, "2027-02-01"),
    ("A5", "N", "live", 100.0, None, 0, "2026-01-01"),
    ("A6", "N", "no_plan", 10.0, None, 0, None),
    ("A7", "N", "amber", 80.0, 5, 0, "2026-11-25"),
])


def test_region_rollup_counts_and_spread_by_hand() -> None:
    rollup = portfolio.region_rollup(HAND, {"E": "East", "N": "North"}).set_index("region_code")
    # East: 2 red, 1 amber; readiness of not-live branches with a plan: 40, 60, 70 -> min 40, median 60, max 70
    assert rollup.loc["E", ["branches", "red", "amber", "green", "live", "no_plan"]].tolist() == [3, 2, 1, 0, 0, 0]
    assert rollup.loc["E", ["readiness_min", "readiness_median", "readiness_max"]].tolist() == [40.0, 60.0, 70.0]
    # North: live and no plan are outside the spread: 90 and 80 -> median 85
    assert rollup.loc["N", ["branches", "live", "no_plan"]].tolist() == [4, 1, 1]
    assert rollup.loc["N", "readiness_median"] == 85.0
    assert rollup.loc["N", "region_name"] == "North"
    assert list(rollup.index) == ["E", "N"]  # most red first


def test_region_rollup_equals_the_per_branch_statuses_summed_on_the_sample(sample_db) -> None:
    status = readiness.branch_status(sample_db, AS_OF)
    rollup = portfolio.region_rollup(status, {})
    assert rollup["branches"].sum() == len(status)
    for s in portfolio.STATUSES:
        assert rollup[s].sum() == (status["status"] == s).sum(), s
    for row in rollup.itertuples():
        mine = status[status["region_code"] == row.region_code]
        assert row.red == (mine["status"] == "red").sum()


def test_risk_order_puts_red_then_amber_by_slip() -> None:
    assert portfolio.risk_order(HAND)["branch_code"].tolist() == ["A2", "A1", "A7", "A3", "A6", "A4", "A5"]
    assert portfolio.top_at_risk(HAND, 3) == ["A2", "A1", "A7"]
    assert portfolio.top_at_risk(HAND, 25) == ["A2", "A1", "A7", "A3"]  # only red and amber
    assert portfolio.top_at_risk(HAND, 0) == []


def test_in_regions_filters_and_empty_means_all() -> None:
    assert portfolio.in_regions(HAND, ["N"])["branch_code"].tolist() == ["A4", "A5", "A6", "A7"]
    assert len(portfolio.in_regions(HAND, [])) == len(HAND)


@pytest.mark.slow
def test_trend_replays_the_status_on_each_week_and_ends_today(sample_db) -> None:
    trend = portfolio.status_trend(sample_db, AS_OF, weeks=12)
    assert len(trend) == 13
    assert trend["week"].iloc[0] == AS_OF - timedelta(weeks=12) and trend["week"].iloc[-1] == AS_OF
    for day in (AS_OF, AS_OF - timedelta(weeks=3), AS_OF - timedelta(weeks=12)):
        status = readiness.branch_status(sample_db, day)
        row = trend[trend["week"] == day].iloc[0]
        assert [row[s] for s in portfolio.STATUSES] == [(status["status"] == s).sum() for s in portfolio.STATUSES]
    assert (trend[list(portfolio.STATUSES)].sum(axis=1) == len(readiness.branch_status(sample_db, AS_OF))).all()


def test_trend_in_one_region(sample_db) -> None:
    region = readiness.branch_status(sample_db, AS_OF)["region_code"].iloc[0]
    trend = portfolio.status_trend(sample_db, AS_OF, weeks=2, regions=[region])
    everywhere = portfolio.status_trend(sample_db, AS_OF, weeks=2)
    assert (trend[list(portfolio.STATUSES)].sum(axis=1) < everywhere[list(portfolio.STATUSES)].sum(axis=1)).all()


def test_go_lives_ahead_by_week() -> None:
    ahead = portfolio.go_lives_ahead(HAND, date(2026, 11, 22), weeks=4)
    # A7 on 11-25 (week 0), A1 on 12-01 (week 1, day 9), A2 on 12-15 (week 3, day 23); A3, A4 beyond 4 weeks;
    # A5 is live, A6 has no date
    assert ahead["go_lives"].tolist() == [1, 1, 0, 1]
    assert ahead["week"].tolist()[1] == date(2026, 11, 29)
