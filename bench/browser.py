"""Every page in real Chromium against a real `streamlit run`, at several portfolio sizes, in one run.

    python bench/browser.py [--sizes 40 2000 10000] [--repeat 3] [--out bench/browser.md] [--work DIR] [--pages P ...]

For each size a demo portfolio is built into a fresh file (or, with --work, taken from DIR/demo_<size>.duckdb
when a previous run left it there: a 2,000-branch demo takes minutes to build) and served by its own
`streamlit run app.py`.
Each page is opened once to warm the server's caches, then `--repeat` times in a fresh browser tab; a
load is timed from navigation until the script has finished running and every plotly chart on the page
has drawn its SVG. The table reports the medians and each larger size's ratio to the smallest (issue 28's
goal: at most 2x at 10,000 branches), and the server's memory after every page was visited (resident now
and its peak, from /proc; goal: under 3 GB at 10,000). Every request the browser makes is recorded: any that leaves the
machine (an icon or a font from the internet) is listed, since the app must work on an intranet.
Nothing here is a timed test; the figures go into the README.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from rollout.demo import portfolio  # noqa: E402
from rollout.store.db import Database  # noqa: E402
from ui.navigation import ALL_PAGES  # noqa: E402

from browser import (  # noqa: E402
    charts_drawn,
    launch_chromium,
    page_url,
    record_outside_requests,
    streamlit_process,
    wait_for_app,
)

TIMEOUT_MS = 300_000  # a page not drawn within 5 minutes is recorded as not measured (nan)
PAGES = [page.url_path for page in ALL_PAGES]  # every page (the local user is the administrator)


def load_seconds(browser: object, url: str, path: str, outside: set[str]) -> float:
    """One cold-tab load of a page: navigation until the script is done and the charts are drawn."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, base_url=url)
    tab = context.new_page()
    record_outside_requests(tab, outside)
    try:
        start = time.perf_counter()
        tab.goto(page_url(path))
        tab.locator(".st-key-as_of_picker").wait_for(timeout=TIMEOUT_MS)
        wait_for_app(tab, timeout=TIMEOUT_MS)
        charts_drawn(tab, timeout=TIMEOUT_MS)
        return time.perf_counter() - start - 0.3  # wait_for_app's fixed settle pause is not the app's time
    finally:
        context.close()


def memory_mb(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak, in MB (Linux's /proc)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def measure(size: int, work: Path, repeat: int, playwright: object, outside: set[str],
            pages: list[str]) -> tuple[dict[str, float], tuple[float, float]]:
    """Each page's median cold load at this size, and the server's memory (now, peak) once every page was seen."""
    path = work / f"demo_{size}.duckdb"
    if not path.exists():
        with Database(path) as db:
            portfolio.build_demo(db, branches=size, seed=7, today=date.today())
    times: dict[str, float] = {}
    with streamlit_process(path, work / f"logs_{size}") as (url, proc):
        browser = launch_chromium(playwright)
        try:
            for page in pages:
                try:
                    load_seconds(browser, url, page, outside)  # warm the server's caches for this page
                    times[page] = statistics.median(load_seconds(browser, url, page, outside) for _ in range(repeat))
                except PlaywrightTimeout:  # a busy machine: record it and measure the other pages
                    times[page] = float("nan")
                print(f"{size:>5} {page:<13} {times[page]:.2f} s", flush=True)
        finally:
            browser.close()
        memory = memory_mb(proc.pid)
        print(f"{size:>5} server memory {memory[0]:.0f} MB, peak {memory[1]:.0f} MB", flush=True)
    return times, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 2000, 10000], metavar="N")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "browser.md")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=PAGES, help="the pages to time (default: all)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the demo files, kept between runs (default: a fresh temporary folder)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = sorted(set(args.sizes))
    if len(sizes) < 2 or sizes[0] < 1:
        parser.error("--sizes needs at least two different positive sizes")
    outside: set[str] = set()
    work = args.work or Path(tempfile.mkdtemp(prefix="rollout-browser-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        results = {size: measure(size, work, args.repeat, playwright, outside, args.pages) for size in sizes}
    larger = sizes[1:]
    lines = [f"Measured {date.today()} in Chromium on 2 cores: median of {args.repeat} cold-tab loads after one "
             f"warm-up, until the script finished and every chart was drawn. Sizes = non-pilot demo branches.", "",
             "| page | " + " | ".join(f"s at {n:,}" for n in sizes) + " | "
             + " | ".join(f"ratio at {n:,}" for n in larger) + " |",
             "|---|" + "---:|" * (len(sizes) + len(larger))]
    for page in args.pages:
        times = [results[n][0][page] for n in sizes]
        lines.append(f"| {page} | " + " | ".join(f"{t:.2f}" for t in times) + " | "
                     + " | ".join(f"{t / times[0]:.2f}x" for t in times[1:]) + " |")
    lines += ["", "| server memory after every page | " + " | ".join(f"{n:,}" for n in sizes) + " |",
              "|---|" + "---:|" * len(sizes),
              "| resident MB | " + " | ".join(f"{results[n][1][0]:.0f}" for n in sizes) + " |",
              "| peak MB | " + " | ".join(f"{results[n][1][1]:.0f}" for n in sizes) + " |"]
    lines += ["", "Requests that left the machine: " + (", ".join(sorted(outside)) if outside else "none.")]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
