"""Lessons page: what the pilot taught, where each lesson is applied, which recur; go-live problems."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.exchange.spec import APPLICATION_STATUSES, CATEGORIES, IMPACTS, MODULES, SEVERITIES
from rollout.metrics import lessons
from ui import figures
from ui.auth import may_edit
from ui.figures import legend_word
from ui.formats import NO_MODULE, no_module_text
from ui.router import ensure_routed
from ui.sections.lessons import critical_flags, filter_lessons
from ui.state import by_region, cached, caller, filters, flash, get_db, show_flash
from ui.widgets import lazy_tabs, plain, show_error, table

ensure_routed()
st.title(_("Lessons"))
st.caption(_("The pilot's lessons, applied (or consciously waived) at every later branch; problems after go-live."))

f = filters()
as_of, regions = f.as_of, f.regions
today = date.today()
db = get_db()

show_flash("lessons")

overview = cached(lessons.lessons_overview, as_of, regions)
c1, c2, c3 = st.columns(3)
categories = c1.multiselect(_("Category"), CATEGORIES, key="lessons_category", placeholder=_("All categories"),
                            format_func=legend_word)
impacts = c2.multiselect(_("Impact"), IMPACTS, key="lessons_impact", placeholder=_("All impacts"),
                         format_func=legend_word)
modules = c3.multiselect(_("Module"), [*MODULES, NO_MODULE], key="lessons_module", placeholder=_("All modules"),
                         format_func=lambda m: no_module_text() if m == NO_MODULE else m)
shown = filter_lessons(overview, categories, impacts, modules)
shown_codes = set(shown["lesson_code"])


def in_view(func: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """A lessons table for the sidebar's regions and the lessons the filters show."""
    frame = by_region(cached(func, as_of), regions)
    return frame[frame["lesson_code"].isin(shown_codes)]


def lessons_tab() -> None:
    """The lessons the filters show: charts and the table."""
    if regions:
        st.caption(_("{shown} of {total} lessons. Coverage counts branches that are not the pilot and not live on "
                     "{day}, in {regions}.").format(shown=len(shown), total=len(overview), day=as_of.isoformat(),
                                                    regions=plain(", ".join(regions))))
    else:
        st.caption(_("{shown} of {total} lessons. Coverage counts branches that are not the pilot and not live on "
                     "{day}.").format(shown=len(shown), total=len(overview), day=as_of.isoformat()))
    if shown.empty:
        st.info(_("No lesson matches the filters."))
    else:
        left, right = st.columns(2)
        left.plotly_chart(figures.lessons_by_category_fig(lessons.lessons_per_category(shown)), width="stretch",
                          key="lessons_category_chart")
        right.plotly_chart(figures.coverage_fig(shown), width="stretch", key="lessons_coverage_chart")
    table(shown[["lesson_code", "category", "impact", "module", "phase", "title", "recommendation", "recorded_on",
                 "source_branch_code", "checklist_item_code", "covered_branches", "eligible_branches",
                 "application_coverage", "recurring_problems"]],
          key="lessons_table", file_name=f"lessons_{as_of.isoformat()}",
          column_config={"application_coverage": st.column_config.NumberColumn(format="%.1f")})


def matrix_tab() -> None:
    """Where each lesson is applied, branch by branch."""
    matrix = in_view(lessons.application_matrix)
    st.caption(_("Branches going live soonest first; branches already live (right) do not count for coverage. "
                 "missing = no application recorded."))
    if matrix.empty:
        st.info(_("Nothing to show for these filters."))
    else:
        count = len(lessons.matrix_branch_order(matrix))
        if count > figures.MATRIX_CHART_BRANCHES:
            st.caption(_("The chart shows the {shown} branches going live soonest, of {count}; the table below has "
                         "every branch.").format(shown=figures.MATRIX_CHART_BRANCHES, count=count))
        st.plotly_chart(figures.matrix_fig(matrix), width="stretch", key="lessons_matrix_chart")
    table(matrix[["lesson_code", "branch_code", "branch_name", "region_code", "planned_go_live", "actual_go_live",
                  "eligible", "status", "note", "updated_on"]],
          key="lessons_matrix_table", file_name=f"lesson_applications_{as_of.isoformat()}")


def recurring_tab() -> None:
    """Lessons whose problem came back where they were not applied."""
    recurring = in_view(lessons.recurring_lessons)
    st.caption(_("A problem logged at a branch in the lesson's module after the lesson was recorded, while the "
                 "lesson was not applied or verified there. Lessons with no module never recur (see Methodology)."))
    if recurring.empty:
        st.success(_("No lesson recurred."))
    else:
        counts = lessons.recurring_counts(recurring)
        st.warning(_("{lessons} lesson(s) recurred, behind {problems} problem(s).").format(
            lessons=counts["lessons"], problems=counts["problems"]),
                   icon=":material/replay:")
    table(recurring[["lesson_code", "lesson_title", "module", "recorded_on", "branch_code", "branch_name",
                     "application_status", "problem_code", "problem_title", "severity", "opened_on", "closed_on"]],
          key="lessons_recurring_table", file_name=f"recurring_lessons_{as_of.isoformat()}")


