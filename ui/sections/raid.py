"""RAID and deviation sections: the log's filters, the edit forms, and a branch's own records (RAID and changes
page, Branch page). The figures come from rollout.metrics.raid; writes go through it (checked, audited)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _, format_number
from rollout.exchange.spec import DEVIATION_DECISIONS, DEVIATION_KINDS, MODULES, RAID_KINDS, RAID_STATUSES, RESPONSES
from rollout.metrics import raid
from ui.auth import may_edit
from ui.state import cached, caller, flash, get_db
from ui.widgets import code_and_name, show_error, table

PROGRAMME = ""  # the branch picker's value for a programme-wide item
LOG_COLUMNS = ["raid_code", "kind", "branch_code", "title", "owner", "raised_on", "due_date", "status", "closed_on",
               "probability", "impact", "score", "band", "response", "overdue", "age_days", "source"]
REGISTER_COLUMNS = ["deviation_code", "branch_code", "branch_name", "module", "title", "kind", "raised_on",
                    "decision", "decided_on", "effort_days", "blocks_go_live", "delivered_on", "pending", "blocking",
                    "planned_go_live", "days_to_go_live"]


def in_words(words: Mapping[str, str]) -> Callable[[Any], Any]:
    """A format_func showing a format's enumeration value in the reader's words (anything else as it is)."""
    return lambda value: _(words[value]) if isinstance(value, str) and value in words else value


kind_word = in_words(raid.KIND_WORDS)
band_word = in_words(raid.BAND_WORDS)
decision_word = in_words(raid.DECISION_WORDS)
deviation_kind_word = in_words(raid.DEVIATION_KIND_WORDS)
status_word = in_words(raid.STATUS_WORDS)
response_word = in_words(raid.RESPONSE_WORDS)


def filter_log(log: pd.DataFrame, kinds: Sequence[str], bands: Sequence[str], branches: Sequence[str],
               owners: Sequence[str], statuses: Sequence[str]) -> pd.DataFrame:
    """Rows matching every chosen filter (an empty choice: all); PROGRAMME among branches picks the
    programme-wide items."""
    keep = pd.Series(True, index=log.index)
    for column, chosen in (("kind", kinds), ("band", bands), ("owner", owners), ("status", statuses)):
        if chosen:
            keep &= log[column].isin(list(chosen))
    if branches:
        keep &= log["branch_code"].fillna(PROGRAMME).isin(list(branches))
    return log[keep]


def in_regions(frame: pd.DataFrame, regions: tuple[str, ...]) -> pd.DataFrame:
    """Rows of the sidebar's regions; programme-wide items (no branch) are every region's."""
    if not regions:
        return frame
    return frame[frame["region_code"].isin(regions) | frame["branch_code"].isna()]


def _picked(value: Any) -> Any:
    """A form value as the library takes it (empty text: none)."""
    return None if value in ("", PROGRAMME) else value


def _row_to_change(frame: pd.DataFrame, code_column: str, columns: list[str], label: str, key: str,
                   placeholder: str) -> dict[str, Any]:
    """A picker of the rows shown; the picked row as stored (empty cells None), or {} for a new row. The row
    as shown goes back with the save, so someone else's change since is not overwritten."""
    picked = st.selectbox(label, frame[code_column].tolist(), index=None, key=key, placeholder=placeholder)
    if picked is None:
        return {}
    row = frame[frame[code_column] == picked].iloc[0][columns].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def _save(save: Callable[..., Any], row: dict[str, Any], shown: dict[str, Any], today: date, done: str) -> None:
    """One save through the library (checked, audited, optimistic on the row as shown); its refusal shown."""
    try:
        save(get_db(), row, original=shown or None, caller=caller(), today=today)
    except RolloutError as exc:
        show_error(exc)
        return
    flash("raid", done)
    st.rerun()


