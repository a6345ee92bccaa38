"""Staffing page: unfilled roles, stretched people, modules resting on one key user, departures,
assessments, the what-if of a person leaving, and the staffing edits (assign, departure, training)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _, ngettext
from rollout.exchange.spec import MODULES, ROLES
from rollout.metrics import staffing
from ui.auth import may_edit
from ui.figures import HEATMAP_ROWS, coverage_heatmap, fill_heatmap
from ui.formats import STAFFING_STATUS_TEXT, no_module_text, staffing_status_text
from ui.router import ensure_routed
from ui.sections.staffing import headline, norms_caption
from ui.state import by_region, cached, caller, filters, flash, get_db, show_flash
from ui.widgets import lazy_tabs, show_error, table

ensure_routed()
current = filters()
as_of, regions = current.as_of, current.regions

st.title(_("Staffing"))
st.caption(current.caption() + " · " + norms_caption())
show_flash("staffing")

all_branches = cached(staffing.branch_staffing, as_of)  # every branch: the edit form assigns to any of them
branches = by_region(all_branches, regions)
headline(branches)

editing = may_edit("staffing")  # a viewer gets no Edit tab (the library refuses their writes anyway)


def fill() -> None:
    """Fill rate heatmap, gaps and every branch's staffing figures."""
    going_live = by_region(cached(staffing.gaps_going_live, as_of), regions)
    soon = going_live.head(HEATMAP_ROWS)
    if going_live.empty:
        st.caption(_("No branch with role requirements goes live within {days} days; the tables hold every branch.")
                   .format(days=staffing.GOING_LIVE_DAYS))
    else:
        st.caption(ngettext("The {shown} of the {count} branch going live within {days} days with the largest "
                            "staffing gap, largest first (the gap in fte beside each code); the tables hold every "
                            "branch.",
                            "The {shown} of the {count} branches going live within {days} days with the largest "
                            "staffing gap, largest first (the gap in fte beside each code); the tables hold every "
                            "branch.", len(going_live)).format(shown=len(soon), count=len(going_live),
                                                                days=staffing.GOING_LIVE_DAYS))
        st.plotly_chart(fill_heatmap(cached(staffing.fill_matrix, as_of), list(soon["branch_code"]),
                                     dict(zip(soon["branch_code"], soon["gap_fte"], strict=True))),
                        width="stretch", key="staff_fill_heatmap")
    st.markdown(_("**Gaps** (required minus active assigned fte, where positive; click a header to sort)"))
    table(by_region(cached(staffing.gaps, as_of), regions), key="staff_gaps", file_name=f"staffing_gaps_{as_of}")
    st.markdown("**" + _("Branches") + "**")
    table(branches[["branch_code", "branch_name", "region_code", "fill_rate", "required_fte", "gap_fte",
                    "over_allocated_people", "modules", "uncovered_modules", "spof_modules", "staffing_status"]],
          key="staff_branches", file_name=f"staffing_branches_{as_of}",
          column_config={"fill_rate": st.column_config.NumberColumn(format="%.1f")})


def key_users() -> None:
    """Key-user coverage per branch and module, the norms, assessments."""
    matrix = by_region(cached(staffing.coverage_matrix, as_of), regions)
    chart, norms = st.columns([3, 2])
    with chart:
        if len(set(matrix["branch_code"])) > HEATMAP_ROWS:
            st.caption(_("The matrix shows the {shown} branches going live soonest; the table below holds all.").format(
                shown=HEATMAP_ROWS))
        st.plotly_chart(coverage_heatmap(matrix), width="stretch", key="staff_coverage_heatmap")
    with norms:
        st.markdown("**" + _("Reference norms") + "**")
        st.caption(norms_caption())
        table(by_region(cached(staffing.key_user_norms, as_of), regions), key="staff_norms",
              file_name=f"key_user_norms_{as_of}")
    st.markdown(_("**Coverage per branch and module** (branches going live soonest first)"))
    table(matrix, key="staff_coverage", file_name=f"key_user_coverage_{as_of}")
    st.markdown("**" + _("Assessment status per key user") + "**")
    table(by_region(cached(staffing.key_user_assessment, as_of), regions), key="staff_assessment",
          file_name=f"key_user_assessment_{as_of}")


def stretched() -> None:
    """Over-allocated people and recent departures."""
    over_people = by_region(cached(staffing.over_allocated, as_of), regions)
    over_rows = cached(staffing.over_allocated_assignments, as_of)
    st.markdown(_("**Over-allocated people** ({count}): more than 1.0 fte in total, with every active "
                  "assignment").format(count=len(over_people)))
    table(over_rows[over_rows["person_code"].isin(over_people["person_code"])], key="staff_over",
          file_name=f"over_allocated_{as_of}")
    st.markdown(_("**Departures in the last {days} days** and what they leave").format(
        days=staffing.DEPARTURE_WINDOW_DAYS))
    table(by_region(cached(staffing.departures, as_of), regions), key="staff_departures",
          file_name=f"departures_{as_of}")


