"""The steering pack reads what its slides show and words its full lists only when a renderer reads them
(model.Deferred, issue 28): the lists written later are the metrics' own, in the pack's language, and a
pack still pickles (Streamlit's cache) with its deferred lists."""

from __future__ import annotations

import pickle
import re
import shutil

import pandas as pd
import pytest

from rollout.core import i18n
from rollout.metrics import engagement, readiness
from rollout.metrics.portfolio import risk_order
from rollout.steering import pack, snapshots
from rollout.steering.model import SLIDE_ROWS, Deferred
from rollout.store.db import Database

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def demo_db(demo_2000, tmp_path):
    path = tmp_path / "demo2000.duckdb"
    shutil.copy(demo_2000, path)  # shared by the run: a private copy to open
    with Database(path) as db:
        yield db


def tables(content) -> dict[str, object]:
    return {t.key: t for s in content.sections for t in s.tables}


@pytest.mark.slow
def test_the_full_lists_written_later_are_the_metrics_own(demo_db) -> None:
    as_of = demo_db.scalar("SELECT max(as_of) FROM snapshots")
    content = pack.pack(demo_db, as_of, "en")
    found = tables(content)
    deferred = {key for key, t in found.items() if isinstance(t.source, Deferred)}
    assert deferred == {"branches", "risks", "heads", "staffing", "man_days_branches"}

    every = risk_order(readiness.branch_status(demo_db, as_of))
    branches = found["branches"].full
    assert list(branches["branch_code"]) == list(every["branch_code"])
    assert list(branches["reason"]) == list(every["top_reason"])
    assert len(branches) == 2001

    risky = every[every["status"].isin(["red", "amber"])]
    risks = found["risks"].full
    assert list(risks["branch_code"]) == list(risky["branch_code"]) and len(risks) > SLIDE_ROWS
    assert list(risks["reason"]) == list(risky["top_reason"])
    shown = found["risks"].frame
    assert shown.to_dict("records") == risks[shown.columns].head(SLIDE_ROWS).to_dict("records")
    assert risks["next_action"].str.len().gt(0).all()  # every red or amber branch gets an action

    calls = engagement.call_list(demo_db, as_of)
    heads = found["heads"].full
    assert list(heads["name"]) == list(calls["name"]) and list(heads["reason"]) == list(calls["reason"])
    assert found["heads"].frame.to_dict("records") == heads.head(SLIDE_ROWS).to_dict("records")
    assert list(engagement.call_list(demo_db, as_of, limit=7)["exec_code"]) == list(calls["exec_code"].head(7))

    staffing = found["staffing"]
    assert staffing.frame.to_dict("records") == staffing.full.head(SLIDE_ROWS).to_dict("records")

    days = pack.man_days(demo_db, as_of)
    per_branch = found["man_days_branches"].full
    pd.testing.assert_series_equal(per_branch["used_pct"], days["used_pct"])
    assert list(per_branch["branch_code"]) == list(days["branch_code"])
    assert per_branch["branch_name"].iloc[-1] == "All branches"


@pytest.mark.slow
def test_a_pickled_chinese_pack_writes_its_lists_in_chinese(demo_db) -> None:
    as_of = demo_db.scalar("SELECT max(as_of) FROM snapshots")
    content = pickle.loads(pickle.dumps(pack.pack(demo_db, as_of, "zh")))  # as Streamlit's cache returns it
    assert i18n.current() == "en"  # read outside the pack's language
    reasons = tables(content)["branches"].full["reason"]
    assert reasons.map(lambda text: bool(CJK.search(text))).all()
    assert CJK.search(tables(content)["heads"].full["reason"].iloc[-1])


@pytest.mark.slow
def test_the_packs_raid_changes_are_what_changed_between_the_reviews(demo_db) -> None:
    whole = snapshots.changes_between(demo_db)
    raid = snapshots.raid_changes_between(demo_db)
    assert (raid["old_id"], raid["new_id"], raid["old_as_of"]) == (whole["old_id"], whole["new_id"],
                                                                     whole["old_as_of"])
    assert set(raid["tables"]) == set(snapshots.RAID_CHANGES)
    for name in snapshots.RAID_CHANGES:
        key = whole["tables"][name].columns[0]  # raid_code or deviation_code
        kept = [key, "decision"] if name == "deviations_decided" else [key]
        pd.testing.assert_frame_equal(raid["tables"][name][kept], whole["tables"][name][kept])
    assert sum(len(raid["tables"][name]) for name in snapshots.RAID_CHANGES) > 0  # the demo's reviews differ
