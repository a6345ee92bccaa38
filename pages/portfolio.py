"""Portfolio: the CIO's landing page. Which branches can go live, which are at risk, and why."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from rollout.exchange.spec import DIMENSIONS
from rollout.metrics import readiness
from ui import forecast as forecast_ui
from ui import navigation
from ui.figures import dimension_heatmap, status_counts_figure
from ui.router import ensure_routed
from ui.sections import golive as golive_section
from ui.sections.lessons import critical_flags
from ui.sections.readiness import portfolio_table
from ui.state import by_region, cached, filters
from ui.widgets import code_and_name, table

ensure_routed()
current = filters()
as_of, regions = current.as_of, current.regions

st.title("Portfolio")
st.caption(current.caption())

status = by_region(cached(readiness.branch_status, as_of), regions).reset_index(drop=True)
tiles = readiness.kpis(status, as_of)
cols = st.columns(6)
cols[0].metric("Live", tiles["live"])
cols[1].metric("Green", tiles["green"])
cols[2].metric("Amber", tiles["amber"])
cols[3].metric("Red", tiles["red"])
cols[4].metric("No plan", tiles["no_plan"])
cols[5].metric("Go-lives in next 60 days", tiles["go_lives_next_days"],
               help=f"Planned go-live from {as_of.isoformat()} to {(as_of + timedelta(days=60)).isoformat()}, "
                    "not live yet")

critical_flags(as_of, regions)
forecast_ui.go_lives_at_risk_section(as_of, regions)

st.subheader("Branches")
st.caption("Select a row to open the branch. Status: the first of live, no plan, red, amber, green that applies "
           "(see Methodology).")
shown = forecast_ui.with_chance(portfolio_table(status), status)
event = table(shown, key="portfolio_table", file_name=f"portfolio_{as_of.isoformat()}", on_select="rerun",
              selection_mode="single-row",
              column_config={"readiness %": st.column_config.NumberColumn(format="%.1f"),
                             "data readiness %": st.column_config.NumberColumn(format="%.1f")})
selected = getattr(getattr(event, "selection", None), "rows", None) or []
if selected and selected[0] < len(shown):
    navigation.switch_to(navigation.BRANCH, branch=str(shown.loc[selected[0], "branch"]))

pick, go = st.columns([3, 1], vertical_alignment="bottom")
codes = list(status["branch_code"])
names = dict(zip(status["branch_code"], status["branch_name"], strict=True))
choice = pick.selectbox("Open a branch", codes, index=None, key="portfolio_branch",
                        format_func=code_and_name(names), placeholder="Choose a branch")
if go.button("Open", key="portfolio_open", disabled=choice is None) and choice is not None:
    navigation.switch_to(navigation.BRANCH, branch=choice)

left, right = st.columns([3, 2])
with left:
    by_dimension = cached(readiness.readiness_by_dimension, as_of)
    st.plotly_chart(dimension_heatmap(by_dimension, codes, list(DIMENSIONS)), width="stretch",
                    key="portfolio_heatmap")
with right:
    grouping = st.radio("Count status per", ["wave", "region"], horizontal=True, key="portfolio_count_by")
    by = "wave" if grouping == "wave" else "region_code"
    st.plotly_chart(status_counts_figure(readiness.count_by(status, by), by), width="stretch",
                    key="portfolio_status_counts")

golive_section.live_branches_section(as_of, regions)
