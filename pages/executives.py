"""Executives page (placeholder until its issue lands)."""

import streamlit as st

from ui.common import not_yet

st.title("Executives")
not_yet("This page")
