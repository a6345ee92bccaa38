"""The design's guard rails: layers that import only downwards, no import cycle, a true README, a migrating schema."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from rollout.exchange.spec import SHEETS
from rollout.metrics.queries import SQL_DIR, fragment, load_sql
from rollout.store.db import LATEST_VERSION, MIGRATIONS_DIR, Database

from support import ROOT

# The layers of rollout/, lowest first: a module may import its own layer and the layers below it.
LAYERS = ("core", "store", "exchange", "metrics", "planning", "steering", "notify", "demo", "cli")
# Folders and files allowed to import streamlit (the UI); tests and bench drive the app through it.
STREAMLIT_HOMES = ("app.py", "pages/", "ui/")


# --- reading the import graph (every import statement, lazy ones inside functions included) ----------

def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of a package folder (a package is its __init__)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported_names(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything a file imports, anywhere in it: `from a.b import c` gives a.b.c
    (c may be a module) and a.b; relative imports are resolved against the module's package."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (names resolved to the longest module)."""
    known = modules(package)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for _, target in imported_names(name, path):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop (strongly connected
    components with more than one module, or a module importing itself), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layer(module: str) -> str:
    """The layer of a rollout module: its subpackage; cli.py and __main__ are the top, the package itself core."""
    parts = module.split(".")
    if len(parts) == 1:
        return "core"
    return "cli" if parts[1] in ("cli", "__main__") else parts[1]


def layer_violations(package: Path) -> list[str]:
    """Every import that points up the layers, or out of the library (ui, pages, streamlit)."""
    found = []
    for name, path in modules(package).items():
        own = layer(name)
        if own not in LAYERS:
            found.append(f"{path}: {name} is in no layer (expected a subpackage among {', '.join(LAYERS)})")
            continue
        for line, target in imported_names(name, path):
            top = target.split(".")[0]
            if top in ("ui", "pages", "streamlit", "app"):
                found.append(f"{path}:{line} imports {target} (the library never imports the UI)")
            elif top == package.name and target != package.name:
                other = layer(target)
                if other in LAYERS and LAYERS.index(other) > LAYERS.index(own):
                    found.append(f"{path}:{line} imports {target}: {own} may not import from {other} (a layer above)")
    return sorted(set(found))


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "rollout"


# --- the rules --------------------------------------------------------------------------------------

def test_every_import_points_down_the_layers() -> None:
    assert layer_violations(ROOT / "rollout") == []


def test_no_import_cycle_in_the_library() -> None:
    assert cycles(import_graph(ROOT / "rollout")) == []


@pytest.mark.slow  # near the 1 s budget on a slow hour of this machine (CI run, 2026-12-05)
def test_no_module_is_loaded_by_name() -> None:
    """importlib would hide an import from the graph above: the engines come from one factory that imports
    them (rollout/store/engines.py), and the graph shows it."""
    hidden = [f"{path}:{line}" for name, path in modules(ROOT / "rollout").items()
              for line, target in imported_names(name, path) if target.split(".")[0] == "importlib"]
    hidden += [str(path) for path in modules(ROOT / "rollout").values()
               if "import_module(" in path.read_text(encoding="utf-8")]
    assert hidden == []
    graph = import_graph(ROOT / "rollout")
    assert {"rollout.store.db", "rollout.store.server", "rollout.store.scope"} <= graph["rollout.store.engines"]
    assert "rollout.store.engines" in graph["rollout.store"]


