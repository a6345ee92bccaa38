"""The steering pack's size and speed at 41, 2,001 and 10,001 branches (issue 18: at most 12 slides, built in at
most 3 s at 2,000 branches; issue 28: build + PowerPoint within 3x its 41-branch time at 10,000).

    python bench/pack.py [--sizes 41 2001 10001] [--work DIR] [--out bench/pack.md]

For each size (branches with the pilot): the demo (with its 13 weekly snapshots; DIR/demo_<size - 1>.duckdb
when --work holds it, as bench/run.py and bench/browser.py leave it, else built now), then the pack in
English and in Chinese, each on a newly opened store:
- the first build (every figure read, the slides' sentences written: `pack.pack`), timed on its own: it also
  pays for first calls in the process and for the memory the process grows into;
- the build again, the median of three (the page builds the pack on a store the server holds open);
- each renderer (PowerPoint, Excel, HTML; each from a fresh copy of the built pack, so the Excel and HTML
  times include writing the full lists the build defers to them), medians of three;
with the slide count and the full lists' rows. `summary` (every METRICS.md figure, `python -m rollout
summary`) is timed in the same run: the ratio to it holds on a busy machine where the seconds do not (the
load average is printed beside them); so do the last two columns, build + PowerPoint against the smallest
size's (first build and median). Nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import timed  # noqa: E402  (bench/run.py: the median of three runs)

from rollout.cli import main as cli  # noqa: E402
from rollout.metrics.summary import summary  # noqa: E402
from rollout.steering import pack  # noqa: E402
from rollout.store.db import Database  # noqa: E402

REPEAT = 3  # timed()'s repeats


def demo(branches: int, folder: Path) -> Path:
    """The demo of this size: the one a benchmark left in the folder, else one built now."""
    # `demo --branches N` adds the pilot: N - 1 gives N branches in all (41: the default demo)
    path = folder / f"demo_{branches - 1}.duckdb"
    if not path.exists():
        cli(["demo", "--branches", str(branches - 1), "--db", str(path)])
    return path


def measure(path: Path, language: str) -> dict[str, object]:
    with Database(path) as db:
        as_of = db.scalar("SELECT max(as_of) FROM snapshots") or date.today()
        branches = db.scalar("SELECT count(*) FROM branches")
        start = time.perf_counter()
        pack.pack(db, as_of, language)  # the first build on a newly opened store, timed on its own
        first = time.perf_counter() - start
        build, content = timed(lambda: pack.pack(db, as_of, language))
        alone, _figures = timed(lambda: summary(db, as_of))
    row: dict[str, object] = {"branches": branches, "language": language, "slides": content.slide_count,
                              "full rows": sum(len(t.full) for s in content.sections for t in s.tables),
                              "summary s": alone, "first build s": first, "build s": build}
    blob = pickle.dumps(content)  # each render from a fresh copy: the full lists are written in the timed run
    for kind in pack.KINDS:
        row[f"{kind} s"], _data = timed(lambda kind=kind: pack.render(pickle.loads(blob), kind))
    row["build + pptx s"] = row["build s"] + row["pptx s"]
    row["first + pptx s"] = first + row["pptx s"]
    row["(build + pptx) / summary"] = f"{row['build + pptx s'] / alone:.1f}x"
    return row


def table(rows: list[dict[str, object]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")
    return "\n".join(lines)


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[41, 2001, 10001])
    parser.add_argument("--work", help="the folder of the demo files, kept between runs (default: a temporary one)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "pack.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(args.work or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            path = demo(size, folder)
            for language in ("en", "zh"):
                rows.append(measure(path, language))
                print(rows[-1], flush=True)
    for column, label in (("first + pptx s", "first"), ("build + pptx s", "median")):
        # issue 28: build + PowerPoint within 3x its time at the smallest size
        smallest = {row["language"]: row[column] for row in rows if row["branches"] == rows[0]["branches"]}
        for row in rows:
            row[f"{label} vs {rows[0]['branches']}"] = f"{row[column] / smallest[row['language']]:.2f}x"
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    text = (f"Steering pack, measured {date.today().isoformat()} on {os.cpu_count()} cores (load average {load}); "
            f"first build on its own, then medians of {REPEAT} runs.\n\n{table(rows)}\n")
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
