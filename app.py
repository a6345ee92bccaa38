"""The app's frame: page navigation and the shared sidebar (as-of date, region filter).

The filters live in st.session_state and in the URL's query parameters, so a view can be shared
as a link. Pages read them through ui.common.filters().
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from rollout.core.errors import RolloutError
from rollout.store.catalogue import region_names
from ui.common import cached, get_db, is_demo, plain, routed

st.set_page_config(page_title="ERP rollout", page_icon=":material/hub:", layout="wide")

PAGES = {
    "CIO": [
        st.Page("pages/portfolio.py", title="Portfolio", icon=":material/dashboard:", url_path="portfolio",
                default=True),
        st.Page("pages/branch.py", title="Branch", icon=":material/store:", url_path="branch"),
        st.Page("pages/executives.py", title="Executives", icon=":material/handshake:", url_path="executives"),
        st.Page("pages/steering.py", title="Steering pack", icon=":material/slideshow:", url_path="steering"),
        st.Page("pages/decisions.py", title="Go / no-go", icon=":material/gavel:", url_path="decisions"),
    ],
    "Rollout team": [
        st.Page("pages/staffing.py", title="Staffing", icon=":material/groups:", url_path="staffing"),
        st.Page("pages/lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
        st.Page("pages/planning.py", title="Launch planning", icon=":material/calendar_month:",
                url_path="planning"),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"),
    ],
    "Reference": [
        st.Page("pages/methodology.py", title="Methodology", icon=":material/menu_book:", url_path="methodology"),
        st.Page("pages/settings.py", title="Settings", icon=":material/tune:", url_path="settings"),
    ],
}


def _from_url() -> None:
    """Seed the filters from the URL once per session (a shared link opens the same view)."""
    if "as_of" not in st.session_state:
        try:
            st.session_state.as_of = date.fromisoformat(st.query_params.get("as_of", ""))
        except ValueError:
            st.session_state.as_of = date.today()
    if "regions" not in st.session_state:
        wanted = [r for r in st.query_params.get_all("region") if r]
        st.session_state.regions = wanted


def _to_url() -> None:
    as_of = st.session_state.as_of
    if as_of != date.today():
        st.query_params["as_of"] = as_of.isoformat()
    elif "as_of" in st.query_params:
        del st.query_params["as_of"]
    st.query_params["region"] = list(st.session_state.regions)
    if not st.session_state.regions and "region" in st.query_params:
        del st.query_params["region"]


def _keep(name: str) -> None:
    """A sidebar widget changed: keep its value under a key no page switch clears."""
    st.session_state[name] = st.session_state[f"{name}_picker"]


def sidebar(demo: bool) -> None:
    names = cached(region_names)
    _from_url()
    st.session_state.regions = [r for r in st.session_state.regions if r in names]
    # Streamlit drops a widget's state when a page switch interrupts a run; the filters live under
    # their own keys (as_of, regions) and the widgets are set from them on every run.
    st.session_state.as_of_picker = st.session_state.as_of
    st.session_state.regions_picker = list(st.session_state.regions)
    with st.sidebar:
        st.date_input("As of", key="as_of_picker", on_change=_keep, args=("as_of",),
                      help="Every figure is computed as of this date (replay the past).")
        st.multiselect("Regions", list(names), key="regions_picker", on_change=_keep, args=("regions",),
                       format_func=lambda c: f"{c} · {names[c]}", placeholder="All regions")
        if demo:
            st.caption("Demo data. Load your own workbook on the Data page.")
    _to_url()


with routed():
    try:
        page = st.navigation(PAGES)
        demo = is_demo(get_db())  # one query per run, for the sidebar's note and the banner
        sidebar(demo)
        if demo:
            st.info("You are looking at a generated demo portfolio. Load your own rollout workbook on the **Data** "
                    "page (a template is there too).", icon=":material/science:")
        page.run()
    except RolloutError as exc:
        st.error(plain(str(exc)))
