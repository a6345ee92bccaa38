"""Data: load a rollout workbook (dry run first, then confirm), download an export or a template."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rollout.core.errors import ValidationError
from rollout.core.i18n import _
from rollout.exchange.exporter import export_bytes, template_bytes
from rollout.exchange.importer import import_history, load
from rollout.exchange.sources import read_source
from ui.auth import download
from ui.router import ensure_routed
from ui.state import cached, caller, get_db
from ui.widgets import plain, progress_shown, show_error, table

ensure_routed()
WARNINGS_SHOWN = 20  # a workbook with thousands of odd columns must not bury the page in warnings


def show_warnings(warnings: list[str]) -> None:
    for warning in warnings[:WARNINGS_SHOWN]:
        st.warning(plain(warning))
    if len(warnings) > WARNINGS_SHOWN:
        st.warning(_("… and {count} more warnings.").format(count=len(warnings) - WARNINGS_SHOWN))


st.title(_("Data"))
db = get_db()

st.subheader(_("Load a workbook"))
st.caption(_("An .xlsx workbook (one sheet per table), a .zip of CSV files, or one CSV named after its sheet. "
             "Nothing is written until you confirm, and a workbook with any error loads nothing."))
if caller().may("import"):
    upload = st.file_uploader(_("Workbook"), type=["xlsx", "zip", "csv"], key="upload")
else:  # a workbook replaces data for every branch: administrators only (ACCESS.md)
    upload = None
    st.info(_("Only an administrator may load a workbook."), icon=":material/lock:")

if upload is not None:
    data = upload.getvalue()
    try:
        with progress_shown(_("Reading {file}…").format(file=upload.name)) as progress:
            raw = read_source(data, upload.name)
            preview = load(db, raw, dry_run=True, progress=progress, caller=caller())
    except ValidationError as exc:
        st.error(_("Refused: {count} problem(s) in {file}; nothing will be loaded. Fix them in the workbook and "
                   "upload it again.").format(count=len(exc.errors), file=plain(upload.name)))
        table(pd.DataFrame({"problem": [str(e) for e in exc.errors]}), key="import_errors",
              file_name="import_errors")
        show_warnings(exc.warnings)
    else:
        st.success(_("Dry run of {file}: {rows} rows checked, no errors. Nothing is written yet.").format(
            file=plain(upload.name), rows=preview.rows))
        table(preview.table(), key="import_preview", file_name="import_preview")
        show_warnings(preview.warnings)
        if st.button(_("Confirm and load"), key="import_confirm", type="primary"):
            try:
                with progress_shown(_("Checking again against the current database…"), keep=True) as progress:
                    raw = read_source(data, upload.name)
                    result = load(db, raw, caller=caller(), progress=progress)
            except Exception as exc:
                show_error(exc)
            else:
                st.success(plain(_("Loaded {file}: {counts}").format(
                    file=result.file_name,
                    counts=", ".join(f"{t} +{c.inserted} ~{c.updated}" for t, c in result.counts.items()))))

st.subheader(_("Download"))
st.caption(_("The exports are written when you click (every table, as of now): a large portfolio takes a moment."))
left, middle, right = st.columns(3)
# Deferred data: Streamlit calls these on click (not on every rerun of the page), on a thread of its own: the
# caller's scoped handle is captured now and the caller checked again then (ui.auth.download).
left.download_button(_("Export (.xlsx)"), download(lambda scoped: export_bytes(scoped, "xlsx")),
                     file_name="rollout_export.xlsx", key="export_xlsx", on_click="ignore",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
middle.download_button(_("Export (.zip of CSV)"), download(lambda scoped: export_bytes(scoped, "zip")),
                       file_name="rollout_export.zip", key="export_zip", mime="application/zip", on_click="ignore")
right.download_button(_("Empty template (.xlsx)"), template_bytes(), file_name="rollout_template.xlsx",
                      key="template_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader(_("Load history"))
if db.regions is not None:  # the counts are whole-portfolio figures (rollout.exchange.importer.import_history)
    st.caption(_("The rows each load inserted and updated count every region's rows: they are shown to those "
                 "who see every region."))
table(cached(import_history), key="import_history", file_name="import_history")
