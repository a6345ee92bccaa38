"""The Portfolio page's sections, built for 20 or 2,000 branches: coloured headline tiles, the region
roll-up that filters the page, the weekly trend, what changed since the last review, the branch table
risk first (a page of rows at a time) and the heatmap of the N branches most at risk.

Every figure comes from rollout.metrics.portfolio (and readiness); these functions only draw it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.i18n import _, ngettext
from rollout.core.labels import STATUS_COLOURS
from rollout.core.labels import status_label as status_name
from rollout.exchange.spec import DIMENSIONS
from rollout.metrics import portfolio, readiness
from rollout.steering import snapshots
from ui import navigation
from ui.figures import dimension_heatmap, go_lives_ahead_figure, portfolio_trend_figure, region_status_figure
from ui.formats import go_live_text
from ui.state import cached
from ui.widgets import page_shown, plain, table

TILE_STATUSES = ("live", "green", "amber", "red", "no_plan")
TABLE_PAGE_ROWS = 50  # the branch table shows a page at a time; the download holds every branch
DEFAULT_TOP_N = 25


def tiles(status: pd.DataFrame, as_of: date) -> None:
    """Branches per status, each tile edged in its status colour, and the go-lives of the next 60 days."""
    counts = readiness.kpis(status, as_of)
    # Our own constant CSS (no user text): the tiles' left edge in the one status palette.
    st.html("<style>" + "".join(f".st-key-portfolio_tile_{s} {{border-left: 6px solid {c} !important;}}"
                                for s, c in STATUS_COLOURS.items()) + "</style>")
    columns = st.columns([1] * len(TILE_STATUSES) + [1.6])  # the last label is the longest
    for column, code in zip(columns, TILE_STATUSES, strict=False):
        with column.container(border=True, key=f"portfolio_tile_{code}"):
            st.metric(status_name(code).capitalize(), counts[code])
    with columns[-1].container(border=True, key="portfolio_tile_soon"):
        st.metric(_("Go-lives in next 60 days"), counts["go_lives_next_days"],
                  help=_("Planned go-live within 60 days of {day}, not live yet").format(day=as_of.isoformat()))


def _choose_regions(key: str, codes: list[str]) -> None:
    """The roll-up's selection changed: the chosen regions become the page's filter (the sidebar and
    the URL follow, ui.state); no row chosen means every region."""
    rows = st.session_state[key]["selection"]["rows"]
    st.session_state.regions = [codes[r] for r in rows if r < len(codes)]


def region_rollup(all_status: pd.DataFrame, region_names: Mapping[str, str], regions: tuple[str, ...]) -> None:
    """Region × status counts and readiness spread for every region; choosing rows filters the page."""
    rollup = portfolio.region_rollup(all_status, region_names)
    codes = list(rollup["region_code"])
    st.subheader(_("Regions"))
    st.caption(_("Choose one or more regions to filter the whole page (the sidebar holds the same filter)."))
    left, right = st.columns([3, 2])
    with left:
        # The key follows the filter, so the rows chosen always show the filter the sidebar holds.
        key = "portfolio_rollup_" + "_".join(regions)
        chosen = [codes.index(r) for r in regions if r in codes]
        table(rollup, key=key, file_name="regions", on_select=functools.partial(_choose_regions, key, codes),
              selection_mode="multi-row",
              selection_default={"selection": {"rows": chosen, "columns": []}})
    with right:
        st.plotly_chart(region_status_figure(rollup), width="stretch", key="portfolio_region_chart")


def trend(as_of: date, regions: tuple[str, ...], status: pd.DataFrame) -> None:
    """The portfolio's last 12 weekly reviews (METRICS.md replayed) and the go-lives planned ahead."""
    st.subheader(_("Trend"))
    left, right = st.columns(2)
    history = cached(portfolio.status_history, as_of, 12)  # every region: a region filter replays nothing
    left.plotly_chart(portfolio_trend_figure(portfolio.trend_of(history, as_of, 12, regions)), width="stretch",
                      key="portfolio_trend")
    right.plotly_chart(go_lives_ahead_figure(portfolio.go_lives_ahead(status, as_of)), width="stretch",
                       key="portfolio_ahead")


