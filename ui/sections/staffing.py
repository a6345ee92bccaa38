"""Staffing sections: the reference norms, the Staffing page's headline and the Branch page's staffing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rollout.metrics import staffing
from rollout.store.settings import get_settings
from ui.formats import STAFFING_STATUS_TEXT, percent
from ui.state import cached
from ui.widgets import plain, table


def norms_caption() -> str:
    """The reference norms, from the settings (configurable on the Settings page)."""
    settings = cached(get_settings)
    return (f"Norms: one key user per {settings['end_users_per_key_user_low']:g}–"
            f"{settings['end_users_per_key_user']:g} end users (from headcount); at least "
            f"{settings['min_key_users_per_module']:g} key users per module; trained = a score of at least "
            f"{settings['training_pass_mark']:g}. Change them on the Settings page.")


def headline(branches: pd.DataFrame) -> None:
    """Five tiles over these branches (rows of staffing.branch_staffing)."""
    kpis = staffing.staffing_kpis(branches)
    cols = st.columns(5)
    cols[0].metric("Branches with an uncovered module", kpis["branches_with_uncovered_module"])
    cols[1].metric("Single points of failure", kpis["spof_modules"])
    cols[2].metric("Uncovered modules", kpis["uncovered_modules"])
    cols[3].metric("Over-allocated people", kpis["over_allocated_people"])
    cols[4].metric("Open gap (fte)", f"{kpis['gap_fte']:.1f}")


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
    status = STAFFING_STATUS_TEXT.get(row["staffing_status"], row["staffing_status"])
    st.caption(plain(f"Staffing status: {status}. Key users: {int(row['key_users'])}{norm}. ") + norms_caption())

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
    st.markdown("**Over-allocated people** (their own branch is this one, or they work here)")
    table(staffing.over_allocated_at(cached(staffing.over_allocated_assignments, as_of), branch_code),
          key=f"branch_staff_over_{branch_code}", file_name=f"over_allocated_{branch_code}")
