"""rollout/metrics/portfolio.py, the Portfolio page's helpers: the branch table risk first, its pages, and
the counts of "what changed since the last review"."""

from __future__ import annotations

import pandas as pd
import pytest

from rollout.metrics import portfolio, readiness

from support import SAMPLE_DATES


def test_branch_rows_on_the_sample_are_red_then_amber_by_slip(sample_db) -> None:
    rows = portfolio.branch_rows(readiness.branch_status(sample_db, SAMPLE_DATES[1]))
    # the public expected summary on 2026-11-22: red B03 B05 B06 B07 B09 B10, amber B04 B08, no plan B11,
    # live B01 B02 PIL; every branch once
    assert sorted(rows["branch_code"]) == ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10",
                                           "B11", "PIL"]
    statuses = list(rows["status"])
    assert statuses[:6] == ["red"] * 6 and statuses[6:8] == ["amber"] * 2 and statuses[8] == "no_plan"
    assert statuses[-3:] == ["live"] * 3
    red_slips = pd.to_numeric(rows["slip_days"][:6]).fillna(-1).tolist()
    assert red_slips == sorted(red_slips, reverse=True)  # largest slip first among the reds
    assert rows.loc[rows["branch_code"] == "B03", "checklist_readiness"].item() == 63.6
    assert "days_to_go_live" in rows and "actual_go_live" in rows  # the page writes them as words


def test_change_counts_count_each_table_and_the_branches_that_turned_red() -> None:
    changes = pd.DataFrame({"branch_code": ["A", "B", "C"], "status_after": ["red", "amber", "red"]})
    two = pd.DataFrame({"x": [1, 2]})
    counts = portfolio.change_counts({"status_changes": changes, "readiness_up": two, "readiness_down": two.head(1),
                                      "new_overdue": two, "new_failing_gates": None, "went_silent": two.head(0)})
    assert (counts["status_changes"], counts["turned_red"]) == (3, 2)
    assert (counts["readiness_up"], counts["readiness_down"], counts["new_overdue"]) == (2, 1, 2)
    assert counts["new_failing_gates"] is None and counts["went_silent"] == 0
    assert counts["people_left"] is None  # not in the snapshots compared
    assert set(portfolio.change_counts(None).values()) == {None}  # no two reviews to compare


@pytest.mark.slow  # 0.7 to 1.05 s of CPU in a slow hour of this machine (2026-12-05)
def test_status_history_replays_branch_status_and_filters_without_replaying(sample_db) -> None:
    as_of = SAMPLE_DATES[1]
    history = portfolio.status_history(sample_db, as_of, weeks=2)
    assert sorted(set(history["week"])) == portfolio.review_dates(as_of, 2)
    for day in portfolio.review_dates(as_of, 2):
        full = readiness.branch_status(sample_db, day)  # the same statuses as the full definition
        week = history[history["week"] == day]
        assert week["branches"].sum() == len(full) == 12
        for region in ("EAST", "WEST"):
            expected = full.loc[full["region_code"] == region, "status"].value_counts()
            trend = portfolio.trend_of(history, as_of, 2, [region]).set_index("week")
            assert {s: trend.loc[day, s] for s in portfolio.STATUSES} == \
                {s: int(expected.get(s, 0)) for s in portfolio.STATUSES}, (day, region)


def test_biggest_moves_are_the_first_rows_of_the_readiness_tables() -> None:
    up = pd.DataFrame({"branch_code": ["B07", "B02"], "change_points": [12.5, 3.0]})
    down = pd.DataFrame({"branch_code": ["B09"], "change_points": [-8.0]})
    assert portfolio.biggest_moves({"readiness_up": up, "readiness_down": down}) == \
        {"rise": ("B07", 12.5), "fall": ("B09", -8.0)}
    assert portfolio.biggest_moves({"readiness_up": up.head(0), "readiness_down": None}) == \
        {"rise": None, "fall": None}
