"""Staffing figures (plotly) and the compact staffing section the Branch page draws for one branch.

Figures take the DataFrames of rollout.metrics.staffing and only draw them; no metric is computed here.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rollout.metrics import staffing
from rollout.store.settings import get_settings
from ui.common import cached, plain, table
from ui.figures import empty_figure, percent, percent_heatmap

# 0 key users red, 1 amber, 2+ green (the coverage matrix's z is min(key users, 2)).
COVERAGE_COLOURS = [[0.0, "#d62728"], [0.33, "#d62728"], [0.34, "#ff9f1c"], [0.66, "#ff9f1c"], [0.67, "#2ca02c"],
                    [1.0, "#2ca02c"]]
STATUS_TEXT = {"uncovered": "Uncovered module", "single_point_of_failure": "Single point of failure",
               "covered": "Covered", "no_modules": "No modules"}


MAX_ROWS = 40  # branches drawn in a heatmap; the tables below it hold every branch


def fill_heatmap(matrix: pd.DataFrame, branch_order: list[str] | None = None) -> go.Figure:
    """Branch × role heatmap of fill rate (%); empty cells: the branch has no requirement for the role.
    branch_order: the branches to draw, top first (default: all, by code)."""
    if matrix.empty:
        return empty_figure("No role requirements")
    pivot = matrix.pivot_table(index="branch_code", columns="role", values="fill_rate", aggfunc="first")
    order = [b for b in (branch_order if branch_order is not None else sorted(pivot.index)) if b in pivot.index]
    return percent_heatmap(pivot.reindex(order[::-1]), "Fill rate by branch and role", "Fill %",
                           "branch %{y}<br>role %{x}<br>fill %{z:.1f}%<extra></extra>")


def coverage_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Branch × module key-user coverage (0 red, 1 amber, 2+ green; text says how many are trained).
    Rows keep the matrix order (branches going live soonest at the top), the first MAX_ROWS branches."""
    if matrix.empty:
        return empty_figure("No modules")
    order = list(dict.fromkeys(matrix["branch_code"]))[:MAX_ROWS]
    z = matrix.assign(level=matrix["key_users"].clip(upper=2)).pivot_table(
        index="branch_code", columns="module", values="level", aggfunc="first").reindex(order[::-1])
    text = matrix.pivot_table(index="branch_code", columns="module", values="coverage",
                              aggfunc="first").reindex(order[::-1]).reindex(columns=z.columns).fillna("")
    fig = go.Figure(go.Heatmap(
        z=z.values, x=list(z.columns), y=list(z.index), text=text.values, texttemplate="%{text}",
        colorscale=COVERAGE_COLOURS, zmin=0, zmax=2, showscale=False,
        hovertemplate="branch %{y}<br>module %{x}<br>key users %{text}<extra></extra>"))
    fig.update_layout(height=max(260, 28 * len(z) + 120), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title="Key users per module (soonest go-live at the top)")
    return fig


def norms_caption() -> str:
    """The reference norms, from the settings (configurable on the Settings page)."""
    settings = cached(get_settings)
    return (f"Norms: one key user per {settings['end_users_per_key_user_low']:g}–"
            f"{settings['end_users_per_key_user']:g} end users (from headcount); at least "
            f"{settings['min_key_users_per_module']:g} key users per module; trained = a score of at least "
            f"{settings['training_pass_mark']:g}. Change them on the Settings page.")


def branch_section(branch_code: str, as_of: date) -> None:
    """A compact staffing section for one branch: fill rate, gaps, coverage per module, over-allocated people."""
    branches = cached(staffing.branch_staffing, as_of)
    found = branches[branches["branch_code"] == branch_code]
    st.subheader("Staffing")
    if found.empty:
        st.info(plain(f"No branch {branch_code}."))
        return
    row = found.iloc[0]
    cols = st.columns(5)
    cols[0].metric("Fill rate", percent(row["fill_rate"], "no requirements"))
    cols[1].metric("Gap (fte)", f"{row['gap_fte']:g}")
    cols[2].metric("Uncovered modules", int(row["uncovered_modules"]))
    cols[3].metric("Single points of failure", int(row["spof_modules"]))
    cols[4].metric("Over-allocated people", int(row["over_allocated_people"]))
    norm = ("" if pd.isna(row["key_users_norm_low"]) else
            f" (norm for headcount {int(row['headcount'])}: {int(row['key_users_norm_low'])}–"
            f"{int(row['key_users_norm_high'])})")
    st.caption(plain(f"Staffing status: {STATUS_TEXT.get(row['staffing_status'], row['staffing_status'])}. "
                     f"Key users: {int(row['key_users'])}{norm}. ") + norms_caption())

    coverage = cached(staffing.key_user_coverage, as_of)
    coverage = coverage[coverage["branch_code"] == branch_code]
    left, right = st.columns(2)
    with left:
        st.markdown("**Key users per module**")
        table(coverage[["module", "phase", "key_users", "trained_key_users", "key_user_codes"]],
              key=f"branch_staff_coverage_{branch_code}", file_name=f"key_user_coverage_{branch_code}")
    with right:
        st.markdown("**Gaps**")
        gap_rows = cached(staffing.gaps, as_of)
        table(gap_rows[gap_rows["branch_code"] == branch_code][["role", "module", "required_fte", "assigned_fte",
                                                                "gap"]],
              key=f"branch_staff_gaps_{branch_code}", file_name=f"staffing_gaps_{branch_code}")
    over = cached(staffing.over_allocated_assignments, as_of)
    involved = set(over.loc[(over["home_branch_code"] == branch_code) | (over["branch_code"] == branch_code),
                            "person_code"])
    st.markdown("**Over-allocated people** (their own branch is this one, or they work here)")
    table(over[over["person_code"].isin(involved)], key=f"branch_staff_over_{branch_code}",
          file_name=f"over_allocated_{branch_code}")