branch_codes_all = cached(lessons.branch_codes)  # the pilot(s) first

def loop_tab() -> None:
    """The lesson loop's forms (editors and administrators)."""
    all_lessons = overview["lesson_code"].tolist()
    not_live = cached(lessons.branches_not_live, as_of)
    matrix_all = by_region(cached(lessons.application_matrix, as_of), regions)
    branch_choices = lessons.matrix_branch_order(matrix_all)

    if may_edit("lessons"):  # the lesson loop's forms: editors and administrators
        st.subheader(_("Set a lesson's status at branches"))
        with st.form("lessons_status_form"):
            lesson_code = st.selectbox(_("Lesson"), all_lessons, key="lessons_status_lesson")
            branch_codes = st.multiselect(_("Branches (soonest go-live first)"), branch_choices,
                                          key="lessons_status_branches")
            status = st.selectbox(_("Status"), APPLICATION_STATUSES, key="lessons_status_value",
                                  format_func=legend_word)
            note = st.text_input(_("Note (optional; kept as is when empty)"), key="lessons_status_note")
            if st.form_submit_button(_("Save status"), key="lessons_status_submit"):
                try:
                    added, changed = lessons.set_application_status(db, lesson_code, branch_codes, status, note,
                                                                    today=today, caller=caller())
                    flash("lessons", _("{lesson}: {status} at {count} branch(es) ({added} added, {changed} changed)."
                                       ).format(lesson=lesson_code, status=legend_word(status), count=len(branch_codes),
                                                added=added, changed=changed))
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

        st.subheader(_("Turn a lesson into a checklist item"))
        st.caption(_("Adds the lesson as an open checklist item at each of the {count} branches not live on {day} "
                     "that do not have it yet, and links it to the lesson. Doing it twice adds nothing.").format(
            count=len(not_live), day=as_of.isoformat()))
        with st.form("lessons_checklist_form"):
            checklist_lesson = st.selectbox(_("Lesson"), all_lessons, key="lessons_checklist_lesson")
            if st.form_submit_button(_("Add to checklists"), key="lessons_checklist_submit"):
                try:
                    added = lessons.lesson_to_checklist(db, checklist_lesson, as_of, today=today,
                                                        caller=caller())
                    flash("lessons", _("{lesson}: checklist item added at {count} branch(es)").format(
                        lesson=checklist_lesson, count=added) if added
                        else _("{lesson}: every branch not yet live already has it; nothing added.").format(
                            lesson=checklist_lesson))
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

        st.subheader(_("Record a new lesson"))
        with st.form("lessons_new_form"):
            a, b, c = st.columns(3)
            new_code = a.text_input(_("Lesson code"), value=cached(lessons.next_code, "lessons", "L"),
                                    key="lessons_new_code")
            source = b.selectbox(_("Learnt at"), branch_codes_all, key="lessons_new_source")
            recorded_on = c.date_input(_("Recorded on"), value=today, key="lessons_new_recorded_on")
            a, b, c, d = st.columns(4)
            category = a.selectbox(_("Category"), CATEGORIES, key="lessons_new_category", format_func=legend_word)
            impact = b.selectbox(_("Impact"), IMPACTS, key="lessons_new_impact", format_func=legend_word)
            module = c.selectbox(_("Module"), ["", *MODULES], key="lessons_new_module",
                                 format_func=lambda m: m or no_module_text())
            phase = d.text_input(_("Phase"), key="lessons_new_phase")
            title = st.text_input(_("Lesson title"), key="lessons_new_title")
            description = st.text_area(_("What happened"), key="lessons_new_description")
            recommendation = st.text_input(_("Recommendation"), key="lessons_new_recommendation")
            if st.form_submit_button(_("Record lesson"), key="lessons_new_submit"):
                try:
                    lessons.record_lesson(db, {"lesson_code": new_code, "source_branch_code": source, "phase": phase,
                                               "module": module, "category": category, "title": title,
                                               "description": description, "impact": impact,
                                               "recommendation": recommendation, "recorded_on": recorded_on},
                                          today=today, caller=caller())
                    flash("lessons", _("Lesson {code} recorded.").format(code=new_code))
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)


