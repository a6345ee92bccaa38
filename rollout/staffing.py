"""Staffing metrics (METRICS.md "Staffing"). Stub: issue 5 fills it in."""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.db import Database


def summary_fields(db: Database, as_of: date, settings: dict[str, float]) -> pd.DataFrame:
    """branch_code + fill_rate, over_allocated_people, uncovered_modules, spof_modules."""
    return pd.DataFrame(columns=["branch_code"])
