"""Readiness figures (plotly) and small display helpers for the Portfolio and Branch pages.

Figures take the DataFrames of rollout.metrics.readiness and only draw them; no metric is computed here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ui.figures import MARGIN, empty_figure, percent, percent_heatmap

STATUS_COLOURS = {"red": "#d62728", "amber": "#ff9f1c", "green": "#2ca02c", "live": "#1f77b4",
                  "no_plan": "#9e9e9e"}
STATUS_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "live": "Live", "no_plan": "No plan"}
STATUS_ORDER = ["red", "amber", "green", "no_plan", "live"]


def status_label(status: object) -> str:
    return STATUS_LABELS.get(str(status), str(status))


def readiness_text(value: Any) -> str:
    """'63.6%', or 'no plan' for an undefined readiness (a branch with no checklist item)."""
    return percent(value, "no plan")


def day_text(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def portfolio_table(status: pd.DataFrame) -> pd.DataFrame:
    """The Portfolio's branch table: one row per branch, the columns the CIO reads."""
    frame = pd.DataFrame({
        "branch": status["branch_code"], "name": status["branch_name"], "region": status["region_code"],
        "wave": status["wave"], "planned go-live": status["planned_go_live"].dt.date, "stage": status["stage"],
        "status": status["status"].map(status_label), "readiness %": status["checklist_readiness"].round(1),
        "data readiness %": status["data_readiness"].round(1), "slip days": status["slip_days"],
        "overdue items": status["overdue_items"], "failing gates": status["failing_gates"],
        "top reason": status["top_reason"]})
    return frame.reset_index(drop=True)


def dimension_heatmap(by_dimension: pd.DataFrame, branches: list[str], dimensions: list[str]) -> go.Figure:
    """Branch × dimension heatmap of checklist readiness (%); blank: the branch has no item there."""
    frame = by_dimension[by_dimension["branch_code"].isin(branches)]
    if frame.empty:
        return empty_figure("No checklist items for these branches")
    pivot = frame.pivot_table(index="branch_code", columns="dimension", values="checklist_readiness",
                              aggfunc="first").reindex(columns=dimensions)
    return percent_heatmap(pivot.reindex(sorted(pivot.index, reverse=True)), "Readiness by branch and dimension",
                           "Ready %", "branch %{y}<br>%{x}<br>readiness %{z:.1f}%<extra></extra>")


def status_counts_figure(counts: pd.DataFrame, by: str) -> go.Figure:
    """Stacked bars: branches per wave (or region) and status."""
    if counts.empty:
        return empty_figure("No branches")
    axis = counts[by].map(lambda v: "no wave" if pd.isna(v) else (f"wave {int(v)}" if by == "wave" else str(v)))
    order = sorted(axis.unique(), key=lambda t: (len(t), t))
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = counts[counts["status"] == status]
        if part.empty:
            continue
        fig.add_bar(x=axis[part.index], y=part["branches"], name=status_label(status),
                    marker_color=STATUS_COLOURS[status])
    fig.update_layout(barmode="stack", title=f"Branch status per {'wave' if by == 'wave' else 'region'}",
                      xaxis={"categoryorder": "array", "categoryarray": order}, yaxis={"title": "branches"},
                      height=320, margin=MARGIN)
    return fig


def dimension_bars(by_dimension: pd.DataFrame) -> go.Figure:
    """One branch's readiness per dimension (horizontal bars)."""
    if by_dimension.empty:
        return empty_figure("No checklist items")
    frame = by_dimension.sort_values("dimension", ascending=False)
    fig = go.Figure(go.Bar(x=frame["checklist_readiness"], y=frame["dimension"], orientation="h",
                           text=frame["checklist_readiness"].map(readiness_text), textposition="auto",
                           marker_color="#1f77b4"))
    fig.update_layout(title="Readiness by dimension", xaxis={"range": [0, 100], "title": "%"}, height=300,
                      margin=MARGIN)
    return fig


def trend_figure(trend: pd.DataFrame, as_of: date, readiness: Any, forecast_ready_on: Any,
                 planned_go_live: Any) -> go.Figure:
    """The weekly readiness line, the forecast (dashed, to 100% on the forecast date) and the
    planned go-live (vertical line)."""
    if trend.empty:
        return empty_figure("No plan: no readiness trend")
    fig = go.Figure(go.Scatter(x=trend["week_of"], y=trend["checklist_readiness"], mode="lines+markers",
                               name="readiness", line={"color": "#1f77b4"}))
    if forecast_ready_on is not None and not pd.isna(forecast_ready_on) and readiness is not None \
            and not pd.isna(readiness):
        fig.add_scatter(x=[pd.Timestamp(as_of), pd.Timestamp(forecast_ready_on)], y=[readiness, 100],
                        mode="lines+markers", name="forecast", line={"dash": "dash", "color": "#7f7f7f"})
    if planned_go_live is not None and not pd.isna(planned_go_live):
        x = pd.Timestamp(planned_go_live)
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line={"color": "#d62728", "dash": "dot"})
        fig.add_annotation(x=x, y=1, yref="paper", text="planned go-live", showarrow=False, yanchor="bottom")
    fig.update_layout(title="Readiness trend (weekly) and forecast", yaxis={"range": [0, 105], "title": "%"},
                      height=340, margin=MARGIN, legend={"orientation": "h", "y": -0.15})
    return fig


def master_data_figure(progress: pd.DataFrame) -> go.Figure:
    """Per master-data object: loaded and validated as % of expected."""
    if progress.empty:
        return empty_figure("No master data objects")
    fig = go.Figure()
    fig.add_bar(x=progress["object"], y=progress["loaded_pct"], name="loaded %", marker_color="#aec7e8")
    fig.add_bar(x=progress["object"], y=progress["validated_pct"], name="validated %", marker_color="#1f77b4")
    fig.update_layout(barmode="group", title="Master data: loaded and validated (% of expected)",
                      yaxis={"range": [0, 105]}, height=300, margin=MARGIN)
    return fig
