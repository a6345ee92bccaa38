"""Lessons page: what the pilot taught, where each lesson is applied, which recur; go-live problems."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.exchange.spec import APPLICATION_STATUSES, CATEGORIES, IMPACTS, MODULES, SEVERITIES
from rollout.metrics import lessons
from ui import figures
from ui.auth import may_edit
from ui.formats import NO_MODULE
from ui.router import ensure_routed
from ui.sections.lessons import critical_flags, filter_lessons
from ui.state import by_region, cached, caller, filters, flash, get_db, show_flash
from ui.widgets import plain, show_error, table

ensure_routed()
st.title("Lessons")
st.caption("The pilot's lessons, applied (or consciously waived) at every later branch; problems after go-live.")

f = filters()
as_of, regions = f.as_of, f.regions
today = date.today()
db = get_db()

show_flash("lessons")

overview = cached(lessons.lessons_overview, as_of, regions)
c1, c2, c3 = st.columns(3)
categories = c1.multiselect("Category", CATEGORIES, key="lessons_category", placeholder="All categories")
impacts = c2.multiselect("Impact", IMPACTS, key="lessons_impact", placeholder="All impacts")
modules = c3.multiselect("Module", [*MODULES, NO_MODULE], key="lessons_module", placeholder="All modules")
shown = filter_lessons(overview, categories, impacts, modules)
shown_codes = set(shown["lesson_code"])


def in_view(func: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """A lessons table for the sidebar's regions and the lessons the filters show."""
    frame = by_region(cached(func, as_of), regions)
    return frame[frame["lesson_code"].isin(shown_codes)]


tab_lessons, tab_matrix, tab_recurring, tab_loop, tab_problems = st.tabs(
    ["Lessons", "Application matrix", "Recurring", "Work the loop", "Go-live problems"])

with tab_lessons:
    st.caption(f"{len(shown)} of {len(overview)} lessons. Coverage counts branches that are not the pilot and not "
               f"live on {as_of.isoformat()}" + (f", in {plain(', '.join(regions))}" if regions else "") + ".")
    if shown.empty:
        st.info("No lesson matches the filters.")
    else:
        left, right = st.columns(2)
        left.plotly_chart(figures.lessons_by_category_fig(lessons.lessons_per_category(shown)), width="stretch",
                          key="lessons_category_chart")
        right.plotly_chart(figures.coverage_fig(shown), width="stretch", key="lessons_coverage_chart")
    table(shown[["lesson_code", "category", "impact", "module", "phase", "title", "recommendation", "recorded_on",
                 "source_branch_code", "checklist_item_code", "covered_branches", "eligible_branches",
                 "application_coverage", "recurring_problems"]],
          key="lessons_table", file_name=f"lessons_{as_of.isoformat()}",
          column_config={"application_coverage": st.column_config.NumberColumn("coverage %", format="%.1f")})

with tab_matrix:
    matrix = in_view(lessons.application_matrix)
    st.caption("Branches going live soonest first; branches already live (right) do not count for coverage. "
               "missing = no application recorded.")
    if matrix.empty:
        st.info("Nothing to show for these filters.")
    else:
        count = len(lessons.matrix_branch_order(matrix))
        if count > figures.MATRIX_CHART_BRANCHES:
            st.caption(f"The chart shows the {figures.MATRIX_CHART_BRANCHES} branches going live soonest, of {count}; "
                       "the table below has every branch.")
        st.plotly_chart(figures.matrix_fig(matrix), width="stretch", key="lessons_matrix_chart")
    table(matrix[["lesson_code", "branch_code", "branch_name", "region_code", "planned_go_live", "actual_go_live",
                  "eligible", "status", "note", "updated_on"]],
          key="lessons_matrix_table", file_name=f"lesson_applications_{as_of.isoformat()}")

