"""The hand-checked store of the forecast's track record (METRICS.md "Forecast track record"), shared by
tests/metrics/test_track_record.py and tests/ui/test_page_track_record.py.

The three branches of the hand-checked store (D = 2026-11-22; week b = (D − 7b, D − 7(b − 1)]):
- ON_TIME: weight 1 done on the last day of each week b = 1…60 (the last on D itself), nothing left.
  As of every F_k: R = k, μ = 1, σ = 0, so P50 = P80 = F_k + 7k = D: decided on the as-of day itself,
  and came true (ready day T = D <= D). Planned go-live D: K = k, k × 1 >= k, chance 100, o = 1.
- NEVER: weight 1 in each week 9…60, nothing in weeks 1…8, weight 1 still open: never ready.
  k >= 8: the window (weeks k+1…k+8) is all ones, R = 1 + (k − 8), P50 = P80 = F_k + 7(k − 7) = D − 49.
  k < 8: μ = k/8, σ = √(k/8 (1 − k/8)), R = 1 (see the cases below). Planned go-live D − 30: o = 0.
- EARLY: weight 1 in each week 12…60 and a push of 3 in week 11 that finished the plan (T = D − 70).
  k <= 10: R = 0, no forecast; k >= 11: R = k − 8, μ = 1, σ = 0, P50 = P80 = F_k + 7(k − 8) = D − 56,
  and T = D − 70 came before it. Planned go-live D − 60: K = k − 9 < R, chance 0, o = 1.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

D = date(2026, 11, 22)
REGIONS = [{"region_code": "R", "region_name": "Region"}, {"region_code": "S", "region_name": "Other"}]


def day(n: int) -> date:
    return D + timedelta(days=n)


def done_in_weeks(code: str, weights: dict[int, float], open_weight: float = 0) -> list[dict]:
    """Items done on the last day of week b (D − 7(b − 1)) with the weight given per week, and one open
    item of `open_weight`."""
    rows = [{"completed_on": day(-7 * (b - 1)), "weight": w, "status": "done"} for b, w in weights.items()]
    if open_weight:
        rows.append({"completed_on": None, "weight": open_weight, "status": "open"})
    return [{"branch_code": code, "item_code": f"{code}-{n:03d}", "dimension": "data", "title": f"task {n}", **r}
            for n, r in enumerate(rows, start=1)]


def branch(code: str, go_live: int, region: str = "R") -> dict:
    return {"branch_code": code, "branch_name": f"Branch {code}", "region_code": region,
            "planned_go_live": day(go_live)}


BRANCHES = [branch("ON_TIME", 0), branch("NEVER", -30), branch("EARLY", -60), branch("ELSEWHERE", 0, "S")]
CHECKLIST = (done_in_weeks("ON_TIME", {b: 1 for b in range(1, 61)})
             + done_in_weeks("NEVER", {b: 1 for b in range(9, 61)}, open_weight=1)
             + done_in_weeks("EARLY", {11: 3, **{b: 1 for b in range(12, 61)}})
             + done_in_weeks("ELSEWHERE", {b: 1 for b in range(1, 61)}))


def never_early_weeks(k: int) -> tuple[float, float]:
    """NEVER's μ and σ as of F_k for k < 8: k ones and 8 − k zeros."""
    share = k / 8
    return share, math.sqrt(share * (1 - share))
