"""Settings: the thresholds and weights METRICS.md and PLANNING.md mark *default*."""

from __future__ import annotations

import streamlit as st

from rollout.settings import SETTINGS, get_settings, save_settings
from ui.common import cached, get_db, show_error, table, through_router

through_router()
st.title("Settings")
st.caption("Stored in the database and used by the app and the command line alike. Every change is audited.")
db = get_db()
current = cached(get_settings)

groups = sorted({s.group for s in SETTINGS.values()}, key=lambda g: [s.group for s in SETTINGS.values()].index(g))
for group in groups:
    with st.form(f"settings_{group}"):
        st.subheader(group)
        values = {}
        for key, setting in SETTINGS.items():
            if setting.group != group:
                continue
            if setting.integer:
                values[key] = st.number_input(setting.label, value=int(current[key]), step=1, key=f"setting_{key}",
                                              help=f"default {setting.default:g}")
            else:
                values[key] = st.number_input(setting.label, value=float(current[key]), key=f"setting_{key}",
                                              help=f"default {setting.default:g}")
        if st.form_submit_button("Save", key=f"settings_save_{group}"):
            try:
                changed = save_settings(db, values)
            except Exception as exc:
                show_error(exc)
            else:
                st.success(f"Saved {len(changed)} change(s)." if changed else "Nothing changed.")

st.subheader("Recent changes")
table(db.df("SELECT changed_at, actor, action, table_name, row_key, column_name, old_value, new_value "
            "FROM audit_log ORDER BY audit_id DESC LIMIT 200"), key="audit", file_name="audit_log")
