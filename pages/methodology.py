"""Methodology: how every figure is computed, in user words, and the workbook format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from rollout.exchange.spec import SHEETS
from ui.router import ensure_routed

ensure_routed()

DOCS = Path(__file__).resolve().parents[1] / "docs" / "methodology"
ORDER = ["overview", "readiness", "forecast", "staffing", "engagement", "lessons", "golive", "planning", "steering",
         "safety"]

st.title("Methodology")
files = sorted(DOCS.glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem))
for path in files:
    # Our own documentation (not user text): rendered as markdown.
    st.markdown(path.read_text(encoding="utf-8"))

st.header("Workbook format")
st.caption("Generated from the importer's own declaration, so it is always what the importer checks.")
sheet_name = st.selectbox("Sheet", list(SHEETS), key="method_sheet")
sheet = SHEETS[sheet_name]
st.dataframe(pd.DataFrame([{"column": c.name, "required": c.required, "key": c.name in sheet.key,
                            "expected": c.expected(), "refers to": c.ref or ""} for c in sheet.columns]),
             hide_index=True, width="stretch")
