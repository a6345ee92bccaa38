"""The go / no-go page: a refused decision saves nothing, a valid one is listed with its follow-up."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.store.db import Database


@pytest.mark.slow
def test_decisions_page_refuses_a_bad_decision_then_records_a_good_one(open_page, sample_db_path) -> None:
    at = open_page("decisions", as_of=date(2026, 11, 22))
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Go / no-go decisions"
    # Go with conditions, no conditions and nobody named: refused, nothing saved.
    at.selectbox(key="decision_branch").set_value("B03")
    at.radio(key="decision_kind").set_value("go_with_conditions")
    at.button(key="decision_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "nothing was saved" in at.error[0].value
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT count(*) FROM decisions") == 0
    # Fixed data: decided on the as-of day, followed up nine days later (a follow-up may not precede the
    # decision, so the decision's own date is typed too: the form's default is today, which moves).
    at.date_input(key="decision_date").set_value(date(2026, 11, 22))
    at.text_input(key="decision_by").input("指导委员会")
    at.text_area(key="decision_conditions").input("close the two overdue items")
    at.date_input(key="decision_follow_up").set_value(date(2026, 12, 1))
    at.button(key="decision_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert any("recorded for B03" in s.value for s in at.success)
    assert at.download_button(key="decisions_table_download").proto.url
    with Database(sample_db_path) as db:
        assert db.rows("SELECT branch_code, decision, decided_by, follow_up_on FROM decisions") == [
            ("B03", "go_with_conditions", "指导委员会", date(2026, 12, 1))]
