"""Steering review: snapshots, what changed, the pack in three formats, go / no-go decisions, the CLI."""

from __future__ import annotations

import copy
import json
from datetime import date

import openpyxl
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from rollout.cli import main
from rollout.core.access import LOCAL
from rollout.core.errors import RolloutError, ValidationError
from rollout.metrics import man_days
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


def test_what_changed_is_empty_between_equal_snapshots_and_unavailable_without_figures() -> None:
    same = snapshots.what_changed(NEW, copy.deepcopy(NEW))
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


def test_man_days_by_phase_and_region_and_remaining(sample_db) -> None:
    phases = pack.man_days_by_phase_section(sample_db, AS_OF)
    frame = phases.frame.set_index("region_code")
    # the sample logs preparation, kick-off, training and testing days only (no cutover, no support yet);
    # EAST's branches that do not log (B01, B04, PIL) add 120 + 57 + 395 = 572 without a phase
    assert list(frame.columns) == ["preparation", "kickoff", "training", "testing", "no phase", "used"]
    assert frame.loc["EAST", "no phase"] == 572 and frame.loc["TOTAL", "used"] == 1004
    assert phases.chart.values == ["preparation", "kickoff", "training", "testing", "no phase"]
    remaining = pack.man_days_remaining_section(sample_db, AS_OF).frame.set_index("region_code")
    assert remaining.loc["TOTAL"].to_dict() == {"budget": 2600, "used": 1004, "remaining": 1596,
                                                "forecast_overrun": 0}


def test_acceptance_and_payment_of_live_branches(sample_db) -> None:
    section = pack.acceptance_section(sample_db, AS_OF)
    # expected summary on 11-22: B01 ready, B01 and B02 payment overdue, nothing accepted
    assert list(section.frame["branch_code"]) == ["B02", "B01", "PIL"]
    assert section.frame.set_index("branch_code").loc["B01", "payment_due"] == "2026-07-01"
    assert section.note == ("3 live branches: 1 ready for acceptance, 0 with acceptance overdue, 0 accepted, "
                            "2 with payment overdue.")
    assert len(section.frame.columns) <= 10  # one slide table


def test_pack_of_an_empty_database_renders_in_every_format(tmp_path) -> None:
    from rollout.store.db import Database

    with Database(tmp_path / "empty.duckdb") as db:
        for kind in pack.KINDS:  # total rows without any branch: no chart, no error
            assert pack.report_bytes(db, AS_OF, kind)
        assert pack.acceptance_section(db, AS_OF).note == "No branch is live on 2026-11-22."


# --- the pack ---------------------------------------------------------------------------------------

def _slides(path) -> list[tuple[str, list]]:
    return [(s.shapes.title.text_frame.text if s.shapes.title else "", list(s.shapes))
            for s in Presentation(str(path)).slides]


@pytest.mark.slow
def test_pptx_pack_has_native_charts_tables_and_the_database_figures(sample_db, tmp_path) -> None:
    snapshots.take_snapshot(sample_db, date(2026, 9, 15), caller=LOCAL)
    snapshots.take_snapshot(sample_db, AS_OF, caller=LOCAL)
    out = pack.write_report(sample_db, AS_OF, tmp_path / "pack.pptx")
    slides = _slides(out)
    assert "2026-11-22" in " ".join(sh.text_frame.text for sh in slides[0][1] if sh.has_text_frame)
    titles = [t for t, _ in slides]
    for wanted in ("Portfolio status", "Red branches and why", "Next go-lives", "Staffing risks",
                   "Executives to contact", "Lessons coverage", "What changed since last review",
                   "Consultant man-days: used vs budget", "Consultant man-days used by phase and region",
                   "Consultant man-days remaining by region", "Live branches: acceptance and payment"):
        assert any(t.startswith(wanted) for t in titles), wanted
    charts = [sh for _, shapes in slides for sh in shapes if sh.has_chart]
    assert charts, "native charts, not pictures"
    assert not [sh for _, shapes in slides for sh in shapes if sh.shape_type == 13], "no pictures"
    # The man-days table: every branch row and the total as in the database.
    rows = []
    for title, shapes in slides:
        if title.startswith("Consultant man-days: used vs budget"):
            for shape in shapes:
                if shape.has_table:
                    cells = [[c.text for c in r.cells] for r in shape.table.rows]
                    rows += [r for r in cells[1:]]
    by_code = {r[0]: r for r in rows}
    # used on D (METRICS.md "Man-days used"): the logged days where a branch logs them (B03: 23.0, not the
    # sheet's 78), else the branches sheet's figure (B01: 120)
    used = man_days.man_days_used(sample_db, AS_OF).set_index("branch_code")["man_days_used"]
    for code, name, budget in sample_db.rows("SELECT branch_code, branch_name, consultant_days_budget FROM branches"):
        assert by_code[code][1] == name
        assert float(by_code[code][2]) == budget and float(by_code[code][3]) == used[code]
        assert float(by_code[code][4]) == budget - used[code]
    assert (float(by_code["B03"][3]), float(by_code["B01"][3])) == (23.0, 120.0)
    total_budget = sample_db.scalar("SELECT sum(consultant_days_budget) FROM branches")
    assert (float(by_code["TOTAL"][2]), float(by_code["TOTAL"][3])) == (total_budget, used.sum())  # 2600, 1004
    assert by_code["B01"][1] == "天津分公司" and by_code["PIL"][1] == "青岛试点工厂"
    # Chinese text carries an East Asian typeface on its run.
    runs = [r for _, shapes in slides for sh in shapes if sh.has_table for row in sh.table.rows for c in row.cells
            for p in c.text_frame.paragraphs for r in p.runs if r.text == "天津分公司"]
    assert runs and all(r._r.rPr.find(qn("a:ea")).get("typeface") == "Microsoft YaHei" for r in runs)
    # Portfolio status figures as the summary says (or "not yet available" while status is not computed).
    statuses = [b["status"] for b in summary(sample_db, AS_OF)["branches"]]
    portfolio = next(shapes for t, shapes in slides if t == "Portfolio status")
    if any(statuses):
        chart = next(sh.chart for sh in portfolio if sh.has_chart)
        values = dict(zip(chart.plots[0].categories, chart.plots[0].series[0].values, strict=True))
        assert values == {s: statuses.count(s) for s in pack.STATUS_ORDER}
    else:
        assert any("not yet available" in sh.text_frame.text for sh in portfolio if sh.has_text_frame)


