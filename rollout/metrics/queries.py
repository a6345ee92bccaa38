"""The metric queries: rollout/metrics/sql/<name>.sql, one file per METRICS.md figure."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"

_INCLUDE = re.compile(r"\{\{(\w+)\}\}")


@cache
def load_sql(name: str) -> str:
    """The text of rollout/metrics/sql/<name>.sql (metric queries live in files named like the metric).

    `{{other}}` stands for the text of other.sql, so a definition used by several metrics (the
    active assignments on D, "live on D") is written once and each metric file reads as one query.
    Comment lines (`--`) are left as they are, so a header may name an include."""
    lines = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()
    return "".join((line if line.lstrip().startswith("--") else _INCLUDE.sub(lambda m: load_sql(m[1]), line)) + "\n"
                   for line in lines)
