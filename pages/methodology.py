"""Methodology: how every figure is computed, in user words, and the workbook format.

The text is docs/methodology/<area>.md (English) and docs/methodology/zh/<area>.md (Chinese, the same
areas); a language without its own file of an area shows the English one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from rollout.core import i18n
from rollout.core.i18n import _
from rollout.exchange.spec import SHEETS
from ui import forecast as forecast_ui
from ui.router import ensure_routed
from ui.state import filters
from ui.widgets import header_config

ensure_routed()

DOCS = Path(__file__).resolve().parents[1] / "docs" / "methodology"
ORDER = ["overview", "readiness", "forecast", "staffing", "engagement", "lessons", "golive", "raid", "planning",
         "steering", "safety"]



def in_language(path: Path, language: str) -> Path:
    """The area's text in this language (docs/methodology/<language>/<area>.md), else the English file."""
    translated = path.parent / language / path.name
    return translated if language != i18n.DEFAULT and translated.exists() else path


st.title(_("Methodology"))
files = sorted(DOCS.glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem))
for path in files:
    # Our own documentation (not user text): rendered as markdown.
    st.markdown(in_language(path, i18n.current()).read_text(encoding="utf-8"))
    if path.stem == "forecast":  # the forecast's own track record, live, under how it is made
        forecast_ui.track_record_section(filters().as_of)

st.header(_("Workbook format"))
st.caption(_("Generated from the importer's own declaration, so it is always what the importer checks. Sheet and "
             "column names stay in English in every language: a workbook works whichever language its user reads."))
sheet_name = st.selectbox(_("Sheet"), list(SHEETS), key="method_sheet")
sheet = SHEETS[sheet_name]
columns = pd.DataFrame([{"column": c.name, "required": c.required, "key": c.name in sheet.key,
                         "expected": c.expected(), "refers to": c.ref or ""} for c in sheet.columns])
st.dataframe(columns, hide_index=True, width="stretch", column_config=header_config(columns))