def problems_tab() -> None:
    """Go-live problems: critical ones open too long, the backlog, per week, the forms."""
    st.subheader(_("Critical problems open too long"))
    critical_flags(as_of, regions)

    backlog = by_region(cached(lessons.problem_backlog, as_of), regions)
    open_now = by_region(cached(lessons.open_problems, as_of), regions)
    st.subheader(_("Open backlog at live branches"))
    if open_now.empty:
        st.success(_("No open problem at a branch live on {day}.").format(day=as_of.isoformat()))
    else:
        st.plotly_chart(figures.backlog_fig(lessons.backlog_per_branch(backlog)), width="stretch",
                        key="problems_backlog_chart")
        table(backlog, key="problems_backlog_table", file_name=f"problem_backlog_{as_of.isoformat()}")
        st.markdown("**" + _("Oldest open problems") + "**")
        table(open_now.head(10)[["problem_code", "branch_code", "severity", "module", "title", "owner", "opened_on",
                                 "age_days"]], key="problems_oldest_table", file_name=f"oldest_problems_{as_of}")

    per_week = by_region(cached(lessons.problems_per_week, as_of), regions)
    st.subheader(_("Opened and closed per week after go-live"))
    live_codes = per_week["branch_code"].drop_duplicates().tolist()
    if live_codes:
        week_branch = st.selectbox(_("Live branch"), live_codes, key="problems_week_branch")
        one = per_week[per_week["branch_code"] == week_branch]
        st.plotly_chart(figures.weekly_fig(one), width="stretch", key="problems_week_chart")
        table(one[["week", "week_start", "opened", "closed"]], key="problems_week_table",
              file_name=f"problems_per_week_{week_branch}")
    else:
        st.info(_("No branch is live on {day}.").format(day=as_of.isoformat()))

    if may_edit("problems"):  # logging and closing problems: editors and administrators
        st.subheader(_("Log a problem"))
        with st.form("problems_new_form"):
            a, b, c, d = st.columns(4)
            if db.regions is None:  # a caller of every region sees every code: it may choose one
                problem_code = a.text_input(_("Problem code"), value=cached(lessons.next_code, "problems",
                                                                             lessons.PROBLEM_PREFIX,
                                                                             lessons.PROBLEM_WIDTH),
                                            key="problems_new_code")
            else:  # codes are one namespace across regions: a choice could only collide with a hidden one
                problem_code = ""
                a.caption(_("The problem code is chosen when the problem is logged: the next free one."))
            problem_branch = b.selectbox(_("Branch"), sorted(branch_codes_all), key="problems_new_branch")
            severity = c.selectbox(_("Severity"), SEVERITIES, index=2, key="problems_new_severity",
                                   format_func=legend_word)
            problem_module = d.selectbox(_("Module"), ["", *MODULES], key="problems_new_module",
                                         format_func=lambda m: m or no_module_text())
            a, b, c = st.columns(3)
            opened_on = a.date_input(_("Opened on"), value=today, key="problems_new_opened_on")
            problem_title = b.text_input(_("Problem title"), key="problems_new_title")
            owner = c.text_input(_("Owner"), key="problems_new_owner")
            if st.form_submit_button(_("Log problem"), key="problems_new_submit"):
                try:
                    logged = lessons.log_problem(
                        db, {"problem_code": problem_code, "branch_code": problem_branch, "opened_on": opened_on,
                             "severity": severity, "module": problem_module, "title": problem_title, "owner": owner},
                        today=today, caller=caller())
                    flash("lessons", _("Problem {code} logged.").format(code=logged))
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

        st.subheader(_("Close a problem"))
        every_problem = cached(lessons.problems_list, today)
        still_open = every_problem[every_problem["open"]]
        if still_open.empty:
            st.caption(_("No open problem."))
        else:
            with st.form("problems_close_form"):
                labels = {r.problem_code: f"{r.problem_code} · {r.branch_code} · {r.severity} · {r.title}"
                          for r in still_open.itertuples()}
                close_code = st.selectbox(_("Problem"), list(labels), format_func=labels.get, key="problems_close_code")
                closed_on = st.date_input(_("Closed on"), value=today, key="problems_close_on")
                if st.form_submit_button(_("Close problem"), key="problems_close_submit"):
                    row = still_open[still_open["problem_code"] == close_code].iloc[0]
                    try:
                        lessons.close_problem(db, close_code, closed_on,
                                              original={"closed_on": row["closed_on"], "opened_on": row["opened_on"]},
                                              today=today, caller=caller())
                        flash("lessons", _("Problem {code} closed on {day}.").format(code=close_code,
                                                                                     day=closed_on.isoformat()))
                        st.rerun()
                    except RolloutError as exc:
                        show_error(exc)


lazy_tabs({_("Lessons"): lessons_tab, _("Application matrix"): matrix_tab, _("Recurring"): recurring_tab,
           _("Work the loop"): loop_tab, _("Go-live problems"): problems_tab}, key="lessons_tab")
