"""From kick-off to acceptance (METRICS.md "Kick-off meeting", "Consultant man-days", "After go-live"):
rollout/metrics/kickoff.py, man_days.py and after_go_live.py on hand-built databases, every figure
worked out by hand beside its assertion, with the contract's edges."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from rollout.core.access import LOCAL
from rollout.core.errors import ConflictError, ValidationError
from rollout.core.values import as_date
from rollout.metrics import after_go_live, kickoff, man_days
from rollout.metrics.summary import summary
from rollout.store.settings import SETTINGS, get_settings

from support import make_db

DEFAULTS = {key: s.default for key, s in SETTINGS.items()}
REGIONS = [{"region_code": "E", "region_name": "East"}, {"region_code": "W", "region_name": "West"}]


def branch(code: str, region: str = "E", **values) -> dict:
    return {"branch_code": code, "branch_name": code, "region_code": region, **values}


# --- kick-off meeting -------------------------------------------------------------------------------

KD = date(2026, 3, 20)  # a Friday


@pytest.fixture(scope="module")
def kickoffs():
    db = make_db(regions=REGIONS, branches=[
        branch("K1", planned_kickoff="2026-03-02"),
        branch("K2", planned_kickoff="2026-03-07", peak_months="3"),
        branch("K3", planned_kickoff="2026-03-01"),  # passed, never held
        branch("K4", planned_kickoff="2025-12-01", actual_go_live="2026-03-01"),  # live: never "not held"
        branch("K5", planned_kickoff="2026-03-10"),  # held after D: not held on D
        branch("K6", planned_kickoff="2026-03-02"),
        branch("K7", planned_kickoff="2026-03-13"),
        branch("K8", planned_kickoff="2026-03-20"),  # planned on D: not "< D"
    ], kickoffs=[
        # a Monday at 12:00 exactly (afternoon), 240 minutes (not longer), minutes signed on day 7
        {"branch_code": "K1", "held_on": "2026-03-02", "start_time": "12:00", "duration_min": 240,
         "steering_committee_named": True, "rewards_announced": True, "minutes_signed_on": "2026-03-09"},
        # a Saturday in a peak month, 241 minutes, no steering committee (empty), rewards false, minutes on day 8
        {"branch_code": "K2", "held_on": "2026-03-07", "start_time": "09:00", "duration_min": 241,
         "rewards_announced": False, "minutes_signed_on": "2026-03-15"},
        {"branch_code": "K5", "held_on": "2026-03-25", "start_time": "14:00"},
        # 11:59 is the morning; no time or duration: those rules do not fire
        {"branch_code": "K6", "held_on": "2026-03-02", "start_time": "11:59", "steering_committee_named": True,
         "rewards_announced": True, "minutes_signed_on": "2026-03-02"},
        # minutes not signed, but D = held_on + 7 exactly: not yet late
        {"branch_code": "K7", "held_on": "2026-03-13", "start_time": "08:30", "steering_committee_named": True,
         "rewards_announced": True},
    ])
    yield db
    db.close()


def test_kickoff_findings_in_the_contracts_order(kickoffs) -> None:
    found = kickoff.kickoff_findings(kickoffs, KD, DEFAULTS).set_index("branch_code")["findings"].to_dict()
    assert found == {
        "K1": ["afternoon"],
        "K2": ["weekend", "peak month", "longer than half a day", "steering committee not named",
               "rewards and penalties not announced", "minutes not signed"],
        "K3": ["not held"],
        "K4": [],
        "K5": ["not held"],
        "K6": [],
        "K7": [],
        "K8": [],
    }


def test_minutes_late_from_day_eight_and_once_d_is_past_the_week(kickoffs) -> None:
    # K7 held 03-13, no minutes: on 03-20 (held + 7) not late, on 03-21 late
    later = kickoff.kickoff_findings(kickoffs, KD + timedelta(days=1), DEFAULTS).set_index("branch_code")
    assert later.loc["K7", "findings"] == ["minutes not signed"]
    # K1 signed on day 7 stays fine for ever; K2 signed on day 8 stays late even after it was signed
    assert later.loc["K1", "findings"] == ["afternoon"] and "minutes not signed" in later.loc["K2", "findings"]
    # before K2's week is over its minutes are not judged yet (held 03-07: D 03-14 = held + 7)
    early = kickoff.kickoff_findings(kickoffs, date(2026, 3, 14), DEFAULTS).set_index("branch_code")
    assert "minutes not signed" not in early.loc["K2", "findings"]


def test_kickoff_settings_change_the_limits(kickoffs) -> None:
    relaxed = {**DEFAULTS, "kickoff_max_minutes": 300, "minutes_signed_within_days": 8}
    found = kickoff.kickoff_findings(kickoffs, KD, relaxed).set_index("branch_code")["findings"]
    assert found["K2"] == ["weekend", "peak month", "steering committee not named",
                           "rewards and penalties not announced"]


def test_summary_lists_the_findings(kickoffs) -> None:
    rows = {b["branch_code"]: b for b in summary(kickoffs, KD)["branches"]}
    assert rows["K1"]["kickoff_findings"] == ["afternoon"] and rows["K4"]["kickoff_findings"] == []


@pytest.mark.parametrize(("day", "start", "minutes", "peaks", "expected"), [
    (date(2026, 3, 2), time(9, 0), 180, None, []),  # a Monday morning, three hours
    (date(2026, 3, 7), time(12, 0), 240, "3", ["weekend", "afternoon", "peak month"]),  # Saturday noon in March
    (date(2026, 3, 8), "11:59", 241, "11,12", ["weekend", "longer than half a day"]),  # Sunday
    (date(2026, 11, 2), None, None, "11,12", ["peak month"]),
])
def test_planning_a_kickoff_warns_like_the_findings(day, start, minutes, peaks, expected) -> None:
    assert kickoff.plan_findings(day, start, minutes, peaks, DEFAULTS) == expected


def test_record_a_kickoff_then_correct_it_audited_and_checked(tmp_path) -> None:
    db = make_db(tmp_path / "k.duckdb", regions=REGIONS, branches=[branch("A", peak_months="11")])
    today = date(2026, 11, 23)
    row = {"branch_code": "A", "held_on": date(2026, 11, 21), "start_time": time(14, 0), "duration_min": 180,
           "steering_committee_named": True, "rewards_announced": True, "minutes_ref": "  "}
    kickoff.record_kickoff(db, row, today=today, caller=LOCAL)
    assert db.rows("SELECT held_on, start_time, minutes_ref FROM kickoffs") == [(date(2026, 11, 21), "14:00", None)]
    # Saturday 14:00 in a peak month
    assert kickoff.kickoff_findings(db, today, DEFAULTS)["findings"][0] == ["weekend", "afternoon", "peak month"]
    shown = kickoff.kickoff_record(db, "A")
    kickoff.record_kickoff(db, {**row, "start_time": "9:30"}, original=shown, today=today, caller=LOCAL)
    assert db.scalar("SELECT start_time FROM kickoffs") == "09:30"
    assert db.rows("SELECT action, column_name, old_value, new_value FROM audit_log WHERE table_name = 'kickoffs' "
                   "ORDER BY audit_id")[1:] == [("update", "start_time", "14:00", "09:30")]
    with pytest.raises(ConflictError):  # someone changed it since `shown` was read
        kickoff.record_kickoff(db, {**row, "chair": "王"}, original=shown, today=today, caller=LOCAL)
    with pytest.raises(ValidationError) as refused:
        kickoff.record_kickoff(db, {**row, "held_on": date(2026, 11, 24), "duration_min": 0}, today=today, caller=LOCAL)
    assert [e.column for e in refused.value.errors] == ["held_on"]  # the future is refused before the rules
    with pytest.raises(ValidationError) as refused:
        kickoff.record_kickoff(db, {**row, "duration_min": 0, "start_time": "25:00"}, today=today, caller=LOCAL)
    assert sorted(e.column for e in refused.value.errors) == ["duration_min", "start_time"]
    assert db.scalar("SELECT start_time FROM kickoffs") == "09:30"


def test_set_the_planned_kickoff(tmp_path) -> None:
    db = make_db(tmp_path / "p.duckdb", regions=REGIONS,
                 branches=[branch("A", planned_kickoff="2026-12-01", planned_go_live="2027-03-01")])
    kickoff.set_planned_kickoff(db, "A", date(2026, 12, 2), original=date(2026, 12, 1), today=date(2026, 11, 30),
        caller=LOCAL)
    assert kickoff.kickoff_plan(db, "A") == {"planned_kickoff": date(2026, 12, 2), "peak_months": None}
    with pytest.raises(ValidationError):  # after the planned go-live: the branches sheet's own rule
        kickoff.set_planned_kickoff(db, "A", date(2027, 4, 1), original=date(2026, 12, 2), caller=LOCAL)


# --- consultant man-days ----------------------------------------------------------------------------

MD = date(2026, 3, 20)  # the burn window is (02-20, 03-20]


def day(code: str, on: str, days: float, phase: str = "training", who: str = "Li") -> dict:
    return {"branch_code": code, "work_date": on, "consultant": who, "phase": phase, "days": days}


@pytest.fixture(scope="module")
def consultants():
    db = make_db(regions=REGIONS, branches=[
        branch("M1", consultant_days_budget=5, consultant_days_used=50, planned_go_live="2026-04-17"),  # D + 28
        branch("M2", "W", consultant_days_budget=40, consultant_days_used=30, planned_go_live="2026-06-01"),
        branch("M3", consultant_days_budget=10, planned_go_live="2026-05-01"),
        branch("M4", consultant_days_budget=1, planned_go_live="2026-03-01", actual_go_live="2026-03-01"),
        branch("M5", planned_go_live="2026-04-17"),
        branch("M6", "W", consultant_days_budget=1, planned_go_live="2026-03-10"),  # planned date passed
        branch("M7", consultant_days_budget=10),  # no planned date
    ], consultant_days=[
        day("M1", "2026-02-10", 1.0, "preparation"),
        day("M1", "2026-02-20", 0.5, "preparation"),  # D - 28: outside the burn window
        day("M1", "2026-02-21", 1.0, "kickoff"),
        day("M1", "2026-03-20", 1.0, "training"),  # on D: counts
        day("M1", "2026-03-20", 0.5, "training", "Wu"),
        day("M1", "2026-03-21", 1.0, "testing"),  # after D: not yet
        day("M3", "2026-03-25", 1.0),  # only after D
        day("M4", "2026-03-10", 1.0, "support"),
        day("M5", "2026-03-01", 1.0),
        day("M6", "2026-03-02", 1.0), day("M6", "2026-03-03", 1.0),
        day("M7", "2026-03-02", 1.0),
    ])
    yield db
    db.close()


def test_man_days_used_from_logged_days_else_the_branches_sheet(consultants) -> None:
    used = man_days.man_days_used(consultants, MD).set_index("branch_code")
    assert used.loc["M1", "man_days_used"] == 4.0  # 1 + 0.5 + 1 + 1 + 0.5; the sheet's 50 is not used
    assert used.loc["M2", "man_days_used"] == 30 and not used.loc["M2", "logged"]  # no rows: the sheet
    assert used.loc["M3", "man_days_used"] == 0 and used.loc["M3", "logged"]  # rows only after D: 0
    phases = man_days.man_days_by_phase(consultants, MD, "M1")
    assert list(zip(phases["phase"], phases["man_days_used"], strict=True)) == [
        ("preparation", 1.5), ("kickoff", 1.0), ("training", 1.5)]  # testing (03-21) is after D


def test_burn_rate_forecast_and_overrun(consultants) -> None:
    figures = man_days.man_days_forecast(consultants, MD).set_index("branch_code")
    # M1: (1.0 + 1.5) / 4 = 0.625 a week; forecast 4 + 0.625 x 28 / 7 = 6.5; budget 5: overrun 1.5
    assert figures.loc["M1", "burn_rate"] == 0.625
    assert figures.loc["M1", "forecast_at_go_live"] == 6.5 and figures.loc["M1", "overrun"] == 1.5
    assert figures.loc["M1", "remaining"] == 1.0  # budget 5 - used 4
    # M2 logs nothing: no burn rate, so no forecast and no overrun
    assert figures.loc[["M2"], ["burn_rate", "forecast_at_go_live", "overrun"]].isna().all().all()
    # M3: rows only after D: burn 0, forecast 0, within budget: overrun 0
    assert (figures.loc["M3", "burn_rate"], figures.loc["M3", "forecast_at_go_live"],
            figures.loc["M3", "overrun"]) == (0, 0, 0)
    assert figures.loc[["M4"], ["forecast_at_go_live", "overrun"]].isna().all().all()  # live
    # M5: 1 day on 03-01, burn 0.25: forecast 1 + 0.25 x 4 = 2; no budget, no overrun
    assert figures.loc["M5", "forecast_at_go_live"] == 2.0 and figures.loc[["M5"], "overrun"].isna().all()
    # M6: planned date passed: forecast = used 2 (max(0, ...)); budget 1: overrun 1
    assert (figures.loc["M6", "forecast_at_go_live"], figures.loc["M6", "overrun"]) == (2, 1)
    assert figures.loc[["M7"], ["forecast_at_go_live", "overrun"]].isna().all().all()  # no planned date


def test_man_days_in_the_summary_rounded(consultants) -> None:
    rows = {b["branch_code"]: b for b in summary(consultants, MD)["branches"]}
    assert (rows["M1"]["man_days_used"], rows["M1"]["man_days_overrun"]) == (4.0, 1.5)
    assert (rows["M2"]["man_days_used"], rows["M2"]["man_days_overrun"]) == (30.0, None)
    assert (rows["M3"]["man_days_used"], rows["M3"]["man_days_overrun"]) == (0.0, 0.0)


def test_by_region_and_phase(consultants) -> None:
    frame = man_days.by_region_and_phase(consultants, MD).set_index("region_code")
    # East: M1 (prep 1.5, kickoff 1, training 1.5), M3 0, M4 support 1, M5 training 1, M7 training 1
    assert frame.loc["E", "training"] == 3.5 and frame.loc["E", "support"] == 1.0
    assert frame.loc["E", "used"] == 4 + 0 + 1 + 1 + 1
    # West: M2 from the sheet (no phase) 30, M6 training 2
    assert (frame.loc["W", "no phase"], frame.loc["W", "training"], frame.loc["W", "used"]) == (30, 2, 32)
    assert (frame.loc["W", "budget"], frame.loc["W", "remaining"]) == (41, 9)  # 40 - 30 and 1 - 2
    assert frame.loc["TOTAL", "used"] == 39 and frame.loc["TOTAL", "forecast_overrun"] == 2.5  # 1.5 + 1


# --- after go-live ----------------------------------------------------------------------------------

AD = date(2026, 3, 31)


def entries(code: str, first: date, last: date, documents: int = 100, same: int = 100) -> list[dict]:
    return [{"branch_code": code, "date": first + timedelta(days=i), "documents": documents,
             "entered_same_day": same} for i in range((last - first).days + 1)]


def problem(code: str, branch_code: str, severity: str, opened: str, closed: str | None = None) -> dict:
    return {"problem_code": code, "branch_code": branch_code, "severity": severity, "opened_on": opened,
            "closed_on": closed, "title": code}


@pytest.fixture(scope="module")
def live():
    db = make_db(regions=REGIONS, branches=[
        branch("A", actual_go_live="2026-01-01"),  # problems, the rate window edges
        branch("R29", actual_go_live="2026-03-02"),  # live 29 days on D
        branch("R30", actual_go_live="2026-03-01"),  # live 30 days on D
        branch("O13", actual_go_live="2026-02-17"),  # first ready on D - 12: 13 ready days
        branch("O14", actual_go_live="2026-02-16"),  # first ready on D - 13: 14 ready days, overdue
        branch("ACC", actual_go_live="2026-01-01"),  # accepted on D
        branch("LATE", actual_go_live="2026-01-01"),  # accepted after D: not accepted on D
        branch("BLK", actual_go_live="2026-01-01"),  # a high problem past its limit
        branch("MED", actual_go_live="2026-01-01"),  # only a medium problem past its limit: not blocking
        branch("ZERO", actual_go_live="2026-01-01"),  # entries without documents
        branch("R95", actual_go_live="2026-01-01"),  # same-day entry 95.0 exactly
        branch("R94", actual_go_live="2026-01-01"),  # 94.5
        branch("NOT", planned_go_live="2026-06-01"),  # not live: its payment is not "overdue" in the summary
    ], daily_entries=[
        {"branch_code": "A", "date": "2026-03-01", "documents": 100, "entered_same_day": 0},  # D - 30: outside
        {"branch_code": "A", "date": "2026-03-02", "documents": 100, "entered_same_day": 90},
        {"branch_code": "A", "date": "2026-03-31", "documents": 100, "entered_same_day": 100},
        {"branch_code": "A", "date": "2026-04-01", "documents": 100, "entered_same_day": 0},  # after D
        *entries("R29", date(2026, 3, 2), AD), *entries("R30", date(2026, 3, 1), AD),
        *entries("O13", date(2026, 2, 17), AD), *entries("O14", date(2026, 2, 16), AD),
        *entries("ACC", date(2026, 3, 1), AD), *entries("LATE", date(2026, 3, 1), AD),
        *entries("BLK", date(2026, 3, 1), AD), *entries("MED", date(2026, 3, 1), AD),
        *entries("ZERO", date(2026, 3, 20), AD, 0, 0),
        {"branch_code": "R95", "date": "2026-03-02", "documents": 100, "entered_same_day": 90},
        {"branch_code": "R95", "date": "2026-03-31", "documents": 100, "entered_same_day": 100},
        {"branch_code": "R94", "date": "2026-03-02", "documents": 100, "entered_same_day": 89},
        {"branch_code": "R94", "date": "2026-03-31", "documents": 100, "entered_same_day": 100},
    ], problems=[
        problem("P1", "A", "critical", "2026-03-28"),  # age 3 = limit: not past
        problem("P2", "A", "critical", "2026-03-27"),  # age 4: past
        problem("P3", "A", "high", "2026-03-24"),  # 7 = limit
        problem("P4", "A", "high", "2026-03-23"),  # 8: past
        problem("P5", "A", "medium", "2026-03-16"),  # 15: past
        problem("P6", "A", "low", "2026-03-01"),  # 30 = limit
        problem("P7", "A", "low", "2026-01-01", "2026-03-30"),  # closed before D
        problem("P8", "A", "low", "2026-01-01", "2026-04-05"),  # closed after D: open on D, past
        problem("P9", "A", "critical", "2026-04-01"),  # opened after D
        problem("B1", "BLK", "high", "2026-03-20"),  # 11 > 7
        problem("M1", "MED", "medium", "2026-03-01"),  # 30 > 14, but medium does not block
        problem("N1", "NOT", "critical", "2026-03-01"),  # a branch not live counts too
    ], acceptance=[
        {"branch_code": "ACC", "accepted_on": "2026-03-31", "payment_due": "2026-03-31"},  # due on D: not overdue
        {"branch_code": "LATE", "accepted_on": "2026-04-01", "payment_due": "2026-03-30",
         "payment_received_on": "2026-04-02"},  # received after D: overdue on D
        {"branch_code": "R30", "payment_due": "2026-03-01", "payment_received_on": "2026-03-31"},  # paid on D
        {"branch_code": "A", "payment_due": "2026-03-30"},  # unpaid, due the day before D: overdue
        {"branch_code": "NOT", "payment_due": "2026-03-01"},  # not live: not overdue in the summary
    ])
    yield db
    db.close()


def test_problems_against_their_time_limits(live) -> None:
    open_a = after_go_live.problems_against_limits(live, AD, DEFAULTS, "A").set_index("problem_code")
    assert sorted(open_a.index) == ["P1", "P2", "P3", "P4", "P5", "P6", "P8"]  # P7 closed, P9 later
    assert open_a["past_limit"].to_dict() == {"P1": False, "P2": True, "P3": False, "P4": True, "P5": True,
                                              "P6": False, "P8": True}
    assert (open_a.loc["P1", "age_days"], open_a.loc["P1", "limit_days"]) == (3, 3)
    assert as_date(open_a.loc["P6", "due_by"]) == date(2026, 3, 31)  # 03-01 + 30
    counts = after_go_live.problems_past_limit(live, AD, DEFAULTS).set_index("branch_code")
    assert counts.loc["A"].to_dict() == {"problems_past_limit": 4, "blocking_past_limit": 2}
    assert counts.loc["NOT", "problems_past_limit"] == 1 and counts.loc["R30", "problems_past_limit"] == 0
    by_severity = after_go_live.problems_by_severity(live, AD, "A", DEFAULTS).set_index("severity")
    assert by_severity.to_dict("index") == {"critical": {"limit_days": 3, "open": 2, "past_limit": 1},
                                            "high": {"limit_days": 7, "open": 2, "past_limit": 1},
                                            "medium": {"limit_days": 14, "open": 1, "past_limit": 1},
                                            "low": {"limit_days": 30, "open": 2, "past_limit": 1}}
    # a longer limit for low problems: P8 (89 days) still past, nothing else changes
    longer = after_go_live.problems_past_limit(live, AD, {**DEFAULTS, "low_problem_days": 100})
    assert longer.set_index("branch_code").loc["A", "problems_past_limit"] == 3


def test_same_day_entry_rate_over_the_last_30_days(live) -> None:
    rates = after_go_live.same_day_entry_rate(live, AD).set_index("branch_code")["same_day_entry_rate"]
    assert rates["A"] == 95.0  # (90 + 100) / (100 + 100): 03-01 is D - 30, 04-01 after D
    assert rates.isna()["ZERO"]  # rows without documents: null
    assert "NOT" not in rates.index  # no rows: no figure
    trend = after_go_live.same_day_entry_trend(live, AD, "A", days=3)
    # 03-29 and 03-30 still see 03-01 (0 of 100) and 03-02 (90 of 100): 45 %; 03-31 no longer sees 03-01
    assert [(as_date(d), r) for d, r in zip(trend["day"], trend["same_day_entry_rate"], strict=True)] == [
        (date(2026, 3, 29), 45.0), (date(2026, 3, 30), 45.0), (date(2026, 3, 31), 95.0)]
    assert list(trend["day_documents"]) == [0, 0, 100]


def test_ready_for_acceptance_after_30_days(live) -> None:
    ready = after_go_live.ready_for_acceptance(live, AD, DEFAULTS).set_index("branch_code")
    assert "NOT" not in ready.index  # live branches only
    assert (ready.loc["R29", "days_live"], ready.loc["R29", "ready_for_acceptance"]) == (29, False)
    assert (ready.loc["R30", "days_live"], ready.loc["R30", "ready_for_acceptance"]) == (30, True)


def test_ready_for_acceptance_needs_each_condition(live) -> None:
    ready = after_go_live.ready_for_acceptance(live, AD, DEFAULTS).set_index("branch_code")
    assert ready.loc["R95", "ready_for_acceptance"]  # (90 + 100) / 200 = 95.0 exactly: enough
    assert ready.loc["R94", "same_day_entry_rate"] == 94.5 and not ready.loc["R94", "ready_for_acceptance"]
    # A: 95 % too, but two critical/high problems past their limit (P2, P4)
    assert ready.loc["A", "blocking_problems"] == 2 and not ready.loc["A", "ready_for_acceptance"]
    assert not ready.loc["ACC", "ready_for_acceptance"] and ready.loc["ACC", "accepted"]  # accepted on D
    assert ready.loc["LATE", "ready_for_acceptance"] and not ready.loc["LATE", "accepted"]  # accepted after D
    assert not ready.loc["BLK", "ready_for_acceptance"] and ready.loc["BLK", "blocking_problems"] == 1
    assert ready.loc["MED", "ready_for_acceptance"]  # a medium problem past its limit does not block
    assert not ready.loc["ZERO", "ready_for_acceptance"]  # no rate
    stricter = after_go_live.ready_for_acceptance(live, AD, {**DEFAULTS, "same_day_entry_target": 96})
    assert not stricter.set_index("branch_code").loc["R95", "ready_for_acceptance"]


def test_acceptance_overdue_after_14_ready_days(live) -> None:
    overdue = after_go_live.acceptance_overdue(live, AD, DEFAULTS).set_index("branch_code")
    # O13 live 30 days on D - 12 (03-19): ready 13 days; O14 on D - 13 (03-18): ready 14 days
    assert (overdue.loc["O13", "ready_days"], overdue.loc["O13", "acceptance_overdue"]) == (13, False)
    assert (overdue.loc["O14", "ready_days"], overdue.loc["O14", "acceptance_overdue"]) == (14, True)
    assert (overdue.loc["R30", "ready_days"], overdue.loc["R30", "acceptance_overdue"]) == (1, False)
    # each day is judged as of that day: a shorter setting makes O13 overdue too
    shorter = after_go_live.acceptance_overdue(live, AD, {**DEFAULTS, "acceptance_overdue_days": 13})
    assert shorter.set_index("branch_code").loc["O13", "acceptance_overdue"]


def test_payment_overdue(live) -> None:
    paid = after_go_live.payment_overdue(live, AD).set_index("branch_code")
    assert sorted(paid.index[paid["payment_overdue"]]) == ["A", "LATE", "NOT"]  # ACC due on D, R30 paid on D
    assert paid.loc["A", "payment_days_overdue"] == 1 and paid.loc["R30", "paid"]


def test_summary_fields_after_go_live(live) -> None:
    rows = {b["branch_code"]: b for b in summary(live, AD)["branches"]}
    assert {k: rows["A"][k] for k in ("problems_past_limit", "same_day_entry_rate", "ready_for_acceptance",
                                      "acceptance_overdue", "payment_overdue")} == {
        "problems_past_limit": 4, "same_day_entry_rate": 95.0, "ready_for_acceptance": False,
        "acceptance_overdue": False, "payment_overdue": True}
    assert rows["O14"]["acceptance_overdue"] is True and rows["R30"]["ready_for_acceptance"] is True
    # not live: false for the three acceptance fields, even with a payment past due
    assert (rows["NOT"]["ready_for_acceptance"], rows["NOT"]["acceptance_overdue"], rows["NOT"]["payment_overdue"],
            rows["NOT"]["same_day_entry_rate"], rows["NOT"]["problems_past_limit"]) == (False, False, False, None, 1)


def test_live_branches_sorted_by_what_needs_action(live) -> None:
    view = after_go_live.live_branches(live, AD, DEFAULTS)
    assert "NOT" not in set(view["branch_code"])
    # acceptance overdue: MED (1 problem past limit) first, then LATE (live 89 days) before O14 (43);
    # payment overdue: A; critical/high problems past limit: BLK; ready: R95 (lowest rate), O13 (live 42
    # days), R30 (30); same-day entry low: ZERO (no figure) before R94 (94.5 %); stabilising: R29; accepted: ACC
    assert list(view["branch_code"]) == ["MED", "LATE", "O14", "A", "BLK", "R95", "O13", "R30", "ZERO", "R94", "R29",
                                         "ACC"]
    actions = dict(zip(view["branch_code"], view["action"], strict=True))
    assert actions["O14"] == "accept now: ready for acceptance 14 days in a row"
    assert actions["A"] == "chase the payment: due 2026-03-30, 1 days ago"
    assert actions["BLK"] == "fix 1 critical/high problem(s) past their time limit"
    assert actions["R94"] == "raise same-day entry: 94.5% (target 95%)"
    assert actions["R29"] == "stabilising: live 29 days (acceptance after 30)"
    assert actions["ACC"] == "accepted on 2026-03-31"
    assert after_go_live.live_counts(view) == {"live": 12, "same_day_entry_low": 2, "problems_past_limit": 3,
                                               "ready_for_acceptance": 6, "acceptance_overdue": 3,
                                               "payment_overdue": 2}


def test_record_entries_and_acceptance_by_the_importers_rules(tmp_path) -> None:
    db = make_db(tmp_path / "w.duckdb", regions=REGIONS, branches=[branch("A", actual_go_live="2026-03-01")])
    today = date(2026, 3, 31)
    after_go_live.record_daily_entries(db, "A", date(2026, 3, 30), 100, 96, today=today, caller=LOCAL)
    after_go_live.record_daily_entries(db, "A", date(2026, 3, 30), 100, 98, today=today, caller=LOCAL)  # a correction
    assert db.rows("SELECT documents, entered_same_day FROM daily_entries") == [(100, 98)]
    with pytest.raises(ValidationError) as refused:
        after_go_live.record_daily_entries(db, "A", date(2026, 3, 31), 10, 11, today=today, caller=LOCAL)
    assert str(refused.value.errors[0]) == ("entries of A on 2026-03-31, entered_same_day: 11 is more than "
                                            "documents 10 (expected at most documents)")
    with pytest.raises(ValidationError):
        after_go_live.record_daily_entries(db, "A", date(2026, 4, 1), 10, 10, today=today, caller=LOCAL)  # tomorrow
    with pytest.raises(ValidationError) as refused:
        after_go_live.record_acceptance(db, "A", date(2026, 2, 28), None, None, today=today, caller=LOCAL)
    assert str(refused.value.errors[0]) == ("acceptance of A, accepted_on: 2026-02-28 is before A's actual_go_live "
                                            "2026-03-01 (expected a date on or after it)")
    after_go_live.record_acceptance(db, "A", date(2026, 3, 31), date(2026, 4, 30), None, today=today, caller=LOCAL)
    assert after_go_live.acceptance_record(db, "A") == {"accepted_on": date(2026, 3, 31),
                                                        "payment_due": date(2026, 4, 30), "payment_received_on": None}
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name IN ('daily_entries', 'acceptance')") == 3
    assert get_settings(db)["critical_problem_days"] == 3

