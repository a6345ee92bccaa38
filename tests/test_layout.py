"""The design's guard rails: a headless library, a true README, a migrating schema."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb

from rollout.exchange.spec import SHEETS
from rollout.store.db import LATEST_VERSION, MIGRATIONS_DIR, Database

from support import ROOT


def test_rollout_never_imports_streamlit() -> None:
    offenders = []
    for path in (ROOT / "rollout").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []


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
