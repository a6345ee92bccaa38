"""rollout/readiness.py: every figure against hand-computed values on small databases."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from rollout.cli import main
from rollout.core.access import LOCAL
from rollout.core.errors import ConflictError, RolloutError, ValidationError
from rollout.metrics import readiness
from rollout.store.settings import SETTINGS

from support import built, make_db

D = date(2026, 6, 1)
DEFAULTS = {k: s.default for k, s in SETTINGS.items()}
REGIONS = [{"region_code": "R", "region_name": "Region"}]


def days(n: int) -> date:
    return D + timedelta(days=n)


def branch(code: str, **extra) -> dict:
    return {"branch_code": code, "branch_name": f"Branch {code}", "region_code": "R", **extra}


def item(branch_code: str, code: str, weight: float = 1, status: str = "open", completed_on: date | None = None,
         due_date: date | None = None, gate: bool = False, dimension: str = "data", title: str | None = None,
         owner: str | None = None) -> dict:
    return {"branch_code": branch_code, "item_code": code, "dimension": dimension, "title": title or f"task {code}",
            "owner": owner, "due_date": due_date, "weight": weight, "status": status, "completed_on": completed_on,
            "gate": gate}


def row_of(frame: pd.DataFrame, code: str) -> dict:
    found = frame[frame["branch_code"] == code]
    assert len(found) == 1, code
    return found.iloc[0].to_dict()


def portfolio_db(location: str):
    """A: a plan with every kind of item; N: no items; W: only waived items; L: live."""
    return make_db(
        location, regions=REGIONS,
        branches=[branch("A", planned_go_live=days(20), wave=1), branch("N", planned_go_live=days(90), wave=2),
                  branch("W", wave=2), branch("L", actual_go_live=date(2026, 5, 1), planned_go_live=date(2026, 5, 1))],
        checklist=[
            item("A", "A-1", 2, "done", date(2026, 5, 20), dimension="governance"),
            item("A", "A-2", 1, "done", date(2026, 6, 10), due_date=date(2026, 5, 25)),  # done after D
            item("A", "A-3", 3, "waived", due_date=date(2026, 5, 1), gate=True),  # waived: counts nowhere
            item("A", "A-4", 1, "open", due_date=date(2026, 5, 15), gate=True, title="Opening balances loaded",
                 owner="Li"),
            item("A", "A-5", 2, "in_progress", due_date=D),  # due on D: not overdue
            item("W", "W-1", 1, "waived"),
            item("L", "L-1", 1, "done", date(2026, 4, 1)), item("L", "L-2", 1, "open", due_date=date(2026, 4, 1)),
        ],
        master_data=[
            {"branch_code": "A", "object": "customers", "records_expected": 100, "records_validated": 50},  # 0.5
            {"branch_code": "A", "object": "vendors", "records_expected": 0},  # expects 0: complete
            {"branch_code": "A", "object": "materials", "records_expected": 10, "records_validated": 20},  # capped 1
            {"branch_code": "A", "object": "boms", "records_expected": 10},  # empty validated: 0
        ])


@pytest.fixture(scope="module")
def portfolio(stores):
    """Read-only tests share one database (per engine)."""
    with built(stores, portfolio_db) as db:
        yield db


@pytest.fixture
def editable(stores):
    """Tests that write get their own."""
    with built(stores, portfolio_db) as db:
        yield db


def test_checklist_readiness_counts_done_as_of_and_skips_waived(portfolio) -> None:
    frame = readiness.checklist_readiness(portfolio, D)
    a = row_of(frame, "A")
    # done as of D: A-1 (2); planned (not waived): 2 + 1 + 1 + 2 = 6 -> 33.33
    assert a["checklist_readiness"] == pytest.approx(100 * 2 / 6)
    assert a["overdue_items"] == 2  # A-2 (done only after D, due 05-25) and A-4; A-3 waived, A-5 due on D
    assert a["failing_gates"] == 1  # A-4; A-3 is waived
    # replayed after A-2's completion: (2 + 1) / 6 = 50; A-2 no longer overdue
    later = row_of(readiness.checklist_readiness(portfolio, date(2026, 6, 10)), "A")
    assert later["checklist_readiness"] == pytest.approx(50.0)
    assert later["overdue_items"] == 2  # A-4 and now A-5 (due 06-01 < 06-10)


def test_no_items_or_only_waived_is_null_never_zero(portfolio) -> None:
    frame = readiness.checklist_readiness(portfolio, D)
    for code in ("N", "W"):
        r = row_of(frame, code)
        assert pd.isna(r["checklist_readiness"]), code
        assert r["overdue_items"] == 0 and r["failing_gates"] == 0
    status = readiness.summary_fields(portfolio, D, DEFAULTS)
    assert row_of(status, "N")["status"] == "no_plan"
    assert row_of(status, "W")["status"] == "no_plan"


def test_readiness_by_dimension(portfolio) -> None:
    frame = readiness.readiness_by_dimension(portfolio, D, "A")
    # governance: A-1 done 2/2 = 100; data: A-2 (1), A-4 (1), A-5 (2) none done as of D = 0 (A-3 waived)
    assert dict(zip(frame["dimension"], frame["checklist_readiness"], strict=True)) == {"data": 0.0,
                                                                                        "governance": 100.0}


def test_overdue_items_and_failing_gates_lists(portfolio) -> None:
    late = readiness.overdue_items(portfolio, D, "A")
    # A-2 due 05-25 (7 days late), A-4 due 05-15 (17 days late): most late first
    assert list(late["item_code"]) == ["A-4", "A-2"]
    assert list(late["days_late"]) == [17, 7]
    gates = readiness.failing_gates(portfolio, D, "A")
    assert list(gates["item_code"]) == ["A-4"]


def test_data_readiness(portfolio) -> None:
    frame = readiness.data_readiness(portfolio)
    # (0.5 + 1 + 1 + 0) / 4 = 62.5
    assert row_of(frame, "A")["data_readiness"] == pytest.approx(62.5)
    assert pd.isna(row_of(frame, "N")["data_readiness"])  # no master-data rows: null
    progress = readiness.master_data_progress(portfolio, "A").set_index("object")
    assert progress.loc["vendors", "validated_pct"] == 100.0
    assert progress.loc["materials", "validated_pct"] == 100.0


def test_forecast_slip_and_status_of_a_red_branch(portfolio) -> None:
    status = readiness.branch_status(portfolio, D)
    a = row_of(status, "A")
    # window (after D-56 = 04-06): A-1 = 2; remaining: A-2 1 + A-4 1 + A-5 2 = 4 -> ceil(4 * 56 / 2) = 112 days
    assert a["forecast_ready_on"] == pd.Timestamp("2026-09-21")
    assert a["slip_days"] == 92  # 09-21 minus planned 06-21
    assert a["days_to_go_live"] == 20
    assert a["status"] == "red"
    # the gate is the top reason, in words
    assert a["top_reason"] == "gate 'Opening balances loaded' not done, go-live in 20 days"
    assert any("92 days after the planned go-live" in r for r in a["reasons"])
    assert any("readiness 33.3% (below 60%)" in r for r in a["reasons"])
    assert any("2 overdue items" in r and "Li, 17 days late" in r for r in a["reasons"])


def test_live_branch_is_not_rated_but_figures_reported(portfolio) -> None:
    fields = readiness.summary_fields(portfolio, D, DEFAULTS)
    live = row_of(fields, "L")
    assert live["status"] == "live"
    assert live["checklist_readiness"] == pytest.approx(50.0)  # L-1 done of 2
    assert live["overdue_items"] == 1
    assert pd.isna(live["forecast_ready_on"]) and pd.isna(live["slip_days"])
    assert list(fields.columns) == ["branch_code", "checklist_readiness", "overdue_items", "failing_gates",
                                    "data_readiness", "forecast_ready_on", "slip_days", "status",
                                    "p_ready_by_go_live", "ready_p50_on", "ready_p80_on"]
    assert pd.isna(live["p_ready_by_go_live"]) and pd.isna(live["ready_p50_on"]) and pd.isna(live["ready_p80_on"])
    # the day before it went live it was still rated
    before = row_of(readiness.summary_fields(portfolio, date(2026, 4, 30), DEFAULTS), "L")
    assert before["status"] != "live"


def test_forecast_ready_for_the_planner(portfolio) -> None:
    frame = readiness.forecast_ready(portfolio, D)
    assert list(frame.columns) == ["branch_code", "checklist_readiness", "forecast_ready_on", "stalled", "has_plan"]
    assert sorted(frame["branch_code"]) == ["A", "L", "N", "W"]
    n = row_of(frame, "N")
    assert not n["has_plan"] and not n["stalled"] and pd.isna(n["forecast_ready_on"])
    assert row_of(frame, "A")["has_plan"]


EDGE_CASES = {
    # code: (planned go-live, items)
    # done 3 in the window, remaining 1: forecast D + ceil(56 / 3) = D + 19; readiness 75 %
    "S30": (days(19 - 30), [item("", "d", 3, "done", days(-1)), item("", "o", 1)]),
    "S31": (days(19 - 31), [item("", "d", 3, "done", days(-1)), item("", "o", 1)]),
    # done 3 of 5 = 60 %, go-live in 60 days; forecast D + ceil(2 * 56 / 3) = D + 38, slip -22
    "R60": (days(60), [item("", "d", 3, "done", days(-1)), item("", "o", 2)]),
    # 59 % with go-live in 61 days; forecast D + ceil(41 * 56 / 59) = D + 39
    "R61D": (days(61), [item("", "d", 59, "done", days(-1)), item("", "o", 41)]),
    # done 9 of 10 (90 %), open gate 1: forecast D + ceil(56 / 9) = D + 7, no slip
    "G30": (days(30), [item("", "d", 9, "done", days(-1)), item("", "g", 1, gate=True, title="Signed minutes")]),
    "G31": (days(31), [item("", "d", 9, "done", days(-1)), item("", "g", 1, gate=True, title="Signed minutes")]),
    # 10 %: a passed planned date counts; no planned date: the date rules do not apply
    "PAST": (days(-5), [item("", "d", 1, "done", days(-1)), item("", "o", 9)]),
    "NONE": (None, [item("", "d", 1, "done", days(-1)), item("", "o", 9)]),
    # completed exactly on D - 56 is not "after D - 56": stalled; one day later it is in the window
    "ST": (days(200), [item("", "d", 1, "done", days(-56)), item("", "o", 1)]),
    "MV": (days(200), [item("", "d", 1, "done", days(-55)), item("", "o", 1)]),
    # nothing remaining (the waived item counts nowhere): forecast = latest completed_on
    "FIN": (days(100), [item("", "a", 1, "done", days(-70)), item("", "b", 1, "done", days(-90)),
                        item("", "w", 1, "waived")]),
    # the same plus an item completed after D: not done as of D, nothing in the window -> stalled
    "FIN2": (days(100), [item("", "a", 1, "done", days(-70)), item("", "b", 1, "done", days(-90)),
                         item("", "w", 1, "waived"), item("", "f", 1, "done", days(5))]),
}


@pytest.fixture(scope="module")
def edges(stores):
    def edge_db(location: str):
        return make_db(location, regions=REGIONS,
                       branches=[branch(code, planned_go_live=planned) for code, (planned, _) in EDGE_CASES.items()],
                       checklist=[{**i, "branch_code": code} for code, (_, items) in EDGE_CASES.items() for i in items])
    with built(stores, edge_db) as db:
        return {"default": readiness.branch_status(db, D, DEFAULTS),
                "strict": readiness.branch_status(db, D, {**DEFAULTS, "red_readiness_below": 61})}


def test_slip_exactly_30_is_not_red_31_is(edges) -> None:
    at_30, at_31 = row_of(edges["default"], "S30"), row_of(edges["default"], "S31")
    assert at_30["slip_days"] == 30 and at_30["status"] == "amber"  # slip > 0: amber, not red
    assert at_31["slip_days"] == 31 and at_31["status"] == "red"


def test_readiness_exactly_60_is_not_red(edges) -> None:
    at_60 = row_of(edges["default"], "R60")
    assert at_60["checklist_readiness"] == 60.0 and at_60["slip_days"] == -22
    assert at_60["status"] == "green"
    # the threshold is a setting: red below 61 % makes the same branch red
    assert row_of(edges["strict"], "R60")["status"] == "red"
    # 59 % but go-live in 61 days: outside the window, not red
    far = row_of(edges["default"], "R61D")
    assert far["checklist_readiness"] == 59.0 and far["days_to_go_live"] == 61 and far["status"] == "green"


def test_failing_gate_red_at_exactly_30_days(edges) -> None:
    at_30 = row_of(edges["default"], "G30")
    assert at_30["failing_gates"] == 1 and at_30["status"] == "red"
    assert at_30["top_reason"] == "gate 'Signed minutes' not done, go-live in 30 days"
    at_31 = row_of(edges["default"], "G31")
    assert at_31["status"] == "green"
    assert "gate 'Signed minutes' not done, go-live in 31 days" in at_31["reasons"]


def test_passed_planned_date_counts_and_no_planned_date_does_not(edges) -> None:
    past = row_of(edges["default"], "PAST")
    assert past["days_to_go_live"] == -5 and past["status"] == "red"
    assert "readiness 10.0% (below 60%), planned go-live passed 5 days ago" in past["reasons"]
    undated = row_of(edges["default"], "NONE")
    # no planned date: neither the gate nor the readiness rule applies, no slip; forecast exists -> green
    assert pd.isna(undated["slip_days"]) and not pd.isna(undated["forecast_ready_on"])
    assert undated["status"] == "green"


def test_stalled_forecast_at_the_window_edge(edges) -> None:
    stalled = row_of(edges["default"], "ST")
    assert stalled["stalled"] and pd.isna(stalled["forecast_ready_on"]) and pd.isna(stalled["slip_days"])
    assert stalled["status"] == "amber"
    assert stalled["top_reason"].startswith("stalled: nothing completed in the last 56 days")
    moving = row_of(edges["default"], "MV")  # D + ceil(1 * 56 / 1) = D + 56
    assert not moving["stalled"] and moving["forecast_ready_on"] == pd.Timestamp(days(56))


def test_nothing_remaining_forecast_is_latest_completion(edges) -> None:
    done = row_of(edges["default"], "FIN")
    assert done["checklist_readiness"] == 100.0
    assert done["forecast_ready_on"] == pd.Timestamp(days(-70))  # the latest completed_on
    assert done["slip_days"] == -170 and done["status"] == "green"
    later = row_of(edges["default"], "FIN2")  # the item completed after D is still open on D
    assert later["checklist_readiness"] == pytest.approx(200 / 3) and later["stalled"]
    assert later["status"] == "amber"


def test_readiness_trend_weekly_and_replayable(portfolio) -> None:
    trend = readiness.readiness_trend(portfolio, D, "A", weeks=3)
    # 05-18: nothing done (A-1 on 05-20); 05-25: 2/6; 06-01: 2/6
    assert list(trend["week_of"].dt.date) == [date(2026, 5, 18), date(2026, 5, 25), D]
    assert list(trend["checklist_readiness"].round(2)) == [0.0, 33.33, 33.33]
    replay = readiness.readiness_trend(portfolio, date(2026, 6, 15), "A", weeks=1)
    assert replay["checklist_readiness"].round(2).tolist() == [50.0]  # A-2 done on 06-10
    assert "N" not in set(readiness.readiness_trend(portfolio, D, weeks=2)["branch_code"])  # no plan: no trend


def test_kpis_and_counts(portfolio) -> None:
    status = readiness.branch_status(portfolio, D)
    tiles = readiness.kpis(status, D)
    # A red (go-live in 20 days), N no plan (go-live in 90), W no plan, L live
    assert tiles == {"live": 1, "green": 0, "amber": 0, "red": 1, "no_plan": 2, "go_lives_next_days": 1}
    counts = readiness.count_by(status, "wave")
    assert counts[(counts["wave"] == 2) & (counts["status"] == "no_plan")]["branches"].tolist() == [2]


# --- editing -------------------------------------------------------------------------------------

def _snapshot(db) -> tuple[list, int]:
    return (db.rows("SELECT * FROM checklist ORDER BY branch_code, item_code"),
            db.scalar("SELECT count(*) FROM audit_log"))


def test_refused_edit_saves_nothing(editable) -> None:
    shown = readiness.checklist(editable, "A")
    edited = shown.copy()
    edited.loc[edited["item_code"] == "A-4", "owner"] = "Wang"  # a good change ...
    edited.loc[edited["item_code"] == "A-5", "status"] = "done"  # ... and a bad one: done without completed_on
    before = _snapshot(editable)
    with pytest.raises(ValidationError) as refused:
        readiness.save_checklist_changes(editable, "A", edited, shown, today=D, caller=LOCAL)
    assert "completed_on" in str(refused.value) and "A-5" in str(refused.value)
    assert _snapshot(editable) == before  # nothing saved, not even the good row


def test_refused_new_row_saves_nothing(editable) -> None:
    shown = readiness.checklist(editable, "A")
    edited = pd.concat([shown, pd.DataFrame([{"dimension": "data", "title": "New", "status": "open", "weight": 0}])],
                       ignore_index=True)
    edited.loc[0, "owner"] = "Wang"
    before = _snapshot(editable)
    with pytest.raises(ValidationError, match="weight"):
        readiness.save_checklist_changes(editable, "A", edited, shown, today=D, caller=LOCAL)
    assert _snapshot(editable) == before


def test_good_edit_and_new_item_are_saved_and_audited(editable) -> None:
    shown = readiness.checklist(editable, "A")
    edited = shown.copy()
    edited.loc[edited["item_code"] == "A-5", ["status", "completed_on"]] = ["done", D]
    edited = pd.concat([edited, pd.DataFrame([{"dimension": "kickoff", "title": "Signed minutes", "status": "open",
                                               "weight": 1.0, "gate": True}])], ignore_index=True)
    audit_before = editable.scalar("SELECT count(*) FROM audit_log")
    result = readiness.save_checklist_changes(editable, "A", edited, shown, today=D, caller=LOCAL)
    assert result == {"updated": 1, "added": 1}
    assert editable.rows("SELECT status, completed_on FROM checklist WHERE item_code = 'A-5'") == [("done", D)]
    # the new item gets the next free code A-01 (A-1 .. A-5 are taken, A-01 is not)
    assert editable.rows("SELECT title, gate FROM checklist WHERE item_code = 'A-01'") == [("Signed minutes", True)]
    audit = editable.df("SELECT action, column_name, old_value, new_value FROM audit_log ORDER BY audit_id")
    assert len(audit) == audit_before + 3  # status, completed_on, insert
    assert {"status", "completed_on"} <= set(audit["column_name"].dropna())


def test_edit_on_a_changed_row_is_a_conflict(editable) -> None:
    shown = readiness.checklist(editable, "A")
    readiness.save_checklist_changes(editable, "A", shown.assign(owner="Zhao"), shown, today=days(30),
        caller=LOCAL)  # other user
    edited = shown.copy()
    edited.loc[0, "weight"] = 5.0
    with pytest.raises(ConflictError):
        readiness.save_checklist_changes(editable, "A", edited, shown, today=D, caller=LOCAL)
    assert editable.scalar("SELECT weight FROM checklist WHERE item_code = 'A-1'") == 2.0


# --- plan from a template and kick-off rules -----------------------------------------------------

@pytest.fixture
def templated(stores):
    with built(stores, templated_db) as db:
        yield db


def templated_db(location: str):
    return make_db(
        location, regions=REGIONS,
        branches=[branch("P", is_pilot=True, actual_go_live=date(2026, 1, 1), planned_go_live=date(2025, 12, 1)),
                  branch("T", planned_go_live=date(2026, 9, 1), planned_kickoff=date(2026, 8, 9), peak_months="8,9"),
                  branch("U", planned_kickoff=date(2026, 8, 10))],
        checklist=[item("P", "P-01", 2, "done", date(2025, 11, 20), due_date=date(2025, 12, 1), owner="Pilot person"),
                   item("P", "P-02", 1, "done", date(2025, 10, 30), due_date=date(2025, 11, 1), gate=True,
                        dimension="kickoff", title="Notice and agenda sent"),
                   item("P", "P-03", 1, "done", date(2025, 10, 30), dimension="kickoff", title="Minutes signed"),
                   item("T", "T-01", 1, "open", title="Already planned")])


def test_plan_from_template_preview_then_write(templated) -> None:
    before = _snapshot(templated)
    preview = readiness.plan_from_template(templated, "T", write=False, caller=LOCAL)
    assert _snapshot(templated) == before  # preview writes nothing
    # T-01 exists: skipped. P-02 due 61 days before the pilot's actual go-live -> 61 days before 09-01
    assert list(preview["item_code"]) == ["T-02", "T-03"]
    assert preview.iloc[0]["due_date"] == date(2026, 7, 2)
    assert pd.isna(preview.iloc[1]["due_date"])  # no due date in the template: none
    assert set(preview["status"]) == {"open"} and preview["completed_on"].isna().all()
    assert preview["owner"].isna().all() and bool(preview.iloc[0]["gate"])
    written = readiness.plan_from_template(templated, "T", caller=LOCAL)
    assert len(written) == 2
    assert templated.rows("SELECT title FROM checklist WHERE item_code = 'T-01'") == [("Already planned",)]
    assert readiness.plan_from_template(templated, "T", write=False, caller=LOCAL).empty  # idempotent


def test_plan_from_template_refusals(templated) -> None:
    with pytest.raises(RolloutError, match="no checklist items"):
        readiness.plan_from_template(templated, "T", source_code="U", caller=LOCAL)
    with pytest.raises(RolloutError, match="does not exist"):
        readiness.plan_from_template(templated, "NOPE", caller=LOCAL)
    with pytest.raises(RolloutError, match="own template"):
        readiness.plan_from_template(templated, "P", caller=LOCAL)


def test_cli_plan_from_template(tmp_path, capsys) -> None:
    path = tmp_path / "cli.duckdb"
    db = make_db(path, regions=REGIONS,
                 branches=[branch("P", is_pilot=True, planned_go_live=date(2026, 1, 1)),
                           branch("T", planned_go_live=date(2026, 9, 1))],
                 checklist=[item("P", "P-01", due_date=date(2025, 12, 1))])
    db.close()
    assert main(["plan-from-template", "--db", str(path), "--branch", "T", "--dry-run"]) == 0
    assert "would add 1 checklist items to T" in capsys.readouterr().out
    assert main(["plan-from-template", "--db", str(path), "--branch", "T"]) == 0
    assert "added 1 checklist items to T" in capsys.readouterr().out
    assert main(["plan-from-template", "--db", str(path), "--branch", "T", "--from", "Q"]) == 1
    from rollout.store.db import Database
    with Database(path) as check:
        assert check.rows("SELECT item_code, due_date FROM checklist WHERE branch_code = 'T'") == \
            [("T-01", date(2026, 8, 1))]


def test_kickoff_flags(templated) -> None:
    flags = readiness.kickoff_flags(templated, "T")
    # 2026-08-09 is a Sunday, in peak months 8,9; the template's two kick-off items are missing
    assert list(flags["rule"]) == ["weekend", "peak season", "missing kick-off item", "missing kick-off item"]
    assert "Sunday" in flags.iloc[0]["finding"]
    # once the plan has them (by code suffix or by title) they are no longer missing
    readiness.plan_from_template(templated, "T", caller=LOCAL)
    assert list(readiness.kickoff_flags(templated, "T")["rule"]) == ["weekend", "peak season"]
    u = readiness.kickoff_flags(templated, "U")  # Monday, no peak months; matched by nothing
    assert list(u["rule"]) == ["missing kick-off item", "missing kick-off item"]
