"""Go / no-go: record the steering committee's decision for a branch, with the figures it saw, and follow up."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rollout.core.errors import RolloutError
from rollout.steering import decisions, pack
from ui.auth import may_edit
from ui.router import ensure_routed
from ui.state import cached, caller, filters, get_db
from ui.widgets import code_and_name, plain, show_error, table

ensure_routed()
current = filters()
as_of = current.as_of

st.title("Go / no-go decisions")
st.caption(plain(f"As of {as_of.isoformat()}. Each decision keeps a frozen copy of the branch's figures of the "
                 "sidebar date; the list shows whether its conditions were met since (see Methodology)."))

branches = cached(pack.branch_choices)
names = dict(zip(branches["branch_code"], branches["branch_name"], strict=True))
labels = {"go": "Go", "no_go": "No-go", "go_with_conditions": "Go with conditions"}

submitted = False
if may_edit("decisions"):  # viewers see no form (the library refuses their writes)
    with st.form("decision_form", clear_on_submit=False):
        st.markdown("**Record a decision**")
        first, second = st.columns(2)
        branch_code = first.selectbox("Branch", list(names), index=None, key="decision_branch",
                                      format_func=code_and_name(names), placeholder="Choose a branch")
        decision = second.radio("Decision", list(labels), key="decision_kind", format_func=labels.get, horizontal=True)
        decided_on = first.date_input("Decided on", value=date.today(), key="decision_date")
        decided_by = second.text_input("Decided by", key="decision_by", max_chars=200,
                                       placeholder="e.g. steering committee (CIO)")
        conditions = st.text_area("Conditions (required for a go with conditions)", key="decision_conditions",
                                  max_chars=2000)
        follow_up_on = first.date_input("Follow-up on (optional)", value=None, key="decision_follow_up")
        submitted = st.form_submit_button("Record decision", type="primary", key="decision_submit")

if submitted:
    try:
        decision_id = decisions.record_decision(get_db(), branch_code, decision, decided_on, decided_by, conditions,
                                             follow_up_on, as_of=as_of, caller=caller())
        st.success(plain(f"Decision {decision_id} recorded for {branch_code} with its figures as of "
                         f"{as_of.isoformat()}."))
    except RolloutError as exc:
        show_error(exc)

st.subheader("Decisions")
shown = cached(decisions.decisions_in_regions, as_of, current.regions)
if shown.empty:
    st.info("No decision recorded yet.")
else:
    counts = decisions.verdict_counts(shown)
    cols = st.columns(4)
    for col, verdict in zip(cols, decisions.VERDICTS_COUNTED, strict=True):
        col.metric(verdict.capitalize(), counts[verdict])
    table(shown.drop(columns=["region_code"]), key="decisions_table", file_name=f"decisions_{as_of.isoformat()}")
