"""Where an unexpected failure's details go: a log file the user can send to the developers.

A user never sees a traceback (the CLI prints one line, a page one message); both name the file
written here. The folder is ROLLOUT_LOG_DIR, else the system's temporary folder.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path


def log_folder() -> Path:
    return Path(os.environ.get("ROLLOUT_LOG_DIR") or tempfile.gettempdir())


def write_crash_log(exc: BaseException, context: str = "", clean: Callable[[str], str] | None = None) -> Path:
    """Write the traceback of exc (after a line of context, e.g. the page) to a new log file; return its
    path (os.devnull when the folder cannot be written, so the caller still has something to name).
    clean rewrites the text first: the callers mask a server password there (rollout.store.locations.scrub,
    a layer above this one), since the file is meant to be sent to the developers."""
    folder = log_folder()
    stamp = datetime.now()
    path = folder / f"rollout-error-{stamp:%Y%m%d-%H%M%S}-{stamp:%f}-{os.getpid()}.log"
    text = (f"{context}\n" if context else "") + "".join(traceback.format_exception(exc))
    text = clean(text) if clean else text
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError:
        path = Path(os.devnull)
    return path
