"""Progress of a long run (a demo build, an import, an export) reported to whoever shows it.

The library calls a `Progress` callback with the fraction done (0.0 .. 1.0) and what it is doing in
words; the command line draws a bar on stderr and the Data page an st.progress, so the library never
imports a user interface. Every run that takes a callback ends with a call at 1.0.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]


def silent(done: float, step: str) -> None:
    """The callback of a run nobody watches."""


def part(progress: Progress, start: float, end: float) -> Progress:
    """A callback for one step of a longer run: its 0..1 maps onto start..end of the whole."""
    def report(done: float, step: str) -> None:
        progress(start + (end - start) * min(1.0, max(0.0, done)), step)
    return report
