"""Executive engagement metrics (METRICS.md "Executive engagement"). Stub: issue 6 fills it in."""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.db import Database


def summary_fields(db: Database, as_of: date, settings: dict[str, float]) -> pd.DataFrame:
    """exec_code + engagement_score, days_since_last_touchpoint, status, overdue_follow_ups."""
    return pd.DataFrame(columns=["exec_code"])
