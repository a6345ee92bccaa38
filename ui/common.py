"""What every page shares: the cached database, the sidebar filters, cached reads, safe tables.

Only this layer imports streamlit. Reads are cached per (function, arguments, database version):
every committed write bumps the version, so an edit refreshes exactly what depends on it.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError, ValidationError
from rollout.store.db import Database, is_server_location, open_store
from rollout.store.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "rollout.duckdb"


def database_path() -> str:
    """ROLLOUT_DB, else .streamlit/secrets.toml's ROLLOUT_DB, else data/rollout.duckdb: a file path, or a
    postgresql:// URL for a team's shared store (kept as text: a URL is not a path)."""
    if os.environ.get("ROLLOUT_DB"):
        return os.environ["ROLLOUT_DB"]
    try:
        if "ROLLOUT_DB" in st.secrets:
            return str(st.secrets["ROLLOUT_DB"])
    except Exception:  # no secrets file: Streamlit raises its own error type
        pass
    return str(DEFAULT_DB)


@st.cache_resource(show_spinner="Opening the rollout database…")
def _open(location: str) -> Database:
    """The store at location (rollout.store.open_store chooses the engine); a new file starts as the demo."""
    fresh = not is_server_location(location) and not Path(location).exists()
    db = open_store(location)
    if fresh:
        from rollout.demo import portfolio

        portfolio.build_demo(db, today=date.today())
    return db


_router = threading.local()


@contextmanager
def routed() -> Iterator[None]:
    """app.py runs the sidebar and the chosen page inside this: pages then know they are routed."""
    _router.active = True
    st.session_state["_reroutes"] = 0
    try:
        yield
    finally:
        _router.active = False


def through_router() -> None:
    """Make sure this page runs through app.py's router (navigation, sidebar, filters).

    Streamlit treats an app with a pages/ folder as an old-style multipage app until st.navigation
    runs, so the first visit after a server start straight to a page URL (and every AppTest run)
    would run that page alone. Turn that mode off and rerun through app.py; once only, so a script
    run outside the app (a test of one section) carries on.
    """
    if getattr(_router, "active", False) or st.session_state.get("_reroutes", 0) >= 1:
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.session_state["_reroutes"] = st.session_state.get("_reroutes", 0) + 1
    st.rerun()


def get_db() -> Database:
    """The process-wide database (created with the demo portfolio on first run)."""
    return _open(str(database_path()))


def is_demo(db: Database) -> bool:
    return bool(db.scalar("SELECT count(*) FROM import_log WHERE file_name = 'demo'"))


@dataclass(frozen=True)
class Filters:
    as_of: date
    regions: tuple[str, ...]  # empty: every region


def filters() -> Filters:
    """The sidebar's as-of date and region filter (app.py draws them; kept in the URL)."""
    through_router()
    return Filters(st.session_state.get("as_of", date.today()), tuple(st.session_state.get("regions", ())))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(path: str, version: int, target: str, args: tuple, kwargs: tuple) -> Any:
    module_name, func_name = target.rsplit(".", 1)
    func = getattr(importlib.import_module(module_name), func_name)
    return func(_open(path), *args, **dict(kwargs))


def cached(func: Any, *args: Any, **kwargs: Any) -> Any:
    """func(db, *args, **kwargs), cached until the next write. func must be a rollout function."""
    db = get_db()
    return _cached(db.path, db.version, f"{func.__module__}.{func.__name__}", args, tuple(sorted(kwargs.items())))


def by_region(frame: pd.DataFrame, regions: tuple[str, ...], column: str = "region_code") -> pd.DataFrame:
    """Rows of the chosen regions (all rows when none is chosen)."""
    if not regions or column not in frame.columns:
        return frame
    return frame[frame[column].isin(regions)]


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """User text made inert for st.markdown / st.error / st.info: no markdown, no HTML, no links."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def show_error(exc: Exception) -> None:
    """A refused input or failed write, in words the user can act on (every error, one per line)."""
    if isinstance(exc, ValidationError) and len(exc.errors) > 1:
        st.error(f"Refused: {len(exc.errors)} problems, nothing was saved.")
        st.dataframe(pd.DataFrame({"problem": [str(e) for e in exc.errors]}), hide_index=True, width="stretch")
    elif isinstance(exc, RolloutError):
        st.error(plain(f"Refused, nothing was saved: {exc}"))
    else:
        raise exc


def date_columns(frame: pd.DataFrame) -> list[str]:
    """Datetime columns holding only midnights: DuckDB DATEs, shown as dates, not timestamps."""
    found = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            values = series.dropna()
            if values.empty or (values == values.dt.normalize()).all():
                found.append(column)
    return found


@st.cache_data(show_spinner=False, max_entries=256)
def _csv_bytes(digest: str, _frame: pd.DataFrame) -> bytes:
    from rollout.exchange.exporter import frame_to_csv

    return frame_to_csv(_frame)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """frame_to_csv, cached on a digest of the whole frame: a rerun does not write the same CSV again.

    (Streamlit's own hashing samples frames of 50,000+ rows, so the digest is taken here, of every row.)
    """
    from rollout.exchange.exporter import frame_to_csv

    try:
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    except (TypeError, ValueError):  # unhashable cells (lists, dicts): write it every time
        return frame_to_csv(frame)
    digest = hashlib.sha256(rows + repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode()).hexdigest()
    return _csv_bytes(digest, frame)


def table(frame: pd.DataFrame, key: str, file_name: str, **kwargs: Any) -> Any:
    """A dataframe with a formula-safe CSV download beside it (every table has a download)."""
    config = {column: st.column_config.DateColumn(format="YYYY-MM-DD") for column in date_columns(frame)}
    config.update(kwargs.pop("column_config", None) or {})
    shown = st.dataframe(frame, hide_index=True, width="stretch", key=key, column_config=config, **kwargs)
    st.download_button("Download CSV", csv_bytes(frame), file_name=f"{file_name}.csv", mime="text/csv",
                       key=f"{key}_download")
    return shown


def view_caption(view: Filters) -> str:
    """'As of 2026-11-22 · regions EAST, WEST' (made plain: region codes come from the data)."""
    return plain(f"As of {view.as_of.isoformat()}" + (f" · regions {', '.join(view.regions)}" if view.regions else ""))


def code_and_name(names: Mapping[str, str]) -> Callable[[str], str]:
    """A picker's format_func: 'B03 · 北京分公司' for a code in names ('B03 · ' for one that is not)."""
    return lambda code: f"{code} · {names.get(code, '')}"


def setting_input(key: str, value: Any, widget_key: str, bounded: bool = False, **kwargs: Any) -> Any:
    """A number input for one setting of rollout.store.settings.SETTINGS: whole numbers step by 1; bounded: kept
    within the setting's minimum and maximum."""
    setting = SETTINGS[key]
    kind = int if setting.integer else float
    extra: dict[str, Any] = {"step": 1} if setting.integer else {}
    if bounded:
        extra.update(min_value=kind(setting.minimum), max_value=kind(setting.maximum))
    return st.number_input(setting.label, value=kind(value), key=widget_key, **extra, **kwargs)
