"""The steering pack as data: sections of tables and charts that the three renderers draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

NOT_YET = "not yet available"


@dataclass
class Chart:
    """A native chart: categories from one column, one series per value column."""

    kind: str  # "bar" (clustered columns) or "pie"
    category: str
    values: list[str]
    title: str


@dataclass
class Section:
    key: str
    title: str
    frame: pd.DataFrame | None = None  # None: the section's figures are not available
    note: str = ""
    chart: Chart | None = None


@dataclass
class Pack:
    title: str
    as_of: date
    sections: list[Section] = field(default_factory=list)
