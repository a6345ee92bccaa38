"""Moves this Python process's clock when ROLLOUT_TEST_CLOCK_SHIFT_DAYS is set (tests only).

The test run puts this folder on PYTHONPATH in that mode (tests/conftest.py, .ci/run), so Python imports
it at start-up in every process of the run: pytest, its xdist workers, the CLI and `streamlit run`
subprocesses. Each one travels to its own "now + N days" with the clock ticking on, so a test that
depends on the day it runs fails here rather than on that day. time-machine patches Python's wall clock
(time.time, datetime.now, date.today, ...), not time.monotonic or perf_counter: timeouts and waits keep
working. Never on the app's own path: the app takes its dates as arguments.
"""

from __future__ import annotations

import os

SHIFT_VARIABLE = "ROLLOUT_TEST_CLOCK_SHIFT_DAYS"
moved_days = 0  # how far this process's clock was moved (0: not moved)


def move_clock() -> int:
    """Start travelling N days ahead if the variable asks for it (once per process); the days moved."""
    global moved_days
    days = int(os.environ.get(SHIFT_VARIABLE) or 0)
    if days and not moved_days:
        import datetime as dt

        import time_machine

        time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days), tick=True).start()
        moved_days = days
    return moved_days


move_clock()
