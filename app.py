"""The app's frame: page navigation, the shared sidebar (as-of date, region filter) and the one place
where a page's failure becomes a message instead of a traceback (ui.router.routed).

The pages are declared in ui.navigation; the filters live in st.session_state and in the URL's query
parameters (ui.state), so a view can be shared as a link.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from rollout.store.catalogue import region_names
from ui import auth, navigation, router, state

ICON = Path(__file__).resolve().parent / "ui" / "assets" / "icon.png"

# The icon is a file of the repo, served by this server: nothing is fetched from outside the machine (a
# material or emoji icon makes the browser fetch it from the internet, broken on an intranet).
st.set_page_config(page_title="ERP rollout", page_icon=str(ICON), layout="wide")

with router.routed():
    caller = auth.gate()  # sign-in on and no access: the run ends here on a page that says why
    page = navigation.navigation(caller)
    demo = state.is_demo(state.get_db())  # one query per run, for the sidebar's note and the banner
    state.sidebar(state.cached(region_names), demo)
    auth.sidebar_identity(caller)
    if demo:
        st.info("You are looking at a generated demo portfolio. Load your own rollout workbook on the **Data** "
                "page (a template is there too).", icon=":material/science:")
    page.run()