with tab_recurring:
    recurring = in_view(lessons.recurring_lessons)
    st.caption("A problem logged at a branch in the lesson's module after the lesson was recorded, while the lesson "
               "was not applied or verified there. Lessons with no module never recur (see Methodology).")
    if recurring.empty:
        st.success("No lesson recurred.")
    else:
        counts = lessons.recurring_counts(recurring)
        st.warning(f"{counts['lessons']} lesson(s) recurred, behind {counts['problems']} problem(s).",
                   icon=":material/replay:")
    table(recurring[["lesson_code", "lesson_title", "module", "recorded_on", "branch_code", "branch_name",
                     "application_status", "problem_code", "problem_title", "severity", "opened_on", "closed_on"]],
          key="lessons_recurring_table", file_name=f"recurring_lessons_{as_of.isoformat()}")

branch_codes_all = cached(lessons.branch_codes)  # the pilot(s) first

with tab_loop:
    all_lessons = overview["lesson_code"].tolist()
    not_live = cached(lessons.branches_not_live, as_of)
    matrix_all = by_region(cached(lessons.application_matrix, as_of), regions)
    branch_choices = lessons.matrix_branch_order(matrix_all)

    if may_edit("lessons"):  # the lesson loop's forms: editors and administrators
        st.subheader("Set a lesson's status at branches")
        with st.form("lessons_status_form"):
            lesson_code = st.selectbox("Lesson", all_lessons, key="lessons_status_lesson")
            branch_codes = st.multiselect("Branches (soonest go-live first)", branch_choices,
                                          key="lessons_status_branches")
            status = st.selectbox("Status", APPLICATION_STATUSES, key="lessons_status_value")
            note = st.text_input("Note (optional; kept as is when empty)", key="lessons_status_note")
            if st.form_submit_button("Save status", key="lessons_status_submit"):
                try:
                    added, changed = lessons.set_application_status(db, lesson_code, branch_codes, status, note,
                                                                    today=today, caller=caller())
                    flash("lessons", f"{lesson_code}: {status} at {len(branch_codes)} branch(es) "
                                     f"({added} added, {changed} changed).")
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

        st.subheader("Turn a lesson into a checklist item")
        st.caption(f"Adds the lesson as an open checklist item at each of the {len(not_live)} branches not live on "
                   f"{as_of.isoformat()} that do not have it yet, and links it to the lesson. Doing it twice adds "
                   "nothing.")
        with st.form("lessons_checklist_form"):
            checklist_lesson = st.selectbox("Lesson", all_lessons, key="lessons_checklist_lesson")
            if st.form_submit_button("Add to checklists", key="lessons_checklist_submit"):
                try:
                    added = lessons.lesson_to_checklist(db, checklist_lesson, as_of, today=today,
                                                        caller=caller())
                    flash("lessons", f"{checklist_lesson}: checklist item added at {added} branch(es)" if added
                          else f"{checklist_lesson}: every branch not yet live already has it; nothing added.")
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

        st.subheader("Record a new lesson")
        with st.form("lessons_new_form"):
            a, b, c = st.columns(3)
            new_code = a.text_input("Lesson code", value=cached(lessons.next_code, "lessons", "L"),
                                    key="lessons_new_code")
            source = b.selectbox("Learnt at", branch_codes_all, key="lessons_new_source")
            recorded_on = c.date_input("Recorded on", value=today, key="lessons_new_recorded_on")
            a, b, c, d = st.columns(4)
            category = a.selectbox("Category", CATEGORIES, key="lessons_new_category")
            impact = b.selectbox("Impact", IMPACTS, key="lessons_new_impact")
            module = c.selectbox("Module", ["", *MODULES], key="lessons_new_module",
                                 format_func=lambda m: m or NO_MODULE)
            phase = d.text_input("Phase", key="lessons_new_phase")
            title = st.text_input("Title", key="lessons_new_title")
            description = st.text_area("What happened", key="lessons_new_description")
            recommendation = st.text_input("Recommendation", key="lessons_new_recommendation")
            if st.form_submit_button("Record lesson", key="lessons_new_submit"):
                try:
                    lessons.record_lesson(db, {"lesson_code": new_code, "source_branch_code": source, "phase": phase,
                                               "module": module, "category": category, "title": title,
                                               "description": description, "impact": impact,
                                               "recommendation": recommendation, "recorded_on": recorded_on},
                                          today=today, caller=caller())
                    flash("lessons", f"Lesson {new_code} recorded.")
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

