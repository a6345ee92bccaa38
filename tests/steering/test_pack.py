"""Steering review: snapshots, what changed, the pack in three formats, go / no-go decisions, the CLI."""

from __future__ import annotations

import copy
import json
from datetime import date

import pandas as pd
import pytest
from pptx import Presentation

from rollout.cli import main
from rollout.core.access import LOCAL
from rollout.core.errors import RolloutError, ValidationError
from rollout.metrics.summary import summary
from rollout.steering import decisions, pack, snapshots

AS_OF = date(2026, 11, 22)
HOSTILE_FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_HTML = "<script>alert(1)</script>"


def branch(code: str, readiness: float | None, overdue: int, gates: int, slip: int | None, forecast: str | None,
           status: str | None) -> dict:
    return {"branch_code": code, "checklist_readiness": readiness, "overdue_items": overdue, "failing_gates": gates,
            "slip_days": slip, "forecast_ready_on": forecast, "status": status}


def item(code: str, number: int) -> dict:
    return {"branch_code": code, "item_code": f"{code}-{number}", "title": f"task {number}", "due_date": "2026-10-30"}


OLD = {
    "as_of": "2026-11-01",
    "branches": [branch("A", 50.0, 1, 0, 10, "2026-12-11", "amber"), branch("B", 80.0, 0, 1, None, None, "red"),
                 branch("C", 30.0, 0, 0, 0, "2027-01-01", "green"), branch("D", None, 0, 0, None, None, "no_plan")],
    "executives": [{"exec_code": "X1", "status": "engaged"}, {"exec_code": "X2", "status": "cooling"},
                   {"exec_code": "X3", "status": "silent"}],
    "lessons": [{"lesson_code": "L1", "application_coverage": 25.0}],
    "context": {
        "branches": {"A": {"name": "天津分公司"}, "B": {"name": "济南分公司"}, "C": {"name": "C"}, "D": {"name": "D"}},
        "executives": {"X1": {"name": "天津总经理"}, "X2": {"name": "x2"}, "X3": {"name": "x3"}},
        "lessons": {"L1": {"title": "关键用户离职"}},
        "reasons": {},
        "overdue_items": [item("A", 1)],
        "failing_gates": [item("B", 9)],
        "people_left": [{"person_code": "P1", "name": "员工1", "branch_code": "A", "left_on": "2026-10-01"}],
        "lesson_applications": [{"lesson_code": "L1", "branch_code": "A", "status": "planned"},
                                {"lesson_code": "L1", "branch_code": "B", "status": "applied"}],
    },
}
NEW = {
    "as_of": "2026-11-08",
    "branches": [branch("A", 70.0, 2, 1, 40, "2027-01-10", "red"), branch("B", 90.0, 0, 0, None, None, "green"),
                 branch("C", 20.0, 0, 0, 0, "2027-01-01", "green"), branch("D", None, 0, 0, None, None, "no_plan")],
    "executives": [{"exec_code": "X1", "status": "silent", "days_since_last_touchpoint": 50, "engagement_score": 0.4},
                   {"exec_code": "X2", "status": "cooling"}, {"exec_code": "X3", "status": "silent"},
                   {"exec_code": "X4", "status": "silent"}],
    "lessons": [{"lesson_code": "L1", "application_coverage": 50.0}],
    "context": {
        "branches": OLD["context"]["branches"],
        "executives": {**OLD["context"]["executives"], "X4": {"name": "x4"}},
        "lessons": OLD["context"]["lessons"],
        "reasons": {"A": "1 failing gate; slip 40 days"},
        "overdue_items": [item("A", 1), item("A", 2)],
        "failing_gates": [item("A", 3)],
        "people_left": [{"person_code": "P1", "name": "员工1", "branch_code": "A", "left_on": "2026-10-01"},
                        {"person_code": "P2", "name": "员工2", "branch_code": "B", "left_on": "2026-11-05"}],
        "lesson_applications": [{"lesson_code": "L1", "branch_code": "A", "status": "applied"},
                                {"lesson_code": "L1", "branch_code": "B", "status": "verified"},
                                {"lesson_code": "L1", "branch_code": "C", "status": "applied"}],
    },
}


