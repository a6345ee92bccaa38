"""Launch planning page: optimise the launch schedule (PLANNING.md), see it as a Gantt and a load
chart, compare it with the current plan, save scenarios, compare two, apply one (previewed, audited).

The plan's three tabs are drawn lazily (ui.widgets.lazy_tabs): at 2,000 branches only the open tab's
tables and charts reach the browser, and the difference from the current dates is computed only when asked."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _, format_number, ngettext
from rollout.metrics import readiness
from rollout.planning import planner, scenarios
from ui.auth import may_edit
from ui.figures import gantt_figure, load_figure
from ui.forecast import confidence_choice
from ui.router import ensure_routed
from ui.state import cached, caller, filters, flash, get_db, show_flash
from ui.widgets import lazy_tabs, plain, setting_input, show_error, table

ensure_routed()
GANTT_ROWS = 40  # a Gantt of more rows is taller than a screen can read; the table holds every branch
current = filters()
as_of = current.as_of
db = get_db()


def plan_figures(result: dict[str, Any]) -> None:
    """An optimised plan's headline: its status, weighted lateness, finish month and gap to the best bound."""
    objective = result["objective"]
    cols = st.columns(4)
    cols[0].metric(_("Status"), planner.status_word(result["status"]))
    cols[1].metric(_("Weighted lateness"), format_number(objective["weighted_lateness"]),
                   help=_("Sum of headcount × months late against the requested month"))
    cols[2].metric(_("Finish month"), objective["finish_month"] or "-")
    cols[3].metric(_("Optimality gap"), format_number(100 * (result["gap"] or 0), 2) + "%",
                   help=_("Relative gap to the best bound; 0 = optimal"))


def plan_tab(result: dict[str, Any], prep_months: int) -> None:
    """The plan: its conflicts when infeasible, else its figures, Gantt, consultant load and every branch."""
    if result["status"] == "infeasible":
        st.error(_("No plan satisfies every rule. The conflicting rules:"))
        table(pd.DataFrame({"conflict": result["conflicts"]}), key="plan_conflicts", file_name="plan_conflicts")
        return
    if result["status"] != "current":  # an optimised plan: its figures
        plan_figures(result)
    if not result["branches"]:
        st.info(_("No branch to plan: every branch is live."))
        return
    now = cached(readiness.branch_status, as_of)  # each bar coloured by the branch's status today
    statuses = dict(zip(now["branch_code"], now["status"].astype(str), strict=True))
    drawn = result
    if len(result["branches"]) > GANTT_ROWS:
        rows = int(st.number_input(_("Branches in the Gantt (earliest go-live first)"), min_value=1,
                                   max_value=len(result["branches"]), value=GANTT_ROWS, step=10,
                                   key="plan_gantt_rows"))
        drawn = scenarios.first_go_lives(result, rows)
        st.caption(_("The Gantt shows {shown} of the plan's {total} branches; the table below holds every "
                     "branch.").format(shown=format_number(len(drawn["branches"])),
                                       total=format_number(len(result["branches"]))))
    st.plotly_chart(gantt_figure(scenarios.plan_segments(drawn, prep_months), scenarios.plan_frame(drawn),
                                 statuses), width="stretch", key="plan_gantt")
    if result["load"]:
        st.plotly_chart(load_figure(result), width="stretch", key="plan_load")
    table(scenarios.plan_frame(result), key="plan_table", file_name="launch_plan")


def difference_tab(result: dict[str, Any]) -> None:
    """How the plan moves each branch's planned go-live: earlier, later, unchanged, branch by branch."""
    if not result["branches"]:
        st.info(_("No plan to compare."))
        return
    diff = scenarios.diff_from_current(db, result)
    moved = scenarios.moves(diff)
    cols = st.columns(3)
    cols[0].metric(_("Moved earlier"), format_number(moved["earlier"]))
    cols[1].metric(_("Moved later"), format_number(moved["later"]))
    cols[2].metric(_("Unchanged"), format_number(moved["unchanged"]))
    table(diff, key="plan_diff", file_name="plan_vs_current")


def scenario_tab(result: dict[str, Any]) -> None:
    """Save the plan shown under a name (editors, for a scenario of their scope, and administrators)."""
    if not may_edit("scenarios"):
        st.info(_("Only editors and administrators save scenarios."))
        return
    name = st.text_input(_("Scenario name"), key="plan_scenario_name")
    if st.button(_("Save this plan as a scenario"), key="plan_save"):
        try:
            scenarios.save_scenario(db, name, st.session_state.get("plan_params", {}), result, caller=caller())
            flash("planning", _("Scenario {name} saved.").format(name=name.strip()))
            st.rerun()
        except RolloutError as exc:
            show_error(exc)


