"""What the figures of every area share: the red-to-green scale, the margins, an empty figure, a percent
heatmap, and the one way a percentage is written. No metric is computed here."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

RED_TO_GREEN = [[0.0, "#d62728"], [0.5, "#ffdd57"], [1.0, "#2ca02c"]]  # 0 % red, 50 % yellow, 100 % green
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def percent(value: Any, missing: str = "—") -> str:
    """'63.6%' (one decimal), or `missing` (what an undefined figure means here, e.g. 'no plan')."""
    return missing if value is None or pd.isna(value) else f"{float(value):.1f}%"


def empty_figure(message: str) -> go.Figure:
    """A small blank figure that says why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(height=220, xaxis={"visible": False}, yaxis={"visible": False}, margin=MARGIN)
    return fig


def percent_heatmap(pivot: pd.DataFrame, title: str, scale_title: str, hovertemplate: str) -> go.Figure:
    """Rows × columns of percentages (0–100, red to green, whole percent in each cell); a blank cell has none."""
    text = pivot.map(lambda v: "" if pd.isna(v) else f"{v:.0f}%")
    fig = go.Figure(go.Heatmap(
        z=pivot.values, x=list(pivot.columns), y=list(pivot.index), text=text.values, texttemplate="%{text}",
        colorscale=RED_TO_GREEN, zmin=0, zmax=100, colorbar={"title": scale_title}, hovertemplate=hovertemplate))
    fig.update_layout(title=title, height=max(260, 28 * len(pivot) + 120), margin=MARGIN)
    return fig
