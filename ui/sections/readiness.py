"""Readiness sections of the Portfolio and Branch pages."""

from __future__ import annotations

import pandas as pd

from ui.formats import status_label


def portfolio_table(status: pd.DataFrame) -> pd.DataFrame:
    """The Portfolio's branch table: one row per branch of readiness.branch_status, the columns the CIO
    reads (figures rounded to one decimal for display)."""
    frame = pd.DataFrame({
        "branch": status["branch_code"], "name": status["branch_name"], "region": status["region_code"],
        "wave": status["wave"], "planned go-live": status["planned_go_live"].dt.date, "stage": status["stage"],
        "status": status["status"].map(status_label), "readiness %": status["checklist_readiness"].round(1),
        "data readiness %": status["data_readiness"].round(1), "slip days": status["slip_days"],
        "overdue items": status["overdue_items"], "failing gates": status["failing_gates"],
        "top reason": status["top_reason"]})
    return frame.reset_index(drop=True)