def what_changed() -> None:
    """What changed since the last review, in three lines, and the way to the detail."""
    st.subheader(_("Since the last review"))
    changes = cached(snapshots.changes_between)
    counts = portfolio.change_counts(changes["tables"])
    if changes["tables"] is None:
        st.caption(_("No two reviews to compare yet: freeze this week's figures on the Steering pack page."))
        return
    shown = {name: _("not recorded") if value is None else str(value) for name, value in counts.items()}
    st.markdown(_("Between the reviews of {old} and {new}:").format(old=changes["old_as_of"],
                                                                    new=changes["new_as_of"]))
    lines = [_("{changed} branches changed status, {red} of them to red").format(
                 changed=shown["status_changes"], red=shown["turned_red"]),
             _readiness_line(portfolio.biggest_moves(changes["tables"])),
             _("{overdue} new overdue items, {gates} new failing gates, {silent} executives went silent").format(
                 overdue=shown["new_overdue"], gates=shown["new_failing_gates"], silent=shown["went_silent"])]
    st.markdown("\n".join(f"- {plain(line)}" for line in lines))  # branch codes are data: inert
    navigation.link(navigation.STEERING, _("Every change, branch by branch"), icon=":material/compare_arrows:")


def _readiness_line(moves: Mapping[str, tuple[str, float] | None]) -> str:
    """The largest readiness rise and fall since the last review, in one sentence."""
    rise, fall = moves["rise"], moves["fall"]
    if rise and fall:
        return _("Readiness rose most at {up} (+{up_points:.1f} points) and fell most at {down} "
                 "({down_points:.1f} points)").format(up=rise[0], up_points=rise[1], down=fall[0],
                                                       down_points=fall[1])
    if rise:
        return _("Readiness rose most at {up} (+{up_points:.1f} points); no branch fell").format(
            up=rise[0], up_points=rise[1])
    if fall:
        return _("Readiness fell most at {down} ({down_points:.1f} points); no branch rose").format(
            down=fall[0], down_points=fall[1])
    return _("No branch's readiness moved")


def branch_table(status: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, object]:
    """The branches risk first (red, then amber, by slip), a page of rows at a time; every branch in the
    download. Returns the rows shown and the table's selection event."""
    rows = portfolio.branch_rows(status)
    rows.insert(rows.columns.get_loc("days_to_go_live"), "go_live",
                [go_live_text(d, a) for d, a in zip(rows["days_to_go_live"], rows["actual_go_live"], strict=True)])
    rows = rows.drop(columns=["days_to_go_live", "actual_go_live"])
    event = table(rows, key="portfolio_table", file_name=f"portfolio_{as_of.isoformat()}", on_select="rerun",
                  selection_mode="single-row", page_rows=TABLE_PAGE_ROWS,
                  rows_text=_("Branches {first} to {last} of {total}, risk first; the download holds every branch."))
    return page_shown(rows, "portfolio_table", TABLE_PAGE_ROWS), event


def top_heatmap(status: pd.DataFrame, as_of: date) -> None:
    """Readiness by dimension of the N branches most at risk (N chosen, 25 by default), risk first."""
    at_risk = int((status["status"].isin(["red", "amber"])).sum())
    n = int(st.number_input(_("Branches in the heatmap (most at risk first)"), min_value=1, max_value=200,
                            value=DEFAULT_TOP_N, step=5, key="portfolio_top_n"))
    codes = portfolio.top_at_risk(status, n)
    if not codes:
        st.caption(_("No branch is red or amber."))
        return
    title = ngettext("Readiness of the {count} branch most at risk", "Readiness of the {count} branches most at risk",
                     len(codes)).format(count=len(codes))
    st.caption(ngettext("{count} branch is red or amber.", "{count} branches are red or amber.", at_risk)
               .format(count=at_risk))
    st.plotly_chart(dimension_heatmap(cached(readiness.readiness_by_dimension, as_of), codes, list(DIMENSIONS),
                                      keep_order=True, title=title), width="stretch", key="portfolio_heatmap")
