"""The RAID log and template deviations (METRICS.md "RAID log", "Template deviations"; the two status rules):
rollout/metrics/raid.py and readiness_status.sql on a hand-built store, every figure worked out by hand beside
its assertion for two dates, with the contract's edges (closed on the as-of day, raised on it, due on it,
scores of exactly 12 and 20, decisions taken after the earlier date, 30 days to go-live)."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.core.access import Caller
from rollout.core.errors import AccessDeniedError, ValidationError
from rollout.metrics import raid, readiness
from rollout.metrics.summary import summary
from rollout.store.db import Database

from support import make_db

D1 = date(2026, 11, 20)
D2 = date(2026, 10, 1)
REGIONS = [{"region_code": "E", "region_name": "East"}, {"region_code": "W", "region_name": "West"}]
EAST_EDITOR = Caller("e@acme.cn", "editor", frozenset({"E"}))
ADMIN = Caller("a@acme.cn", "admin", None)


def branch(code: str, region: str = "E", **values) -> dict:
    return {"branch_code": code, "branch_name": code, "region_code": region, **values}


def item(code: str, kind: str, branch_code: str | None, raised: str, status: str = "open", **values) -> dict:
    return {"raid_code": code, "kind": kind, "branch_code": branch_code, "title": f"{kind} {code}",
            "raised_on": raised, "status": status, **values}


def deviation(code: str, branch_code: str, raised: str, decision: str, **values) -> dict:
    return {"deviation_code": code, "branch_code": branch_code, "title": f"deviation {code}", "kind": "report",
            "raised_on": raised, "decision": decision, **values}


@pytest.fixture(scope="module")
def store():
    done = {"dimension": "process", "title": "done", "status": "done", "completed_on": "2026-09-15"}
    db = make_db(regions=REGIONS, branches=[
        # go-live D1 + 20; signed the day after D1 (still unsigned on D1)
        branch("A", planned_go_live="2026-12-10", requirements_signed_on="2026-11-21"),
        branch("B", "W", planned_go_live="2027-03-01"),
        branch("C", planned_go_live="2026-12-20", requirements_signed_on="2026-11-20"),  # D1 + 30, signed on D1
        branch("D", planned_go_live="2026-12-21"),  # D1 + 31
        branch("L", "W", planned_go_live="2026-11-01", actual_go_live="2026-11-01"),  # live on D1, not on D2
    ], checklist=[{"branch_code": b, "item_code": "I1", **done} for b in "ABCD"], raid=[
        item("R01", "risk", "A", "2026-11-20", probability=4, impact=5),  # raised on D1, score 20: critical
        item("R02", "risk", "A", "2026-09-01", "closed", closed_on="2026-11-20", probability=4, impact=3),  # 12
        item("R03", "risk", "B", "2026-09-01", probability=5, impact=4),  # 20: critical
        item("R04", "risk", "B", "2026-09-01", "in_progress", probability=3, impact=3),  # 9: medium
        item("R05", "action", "A", "2026-11-01", due_date="2026-11-20"),  # due on D1: not overdue on D1
        item("R06", "action", "A", "2026-09-01", "closed", due_date="2026-09-30", closed_on="2026-11-10"),
        item("R07", "action", "B", "2026-11-01", "in_progress", due_date="2026-11-19"),
        item("R08", "issue", "A", "2026-09-15", impact=4),
        item("R09", "decision", "A", "2026-09-01", "closed", closed_on="2026-09-10"),
        item("R10", "risk", None, "2026-08-01", probability=5, impact=5),  # the programme's
        item("R11", "action", None, "2026-11-01", due_date="2026-11-05"),
        item("R12", "risk", "A", "2026-11-01", "cancelled", closed_on="2026-11-21", probability=3, impact=4),
    ], deviations=[
        deviation("V1", "A", "2026-10-15", "proposed", blocks_go_live=True),
        deviation("V2", "A", "2026-09-01", "approved", decided_on="2026-11-20", effort_days=5, blocks_go_live=True),
        deviation("V3", "A", "2026-09-01", "after_go_live", decided_on="2026-09-20", effort_days=3,
                  blocks_go_live=True),
        deviation("V4", "A", "2026-09-01", "approved", decided_on="2026-09-10", effort_days=2.5, blocks_go_live=True,
                  delivered_on="2026-11-20"),
        deviation("V5", "B", "2026-09-01", "rejected", decided_on="2026-10-01"),
        deviation("V6", "B", "2026-09-01", "rejected", decided_on="2026-10-02", blocks_go_live=True),
        deviation("V7", "C", "2026-11-01", "proposed", blocks_go_live=True),
        deviation("V8", "D", "2026-11-01", "proposed", blocks_go_live=True),
    ])
    yield db
    db.close()


def figures(db: Database, as_of: date) -> dict[str, dict]:
    return {r["branch_code"]: r for r in raid.branch_figures(db, as_of).to_dict("records")}


COLUMNS = ["open_critical_risks", "open_risks_high", "overdue_actions", "open_issues", "deviations_pending",
           "deviations_blocking", "approved_effort", "requirements_unsigned"]


@pytest.mark.parametrize(("as_of", "code", "expected"), [
    # A on D1: R01 (20, raised on D1) critical; R12 (12, cancelled the day after) high; R02 closed on D1 is not
    # open; R05 due on D1 not overdue; R08 open issue. V1 pending; V1, V2 blocking (V2 approved, not delivered),
    # V4 delivered on D1 no longer; approved effort V2 5 + V4 2.5 (decided on D1 counts); signed after D1.
    (D1, "A", [1, 2, 0, 1, 1, 2, 7.5, True]),
    # A on D2: R02 (12) high; R06 due 09-30 open on D2: overdue; V1 not raised; V2 decided after D2: pending and
    # blocking; V4 delivered after D2: blocking; approved effort V4 only; go-live 70 days away: not a finding.
    (D2, "A", [0, 1, 1, 1, 1, 2, 2.5, False]),
    (D1, "B", [1, 1, 1, 0, 0, 0, 0.0, False]),  # V6 rejected on 10-02: neither
    (D2, "B", [1, 1, 0, 0, 1, 1, 0.0, False]),  # V5 rejected on D2: decided; V6 on the next day: pending, blocking
    (D1, "C", [0, 0, 0, 0, 1, 1, 0.0, False]),  # signed on D1
    (D1, "D", [0, 0, 0, 0, 1, 1, 0.0, True]),  # 31 days, never signed
    (D1, "L", [0, 0, 0, 0, 0, 0, 0.0, False]),  # live
    (D2, "L", [0, 0, 0, 0, 0, 0, 0.0, True]),  # not live yet on D2, go-live in 31 days
])
def test_branch_figures_by_hand(store: Database, as_of: date, code: str, expected: list) -> None:
    row = figures(store, as_of)[code]
    assert [row[c] for c in COLUMNS] == expected


@pytest.mark.slow
def test_the_status_reads_the_two_new_rules_and_says_which(store: Database) -> None:
    on_d1 = readiness.branch_status(store, D1).set_index("branch_code")
    # A: two blocking deviations, go-live in 20 days: red, and the reason says so first
    assert on_d1.loc["A", "status"] == "red" and bool(on_d1.loc["A", "red_deviation"])
    assert on_d1.loc["A", "top_reason"] == "2 deviations from the template block the go-live, go-live in 20 days"
    assert on_d1.loc["C", "status"] == "red"  # exactly 30 days
    assert on_d1.loc["D", "status"] == "green"  # 31 days: the rule does not apply
    # B: a critical risk makes amber, said in the reasons
    assert on_d1.loc["B", "status"] == "amber" and "1 open critical risk" in on_d1.loc["B", "reasons"]
    on_d2 = readiness.branch_status(store, D2).set_index("branch_code")
    assert on_d2.loc["A", "status"] == "green"  # blocking, but 70 days away; no critical risk yet
    assert on_d2.loc["B", "status"] == "amber"


def test_summary_json_has_the_seven_fields(store: Database) -> None:
    rows = {r["branch_code"]: r for r in summary(store, D1)["branches"]}
    assert {k: rows["A"][k] for k in raid.SUMMARY_COLUMNS[1:]} == {
        "open_critical_risks": 1, "open_risks_high": 2, "overdue_actions": 0, "open_issues": 1,
        "deviations_pending": 1, "deviations_blocking": 2, "requirements_unsigned": True}
    assert list(rows["A"])[-1] == "status"


def test_programme_totals_by_hand(store: Database) -> None:
    totals = raid.programme_totals(store, D1)
    # open risks R01 R03 R04 R10 R12; actions R05 R07 R11; issue R08 (the programme's R10, R11 included)
    assert totals["open_items"] == {"risk": 5, "action": 3, "issue": 1, "decision": 0}
    assert totals["open_risks_by_band"] == {"critical": 3, "high": 1, "medium": 1, "low": 0}
    assert totals["overdue_actions"] == 2  # R07 (due 11-19), R11 (the programme's)
    # risk ages 0, 19, 80, 80, 111: median 80; actions all raised 11-01: 19
    assert totals["median_age_days"] == {"risk": 80.0, "action": 19.0, "issue": 66.0, "decision": None}
    assert totals["deviations_blocking"] == 2 + 1 + 1  # A: V1 V2; C: V7; D: V8


def test_raised_and_closed_per_week(store: Database) -> None:
    weeks = raid.raised_closed_per_week(store, D1, weeks=3)
    assert [(str(d)[:10], r, c) for d, r, c in weeks.itertuples(index=False)] == [
        ("2026-11-06", 4, 0),  # R05 R07 R11 R12 raised 11-01
        ("2026-11-13", 0, 1),  # R06 closed 11-10
        ("2026-11-20", 1, 1)]  # R01 raised on D1, R02 closed on D1 (R12 closes after D1)


def test_heat_map_counts_open_scored_risks_per_cell(store: Database) -> None:
    cells = raid.risk_heat_map(store, D1)
    assert len(cells) == 25 and cells["risks"].sum() == 5
    found = {(r.probability, r.impact): r.risks for r in cells.itertuples() if r.risks}
    assert found == {(4, 5): 1, (5, 4): 1, (3, 3): 1, (5, 5): 1, (3, 4): 1}


def test_open_items_put_overdue_actions_first_then_the_highest_score(store: Database) -> None:
    codes = raid.open_items(store, D1)["raid_code"].tolist()
    assert codes[:2] == ["R11", "R07"]  # overdue, the most late first (due 11-05, then 11-19)
    assert codes[2] == "R10"  # score 25


def test_a_scoped_reader_sees_the_programme_and_its_own_branches(store: Database) -> None:
    scoped = store.scoped(EAST_EDITOR)
    codes = set(raid.raid_log(scoped, D1)["raid_code"])
    assert {"R10", "R11", "R01"} <= codes and not codes & {"R03", "R04", "R07"}  # B is West's
    assert set(raid.deviations_register(scoped, D1)["deviation_code"]) == {"V1", "V2", "V3", "V4", "V7", "V8"}


def test_writes_follow_scope_programme_items_are_the_administrators(tmp_path) -> None:
    db = make_db(tmp_path / "w.duckdb", regions=REGIONS, branches=[branch("A"), branch("B", "W")])
    new = item("N1", "action", "A", "2026-11-01", owner="王", due_date="2026-11-30")
    raid.save_item(db, new, caller=EAST_EDITOR, today=D1)
    with pytest.raises(AccessDeniedError):
        raid.save_item(db, {**new, "raid_code": "N2", "branch_code": "B"}, caller=EAST_EDITOR, today=D1)
    with pytest.raises(AccessDeniedError):
        raid.save_item(db, {**new, "raid_code": "N3", "branch_code": None}, caller=Caller("hq", "editor"), today=D1)
    raid.save_item(db, {**new, "raid_code": "N3", "branch_code": ""}, caller=ADMIN, today=D1)
    assert db.scalar("SELECT count(*) FROM raid") == 2
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'raid' AND action = 'insert'") == 2
    # closing today is fine, closing tomorrow is not
    raid.save_item(db, {**new, "status": "closed", "closed_on": D1}, original=None, caller=EAST_EDITOR, today=D1)
    with pytest.raises(ValidationError, match="in the future"):
        raid.save_item(db, {**new, "closed_on": date(2026, 11, 21)}, caller=EAST_EDITOR, today=D1)
    raid.save_deviation(db, deviation("V1", "A", "2026-11-01", "approved", decided_on=D1, effort_days=4),
                        caller=EAST_EDITOR, today=D1)
    assert db.scalar("SELECT decision FROM deviations") == "approved"


@pytest.mark.parametrize(("table", "row", "column"), [
    ("raid", item("X", "risk", "A", "2026-11-01", "closed"), "closed_on"),  # closed needs closed_on
    ("raid", item("X", "risk", "A", "2026-11-01", "closed", closed_on="2026-10-31"), "closed_on"),  # backwards
    ("raid", item("X", "action", "A", "2026-11-01", probability=3), "probability"),  # risks only
    ("raid", item("X", "decision", "A", "2026-11-01", impact=3), "impact"),  # risks and issues only
    ("raid", item("X", "risk", "A", "2026-11-01", probability=6), "probability"),  # 1-5
    ("raid", item("X", "threat", "A", "2026-11-01"), "kind"),
    ("raid", item("X", "risk", "NOPE", "2026-11-01"), "branch_code"),
    ("deviations", deviation("X", "A", "2026-11-01", "approved"), "decided_on"),  # decided needs decided_on
    ("deviations", deviation("X", "A", "2026-11-01", "approved", decided_on="2026-10-01"), "decided_on"),
    ("deviations", deviation("X", "A", "2026-11-01", "approved", decided_on="2026-11-05", delivered_on="2026-11-04"),
     "delivered_on"),
    ("deviations", deviation("X", "A", "2026-11-01", "rejected", decided_on="2026-11-05", delivered_on="2026-11-06"),
     "delivered_on"),  # a rejected deviation is not built
    ("deviations", deviation("X", "A", "2026-11-01", "proposed", effort_days=-1), "effort_days"),
])
def test_bad_rows_are_refused_naming_the_column(tmp_path, table: str, row: dict, column: str) -> None:
    db = make_db(tmp_path / "bad.duckdb", regions=REGIONS, branches=[branch("A")])
    with pytest.raises(ValidationError) as refused:
        (raid.save_item if table == "raid" else raid.save_deviation)(db, row, caller=ADMIN, today=D1)
    assert [e.column for e in refused.value.errors] == [column]
