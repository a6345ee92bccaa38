"""Small drawing helpers every page uses: inert user text, error messages, tables with a CSV download,
setting inputs, code-and-name pickers.

User text never renders as markdown or HTML: st.markdown / st.caption / st.error / st.header read
markdown, so any text that holds data goes through `plain`; tables (st.dataframe) and st.text draw
text as it is; figures escape their own (ui.figures).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError, ValidationError
from rollout.core.i18n import _
from rollout.core.labels import STATUS_COLOURS, column_label
from rollout.core.labels import status_label as status_name
from rollout.exchange.exporter import frame_to_csv
from rollout.store.settings import SETTINGS
from ui.formats import readable

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# GFM turns bare URLs and e-mail addresses into links after escapes are read ("https://x", "www.x",
# "a@b.c", "mailto:"): an invisible word joiner (U+2060) inside each such pattern keeps it text.
_AUTOLINKS = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?=@)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """User text made inert for st.markdown / st.error / st.info / st.header: no markdown, no HTML, no links
    (markdown characters escaped, bare URLs and addresses broken by an invisible word joiner)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", _AUTOLINKS.sub(WORD_JOINER, str(text)))


def show_error(exc: Exception, refused: bool = True) -> None:
    """A RolloutError in words the user can act on (every problem of a ValidationError, one per row).
    refused: it stopped a write ("nothing was saved"); otherwise a read failed. Anything else is raised
    again, for ui.router to report."""
    if isinstance(exc, ValidationError) and len(exc.errors) > 1:
        st.error(f"Refused: {len(exc.errors)} problems, nothing was saved." if refused
                 else f"{len(exc.errors)} problems:")
        st.dataframe(pd.DataFrame({"problem": [str(e) for e in exc.errors]}), hide_index=True, width="stretch")
    elif isinstance(exc, RolloutError):
        st.error(plain(f"Refused, nothing was saved: {exc}" if refused else str(exc)))
    else:
        raise exc


@st.cache_data(show_spinner=False, max_entries=256)
def _csv_bytes(digest: str, _frame: pd.DataFrame) -> bytes:
    return frame_to_csv(_frame)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """frame_to_csv, cached on a digest of the whole frame: a rerun does not write the same CSV again.

    (Streamlit's own hashing samples frames of 50,000+ rows, so the digest is taken here, of every row.)
    """
    try:
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    except (TypeError, ValueError):  # unhashable cells (lists, dicts): write it every time
        return frame_to_csv(frame)
    digest = hashlib.sha256(rows + repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode()).hexdigest()
    return _csv_bytes(digest, frame)


_UNSAFE_IN_FILE_NAMES = re.compile(r"[^\w.-]+")


def status_column(label: str | None = None) -> Any:
    """A column of status words drawn as pills in the one status palette (labels.STATUS_COLOURS).

    A text column configured as a read-only multiselect: each cell's one word is drawn as a coloured
    pill. Cheap at any size (no Styler: styling 2,000 rows costs about a second per run)."""
    return st.column_config.MultiselectColumn(label, options=[status_name(s) for s in STATUS_COLOURS],
                                              color=list(STATUS_COLOURS.values()), disabled=True)


def table(frame: pd.DataFrame, key: str, file_name: str, **kwargs: Any) -> Any:
    """Every table of the app: a dataframe a person reads, with a formula-safe CSV download beside it.

    formats.readable writes the frame for people (human headers, blank empty cells, dates as dates,
    statuses in words, coloured from the one palette); the CSV holds the same headers and cells (UTF-8
    with a byte-order mark, so Excel opens Chinese). column_config may name columns by their library
    name or their header. The file name may hold codes from the data: anything but letters, digits,
    '.', '-' and '_' becomes '_'."""
    shown, statuses = readable(frame)
    config: dict[str, Any] = {name: status_column() for name in statuses}
    config.update({column_label(str(name)): value for name, value in (kwargs.pop("column_config", None) or {}).items()})
    drawn = st.dataframe(shown, hide_index=True, width="stretch", key=key, column_config=config, **kwargs)
    st.download_button(_("Download CSV"), csv_bytes(shown),
                       file_name=_UNSAFE_IN_FILE_NAMES.sub("_", file_name) + ".csv", mime="text/csv",
                       key=f"{key}_download")
    return drawn


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
