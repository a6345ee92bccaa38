"""Portfolio page (placeholder until its issue lands)."""

import streamlit as st

from ui.common import not_yet

st.title("Portfolio")
not_yet("This page")
