"""Executives: who is engaged, who has gone quiet, what they promised, whom to call this week."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.exchange.spec import CHANNELS
from rollout.metrics import engagement
from rollout.store.settings import get_settings
from ui.auth import acting, may_edit
from ui.figures import channel_word, score_figure, status_figure, timeline_figure
from ui.router import ensure_routed
from ui.sections.engagement import headline, heads_columns, heads_display, label
from ui.state import by_region, cached, caller, filters, flash, get_db, show_flash
from ui.widgets import table

ensure_routed()
SENTIMENTS = {-2: N_("−2 very negative"), -1: N_("−1 negative"), 0: N_("0 neutral"), 1: N_("+1 positive"),
              2: N_("+2 very positive")}


@acting
def save_touchpoint() -> None:
    """The form's submit callback: runs before the page redraws, so the figures show the new touchpoint; it
    runs before the sign-in gate too, so `acting` decides its caller again from the store."""
    state = st.session_state
    row = {"exec_code": state.get("tp_exec"), "date": state.get("tp_date"), "channel": state.get("tp_channel"),
           "duration_min": state.get("tp_duration"), "hq_contact": state.get("tp_hq_contact"),
           "topic": state.get("tp_topic"), "sentiment": state.get("tp_sentiment"),
           "commitment": state.get("tp_commitment"), "follow_up_due": state.get("tp_follow_up")}
    try:
        saved = engagement.log_touchpoint(get_db(), row, caller=caller(), today=date.today())
    except RolloutError as exc:
        flash("touchpoint", exc)
    else:
        flash("touchpoint", _("Saved: {channel} with {executive} on {day}.").format(
            channel=channel_word(saved["channel"]), executive=saved["exec_code"], day=saved["date"].isoformat()))


view = filters()
as_of = view.as_of
st.title(_("Executives"))
st.caption(_("Regional heads' engagement as of {day}. Touchpoints dated later do not count yet. How the figures are "
             "computed: Methodology, Executive engagement.").format(day=as_of.isoformat()))

all_heads = cached(engagement.executive_table, as_of)  # every head: the form logs a touchpoint with any of them
heads = by_region(all_heads, view.regions)
settings = cached(get_settings)

counts = engagement.headline(heads)
headline(counts)

st.header(_("This week's call list"))
st.caption(_("Silent or cooling heads whose branches go live soonest first, then overdue follow-ups, then heads "
             "never contacted; the suggested channel follows the rule on the Methodology page."))
calls = by_region(cached(engagement.call_list, as_of), view.regions)
if calls.empty:
    st.success(_("Nobody needs a call this week: every head is engaged and no follow-up is overdue."))
table(calls, key="call_list", file_name=f"call_list_{as_of.isoformat()}",
      column_config={"score": st.column_config.NumberColumn(format="%.1f")})

st.header(_("Regional heads"))
left, right = st.columns([3, 1])
with left:
    table(heads_display(heads), key="exec_table", file_name=f"executives_{as_of.isoformat()}",
          column_config=heads_columns())
with right:
    st.plotly_chart(status_figure(counts), width="stretch", key="exec_status_chart")

st.header(_("Score over time"))
codes = list(heads["exec_code"])
names = dict(zip(heads["exec_code"], label(heads), strict=True))
default = [c for c in calls["exec_code"] if c in names][:6] or codes[:6]
picked = st.multiselect(_("Executives"), codes, default=default, key="exec_pick", format_func=lambda c: names[c],
                        placeholder=_("Choose executives"))
weeks = st.slider(_("Weeks replayed"), 4, 52, 26, step=1, key="exec_weeks")
history = cached(engagement.score_history, as_of, weeks)
history = history[history["exec_code"].isin(picked)]
if history.empty:
    st.info(_("Choose executives to replay their score week by week."))
else:
    st.plotly_chart(score_figure(history, settings), width="stretch", key="exec_score_chart")

st.header(_("Touchpoint timeline"))
points = by_region(cached(engagement.touchpoints, as_of), view.regions)
shown = points[points["exec_code"].isin(picked)] if picked else points
if shown.empty:
    st.info(_("No touchpoint on or before this date for the chosen executives."))
else:
    st.plotly_chart(timeline_figure(shown), width="stretch", key="exec_timeline_chart")
table(shown.drop(columns=["is_open", "is_overdue"]), key="touchpoint_table",
      file_name=f"touchpoints_{as_of.isoformat()}")

st.header(_("Commitments and follow-ups"))
st.caption(_("A commitment is open until the next touchpoint with the same executive; overdue when its follow-up "
             "date has passed first."))
table(by_region(cached(engagement.commitments, as_of), view.regions), key="commitment_table",
      file_name=f"commitments_{as_of.isoformat()}")

if not may_edit("touchpoints"):  # the rest of the page is the touchpoint form: none for a viewer
    st.stop()
st.header(_("Log a touchpoint"))
show_flash("touchpoint")
choices = dict(zip(all_heads["exec_code"], label(all_heads), strict=True))
with st.form(key="touchpoint_form"):
    first, second, third = st.columns(3)
    first.selectbox(_("Executive"), list(choices), key="tp_exec", format_func=lambda c: choices[c])
    second.date_input(_("Date"), value=date.today(), key="tp_date", help=_("Today or earlier (not in the future)."))
    third.selectbox(_("Channel"), list(CHANNELS), key="tp_channel", format_func=channel_word)
    first.number_input(_("Duration (minutes)"), min_value=0, value=15, step=5, key="tp_duration")
    second.text_input(_("HQ contact"), key="tp_hq_contact")
    third.text_input(_("Topic"), key="tp_topic")
    st.select_slider(_("Sentiment"), options=list(SENTIMENTS), value=0, format_func=lambda s: _(SENTIMENTS[s]),
                     key="tp_sentiment")
    commit, due = st.columns([3, 1])
    commit.text_input(_("Commitment (what the executive promised)"), key="tp_commitment")
    due.date_input(_("Follow-up due"), value=None, key="tp_follow_up")
    st.form_submit_button(_("Save touchpoint"), key="tp_submit", type="primary", on_click=save_touchpoint)
