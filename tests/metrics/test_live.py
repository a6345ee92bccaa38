"""Live on D, one definition (METRICS.md "Branch status", rule 1: live when actual_go_live <= D), and every
figure that depends on it agrees: readiness status, lessons, engagement, staffing, planner, steering pack."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.core.errors import ValidationError
from rollout.core.values import is_missing
from rollout.metrics import engagement, lessons, readiness, staffing
from rollout.metrics.live import branches_live
from rollout.metrics.summary import summary
from rollout.planning import planner
from rollout.steering import pack
from rollout.store.db import Database

D = date(2030, 1, 15)
# actual_go_live: before D, on D (live: "<= D"), the day after D, none; the pilot went live long ago.
ACTUAL = {"PIL": "2029-01-01", "B1": "2030-01-14", "B2": "2030-01-15", "B3": "2030-01-16", "B4": None}
LIVE = {"PIL", "B1", "B2"}
NOT_LIVE = {"B3", "B4"}


@pytest.fixture
def db(db_factory) -> Database:
    codes = list(ACTUAL)
    return db_factory(
        regions=[{"region_code": "E", "region_name": "East"}],
        branches=[{"branch_code": c, "branch_name": c, "region_code": "E", "is_pilot": c == "PIL", "headcount": 10,
                   "actual_go_live": a, "planned_go_live": "2030-06-01", "planned_kickoff": "2029-12-01"}
                  for c, a in ACTUAL.items()],
        modules=[{"branch_code": c, "module": "finance", "phase": 1, "actual_go_live": ACTUAL[c]} for c in codes],
        checklist=[{"branch_code": c, "item_code": f"{c}-1", "dimension": "data", "title": "Load customers",
                    "status": "open", "due_date": "2030-05-01"} for c in codes],
        executives=[{"exec_code": f"X{c}", "name": f"Head of {c}", "region_code": "E", "branch_code": c}
                    for c in codes],
        lessons=[{"lesson_code": "L1", "source_branch_code": "PIL", "category": "data", "title": "Clean early",
                  "impact": "high"}],
    )


def test_live_on_d_means_actual_go_live_on_or_before_d(db: Database) -> None:
    frame = branches_live(db, D)
    assert dict(zip(frame["branch_code"], frame["is_live"], strict=True)) == {c: c in LIVE for c in ACTUAL}
    assert frame.columns[-1] == "is_live" and "branch_name" in frame.columns  # every column of branches too
    # the day before B2's go-live, B2 is not live yet; no date ever makes a branch without actual_go_live live
    earlier = branches_live(db, date(2030, 1, 14))
    assert set(earlier.loc[earlier["is_live"], "branch_code"]) == {"PIL", "B1"}
    assert not branches_live(db, date(2100, 1, 1)).set_index("branch_code").loc["B4", "is_live"]


@pytest.mark.slow
def test_every_figure_reads_live_the_same_way(db: Database) -> None:
    status = readiness.branch_status(db, D)
    assert set(status.loc[status["status"] == "live", "branch_code"]) == LIVE
    assert {b["branch_code"] for b in summary(db, D)["branches"] if b["status"] == "live"} == LIVE
    # lessons: coverage counts the branches that are not the pilot and not live on D
    assert set(lessons.branches_not_live(db, D)["branch_code"]) == NOT_LIVE
    assert lessons.application_coverage(db, D)["eligible_branches"].tolist() == [len(NOT_LIVE)]
    matrix = lessons.application_matrix(db, D)
    assert set(matrix.loc[matrix["eligible"], "branch_code"]) == NOT_LIVE
    # engagement: a head whose branch is live on D has no next go-live
    table = engagement.executive_table(db, D).set_index("exec_code")
    assert {c for c in ACTUAL if not is_missing(table.loc[f"X{c}", "next_go_live"])} == NOT_LIVE
    # staffing: the coverage matrix marks the live branches
    coverage = staffing.coverage_matrix(db, D)
    assert set(coverage.loc[coverage["branch_is_live"], "branch_code"]) == LIVE
    # planner: only branches not live on D are planned, and a live one cannot be pinned
    plan = planner.plan_json(db, D, ignore_forecast=True)
    assert {b["branch_code"] for b in plan["branches"]} == NOT_LIVE
    with pytest.raises(ValidationError, match="pins a live branch"):
        planner.plan_json(db, D, pins=["B2=2030-06-01"], ignore_forecast=True)
    # steering pack: the next go-lives are branches not live on D
    section = next(s for s in pack.pack(db, D).sections if s.key == "go_lives")
    assert set(section.tables[0].full["branch_code"]) == NOT_LIVE
