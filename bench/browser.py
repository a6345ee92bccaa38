"""Every page in real Chromium against a real `streamlit run`, at two portfolio sizes, in one run.

    python bench/browser.py [--sizes 40 2000] [--repeat 3] [--out bench/browser.md] [--work DIR] [--pages P ...]

For each size a demo portfolio is built into a fresh file (or, with --work, taken from DIR/demo_<size>.duckdb
when a previous run left it there: a 2,000-branch demo takes minutes to build) and served by its own
`streamlit run app.py`.
Each page is opened once to warm the server's caches, then `--repeat` times in a fresh browser tab; a
load is timed from navigation until the script has finished running and every plotly chart on the page
has drawn its SVG. The table reports the medians and the ratio of the largest size to the smallest
(issue 18's goal: at most 1.5x). Every request the browser makes is recorded: any that leaves the
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

from browser import (  # noqa: E402
    charts_drawn,
    launch_chromium,
    page_url,
    record_outside_requests,
    streamlit_server,
    wait_for_app,
)

TIMEOUT_MS = 300_000  # a page not drawn within 5 minutes is recorded as not measured (nan)
PAGES = ["portfolio", "branch", "executives", "steering", "decisions", "staffing", "lessons", "planning", "data",
         "methodology", "settings"]


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


def measure(size: int, work: Path, repeat: int, playwright: object, outside: set[str],
            pages: list[str]) -> dict[str, float]:
    path = work / f"demo_{size}.duckdb"
    if not path.exists():
        with Database(path) as db:
            portfolio.build_demo(db, branches=size, seed=7, today=date.today())
    times: dict[str, float] = {}
    with streamlit_server(path, work / f"logs_{size}") as url:
        browser = launch_chromium(playwright)
        try:
            for page in pages:
                try:
                    load_seconds(browser, url, page, outside)  # warm the server's caches for this page
                    times[page] = statistics.median(load_seconds(browser, url, page, outside) for _ in range(repeat))
                except PlaywrightTimeout:  # a busy machine: record it and measure the other pages
                    times[page] = float("nan")
                print(f"{size:>5} {page:<12} {times[page]:.2f} s", flush=True)
        finally:
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[40, 2000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "browser.md")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=PAGES, help="the pages to time (default: all)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the demo files, kept between runs (default: a fresh temporary folder)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    small, large = sorted(args.sizes)
    outside: set[str] = set()
    work = args.work or Path(tempfile.mkdtemp(prefix="rollout-browser-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        results = {size: measure(size, work, args.repeat, playwright, outside, args.pages) for size in (small, large)}
    lines = [f"Measured {date.today()} in Chromium on 2 cores: median of {args.repeat} cold-tab loads after one "
             f"warm-up, until the script finished and every chart was drawn. Sizes = non-pilot demo branches.", "",
             f"| page | s at {small} | s at {large} | ratio |", "|---|---:|---:|---:|"]
    for page in args.pages:
        a, b = results[small][page], results[large][page]
        lines.append(f"| {page} | {a:.2f} | {b:.2f} | {b / a:.2f}x |")
    lines += ["", "Requests that left the machine: " + (", ".join(sorted(outside)) if outside else "none.")]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
