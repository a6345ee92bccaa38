"""From kick-off to acceptance on the Branch and Portfolio pages (AppTest on the sample database): the
kick-off record and planning, man-days, since go-live, and the forms that record a kick-off, a day's
entries, a problem's close and an acceptance (checked like an import, audited)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from rollout.store.db import Database

from support import frame_with, metrics, texts

AS_OF = date(2026, 11, 22)


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _audits(path, table: str) -> list[tuple]:
    with Database(path) as db:
        return db.rows("SELECT action, column_name, new_value FROM audit_log WHERE table_name = ? ORDER BY audit_id",
                       [table])


@pytest.mark.slow
def test_live_branch_since_go_live_and_its_forms(open_page, sample_db_path) -> None:
    at = open_page("branch", query={"branch": "B01"})
    assert not at.exception, [e.value for e in at.exception]
    # the expected summary for B01 on 11-22: 96.3 % same-day, ready, payment overdue (due 07-01: 144 days)
    assert (_metric(at, "Same-day entry (30 days)"), _metric(at, "Ready for acceptance"),
            _metric(at, "Acceptance"), _metric(at, "Payment")) == ("96.3%", "yes", "not yet", "overdue")
    assert "Not accepted yet · payment due 2026-07-01, not received: 144 days overdue" in texts(at.caption)
    assert _metric(at, "Man-days used") == "120.0" and _metric(at, "Burn rate (per week)") == "—"
    assert any("does not log its consultant days" in c for c in texts(at.caption))
    assert any(t == "Kick-off findings: minutes not signed." for t in texts(at.warning)), texts(at.warning)
    assert list(frame_with(at, "limit_days", "open")["limit_days"]) == [3, 7, 14, 30]
    assert len(at.get("plotly_chart")) >= 4  # readiness charts, head engagement, the same-day entry trend

    # a day's entries with more same-day entries than documents: refused, nothing saved
    at.date_input(key="golive_entries_date_B01").set_value(AS_OF)
    at.number_input(key="golive_entries_documents_B01").set_value(10)
    at.number_input(key="golive_entries_same_day_B01").set_value(11)
    at.button(key="golive_entries_submit_B01").click().run()
    assert any("entered_same_day: 11 is more than documents 10" in t for t in texts(at.error)), texts(at.error)
    assert _audits(sample_db_path, "daily_entries") == []
    at.number_input(key="golive_entries_same_day_B01").set_value(9)
    at.button(key="golive_entries_submit_B01").click().run()
    assert not at.exception and not at.error, texts(at.error)
    with Database(sample_db_path) as db:
        assert db.rows("SELECT documents, entered_same_day FROM daily_entries WHERE branch_code = 'B01' "
                       "AND date = ?", [AS_OF]) == [(10, 9)]

    # accepting before the go-live is refused; on 11-22 it is saved and audited, and B01 is no longer "ready"
    at.date_input(key="golive_accept_on_B01").set_value(date(2026, 5, 31))
    at.button(key="golive_accept_submit_B01").click().run()
    assert any("is before B01's actual_go_live 2026-06-01" in t for t in texts(at.error)), texts(at.error)
    at.date_input(key="golive_accept_on_B01").set_value(AS_OF)
    at.button(key="golive_accept_submit_B01").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert "Acceptance of B01 saved: accepted on 2026-11-22." in texts(at.success)
    assert (_metric(at, "Acceptance"), _metric(at, "Ready for acceptance")) == ("accepted", "no")
    assert any(t.startswith("Accepted on 2026-11-22 · payment due 2026-07-01") for t in texts(at.caption))
    assert _audits(sample_db_path, "acceptance") == [("update", "accepted_on", "2026-11-22")]


@pytest.mark.slow
def test_closing_a_problem_from_the_branch_page(open_page, sample_db_path) -> None:
    at = open_page("branch", query={"branch": "B02"})
    assert _metric(at, "Problems past limit") == "1"
    code = at.selectbox(key="golive_close_problem_B02").value
    at.date_input(key="golive_close_on_B02").set_value(AS_OF)
    at.button(key="golive_close_submit_B02").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert f"Problem {code} closed on 2026-11-22." in texts(at.success)
    assert _metric(at, "Problems past limit") == "0"
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT closed_on FROM problems WHERE problem_code = ?", [code]) == AS_OF


@pytest.mark.slow
def test_plan_then_record_a_kickoff(open_page, sample_db_path) -> None:
    at = open_page("branch", query={"branch": "B09"})
    assert not at.exception, [e.value for e in at.exception]
    assert any("No kick-off meeting is recorded" in t for t in texts(at.info))
    # planning: a Saturday afternoon of five hours gets three warnings; a Monday morning none
    at.date_input(key="golive_plan_day_B09").set_value(date(2026, 11, 21))
    at.time_input(key="golive_plan_time_B09").set_value(time(14, 0))
    at.number_input(key="golive_plan_minutes_B09").set_value(300).run()
    assert {"Saturday: hold it on a working day", "an afternoon start: hold it in the morning",
            "longer than half a day (240 minutes)"} <= set(texts(at.warning)), texts(at.warning)
    at.date_input(key="golive_plan_day_B09").set_value(date(2026, 12, 8))
    at.time_input(key="golive_plan_time_B09").set_value(time(9, 0))
    at.number_input(key="golive_plan_minutes_B09").set_value(180).run()
    assert "2026-12-08 at 09:00 is inside the rules." in texts(at.caption)
    assert "Create plan items from a template" in [e.label for e in at.expander]
    at.button(key="golive_plan_save_B09").click().run()
    assert not at.exception and not at.error, texts(at.error)
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT planned_kickoff FROM branches WHERE branch_code = 'B09'") == date(2026, 12, 8)

    # recording: minutes signed in the future are refused; the meeting held on Saturday 11-21 at 14:00 is saved
    at.date_input(key="golive_kickoff_held_on_B09").set_value(date(2026, 11, 21))
    at.time_input(key="golive_kickoff_start_B09").set_value(time(14, 0))
    at.checkbox(key="golive_kickoff_committee_B09").check()
    at.checkbox(key="golive_kickoff_rewards_B09").check()
    at.date_input(key="golive_kickoff_signed_B09").set_value(date.today() + timedelta(days=30))
    at.button(key="golive_kickoff_submit_B09").click().run()
    assert any("minutes_signed_on" in t and "in the future" in t for t in texts(at.error)), texts(at.error)
    at.date_input(key="golive_kickoff_signed_B09").set_value(None)
    at.text_input(key="golive_kickoff_ref_B09").set_value("minutes/B09.pdf")
    at.button(key="golive_kickoff_submit_B09").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert "Kick-off findings: weekend, afternoon." in texts(at.warning), texts(at.warning)
    with Database(sample_db_path) as db:
        assert db.rows("SELECT held_on, start_time, steering_committee_named, minutes_ref FROM kickoffs "
                       "WHERE branch_code = 'B09'") == [(date(2026, 11, 21), "14:00", True, "minutes/B09.pdf")]
    assert [a for a, _, _ in _audits(sample_db_path, "kickoffs")] == ["insert"]


@pytest.mark.slow
def test_branch_that_logs_consultant_days(open_page) -> None:
    at = open_page("branch", query={"branch": "B03"})
    assert not at.exception, [e.value for e in at.exception]
    # expected summary: B03 used 23.0 on 11-22, overrun 0.0; burn 9 days in the last 28 days / 4 = 2.25
    assert (_metric(at, "Man-days used"), _metric(at, "Forecast overrun")) == ("23.0", "0.0")
    assert _metric(at, "Burn rate (per week)") == "2.2"
    phases = frame_with(at, "phase", "man_days_used")
    assert set(phases["phase"]) <= {"preparation", "kickoff", "training", "testing"}
    assert phases["man_days_used"].sum() == 23.0
    assert not [s for s in at.subheader if s.value == "Since go-live"]  # not live


@pytest.mark.slow
def test_portfolio_live_branches(open_page) -> None:
    at = open_page("portfolio")
    assert not at.exception, [e.value for e in at.exception]
    assert "After go-live" in [s.value for s in at.subheader]
    shown = metrics(at)
    assert (shown["Ready for acceptance"], shown["Payment overdue"], shown["Acceptance overdue"]) == ("1", "2", "0")
    live = frame_with(at, "next action", "same-day entry %")
    assert list(live["branch_code"]) == ["B02", "B01", "PIL"]  # payment overdue (B02 has a problem past limit)
    assert any(t.startswith("B01 · 天津分公司: ready") for t in texts(at.text))
    at = open_page("branch", query={"branch": "B01"})  # accept B01 on its page, then back to the Portfolio
    at.date_input(key="golive_accept_on_B01").set_value(AS_OF)
    at.button(key="golive_accept_submit_B01").click().run()
    at.switch_page("pages/portfolio.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert metrics(at)["Ready for acceptance"] == "0"
    assert not any(t.startswith("B01 · ") for t in texts(at.text))
