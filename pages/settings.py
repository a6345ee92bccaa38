"""Settings: the thresholds and weights METRICS.md and PLANNING.md mark *default*."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _, ngettext
from rollout.store.audit import audit_trail
from rollout.store.settings import SETTINGS, get_settings, save_settings
from ui.router import ensure_routed
from ui.sections import notify
from ui.state import cached, caller, get_db
from ui.widgets import setting_input, show_error, table

ensure_routed()
st.title(_("Settings"))
st.caption(_("Stored in the database and used by the app and the command line alike. Every change is audited."))
db = get_db()
current = cached(get_settings)
notify.my_switches()  # everyone: their own rules and language
if not caller().may("settings"):  # settings, the audit trail and backups are for administrators (ACCESS.md)
    st.info(_("Only an administrator may change the settings."), icon=":material/lock:")
    table(pd.DataFrame([{_("Setting"): setting.label, _("Value"): current[key], _("Default"): setting.default}
                        for key, setting in SETTINGS.items()]), key="settings_read", file_name="settings")
    st.stop()

for group in dict.fromkeys(s.group for s in SETTINGS.values()):  # in the registry's order
    with st.form(f"settings_{group}"):
        st.subheader(_(group))
        values = {key: setting_input(key, current[key], f"setting_{key}",
                                     help=_("default {value}").format(value=f"{setting.default:g}"))
                  for key, setting in SETTINGS.items() if setting.group == group}
        if st.form_submit_button(_("Save"), key=f"settings_save_{group}"):
            try:
                changed = save_settings(db, values, caller=caller())
            except RolloutError as exc:
                show_error(exc)
            else:
                st.success(ngettext("Saved {count} change.", "Saved {count} changes.", len(changed)).format(
                    count=len(changed)) if changed else _("Nothing changed."))

st.subheader(_("Recent changes"))
table(cached(audit_trail), key="audit", file_name="audit_log")

st.subheader(_("Back up the database"))
st.caption(_("A consistent copy of everything, taken while the app runs (the command-line backup cannot open the "
             "file while the app holds it). Restore it with `python -m rollout restore --db PATH BACKUP`."))
if st.button(_("Prepare a backup"), key="backup_prepare"):
    from rollout.store.backup import backup_bytes

    with st.spinner(_("Copying the database…")):
        st.session_state["backup_file"] = backup_bytes(db, caller=caller())
if "backup_file" in st.session_state:
    st.download_button(_("Download the backup (.duckdb)"), st.session_state["backup_file"],
                       file_name=f"rollout-backup-{date.today().isoformat()}.duckdb", key="backup_download",
                       mime="application/octet-stream")
