"""`notify run` at scale (issue 25: the 2,000-branch demo with 500 recipients queues and renders every
message in under 30 s on this machine). Not a timed test.

    python bench/notify.py [--branches 2000] [--users 500] [--db PATH]

The demo (built once, or the given file) gets `--users` app users, scoped one region each, a few of every
region, in both languages; then the Monday 09:01 of the demo's week is computed: every rule due, every
message rendered and queued in the outbox (the demo's channels: nothing is delivered). Printed: seconds
for the preview (the rules' figures per scope and language), for rendering and queueing, and the counts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rollout.cli import main as cli  # noqa: E402
from rollout.demo.notify import demo_config  # noqa: E402
from rollout.notify import outbox  # noqa: E402
from rollout.notify.run import outbox_rows, preview  # noqa: E402
from rollout.store.db import Database  # noqa: E402


def add_users(db: Database, count: int) -> None:
    """`count` users: every tenth an administrator, the rest viewers and editors of one region each."""
    regions = [r[0] for r in db.rows("SELECT region_code FROM regions ORDER BY 1")]
    with db.transaction() as cur:
        cur.execute("DELETE FROM users")
        cur.execute("DELETE FROM notify_preferences")
        for n in range(count):
            role = "admin" if n % 10 == 0 else ("viewer" if n % 2 else "editor")
            email = f"user{n:04d}@demo.example"
            cur.execute("INSERT INTO users VALUES (?, NULL, ?, ?, TRUE, ?, 'bench')",
                        [email, role, "*" if role == "admin" else regions[n % len(regions)], datetime(2026, 1, 1)])
            if n % 3 == 0:
                cur.execute("INSERT INTO notify_preferences VALUES (?, 'en', '', ?)", [email, datetime(2026, 1, 1)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=2000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.db) if args.db else Path(folder) / "demo.duckdb"
        if not args.db:
            cli(["demo", "--branches", str(args.branches - 1), "--db", str(path)])
        with Database(path) as db:
            add_users(db, args.users)
            with db.transaction() as cur:
                cur.execute("DELETE FROM notify_outbox")
            as_of = db.scalar("SELECT max(as_of) FROM snapshots")
            monday = as_of + timedelta(days=(7 - as_of.weekday()) % 7)
            config = demo_config()
            now = datetime.fromisoformat(f"{monday.isoformat()}T09:01:00+08:00")
            start = time.perf_counter()
            due = preview(db, config, now)
            computed = time.perf_counter() - start
            rows = outbox_rows(due, config)
            rendered = time.perf_counter() - start - computed
            queued = outbox.queue(db, rows, now)
            total = time.perf_counter() - start
    print(f"{args.branches} branches, {args.users} users, {monday}: {len(due.contents)} messages "
          f"({queued} queued), {len(due.unrouted)} unrouted items, {len(due.bad_addresses)} bad addresses")
    print(f"rules {computed:.1f} s, render {rendered:.1f} s, queue {total - computed - rendered:.1f} s, "
          f"total {total:.1f} s (goal: under 30 s)")


if __name__ == "__main__":
    main()
