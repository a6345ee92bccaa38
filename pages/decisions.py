"""Go / no-go: record the steering committee's decision for a branch, with the figures it saw, and follow up."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.steering import decisions, pack
from ui.auth import may_edit
from ui.router import ensure_routed
from ui.state import cached, caller, filters, get_db
from ui.widgets import code_and_name, plain, show_error, table

ensure_routed()
VERDICT_WORDS = {"met": N_("Met"), "open": N_("Open"), "follow-up overdue, not improved":
                 N_("Follow-up overdue, not improved"), "no conditions": N_("No conditions")}


def verdict_word(verdict: str) -> str:
    """A verdict counted on a tile, in words (an unknown one as its code, capitalised)."""
    return _(VERDICT_WORDS[verdict]) if verdict in VERDICT_WORDS else verdict.capitalize()

current = filters()
as_of = current.as_of

st.title(_("Go / no-go decisions"))
st.caption(plain(_("As of {day}. Each decision keeps a frozen copy of the branch's figures of the sidebar date; the "
                   "list shows whether its conditions were met since (see Methodology).").format(
    day=as_of.isoformat())))

branches = cached(pack.branch_choices)
names = dict(zip(branches["branch_code"], branches["branch_name"], strict=True))
labels = {"go": _("Go"), "no_go": _("No-go"), "go_with_conditions": _("Go with conditions")}

submitted = False
if may_edit("decisions"):  # viewers see no form (the library refuses their writes)
    with st.form("decision_form", clear_on_submit=False):
        st.markdown("**" + _("Record a decision") + "**")
        first, second = st.columns(2)
        branch_code = first.selectbox(_("Branch"), list(names), index=None, key="decision_branch",
                                      format_func=code_and_name(names), placeholder=_("Choose a branch"))
        decision = second.radio(_("Decision"), list(labels), key="decision_kind", format_func=labels.get,
                                horizontal=True)
        decided_on = first.date_input(_("Decided on"), value=date.today(), key="decision_date")
        decided_by = second.text_input(_("Decided by"), key="decision_by", max_chars=200,
                                       placeholder=_("e.g. steering committee (CIO)"))
        conditions = st.text_area(_("Conditions (required for a go with conditions)"), key="decision_conditions",
                                  max_chars=2000)
        follow_up_on = first.date_input(_("Follow-up on (optional)"), value=None, key="decision_follow_up")
        submitted = st.form_submit_button(_("Record decision"), type="primary", key="decision_submit")

if submitted:
    try:
        decision_id = decisions.record_decision(get_db(), branch_code, decision, decided_on, decided_by, conditions,
                                             follow_up_on, as_of=as_of, caller=caller())
        st.success(plain(_("Decision {id} recorded for {branch} with its figures as of {day}.").format(
            id=decision_id, branch=branch_code, day=as_of.isoformat())))
    except RolloutError as exc:
        show_error(exc)

st.subheader(_("Decisions"))
shown = cached(decisions.decisions_in_regions, as_of, current.regions)
if shown.empty:
    st.info(_("No decision recorded yet."))
else:
    counts = decisions.verdict_counts(shown)
    cols = st.columns(4)
    for col, verdict in zip(cols, decisions.VERDICTS_COUNTED, strict=True):
        col.metric(verdict_word(verdict), counts[verdict])
    table(shown.drop(columns=["region_code"]), key="decisions_table", file_name=f"decisions_{as_of.isoformat()}")
