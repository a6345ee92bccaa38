"""The server engine against the embedded file, at 2,000 branches, in one run on one machine.

    python bench/server.py [--branches 2000] [--url postgresql://user:pw@host:port/db] [--out bench/server.md]

Without --url a throwaway PostgreSQL cluster is started (initdb + pg_ctl, as tests/support.py does;
Debian's postgresql package). The database in --url must exist and is emptied first.

- reads, the options measured: `summary` on the embedded file; on the server through the mirror (the
  design: an in-memory DuckDB copy per process, refreshed from PostgreSQL when a table's version row
  moves); and on the server read live (DuckDB ATTACH ... (TYPE postgres), every query scanning
  PostgreSQL). Also: a mirror's first load, its refresh after one edit, and the poll that a warm read
  costs.
- pages: each page's warm rerun (AppTest, caches filled) on the server store against the file.
- import: validated rows per second, the portfolio's export (.zip of CSVs) into a new store of each engine.
Goals (issue 15): server / file at most 2x for summary and every page's warm rerun; import into the
server at least 25,000 validated rows/s. Timings are the best of a few runs, file and server taking turns
(the least disturbed by other load on the machine); not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import duckdb  # noqa: E402
from run import PAGES  # noqa: E402  (bench/run.py: the same pages)

from rollout.core.access import LOCAL  # noqa: E402
from rollout.demo import portfolio  # noqa: E402
from rollout.exchange.edits import update_row  # noqa: E402
from rollout.exchange.exporter import export  # noqa: E402
from rollout.exchange.importer import import_workbook  # noqa: E402
from rollout.exchange.sources import read_source  # noqa: E402
from rollout.metrics.summary import summary  # noqa: E402
from rollout.store.db import Database  # noqa: E402
from rollout.store.server import ServerDatabase, load_postgres_extension  # noqa: E402
from rollout.store.transfer import clear_store, copy_store  # noqa: E402


def best_of(*funcs: Callable[[], object], repeat: int = 5) -> list[float]:
    """Each function's best wall time of `repeat` runs, the functions taking turns (so a burst of load from
    elsewhere on the machine hits them alike; the best run is the least disturbed one)."""
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(repeat):
        for func, spent in zip(funcs, times, strict=True):
            start = time.perf_counter()
            func()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


class LiveReads(ServerDatabase):
    """The option not taken: no mirror, every read runs in DuckDB scanning PostgreSQL live."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._live = duckdb.connect()
        load_postgres_extension(self._live)
        self._live.execute(f"ATTACH '{url}' AS live (TYPE postgres, READ_ONLY)")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._live.cursor()
        cur.execute("USE live")
        return cur

    def close(self) -> None:
        self._live.close()
        super().close()


def warm_page(location: str, page: str, as_of: date) -> object:
    """An AppTest of one page, run once (its caches filled); each further run() is a warm rerun."""
    from streamlit.testing.v1 import AppTest

    os.environ["ROLLOUT_DB"] = location
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.session_state["as_of"] = as_of
    app.switch_page(f"pages/{page}.py")
    app.run()
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception[0].value}")
    return app


