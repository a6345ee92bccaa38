"""Access: who may sign in, with which role and region scope, and the audit trail (admins only, ACCESS.md).

The navigation offers this page to administrators only; anyone else who opens its address is told so, and
the library refuses their writes anyway.
"""

from __future__ import annotations

import streamlit as st

from rollout.core.i18n import _
from ui.router import ensure_routed
from ui.sections import access
from ui.state import caller

ensure_routed()
st.title(_("Access"))
if not caller().may("users"):
    st.warning(_("Only an administrator may see who has access."), icon=":material/lock:")
    st.stop()
st.caption(_("Who may sign in, with which role and regions. Every change is audited; removing a user keeps "
             "their row, deactivated, for the audit trail."))
access.users_section()
add, change = st.columns(2)
with add:
    access.add_section()
with change:
    access.change_section()
access.audit_section()
