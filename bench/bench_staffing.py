"""Time the staffing figures on a big portfolio (issue 5: 2,000 branches "well under a second").

    python -m rollout demo --db /tmp/staff2000.duckdb --branches 2000 --force
    python bench/bench_staffing.py /tmp/staff2000.duckdb [YYYY-MM-DD]

Prints the best and median wall time of 5 runs of each staffing function, and the best CPU time (all
threads of this process; less sensitive to a busy machine). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rollout.metrics import staffing
from rollout.store.db import Database
from rollout.store.settings import get_settings


def timed(label: str, func, *args) -> None:
    runs, cpu = [], []
    for _ in range(5):
        start, start_cpu = time.perf_counter(), time.process_time()
        func(*args)
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"{label:<32} wall best {min(runs) * 1000:7.1f} ms, median {statistics.median(runs) * 1000:7.1f} ms;"
          f" cpu best {min(cpu) * 1000:7.1f} ms")


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/staff2000.duckdb"
    as_of = date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else date.today()
    with Database(path, read_only=True) as db:
        branches = db.scalar("SELECT count(*) FROM branches")
        person = db.scalar("SELECT min(person_code) FROM assignments WHERE role = 'key_user'")
        print(f"{path}: {branches} branches, as of {as_of}")
        settings = get_settings(db)
        timed("summary_fields", staffing.summary_fields, db, as_of, settings)
        timed("requirement_fill", staffing.requirement_fill, db, as_of)
        timed("key_user_coverage", staffing.key_user_coverage, db, as_of)
        timed("over_allocated", staffing.over_allocated, db, as_of)
        timed("coverage_matrix", staffing.coverage_matrix, db, as_of)
        timed("departures", staffing.departures, db, as_of)
        timed(f"what_if_leaves({person})", staffing.what_if_leaves, db, person, as_of)


if __name__ == "__main__":
    main()