def import_into(location: str | Path, export_path: Path) -> float:
    with Database(location) as target:
        clear_store(target)
        start = time.perf_counter()
        import_workbook(target, export_path, caller=LOCAL)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--branches", type=int, default=2000)
    parser.add_argument("--url", help="an existing, empty-able PostgreSQL database (default: a throwaway cluster)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "server.md")
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args()
    today = date.today()
    work = Path(tempfile.mkdtemp(prefix="rollout-bench-server-"))
    server = None
    if args.url:
        url = args.url
    else:
        from support import PostgresServer, postgres_binaries

        bindir = postgres_binaries()
        if bindir is None:
            sys.exit("no PostgreSQL binaries (apt-get install postgresql) and no --url given")
        server = PostgresServer(bindir).start()
        url = server.create_database("bench")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"Measured {today} on {os.cpu_count()} cores (load average {load:.1f} at the start); {args.branches} "
             "branches (demo portfolio); PostgreSQL on the same machine (loopback).", ""]
    try:
        file_path = work / "portfolio.duckdb"
        with Database(file_path) as db:
            counts = portfolio.build_demo(db, branches=args.branches, seed=7, today=today)
        rows = sum(counts.values())

        # --- import into each engine -------------------------------------------------------------
        with Database(file_path, read_only=True) as portfolio_db:
            export_path = export(portfolio_db, work / "export.zip")
        total_rows = sum(len(s.row_numbers) for s in read_source(export_path).sheets.values())
        lines += ["| import (.zip of CSVs, all validated, one transaction; best of 2) | rows | seconds | "
                  "validated rows / s |", "|---|---:|---:|---:|"]
        into_file = min(import_into(work / f"imported{n}.duckdb", export_path) for n in range(2))
        into_server = min(import_into(url, export_path) for _ in range(2))
        lines.append(f"| into a new file | {total_rows:,} | {into_file:.1f} | {total_rows / into_file:,.0f} |")
        lines.append(f"| into the server store | {total_rows:,} | {into_server:.1f} | "
                     f"{total_rows / into_server:,.0f} |")
        print("\n".join(lines[-2:]), flush=True)

        # --- the same portfolio on the server (copy: identical rows) -------------------------------------
        with Database(file_path) as source, Database(url) as target:
            start = time.perf_counter()
            copy_store(source, target)
            copied = time.perf_counter() - start
        lines += ["", f"`copy` file -> server: {rows:,} rows in {copied:.1f} s.", ""]

        # --- reads -------------------------------------------------------------------------------
        lines += ["| reads (best of 5, taking turns) | seconds | vs file | figures identical |", "|---|---:|---:|:--|"]
        start = time.perf_counter()
        mirror_db = Database(url)
        opened = time.perf_counter() - start
        start = time.perf_counter()
        mirror_db.refresh()
        first_load = time.perf_counter() - start
        with Database(file_path) as file_db, LiveReads(url) as live_db:
            expected, figures, live_figures = (summary(db, today) for db in (file_db, mirror_db, live_db))
            file_s, mirror_s, live_s = best_of(lambda: summary(file_db, today), lambda: summary(mirror_db, today),
                                               lambda: summary(live_db, today))
        lines.append(f"| summary, embedded file | {file_s:.3f} | 1.00x | (reference) |")
        lines.append(f"| summary, server, mirror (chosen) | {mirror_s:.3f} | {mirror_s / file_s:.2f}x | "
                     f"{'yes' if figures == expected else 'NO'} |")
        lines.append(f"| summary, server, live ATTACH (not chosen) | {live_s:.3f} | {live_s / file_s:.2f}x | "
                     f"{'yes' if live_figures == expected else 'NO'} |")
        [poll_s] = best_of(lambda: mirror_db.version, repeat=200)
        code = mirror_db.scalar("SELECT min(branch_code) FROM checklist")
        item = mirror_db.df("SELECT * FROM checklist WHERE branch_code = ? ORDER BY item_code LIMIT 1", [code])
        shown = item.to_dict("records")[0]
        with Database(url) as other_replica:  # a write in another process's store object
            update_row(other_replica, "checklist", {"branch_code": code, "item_code": shown["item_code"]},
                       {"owner": "bench"}, original=shown, today=today, caller=LOCAL)
        start = time.perf_counter()
        mirror_db.refresh()
        after_edit = time.perf_counter() - start
        mirror_db.close()
        lines += ["", "| mirror | seconds |", "|---|---:|",
                  f"| open a server store (connect, migrations checked, extension loaded) | {opened:.2f} |",
                  f"| first load of the mirror (every table) | {first_load:.2f} |",
                  f"| refresh after one checklist edit in another replica (checklist + audit_log) | {after_edit:.2f} |",
                  f"| a warm read's poll of the version rows | {poll_s * 1000:.2f} ms |"]
        print("\n".join(lines[-12:]), flush=True)

        # --- pages ---------------------------------------------------------------------------------
        if not args.no_pages:
            lines += ["", "| page (warm rerun, best of 5, taking turns) | file s | server s | server / file |",
                      "|---|---:|---:|---:|"]
            for page in PAGES:
                on_file, on_server = warm_page(str(file_path), page, today), warm_page(url, page, today)
                file_s, server_s = best_of(on_file.run, on_server.run)
                lines.append(f"| {page} | {file_s:.3f} | {server_s:.3f} | {server_s / file_s:.2f}x |")
                print(lines[-1], flush=True)
    finally:
        if server is not None:
            server.stop()
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
