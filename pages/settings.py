"""Settings page (placeholder until its issue lands)."""

import streamlit as st

from ui.common import not_yet

st.title("Settings")
not_yet("This page")
