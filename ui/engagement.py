"""Executive-engagement figures (plotly) and the branch head's engagement at a glance.

The figures only draw frames computed by rollout.metrics.engagement; `branch_section` is what the Branch
page shows about its regional head.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from rollout.metrics import engagement
from rollout.store.settings import get_settings
from ui.common import cached

STATUS_COLOURS = {"engaged": "#2e7d32", "cooling": "#f9a825", "silent": "#c62828"}
SENTIMENT_SCALE = [(0.0, "#c62828"), (0.5, "#bdbdbd"), (1.0, "#2e7d32")]


def last_contact_text(days: object) -> str:
    """Days since the last touchpoint in words ("never contacted" when there is none)."""
    if days is None or pd.isna(days):
        return "never contacted"
    days = int(days)
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def label(frame: pd.DataFrame) -> pd.Series:
    return frame["exec_code"] + " · " + frame["name"].fillna("")


def heads_display(table: pd.DataFrame) -> pd.DataFrame:
    """The regional-heads table as shown (and downloaded): readable columns, unrounded values kept
    for the download, one decimal in the view (column_config)."""
    shown = pd.DataFrame({
        "region": table["region_code"],
        "branch": table["branch_code"],
        "executive": table["exec_code"],
        "name": table["name"],
        "status": table["status"],
        "score": table["engagement_score"],
        "last contact": table["days_since_last_touchpoint"].map(last_contact_text),
        "days since last contact": table["days_since_last_touchpoint"],
        "next go-live": pd.to_datetime(table["next_go_live"]).dt.date,
        "go-live branch": table["go_live_branch"],
        "open commitments": table["open_commitments"],
        "overdue follow-ups": table["overdue_follow_ups"],
    })
    return shown.sort_values(["region", "branch", "executive"], na_position="first").reset_index(drop=True)


HEADS_COLUMNS = {
    "score": st.column_config.NumberColumn("score", format="%.1f",
                                           help="Decayed engagement score (Methodology: Executive engagement)"),
    "next go-live": st.column_config.DateColumn("next go-live", format="YYYY-MM-DD"),
}


def headline(heads: pd.DataFrame) -> None:
    """Four numbers: heads engaged, cooling, silent, and overdue follow-ups."""
    columns = st.columns(4)
    for column, status in zip(columns, engagement.STATUSES, strict=False):
        column.metric(status.capitalize(), int((heads["status"] == status).sum()))
    columns[3].metric("Overdue follow-ups", int(heads["overdue_follow_ups"].sum()))


def score_figure(history: pd.DataFrame, settings: dict[str, float]) -> go.Figure:
    """Weekly replay of the engagement score per executive, with the status thresholds."""
    frame = history.assign(executive=label(history))
    fig = px.line(frame, x="as_of", y="engagement_score", color="executive", markers=True,
                  hover_data={"status": True, "engagement_score": ":.1f"},
                  labels={"as_of": "as of (weekly)", "engagement_score": "engagement score"})
    fig.add_hline(y=settings["engaged_score_at_least"], line_dash="dot", line_color=STATUS_COLOURS["engaged"],
                  annotation_text="engaged", annotation_position="top left")
    fig.add_hline(y=settings["silent_score_below"], line_dash="dot", line_color=STATUS_COLOURS["silent"],
                  annotation_text="silent below", annotation_position="bottom left")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="")
    return fig


def timeline_figure(points: pd.DataFrame) -> go.Figure:
    """Touchpoints per executive over time: symbol = channel, colour = sentiment (−2 red … +2 green)."""
    frame = points.assign(executive=label(points), sentiment_shown=points["sentiment"].fillna(0),
                          minutes=points["duration_min"].fillna(15).clip(lower=5))
    fig = px.scatter(frame, x="date", y="executive", symbol="channel", color="sentiment_shown", size="minutes",
                     size_max=16, color_continuous_scale=SENTIMENT_SCALE, range_color=(-2, 2),
                     hover_data={"channel": True, "sentiment": True, "duration_min": True, "minutes": False,
                                 "sentiment_shown": False},
                     labels={"sentiment_shown": "sentiment", "date": "touchpoint date"})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="channel",
                      coloraxis_colorbar={"title": "sentiment", "x": 1.12})
    fig.update_yaxes(title="", categoryorder="category descending")
    return fig


def status_figure(table: pd.DataFrame) -> go.Figure:
    """How many heads are engaged, cooling, silent (bar)."""
    counts = table["status"].value_counts().reindex(list(engagement.STATUSES), fill_value=0)
    fig = px.bar(x=counts.index, y=counts.values, color=counts.index, color_discrete_map=STATUS_COLOURS,
                 labels={"x": "status", "y": "executives"})
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=220)
    return fig


def branch_section(branch_code: str, as_of: date) -> None:
    """The branch head's engagement at a glance (for the Branch page)."""
    table = cached(engagement.executive_table, as_of)
    heads = table[table["branch_code"] == branch_code]
    st.subheader("Branch head engagement")
    if heads.empty:
        st.info("No executive is recorded as this branch's head (executives sheet, branch_code).")
        return
    history = cached(engagement.score_history, as_of, 12)
    settings = cached(get_settings)
    for row in heads.to_dict("records"):
        title = row["title"] if isinstance(row["title"], str) and row["title"] else ""
        st.text(f"{row['exec_code']} · {row['name']}" + (f" ({title})" if title else ""))
        score, status, contact, overdue = st.columns(4)
        status.metric("Status", row["status"])
        score.metric("Engagement score", f"{row['engagement_score']:.1f}")
        contact.metric("Last contact", last_contact_text(row["days_since_last_touchpoint"]))
        overdue.metric("Overdue follow-ups", int(row["overdue_follow_ups"]),
                       help=f"Open commitments: {int(row['open_commitments'])}")
        own = history[history["exec_code"] == row["exec_code"]]
        fig = score_figure(own, settings)
        fig.update_layout(height=220, showlegend=False)
        st.plotly_chart(fig, width="stretch", key=f"branch_head_score_{row['exec_code']}")
    try:
        st.page_link("pages/executives.py", label="All executives and this week's call list",
                     icon=":material/handshake:")
    except StreamlitAPIException:  # drawn outside the app's navigation (a test or another entry point)
        st.caption("All executives and this week's call list: the Executives page.")

