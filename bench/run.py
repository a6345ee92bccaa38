"""Benchmarks at 50, 500 and 2,000 branches, reported as ratios measured in one run.

    python bench/run.py [--sizes 50 500 2000] [--out bench/results.md] [--work DIR]

- demo: `python -m rollout demo --branches N` as a user runs it, its wall time and peak memory (a new process;
  with --work, a demo_<N>.duckdb already in DIR is reused, as bench/browser.py and bench/pack.py do).
- summary: `rollout.metrics.summary.summary` vs the same figures from one bare SQL query per metric group
  (bench/bare_sql/*.sql, an independent reading of METRICS.md; the run also checks they agree).
- CLI summary: `python -m rollout summary --json` end to end (a new process: start-up, every figure, printing).
- pages: each page's warm rerun in AppTest (caches filled), at the largest size vs the smallest.
- import: validated rows per second, loading the largest demo's export (.zip of CSVs) into a new file.
- planner: solve status, time and gap at every size (bench/bench_planning.py), when present.
Timings are medians of a few repeats; nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rollout.core.access import LOCAL  # noqa: E402
from rollout.exchange.exporter import export  # noqa: E402
from rollout.exchange.importer import import_workbook  # noqa: E402
from rollout.exchange.sources import read_source  # noqa: E402
from rollout.metrics.summary import summary  # noqa: E402
from rollout.store.db import Database  # noqa: E402

BARE = ROOT / "bench" / "bare_sql"
GROUPS = {"readiness": ("branches", "branch_code"), "staffing": ("branches", "branch_code"),
          "kickoff": ("branches", "branch_code"), "man_days": ("branches", "branch_code"),
          "after_go_live": ("branches", "branch_code"), "engagement": ("executives", "exec_code"),
          "lessons": ("lessons", "lesson_code"), "raid": ("branches", "branch_code")}
# Figure groups that are one object of the summary, not a list: bare_sql/<name>.sql gives its one row.
RECORDS = {"track_record": "forecast_track_record"}
PAGES = ["portfolio", "branch", "executives", "staffing", "lessons", "planning", "steering", "decisions", "data",
         "methodology", "settings"]


def timed(func: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Median seconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cli_demo(path: Path, size: int) -> tuple[float, float]:
    """`rollout demo --branches size` in a new process: (wall seconds, peak resident MB); (nan, nan) when the
    file is there already."""
    if path.exists():
        return float("nan"), float("nan")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "rollout", "demo", "--branches", str(size), "--db", str(path)],
                            cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"demo --branches {size} exited with {proc.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def cli_summary(path: Path, as_of: date) -> float:
    """Median wall seconds of `python -m rollout summary --json` in a new process, start to exit."""
    def once() -> None:
        subprocess.run([sys.executable, "-m", "rollout", "summary", "--db", str(path), "--as-of", as_of.isoformat(),
                        "--json"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return timed(once)[0]


def bare_summary(db: Database, as_of: date) -> dict[str, list[dict]]:
    return {name: db.df((BARE / f"{name}.sql").read_text(), {"d": as_of}).to_dict("records")
            for name in [*GROUPS, *RECORDS]}


def _same(value: object, other: object, tolerance: float = 0.051) -> bool:
    """A bare SQL value and ours alike, once both are plain (a list, an ISO date, None for NaN / NaT);
    numbers within `tolerance` (the rounding of the summary: 1 decimal, 3 for the Brier scores)."""
    if isinstance(value, np.ndarray):  # a list (kickoff_findings) comes back as a numpy array
        value = value.tolist()
    if hasattr(value, "isoformat"):
        value = value.date().isoformat() if hasattr(value, "date") else value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        value = None
    if value is not None and str(value) in ("NaT", "<NA>"):
        value = None
    if isinstance(value, (int, float)) and isinstance(other, (int, float)):
        return abs(value - other) <= tolerance
    return value == other


def agree(ours: dict, bare: dict) -> list[str]:
    """Fields where our summary and the bare queries differ (both rounded as the summary is)."""
    differences = []
    for name, (part, key) in GROUPS.items():
        by_code = {row[key]: row for row in ours[part]}
        for row in bare[name]:
            mine = by_code[row[key]]
            for field, value in row.items():
                if field != key and not _same(value, mine.get(field)):
                    differences.append(f"{name}:{row[key]}.{field} ours={mine.get(field)} bare={value}")
    for name, part in RECORDS.items():  # one object: the bare query's one row, field by field
        for field, value in bare[name][0].items():
            if not _same(value, ours[part].get(field), 0.0005 if field.startswith("brier") else 0.051):
                differences.append(f"{name}.{field} ours={ours[part].get(field)} bare={value}")
    return differences


def page_rerun(db_path: Path, page: str, as_of: date) -> tuple[float, float]:
    """(first run, median warm rerun) of one page in AppTest."""
    from streamlit.testing.v1 import AppTest

    os.environ["ROLLOUT_DB"] = str(db_path)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.session_state["as_of"] = as_of
    app.switch_page(f"pages/{page}.py")
    start = time.perf_counter()
    app.run()
    first = time.perf_counter() - start
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception[0].value}")
    warm, _ = timed(app.run, repeat=3)
    return first, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--work", type=Path, help="folder for the demo files, kept between runs (default: a new one)")
    args = parser.parse_args()
    today = date.today()
    work = args.work or Path(tempfile.mkdtemp(prefix="rollout-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    lines = [f"Measured {today} on {os.cpu_count()} cores; sizes = non-pilot branches of the demo portfolio.", ""]
    sizes, paths = sorted(args.sizes), {}

    lines += ["| branches | rows (every table) | demo build s | demo peak MB | summary s | bare SQL s | ratio "
              "| figures agree | CLI summary s |", "|---:|---:|---:|---:|---:|---:|---:|:--|---:|"]
    for size in sizes:
        path = paths[size] = work / f"demo_{size}.duckdb"
        build, peak = cli_demo(path, size)
        with Database(path, read_only=True) as db:
            tables = db.df("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                           "AND table_type = 'BASE TABLE'")["table_name"]
            rows = sum(db.scalar(f'SELECT count(*) FROM "{table}"') for table in tables)
            summary(db, today)  # warm DuckDB's catalog and file cache for both sides alike
            ours_s, ours = timed(lambda db=db: summary(db, today))
            bare_s, bare = timed(lambda db=db: bare_summary(db, today))
            differences = agree(ours, bare)
        end_to_end = cli_summary(path, today)
        verdict = "yes" if not differences else f"no ({len(differences)}: {differences[0]})"
        lines.append(f"| {size} | {rows:,} | {build:.1f} | {peak:,.0f} | {ours_s:.3f} | {bare_s:.3f} | "
                     f"{ours_s / bare_s:.2f}x | {verdict} | {end_to_end:.2f} |")
        print(lines[-1], flush=True)

    largest, smallest = sizes[-1], sizes[0]
    export_path = export(Database(paths[largest], read_only=True), work / "export.zip")
    total_rows = sum(len(s.row_numbers) for s in read_source(export_path).sheets.values())
    target = Database(work / "import.duckdb")
    start = time.perf_counter()
    import_workbook(target, export_path, caller=LOCAL)
    seconds = time.perf_counter() - start
    target.close()
    lines += ["", "| import | rows | seconds | validated rows / s |", "|---|---:|---:|---:|",
              f"| .zip of CSVs, {largest} branches, into a new file | {total_rows:,} | {seconds:.1f} | "
              f"{total_rows / seconds:,.0f} |"]
    print(lines[-1], flush=True)

    if not args.no_pages:
        lines += ["", f"| page | warm rerun s at {smallest} | warm rerun s at {largest} | ratio | first run s at "
                      f"{largest} |", "|---|---:|---:|---:|---:|"]
        for page in PAGES:
            _, small = page_rerun(paths[smallest], page, today)
            first, big = page_rerun(paths[largest], page, today)
            lines.append(f"| {page} | {small:.3f} | {big:.3f} | {big / small:.2f}x | {first:.2f} |")
            print(lines[-1], flush=True)

    planning = ROOT / "bench" / "bench_planning.py"
    if planning.exists():
        sys.path.insert(0, str(planning.parent))
        import bench_planning

        lines += ["", bench_planning.report({size: paths[size] for size in sizes}, today)]
        print(lines[-1], flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
