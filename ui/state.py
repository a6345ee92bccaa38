"""What a session holds: the database handle, cached reads, the sidebar filters, flash messages.

- The database: one `Database` per process (created with the demo portfolio on first run).
- `cached(func, *args)`: func(db, *args), typed like func, cached per (function, arguments, database
  version): every committed write bumps the version, so an edit refreshes exactly what depends on it.
- The filters (as-of date, regions) live in st.session_state under their own keys and in the URL
  (?as_of=YYYY-MM-DD&region=EAST), so a view can be shared as a link. A link's date outside
  1990-01-01..2100-12-31, a date that does not parse and an unknown region are replaced (today, all
  regions) with a notice.
- Flash messages: a page that saves something and reruns shows the result on the run that follows.
- The language (English / 中文): the sidebar's choice, kept in the URL (?lang=zh); with none made, the
  browser's (st.context.locale); else English. Set once per run, before anything is drawn.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from rollout.core import i18n
from rollout.core.access import Caller
from rollout.core.errors import AccessDeniedError, RolloutError
from rollout.core.i18n import _
from rollout.core.limits import EARLIEST_DATE as EARLIEST
from rollout.core.limits import LATEST_DATE as LATEST
from rollout.store.db import Database, is_server_location, open_store
from ui.location import database_path
from ui.router import CALLER, LANGUAGE
from ui.widgets import plain, show_error

P = ParamSpec("P")
R = TypeVar("R")


# --- the database and cached reads -------------------------------------------------------------------


@st.cache_resource(show_spinner="Opening the rollout database…")
def _open(location: str) -> Database:
    """The store at location (rollout.store.open_store chooses the engine); a new file starts as the demo."""
    fresh = not is_server_location(location) and not Path(location).exists()
    db = open_store(location)
    if fresh:
        from rollout.demo import portfolio

        portfolio.build_demo(db, today=date.today())
    return db


def store() -> Database:
    """The whole store, unscoped: for the sign-in gate alone (it reads users and sign-outs before anyone is
    known). Everything else reads through get_db()."""
    return _open(str(database_path()))


def get_db() -> Database:
    """The process-wide database as this run's caller may read it: only the branches of its regions exist
    (rollout.store.scope; an admin or a caller of every region gets the store itself). Writes through it
    reach the store, checked by role and scope in the library."""
    return store().scoped(caller())


def caller() -> Caller:
    """Who this script run acts for: set once per run by the sign-in gate in app.py (ACCESS.md; with sign-in
    off, the gate decides the local administrator). Every library write takes it; reads are scoped by it.
    Outside a run the gate decided (a callback, a download thread) nobody is known: refused, never a default."""
    who = st.session_state.get(CALLER)
    if not isinstance(who, Caller):
        raise AccessDeniedError(_("Who is acting is not known here, so nothing was done. Reload the page."))
    return who


def is_demo(db: Database) -> bool:
    return bool(db.scalar("SELECT count(*) FROM import_log WHERE file_name = 'demo'"))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(path: str, version: int, scope: tuple[str, ...] | None, language: str, target: str, args: tuple,
            kwargs: tuple) -> Any:
    module_name, func_name = target.rsplit(".", 1)
    func = getattr(importlib.import_module(module_name), func_name)
    # reads only: the scope is all that matters, carried as the handle's set (None: every region), never as text
    reader = Caller("cache", "viewer", None if scope is None else frozenset(scope))
    with i18n.use_language(language):  # the library's words in a frame (reasons, actions) are in this language
        return func(_open(path).scoped(reader), *args, **dict(kwargs))


def cached(func: Callable[Concatenate[Database, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """func(db, *args, **kwargs) on this run's scoped handle, cached until the next write. The scope and the
    language are part of the key: a caller never gets a frame computed for another scope, nor words of another
    language. func must be a module-level rollout
    function (it is found again by name) and its arguments hashable by Streamlit."""
    return cached_on(get_db(), func, *args, **kwargs)


def cached_on(db: Database, func: Callable[Concatenate[Database, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """cached() on a scoped handle captured earlier: a download written on click runs on a thread of its own,
    where no run's caller is known, so it hands in the handle its run captured (ui.auth.download)."""
    regions = getattr(db, "regions", None)
    scope = None if regions is None else tuple(sorted(regions))
    return _cached(db.path, db.version, scope, i18n.current(), f"{func.__module__}.{func.__name__}", args,
                   tuple(sorted(kwargs.items())))


# --- the language ------------------------------------------------------------------------------------


def language_wanted(chosen: str | None, url: str | None, browser: str | None) -> tuple[str, bool]:
    """The language of a run and whether a person chose it: the sidebar's choice, else the link's ?lang=,
    else the browser's locale, else English (an unknown value is skipped, with no error)."""
    for tag, explicit in ((chosen, True), (url, True), (browser, False)):
        language = i18n.normalise(tag)
        if language:
            return language, explicit
    return i18n.DEFAULT, False


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # no browser behind this run (a test, a bare script run)
        return None


def choose_language() -> str:
    """Set this run's language (app.py's first step, so every message, the library's too, follows it) and
    keep a person's choice in the URL: a shared link opens in the same language."""
    language, explicit = language_wanted(st.session_state.get("lang"), st.query_params.get("lang"),
                                         _browser_locale())
    i18n.set_language(language)
    st.session_state[LANGUAGE] = language  # for the callbacks of the next run (ui.router.guarded)
    if explicit:
        st.session_state["lang"] = language
        st.query_params["lang"] = language
    elif "lang" in st.query_params:  # an unknown ?lang= value: dropped from the link
        del st.query_params["lang"]
    return language


