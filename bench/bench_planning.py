"""Launch planner benchmark: solve time and gap on demo portfolios of 50, 500 and 2000 branches.

    python bench/bench_planning.py [--sizes 50 500 2000] [--time-limit 20]

Each size is a fresh demo portfolio (rollout.demo.portfolio.build_demo, seed 7). The default settings (at
most 3 go-lives a month over 24 months, 400 consultant days a month) can hold about 70 branches,
so capacity and go-lives per month scale with the portfolio: max(3, ceil(branches / 12)) go-lives
and max(400, 12 × branches) consultant days a month. Every plan is re-checked against the hard
constraints by the test suite's validator. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rollout.demo import portfolio  # noqa: E402
from rollout.planning import planner  # noqa: E402
from rollout.store.db import Database  # noqa: E402

TODAY = date(2026, 11, 22)


def bench(size: int, time_limit: float, folder: Path) -> dict[str, object]:
    with Database(folder / f"bench_{size}.duckdb") as db:
        portfolio.build_demo(db, branches=size, seed=7, today=TODAY, history=False)
        return solve(db, size, time_limit, TODAY)


def solve(db: Database, size: int, time_limit: float, today: date) -> dict[str, object]:
    """Plan one demo portfolio with the scaled settings; the plan re-checked by the tests' validator."""
    planned = db.scalar("SELECT count(*) FROM branches WHERE actual_go_live IS NULL OR actual_go_live > ?",
                        [today])
    overrides = {"max_go_lives_per_month": max(3, math.ceil(size / 12)),
                 "capacity_days_per_month": max(400, 12 * size), "solve_time_limit_s": time_limit}
    started = time.perf_counter()
    result = planner.plan_json(db, today, overrides=overrides)
    seconds = time.perf_counter() - started
    try:
        sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "planning")]
        from test_planning import check_plan

        if result["status"] != "infeasible":
            check_plan(db, today, result, overrides, [], False)
        checked = "ok"
    except ImportError:
        checked = "-"
    objective = result["objective"] or {}
    return {"branches": size, "planned": planned, "go-lives/month": overrides["max_go_lives_per_month"],
            "capacity": overrides["capacity_days_per_month"], "status": result["status"],
            "seconds": f"{seconds:.1f}", "gap": "-" if result["gap"] is None else f"{result['gap']:.4f}",
            "weighted lateness": objective.get("weighted_lateness", "-"),
            "finish": objective.get("finish_month", "-"), "validated": checked}


def markdown(rows: list[dict[str, object]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(row[h]) for h in header) + " |" for row in rows])


def report(paths: dict[int, Path], today: date, time_limit: float = 20.0) -> str:
    """The planner table for bench/run.py, on the demo databases it built."""
    rows = []
    for size, path in sorted(paths.items()):
        with Database(path) as db:
            rows.append(solve(db, size, time_limit, today))
    return markdown(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = [bench(size, args.time_limit, Path(folder)) for size in args.sizes]
    print(markdown(rows))


if __name__ == "__main__":
    main()
