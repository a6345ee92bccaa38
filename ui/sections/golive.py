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
from rollout.core.i18n import _, format_weekday
from rollout.core.labels import N_
from rollout.core.values import as_date, is_missing
from rollout.metrics import after_go_live, kickoff, lessons, man_days
from rollout.store.settings import get_settings
from ui.auth import may_edit
from ui.figures import man_days_forecast_figure, same_day_entry_figure
from ui.formats import day_text, percent
from ui.state import by_region, cached, caller, flash, get_db, show_flash
from ui.widgets import plain, show_error, table

# the live-branches table's columns, renamed where the library's name would read badly (labels.column_label
# writes each in the reader's language; "name" alone would be a person's name in Chinese, so branch_name stays)
LIVE_COLUMNS = {"branch_code": "branch_code", "branch_name": "branch_name", "region_code": "region_code",
                "action": "next action", "days_live": "days live", "same_day_entry_rate": "same-day entry %",
                "problems_past_limit": "problems past limit", "ready_for_acceptance": "ready for acceptance",
                "acceptance_overdue": "acceptance overdue", "accepted_on": "accepted on", "payment_due": "payment due",
                "payment_overdue": "payment overdue"}
KICKOFF_FLAGS = {"steering_committee_named": N_("steering committee named"),
                 "rewards_announced": N_("rewards and penalties announced"), "qa_held": N_("Q&A held")}


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
    st.subheader(_("Kick-off meeting"))
    show_flash("golive_kickoff")
    findings = cached(kickoff.kickoff_findings, as_of)
    found = findings[findings["branch_code"] == branch_code]
    words = found["findings"].iloc[0] if len(found) else []
    record = cached(kickoff.kickoff_record, branch_code)
    if record is None:
        st.info(_("No kick-off meeting is recorded for this branch. Its planned kick-off has passed: not held.")
                if "not held" in words else _("No kick-off meeting is recorded for this branch."))
    else:
        held = as_date(record["held_on"])
        st.text(_held_text(record, held))
        st.text(" · ".join(_("{flag}: {answer}").format(flag=_(flag), answer=_yes_no(record[field]))
                           for field, flag in KICKOFF_FLAGS.items()))
        st.text(_("Minutes signed on {day} · signed minutes: {reference}").format(
            day=day_text(record["minutes_signed_on"]),
            reference=record["minutes_ref"] or _("no file or link recorded")))
        if held > as_of:
            st.caption(_("Held after {day}: on the as-of date it had not happened yet.").format(day=as_of.isoformat()))
    if words:
        shown = ", ".join(kickoff.finding_text(word) for word in words)
        st.warning(plain(_("Kick-off findings: {findings}.").format(findings=shown)), icon=":material/event_busy:")
    elif record is not None and as_date(record["held_on"]) <= as_of:
        st.caption(_("Held by the rules: a working-day morning, outside the peak season, half a day at most, "
                     "steering committee and rewards announced, minutes signed in time."))
    _plan_kickoff(branch_code, as_of, expanded=record is None)
    _kickoff_form(branch_code, record)


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no") if value is False else _("not recorded")


def _held_text(record: dict[str, Any], held: date) -> str:
    """'Held on 2026-03-02 (Monday) · start 09:00 · 180 minutes · chaired by 王总 · 40 attending' (what is known)."""
    parts = [_("Held on {day} ({weekday})").format(day=held.isoformat(), weekday=format_weekday(held))]
    if record["start_time"]:
        parts.append(_("start {time}").format(time=record["start_time"]))
    if not is_missing(record["duration_min"]):
        parts.append(_("{minutes} minutes").format(minutes=int(record["duration_min"])))
    if record["chair"]:
        parts.append(_("chaired by {chair}").format(chair=record["chair"]))
    if not is_missing(record["attendees"]):
        parts.append(_("{count} attending").format(count=int(record["attendees"])))
    return " · ".join(parts)


