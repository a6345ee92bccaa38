"""Readiness metrics (METRICS.md "Readiness"). Stub: issue 4 fills it in."""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.db import Database


def summary_fields(db: Database, as_of: date, settings: dict[str, float]) -> pd.DataFrame:
    """branch_code + checklist_readiness, overdue_items, failing_gates, data_readiness,
    forecast_ready_on, slip_days, status (unrounded; summary.py rounds)."""
    return pd.DataFrame(columns=["branch_code"])