def apply_section(names: list[str]) -> None:
    """Apply a saved scenario to the planned dates: previewed first, then written in one audited transaction."""
    st.subheader(_("Apply a scenario to the planned dates"))
    chosen = st.selectbox(_("Scenario to apply"), names, key="plan_apply_name")
    if st.button(_("Preview the changes"), key="plan_apply_preview"):
        try:
            st.session_state.plan_preview = (chosen, scenarios.apply_preview(db, chosen, as_of))
        except RolloutError as exc:
            show_error(exc)
    preview = st.session_state.get("plan_preview")
    if not preview or preview[0] != chosen:
        return
    changes = preview[1]
    if changes.empty:
        st.info(_("This scenario changes no planned date."))
        return
    st.markdown(plain(ngettext("{count} planned date would change (one transaction, every change audited):",
                               "{count} planned dates would change (one transaction, every change audited):",
                               len(changes)).format(count=format_number(len(changes)))))
    table(changes, key="plan_apply_changes", file_name="plan_apply_preview")
    if st.button(_("Apply these changes"), type="primary", key="plan_apply_confirm"):
        try:
            written = scenarios.apply_scenario(db, changes, caller=caller(), today=as_of)
            del st.session_state["plan_preview"]
            flash("planning", ngettext("Scenario {name} applied: {count} planned date changed.",
                                       "Scenario {name} applied: {count} planned dates changed.", written).format(
                name=chosen, count=format_number(written)))
            st.rerun()
        except RolloutError as exc:
            show_error(exc)


st.title(_("Launch planning"))
st.caption(plain(_("As of {day}: the optimiser picks each branch's go-live month, stage-2 month and kick-off under "
                   "the rules on the Methodology page (weighted lateness first, then the finish month).").format(
    day=as_of.isoformat())))
show_flash("planning")


stored = cached(planner.params_from)
saved = cached(scenarios.scenarios)
if "plan_result" not in st.session_state and len(saved):
    # The page opens on the current plan: the newest saved scenario (this session's last optimised plan,
    # once there is one, replaces it).
    st.session_state.plan_params, st.session_state.plan_result = cached(scenarios.load_scenario,
                                                                        str(saved["name"].iloc[0]))
    st.session_state.plan_shown_name = str(saved["name"].iloc[0])
shown_name = st.session_state.get("plan_shown_name")
if shown_name and "plan_result" in st.session_state:
    st.info(plain(_("Showing the saved scenario {name}. Optimise again below, or compare and apply scenarios "
                    "further down.").format(name=shown_name)), icon=":material/event_available:")

with st.expander(_("Optimise a new plan"), expanded="plan_result" not in st.session_state), \
        st.form("plan_form", border=True):
    st.markdown(_("**Parameters** (defaults from Settings)"))
    cols = st.columns(4)
    values = {}
    for n, key in enumerate(planner.PARAMETERS):
        with cols[n % 4]:
            values[key] = setting_input(key, getattr(stored, key), f"plan_{key}", bounded=True)
    pins_text = st.text_area(_("Pins: one per line, CODE=YYYY-MM-01 (the stage-1 go-live of that branch)"),
                             key="plan_pins", height=80)
    ignore = st.checkbox(_("Ignore the readiness forecast (rule 6)"), key="plan_ignore_forecast")
    confidence = confidence_choice("plan_confidence")
    run = st.form_submit_button(_("Optimise the plan"), type="primary", key="plan_run")

if run:
    pins = tuple(line.strip() for line in pins_text.splitlines() if line.strip())
    refused: RolloutError | None = None
    with st.status(_("Optimising the launch plan…"), expanded=False) as status:
        st.write(_("Solving with a time limit of {seconds} s").format(
            seconds=format_number(values["solve_time_limit_s"], 1, trim=True)))
        try:
            result = planner.plan_json(db, as_of, overrides=values, pins=list(pins), ignore_forecast=ignore,
                                       confidence=confidence)
            st.session_state.plan_result = result
            st.session_state.pop("plan_shown_name", None)
            st.session_state.plan_params = {**values, "pins": list(pins), "ignore_forecast": ignore,
                                            "confidence": confidence}
            status.update(label=_("Plan: {status}").format(status=planner.status_word(result["status"])),
                          state="complete" if result["status"] != "infeasible" else "error")
        except RolloutError as exc:
            status.update(label=_("Refused"), state="error")
            refused = exc
    if refused is not None:  # the reasons in the open page, not inside the collapsed progress box
        show_error(refused)

result = st.session_state.get("plan_result")
if result is None:  # nothing optimised or saved yet: the plan in force, drawn the same way
    result = cached(scenarios.current_plan, as_of)
    st.info(_("No plan has been optimised or saved yet: these are the current planned dates. Optimise a new plan "
              "above to improve them."), icon=":material/event_note:")
if result:
    prep = int(st.session_state.get("plan_params", {}).get("prep_months", stored.prep_months))
    lazy_tabs({_("Plan"): partial(plan_tab, result, prep),
               _("Difference from the current plan"): partial(difference_tab, result),
               _("Scenarios"): partial(scenario_tab, result)}, key="planning_tab")

if len(saved):
    st.subheader(_("Saved scenarios"))
    # "name" is labelled as a person's name elsewhere: here it is the scenario's
    table(saved.drop(columns=["params"]).assign(status=saved["status"].map(planner.status_word))
          .rename(columns={"name": "scenario"}), key="plan_scenarios", file_name="plan_scenarios")
    names = list(saved["name"])
    cols = st.columns(2)
    first = cols[0].selectbox(_("Compare scenario"), names, key="plan_compare_a")
    second = cols[1].selectbox(_("with scenario"), names, index=min(1, len(names) - 1), key="plan_compare_b")
    if first and second:
        table(cached(scenarios.compare_headline, first, second), key="plan_compare_headline",
              file_name="scenario_headline")
        table(cached(scenarios.compare_scenarios, first, second), key="plan_compare",
              file_name="scenario_comparison")
    if may_edit("plans"):  # editors (the dates of their scope) and administrators
        apply_section(names)
