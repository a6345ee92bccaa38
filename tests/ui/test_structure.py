"""The UI layer's guard rails (issue 13, item 4): pages start routed and name pages only through
ui.navigation, the legacy-multipage workaround lives in ui/router.py alone, figures and formats are
pure (no streamlit), and pages hold no pandas arithmetic."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ui.navigation import ALL_PAGES

from support import ROOT

UI_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")])


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


def test_every_page_file_is_declared_and_starts_routed() -> None:
    files = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
    assert files == sorted(Path(p.file).name for p in ALL_PAGES)
    for path in (ROOT / "pages").glob("*.py"):
        body = [n for n in _tree(path).body if not isinstance(n, (ast.Import, ast.ImportFrom))
                and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]  # the docstring
        first = body[0]
        assert isinstance(first, ast.Expr) and ast.unparse(first) == "ensure_routed()", (path.name, ast.unparse(first))


def test_pages_are_named_only_in_ui_navigation() -> None:
    offenders = [f"{p.relative_to(ROOT)}" for p in UI_FILES
                 if p != ROOT / "ui" / "navigation.py" and re.search(r"""["']pages/\w+\.py""", p.read_text())]
    assert offenders == []


def test_the_legacy_multipage_workaround_lives_in_ui_router_only() -> None:
    offenders = [f"{p.relative_to(ROOT)}" for p in [*UI_FILES, *(ROOT / "tests").rglob("*.py")]
                 if p != ROOT / "ui" / "router.py" and p != Path(__file__)
                 and re.search(r"PagesManager|uses_pages_directory", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_figures_and_formats_are_pure() -> None:
    for name in ("figures.py", "formats.py"):
        assert "streamlit" not in {m.split(".")[0] for m in _imports(_tree(ROOT / "ui" / name))}, name


ARITHMETIC = re.compile(r"\.(sum|mean|median|groupby|merge|value_counts|nunique|pivot_table|agg)\(")


def test_pages_hold_no_pandas_arithmetic() -> None:
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if ARITHMETIC.search(line)]
    assert offenders == []
