"""From kick-off to acceptance sections: the Branch page's kick-off, man-days and since-go-live sections
and the Portfolio page's live-branch view, each drawn by one function, with their forms.

Figures come from ui.figures (man_days_forecast_figure, same_day_entry_figure); forms hand what the user
typed to rollout.metrics.kickoff / after_go_live / lessons, which check it by the importer's rules and
audit it. Widgets of a branch's forms carry the branch code in their key, so switching branches refills them.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.values import as_date, is_missing
from rollout.metrics import after_go_live, kickoff, lessons, man_days
from rollout.store.settings import get_settings
from ui.auth import may_edit
from ui.figures import man_days_forecast_figure, same_day_entry_figure
from ui.formats import day_text, percent
from ui.state import by_region, cached, caller, flash, get_db, show_flash
from ui.widgets import plain, show_error, table

LIVE_COLUMNS = {"branch_code": "branch", "branch_name": "name", "region_code": "region", "action": "next action",
                "days_live": "days live", "same_day_entry_rate": "same-day entry %",
                "problems_past_limit": "problems past limit", "ready_for_acceptance": "ready for acceptance",
                "acceptance_overdue": "acceptance overdue", "accepted_on": "accepted on", "payment_due": "payment due",
                "payment_overdue": "payment overdue"}


def _saved(section: str, message: str) -> None:
    """Keep the result for the section's next run (ui.state's flash messages) and run the page again."""
    flash(f"golive_{section}", message)
    st.rerun()


def _number(value: Any, missing: str = "—") -> str:
    return missing if is_missing(value) else f"{float(value):.1f}"


# --- kick-off ----------------------------------------------------------------------------------------

def kickoff_section(branch_code: str, as_of: date) -> None:
    """The branch's kick-off record with its findings as of D, planning a kick-off inside the rules,
    and the form that records the meeting."""
    st.subheader("Kick-off meeting")
    show_flash("golive_kickoff")
    findings = cached(kickoff.kickoff_findings, as_of)
    found = findings[findings["branch_code"] == branch_code]
    words = found["findings"].iloc[0] if len(found) else []
    record = cached(kickoff.kickoff_record, branch_code)
    if record is None:
        st.info("No kick-off meeting is recorded for this branch." + (" Its planned kick-off has passed: not held."
                                                                      if "not held" in words else ""))
    else:
        held = as_date(record["held_on"])
        flags = [("steering committee named", record["steering_committee_named"]),
                 ("rewards and penalties announced", record["rewards_announced"]), ("Q&A held", record["qa_held"])]
        st.text(f"Held on {held.isoformat()} ({held.strftime('%A')})"
                + (f" at {record['start_time']}" if record["start_time"] else "")
                + (f" for {int(record['duration_min'])} minutes" if not is_missing(record["duration_min"]) else "")
                + (f", chaired by {record['chair']}" if record["chair"] else "")
                + (f", {int(record['attendees'])} attending" if not is_missing(record["attendees"]) else ""))
        st.text(" · ".join(f"{name}: {'yes' if value else 'no' if value is False else 'not recorded'}"
                           for name, value in flags))
        st.text(f"Minutes signed on {day_text(record['minutes_signed_on'])} · signed minutes: "
                f"{record['minutes_ref'] or 'no file or link recorded'}")
        if held > as_of:
            st.caption(f"Held after {as_of.isoformat()}: on the as-of date it had not happened yet.")
    if words:
        st.warning(plain("Kick-off findings: " + ", ".join(words) + "."), icon=":material/event_busy:")
    elif record is not None and as_date(record["held_on"]) <= as_of:
        st.caption("Held by the rules: a working-day morning, outside the peak season, half a day at most, "
                   "steering committee and rewards announced, minutes signed in time.")
    _plan_kickoff(branch_code, as_of, expanded=record is None)
    _kickoff_form(branch_code, record)


def _plan_kickoff(branch_code: str, as_of: date, expanded: bool) -> None:
    settings = cached(get_settings)
    plan = cached(kickoff.kickoff_plan, branch_code)
    planned, peak_months = plan["planned_kickoff"], plan["peak_months"]
    with st.expander("Plan the kick-off", expanded=expanded):
        left, middle, right = st.columns(3)
        day = left.date_input("Date", value=planned or as_of, key=f"golive_plan_day_{branch_code}")
        start = middle.time_input("Start", value=time(9, 0), key=f"golive_plan_time_{branch_code}")
        minutes = right.number_input("Duration (minutes)", min_value=15, max_value=1440, value=180, step=15,
                                     key=f"golive_plan_minutes_{branch_code}")
        warnings = kickoff.plan_findings(day, start, int(minutes), peak_months, settings)
        advice = {"weekend": f"{day.strftime('%A')}: hold it on a working day",
                  "afternoon": "an afternoon start: hold it in the morning",
                  "peak month": f"in the branch's peak season (months {peak_months})",
                  "longer than half a day": f"longer than half a day ({settings['kickoff_max_minutes']:g} minutes)"}
        for word in warnings:
            st.warning(plain(advice[word]), icon=":material/warning:")
        if not warnings:
            st.caption(plain(f"{day.isoformat()} at {start.strftime('%H:%M')} is inside the rules."))
        st.markdown("**What a kick-off needs**\n\n" + "\n".join(f"- {item}" for item in kickoff.PREPARATION))
        items = cached(kickoff.kickoff_items, branch_code, as_of)
        if items.empty:
            st.caption("This branch's plan has no kick-off items yet (copy them from another branch's plan with "
                       "'Create plan items from a template').")
        else:
            table(items, key=f"golive_kickoff_items_{branch_code}", file_name=f"kickoff_items_{branch_code}")
        if may_edit("kickoffs") and st.button("Set as the planned kick-off", key=f"golive_plan_save_{branch_code}",
                     disabled=day == planned):
            try:
                kickoff.set_planned_kickoff(get_db(), branch_code, day, original=planned, today=date.today(),
                                            caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("kickoff", f"Planned kick-off of {branch_code} set to {day.isoformat()}.")


def _whole(value: Any) -> int | None:
    """A stored whole number for a number input (None leaves it empty)."""
    return None if is_missing(value) else int(value)


def _time_value(text: Any) -> time | None:
    if not isinstance(text, str) or not text:
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _kickoff_form(branch_code: str, record: dict[str, Any] | None) -> None:
    if not may_edit("kickoffs"):  # no form for a viewer (the library refuses their writes)
        return
    shown = record or {}
    key = f"golive_kickoff_{{}}_{branch_code}".format
    title = "Record the kick-off meeting" if record is None else "Correct the kick-off record"
    with st.expander(title, expanded=record is None), st.form(key("form")):
        a, b, c = st.columns(3)
        held_on = a.date_input("Held on", value=as_date(shown.get("held_on")) or date.today(), key=key("held_on"))
        start = b.time_input("Start", value=_time_value(shown.get("start_time")) or time(9, 0), key=key("start"))
        minutes = c.number_input("Duration (minutes)", min_value=1, max_value=1440, step=15,
                                 value=_whole(shown.get("duration_min")), key=key("minutes"))
        a, b = st.columns(2)
        chair = a.text_input("Chair", value=shown.get("chair") or "", key=key("chair"))
        attendees = b.number_input("Attendees", min_value=0, step=1, value=_whole(shown.get("attendees")),
                                   key=key("attendees"))
        a, b, c = st.columns(3)
        committee = a.checkbox("Steering committee named", value=bool(shown.get("steering_committee_named")),
                               key=key("committee"))
        rewards = b.checkbox("Rewards and penalties announced", value=bool(shown.get("rewards_announced")),
                             key=key("rewards"))
        qa = c.checkbox("Q&A held", value=bool(shown.get("qa_held")), key=key("qa"))
        a, b = st.columns(2)
        signed = a.date_input("Minutes signed on (empty: not yet)", value=as_date(shown.get("minutes_signed_on")),
                              key=key("signed"))
        ref = b.text_input("Signed minutes (file name or link)", value=shown.get("minutes_ref") or "", key=key("ref"))
        if st.form_submit_button("Save the kick-off", key=key("submit")):
            try:
                kickoff.record_kickoff(get_db(), {
                    "branch_code": branch_code, "held_on": held_on, "start_time": start, "duration_min": minutes,
                    "chair": chair, "attendees": attendees, "steering_committee_named": committee,
                    "rewards_announced": rewards, "qa_held": qa, "minutes_signed_on": signed, "minutes_ref": ref},
                    original=record, today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("kickoff", f"Kick-off of {branch_code} on {held_on.isoformat()} saved.")


# --- consultant man-days -----------------------------------------------------------------------------

def man_days_section(branch_code: str, as_of: date) -> None:
    """Man-days used per phase, the burn rate and the forecast at go-live against the budget."""
    st.subheader("Consultant man-days")
    figures = cached(man_days.man_days_forecast, as_of)
    found = figures[figures["branch_code"] == branch_code]
    if found.empty:
        return
    row = found.iloc[0].to_dict()
    cols = st.columns(5)
    cols[0].metric("Man-days used", _number(row["man_days_used"]))
    cols[1].metric("Budget", _number(row["budget"]))
    cols[2].metric("Burn rate (per week)", _number(row["burn_rate"]), help="Logged days of the last 28 days ÷ 4")
    cols[3].metric("Forecast at go-live", _number(row["forecast_at_go_live"]),
                   help="Used + burn rate × the days to the planned go-live ÷ 7")
    overrun = row["overrun"]
    cols[4].metric("Forecast overrun", _number(overrun),
                   help="Forecast at go-live − budget, 0 within budget; none without a budget, a burn rate or a "
                        "planned date, or once live")
    if not row["logged"]:
        st.caption("This branch does not log its consultant days (consultant_days sheet): man-days used is the "
                   "branches sheet's figure, without dates, phases or a burn rate.")
        return
    if not is_missing(overrun) and overrun > 0:
        st.warning(plain(f"At this pace the branch needs {overrun:.1f} man-days more than its budget by go-live."),
                   icon=":material/trending_up:")
    left, right = st.columns([2, 3])
    with left:
        phases = cached(man_days.man_days_by_phase, as_of, branch_code)
        table(phases[["phase", "man_days_used"]].round(1), key=f"golive_man_days_phases_{branch_code}",
              file_name=f"man_days_by_phase_{branch_code}_{as_of.isoformat()}")
    with right:
        st.plotly_chart(man_days_forecast_figure(cached(man_days.man_days_over_time, as_of, branch_code), row, as_of),
                        width="stretch", key=f"golive_man_days_chart_{branch_code}")


# --- since go-live ------------------------------------------------------------------------------------

def since_go_live_section(branch_code: str, as_of: date) -> None:
    """For a branch live on D: same-day entry over time, open problems against their limits,
    acceptance and payment, and the forms that log a day's entries, close a problem, accept."""
    settings = cached(get_settings)
    live = cached(after_go_live.live_branches, as_of)
    found = live[live["branch_code"] == branch_code]
    if found.empty:
        return
    row = found.iloc[0].to_dict()
    st.subheader("Since go-live")
    show_flash("golive_since")
    st.caption(plain(f"Live since {day_text(row['actual_go_live'])} ({int(row['days_live'])} days). "
                     f"Next: {row['action']}."))
    cols = st.columns(5)
    cols[0].metric("Same-day entry (30 days)", percent(row["same_day_entry_rate"], "no entries"),
                   help=f"Target {settings['same_day_entry_target']:g}% for acceptance")
    cols[1].metric("Problems past limit", int(row["problems_past_limit"]),
                   help=f"{int(row['blocking_past_limit'])} of them critical or high (these block acceptance)")
    cols[2].metric("Ready for acceptance", "yes" if row["ready_for_acceptance"] else "no",
                   help=f"Ready on {int(row['ready_days'])} of the last "
                        f"{int(settings['acceptance_overdue_days'])} days")
    cols[3].metric("Acceptance", "accepted" if row["accepted"] else "overdue" if row["acceptance_overdue"]
                   else "not yet")
    cols[4].metric("Payment", "received" if row["paid"] else "overdue" if row["payment_overdue"]
                   else "due" if not is_missing(row["payment_due"]) else "—")
    st.caption(plain(_acceptance_words(row)))
    trend = cached(after_go_live.same_day_entry_trend, as_of, branch_code)
    st.plotly_chart(same_day_entry_figure(trend, float(settings["same_day_entry_target"])), width="stretch",
                    key=f"golive_entry_chart_{branch_code}")
    left, right = st.columns([2, 3])
    with left:
        table(cached(after_go_live.problems_by_severity, as_of, branch_code),
              key=f"golive_problem_limits_{branch_code}", file_name=f"problems_by_severity_{branch_code}")
    with right:
        problems = cached(after_go_live.problems_against_limits, as_of, branch_code=branch_code)
        table(problems[["problem_code", "severity", "title", "owner", "opened_on", "age_days", "limit_days", "due_by",
                        "past_limit"]], key=f"golive_open_problems_{branch_code}",
              file_name=f"open_problems_{branch_code}_{as_of.isoformat()}")
    a, b, c = st.columns(3)
    with a:
        _entries_form(branch_code, as_of)
    with b:
        _close_form(branch_code, problems)
    with c:
        _acceptance_form(branch_code)


