"""Small drawing helpers every page uses: inert user text, error messages, tables with a CSV download,
setting inputs, code-and-name pickers.

User text never renders as markdown or HTML: st.markdown / st.caption / st.error / st.header read
markdown, so any text that holds data goes through `plain`; tables (st.dataframe) and st.text draw
text as it is; figures escape their own (ui.figures).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from rollout.core import i18n
from rollout.core.errors import RolloutError, ValidationError
from rollout.core.i18n import _, format_number, ngettext
from rollout.core.labels import STATUS_COLOURS, column_label, labelled
from rollout.core.labels import status_label as status_name
from rollout.core.progress import Progress
from rollout.core.values import page_count, page_of
from rollout.exchange.exporter import frame_to_csv
from rollout.store.settings import SETTINGS
from ui.formats import is_date_only, readable

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# GFM turns bare URLs and e-mail addresses into links after escapes are read ("https://x", "www.x",
# "a@b.c", "mailto:"): an invisible word joiner (U+2060) inside each such pattern keeps it text.
_AUTOLINKS = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?=@)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)")
WORD_JOINER = "\u2060"
LAZY_ROWS = 1_000  # a longer table sends the browser only the rows in view (st.dataframe lazy): flat at 2,000 branches


def plain(text: object) -> str:
    """User text made inert for st.markdown / st.error / st.info / st.header: no markdown, no HTML, no links
    (markdown characters escaped, bare URLs and addresses broken by an invisible word joiner)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", _AUTOLINKS.sub(WORD_JOINER, str(text)))


ECHOED_CHARS = 40  # what a notice repeats of a value from a link: enough to recognise it, never a wall of text


def echoed(text: object) -> str:
    """A value from a link (?branch=...) as a notice repeats it: its first ECHOED_CHARS characters, "…" when
    cut. Made inert by plain() where it is shown."""
    text = str(text)
    return text if len(text) <= ECHOED_CHARS else text[:ECHOED_CHARS] + "…"


@contextmanager
def progress_shown(first: str, keep: bool = False) -> Iterator[Progress]:
    """An st.progress driven by a library run's Progress callback (an import, an export): redrawn when the
    whole percentage changes, removed when the run fails and, unless keep, when it ends."""
    bar = st.progress(0, text=plain(first))
    shown = [-1]

    def report(done: float, step: str) -> None:
        percent = min(100, max(0, int(done * 100)))
        if percent != shown[0]:
            shown[0] = percent
            bar.progress(percent, text=plain(step))
    try:
        yield report
    except BaseException:
        bar.empty()
        raise
    if not keep:
        bar.empty()


def show_error(exc: Exception, refused: bool = True) -> None:
    """A RolloutError in words the user can act on (every problem of a ValidationError, one per row).
    refused: it stopped a write ("nothing was saved"); otherwise a read failed. Anything else is raised
    again, for ui.router to report."""
    if isinstance(exc, ValidationError) and len(exc.errors) > 1:
        count = len(exc.errors)
        st.error(ngettext("Refused: {count} problem, nothing was saved.", "Refused: {count} problems, nothing was "
                          "saved.", count).format(count=count) if refused
                 else ngettext("{count} problem:", "{count} problems:", count).format(count=count))
        st.dataframe(labelled(pd.DataFrame({"problem": [str(e) for e in exc.errors]})), hide_index=True,
                     width="stretch")
    elif isinstance(exc, RolloutError):
        st.error(plain(_("Refused, nothing was saved: {problem}").format(problem=exc) if refused else str(exc)))
    else:
        raise exc


def _digest(frame: pd.DataFrame) -> str | None:
    """A digest of every row, columns and types of a frame; None when a cell cannot be hashed (lists, dicts).

    (Streamlit's own hashing samples frames of 50,000+ rows, so the digest is taken here, of every row.)"""
    try:
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(rows + repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode()).hexdigest()


def _prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], bytes]:
    shown, statuses = readable(frame)
    return shown, statuses, frame_to_csv(shown)


@st.cache_data(show_spinner=False, max_entries=256)
def _prepared(digest: str, language: str, _frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], bytes]:
    return _prepare(_frame)


def prepared(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], bytes]:
    """formats.readable and its CSV, cached on a digest of the whole frame and the language: a rerun does not
    write the same 20,000 rows again."""
    digest = _digest(frame)
    return _prepare(frame) if digest is None else _prepared(digest, i18n.current(), frame)


