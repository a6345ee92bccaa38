"""Portfolio: the CIO's landing page, for 20 or 2,000 branches. How the regions stand, where the
portfolio is heading, what changed since the last review, and which branches are most at risk, and why."""

from __future__ import annotations

import streamlit as st

from rollout.core.i18n import _
from rollout.metrics import readiness
from rollout.store.catalogue import region_names
from ui import forecast as forecast_ui
from ui import navigation
from ui.router import ensure_routed
from ui.sections import golive as golive_section
from ui.sections import portfolio as sections
from ui.sections.lessons import critical_flags
from ui.state import by_region, cached, filters
from ui.widgets import code_and_name

ensure_routed()
current = filters()
as_of, regions = current.as_of, current.regions

st.title(_("Portfolio"))
st.caption(current.caption())

every_branch = cached(readiness.branch_status, as_of)
status = by_region(every_branch, regions).reset_index(drop=True)
sections.tiles(status, as_of)
sections.region_rollup(every_branch, cached(region_names), regions)
sections.trend(as_of, regions, status)
sections.what_changed()

critical_flags(as_of, regions)
forecast_ui.go_lives_at_risk_section(as_of, regions)
forecast_ui.track_record_line(as_of)

st.subheader(_("Branches, most at risk first"))
st.caption(_("Red first, then amber (each by slip, largest first), then no plan, green and live. Select a row to "
             "open the branch; the Methodology page defines each status."))
shown, event = sections.branch_table(status, as_of)
selected = getattr(getattr(event, "selection", None), "rows", None) or []
if selected and selected[0] < len(shown):
    navigation.switch_to(navigation.BRANCH, branch=str(shown.loc[selected[0], "branch_code"]))

pick, go = st.columns([3, 1], vertical_alignment="bottom")
names = dict(zip(status["branch_code"], status["branch_name"], strict=True))
choice = pick.selectbox(_("Open a branch"), list(status["branch_code"]), index=None, key="portfolio_branch",
                        format_func=code_and_name(names), placeholder=_("Choose a branch"))
if go.button(_("Open"), key="portfolio_open", disabled=choice is None) and choice is not None:
    navigation.switch_to(navigation.BRANCH, branch=choice)

sections.top_heatmap(status, as_of)
golive_section.live_branches_section(as_of, regions)