def _plan_kickoff(branch_code: str, as_of: date, expanded: bool) -> None:
    settings = cached(get_settings)
    plan = cached(kickoff.kickoff_plan, branch_code)
    planned, peak_months = plan["planned_kickoff"], plan["peak_months"]
    with st.expander(_("Plan the kick-off"), expanded=expanded):
        left, middle, right = st.columns(3)
        day = left.date_input(_("Date"), value=planned or as_of, key=f"golive_plan_day_{branch_code}")
        start = middle.time_input(_("Start"), value=time(9, 0), key=f"golive_plan_time_{branch_code}")
        minutes = right.number_input(_("Duration (minutes)"), min_value=15, max_value=1440, value=180, step=15,
                                     key=f"golive_plan_minutes_{branch_code}")
        warnings = kickoff.plan_findings(day, start, int(minutes), peak_months, settings)
        advice = {"weekend": _("{weekday}: hold it on a working day").format(weekday=format_weekday(day)),
                  "afternoon": _("an afternoon start: hold it in the morning"),
                  "peak month": _("in the branch's peak season (months {months})").format(months=peak_months),
                  "longer than half a day": _("longer than half a day ({minutes} minutes)").format(
                      minutes=f"{settings['kickoff_max_minutes']:g}")}
        for word in warnings:
            st.warning(plain(advice[word]), icon=":material/warning:")
        if not warnings:
            st.caption(plain(_("{day} at {time} is inside the rules.").format(day=day.isoformat(),
                                                                                time=start.strftime("%H:%M"))))
        st.markdown("**" + _("What a kick-off needs") + "**\n\n"
                    + "\n".join(f"- {_(item)}" for item in kickoff.PREPARATION))
        items = cached(kickoff.kickoff_items, branch_code, as_of)
        if items.empty:
            st.caption(_("This branch's plan has no kick-off items yet (copy them from another branch's plan with "
                         "'Create plan items from a template')."))
        else:
            table(items, key=f"golive_kickoff_items_{branch_code}", file_name=f"kickoff_items_{branch_code}")
        if may_edit("kickoffs") and st.button(_("Set as the planned kick-off"), key=f"golive_plan_save_{branch_code}",
                     disabled=day == planned):
            try:
                kickoff.set_planned_kickoff(get_db(), branch_code, day, original=planned, today=date.today(),
                                            caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("kickoff", _("Planned kick-off of {branch} set to {day}.").format(branch=branch_code,
                                                                                         day=day.isoformat()))


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
    title = _("Record the kick-off meeting") if record is None else _("Correct the kick-off record")
    with st.expander(title, expanded=record is None), st.form(key("form")):
        a, b, c = st.columns(3)
        held_on = a.date_input(_("Held on"), value=as_date(shown.get("held_on")) or date.today(), key=key("held_on"))
        start = b.time_input(_("Start"), value=_time_value(shown.get("start_time")) or time(9, 0), key=key("start"))
        minutes = c.number_input(_("Duration (minutes)"), min_value=1, max_value=1440, step=15,
                                 value=_whole(shown.get("duration_min")), key=key("minutes"))
        a, b = st.columns(2)
        chair = a.text_input(_("Chair"), value=shown.get("chair") or "", key=key("chair"))
        attendees = b.number_input(_("Attendees"), min_value=0, step=1, value=_whole(shown.get("attendees")),
                                   key=key("attendees"))
        a, b, c = st.columns(3)
        committee = a.checkbox(_("Steering committee named"), value=bool(shown.get("steering_committee_named")),
                               key=key("committee"))
        rewards = b.checkbox(_("Rewards and penalties announced"), value=bool(shown.get("rewards_announced")),
                             key=key("rewards"))
        qa = c.checkbox(_("Q&A held"), value=bool(shown.get("qa_held")), key=key("qa"))
        a, b = st.columns(2)
        signed = a.date_input(_("Minutes signed on (empty: not yet)"), value=as_date(shown.get("minutes_signed_on")),
                              key=key("signed"))
        ref = b.text_input(_("Signed minutes (file name or link)"), value=shown.get("minutes_ref") or "",
                           key=key("ref"))
        if st.form_submit_button(_("Save the kick-off"), key=key("submit")):
            try:
                kickoff.record_kickoff(get_db(), {
                    "branch_code": branch_code, "held_on": held_on, "start_time": start, "duration_min": minutes,
                    "chair": chair, "attendees": attendees, "steering_committee_named": committee,
                    "rewards_announced": rewards, "qa_held": qa, "minutes_signed_on": signed, "minutes_ref": ref},
                    original=record, today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("kickoff", _("Kick-off of {branch} on {day} saved.").format(branch=branch_code,
                                                                                   day=held_on.isoformat()))


# --- consultant man-days -----------------------------------------------------------------------------

def man_days_section(branch_code: str, as_of: date) -> None:
    """Man-days used per phase, the burn rate and the forecast at go-live against the budget."""
    st.subheader(_("Consultant man-days"))
    figures = cached(man_days.man_days_forecast, as_of)
    found = figures[figures["branch_code"] == branch_code]
    if found.empty:
        return
    row = found.iloc[0].to_dict()
    cols = st.columns(5)
    cols[0].metric(_("Man-days used"), _number(row["man_days_used"]))
    cols[1].metric(_("Budget"), _number(row["budget"]))
    cols[2].metric(_("Burn rate (per week)"), _number(row["burn_rate"]), help=_("Logged days of the last 28 days ÷ 4"))
    cols[3].metric(_("Forecast at go-live"), _number(row["forecast_at_go_live"]),
                   help=_("Used + burn rate × the days to the planned go-live ÷ 7"))
    overrun = row["overrun"]
    cols[4].metric(_("Forecast overrun"), _number(overrun),
                   help=_("Forecast at go-live − budget, 0 within budget; none without a budget, a burn rate or a "
                          "planned date, or once live"))
    if not row["logged"]:
        st.caption(_("This branch does not log its consultant days (consultant_days sheet): man-days used is the "
                     "branches sheet's figure, without dates, phases or a burn rate."))
        return
    if not is_missing(overrun) and overrun > 0:
        st.warning(plain(_("At this pace the branch needs {days} man-days more than its budget by go-live.").format(
                   days=f"{overrun:.1f}")),
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
    st.subheader(_("Since go-live"))
    show_flash("golive_since")
    st.caption(plain(_("Live since {day} ({days} days). Next: {action}.").format(
        day=day_text(row["actual_go_live"]), days=int(row["days_live"]), action=row["action"])))
    cols = st.columns(5)
    cols[0].metric(_("Same-day entry (30 days)"), percent(row["same_day_entry_rate"], _("no entries")),
                   help=_("Target {target}% for acceptance").format(target=f"{settings['same_day_entry_target']:g}"))
    cols[1].metric(_("Problems past limit"), int(row["problems_past_limit"]),
                   help=_("{count} of them critical or high (these block acceptance)").format(
                       count=int(row["blocking_past_limit"])))
    cols[2].metric(_("Ready for acceptance"), _("yes") if row["ready_for_acceptance"] else _("no"),
                   help=_("Ready on {ready} of the last {days} days").format(
                       ready=int(row["ready_days"]), days=int(settings["acceptance_overdue_days"])))
    cols[3].metric(_("Acceptance"), _("accepted") if row["accepted"] else _("overdue") if row["acceptance_overdue"]
                   else _("not yet"))
    cols[4].metric(_("Payment"), _("received") if row["paid"] else _("overdue") if row["payment_overdue"]
                   else _("due") if not is_missing(row["payment_due"]) else "—")
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
    accepted = (_("Accepted on {day}").format(day=day_text(row["accepted_on"])) if row["accepted"]
                else _("Not accepted yet"))
    if is_missing(row["payment_due"]) and not row["paid"]:
        payment = _("no payment due date recorded")
    elif row["paid"]:
        payment = _("payment due {due}, received on {day}").format(due=day_text(row["payment_due"]),
                                                                   day=day_text(row["payment_received_on"]))
    elif row["payment_overdue"]:
        payment = _("payment due {due}, not received: {days} days overdue").format(
            due=day_text(row["payment_due"]), days=int(row["payment_days_overdue"]))
    else:
        payment = _("payment due {due}, not received yet").format(due=day_text(row["payment_due"]))
    return f"{accepted} · {payment}"


def _entries_form(branch_code: str, as_of: date) -> None:
    if not may_edit("daily_entries"):  # no form for a viewer (the library refuses their writes)
        return
    key = f"golive_entries_{{}}_{branch_code}".format
    with st.form(key("form")):
        st.markdown("**" + _("Log a day's entries") + "**")
        day = st.date_input(_("Date"), value=min(as_of, date.today()), key=key("date"))
        documents = st.number_input(_("Documents of the day"), min_value=0, step=1, value=0, key=key("documents"))
        same_day = st.number_input(_("Entered the same day"), min_value=0, step=1, value=0, key=key("same_day"))
        if st.form_submit_button(_("Save the entries"), key=key("submit")):
            try:
                after_go_live.record_daily_entries(get_db(), branch_code, day, int(documents), int(same_day),
                                                   today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("since", _("Entries of {branch} on {day} saved: {same_day} of {documents} entered the same "
                                  "day.").format(branch=branch_code, day=day.isoformat(), same_day=int(same_day),
                                                 documents=int(documents)))


def _close_form(branch_code: str, problems: pd.DataFrame) -> None:
    if not may_edit("problems"):  # no form for a viewer (the library refuses their writes)
        return
    key = f"golive_close_{{}}_{branch_code}".format
    with st.form(key("form")):
        st.markdown("**" + _("Close a problem") + "**")
        labels = {r.problem_code: f"{r.problem_code} · {r.severity} · {r.title}" for r in problems.itertuples()}
        code = st.selectbox(_("Problem"), list(labels), format_func=labels.get, key=key("problem"),
                            placeholder=_("No open problem"))
        closed_on = st.date_input(_("Closed on"), value=date.today(), key=key("on"))
        if st.form_submit_button(_("Close the problem"), key=key("submit"), disabled=not labels) and code:
            shown = problems[problems["problem_code"] == code].iloc[0]
            try:
                lessons.close_problem(get_db(), code, closed_on, original={"opened_on": shown["opened_on"],
                                                                           "closed_on": shown["closed_on"]},
                                      today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("since", _("Problem {code} closed on {day}.").format(code=code, day=closed_on.isoformat()))


def _acceptance_form(branch_code: str) -> None:
    if not may_edit("acceptance"):  # no form for a viewer (the library refuses their writes)
        return
    record = cached(after_go_live.acceptance_record, branch_code)
    key = f"golive_accept_{{}}_{branch_code}".format
    with st.form(key("form")):
        st.markdown("**" + _("Record the acceptance and payment") + "**")
        accepted_on = st.date_input(_("Accepted on (empty: not yet)"), value=as_date(record["accepted_on"]),
                                    key=key("on"))
        due = st.date_input(_("Payment due"), value=as_date(record["payment_due"]), key=key("due"))
        received = st.date_input(_("Payment received on"), value=as_date(record["payment_received_on"]),
                                 key=key("received"))
        if st.form_submit_button(_("Save the acceptance"), key=key("submit")):
            try:
                after_go_live.record_acceptance(get_db(), branch_code, accepted_on, due, received, original=record,
                                                today=date.today(), caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                _saved("since", _("Acceptance of {branch} saved: accepted on {day}.").format(
                    branch=branch_code, day=accepted_on.isoformat()) if accepted_on
                    else _("Acceptance of {branch} saved.").format(branch=branch_code))


# --- the Portfolio's live branches ---------------------------------------------------------------------

def live_branches_section(as_of: date, regions: tuple[str, ...]) -> None:
    """The live branches at a glance, what each needs first, most urgent at the top."""
    st.subheader(_("After go-live"))
    live = by_region(cached(after_go_live.live_branches, as_of), regions).reset_index(drop=True)
    if live.empty:
        st.caption(_("No branch is live on {day}.").format(day=as_of.isoformat()))
        return
    counts = after_go_live.live_counts(live)
    cols = st.columns(5)
    cols[0].metric(_("Same-day entry low"), counts["same_day_entry_low"],
                   help=_("Live branches whose 30-day same-day entry rate is below the target (or not logged)"))
    cols[1].metric(_("With problems past limit"), counts["problems_past_limit"])
    cols[2].metric(_("Ready for acceptance"), counts["ready_for_acceptance"])
    cols[3].metric(_("Acceptance overdue"), counts["acceptance_overdue"])
    cols[4].metric(_("Payment overdue"), counts["payment_overdue"])
    ready = live[live["ready_for_acceptance"]]
    window = int(cached(get_settings)["acceptance_overdue_days"])
    with st.container(key="live_ready_list"):
        st.markdown("**" + _("Ready for acceptance") + "**")
        if ready.empty:
            st.text(_("none"))
        for item in ready.itertuples():
            text = (_("{branch} · {name}: ready {ready} of the last {days} days (overdue)") if item.acceptance_overdue
                    else _("{branch} · {name}: ready {ready} of the last {days} days"))
            st.text(text.format(branch=item.branch_code, name=item.branch_name, ready=item.ready_days, days=window))
    st.caption(_("The live branches, most urgent first: acceptance overdue, payment overdue, critical or high "
                 "problems past their limit, ready for acceptance, other problems past limit, same-day entry below "
                 "target (see Methodology)."))
    shown = live[list(LIVE_COLUMNS)].rename(columns=LIVE_COLUMNS)
    table(shown, key="live_branches_table", file_name=f"live_branches_{as_of.isoformat()}",
          column_config={"same-day entry %": st.column_config.NumberColumn(format="%.1f")})