people = cached(staffing.people)
active = by_region(cached(staffing.active_people, as_of), regions)
labels = dict(zip(people["person_code"],  # name and branch_code are NOT NULL: plain string concatenation
                  people["person_code"] + " · " + people["name"] + " (" + people["branch_code"] + ")", strict=True))


def what_if() -> None:
    """A person leaving, recomputed; nothing saved."""
    st.caption(_("Choose a person: the figures are recomputed as if they left on the as-of date. Nothing is saved."))
    choice = st.selectbox(_("Person"), list(active["person_code"]), index=None, key="whatif_person",
                          format_func=lambda c: labels.get(c, c), placeholder=_("Choose an active person"))
    if choice:
        try:
            result = cached(staffing.what_if_leaves, choice, as_of)
        except RolloutError as exc:
            show_error(exc)
        else:
            st.text(staffing.what_if_text(result))
            left, right = st.columns(2)
            with left:
                st.markdown("**" + _("Modules left uncovered") + "**")
                table(pd.DataFrame(result["modules_uncovered"]), key="whatif_uncovered", file_name="whatif_uncovered")
            with right:
                st.markdown("**" + _("Modules becoming a single point of failure") + "**")
                table(pd.DataFrame(result["modules_single_point_of_failure"]), key="whatif_spof",
                      file_name="whatif_spof")
            st.markdown(_("**Branches whose figures change** (staffing status: {legend})").format(
                legend="; ".join(f"{k} = {staffing_status_text(k).lower()}" for k in STAFFING_STATUS_TEXT)))
            table(pd.DataFrame(result["branches_changed"]), key="whatif_branches", file_name="whatif_branches")


def saved(message: str) -> None:
    flash("staffing", message)
    st.rerun()


def edit() -> None:
    """The staffing edits: assign a person, record a departure, a training result."""
    db = get_db()
    branch_codes = list(all_branches["branch_code"])
    person_codes = list(people["person_code"])
    assign, depart, train = st.columns(3)
    with assign, st.form("assign_form", clear_on_submit=False):
        st.markdown("**" + _("Assign a person") + "**")
        person = st.selectbox(_("Person"), person_codes, key="assign_person",
                              format_func=lambda c: labels.get(c, c))
        branch = st.selectbox(_("Branch"), branch_codes, key="assign_branch")
        role = st.selectbox(_("Role"), ROLES, key="assign_role")
        module = st.selectbox(_("Module"), ["", *MODULES], key="assign_module",
                              format_func=lambda m: m or no_module_text())
        fte = st.number_input(_("FTE (0 < fte ≤ 1)"), value=0.5, step=0.1, key="assign_fte")
        backup = st.checkbox(_("Backup"), key="assign_backup")
        start = st.date_input(_("Start"), value=None, key="assign_start")
        end = st.date_input(_("End (empty: open)"), value=None, key="assign_end")
        if st.form_submit_button(_("Assign"), key="assign_submit"):
            try:
                staffing.assign_person(db, person, branch, role, module, fte, is_backup=backup, start_date=start,
                                       end_date=end, caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                saved(_("Assigned {person} to {branch} as {role} ({module}).").format(
                    person=person, branch=branch, role=role, module=module) if module
                    else _("Assigned {person} to {branch} as {role}.").format(person=person, branch=branch,
                                                                              role=role))
    with depart, st.form("depart_form"):
        st.markdown("**" + _("Record a departure") + "**")
        leaver = st.selectbox(_("Person"), person_codes, key="depart_person",
                              format_func=lambda c: labels.get(c, c))
        left_on = st.date_input(_("Left on (not active from this day)"), value=as_of, key="depart_left_on")
        if st.form_submit_button(_("Record departure"), key="depart_submit"):
            shown = people[people["person_code"] == leaver]
            original = {"left_on": shown["left_on"].iloc[0]} if not shown.empty else None
            try:
                staffing.record_departure(db, leaver, left_on, original=original, caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                saved(_("Recorded that {person} left on {day}.").format(person=leaver, day=left_on))
    with train, st.form("train_form"):
        st.markdown("**" + _("Record a training result") + "**")
        trainee = st.selectbox(_("Person"), person_codes, key="train_person",
                               format_func=lambda c: labels.get(c, c))
        train_module = st.selectbox(_("Module"), MODULES, key="train_module")
        course = st.text_input(_("Course"), value="", key="train_course", placeholder=_("e.g. finance basics"))
        completed = st.date_input(_("Assessed on"), value=min(as_of, date.today()), key="train_completed_on")
        score = st.number_input(_("Score (0–100)"), value=None, step=1.0, key="train_score")
        if st.form_submit_button(_("Record result"), key="train_submit"):
            try:
                what = staffing.record_training(db, trainee, train_module, course or f"{train_module} basics",
                                                completed, score, caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                saved(_("Training result {result} for {person} ({module}).").format(result=what, person=trainee,
                                                                                    module=train_module))


tabs = {_("Fill & gaps"): fill, _("Key users"): key_users, _("Stretched & departed"): stretched,
        _("What if someone leaves"): what_if}
if editing:
    tabs[_("Edit")] = edit
lazy_tabs(tabs, key="staffing_tab")