def _acceptance_words(row: dict[str, Any]) -> str:
    """'Accepted on 2026-11-22 · payment due 2026-12-22, not received yet' and the like."""
    accepted = f"Accepted on {day_text(row['accepted_on'])}" if row["accepted"] else "Not accepted yet"
    if is_missing(row["payment_due"]) and not row["paid"]:
        return f"{accepted} · no payment due date recorded"
    payment = f"payment due {day_text(row['payment_due'])}"
    if row["paid"]:
        return f"{accepted} · {payment}, received on {day_text(row['payment_received_on'])}"
    if row["payment_overdue"]:
        return f"{accepted} · {payment}, not received: {int(row['payment_days_overdue'])} days overdue"
    return f"{accepted} · {payment}, not received yet"


def _entries_form(branch_code: str, as_of: date) -> None:
    if not may_edit("daily_entries"):  # no form for a viewer (the library refuses their writes)
        return
    key = f"golive_entries_{{}}_{branch_code}".format
    with st.form(key("form")):
        st.markdown("**Log a day's entries**")
        day = st.date_input("Date", value=min(as_of, date.today()), key=key("date"))
        documents = st.number_input("Documents of the day", min_value=0, step=1, value=0, key=key("documents"))
        same_day = st.number_input("Entered the same day", min_value=0, step=1, value=0, key=key("same_day"))
        if st.form_submit_button("Save the entries", key=key("submit")):
            try:
                after_go_live.record_daily_entries(get_db(), branch_code, day, int(documents), int(same_day),
                                                   today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("since", f"Entries of {branch_code} on {day.isoformat()} saved: {int(same_day)} of "
                                f"{int(documents)} entered the same day.")


def _close_form(branch_code: str, problems: pd.DataFrame) -> None:
    if not may_edit("problems"):  # no form for a viewer (the library refuses their writes)
        return
    key = f"golive_close_{{}}_{branch_code}".format
    with st.form(key("form")):
        st.markdown("**Close a problem**")
        labels = {r.problem_code: f"{r.problem_code} · {r.severity} · {r.title}" for r in problems.itertuples()}
        code = st.selectbox("Problem", list(labels), format_func=labels.get, key=key("problem"),
                            placeholder="No open problem")
        closed_on = st.date_input("Closed on", value=date.today(), key=key("on"))
        if st.form_submit_button("Close the problem", key=key("submit"), disabled=not labels) and code:
            shown = problems[problems["problem_code"] == code].iloc[0]
            try:
                lessons.close_problem(get_db(), code, closed_on, original={"opened_on": shown["opened_on"],
                                                                           "closed_on": shown["closed_on"]},
                                      today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("since", f"Problem {code} closed on {closed_on.isoformat()}.")


def _acceptance_form(branch_code: str) -> None:
    if not may_edit("acceptance"):  # no form for a viewer (the library refuses their writes)
        return
    record = cached(after_go_live.acceptance_record, branch_code)
    key = f"golive_accept_{{}}_{branch_code}".format
    with st.form(key("form")):
        st.markdown("**Record the acceptance and payment**")
        accepted_on = st.date_input("Accepted on (empty: not yet)", value=as_date(record["accepted_on"]),
                                    key=key("on"))
        due = st.date_input("Payment due", value=as_date(record["payment_due"]), key=key("due"))
        received = st.date_input("Payment received on", value=as_date(record["payment_received_on"]),
                                 key=key("received"))
        if st.form_submit_button("Save the acceptance", key=key("submit")):
            try:
                after_go_live.record_acceptance(get_db(), branch_code, accepted_on, due, received, original=record,
                                                today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("since", f"Acceptance of {branch_code} saved" + (f": accepted on {accepted_on.isoformat()}."
                                                                         if accepted_on else "."))


# --- the Portfolio's live branches ---------------------------------------------------------------------

def live_branches_section(as_of: date, regions: tuple[str, ...]) -> None:
    """The live branches at a glance, what each needs first, most urgent at the top."""
    st.subheader("After go-live")
    live = by_region(cached(after_go_live.live_branches, as_of), regions).reset_index(drop=True)
    if live.empty:
        st.caption(f"No branch is live on {as_of.isoformat()}.")
        return
    counts = after_go_live.live_counts(live)
    cols = st.columns(5)
    cols[0].metric("Same-day entry low", counts["same_day_entry_low"],
                   help="Live branches whose 30-day same-day entry rate is below the target (or not logged)")
    cols[1].metric("With problems past limit", counts["problems_past_limit"])
    cols[2].metric("Ready for acceptance", counts["ready_for_acceptance"])
    cols[3].metric("Acceptance overdue", counts["acceptance_overdue"])
    cols[4].metric("Payment overdue", counts["payment_overdue"])
    ready = live[live["ready_for_acceptance"]]
    window = int(cached(get_settings)["acceptance_overdue_days"])
    with st.container(key="live_ready_list"):
        st.markdown("**Ready for acceptance**")
        if ready.empty:
            st.text("none")
        for item in ready.itertuples():
            st.text(f"{item.branch_code} · {item.branch_name}: ready {item.ready_days} of the last {window} days"
                    + (" (overdue)" if item.acceptance_overdue else ""))
    st.caption("The live branches, most urgent first: acceptance overdue, payment overdue, critical or high problems "
               "past their limit, ready for acceptance, other problems past limit, same-day entry below target "
               "(see Methodology).")
    shown = live[list(LIVE_COLUMNS)].rename(columns=LIVE_COLUMNS)
    table(shown, key="live_branches_table", file_name=f"live_branches_{as_of.isoformat()}",
          column_config={"same-day entry %": st.column_config.NumberColumn(format="%.1f")})