with tab_problems:
    st.subheader("Critical problems open too long")
    critical_flags(as_of, regions)

    backlog = by_region(cached(lessons.problem_backlog, as_of), regions)
    open_now = by_region(cached(lessons.open_problems, as_of), regions)
    st.subheader("Open backlog at live branches")
    if open_now.empty:
        st.success(f"No open problem at a branch live on {as_of.isoformat()}.")
    else:
        st.plotly_chart(figures.backlog_fig(lessons.backlog_per_branch(backlog)), width="stretch",
                        key="problems_backlog_chart")
        table(backlog, key="problems_backlog_table", file_name=f"problem_backlog_{as_of.isoformat()}")
        st.markdown("**Oldest open problems**")
        table(open_now.head(10)[["problem_code", "branch_code", "severity", "module", "title", "owner", "opened_on",
                                 "age_days"]], key="problems_oldest_table", file_name=f"oldest_problems_{as_of}")

    per_week = by_region(cached(lessons.problems_per_week, as_of), regions)
    st.subheader("Opened and closed per week after go-live")
    live_codes = per_week["branch_code"].drop_duplicates().tolist()
    if live_codes:
        week_branch = st.selectbox("Live branch", live_codes, key="problems_week_branch")
        one = per_week[per_week["branch_code"] == week_branch]
        st.plotly_chart(figures.weekly_fig(one), width="stretch", key="problems_week_chart")
        table(one[["week", "week_start", "opened", "closed"]], key="problems_week_table",
              file_name=f"problems_per_week_{week_branch}")
    else:
        st.info(f"No branch is live on {as_of.isoformat()}.")

    if may_edit("problems"):  # logging and closing problems: editors and administrators
        st.subheader("Log a problem")
        with st.form("problems_new_form"):
            a, b, c, d = st.columns(4)
            problem_code = a.text_input("Problem code", value=cached(lessons.next_code, "problems", "PR", 3),
                                        key="problems_new_code")
            problem_branch = b.selectbox("Branch", sorted(branch_codes_all), key="problems_new_branch")
            severity = c.selectbox("Severity", SEVERITIES, index=2, key="problems_new_severity")
            problem_module = d.selectbox("Module", ["", *MODULES], key="problems_new_module",
                                         format_func=lambda m: m or NO_MODULE)
            a, b, c = st.columns(3)
            opened_on = a.date_input("Opened on", value=today, key="problems_new_opened_on")
            problem_title = b.text_input("Title", key="problems_new_title")
            owner = c.text_input("Owner", key="problems_new_owner")
            if st.form_submit_button("Log problem", key="problems_new_submit"):
                try:
                    lessons.log_problem(db, {"problem_code": problem_code, "branch_code": problem_branch,
                                             "opened_on": opened_on, "severity": severity, "module": problem_module,
                                             "title": problem_title, "owner": owner}, today=today,
                                        caller=caller())
                    flash("lessons", f"Problem {problem_code} logged.")
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

        st.subheader("Close a problem")
        every_problem = cached(lessons.problems_list, today)
        still_open = every_problem[every_problem["open"]]
        if still_open.empty:
            st.caption("No open problem.")
        else:
            with st.form("problems_close_form"):
                labels = {r.problem_code: f"{r.problem_code} · {r.branch_code} · {r.severity} · {r.title}"
                          for r in still_open.itertuples()}
                close_code = st.selectbox("Problem", list(labels), format_func=labels.get, key="problems_close_code")
                closed_on = st.date_input("Closed on", value=today, key="problems_close_on")
                if st.form_submit_button("Close problem", key="problems_close_submit"):
                    row = still_open[still_open["problem_code"] == close_code].iloc[0]
                    try:
                        lessons.close_problem(db, close_code, closed_on,
                                              original={"closed_on": row["closed_on"], "opened_on": row["opened_on"]},
                                              today=today, caller=caller())
                        flash("lessons", f"Problem {close_code} closed on {closed_on.isoformat()}.")
                        st.rerun()
                    except RolloutError as exc:
                        show_error(exc)
