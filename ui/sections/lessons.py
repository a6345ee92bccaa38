"""Lessons sections: the lesson filters and the critical-problem flags (Lessons and Portfolio pages)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from rollout.core.i18n import _, ngettext
from rollout.metrics import lessons
from rollout.store.settings import get_settings
from ui.formats import module_label
from ui.state import by_region, cached
from ui.widgets import table


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


def critical_flags(as_of: date, regions: tuple[str, ...]) -> None:
    """Branches whose critical problems stay open past the limit (Portfolio and Lessons pages)."""
    limit = int(cached(get_settings)["critical_problem_days"])
    flags = by_region(cached(lessons.critical_problem_flags, as_of), regions)
    if flags.empty:
        st.caption(_("No branch has a critical problem open more than {limit} days on {day}.").format(
            limit=limit, day=as_of.isoformat()))
        return
    st.warning(ngettext("{count} branch with critical problems open more than {limit} days.",
                        "{count} branches with critical problems open more than {limit} days.",
                        len(flags)).format(count=len(flags), limit=limit), icon=":material/report:")
    table(flags.rename(columns={"critical_open_past_limit": "critical open past limit"}),
          key="portfolio_critical_flags", file_name=f"critical_problems_{as_of.isoformat()}")
