"""What the Steering and Go / no-go pages show, computed in the library: man-day totals and chart rows,
decisions by region and their verdict counts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rollout.core.access import LOCAL
from rollout.steering import decisions, pack

AS_OF = date(2026, 11, 22)


def _days(branches: int) -> pd.DataFrame:
    rows = [{"branch_code": f"B{i:02d}", "budget_days": 10.0 * i, "used_days": float(i % 7)} for i in range(branches)]
    return pd.concat([pd.DataFrame(rows), pd.DataFrame([{"branch_code": "TOTAL", "budget_days": 5.0,
                                                         "used_days": None, "remaining_days": -1.0}])],
                     ignore_index=True)


def test_man_days_totals_and_chart_rows() -> None:
    days = _days(3)
    assert pack.man_days_totals(days) == {"budget_days": 5.0, "used_days": None, "remaining_days": -1.0}
    shown, count = pack.man_days_chart_rows(days, limit=3)
    assert (list(shown["branch_code"]), count) == (["B00", "B01", "B02"], 3)  # all of them, in code order
    shown, count = pack.man_days_chart_rows(_days(10), limit=3)
    # used days are i % 7: the most are B06 (6), B05 (5), B04 (4)
    assert (list(shown["branch_code"]), count) == (["B06", "B05", "B04"], 10)


@pytest.mark.slow
def test_decisions_by_region_and_verdicts(sample_db) -> None:
    first = decisions.record_decision(sample_db, "B03", "go_with_conditions", date(2026, 11, 20), "CIO",
                                      "close overdue items", date(2026, 12, 1), as_of=AS_OF, caller=LOCAL)
    second = decisions.record_decision(sample_db, "B04", "go", date(2026, 11, 21), "CIO", "", None, as_of=AS_OF,
        caller=LOCAL)
    # B03 is in NORTH, B04 in EAST
    assert list(decisions.decisions_in_regions(sample_db, AS_OF, ("NORTH",))["decision_id"]) == [first]
    both = decisions.decisions_in_regions(sample_db, AS_OF)
    assert sorted(both["decision_id"]) == sorted([first, second]) and set(both["region_code"]) == {"NORTH", "EAST"}
    # B03 is red on 2026-11-22 and its follow-up is not due: open; a plain go has no conditions
    assert decisions.verdict_counts(both) == {"met": 0, "open": 1, "follow-up overdue, not improved": 0,
                                              "no conditions": 1}
