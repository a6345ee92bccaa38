"""Executive-engagement sections: the Executives headline and table, the branch head on the Branch page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.i18n import _
from rollout.metrics import engagement
from rollout.store.settings import get_settings
from ui import navigation
from ui.figures import legend_word, score_figure
from ui.formats import last_contact_text
from ui.state import cached


def heads_columns() -> dict:
    """The regional-heads table's column settings (headers come from labels.column_label)."""
    return {"score": st.column_config.NumberColumn(format="%.1f", help=_(
                "Decayed engagement score (Methodology: Executive engagement)")),
            "next go-live": st.column_config.DateColumn(format="YYYY-MM-DD")}


def status_word(status: str) -> str:
    """'Engaged' / 积极: an engagement status as a tile's heading."""
    word = legend_word(status)
    return word[:1].upper() + word[1:]


def label(frame: pd.DataFrame) -> pd.Series:
    """'X02 · 王总' per row (a picker's label)."""
    return frame["exec_code"] + " · " + frame["name"].fillna("")


def heads_display(table: pd.DataFrame) -> pd.DataFrame:
    """The regional-heads table as shown (and downloaded): readable columns, unrounded values kept
    for the download, one decimal in the view (HEADS_COLUMNS)."""
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


def headline(counts: dict[str, int]) -> None:
    """Four numbers (engagement.headline): heads engaged, cooling, silent, and overdue follow-ups."""
    columns = st.columns(4)
    for column, status in zip(columns, engagement.STATUSES, strict=False):
        column.metric(status_word(status), counts[status])
    columns[3].metric(_("Overdue follow-ups"), counts["overdue_follow_ups"])


def branch_section(branch_code: str, as_of: date) -> None:
    """The branch head's engagement at a glance (for the Branch page)."""
    table = cached(engagement.executive_table, as_of)
    heads = table[table["branch_code"] == branch_code]
    st.subheader(_("Branch head engagement"))
    if heads.empty:
        st.info(_("No executive is recorded as this branch's head (executives sheet, branch_code)."))
        return
    history = cached(engagement.score_history, as_of, 12)
    settings = cached(get_settings)
    for row in heads.to_dict("records"):
        title = row["title"] if isinstance(row["title"], str) and row["title"] else ""
        st.text(f"{row['exec_code']} · {row['name']}" + (f" ({title})" if title else ""))
        score, status, contact, overdue = st.columns(4)
        status.metric(_("Status"), legend_word(row["status"]))
        score.metric(_("Engagement score"), f"{row['engagement_score']:.1f}")
        contact.metric(_("Last contact"), last_contact_text(row["days_since_last_touchpoint"]))
        overdue.metric(_("Overdue follow-ups"), int(row["overdue_follow_ups"]),
                       help=_("Open commitments: {count}").format(count=int(row["open_commitments"])))
        fig = score_figure(history[history["exec_code"] == row["exec_code"]], settings)
        fig.update_layout(height=220, showlegend=False)
        st.plotly_chart(fig, width="stretch", key=f"branch_head_score_{row['exec_code']}")
    navigation.link(navigation.EXECUTIVES, _("All executives and this week's call list"))
