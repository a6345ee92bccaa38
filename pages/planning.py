"""Launch planning page: optimise the launch schedule (PLANNING.md), see it as a Gantt and a load
chart, compare it with the current plan, save scenarios, compare two, apply one (previewed, audited)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.metrics import readiness
from rollout.planning import planner, scenarios
from ui.auth import may_edit
from ui.figures import gantt_figure, load_figure
from ui.forecast import confidence_choice
from ui.router import ensure_routed
from ui.state import cached, caller, filters, flash, get_db, show_flash
from ui.widgets import plain, setting_input, show_error, table

ensure_routed()
GANTT_ROWS = 40  # a Gantt of more rows is taller than a screen can read; the table holds every branch
current = filters()
as_of = current.as_of
db = get_db()

st.title("Launch planning")
st.caption(plain(f"As of {as_of.isoformat()}: the optimiser picks each branch's go-live month, stage-2 month and "
                 "kick-off under the rules on the Methodology page (weighted lateness first, then the finish month)."))
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
    st.markdown("**Parameters** (defaults from Settings)")
    cols = st.columns(4)
    values = {}
    for n, key in enumerate(planner.PARAMETERS):
        with cols[n % 4]:
            values[key] = setting_input(key, getattr(stored, key), f"plan_{key}", bounded=True)
    pins_text = st.text_area("Pins: one per line, CODE=YYYY-MM-01 (the stage-1 go-live of that branch)",
                             key="plan_pins", height=80)
    ignore = st.checkbox("Ignore the readiness forecast (rule 6)", key="plan_ignore_forecast")
    confidence = confidence_choice("plan_confidence")
    run = st.form_submit_button("Optimise the plan", type="primary", key="plan_run")

if run:
    pins = tuple(line.strip() for line in pins_text.splitlines() if line.strip())
    with st.status("Optimising the launch plan…", expanded=False) as status:
        st.write(f"Solving with a time limit of {values['solve_time_limit_s']:g} s")
        try:
            result = planner.plan_json(db, as_of, overrides=values, pins=list(pins), ignore_forecast=ignore,
                                       confidence=confidence)
            st.session_state.plan_result = result
            st.session_state.pop("plan_shown_name", None)
            st.session_state.plan_params = {**values, "pins": list(pins), "ignore_forecast": ignore,
                                            "confidence": confidence}
            status.update(label=f"Plan {result['status']}", state="complete" if result["status"] != "infeasible"
                          else "error")
        except RolloutError as exc:
            status.update(label="Refused", state="error")
            show_error(exc)

result = st.session_state.get("plan_result")
if result is None:  # nothing optimised or saved yet: the plan in force, drawn the same way
    result = cached(scenarios.current_plan, as_of)
    st.info(_("No plan has been optimised or saved yet: these are the current planned dates. Optimise a new plan "
              "above to improve them."), icon=":material/event_note:")
if result:
    plan_tab, diff_tab, scen_tab = st.tabs(["Plan", "Difference from the current plan", "Scenarios"])
    with plan_tab:
        if result["status"] == "infeasible":
            st.error("No plan satisfies every rule. The conflicting rules:")
            table(pd.DataFrame({"conflict": result["conflicts"]}), key="plan_conflicts", file_name="plan_conflicts")
        else:
            if result["status"] != "current":  # an optimised plan: its figures
                cols = st.columns(4)
                cols[0].metric("Status", result["status"])
                cols[1].metric("Weighted lateness", result["objective"]["weighted_lateness"],
                               help="Sum of headcount × months late against the requested month")
                cols[2].metric("Finish month", result["objective"]["finish_month"] or "-")
                cols[3].metric("Gap", f"{(result['gap'] or 0):.2%}",
                               help="Relative gap to the best bound; 0 = optimal")
            if result["branches"]:
                prep = int(st.session_state.get("plan_params", {}).get("prep_months", stored.prep_months))
                now = cached(readiness.branch_status, as_of)  # each bar coloured by the branch's status today
                statuses = dict(zip(now["branch_code"], now["status"].astype(str), strict=True))
                drawn = result
                if len(result["branches"]) > GANTT_ROWS:
                    rows = int(st.number_input(_("Branches in the Gantt (earliest go-live first)"), min_value=1,
                                               max_value=len(result["branches"]), value=GANTT_ROWS, step=10,
                                               key="plan_gantt_rows"))
                    drawn = scenarios.first_go_lives(result, rows)
                    st.caption(_("The Gantt shows {shown} of the plan's {total} branches; the table below holds "
                                 "every branch.").format(shown=len(drawn["branches"]), total=len(result["branches"])))
                st.plotly_chart(gantt_figure(scenarios.plan_segments(drawn, prep), scenarios.plan_frame(drawn),
                                             statuses), width="stretch", key="plan_gantt")
                if result["load"]:
                    st.plotly_chart(load_figure(result), width="stretch", key="plan_load")
                table(scenarios.plan_frame(result), key="plan_table", file_name="launch_plan")
            else:
                st.info("No branch to plan: every branch is live.")
    with diff_tab:
        if result["branches"]:
            diff = scenarios.diff_from_current(db, result)
            moved = scenarios.moves(diff)
            cols = st.columns(3)
            cols[0].metric("Moved earlier", moved["earlier"])
            cols[1].metric("Moved later", moved["later"])
            cols[2].metric("Unchanged", moved["unchanged"])
            table(diff, key="plan_diff", file_name="plan_vs_current")
        else:
            st.info("No plan to compare.")
    with scen_tab:
        if may_edit("scenarios"):  # editors (a scenario of their scope) and administrators
            name = st.text_input("Scenario name", key="plan_scenario_name")
            if st.button("Save this plan as a scenario", key="plan_save"):
                try:
                    scenarios.save_scenario(db, name, st.session_state.get("plan_params", {}), result,
                                            caller=caller())
                    flash("planning", f"Scenario {name.strip()} saved.")
                    st.rerun()
                except RolloutError as exc:
                    show_error(exc)

if len(saved):
    st.subheader("Saved scenarios")
    table(saved.drop(columns=["params"]), key="plan_scenarios", file_name="plan_scenarios")
    names = list(saved["name"])
    cols = st.columns(2)
    first = cols[0].selectbox("Compare", names, key="plan_compare_a")
    second = cols[1].selectbox("with", names, index=min(1, len(names) - 1), key="plan_compare_b")
    if first and second:
        table(cached(scenarios.compare_headline, first, second), key="plan_compare_headline",
              file_name="scenario_headline")
        table(cached(scenarios.compare_scenarios, first, second), key="plan_compare",
              file_name="scenario_comparison")
    if may_edit("plans"):  # editors (the dates of their scope) and administrators
        st.subheader("Apply a scenario to the planned dates")
        chosen = st.selectbox("Scenario to apply", names, key="plan_apply_name")
        if st.button("Preview the changes", key="plan_apply_preview"):
            try:
                st.session_state.plan_preview = (chosen, scenarios.apply_preview(db, chosen, as_of))
            except RolloutError as exc:
                show_error(exc)
        preview = st.session_state.get("plan_preview")
        if preview and preview[0] == chosen:
            changes = preview[1]
            if changes.empty:
                st.info("This scenario changes no planned date.")
            else:
                st.markdown(plain(f"{len(changes)} planned dates would change (one transaction, every change "
                                  "audited):"))
                table(changes, key="plan_apply_changes", file_name="plan_apply_preview")
                if st.button("Apply these changes", type="primary", key="plan_apply_confirm"):
                    try:
                        written = scenarios.apply_scenario(db, changes, caller=caller(), today=as_of)
                        del st.session_state["plan_preview"]
                        flash("planning", f"Scenario {chosen} applied: {written} planned dates changed.")
                        st.rerun()
                    except RolloutError as exc:
                        show_error(exc)
