"""The demo's history: weekly snapshots, go / no-go decisions and a saved plan, so every page has a past."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from rollout.demo.history import PLAN_NAME, build_history
from rollout.demo.portfolio import build_demo
from rollout.metrics import readiness
from rollout.planning import scenarios
from rollout.steering import decisions, snapshots
from rollout.store.db import Database

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo():
    db = Database(":memory:")
    counts = build_demo(db, branches=40, seed=7, today=TODAY)
    yield db, counts
    db.close()


def test_twelve_weekly_reviews_and_this_weeks_are_snapshotted(demo):
    db, counts = demo
    taken = snapshots.list_snapshots(db)
    assert counts["snapshots"] == len(taken) == 13
    days = sorted(taken["as_of"])
    assert days[0] == TODAY - timedelta(weeks=12) and days[-1] == TODAY
    assert all(b - a == timedelta(days=7) for a, b in pairwise(days))
    # "what changed" has something to say on first run: the last two reviews are compared
    changes = snapshots.changes_between(db)
    assert changes["new_as_of"] == TODAY.isoformat()
    assert changes["old_as_of"] == (TODAY - timedelta(days=7)).isoformat()
    assert changes["tables"] is not None


def test_a_snapshot_holds_the_figures_of_its_own_date(demo):
    db, _ = demo
    oldest = snapshots.list_snapshots(db).iloc[-1]
    frozen = {b["branch_code"]: b["status"] for b in snapshots.get_snapshot(db, int(oldest["snapshot_id"]))["branches"]}
    replayed = readiness.branch_status(db, oldest["as_of"])
    assert frozen == dict(zip(replayed["branch_code"], replayed["status"], strict=True))


def test_decisions_go_to_the_next_go_lives_by_their_status_on_the_day(demo):
    db, counts = demo
    log = decisions.list_decisions(db, TODAY)
    assert counts["decisions"] == len(log) == 3
    expected = {"go": "green", "go_with_conditions": "amber", "no_go": "red"}
    for row in log.itertuples():
        assert row.status_then == expected[row.decision], row
        assert TODAY - timedelta(days=14) <= row.decided_on <= TODAY - timedelta(days=7)
    assert log.loc[log["decision"] == "go_with_conditions", "conditions"].iloc[0]


@pytest.mark.slow
def test_a_plan_is_saved_and_the_history_is_deterministic(demo):
    db, counts = demo
    assert counts["plan_scenarios"] == 1
    params, plan = scenarios.load_scenario(db, PLAN_NAME)
    assert plan["status"] in ("optimal", "feasible") and plan["branches"]
    assert params["max_go_lives_per_month"] == 4  # ceil(40 / 12), the portfolio-scaled setting
    again = Database(":memory:")
    build_demo(again, branches=40, seed=7, today=TODAY)
    assert scenarios.load_scenario(again, PLAN_NAME)[1] == plan
    assert (decisions.list_decisions(again, TODAY)["branch_code"].tolist()
            == decisions.list_decisions(db, TODAY)["branch_code"].tolist())


def test_last_weeks_touchpoints_are_there(demo):
    db, _ = demo
    assert db.scalar("SELECT count(*) FROM touchpoints WHERE date > ?", [TODAY - timedelta(days=7)]) > 0


@pytest.mark.slow
def test_without_history_nothing_but_the_workbook_is_written():
    db = Database(":memory:")
    counts = build_demo(db, branches=8, seed=7, today=TODAY, history=False)
    assert "snapshots" not in counts
    assert db.scalar("SELECT count(*) FROM snapshots") == 0
    assert build_history(db, TODAY, 8, weeks=2)["snapshots"] == 3
