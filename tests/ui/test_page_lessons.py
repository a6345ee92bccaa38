"""The Lessons page (AppTest on the sample database): renders, filters, the loop's forms, a refused edit."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.store.db import Database

from support import frame_with, open_tab, texts


@pytest.mark.slow
def test_page_renders_with_sample_figures(open_page) -> None:
    at = open_page("lessons", as_of=date(2026, 9, 15))
    for as_of in (date(2026, 9, 15), date(2026, 11, 22)):
        if as_of != date(2026, 9, 15):
            at.session_state["as_of"] = as_of
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == "Lessons"
        lessons = frame_with(at, "recurring_problems").set_index("lesson_code")
        # sample: 9 eligible branches (B03..B11) on both dates; L3 covered at B03, B10, B11 -> 33.3%
        assert lessons.loc["L3", "application_coverage"] == pytest.approx(100 / 3)
        assert lessons.loc["L1", "covered_branches"] == 5
        # L1 (finance, 01-20) recurs at B09 (PR003), B07 (PR010), B04 (PR012); L2 at B01 (PR007, opened 10-31)
        assert lessons.loc["L1", "recurring_problems"] == 3
        assert lessons.loc["L2", "recurring_problems"] == (1 if as_of == date(2026, 11, 22) else 0)
        open_tab(at, "lessons_tab", "Application matrix")
        matrix = frame_with(at, "eligible")
        # soonest go-live first: B03 and B04 (12-01) before B05 (2027-01-01)
        order = matrix[matrix.lesson_code == "L1"].branch_code.tolist()
        assert order.index("B03") < order.index("B05") and order.index("B04") < order.index("B05")
        open_tab(at, "lessons_tab", "Lessons")
    # 11-22: critical problems open more than 3 days: B09 (PR002), B11 (PR001); PR006 closed on 11-22
    open_tab(at, "lessons_tab", "Go-live problems")
    assert any("2 branches with critical problems" in t for t in texts(at.warning)), texts(at.warning)
    assert sorted(frame_with(at, "critical open past limit").branch_code) == ["B09", "B11"]


@pytest.mark.slow
def test_filters_and_region(open_page) -> None:
    at = open_page("lessons", regions=["WEST"])
    at.multiselect(key="lessons_category").set_value(["data", "people"])
    at.multiselect(key="lessons_impact").set_value(["high"]).run()
    assert not at.exception
    assert sorted(frame_with(at, "recurring_problems").lesson_code) == ["L1", "L2"]
    at.multiselect(key="lessons_module").set_value(["supply_chain"]).run()
    assert frame_with(at, "recurring_problems").lesson_code.tolist() == ["L2"]
    # region WEST: only B02, B05, B08, B11 in the matrix
    open_tab(at, "lessons_tab", "Application matrix")
    assert set(frame_with(at, "eligible").branch_code) == {"B02", "B05", "B08", "B11"}
    # WEST eligible: B05, B08, B11; L2 verified at B11 -> 1/3
    open_tab(at, "lessons_tab", "Lessons")
    assert frame_with(at, "recurring_problems").application_coverage.iloc[0] == pytest.approx(100 / 3)


@pytest.mark.slow
def test_bulk_status_change_then_checklist_action_twice(open_page, sample_db_path) -> None:
    at = open_tab(open_page("lessons"), "lessons_tab", "Work the loop")
    at.selectbox(key="lessons_status_lesson").set_value("L3")
    at.multiselect(key="lessons_status_branches").set_value(["B04", "B05", "B06"])
    at.selectbox(key="lessons_status_value").set_value("applied")
    at.button(key="lessons_status_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, texts(at.error)
    assert any("3 added" in t for t in texts(at.success))
    # L3 covered before: B03, B10, B11 (3 of 9); now + B04, B05, B06 -> 6/9 = 66.7%
    open_tab(at, "lessons_tab", "Lessons")
    lessons = frame_with(at, "recurring_problems").set_index("lesson_code")
    assert lessons.loc["L3", "application_coverage"] == pytest.approx(200 / 3)
    with Database(sample_db_path) as db:
        assert db.rows("SELECT branch_code, status FROM lesson_applications WHERE lesson_code = 'L3' AND "
                       "branch_code IN ('B04', 'B05', 'B06') ORDER BY branch_code") == [
            ("B04", "applied"), ("B05", "applied"), ("B06", "applied")]
        assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'lesson_applications' "
                         "AND action = 'insert'") == 3
    # then the lesson -> checklist action, twice
    open_tab(at, "lessons_tab", "Work the loop")
    at.selectbox(key="lessons_checklist_lesson").set_value("L4")
    at.button(key="lessons_checklist_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # not the pilot, not live on 11-22: B03..B11 = 9 branches
    assert any("added at 9 branch" in t for t in texts(at.success)), texts(at.success)
    at.selectbox(key="lessons_checklist_lesson").set_value("L4")
    at.button(key="lessons_checklist_submit").click().run()
    assert any("nothing added" in t for t in texts(at.success)), texts(at.success)
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT count(*) FROM checklist WHERE item_code = 'LL-L4'") == 9
        assert db.scalar("SELECT checklist_item_code FROM lessons WHERE lesson_code = 'L4'") == "LL-L4"


@pytest.mark.slow
def test_refused_edits_save_nothing_then_log_and_close(open_page, sample_db_path) -> None:
    at = open_tab(open_page("lessons"), "lessons_tab", "Go-live problems")
    # close PR001 (opened 2026-09-17) on a date before it was opened
    at.selectbox(key="problems_close_code").set_value("PR001")
    at.date_input(key="problems_close_on").set_value(date(2026, 9, 1))
    at.button(key="problems_close_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Refused" in t and "closed_on" in t for t in texts(at.error)), texts(at.error)
    # a lesson without a title
    open_tab(at, "lessons_tab", "Work the loop")
    at.text_input(key="lessons_new_code").set_value("L9")
    at.button(key="lessons_new_submit").click().run()
    assert any("Refused" in t and "title" in t for t in texts(at.error)), texts(at.error)
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT closed_on FROM problems WHERE problem_code = 'PR001'") is None
        assert db.scalar("SELECT count(*) FROM lessons WHERE lesson_code = 'L9'") == 0
        assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name <> 'import_log'") == 0
    # then a good problem is logged and closed
    open_tab(at, "lessons_tab", "Go-live problems")
    assert at.text_input(key="problems_new_code").value == "PR015"
    at.selectbox(key="problems_new_branch").set_value("B02")
    at.selectbox(key="problems_new_severity").set_value("critical")
    at.date_input(key="problems_new_opened_on").set_value(date(2026, 11, 20))
    at.text_input(key="problems_new_title").set_value("库存过账失败")
    at.button(key="problems_new_submit").click().run()
    assert not at.exception and not at.error, texts(at.error)
    at.selectbox(key="problems_close_code").set_value("PR015")
    at.date_input(key="problems_close_on").set_value(date(2026, 11, 21))
    at.button(key="problems_close_submit").click().run()
    assert not at.exception and not at.error, texts(at.error)
    with Database(sample_db_path) as db:
        assert db.rows("SELECT branch_code, severity, closed_on FROM problems WHERE problem_code = 'PR015'") == [
            ("B02", "critical", date(2026, 11, 21))]
