"""Figures of the Lessons page and the Portfolio page's critical-problem flags.

Figures take the DataFrames rollout.metrics.lessons returns and only draw them (no metric arithmetic).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rollout.metrics import lessons
from rollout.store.settings import get_settings
from ui.common import by_region, cached, filters, table
from ui.figures import percent

NO_MODULE = "(no module)"
STATUS_COLOURS = {"missing": "#d62728", "planned": "#ffbf00", "applied": "#8fd175", "verified": "#2ca02c",
                  "not_applicable": "#b0b0b0"}
SEVERITY_COLOURS = {"critical": "#d62728", "high": "#ff7f0e", "medium": "#ffbf00", "low": "#9e9e9e"}
IMPACT_COLOURS = {"high": "#d62728", "medium": "#ff7f0e", "low": "#9e9e9e"}


def module_label(module: object) -> str:
    return NO_MODULE if module is None or pd.isna(module) or module == "" else str(module)


def filter_lessons(frame: pd.DataFrame, categories: Sequence[str], impacts: Sequence[str],
                   modules: Sequence[str]) -> pd.DataFrame:
    """Rows whose lesson matches the chosen categories, impacts and modules (empty choice: all)."""
    keep = pd.Series(True, index=frame.index)
    if categories:
        keep &= frame["category"].isin(list(categories))
    if impacts:
        keep &= frame["impact"].isin(list(impacts))
    if modules:
        keep &= frame["module"].map(module_label).isin(list(modules))
    return frame[keep]


def lessons_by_category_fig(overview: pd.DataFrame) -> go.Figure:
    """Number of lessons per category, stacked by impact."""
    fig = go.Figure()
    for impact in ("high", "medium", "low"):
        part = overview[overview["impact"] == impact].groupby("category").size()
        fig.add_bar(x=part.index.tolist(), y=part.values.tolist(), name=impact, marker_color=IMPACT_COLOURS[impact])
    fig.update_layout(barmode="stack", height=320, margin={"t": 30, "b": 10}, yaxis_title="lessons",
                      legend_title_text="impact", title="Lessons by category and impact")
    return fig


def coverage_fig(overview: pd.DataFrame) -> go.Figure:
    """Application coverage per lesson (percent of eligible branches)."""
    shown = overview.sort_values("lesson_code", ascending=False)
    fig = go.Figure(go.Bar(
        x=shown["application_coverage"], y=shown["lesson_code"], orientation="h",
        text=[percent(v, "n/a") for v in shown["application_coverage"]],
        customdata=shown[["title", "covered_branches", "eligible_branches"]].to_numpy(),
        hovertemplate="%{y}: %{customdata[0]}<br>%{customdata[1]} of %{customdata[2]} branches<extra></extra>"))
    fig.update_layout(height=120 + 28 * len(shown), margin={"t": 30, "b": 10}, xaxis={"range": [0, 100],
                      "title": "coverage (%)"}, title="Application coverage per lesson")
    return fig


MATRIX_CHART_BRANCHES = 60  # a heatmap with more columns is unreadable (the table has every branch)


def matrix_branches(matrix: pd.DataFrame) -> list[str]:
    """The matrix's branches in its order (going live soonest first)."""
    return matrix.sort_values("branch_order")["branch_code"].drop_duplicates().tolist()


def matrix_fig(matrix: pd.DataFrame, limit: int = MATRIX_CHART_BRANCHES) -> go.Figure:
    """Lesson x branch heatmap of the application status (the `limit` branches going live soonest)."""
    statuses = list(lessons.MATRIX_STATUSES)
    branches = matrix_branches(matrix)[:limit]
    matrix = matrix[matrix["branch_code"].isin(branches)].astype({"status": object})  # object: a fast pivot
    codes = sorted(matrix["lesson_code"].unique(), reverse=True)
    grid = matrix.pivot(index="lesson_code", columns="branch_code", values="status").reindex(index=codes,
                                                                                                columns=branches)
    z = grid.map(lambda s: statuses.index(s) if isinstance(s, str) else None)
    n = len(statuses)
    scale = []
    for i, status in enumerate(statuses):
        scale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=branches, y=codes, text=grid.to_numpy(), texttemplate="%{text}",
                               colorscale=scale, zmin=-0.5, zmax=n - 0.5, showscale=False, xgap=2, ygap=2,
                               hovertemplate="%{y} at %{x}: %{text}<extra></extra>"))
    fig.update_layout(height=140 + 40 * len(codes), margin={"t": 30, "b": 10}, xaxis={"side": "top", "type":
                      "category"}, yaxis={"type": "category"}, title="")
    return fig


def backlog_fig(backlog: pd.DataFrame) -> go.Figure:
    """Open problems per live branch, stacked by severity."""
    fig = go.Figure()
    for severity in ("critical", "high", "medium", "low"):
        part = backlog[backlog["severity"] == severity].groupby("branch_code")["open_problems"].sum()
        fig.add_bar(x=part.index.tolist(), y=part.values.tolist(), name=severity,
                    marker_color=SEVERITY_COLOURS[severity])
    fig.update_layout(barmode="stack", height=320, margin={"t": 30, "b": 10}, yaxis_title="open problems",
                      xaxis={"type": "category"}, title="Open problem backlog by severity")
    return fig


def weekly_fig(per_week: pd.DataFrame) -> go.Figure:
    """Problems opened and closed per week after go-live, one branch."""
    fig = go.Figure()
    fig.add_bar(x=per_week["week"], y=per_week["opened"], name="opened", marker_color="#d62728")
    fig.add_bar(x=per_week["week"], y=per_week["closed"], name="closed", marker_color="#2ca02c")
    fig.update_layout(barmode="group", height=300, margin={"t": 30, "b": 10}, xaxis_title="week after go-live",
                      yaxis_title="problems", title="Problems opened and closed per week")
    return fig


def portfolio_flags(as_of: date) -> None:
    """The Portfolio page's flag: branches whose critical problems stay open past the limit."""
    limit = int(cached(get_settings)["critical_problem_days"])
    flags = by_region(cached(lessons.critical_problem_flags, as_of), filters().regions)
    if flags.empty:
        st.caption(f"No branch has a critical problem open more than {limit} days on {as_of.isoformat()}.")
        return
    st.warning(f"{len(flags)} branch(es) with critical problems open more than {limit} days.",
               icon=":material/report:")
    table(flags.rename(columns={"critical_open_past_limit": "critical open past limit"}),
          key="portfolio_critical_flags", file_name=f"critical_problems_{as_of.isoformat()}")
