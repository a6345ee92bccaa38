"""What the Launch planning page draws before anything is optimised (scenarios.current_plan) and which
branches its Gantt holds at 2,000 branches (scenarios.first_go_lives)."""

from __future__ import annotations

from rollout.planning import scenarios

from support import SAMPLE_DATES


def test_first_go_lives_keeps_the_earliest_and_the_rest_of_the_plan() -> None:
    plan = {"as_of": "2026-11-22", "status": "optimal", "branches": [
        {"branch_code": "C", "go_live": "2027-03-01"}, {"branch_code": "B", "go_live": "2027-01-01"},
        {"branch_code": "A", "go_live": "2027-03-01"}, {"branch_code": "D", "go_live": "2027-02-01"}]}
    first = scenarios.first_go_lives(plan, 3)
    assert [b["branch_code"] for b in first["branches"]] == ["B", "D", "A"]  # A before C: same month, by code
    assert first["status"] == "optimal" and first["as_of"] == "2026-11-22"
    assert len(plan["branches"]) == 4  # the plan itself is untouched
    assert scenarios.first_go_lives(plan, 0)["branches"] == []


def test_current_plan_is_the_planned_dates_of_branches_not_live(sample_db) -> None:
    plan = scenarios.current_plan(sample_db, SAMPLE_DATES[1])
    expected = sample_db.rows("SELECT branch_code, planned_kickoff, planned_go_live FROM branches "
                              "WHERE planned_go_live IS NOT NULL AND (actual_go_live IS NULL OR actual_go_live > ?) "
                              "ORDER BY planned_go_live, branch_code", [SAMPLE_DATES[1]])
    assert [(b["branch_code"], b["go_live"]) for b in plan["branches"]] == \
        [(code, go_live.isoformat()) for code, _kickoff, go_live in expected]
    codes = {b["branch_code"] for b in plan["branches"]}
    assert not codes & {"B01", "B02", "PIL"}  # live on 2026-11-22
    assert "B03" in codes and plan["status"] == "current" and plan["load"] == []
    assert plan["objective"]["finish_month"] == max(b["go_live"] for b in plan["branches"])[:7]
    segments = scenarios.plan_segments(plan, 3)  # drawn like an optimised plan
    assert set(segments["branch_code"]) == codes
