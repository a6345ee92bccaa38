"""rollout/engagement.py: METRICS.md "Executive engagement", the call list, logging a touchpoint."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from rollout.cli import main
from rollout.core.access import LOCAL, Caller
from rollout.core.errors import ValidationError
from rollout.metrics import engagement
from rollout.store.settings import get_settings

from support import make_db

D = date(2026, 6, 30)
REGIONS = [{"region_code": "E", "region_name": "East"}, {"region_code": "W", "region_name": "West"}]


def exec_row(code: str, region: str = "E", branch: str | None = None) -> dict:
    return {"exec_code": code, "name": f"Head {code}", "region_code": region, "branch_code": branch}


def tp(code: str, when: date, channel: str, topic: str = "", follow_up_due: date | None = None,
       commitment: str | None = None) -> dict:
    return {"exec_code": code, "date": when, "channel": channel, "topic": topic, "follow_up_due": follow_up_due,
            "commitment": commitment}


METRICS_ROWS = dict(  # one executive per edge of the definitions
    regions=REGIONS,
    branches=[{"branch_code": "B1", "branch_name": "One", "region_code": "E", "planned_go_live": date(2026, 9, 1)}],
    executives=[exec_row(c) for c in ("A", "NEVER", "E3", "E1", "D45", "D46", "F1", "F2", "F3")],
    touchpoints=[
        tp("A", date(2026, 5, 31), "visit"),             # exactly 30 days old: half weight
        tp("A", date(2026, 7, 1), "email"),              # after D: does not exist yet
        tp("E3", D, "visit"),                            # score exactly 3
        tp("E1", D, "email"),                            # score exactly 1
        tp("D45", date(2026, 5, 16), "visit"),           # 45 days ago
        tp("D46", date(2026, 5, 15), "visit"),           # 46 days ago
        tp("F1", date(2026, 6, 1), "phone", follow_up_due=date(2026, 6, 10), commitment="send the BOMs"),
        tp("F1", date(2026, 6, 15), "email", follow_up_due=D),  # supersedes; its own due is exactly D
        tp("F2", date(2026, 6, 20), "meeting", follow_up_due=date(2026, 6, 25)),
        tp("F2", date(2026, 7, 2), "phone"),             # after D: does not supersede
        tp("F3", date(2026, 6, 20), "phone", follow_up_due=date(2026, 6, 22)),
        tp("F3", date(2026, 6, 20), "email", topic="x"),  # same day: not strictly after
    ])


@pytest.fixture(scope="module")
def metrics_db(stores):
    """Executives each built for one edge of the definitions, as of D = 2026-06-30 (read only), on each engine."""
    location = stores.new()
    db = make_db(location, **METRICS_ROWS)
    yield db
    db.close()
    stores.drop(location)


@pytest.fixture
def fresh_db(db_factory):
    """The same rows in a private file, for tests that write."""
    return db_factory(**METRICS_ROWS)


def figures(db, as_of=D, settings=None) -> dict[str, dict]:
    frame = engagement.summary_fields(db, as_of, settings or get_settings(db))
    return {r["exec_code"]: r for r in frame.to_dict("records")}


def test_score_decays_with_half_life_and_ignores_later_touchpoints(metrics_db) -> None:
    f = figures(metrics_db)
    assert f["A"]["engagement_score"] == pytest.approx(1.5)       # visit 3 × 0.5^(30/30); the 07-01 email ignored
    assert f["A"]["days_since_last_touchpoint"] == 30
    assert f["A"]["status"] == "cooling"                           # 1 <= 1.5 < 3
    # F1: phone 1.5 × 0.5^(29/30) = 0.76753 + email 1 × 0.5^(15/30) = 0.70711 -> 1.47464
    assert f["F1"]["engagement_score"] == pytest.approx(1.4746372, abs=1e-6)
    assert f["F1"]["days_since_last_touchpoint"] == 15
    # F3: (phone 1.5 + email 1) × 0.5^(10/30) = 2.5 × 0.793701 = 1.984251
    assert f["F3"]["engagement_score"] == pytest.approx(1.984251, abs=1e-6)


def test_never_contacted_is_zero_silent_and_null_days(metrics_db) -> None:
    f = figures(metrics_db)["NEVER"]
    assert f["engagement_score"] == 0.0
    assert pd.isna(f["days_since_last_touchpoint"])
    assert f["status"] == "silent"
    assert f["overdue_follow_ups"] == 0


def test_status_thresholds_at_their_limits(metrics_db) -> None:
    f = figures(metrics_db)
    assert (f["E3"]["engagement_score"], f["E3"]["status"]) == (pytest.approx(3.0), "engaged")  # exactly 3: engaged
    assert (f["E1"]["engagement_score"], f["E1"]["status"]) == (pytest.approx(1.0), "cooling")  # exactly 1: not silent
    # 45 days: 3 × 0.5^1.5 = 1.0607 >= 1 and 45 is not > 45: cooling
    assert f["D45"]["days_since_last_touchpoint"] == 45
    assert f["D45"]["engagement_score"] == pytest.approx(1.0606602, abs=1e-6)
    assert f["D45"]["status"] == "cooling"
    # 46 days: 3 × 0.5^(46/30) = 1.0364 >= 1 but 46 > 45: silent
    assert f["D46"]["days_since_last_touchpoint"] == 46
    assert f["D46"]["engagement_score"] == pytest.approx(1.0364347, abs=1e-6)
    assert f["D46"]["status"] == "silent"


def test_overdue_follow_ups(metrics_db) -> None:
    f = figures(metrics_db)
    assert f["F1"]["overdue_follow_ups"] == 0  # 06-10 due superseded by 06-15; 06-15's due is exactly D
    assert f["F2"]["overdue_follow_ups"] == 1  # due 06-25 < D, the 07-02 touchpoint does not exist yet
    assert f["F3"]["overdue_follow_ups"] == 1  # a touchpoint the same day does not supersede
    # On 06-25 F2's follow-up is due that very day: not overdue yet.
    assert figures(metrics_db, date(2026, 6, 25))["F2"]["overdue_follow_ups"] == 0
    # Replayed after 07-02, F2's follow-up happened.
    assert figures(metrics_db, date(2026, 7, 3))["F2"]["overdue_follow_ups"] == 0


def test_changed_settings_change_the_score(fresh_db) -> None:
    settings = get_settings(fresh_db)
    assert figures(fresh_db, settings={**settings, "weight_visit": 4})["A"]["engagement_score"] == pytest.approx(2.0)
    # half-life 15 days: 3 × 0.5^(30/15) = 0.75 < 1: silent
    faster = figures(fresh_db, settings={**settings, "half_life_days": 15})["A"]
    assert (faster["engagement_score"], faster["status"]) == (pytest.approx(0.75), "silent")
    # Stored settings are what the page and the CLI read.
    with fresh_db.transaction() as cur:
        cur.execute("INSERT INTO settings VALUES ('engaged_score_at_least', 1.5, now())")
    table = engagement.executive_table(fresh_db, D).set_index("exec_code")
    assert table.loc["A", "status"] == "engaged"  # 1.5 >= 1.5


def test_executive_table_and_replay(metrics_db) -> None:
    table = engagement.executive_table(metrics_db, D).set_index("exec_code")
    assert table.loc["F1", "open_commitments"] == 1   # the 06-15 touchpoint (follow-up due D), nothing after it
    assert table.loc["F2", "open_commitments"] == 1
    assert table.loc["A", "open_commitments"] == 0
    assert table.loc["A", "next_go_live"].date() == date(2026, 9, 1)  # regional head, no branch: B1 in E
    assert table.loc["A", "go_live_branch"] == "B1"
    history = engagement.score_history(metrics_db, D, weeks=3)
    a = history[history["exec_code"] == "A"].set_index("as_of")["engagement_score"]
    assert len(a) == 3
    assert a[a.index.max()] == pytest.approx(1.5)   # D
    assert a[a.index.min()] == pytest.approx(3 * 0.5 ** (16 / 30))  # D − 14 days: visit 16 days old = 2.0868
    commitments = engagement.commitments(metrics_db, D)
    state = {(r["exec_code"], r["date"].date()): r["state"] for r in commitments.to_dict("records")}
    assert state == {("F1", date(2026, 6, 1)): "followed up",  # a later touchpoint (06-15)
                     ("F1", date(2026, 6, 15)): "open",        # due exactly D
                     ("F2", date(2026, 6, 20)): "overdue",     # due 06-25, nothing since (07-02 is after D)
                     ("F3", date(2026, 6, 20)): "overdue"}


@pytest.fixture
def calls_db(db_factory):
    """Heads in every call-list group, as of D = 2026-06-30."""
    return db_factory(
        regions=REGIONS,
        branches=[
            {"branch_code": "B1", "branch_name": "Soon", "region_code": "E", "planned_go_live": date(2026, 7, 20)},
            {"branch_code": "B2", "branch_name": "Later", "region_code": "E", "planned_go_live": date(2026, 12, 1)},
            {"branch_code": "B3", "branch_name": "Live", "region_code": "E", "planned_go_live": date(2026, 1, 1),
             "actual_go_live": date(2026, 1, 1)},
            {"branch_code": "B4", "branch_name": "Late", "region_code": "E", "planned_go_live": date(2026, 6, 1)},
            {"branch_code": "W1", "branch_name": "West", "region_code": "W", "planned_go_live": date(2026, 8, 29)},
        ],
        executives=[exec_row("S2", branch="B1"), exec_row("S1", branch="B2"), exec_row("C", branch="B3"),
                    exec_row("P", branch="B4"), exec_row("O", "W", "W1"), exec_row("N"), exec_row("N2", "W"),
                    exec_row("G", branch="B2")],
        touchpoints=[
            tp("S2", date(2026, 5, 1), "visit"),    # 3 × 0.25 = 0.75: silent
            tp("S1", date(2026, 5, 15), "visit"),   # 46 days: silent
            tp("C", D, "email"),                    # 1.0: cooling
            tp("P", D, "email"),                    # 1.0: cooling
            tp("O", date(2026, 6, 20), "visit", follow_up_due=date(2026, 6, 25)),  # 2.381
            tp("O", date(2026, 6, 20), "meeting", topic="b"),                     # + 1.587 = 3.97 engaged
            tp("G", D, "visit"),                    # 3.0 engaged, nothing overdue: not on the list
        ])


def test_call_list_ranks_and_channels(calls_db) -> None:
    calls = engagement.call_list(calls_db, D)
    assert list(calls["exec_code"]) == ["P", "S2", "S1", "C", "O", "N", "N2"]
    # P: cooling, B4's planned date passed (06-01, soonest) -> phone; S2: silent, B1 in 20 days -> visit;
    # S1: silent, B2 in 154 days -> phone; C: cooling, branch live (no go-live, last of group 1) -> phone;
    # O: engaged with an overdue follow-up -> email; N: never contacted, E's soonest upcoming B1 in 20 days -> visit;
    # N2: never contacted, W1 in exactly 60 days -> visit.
    assert list(calls["suggested_channel"]) == ["phone", "visit", "phone", "phone", "email", "visit", "visit"]
    assert list(calls["rank"]) == [1, 2, 3, 4, 5, 6, 7]
    row = calls.set_index("exec_code")
    assert row.loc["S2", "days_to_go_live"] == 20 and row.loc["S2", "next_go_live"] == "2026-07-20"
    assert row.loc["P", "days_to_go_live"] == -29
    assert row.loc["N2", "days_to_go_live"] == 60
    assert row.loc["S2", "score"] == 0.8  # 0.75 rounded half away from zero
    assert "silent" in row.loc["S2", "reason"] and "B1 goes live in 20 days" in row.loc["S2", "reason"]
    assert "never contacted" in row.loc["N", "reason"]
    assert "overdue" in row.loc["O", "reason"]
    assert "G" not in set(calls["exec_code"])


@pytest.mark.slow
def test_call_list_cli_json(calls_db, capsys) -> None:
    path = calls_db.path
    calls_db.close()
    assert main(["call-list", "--db", path, "--as-of", D.isoformat(), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["exec_code"] for r in rows] == ["P", "S2", "S1", "C", "O", "N", "N2"]
    assert rows[1]["suggested_channel"] == "visit" and rows[1]["next_go_live"] == "2026-07-20"
    assert rows[5]["days_since_last_touchpoint"] is None
    assert main(["call-list", "--db", path, "--as-of", D.isoformat()]) == 0
    assert "S2" in capsys.readouterr().out


def test_log_touchpoint_refuses_future_and_bad_rows(fresh_db) -> None:
    before = fresh_db.scalar("SELECT count(*) FROM touchpoints")
    today = date(2026, 6, 30)
    with pytest.raises(ValidationError, match="in the future"):
        engagement.log_touchpoint(fresh_db, {"exec_code": "NEVER", "date": today + timedelta(days=1),
                                               "channel": "visit"}, caller=Caller("t", "admin"), today=today)
    with pytest.raises(ValidationError, match="sentiment"):
        engagement.log_touchpoint(fresh_db, {"exec_code": "NEVER", "date": today, "channel": "visit",
                                               "sentiment": 3}, caller=Caller("t", "admin"), today=today)
    with pytest.raises(ValidationError, match="exec_code"):
        engagement.log_touchpoint(fresh_db, {"exec_code": "NOBODY", "date": today, "channel": "visit"},
                                  caller=Caller("t", "admin"), today=today)
    assert fresh_db.scalar("SELECT count(*) FROM touchpoints") == before
    assert fresh_db.scalar("SELECT count(*) FROM audit_log WHERE actor = 't'") == 0


def test_log_touchpoint_saves_audits_and_changes_figures(fresh_db) -> None:
    version = fresh_db.version
    engagement.log_touchpoint(fresh_db, {"exec_code": "NEVER", "date": D, "channel": "visit", "topic": " ",
                                           "duration_min": 15, "sentiment": 1, "hq_contact": "CIO",
                                           "commitment": "", "follow_up_due": None},
                                               caller=Caller("t", "admin"), today=D)
    assert fresh_db.version > version
    assert fresh_db.scalar("SELECT count(*) FROM audit_log WHERE actor = 't' AND table_name = 'touchpoints'") == 1
    f = figures(fresh_db)["NEVER"]
    assert (f["engagement_score"], f["days_since_last_touchpoint"], f["status"]) == (pytest.approx(3.0), 0, "engaged")
    with pytest.raises(ValidationError, match="already exists"):  # same executive, date, channel, topic
        engagement.log_touchpoint(fresh_db, {"exec_code": "NEVER", "date": D, "channel": "visit"}, today=D,
            caller=LOCAL)
