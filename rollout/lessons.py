"""Lessons metrics (METRICS.md "Lessons"). Stub: issue 7 fills it in."""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.db import Database


def summary_fields(db: Database, as_of: date, settings: dict[str, float]) -> pd.DataFrame:
    """lesson_code + application_coverage."""
    return pd.DataFrame(columns=["lesson_code"])