def item_form(names: Mapping[str, str], log: pd.DataFrame, today: date) -> None:
    """Add an item, or change one (its code picked): an editor for their scope's branches, an administrator for
    the programme's items (the library refuses anything else and records the refusal)."""
    branch_choices = ([PROGRAMME] if may_edit("programme_items") else []) + list(names)
    shown = _row_to_change(log, "raid_code", raid.RAID_COLUMNS, _("Item to change (none: a new item)"),
                           "raid_edit_pick", _("New item"))
    with st.form("raid_item_form"):
        first, second, third = st.columns(3)
        code = first.text_input(_("Code"), value=shown.get("raid_code") or "", key="raid_code_in", max_chars=40,
                                disabled=bool(shown))
        kind = second.selectbox(_("Kind"), RAID_KINDS, index=RAID_KINDS.index(shown.get("kind") or "action"),
                                key="raid_kind_in", format_func=kind_word)
        branch = third.selectbox(_("Branch"), branch_choices, key="raid_branch_in",
                                 index=branch_choices.index(shown.get("branch_code") or PROGRAMME)
                                 if (shown.get("branch_code") or PROGRAMME) in branch_choices else None,
                                 format_func=lambda c: _("the whole programme") if c == PROGRAMME else
                                 code_and_name(names)(c))
        title = st.text_input(_("Subject"), value=shown.get("title") or "", key="raid_title_in", max_chars=500)
        first, second, third = st.columns(3)  # the subject right under the code, the rest below
        owner = first.text_input(_("Owner"), value=shown.get("owner") or "", key="raid_owner_in", max_chars=200)
        raised = second.date_input(_("Raised on"), value=shown.get("raised_on") or today, key="raid_raised_in")
        due = third.date_input(_("Due date"), value=shown.get("due_date"), key="raid_due_in")
        status = first.selectbox(_("Status"), RAID_STATUSES, key="raid_status_in", format_func=status_word,
                                 index=RAID_STATUSES.index(shown.get("status") or "open"))
        closed = second.date_input(_("Closed on"), value=shown.get("closed_on"), key="raid_closed_in")
        response = third.selectbox(_("Response"), RESPONSES, key="raid_response_in", format_func=response_word,
                                   placeholder="—", index=RESPONSES.index(shown["response"])
                                   if shown.get("response") in RESPONSES else None)
        probability = first.number_input(_("Probability (1-5, risks)"), min_value=1, max_value=5, step=1,
                                         value=shown.get("probability"), key="raid_probability_in")
        impact = second.number_input(_("Impact (1-5, risks and issues)"), min_value=1, max_value=5, step=1,
                                     value=shown.get("impact"), key="raid_impact_in")
        source = third.text_input(_("Source"), value=shown.get("source") or "", key="raid_source_in", max_chars=200,
                                  placeholder=_("e.g. weekly meeting 2026-11-23"))
        submitted = st.form_submit_button(_("Save item"), type="primary", key="raid_item_save")
    if submitted:
        row = {**shown, "raid_code": code.strip() or shown.get("raid_code"), "kind": kind,
               "branch_code": _picked(branch), "title": title, "owner": owner, "raised_on": raised, "due_date": due,
               "status": status, "closed_on": closed, "response": response, "probability": probability,
               "impact": impact, "source": source}
        _save(raid.save_item, row, shown, today, _("Item {code} saved.").format(code=row["raid_code"]))


def deviation_form(names: Mapping[str, str], register: pd.DataFrame, today: date) -> None:
    """Add a deviation, or decide / deliver one (its code picked), for a branch of the editor's scope."""
    shown = _row_to_change(register, "deviation_code", raid.DEVIATION_COLUMNS,
                           _("Deviation to change (none: a new one)"), "deviation_edit_pick", _("New deviation"))
    with st.form("deviation_form"):
        first, second, third = st.columns(3)
        code = first.text_input(_("Code"), value=shown.get("deviation_code") or "", key="deviation_code_in",
                                max_chars=40, disabled=bool(shown))
        branch_list = list(names)
        branch = second.selectbox(_("Branch"), branch_list, key="deviation_branch_in", format_func=code_and_name(names),
                                  index=branch_list.index(shown["branch_code"]) if shown.get("branch_code") in
                                  branch_list else None)
        module = third.selectbox(_("Module"), MODULES, key="deviation_module_in",
                                 index=MODULES.index(shown["module"]) if shown.get("module") in MODULES else None)
        title = st.text_input(_("Subject"), value=shown.get("title") or "", key="deviation_title_in", max_chars=500)
        first, second, third = st.columns(3)  # the subject right under the code, the rest below
        kind = first.selectbox(_("Kind"), DEVIATION_KINDS, key="deviation_kind_in", format_func=deviation_kind_word,
                               index=DEVIATION_KINDS.index(shown.get("kind") or "configuration"))
        raised = second.date_input(_("Raised on"), value=shown.get("raised_on") or today, key="deviation_raised_in")
        decision = third.selectbox(_("Decision"), DEVIATION_DECISIONS, key="deviation_decision_in",
                                   index=DEVIATION_DECISIONS.index(shown.get("decision") or "proposed"),
                                   format_func=decision_word)
        decided = first.date_input(_("Decided on"), value=shown.get("decided_on"), key="deviation_decided_in")
        effort = second.number_input(_("Effort (man-days)"), min_value=0.0, max_value=100_000.0, step=0.5,
                                     value=shown.get("effort_days"), key="deviation_effort_in")
        delivered = third.date_input(_("Delivered on"), value=shown.get("delivered_on"), key="deviation_delivered_in")
        blocks = st.checkbox(_("Blocks the go-live"), value=bool(shown.get("blocks_go_live")),
                             key="deviation_blocks_in")
        submitted = st.form_submit_button(_("Save deviation"), type="primary", key="deviation_save")
    if submitted:
        row = {**shown, "deviation_code": code.strip() or shown.get("deviation_code"), "branch_code": branch,
               "module": module, "title": title, "kind": kind, "raised_on": raised, "decision": decision,
               "decided_on": decided, "effort_days": effort, "blocks_go_live": blocks, "delivered_on": delivered}
        _save(raid.save_deviation, row, shown, today,
              _("Deviation {code} saved.").format(code=row["deviation_code"]))


