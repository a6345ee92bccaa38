"""scenarios.first_go_lives: the Gantt's branches at 2,000 branches (the earliest go-lives, then by code)."""

from __future__ import annotations

from rollout.planning import scenarios


def test_first_go_lives_keeps_the_earliest_and_the_rest_of_the_plan() -> None:
    plan = {"as_of": "2026-11-22", "status": "optimal", "branches": [
        {"branch_code": "C", "go_live": "2027-03-01"}, {"branch_code": "B", "go_live": "2027-01-01"},
        {"branch_code": "A", "go_live": "2027-03-01"}, {"branch_code": "D", "go_live": "2027-02-01"}]}
    first = scenarios.first_go_lives(plan, 3)
    assert [b["branch_code"] for b in first["branches"]] == ["B", "D", "A"]  # A before C: same month, by code
    assert first["status"] == "optimal" and first["as_of"] == "2026-11-22"
    assert len(plan["branches"]) == 4  # the plan itself is untouched
    assert scenarios.first_go_lives(plan, 0)["branches"] == []
