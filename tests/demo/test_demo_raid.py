"""The demo's RAID log and deviations look like a rollout office's (issue 26): every kind, every band, actions
from weekly meetings with some overdue, deviations of every decision, some blocking a go-live within 30 days."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.demo.portfolio import build_demo
from rollout.metrics import raid
from rollout.store.db import Database

TODAY = date(2026, 12, 4)


@pytest.mark.slow
@pytest.mark.parametrize("branches", [5, 40])
def test_the_demo_log_is_believable_at_every_size(branches: int) -> None:
    db = Database(":memory:")
    build_demo(db, branches=branches, today=TODAY, history=False)
    totals = raid.programme_totals(db, TODAY)
    assert all(totals["open_risks_by_band"][band] > 0 for band in raid.BANDS)
    assert set(db.rows("SELECT DISTINCT kind FROM raid")) == {(k,) for k in raid.KIND_WORDS}
    open_actions = totals["open_items"]["action"]
    assert 0 < totals["overdue_actions"] < open_actions  # some overdue, not most
    assert db.scalar("SELECT count(*) FROM raid WHERE kind = 'action' AND source LIKE 'weekly meeting 20%'") > 0
    assert {r[0] for r in db.rows("SELECT DISTINCT decision FROM deviations")} == {
        "proposed", "approved", "rejected", "after_go_live"}
    if branches >= 40:
        register = raid.deviations_register(db, TODAY)
        assert (register["blocking"] & register["days_to_go_live"].between(0, 30)).any()
        assert raid.branch_figures(db, TODAY)["open_critical_risks"].sum() > 0
        assert db.scalar("SELECT count(*) FROM branches WHERE requirements_signed_on IS NOT NULL") > 0
    db.close()
