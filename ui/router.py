"""Every page runs inside app.py's frame, and no exception reaches the user as a traceback.

Why this module exists (the legacy-multipage workaround, kept here and nowhere else):
Streamlit treats an app whose main script has a pages/ folder beside it as an old-style multipage
app (each file of pages/ run alone, no app.py) until st.navigation has run once in the process.
The project keeps its top-level pages/ folder, so the first visit after a server start that goes
straight to a page URL (/staffing?region=EAST) runs pages/staffing.py alone: no navigation, no
sidebar, no filters. Every page therefore starts with `ensure_routed()`, which turns that mode off
(what st.navigation itself does on its first call) and reruns once through app.py. AppTest re-detects
the folder before every run, so the tests switch the mode off with `without_legacy_mode()`.

`routed()` is the frame app.py runs the navigation, the sidebar and the page in: it marks the run as
routed and turns any exception into a message (a RolloutError: its own words; anything else: one
line naming the log file that holds the traceback). Callbacks and deferred downloads run outside a
script run; `guarded` and `deferred` give them the same treatment. The run's caller (CALLER, decided by the
sign-in gate) is forgotten when the run ends: a callback or a download thread never finds an earlier run's
caller (ui.auth.acting and ui.auth.download decide it again).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from rollout.core import i18n
from rollout.core.crashlog import write_crash_log
from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.store.locations import scrub
from ui.location import database_path
from ui.widgets import plain, show_error

P = ParamSpec("P")
R = TypeVar("R")

LOGGER = logging.getLogger("rollout.ui")
FAILURE = "_router_failure"  # a callback's failure, shown by the next routed run
LANGUAGE = "_language"  # the language of the last run (ui.state.choose_language), for callbacks
CALLER = "_caller"  # who this run acts for: set by the sign-in gate (ui.auth), gone when the run ends
_run = threading.local()  # each session's script runs in its own thread


def leave_legacy_mode() -> None:
    """Tell Streamlit this app navigates with st.navigation (what st.navigation's first call does)."""
    PagesManager.uses_pages_directory = False


@contextmanager
def without_legacy_mode() -> Iterator[None]:
    """For AppTest, which re-detects pages/ before every run: keep the legacy mode off inside the block."""
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        leave_legacy_mode()

    PagesManager.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        PagesManager.__init__ = original  # type: ignore[method-assign]


def ensure_routed() -> None:
    """A page's first statement: when Streamlit ran this page alone (legacy mode, see above), leave that
    mode and rerun through app.py. Once only per routed run, so a page can never loop."""
    if getattr(_run, "routed", False) or st.session_state.get("_reroutes", 0) >= 1:
        return
    leave_legacy_mode()
    st.session_state["_reroutes"] = st.session_state.get("_reroutes", 0) + 1
    st.rerun()


def failure_message(exc: BaseException, where: str) -> str:
    """What the user reads in place of an unexpected exception: one line naming the log file."""
    location = database_path()
    log = write_crash_log(exc, context=where, clean=lambda text: scrub(text, location))
    LOGGER.error("%s failed; details in %s", where, log, exc_info=exc)
    return _("Something went wrong on this page. The details were logged to {log}.").format(log=log)


def _show(exc: BaseException, where: str) -> None:
    if isinstance(exc, RolloutError):
        show_error(exc, refused=False)
    else:
        st.error(plain(failure_message(exc, where)), icon=":material/error:")


@contextmanager
def routed(where: str = "app") -> Iterator[None]:
    """app.py runs the navigation, the sidebar and the chosen page inside this."""
    _run.routed = True
    st.session_state["_reroutes"] = 0
    try:
        pending = st.session_state.pop(FAILURE, None)
        if pending is not None:
            _show(*pending)
        yield
    except Exception as exc:  # Streamlit's stop / rerun / switch_page are BaseExceptions: they pass
        _show(exc, where)
    finally:
        _run.routed = False
        st.session_state.pop(CALLER, None)  # decided for this run only


def guarded(func: Callable[P, None]) -> Callable[P, None]:
    """For a widget callback (it runs before the script, outside `routed`): a failure is kept and shown
    by the run that follows, like a failure of the page itself. It speaks the language of the page it was
    clicked on (the callback runs before app.py has chosen this run's language)."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        with i18n.use_language(st.session_state.get(LANGUAGE)):
            try:
                func(*args, **kwargs)
            except Exception as exc:
                st.session_state[FAILURE] = (exc, f"callback {func.__qualname__}")
    return wrapper


def deferred(func: Callable[[], R]) -> Callable[[], R]:
    """For a download written on click (Streamlit calls it outside any script run and shows the error's
    text): a RolloutError keeps its words; anything else becomes one line naming the log file. The file is
    written in the language of the page that offered it."""
    language = i18n.current()

    @functools.wraps(func)
    def wrapper() -> R:
        with i18n.use_language(language):
            try:
                return func()
            except RolloutError:
                raise
            except Exception as exc:
                raise RuntimeError(failure_message(exc, f"download {getattr(func, '__qualname__', func)}")) from None
    return wrapper
