"""Plotly figures of a launch plan: the Gantt per branch and the consultant load against capacity."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ui import readiness

STATUS_COLOURS = {**readiness.STATUS_COLOURS, "unknown": "#9467bd"}  # a branch's status, as on the Portfolio
SEGMENTS = {"preparation": 0.45, "stage 1": 0.9, "stage 2": 0.65}  # opacity per segment


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def gantt_figure(plan: dict[str, Any], statuses: dict[str, str], prep_months: int) -> go.Figure:
    """One row per branch: preparation (from the later of kick-off and the preparation window to
    go-live), stage 1 (go-live to stage 2, or one month), stage 2 (one month), a diamond at the
    kick-off; coloured by the branch's current status."""
    bars: dict[tuple[str, str], list[dict[str, Any]]] = {}
    kickoffs = []
    as_of = date.fromisoformat(plan["as_of"])
    for b in plan.get("branches") or []:
        code, status = b["branch_code"], statuses.get(b["branch_code"], "unknown")
        go_live = date.fromisoformat(b["go_live"])
        kickoff = date.fromisoformat(b["kickoff"])
        stage2 = date.fromisoformat(b["stage2_go_live"]) if b["stage2_go_live"] else None
        start = go_live
        for _ in range(prep_months):
            start = (start - timedelta(days=1)).replace(day=1)
        start = max(start, as_of.replace(day=1))
        segments = [("preparation", start, go_live), ("stage 1", go_live, stage2 or _next_month(go_live))]
        if stage2:
            segments.append(("stage 2", stage2, _next_month(stage2)))
        for name, begin, end in segments:
            bars.setdefault((status, name), []).append({"code": code, "begin": begin, "end": end})
        kickoffs.append({"code": code, "kickoff": kickoff})
    fig = go.Figure()
    for (status, name), rows in sorted(bars.items()):
        frame = pd.DataFrame(rows)
        fig.add_bar(y=frame["code"], base=pd.to_datetime(frame["begin"]),
                    x=(pd.to_datetime(frame["end"]) - pd.to_datetime(frame["begin"])).dt.total_seconds() * 1000,
                    orientation="h", name=f"{name} · {status}", opacity=SEGMENTS[name], legendgroup=status,
                    marker_color=STATUS_COLOURS.get(status, STATUS_COLOURS["unknown"]),
                    customdata=frame[["begin", "end"]].astype(str).to_numpy(),
                    hovertemplate=f"%{{y}} {name}: %{{customdata[0]}} → %{{customdata[1]}}<extra>{status}</extra>")
    if kickoffs:
        frame = pd.DataFrame(kickoffs)
        fig.add_scatter(y=frame["code"], x=pd.to_datetime(frame["kickoff"]), mode="markers", name="kick-off",
                        marker={"symbol": "diamond", "size": 9, "color": "black"},
                        hovertemplate="%{y} kick-off %{x|%Y-%m-%d}<extra></extra>")
    codes = [b["branch_code"] for b in plan.get("branches") or []]
    fig.update_layout(barmode="overlay", height=max(260, 22 * len(codes) + 120), xaxis={"type": "date"},
                      yaxis={"categoryorder": "array", "categoryarray": list(reversed(codes)), "title": None},
                      legend={"orientation": "h", "y": -0.15}, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title="Launch plan per branch")
    return fig


def load_figure(plan: dict[str, Any]) -> go.Figure:
    """Consultant days per month (bars) against capacity (line), go-lives per month on hover."""
    frame = pd.DataFrame(plan.get("load") or [], columns=["month", "consultant_days", "capacity", "go_lives"])
    fig = go.Figure()
    fig.add_bar(x=frame["month"], y=frame["consultant_days"], name="consultant days", marker_color="#1f77b4",
                customdata=frame["go_lives"], hovertemplate="%{x}: %{y} days, %{customdata} go-live(s)<extra></extra>")
    fig.add_scatter(x=frame["month"], y=frame["capacity"], mode="lines", name="capacity",
                    line={"color": "#d62728", "dash": "dash"})
    fig.update_layout(title="Consultant load per month", yaxis_title="consultant days", xaxis={"type": "category"},
                      legend={"orientation": "h", "y": -0.2}, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
