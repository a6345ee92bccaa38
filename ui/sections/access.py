"""The Access page's sections (ACCESS.md "Users" and "Audit"): the users table, adding and changing a user,
deactivating one, and the audit trail filtered by person, table and dates, with a CSV download.

Every write goes through rollout.store.users, which checks the caller again (admins only) and keeps the
last-administrator rule; a refusal is shown as one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.access import ROLES, regions_from_text
from rollout.core.errors import RolloutError
from rollout.core.i18n import _, ngettext
from rollout.core.labels import N_
from rollout.store.audit import audit_choices, audit_entries
from rollout.store.catalogue import region_names
from rollout.store.users import add_user, list_users, normalise_email, remove_user
from ui.auth import role_label
from ui.state import cached, caller, flash, get_db, show_flash
from ui.widgets import code_and_name, plain, show_error, table

SCOPE = "access"  # this page's flash messages
USER_HEADERS = {"email": N_("Email"), "name": N_("Name"), "role": N_("Role"), "regions": N_("Regions"),
                "active": N_("Active"), "created_on": N_("Added on"), "created_by": N_("Added by")}
AUDIT_HEADERS = {"changed_at": N_("When"), "actor": N_("Who"), "action": N_("Action"),
                 "table_name": N_("Table"), "row_key": N_("Row"), "column_name": N_("Column"),
                 "old_value": N_("Before"), "new_value": N_("After")}


def _headed(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The frame with translated human headers (on screen and in the CSV download)."""
    return frame.rename(columns={name: _(label) for name, label in headers.items()})


def _save(action: Callable[[], object], done: str) -> None:
    """Run one write; on success keep the message for the next run and rerun, else show the refusal."""
    try:
        action()
    except RolloutError as exc:
        show_error(exc)
    else:
        flash(SCOPE, done)
        st.rerun()


def users_section() -> None:
    """Everyone who may sign in (and those deactivated), with their role and scope."""
    show_flash(SCOPE)
    st.subheader(_("Users"))
    users = cached(list_users).assign(role=lambda f: f["role"].map(role_label))
    table(_headed(users, USER_HEADERS), key="access_users", file_name="users")


def add_section() -> None:
    """Add a user: email, name, role and regions (none chosen: every region)."""
    names = cached(region_names)
    with st.form("access_add_form", clear_on_submit=True):
        st.subheader(_("Add a user"))
        email = st.text_input(_("Email"), key="access_email")
        name = st.text_input(_("Name"), key="access_name")
        role = st.selectbox(_("Role"), ROLES, key="access_role", format_func=role_label)
        regions = st.multiselect(_("Regions"), list(names), key="access_regions", format_func=code_and_name(names),
                                 placeholder=_("All regions"))
        if st.form_submit_button(_("Add the user"), key="access_add_submit", type="primary"):
            _save(lambda: add_user(get_db(), caller(), email, role, regions, name=name),
                  _("Added {email}.").format(email=normalise_email(email)))


def change_section() -> None:
    """Change a user's role and scope, or deactivate them (their row stays for the audit trail)."""
    users = cached(list_users)
    active = users[users["active"]]
    if active.empty:
        return
    names = cached(region_names)
    st.subheader(_("Change a user"))
    email = st.selectbox(_("User"), list(active["email"]), key="access_pick")
    row = active[active["email"] == email].iloc[0]
    scope = regions_from_text(row["regions"])
    person = re.sub(r"\W", "_", email)  # the widgets' keys follow the chosen user, so their defaults do too
    with st.form("access_change_form"):
        role = st.selectbox(_("Role"), ROLES, index=ROLES.index(row["role"]), key=f"access_change_role_{person}",
                            format_func=role_label)
        regions = st.multiselect(_("Regions"), list(names), default=sorted(scope & set(names)) if scope else [],
                                 key=f"access_change_regions_{person}", format_func=code_and_name(names),
                                 placeholder=_("All regions"))
        if st.form_submit_button(_("Save the change"), key="access_change_submit"):
            _save(lambda: add_user(get_db(), caller(), email, role, regions,
                                   name=None if pd.isna(row["name"]) else row["name"]),
                  _("Changed {email}.").format(email=email))
    if st.button(_("Deactivate {email}").format(email=email), key="access_deactivate", icon=":material/person_off:"):
        _save(lambda: remove_user(get_db(), caller(), email), _("Deactivated {email}.").format(email=email))


def audit_section() -> None:
    """The audit trail: who changed what and when, narrowed by person, table and dates; downloadable."""
    st.subheader(_("Audit trail"))
    choices = cached(audit_choices)
    who, what, when = st.columns(3)
    actor = who.selectbox(_("Who"), [None, *choices["actor"]], key="audit_actor",
                          format_func=lambda a: _("Everyone") if a is None else a)
    table_name = what.selectbox(_("Table"), [None, *choices["table_name"]], key="audit_table",
                                format_func=lambda t: _("Every table") if t is None else t)
    days = when.date_input(_("Dates"), value=(), key="audit_dates")
    since: date | None = days[0] if len(days) > 0 else None
    until: date | None = days[1] if len(days) > 1 else since
    trail = cached(audit_entries, actor, table_name, since, until)
    st.caption(plain(ngettext("{count} entry, newest first.", "{count} entries, newest first.",
                              len(trail)).format(count=len(trail))))
    table(_headed(trail, AUDIT_HEADERS), key="access_audit", file_name="audit_trail")
