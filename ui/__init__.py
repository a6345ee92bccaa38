"""The Streamlit layer: app.py and pages/ draw with it; rollout/ never imports it.

navigation (the pages, declared once) · router (the routed frame: no traceback reaches a user) ·
state (database, cached reads, sidebar filters, flash messages) · figures (pure plotly builders that
escape user text) · formats and widgets (how values and user text are shown) · sections (page parts).
"""
