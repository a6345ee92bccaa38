"""The README's pictures of the interface, taken again: `python docs/screenshots.py [--db PATH] [--today DATE]`.

Builds the 40-branch demo portfolio (seed 7, as `python -m rollout demo` does) into a temporary file, or
opens a copy of --db, serves it with a real `streamlit run app.py` (the server the browser tests start,
tests/browser.py) and photographs the Portfolio page in Debian's Chromium (/usr/bin/chromium, headless,
--no-sandbox) once in English and once in Chinese (`?lang=`): docs/screenshot.png and
docs/screenshot_zh.png, which the README shows side by side. Run it after a change people see on the
Portfolio page and commit both pictures; each is about 150 KB (a 1,360 × 960 viewport, the top of the page:
the tiles, the region roll-up and the start of the trend).

Needs the playwright Python package (requirements.txt) and Debian's chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from rollout.demo import portfolio  # noqa: E402
from rollout.store.db import Database  # noqa: E402

from browser import charts_drawn, launch_chromium, page_url, streamlit_server, wait_for_app  # noqa: E402

VIEWPORT = {"width": 1360, "height": 960}
PICTURES = {"en": ROOT / "docs" / "screenshot.png", "zh": ROOT / "docs" / "screenshot_zh.png"}
TIMEOUT_MS = 180_000


def demo_store(folder: Path, source: Path | None, today: date) -> Path:
    """The store to photograph: a copy of source (the server may write to it), else a fresh 40-branch demo."""
    path = folder / "demo.duckdb"
    if source is not None:
        shutil.copy(source, path)
        return path
    with Database(path) as db:
        portfolio.build_demo(db, branches=40, seed=7, today=today)
    return path


def photograph(browser: object, url: str, language: str, as_of: date, out: Path) -> None:
    """The Portfolio page in one language, once the script has finished and every chart is drawn."""
    context = browser.new_context(viewport=VIEWPORT, base_url=url, locale="zh-CN" if language == "zh" else "en-GB")
    try:
        tab = context.new_page()
        tab.goto(page_url("portfolio", lang=language, as_of=as_of.isoformat()))
        tab.locator(".st-key-as_of_picker").wait_for(timeout=TIMEOUT_MS)
        wait_for_app(tab, timeout=TIMEOUT_MS)
        charts_drawn(tab, timeout=TIMEOUT_MS)
        tab.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=TIMEOUT_MS)
        tab.wait_for_timeout(1_000)  # the charts' entry transitions
        tab.screenshot(path=str(out))
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=None, help="a store to photograph (default: a fresh demo)")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the demo's today and the page's as-of date, YYYY-MM-DD (default: today)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rollout-screenshots-") as work:
        folder = Path(work)
        store = demo_store(folder, args.db, args.today)
        with streamlit_server(store, folder / "logs") as url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                for language, out in PICTURES.items():
                    photograph(browser, url, language, args.today, out)
                    print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB", flush=True)
            finally:
                browser.close()


if __name__ == "__main__":
    main()