def test_streamlit_is_imported_only_by_the_ui() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if where.startswith((".", "tests/", "bench/")) or where.startswith(STREAMLIT_HOMES):
            continue
        for line, target in imported_names(where, path):
            if target.split(".")[0] == "streamlit":
                offenders.append(f"{where}:{line} {target}")
    assert offenders == []


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The rules above would fail on a tree that breaks them: lazy imports, relative ones, cycles."""
    package = _tree(tmp_path, {
        "rollout/__init__.py": "",
        "rollout/core/__init__.py": "",
        "rollout/core/values.py": "def f():\n    from rollout.metrics import summary  # lazy, still an import\n",
        "rollout/metrics/__init__.py": "",
        "rollout/metrics/summary.py": "from . import engagement\nimport streamlit as st\n",
        "rollout/metrics/engagement.py": "def g():\n    from rollout.metrics.summary import round1\n",
        "rollout/store/__init__.py": "",
        "rollout/store/db.py": "from rollout.core.values import f\n",
        "rollout/odd.py": "",
    })
    assert import_graph(package)["rollout.metrics.summary"] == {"rollout.metrics", "rollout.metrics.engagement"}
    assert cycles(import_graph(package)) == [["rollout.metrics.engagement", "rollout.metrics.summary"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}) == [["a", "b", "c"], ["e"]]
    violations = layer_violations(package)
    assert any("core/values.py:2 imports rollout.metrics" in v for v in violations), violations
    assert any("summary.py:2 imports streamlit" in v for v in violations), violations
    assert any("odd" in v and "no layer" in v for v in violations), violations
    assert not any("store/db.py" in v for v in violations)  # store may import core


def test_every_metric_query_resolves_its_includes() -> None:
    """{{name}} in a metric query stands for another query file (load_sql); a header comment may name one."""
    for path in sorted(SQL_DIR.glob("*.sql")):
        code = [line for line in load_sql(path.stem).splitlines() if not line.lstrip().startswith("--")]
        assert not [line for line in code if "{{" in line], path.name
    assert "actual_go_live <= $as_of::DATE" in load_sql("readiness_status")  # "live on D", included


def test_an_included_query_loses_its_closing_order_by_only() -> None:
    """A subquery's order means nothing, so an include drops the closing ORDER BY (DuckDB sorted it anyway);
    the query read alone keeps it, and so does a query whose DISTINCT ON picks rows by it."""
    alone, included = load_sql("staffing_active_assignments"), fragment("staffing_active_assignments")
    assert alone.rstrip().endswith("ORDER BY a.branch_code, a.role, a.module, a.person_code")
    assert included == alone[:alone.index("ORDER BY a.branch_code")]
    assert "ORDER BY a.branch_code" not in load_sql("staffing_branch_summary")
    assert load_sql("staffing_branch_summary").rstrip().endswith("ORDER BY b.branch_code")  # its own kept
    assert fragment("readiness_most_late_items") == load_sql("readiness_most_late_items")  # DISTINCT ON
    for path in sorted(SQL_DIR.glob("*.sql")):  # only a closing ORDER BY goes, never a clause before it
        cut = fragment(path.stem)
        assert load_sql(path.stem).startswith(cut) and load_sql(path.stem)[len(cut):].strip()[:8] in ("", "ORDER BY")


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```(?:bash|sh)\n(.*?)```", setup, flags=re.S)
    assert len(commands) == 2, commands
    app, tests = (c.strip() for c in commands)
    assert "pip install -r requirements.txt" in app and "streamlit run app.py" in app
    assert "pip install -r requirements.txt" in tests and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests.split("&&")[-1].strip() in ci


def test_tables_match_the_declared_workbook_format(tmp_path: Path) -> None:
    with Database(tmp_path / "x.duckdb") as db:
        for name, sheet in SHEETS.items():
            found = db.rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                            "ORDER BY ordinal_position", [name])
            assert [(c, t) for c, t in found] == [(c.name, c.sql_type) for c in sheet.columns], name
            key = db.rows("SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? AND "
                          "constraint_type = 'PRIMARY KEY'", [name])
            assert tuple(key[0][0]) == sheet.key, name


def test_an_older_database_is_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    con.execute(sorted(MIGRATIONS_DIR.glob("001_*.sql"))[0].read_text())
    con.execute("INSERT INTO schema_version VALUES (1, now())")
    con.execute("INSERT INTO regions VALUES ('E', '华东区')")
    con.close()
    with Database(path) as db:
        assert db.schema_version() == LATEST_VERSION > 1
        assert db.scalar("SELECT count(*) FROM settings") == 0  # a table from a later migration exists
        assert db.scalar("SELECT region_name FROM regions") == "华东区"  # data kept