def records(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


# --- what changed, from two hand-built snapshots ----------------------------------------------------

def test_what_changed_between_hand_built_snapshots() -> None:
    changes = snapshots.what_changed(OLD, NEW)
    # A: amber -> red, B: red -> green; C and D kept their status.
    assert records(changes["status_changes"]) == [
        {"branch_code": "A", "branch_name": "天津分公司", "status_before": "amber", "status_after": "red",
         "what_moved": "readiness 50 → 70; failing gates 0 → 1; overdue items 1 → 2; slip days 10 → 40; "
                       "forecast ready 2026-12-11 → 2027-01-10",
         "reasons_now": "1 failing gate; slip 40 days"},
        {"branch_code": "B", "branch_name": "济南分公司", "status_before": "red", "status_after": "green",
         "what_moved": "readiness 80 → 90; failing gates 1 → 0", "reasons_now": ""}]
    # Readiness: A +20 (50 -> 70), B +10 (80 -> 90), C -10 (30 -> 20); D has none.
    assert [(r["branch_code"], r["change_points"]) for r in records(changes["readiness_up"])] == [("A", 20.0),
                                                                                                  ("B", 10.0)]
    assert [(r["branch_code"], r["change_points"]) for r in records(changes["readiness_down"])] == [("C", -10.0)]
    # A-1 was already overdue; A-2 is new. B-9 stopped failing, A-3 is a new failing gate.
    assert list(changes["new_overdue"]["item_code"]) == ["A-2"]
    assert list(changes["new_failing_gates"]["item_code"]) == ["A-3"]
    # X1 engaged -> silent; X2 still cooling; X3 was already silent; X4 is new (not "went" silent).
    assert records(changes["went_silent"]) == [
        {"exec_code": "X1", "name": "天津总经理", "status_before": "engaged", "status_after": "silent",
         "days_since_last_touchpoint": 50, "engagement_score": 0.4}]
    # P1 had left before the previous review; P2 is new.
    assert list(changes["people_left"]["person_code"]) == ["P2"]
    assert list(changes["people_left"]["branch_name"]) == ["济南分公司"]
    # L1 at A planned -> applied and at C no row -> applied; at B applied -> verified is not "newly" applied.
    assert [(r["branch_code"], r["status_before"], r["status_after"]) for r in records(changes["lessons_applied"])] \
        == [("A", "planned", "applied"), ("C", None, "applied")]


def raid_context(critical: list[str], overdue: list[str], decided: list[str]) -> dict:
    return {"critical_risks": [{"raid_code": c, "branch_code": "A", "title": f"risk {c}", "owner": None, "score": 20,
                                "raised_on": "2026-10-01"} for c in critical],
            "overdue_actions": [{"raid_code": c, "branch_code": None, "title": f"action {c}", "owner": "王",
                                 "due_date": "2026-11-01"} for c in overdue],
            "deviations_decided": [{"deviation_code": c, "branch_code": "B", "title": f"deviation {c}",
                                    "decision": "approved", "decided_on": "2026-11-02", "effort_days": 2.0}
                                   for c in decided]}


def test_what_changed_lists_new_critical_risks_overdue_actions_and_decided_deviations() -> None:
    old = {**OLD, "context": {**OLD["context"], "raid": raid_context(["R1"], ["R5"], ["V1"])}}
    # R1 still critical (not new), R2 new; R5 overdue before, R6 new; V2 decided since
    new = {**NEW, "context": {**NEW["context"], "raid": raid_context(["R1", "R2"], ["R5", "R6"], ["V1", "V2"])}}
    changes = snapshots.what_changed(old, new)
    assert list(changes["new_critical_risks"]["raid_code"]) == ["R2"]
    assert list(changes["new_overdue_actions"]["raid_code"]) == ["R6"]
    assert records(changes["deviations_decided"]) == [
        {"deviation_code": "V2", "branch_code": "B", "branch_name": "济南分公司", "title": "deviation V2",
         "decision": "approved", "decided_on": "2026-11-02", "effort_days": 2.0}]
    assert snapshots.what_changed(OLD, new)["new_critical_risks"] is None  # the older snapshot predates the log


def test_what_changed_is_empty_between_equal_snapshots_and_unavailable_without_figures() -> None:
    with_raid = {**NEW, "context": {**NEW["context"], "raid": raid_context(["R1"], [], [])}}
    same = snapshots.what_changed(with_raid, copy.deepcopy(with_raid))
    assert all(frame is not None and frame.empty for frame in same.values())
    blank = {"as_of": "2026-11-01", "branches": [branch("A", None, None, None, None, None, None)],
             "executives": [{"exec_code": "X1", "status": None}], "lessons": []}
    unavailable = snapshots.what_changed(blank, copy.deepcopy(blank))
    # No status, readiness or context: every table is "not yet available" (None), nothing invented.
    assert all(frame is None for frame in unavailable.values())


# --- snapshots --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_snapshot_is_frozen_when_the_data_changes(sample_db) -> None:
    first = snapshots.take_snapshot(sample_db, AS_OF, label="review 1", caller=LOCAL)
    frozen = snapshots.get_snapshot(sample_db, first)
    assert frozen["as_of"] == "2026-11-22"
    assert frozen["context"]["branches"]["B01"]["name"] == "天津分公司"
    assert [b["branch_code"] for b in frozen["branches"]] == [b["branch_code"] for b in summary(sample_db, AS_OF)[
        "branches"]]
    with sample_db.transaction() as cur:
        cur.execute("UPDATE branches SET branch_name = '改名分公司', consultant_days_used = 999 "
                    "WHERE branch_code = 'B01'")
        cur.execute("UPDATE people SET left_on = DATE '2026-11-01' WHERE left_on IS NULL")
    assert snapshots.get_snapshot(sample_db, first) == frozen
    second = snapshots.take_snapshot(sample_db, AS_OF, caller=LOCAL)
    later = snapshots.get_snapshot(sample_db, second)
    assert later["context"]["branches"]["B01"]["name"] == "改名分公司"  # the new data does reach a new snapshot
    assert len(later["context"]["people_left"]) > len(frozen["context"]["people_left"])
    listed = snapshots.list_snapshots(sample_db)
    assert list(listed["snapshot_id"]) == [second, first]  # same as-of date: newest first
    assert list(listed["label"]) == ["", "review 1"]
    assert sample_db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'snapshots'") == 2
    # the branches per status stored beside the JSON are the JSON's own (the trend and this list read them)
    statuses = [b["status"] for b in frozen["branches"]]
    first_row = listed.set_index("snapshot_id").loc[first]
    assert {s: int(first_row[s]) for s in ("red", "amber", "green", "live")} == {
        s: statuses.count(s) for s in ("red", "amber", "green", "live")}
    trend = snapshots.status_counts(sample_db).iloc[-1]  # the newest of the date: the second
    assert int(trend["snapshot_id"]) == second and int(trend["no_plan"]) == statuses.count("no_plan")


@pytest.mark.slow
def test_latest_pair_prefers_an_earlier_review_date(sample_db) -> None:
    assert snapshots.latest_pair(sample_db) == (None, None)
    early = snapshots.take_snapshot(sample_db, date(2026, 9, 15), caller=LOCAL)
    late = snapshots.take_snapshot(sample_db, AS_OF, caller=LOCAL)
    again = snapshots.take_snapshot(sample_db, AS_OF, caller=LOCAL)
    # The latest review is the newest snapshot of the latest date; the previous one is of an earlier date.
    assert snapshots.latest_pair(sample_db) == (early, again)
    assert late != again
    changes = snapshots.changes_between(sample_db)
    assert (changes["old_as_of"], changes["new_as_of"]) == ("2026-09-15", "2026-11-22")
    # Sample: P029 left 2026-09-30, P004 on 2026-10-18, P003 on 2026-10-27: all between the two reviews.
    assert set(changes["tables"]["people_left"]["person_code"]) >= {"P003", "P004", "P029"}



# --- the stored form of a snapshot (issue 28) ------------------------------------------------------------

def same_tables(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for name, frame in want.items():
        if frame is None:
            assert got[name] is None, name
        else:
            pd.testing.assert_frame_equal(got[name], frame, obj=name)


def stored_again(figures: dict) -> dict:
    return snapshots.expand(json.loads(json.dumps(snapshots.compact(figures), ensure_ascii=False)))


def test_the_compact_form_gives_what_changed_the_same_tables() -> None:
    with_raid = [{**s, "context": {**s["context"], "raid": raid_context(critical, [], [])}}
                 for s, critical in ((OLD, ["R1"]), (NEW, ["R1", "R2"]))]
    blank = {"as_of": "2026-11-01", "branches": [branch("A", None, None, None, None, None, None)],
             "executives": [{"exec_code": "X1", "status": None}], "lessons": []}
    for old, new in ((OLD, NEW), tuple(with_raid), (OLD, with_raid[1]), (blank, blank)):
        same_tables(snapshots.what_changed(stored_again(old), stored_again(new)), snapshots.what_changed(old, new))
    text = json.dumps(snapshots.compact(NEW), ensure_ascii=False)
    assert text.count("天津分公司") == 1 and text.count('"task 1"') == 1  # each text once, however often used
    with pytest.raises(RolloutError, match="form 3"):
        snapshots.expand({"form": 3})


@pytest.mark.slow
def test_a_stored_snapshot_holds_what_what_changed_reads_and_gives_the_same_tables(sample_db) -> None:
    early, late = date(2026, 9, 15), AS_OF
    first = snapshots.take_snapshot(sample_db, early, caller=LOCAL)
    second = snapshots.take_snapshot(sample_db, late, caller=LOCAL)
    full_early, full_late = snapshots.snapshot_figures(sample_db, early), snapshots.snapshot_figures(sample_db, late)
    stored = snapshots.get_snapshot(sample_db, second)
    for name, fields in snapshots.KEPT_FIGURES.items():  # each branch's and executive's figures, in order
        assert stored[name] == [{f: row.get(f) for f in fields} for row in full_late[name]]
    assert {b["status"] for b in stored["branches"]} >= {"red", "amber", "live"}
    assert stored["context"]["reasons"] == {c: r for c, r in full_late["context"]["reasons"].items() if r}
    for name in ("overdue_items", "failing_gates", "people_left", "lesson_applications", "raid"):
        assert stored["context"][name] == full_late["context"][name]
    assert stored["context"]["overdue_items"]  # the sample has overdue items on 2026-11-22: the check is not empty
    tables = snapshots.changes_between(sample_db, first, second)["tables"]
    same_tables(tables, snapshots.what_changed(full_early, full_late))
    same_raid_keys(snapshots.raid_changes_between(sample_db), snapshots.changes_between(sample_db, first, second))
    assert len(tables["status_changes"]) and len(tables["people_left"]) and len(tables["new_overdue"])  # not empty
    assert snapshots.branch_statuses(sample_db, second) == {b["branch_code"]: b["status"]
                                                             for b in full_late["branches"]}
    text = sample_db.scalar("SELECT summary_json FROM snapshots WHERE snapshot_id = ?", [second])
    assert len(text) < len(json.dumps(full_late, ensure_ascii=False, sort_keys=True, default=str)) / 2


@pytest.mark.slow
def test_a_snapshot_stored_in_the_full_form_is_still_read(sample_db) -> None:
    """Snapshots taken before issue 28 hold the whole summary and a larger context: read as they were
    stored, compared with a compact one as before, never rewritten."""
    early = date(2026, 9, 15)
    full = snapshots.snapshot_figures(sample_db, early)
    full["context"]["branches"]["B01"]["region_code"] = "EAST"  # the old context held more than names
    text = json.dumps(full, ensure_ascii=False, sort_keys=True, default=str)
    statuses = [b["status"] for b in full["branches"]]
    with sample_db.transaction() as cur:
        old_id = cur.execute("INSERT INTO snapshots (as_of, taken_at, label, summary_json, scope, live_branches, "
                             "green_branches, amber_branches, red_branches, no_plan_branches) "
                             "VALUES (?, now(), 'full form', ?, '*', ?, ?, ?, ?, ?) RETURNING snapshot_id",
                             [early, text, *(statuses.count(s) for s in ("live", "green", "amber", "red",
                                                                          "no_plan"))]).fetchone()[0]
    new_id = snapshots.take_snapshot(sample_db, AS_OF, caller=LOCAL)
    assert snapshots.get_snapshot(sample_db, old_id) == json.loads(text)
    assert snapshots.branch_statuses(sample_db, old_id) == dict(zip([b["branch_code"] for b in full["branches"]],
                                                                    statuses, strict=True))
    assert snapshots.latest_pair(sample_db) == (old_id, new_id)
    changes = snapshots.changes_between(sample_db)
    assert (changes["old_as_of"], changes["new_as_of"]) == ("2026-09-15", "2026-11-22")
    same_tables(changes["tables"], snapshots.what_changed(full, snapshots.snapshot_figures(sample_db, AS_OF)))
    assert sample_db.scalar("SELECT summary_json FROM snapshots WHERE snapshot_id = ?", [old_id]) == text
    same_raid_keys(snapshots.raid_changes_between(sample_db), changes)


def same_raid_keys(raid: dict, changes: dict) -> None:
    """The pack's RAID changes (keys and decisions extracted by the database) are what_changed's."""
    assert raid["old_as_of"] == changes["old_as_of"]
    for name in snapshots.RAID_CHANGES:
        whole = changes["tables"][name]
        kept = [whole.columns[0], *(["decision"] if "decision" in whole else [])]
        assert raid["tables"][name][kept].to_dict("records") == whole[kept].to_dict("records")


# --- man-days ---------------------------------------------------------------------------------------

def test_man_days_per_branch_and_total(db_factory) -> None:
    db = db_factory(regions=[{"region_code": "E", "region_name": "East"}],
                    branches=[{"branch_code": "A", "branch_name": "A", "region_code": "E",
                               "consultant_days_budget": 100, "consultant_days_used": 40},
                              {"branch_code": "B", "branch_name": "B", "region_code": "E",
                               "consultant_days_budget": 50, "consultant_days_used": 60},
                              {"branch_code": "C", "branch_name": "C", "region_code": "E",
                               "consultant_days_budget": 30}])
    days = pack.man_days(db, AS_OF).set_index("branch_code")  # no logged days: the branches sheet's figures
    assert days.loc["A", "remaining_days"] == 60  # 100 - 40
    assert days.loc["B", "remaining_days"] == -10  # over budget: 50 - 60
    assert days.loc["B", "used_pct"] == 120.0  # 60 / 50
    # Total: budget 100 + 50 + 30 = 180, used 40 + 60 = 100; remaining counts A and B only: 60 - 10 = 50.
    assert (days.loc["TOTAL", "budget_days"], days.loc["TOTAL", "used_days"]) == (180, 100)
    assert days.loc["TOTAL", "remaining_days"] == 50
    assert days.loc["TOTAL", "used_pct"] == 55.6  # 100 / 180 = 55.55...%


# --- go / no-go decisions ---------------------------------------------------------------------------

def test_bad_decision_is_refused_with_every_problem_and_nothing_saved(sample_db) -> None:
    with pytest.raises(ValidationError) as refused:
        decisions.record_decision(sample_db, "NOPE", "maybe", date(2026, 11, 20), "  ", "", date(2026, 11, 1),
                               as_of=AS_OF, caller=LOCAL)
    assert sorted(e.column for e in refused.value.errors) == ["branch_code", "decided_by", "decision",
                                                              "follow_up_on"]
    with pytest.raises(ValidationError) as refused:
        decisions.record_decision(sample_db, "B03", "go_with_conditions", date(2026, 11, 20), "CIO", " ", None,
                               as_of=AS_OF, caller=LOCAL)
    assert [e.column for e in refused.value.errors] == ["conditions"]
    assert sample_db.scalar("SELECT count(*) FROM decisions") == 0
    assert sample_db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'decisions'") == 0


@pytest.mark.slow
def test_decision_freezes_the_branch_figures_and_is_audited(sample_db) -> None:
    decision_id = decisions.record_decision(sample_db, "B03", "go with conditions", date(2026, 11, 20), "指导委员会",
                                         "close overdue items", date(2026, 12, 1), as_of=AS_OF, caller=LOCAL)
    figures = decisions.decision_figures(sample_db, decision_id)
    expected = next(b for b in summary(sample_db, AS_OF)["branches"] if b["branch_code"] == "B03")
    assert {k: figures[k] for k in expected} == expected
    assert figures["branch_name"] == "南京分公司" and figures["as_of"] == "2026-11-22"
    assert (figures["consultant_days_budget"], figures["consultant_days_used"]) == (160, 78)
    with sample_db.transaction() as cur:
        cur.execute("UPDATE checklist SET status = 'done', completed_on = DATE '2026-11-01' WHERE branch_code = 'B03'")
        cur.execute("UPDATE branches SET consultant_days_used = 150 WHERE branch_code = 'B03'")
    assert decisions.decision_figures(sample_db, decision_id) == figures
    stored = sample_db.rows("SELECT decision, decided_by, conditions, follow_up_on FROM decisions")
    assert stored == [("go_with_conditions", "指导委员会", "close overdue items", date(2026, 12, 1))]
    audit = sample_db.rows("SELECT actor, action, row_key FROM audit_log WHERE table_name = 'decisions'")
    assert audit == [(LOCAL.email, "insert", json.dumps({"decision_id": decision_id}))]  # the caller, not decided_by
    listed = decisions.list_decisions(sample_db, AS_OF)
    assert list(listed["decision_id"]) == [decision_id]
    assert listed.loc[0, "status_then"] == expected["status"]


@pytest.mark.parametrize(("decision", "follow_up", "then", "now", "as_of", "verdict"), [
    ("go", None, "amber", "red", date(2026, 12, 1), "no conditions"),
    ("go_with_conditions", None, "amber", "green", date(2026, 12, 1), "met"),
    ("go_with_conditions", None, "amber", "live", date(2026, 12, 1), "met"),
    ("no_go", date(2026, 11, 25), "red", "amber", date(2026, 12, 1), "follow-up overdue, improved"),
    ("go_with_conditions", date(2026, 11, 25), "amber", "amber", date(2026, 12, 1), "follow-up overdue, not improved"),
    ("go_with_conditions", date(2026, 12, 5), "amber", "red", date(2026, 12, 1), "open"),
    ("go_with_conditions", None, "amber", None, date(2026, 12, 1), "not yet available"),
])
def test_whether_conditions_were_met(decision, follow_up, then, now, as_of, verdict) -> None:
    assert decisions.decision_follow_up(decision, date(2026, 11, 20), follow_up, {"status": then},
                                     {"status": now, "failing_gates": 0}, as_of) == verdict


def test_green_with_a_failing_gate_is_not_met() -> None:
    assert decisions.decision_follow_up("go_with_conditions", date(2026, 11, 20), None, {"status": "amber"},
                                     {"status": "green", "failing_gates": 1}, date(2026, 12, 1)) == "open"


# --- the CLI ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_snapshot_and_report(sample_db_path, tmp_path, capsys) -> None:
    assert main(["snapshot", "--db", str(sample_db_path), "--as-of", "2026-11-22"]) == 0
    assert "as of 2026-11-22" in capsys.readouterr().out
    out = tmp_path / "pack.pptx"
    assert main(["report", "--db", str(sample_db_path), "--as-of", "2026-11-22", "--out", str(out)]) == 0
    assert len(Presentation(str(out)).slides) == 11  # the title slide and ten sections
    assert main(["report", "--db", str(sample_db_path), "--out", str(tmp_path / "pack.txt")]) == 1
    assert "expected a name ending in .pptx, .xlsx or .html" in capsys.readouterr().err
    from rollout.store.db import Database

    with Database(sample_db_path) as db:
        assert db.rows("SELECT as_of FROM snapshots") == [(AS_OF,)]
