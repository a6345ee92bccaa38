"""The metric queries: rollout/metrics/sql/<name>.sql, one file per METRICS.md figure."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"

_INCLUDE = re.compile(r"\{\{(\w+)\}\}")


# a query's closing ORDER BY: a line that starts with it and the indented lines after it, to the end
_CLOSING_ORDER = re.compile(r"^ORDER BY\b.*(?:\n[ \t].*|\n\s*)*\Z", re.MULTILINE)


@cache
def load_sql(name: str) -> str:
    """The text of rollout/metrics/sql/<name>.sql (metric queries live in files named like the metric).

    `{{other}}` stands for the text of other.sql, so a definition used by several metrics (the
    active assignments on D, "live on D") is written once and each metric file reads as one query.
    Comment lines (`--`) are left as they are, so a header may name an include."""
    lines = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()
    return "".join((line if line.lstrip().startswith("--") else _INCLUDE.sub(lambda m: fragment(m[1]), line)) + "\n"
                   for line in lines)


@cache
def fragment(name: str) -> str:
    """load_sql(name) as another query includes it: without its closing ORDER BY, which orders rows for a
    caller that reads the query alone. A subquery's order means nothing in SQL, yet DuckDB sorts it anyway:
    the staffing summary sorted 68,000 active assignments three times at 10,000 branches. A query whose
    DISTINCT ON picks rows by that order keeps it."""
    text = load_sql(name)
    return text if "DISTINCT ON" in text else _CLOSING_ORDER.sub("", text)