def language_picker() -> None:
    """The sidebar's English / 中文 switch (its change reruns the page in that language)."""
    st.session_state.lang_picker = i18n.current()
    st.sidebar.segmented_control(_("Language"), list(i18n.LANGUAGES), key="lang_picker", on_change=_keep,
                                 args=("lang",), format_func=i18n.LANGUAGES.get, selection_mode="single")


# --- the sidebar filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    as_of: date
    regions: tuple[str, ...]  # empty: every region

    def caption(self) -> str:
        """'As of 2026-11-22 · regions EAST, WEST' (made plain: region codes come from the data)."""
        if not self.regions:
            return plain(_("As of {day}").format(day=self.as_of.isoformat()))
        return plain(_("As of {day} · regions {regions}").format(day=self.as_of.isoformat(),
                                                                 regions=", ".join(self.regions)))


def filters() -> Filters:
    """The sidebar's as-of date and region filter (app.py draws them; kept in the URL)."""
    return Filters(st.session_state.get("as_of", date.today()), tuple(st.session_state.get("regions", ())))


def by_region(frame: pd.DataFrame, regions: tuple[str, ...], column: str = "region_code") -> pd.DataFrame:
    """Rows of the chosen regions (all rows when none is chosen)."""
    if not regions or column not in frame.columns:
        return frame
    return frame[frame[column].isin(regions)]


def as_of_from_url(text: str | None, today: date) -> tuple[date, str | None]:
    """The as-of date a link asks for, or today and why not (None: nothing to say)."""
    if not text:
        return today, None
    try:
        asked = date.fromisoformat(text.strip())
    except ValueError:
        return today, _("The link's as-of date {text} is not a date (YYYY-MM-DD): showing today, {today}.").format(
            text=repr(text[:40]), today=today.isoformat())
    if not EARLIEST <= asked <= LATEST:
        return today, _("The link's as-of date {day} is outside {earliest} to {latest}: showing today, "
                        "{today}.").format(day=asked.isoformat(), earliest=EARLIEST.isoformat(),
                                           latest=LATEST.isoformat(), today=today.isoformat())
    return asked, None


def regions_from_url(wanted: list[str], known: set[str]) -> tuple[list[str], str | None]:
    """The regions a link asks for that exist, and a notice naming those that do not."""
    unknown = [r for r in wanted if r not in known]
    kept = [r for r in wanted if r in known]
    if not unknown:
        return kept, None
    names = ", ".join(r[:40] for r in unknown[:5]) + (" …" if len(unknown) > 5 else "")
    if not kept:
        return kept, _("The link names region(s) that do not exist ({names}): showing every region.").format(
            names=names)
    return kept, _("The link names region(s) that do not exist ({names}): showing the others.").format(names=names)


def _seed_from_url(known: set[str]) -> list[str]:
    """Set the filters from the URL once per session (a shared link opens the same view); the notices."""
    notices = []
    if "as_of" not in st.session_state:
        st.session_state.as_of, notice = as_of_from_url(st.query_params.get("as_of"), date.today())
        notices.append(notice)
    if "regions" not in st.session_state:
        st.session_state.regions, notice = regions_from_url([r for r in st.query_params.get_all("region") if r],
                                                            known)
        notices.append(notice)
    return [n for n in notices if n]


def _to_url() -> None:
    as_of = st.session_state.as_of
    if as_of != date.today():
        st.query_params["as_of"] = as_of.isoformat()
    elif "as_of" in st.query_params:
        del st.query_params["as_of"]
    st.query_params["region"] = list(st.session_state.regions)
    if not st.session_state.regions and "region" in st.query_params:
        del st.query_params["region"]


def _keep(name: str) -> None:
    """A sidebar widget changed: keep its value under a key no page switch clears."""
    st.session_state[name] = st.session_state[f"{name}_picker"]


def sidebar(region_names: dict[str, str], demo: bool) -> None:
    """The shared sidebar: as-of date and regions, seeded from the URL and written back to it."""
    notices = _seed_from_url(set(region_names))
    st.session_state.regions = [r for r in st.session_state.regions if r in region_names]
    if not EARLIEST <= st.session_state.as_of <= LATEST:  # set by code, not by the picker: keep it sane
        st.session_state.as_of = date.today()
    # Streamlit drops a widget's state when a page switch interrupts a run; the filters live under
    # their own keys (as_of, regions) and the widgets are set from them on every run.
    st.session_state.as_of_picker = st.session_state.as_of
    st.session_state.regions_picker = list(st.session_state.regions)
    with st.sidebar:
        st.date_input(_("As of"), key="as_of_picker", on_change=_keep, args=("as_of",), min_value=EARLIEST,
                      max_value=LATEST, help=_("Every figure is computed as of this date (replay the past)."))
        st.multiselect(_("Regions"), list(region_names), key="regions_picker", on_change=_keep, args=("regions",),
                       format_func=lambda c: f"{c} · {region_names[c]}", placeholder=_("All regions"))
        if demo:
            st.caption(_("Demo data. Load your own workbook on the Data page."))
    for notice in notices:
        st.warning(plain(notice), icon=":material/link_off:")
    _to_url()


# --- flash messages -----------------------------------------------------------------------------------


def flash(scope: str, message: str | RolloutError) -> None:
    """Keep a result for the next run of the page `scope` (a success text, or a refusal to show)."""
    st.session_state[f"_flash_{scope}"] = message


def show_flash(scope: str) -> None:
    """Show the result kept for this page, once."""
    message = st.session_state.pop(f"_flash_{scope}", None)
    if isinstance(message, RolloutError):
        show_error(message)
    elif message:
        st.success(plain(message))
