"""Live on D, the one definition (METRICS.md "Branch status", rule 1: live when actual_go_live <= D).

The rule is written once, in rollout/metrics/sql/branches_live.sql: metric queries read branches
through it (`{{branches_live}}`), and Python code through `branches_live` here, so "live" and "not
live on D" never differ between the readiness status, lessons, engagement, staffing, the planner
and the steering pack.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from rollout.metrics.queries import load_sql
from rollout.store.db import Database


def branches_live_sql() -> str:
    """The query of every branch (all its columns) with is_live on $as_of, to use as a subquery."""
    return load_sql("branches_live")


def branches_live(db: Database, as_of: date) -> pd.DataFrame:
    """Every branch, all its columns and is_live on as_of, in code order."""
    return db.run(f"SELECT * FROM ({branches_live_sql()}) ORDER BY branch_code", {"as_of": as_of})