def readable_log(frame: pd.DataFrame) -> pd.DataFrame:
    """The log as a person reads it: kinds, bands, statuses and responses in words, the programme named, the
    item's title headed as a subject (not a person's job title)."""
    shown = frame[LOG_COLUMNS].copy()
    for column, word in (("kind", kind_word), ("band", band_word), ("status", status_word),
                         ("response", response_word)):
        shown[column] = shown[column].map(word)
    shown["branch_code"] = shown["branch_code"].fillna(_("the whole programme"))
    return shown.rename(columns={"title": "subject"})


def readable_register(frame: pd.DataFrame) -> pd.DataFrame:
    """The register as it stood on the as-of date: a decision taken or a delivery made after it is not shown
    (the page replays the past; the edit form keeps today's values)."""
    shown = frame[REGISTER_COLUMNS].copy()
    shown["decision"] = frame["decision_on_date"].map(decision_word)
    shown["decided_on"] = frame["decided_on_date"]
    shown["delivered_on"] = frame["delivered_on_date"]
    shown["kind"] = shown["kind"].map(deviation_kind_word)
    return shown.rename(columns={"title": "subject"})


def branch_findings(branch_code: str, as_of: date) -> list[str]:
    """The branch's findings beside its status (not part of it): the requirement analysis not signed within 60
    days of go-live."""
    unsigned = cached(raid.requirements_unsigned, as_of)
    found = unsigned[unsigned["branch_code"] == branch_code]
    if not found.empty and bool(found["requirements_unsigned"].iloc[0]):
        return [_(raid.REQUIREMENTS_UNSIGNED)]
    return []


def branch_records(branch_code: str, as_of: date) -> None:
    """The Branch page's RAID items and deviations of this branch (not the programme's)."""
    items = cached(raid.branch_items, branch_code, as_of)
    deviations = cached(raid.branch_deviations, branch_code, as_of)
    st.markdown("**" + _("RAID log") + "**")
    if items.empty:
        st.caption(_("No RAID item raised for this branch by {day}.").format(day=as_of.isoformat()))
    else:
        table(readable_log(items), key="branch_raid_table", file_name=f"raid_{branch_code}_{as_of.isoformat()}")
    st.markdown("**" + _("Deviations from the template") + "**")
    figures = cached(raid.branch_figures, as_of)
    mine = figures[figures["branch_code"] == branch_code]
    if not mine.empty:
        row = mine.iloc[0]
        approved = _("On {day}: {pending} pending, {blocking} blocking the go-live, {effort} man-days approved.")
        st.caption(approved.format(
            day=as_of.isoformat(), pending=int(row["deviations_pending"]), blocking=int(row["deviations_blocking"]),
            effort=format_number(float(row["approved_effort"]), 1)))
    if deviations.empty:
        st.caption(_("No deviation raised for this branch by {day}.").format(day=as_of.isoformat()))
    else:
        table(readable_register(deviations), key="branch_deviations_table",
              file_name=f"deviations_{branch_code}_{as_of.isoformat()}")
