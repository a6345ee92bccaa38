"""scenarios.moves and scenarios.plan_segments: what the Launch planning page shows of a plan."""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.planning import scenarios


def test_moves_count_earlier_later_unchanged() -> None:
    diff = pd.DataFrame({"moved_months": pd.array([-2, 0, 3, None, 1, 0], dtype="Int64")})
    # a branch with no current date (None) is in no count
    assert scenarios.moves(diff) == {"earlier": 1, "later": 2, "unchanged": 2}


def test_plan_segments() -> None:
    plan = {"as_of": "2026-11-22", "branches": [
        # go-live 2027-03-01, 3 months of preparation: from 2026-12-01; stage 2 in May
        {"branch_code": "B1", "go_live": "2027-03-01", "stage2_go_live": "2027-05-01", "kickoff": "2027-01-04"},
        # go-live 2026-12-01: preparation would start in September, but not before the as-of month
        {"branch_code": "B2", "go_live": "2026-12-01", "stage2_go_live": None, "kickoff": "2026-11-23"}]}
    segments = scenarios.plan_segments(plan, prep_months=3)
    assert [tuple(r) for r in segments.itertuples(index=False)] == [
        ("B1", "preparation", date(2026, 12, 1), date(2027, 3, 1)),
        ("B1", "stage 1", date(2027, 3, 1), date(2027, 5, 1)),
        ("B1", "stage 2", date(2027, 5, 1), date(2027, 6, 1)),
        ("B2", "preparation", date(2026, 11, 1), date(2026, 12, 1)),
        ("B2", "stage 1", date(2026, 12, 1), date(2027, 1, 1))]  # no stage 2: one month of stage 1
    assert scenarios.plan_segments({"as_of": "2026-11-22", "branches": []}, 3).empty
