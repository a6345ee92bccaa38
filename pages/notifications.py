"""Notifications (admins): the channels (masked), today's preview, the outbox with errors, a test message."""

from __future__ import annotations

import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from ui.router import ensure_routed
from ui.sections import notify
from ui.state import caller, filters, get_db, is_demo
from ui.widgets import show_error

ensure_routed()
st.title(_("Notifications"))
if not caller().may("settings"):
    st.warning(_("Only an administrator may see the notifications."), icon=":material/lock:")
    st.stop()
st.caption(_("Reminders and digests by e-mail and group robots; `python -m rollout notify run` sends them."))
db = get_db()
try:
    config = notify.configuration(db)
except RolloutError as exc:
    show_error(exc, refused=False)
    st.stop()
notify.channels_section(config)
notify.preview_section(config, filters().as_of)  # the sidebar's day (default today)
notify.outbox_section(db)
notify.test_section(config, is_demo(db))
