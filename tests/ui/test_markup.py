"""User text holding HTML (support.MARKUP_CODES / MARKUP_TEXT) stays text on every page (issue 14, item 6).

Here, at the level of what the app sends: every plotly figure carries the markup escaped (plotly reads
a subset of HTML in every text it draws); every markdown element carries it escaped (ui.widgets.plain).
The browser test (tests/e2e/test_markup.py) checks what is finally drawn.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ui import figures
from ui.navigation import ALL_PAGES

from support import MARKUP_CODES, every_tab

RAW = re.compile(r"<(a\s|b>|i>|img\s)", re.I)  # a tag that came from the data, unescaped
MARKDOWN = ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success")


@pytest.fixture
def markup_db_path(markup_db_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "markup.duckdb"
    shutil.copy(markup_db_file, path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("page", [p.url_path for p in ALL_PAGES])
def test_markup_from_data_is_escaped_on_every_page(open_page, markup_db_path: Path, page: str) -> None:
    charts: list[str] = []
    for at in every_tab(open_page(page, db_path=markup_db_path, query={"branch": MARKUP_CODES["B03"]}), page):
        assert not at.exception and not at.error, [e.value for e in at.error]
        drawn = [c.proto.spec for c in at.get("plotly_chart")]
        for spec in drawn:
            assert not RAW.search(spec), RAW.search(spec).group(0)
        charts += drawn
        for kind in MARKDOWN if page != "methodology" else ():  # the methodology is our text, no data
            for element in getattr(at, kind):
                text = str(element.value)
                assert not RAW.search(text.replace("\\<", "")), (kind, text)
                assert not re.search(r"(?<!\\)\]\(", text), (kind, text)  # no markdown link either
    if page in ("portfolio", "branch", "staffing", "steering"):
        assert any("&lt;" in spec for spec in charts), page  # the data is drawn, escaped


def test_escaped_reaches_every_string() -> None:
    frame = pd.DataFrame({"code": ["<b>B1</b>", None], "n": [1, 2],
                          "kind": pd.Categorical(["a&b", "<i>"])}, index=pd.Index(["<x>", "y"]))
    safe = figures.escaped(frame)
    assert safe["code"].iloc[0] == "&lt;b&gt;B1&lt;/b&gt;" and pd.isna(safe["code"].iloc[1])
    assert list(safe["kind"]) == ["a&amp;b", "&lt;i&gt;"] and list(safe["n"]) == [1, 2]
    assert list(safe.index) == ["&lt;x&gt;", "y"]
    assert frame["code"].iloc[0] == "<b>B1</b>"  # the caller's frame is untouched
    assert figures.escaped({"<k>": ["<v>", 3, ("<t>",)]}) == {"&lt;k&gt;": ["&lt;v&gt;", 3, ("&lt;t&gt;",)]}


def test_every_figure_builder_escapes_its_arguments() -> None:
    import inspect

    import plotly.graph_objects as go

    builders = [f for name, f in inspect.getmembers(figures, inspect.isfunction)
                if not name.startswith("_") and inspect.signature(f).return_annotation in (go.Figure, "go.Figure")]
    assert len(builders) >= 18
    assert [f.__name__ for f in builders if not getattr(f, "escapes_user_text", False)] == []
    assert "streamlit" not in {m.split(".")[0] for m in _imports(figures.__file__)}


def _imports(path: str) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found
