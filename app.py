"""The app's frame: the language, page navigation, the shared sidebar (as-of date, region filter) and the
one place where a page's failure becomes a message instead of a traceback (ui.router.routed).

The pages are declared in ui.navigation; the filters and the language live in st.session_state and in
the URL's query parameters (ui.state), so a view can be shared as a link.
"""

from __future__ import annotations

import streamlit as st

from rollout.core.i18n import _
from rollout.store.catalogue import region_names
from ui import navigation, router, state

state.choose_language()  # first: every text of this run, the library's too, is in this language
st.set_page_config(page_title=_("ERP rollout"), page_icon=":material/hub:", layout="wide")

with router.routed():
    page = navigation.navigation()
    demo = state.is_demo(state.get_db())  # one query per run, for the sidebar's note and the banner
    state.language_picker()
    state.sidebar(state.cached(region_names), demo)
    if demo:
        st.info(_("You are looking at a generated demo portfolio. Load your own rollout workbook on the **Data** "
                  "page (a template is there too)."), icon=":material/science:")
    page.run()
