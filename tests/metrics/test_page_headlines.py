"""The small aggregations pages used to compute themselves (issue 13: pages only read and draw):
staffing.staffing_kpis / over_allocated_at, engagement.headline,
lessons.lessons_per_category / backlog_per_branch / recurring_counts / matrix_branch_order."""

from __future__ import annotations

import pandas as pd

from rollout.metrics import engagement, lessons, staffing


def test_staffing_kpis_sum_the_branches_given() -> None:
    branches = pd.DataFrame({
        "branch_code": ["B1", "B2", "B3"],
        "uncovered_modules": [2, 0, 1], "spof_modules": [1, 3, 0], "over_allocated_people": [0, 2, 1],
        "gap_fte": [0.5, 1.25, 0.0], "fill_rate": [50.0, None, 50.0]})
    # uncovered at B1 and B3 (2 branches, 3 modules); SPOF 1 + 3; over-allocated 0 + 2 + 1; gap 0.5 + 1.25
    assert staffing.staffing_kpis(branches) == {"branches_with_uncovered_module": 2, "spof_modules": 4,
                                                "uncovered_modules": 3, "over_allocated_people": 3, "gap_fte": 1.75}
    assert staffing.staffing_kpis(branches.iloc[0:0]) == {"branches_with_uncovered_module": 0, "spof_modules": 0,
                                                          "uncovered_modules": 0, "over_allocated_people": 0,
                                                          "gap_fte": 0.0}


def test_over_allocated_at_keeps_every_assignment_of_the_people_involved() -> None:
    over = pd.DataFrame({"person_code": ["P1", "P1", "P2", "P2", "P3"],
                         "home_branch_code": ["B1", "B1", "B2", "B2", "B3"],
                         "branch_code": ["B1", "B2", "B3", "B4", "B3"]})
    # at B1: P1 (home); at B3: P2 (works there; both of P2's rows) and P3 (home)
    assert list(staffing.over_allocated_at(over, "B1")["branch_code"]) == ["B1", "B2"]
    assert list(staffing.over_allocated_at(over, "B3")["person_code"]) == ["P2", "P2", "P3"]
    assert staffing.over_allocated_at(over, "B9").empty


def test_engagement_headline_counts_every_status() -> None:
    heads = pd.DataFrame({"status": ["engaged", "silent", "silent"], "overdue_follow_ups": [1, 0, 2]})
    assert engagement.headline(heads) == {"engaged": 1, "cooling": 0, "silent": 2, "overdue_follow_ups": 3}


def test_lessons_per_category_and_backlog_per_branch() -> None:
    overview = pd.DataFrame({"lesson_code": ["L1", "L2", "L3", "L4"], "category": ["data", "process", "data", "data"],
                             "impact": ["high", "low", "high", "low"]})
    assert lessons.lessons_per_category(overview).to_dict("records") == [
        {"category": "data", "impact": "high", "lessons": 2}, {"category": "data", "impact": "low", "lessons": 1},
        {"category": "process", "impact": "low", "lessons": 1}]
    backlog = pd.DataFrame({"branch_code": ["B2", "B2", "B1", "B2"], "severity": ["high", "high", "low", "low"],
                            "age_band": ["0-3 days", "over 30 days", "0-3 days", "0-3 days"],
                            "open_problems": [2, 1, 4, 1]})
    # B2 high over two age bands: 2 + 1
    assert lessons.backlog_per_branch(backlog).to_dict("records") == [
        {"branch_code": "B1", "severity": "low", "open_problems": 4},
        {"branch_code": "B2", "severity": "high", "open_problems": 3},
        {"branch_code": "B2", "severity": "low", "open_problems": 1}]


def test_recurring_counts_and_matrix_order() -> None:
    recurring = pd.DataFrame({"lesson_code": ["L1", "L1", "L2"], "problem_code": ["PR1", "PR2", "PR2"]})
    assert lessons.recurring_counts(recurring) == {"lessons": 2, "problems": 2}
    matrix = pd.DataFrame({"lesson_code": ["L1", "L1", "L2", "L2"], "branch_code": ["B2", "B1", "B2", "B1"],
                           "branch_order": [2, 1, 2, 1]})
    assert lessons.matrix_branch_order(matrix) == ["B1", "B2"]