def header_config(frame: pd.DataFrame, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """st.dataframe's column_config with every header in words (labels.column_label), dates as dates and the
    settings given (a setting without a label gets the column's). The frame keeps its own column names, so
    code and tests read a table by the library's names whatever the language."""
    config: dict[str, Any] = {column: st.column_config.DateColumn(format="YYYY-MM-DD")
                              for column in frame.columns
                              if pd.api.types.is_datetime64_any_dtype(frame[column]) and is_date_only(frame[column])}
    config.update(given or {})
    for column in frame.columns:
        setting = config.get(column)
        if setting is None:
            config[column] = st.column_config.Column(label=column_label(str(column)))
        elif isinstance(setting, dict) and not setting.get("label"):
            config[column] = {**setting, "label": column_label(str(column))}
    return config


_UNSAFE_IN_FILE_NAMES = re.compile(r"[^\w.-]+")


def status_column(label: str | None = None) -> Any:
    """A column of status words drawn as pills in the one status palette (labels.STATUS_COLOURS).

    A text column configured as a read-only multiselect: each cell's one word is drawn as a coloured
    pill. Cheap at any size (no Styler: styling 2,000 rows costs about a second per run)."""
    return st.column_config.MultiselectColumn(label, options=[status_name(s) for s in STATUS_COLOURS],
                                              color=list(STATUS_COLOURS.values()), disabled=True)


def table(frame: pd.DataFrame, key: str, file_name: str, *, page_rows: int | None = None, rows_text: str = "",
          **kwargs: Any) -> Any:
    """Every table of the app: a dataframe a person reads, with a formula-safe CSV download beside it.

    formats.readable writes the frame for people (human headers, blank empty cells, dates as dates,
    statuses in words, coloured from the one palette); the CSV holds the same headers and cells (UTF-8
    with a byte-order mark, so Excel opens Chinese). A table longer than LAZY_ROWS is loaded lazily: the
    browser gets the rows it shows and sorting runs on the server, so a page draws at 2,000 branches as
    at 40 while every row stays reachable. Streamlit cannot select rows of a lazy table, so a table with
    on_select gives page_rows instead: it is shown that many rows at a time, with a page picker and
    rows_text ({first}, {last}, {total}) above it. The CSV always holds every row. column_config may name
    columns by their library name or their header. The file name may hold codes from the data: anything
    but letters, digits, '.', '-' and '_' becomes '_'."""
    readable_frame, statuses, data = prepared(frame)
    shown = readable_frame
    pages = page_count(len(frame), page_rows) if page_rows else 1
    if pages > 1:
        page = int(st.number_input(_("Page"), min_value=1, max_value=pages, value=1, step=1, key=f"{key}_page"))
        first = (min(page, pages) - 1) * page_rows
        st.caption(rows_text.format(first=format_number(first + 1), total=format_number(len(frame)),
                                    last=format_number(min(first + page_rows, len(frame)))))
        shown = page_shown(readable_frame, key, page_rows)
    elif len(frame) > LAZY_ROWS and "on_select" not in kwargs:
        kwargs["lazy"] = True
    config: dict[str, Any] = {name: status_column() for name in statuses}
    config.update({column_label(str(name)): value for name, value in (kwargs.pop("column_config", None) or {}).items()})
    drawn = st.dataframe(shown, hide_index=True, width="stretch", key=key, column_config=config, placeholder="",
                         **kwargs)
    # on_click="ignore": the file is the one already sent with the page; a click reruns nothing (a rerun of a
    # page at 2,000 branches costs seconds and redraws every chart for no change)
    st.download_button(_("Download CSV"), data, file_name=_UNSAFE_IN_FILE_NAMES.sub("_", file_name) + ".csv",
                       mime="text/csv", key=f"{key}_download", on_click="ignore")
    return drawn


def page_shown(frame: pd.DataFrame, key: str, page_rows: int) -> pd.DataFrame:
    """The rows of frame that table(frame, key, page_rows=...) shows now: its page picker's page."""
    return page_of(frame, int(st.session_state.get(f"{key}_page") or 1), page_rows).reset_index(drop=True)


def lazy_tabs(bodies: Mapping[str, Callable[[], None]], key: str) -> None:
    """Tabs that draw only the open one: st.tabs with on_change="rerun" (each tab's .open), so a page at 2,000
    branches sends the browser one tab's tables and pickers, not every tab's. bodies maps each tab's label to
    the function drawing it, first tab open by default; the open tab's label is kept in st.session_state[key]
    (a test opens a tab by setting it)."""
    containers = st.tabs(list(bodies), key=key, on_change="rerun")
    for container, body in zip(containers, bodies.values(), strict=True):
        if container.open:
            with container:
                body()


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
    return st.number_input(_(setting.label), value=kind(value), key=widget_key, **extra, **kwargs)
