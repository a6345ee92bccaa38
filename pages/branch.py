"""Branch: how ready one branch is and why, what it must still do (owner, deadline), its plan."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _, ngettext
from rollout.core.labels import stage_label
from rollout.exchange.spec import CHECKLIST_STATUSES, DIMENSIONS
from rollout.metrics import readiness
from ui import forecast as forecast_ui
from ui.auth import may_edit
from ui.figures import dimension_bars, master_data_figure, trend_figure
from ui.formats import count_text, day_text, go_live_tile, percent, readiness_text, status_label
from ui.router import ensure_routed
from ui.sections import engagement as engagement_section
from ui.sections import golive as golive_section
from ui.sections import raid as raid_section
from ui.sections import staffing as staffing_section
from ui.state import cached, caller, filters, flash, get_db, show_flash
from ui.widgets import code_and_name, echoed, header_config, plain, show_error, table

ensure_routed()
current = filters()
as_of = current.as_of

status = cached(readiness.branch_status, as_of)
codes = list(status["branch_code"])
names = dict(zip(status["branch_code"], status["branch_name"], strict=True))
named = code_and_name(names)

st.title(_("Branch"))
if not codes:
    st.info(_("There are no branches yet. Load a workbook on the Data page."))
    st.stop()

# The chosen branch lives in the URL (?branch=CODE) so the link can be shared.
wanted = st.query_params.get("branch")
if wanted in names and st.session_state.get("_branch_from_url") != wanted:
    st.session_state["branch_select"] = wanted
    st.session_state["_branch_from_url"] = wanted
elif wanted and wanted not in names:
    st.warning(plain(_("There is no branch {branch}; showing another one.").format(branch=echoed(wanted))))
code = st.selectbox(_("Branch"), codes, key="branch_select", format_func=named)
st.query_params["branch"] = code
st.session_state["_branch_from_url"] = code

row = status[status["branch_code"] == code].iloc[0]
GO_LIVE_TILE_WIDTHS = [1, 1, 1, 1.4, 1.4, 1]  # the two tiles holding a date get the room a YYYY-MM-DD needs
show_flash("branch")

# --- header ---------------------------------------------------------------------------------------
st.header(plain(f"{code} · {row['branch_name']}"), anchor=False)
facts = [_("Region {region}").format(region=row["region_code"]), _("wave {wave}").format(wave=count_text(row["wave"])),
         _("planned kick-off {day}").format(day=day_text(row["planned_kickoff"])),
         _("planned go-live {day}").format(day=day_text(row["planned_go_live"]))]
if row["status"] == "live":
    facts.append(_("live since {day}").format(day=day_text(row["actual_go_live"])))
facts += [_("stage: {stage}").format(stage=stage_label(row["stage"])), _("as of {day}").format(day=as_of.isoformat())]
st.caption(plain(" · ".join(facts)))
cols = st.columns(GO_LIVE_TILE_WIDTHS)
cols[0].metric(_("Status"), status_label(row["status"]))
cols[1].metric(_("Checklist readiness"), readiness_text(row["checklist_readiness"]))
cols[2].metric(_("Data readiness"), percent(row["data_readiness"], _("no data")))
day, words = go_live_tile(row)
cols[3].metric(_("Go-live"), day, words or None, delta_color="off", delta_arrow="off")
cols[4].metric(_("Forecast ready"), _("stalled") if row["stalled"] else day_text(row["forecast_ready_on"]))
cols[5].metric(_("Slip (days)"), count_text(row["slip_days"]))
st.markdown("**" + _("Why this status") + "**")
for reason in row["reasons"]:
    st.text(f"• {reason}")  # reasons quote item titles (user text): plain text only
findings = raid_section.branch_findings(code, as_of)
if findings:
    st.markdown("**" + _("Findings") + "**")
    for finding in findings:
        st.text(f"• {finding}")

# --- readiness ------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.plotly_chart(dimension_bars(cached(readiness.readiness_by_dimension, as_of, code)), width="stretch",
                    key="branch_dimensions")
with right:
    st.plotly_chart(forecast_ui.add_fan(trend_figure(cached(readiness.readiness_trend, as_of, code), as_of,
                                                     row["checklist_readiness"], row["forecast_ready_on"],
                                                     row["planned_go_live"]),
                                        cached(readiness.forecast_fan, as_of, code)), width="stretch",
                    key="branch_trend")
    forecast_ui.branch_forecast(row, as_of)

left, right = st.columns(2)
with left:
    st.subheader(_("Overdue items"))
    late = cached(readiness.overdue_items, as_of, code)
    table(late[["item_code", "title", "dimension", "owner", "due_date", "days_late", "status", "gate"]],
          key="branch_overdue", file_name=f"overdue_{code}_{as_of.isoformat()}")
with right:
    st.subheader(_("Failing gates"))
    gates = cached(readiness.failing_gates, as_of, code)
    table(gates[["item_code", "title", "dimension", "owner", "due_date", "days_late", "status"]],
          key="branch_gates", file_name=f"failing_gates_{code}_{as_of.isoformat()}")

st.subheader(_("Master data"))
progress = cached(readiness.master_data_progress, code)
left, right = st.columns([2, 3])
with left:
    table(progress[["object", "records_expected", "records_loaded", "records_validated", "validated_pct"]],
          key="branch_master_data", file_name=f"master_data_{code}",
          column_config={"validated_pct": st.column_config.NumberColumn(format="%.1f")})
with right:
    st.plotly_chart(master_data_figure(progress), width="stretch", key="branch_master_data_chart")

st.subheader(_("Modules and phases"))
table(cached(readiness.modules, code, as_of), key="branch_modules", file_name=f"modules_{code}")

# --- the rollout office's records -----------------------------------------------------------------
st.subheader(_("RAID log and deviations"))
raid_section.branch_records(code, as_of)

# --- kick-off rules -------------------------------------------------------------------------------
st.subheader(_("Kick-off rules"))
flags = cached(readiness.kickoff_flags, code)
if row["status"] == "live":
    st.caption(_("The branch is live: the kick-off rules no longer apply."))
elif flags.empty:
    st.caption(_("No kick-off rule is broken (not on a weekend, not in the peak months, no template kick-off item "
                 "missing)."))
else:
    st.warning(ngettext("{count} kick-off rule finding.", "{count} kick-off rule findings.", len(flags)).format(
        count=len(flags)), icon=":material/event_busy:")
    table(flags, key="branch_kickoff_flags", file_name=f"kickoff_flags_{code}")

# --- the plan: edit -------------------------------------------------------------------------------
if may_edit("checklist", row["region_code"]):  # editors of this branch's region and admins
    st.subheader(_("Checklist (edit the plan)"))
    st.caption(_("Change status, owner, dates, weight or gate, or add rows at the bottom (a new item gets the next "
                 "free code). Every change is checked like an imported row; one bad row refuses the whole save."))
    snapshot = st.session_state.get("checklist_shown")
    if not snapshot or snapshot.get("branch") != code:
        # the plan as shown: saved edits are checked against it (someone else's change is not overwritten)
        snapshot = {"branch": code, "frame": cached(readiness.checklist, code)}
        st.session_state["checklist_shown"] = snapshot
        st.session_state.pop("checklist_editor", None)
    shown_plan: pd.DataFrame = snapshot["frame"]
    edited = st.data_editor(
        shown_plan.drop(columns=["branch_code"]), key="checklist_editor", num_rows="add", hide_index=True,
        disabled=["item_code"], width="stretch",
        column_config=header_config(shown_plan.drop(columns=["branch_code"]), {
            "dimension": st.column_config.SelectboxColumn(options=list(DIMENSIONS), required=True),
            "title": st.column_config.TextColumn(required=True),
            "status": st.column_config.SelectboxColumn(options=list(CHECKLIST_STATUSES), required=True),
            "due_date": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "completed_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "weight": st.column_config.NumberColumn(min_value=0.0, step=0.5),
            "gate": st.column_config.CheckboxColumn(),
        }))
    save, reload = st.columns([1, 5])
    if save.button(_("Save changes"), key="checklist_save", type="primary"):
        try:
            result = readiness.save_checklist_changes(get_db(), code, edited, shown_plan, today=date.today(),
                                                      caller=caller())
        except RolloutError as exc:
            show_error(exc)
        else:
            flash("branch", _("Saved: {changed} item(s) changed, {added} added.").format(changed=result["updated"],
                                                                                         added=result["added"]))
            st.session_state.pop("checklist_shown", None)
            st.rerun()
    if reload.button(_("Reload the plan"), key="checklist_reload"):
        st.session_state.pop("checklist_shown", None)
        st.rerun()

    # --- the plan: from a template --------------------------------------------------------------------
    with st.expander(_("Create plan items from a template")):
        pilot = cached(readiness.pilot_code)
        sources = [c for c in codes if c != code]
        if not sources:
            st.caption(_("No other branch to copy from."))
        else:
            default = sources.index(pilot) if pilot in sources else 0
            source = st.selectbox(_("Copy the checklist of"), sources, index=default, key="template_source",
                                  format_func=lambda c: _("{branch} (pilot)").format(branch=named(c)) if c == pilot
                                  else named(c))
            st.caption(_("Due dates keep their distance before go-live; status open, no owner; item codes this branch "
                         "already has are skipped (nothing is overwritten)."))
            try:
                preview = cached(readiness.plan_from_template, code, source, write=False, caller=None)
            except RolloutError as exc:
                st.info(plain(str(exc)))
                preview = None
            if preview is not None:
                if preview.empty:
                    st.caption(_("Nothing to add: this branch already has every item of the template."))
                else:
                    table(preview.drop(columns=["branch_code"]), key="template_preview",
                          file_name=f"plan_preview_{code}_from_{source}")
                    if st.button(ngettext("Add this {count} item", "Add these {count} items", len(preview)).format(
                            count=len(preview)), key="template_write"):
                        try:
                            added = readiness.plan_from_template(get_db(), code, source, write=True, today=date.today(),
                                                                 caller=caller())
                        except RolloutError as exc:
                            show_error(exc)
                        else:
                            flash("branch", ngettext("Added {count} item from {branch}'s checklist.",
                                                     "Added {count} items from {branch}'s checklist.",
                                                     len(added)).format(count=len(added), branch=source))
                            st.session_state.pop("checklist_shown", None)
                            st.rerun()


# --- the branch's staffing and its head's engagement ----------------------------------------------
staffing_section.branch_section(code, as_of)
engagement_section.branch_section(code, as_of)

# --- from kick-off to acceptance: the kick-off, consultant man-days, life after go-live -----------
golive_section.kickoff_section(code, as_of)
golive_section.man_days_section(code, as_of)
golive_section.since_go_live_section(code, as_of)