def test_xlsx_pack_one_sheet_per_table_figures_and_formula_safety(db_factory, tmp_path) -> None:
    db = db_factory(regions=[{"region_code": "E", "region_name": "华东区"}],
                    branches=[{"branch_code": "B01", "branch_name": "天津分公司", "region_code": "E",
                               "planned_go_live": "2027-01-01", "consultant_days_budget": 120,
                               "consultant_days_used": 30},
                              {"branch_code": "EVIL", "branch_name": HOSTILE_FORMULA, "region_code": "E",
                               "planned_go_live": "2027-02-01", "consultant_days_budget": 10,
                               "consultant_days_used": 4}])
    out = pack.write_report(db, AS_OF, tmp_path / "pack.xlsx")
    book = openpyxl.load_workbook(out)
    assert {"Pack", "Man-days", "Next go-lives", "Branches"} <= set(book.sheetnames)
    assert book["Pack"]["A1"].value == "ERP rollout steering pack, as of 2026-11-22"
    days = list(book["Man-days"].iter_rows(values_only=True))
    assert days[0][:5] == ("branch_code", "branch_name", "budget_days", "used_days", "remaining_days")
    assert days[1][:5] == ("B01", "天津分公司", 120, 30, 90)  # remaining 120 - 30
    assert days[3][:5] == ("TOTAL", "all branches", 130, 34, 96)  # 120 + 10, 30 + 4, 90 + 6
    # The hostile name is kept as text, never a formula.
    evil = [c for row in book["Man-days"].iter_rows() for c in row if c.value == HOSTILE_FORMULA]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    go_lives = list(book["Next go-lives"].iter_rows(values_only=True))
    assert [r[0] for r in go_lives[1:]] == ["B01", "EVIL"]  # planned 2027-01-01 then 2027-02-01
    assert go_lives[1][3] == 40  # days to go-live: 2026-11-22 -> 2027-01-01


@pytest.mark.slow
def test_html_pack_is_standalone_utf8_and_escapes_user_text(db_factory, tmp_path) -> None:
    db = db_factory(regions=[{"region_code": "E", "region_name": "华东区"}],
                    branches=[{"branch_code": "B01", "branch_name": "天津分公司", "region_code": "E",
                               "consultant_days_budget": 120, "consultant_days_used": 30},
                              {"branch_code": "EVIL", "branch_name": HOSTILE_HTML, "region_code": "E"}])
    text = pack.write_report(db, AS_OF, tmp_path / "pack.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text
    assert "天津分公司" in text and "2026-11-22" in text
    assert HOSTILE_HTML not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script" not in text and "http" not in text  # no scripts, no external files
    assert pack.report_bytes(db, AS_OF, "html") == text.encode("utf-8")


def test_unknown_pack_format_is_refused(sample_db, tmp_path) -> None:
    with pytest.raises(RolloutError, match=r"\.pptx, \.xlsx or \.html"):
        pack.write_report(sample_db, AS_OF, tmp_path / "pack.pdf")
    with pytest.raises(RolloutError):
        pack.report_bytes(sample_db, AS_OF, "docx")


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
    assert audit == [("指导委员会", "insert", json.dumps({"decision_id": decision_id}))]
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
    assert len(Presentation(str(out)).slides) > 5
    assert main(["report", "--db", str(sample_db_path), "--out", str(tmp_path / "pack.txt")]) == 1
    assert "expected a name ending in .pptx, .xlsx or .html" in capsys.readouterr().err
    from rollout.store.db import Database

    with Database(sample_db_path) as db:
        assert db.rows("SELECT as_of FROM snapshots") == [(AS_OF,)]


def test_pack_shows_the_chance_of_at_risk_branches_and_the_go_lives_at_risk(sample_db, tmp_path) -> None:
    content = {s.key: s for s in pack.pack(sample_db, AS_OF).sections}
    figures = {b["branch_code"]: b for b in summary(sample_db, AS_OF)["branches"]}
    red = content["red"].frame
    assert list(red["branch_code"]) == [c for c, b in figures.items() if b["status"] == "red"]
    assert [figures[c]["p_ready_by_go_live"] for c in red["branch_code"]] == list(red["p_ready_by_go_live"])
    # go-lives planned by 2027-02-20 (90 days) whose chance is below 50 %: B03, B04 (2026-12-01),
    # B05, B06 (2027-01-01), B07 (2027-02-01); B08 (2027-03-01) is after the 90 days.
    risky = content["go_lives_at_risk"].frame
    assert list(risky["branch_code"]) == ["B03", "B04", "B05", "B06", "B07"]
    assert list(risky["p_ready_by_go_live"]) == [figures[c]["p_ready_by_go_live"] for c in risky["branch_code"]]
    assert list(risky["ready_p80_on"]) == [figures[c]["ready_p80_on"] for c in risky["branch_code"]]
    assert all(p < 50 for p in risky["p_ready_by_go_live"])
    slides = _slides(pack.write_report(sample_db, AS_OF, tmp_path / "pack.pptx"))
    assert any(title.startswith("Go-lives at risk") for title, _ in slides)
