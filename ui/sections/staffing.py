"""Staffing sections: the reference norms, the Staffing page's headline and the Branch page's staffing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.i18n import _
from rollout.metrics import staffing
from rollout.store.settings import get_settings
from ui.formats import percent, staffing_status_text
from ui.state import cached
from ui.widgets import plain, table


def norms_caption() -> str:
    """The reference norms, from the settings (configurable on the Settings page)."""
    settings = cached(get_settings)
    return _("Norms: one key user per {low}–{high} end users (from headcount); at least {per_module} key users per "
             "module; trained = a score of at least {pass_mark}. Change them on the Settings page.").format(
        low=f"{settings['end_users_per_key_user_low']:g}", high=f"{settings['end_users_per_key_user']:g}",
        per_module=f"{settings['min_key_users_per_module']:g}", pass_mark=f"{settings['training_pass_mark']:g}")


def headline(branches: pd.DataFrame) -> None:
    """Five tiles over these branches (rows of staffing.branch_staffing)."""
    kpis = staffing.staffing_kpis(branches)
    cols = st.columns(5)
    cols[0].metric(_("Branches with an uncovered module"), kpis["branches_with_uncovered_module"])
    cols[1].metric(_("Single points of failure"), kpis["spof_modules"])
    cols[2].metric(_("Uncovered modules"), kpis["uncovered_modules"])
    cols[3].metric(_("Over-allocated people"), kpis["over_allocated_people"])
    cols[4].metric(_("Open gap (fte)"), f"{kpis['gap_fte']:.1f}")


def branch_section(branch_code: str, as_of: date) -> None:
    """A compact staffing section for one branch: fill rate, gaps, coverage per module, over-allocated people."""
    branches = cached(staffing.branch_staffing, as_of)
    found = branches[branches["branch_code"] == branch_code]
    st.subheader(_("Staffing"))
    if found.empty:
        st.info(plain(_("No branch {branch}.").format(branch=branch_code)))
        return
    row = found.iloc[0]
    cols = st.columns(5)
    cols[0].metric(_("Fill rate"), percent(row["fill_rate"], _("no requirements")))
    cols[1].metric(_("Gap (fte)"), f"{row['gap_fte']:g}")
    cols[2].metric(_("Uncovered modules"), int(row["uncovered_modules"]))
    cols[3].metric(_("Single points of failure"), int(row["spof_modules"]))
    cols[4].metric(_("Over-allocated people"), int(row["over_allocated_people"]))
    status = staffing_status_text(row["staffing_status"])
    if pd.isna(row["key_users_norm_low"]):
        words = _("Staffing status: {status}. Key users: {count}.").format(status=status, count=int(row["key_users"]))
    else:
        words = _("Staffing status: {status}. Key users: {count} (norm for headcount {headcount}: {low}–{high})."
                  ).format(status=status, count=int(row["key_users"]), headcount=int(row["headcount"]),
            low=int(row["key_users_norm_low"]), high=int(row["key_users_norm_high"]))
    st.caption(plain(words) + " " + norms_caption())

    coverage = cached(staffing.key_user_coverage, as_of)
    coverage = coverage[coverage["branch_code"] == branch_code]
    left, right = st.columns(2)
    with left:
        st.markdown("**" + _("Key users per module") + "**")
        table(coverage[["module", "phase", "key_users", "trained_key_users", "key_user_codes"]],
              key=f"branch_staff_coverage_{branch_code}", file_name=f"key_user_coverage_{branch_code}")
    with right:
        st.markdown("**" + _("Gaps") + "**")
        gap_rows = cached(staffing.gaps, as_of)
        table(gap_rows[gap_rows["branch_code"] == branch_code][["role", "module", "required_fte", "assigned_fte",
                                                                "gap"]],
              key=f"branch_staff_gaps_{branch_code}", file_name=f"staffing_gaps_{branch_code}")
    st.markdown(_("**Over-allocated people** (their own branch is this one, or they work here)"))
    table(staffing.over_allocated_at(cached(staffing.over_allocated_assignments, as_of), branch_code),
          key=f"branch_staff_over_{branch_code}", file_name=f"over_allocated_{branch_code}")
