"""rollout/store/schema.py: one migration file for both engines; migrations once when processes start together."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from rollout.cli import main
from rollout.core.errors import DatabaseError
from rollout.store import schema
from rollout.store.db import LATEST_VERSION, Database

from support import ROOT

# --- the type translation ------------------------------------------------------------------------------

@pytest.mark.parametrize("duckdb_sql, postgres", [
    ("CREATE TABLE t (a DOUBLE, b DOUBLE PRECISION)", "CREATE TABLE t (a DOUBLE PRECISION, b DOUBLE PRECISION)"),
    ("CREATE TABLE t (a FLOAT, b FLOAT8, c TINYINT, d BLOB)", "CREATE TABLE t (a REAL, b DOUBLE PRECISION, "
                                                              "c SMALLINT, d BYTEA)"),
    ("CREATE TABLE t (a VARCHAR, b INTEGER, c BIGINT, d BOOLEAN, e DATE, f TIMESTAMP)",  # portable as they are
     "CREATE TABLE t (a VARCHAR, b INTEGER, c BIGINT, d BOOLEAN, e DATE, f TIMESTAMP)"),
    ("ALTER TABLE t ADD COLUMN x double DEFAULT 0", "ALTER TABLE t ADD COLUMN x DOUBLE PRECISION DEFAULT 0"),
    # words inside text, quoted names and comments are left alone
    ("-- a DOUBLE here\nCREATE TABLE t (\"DOUBLE\" INTEGER, note VARCHAR DEFAULT 'DOUBLE')",
     "-- a DOUBLE here\nCREATE TABLE t (\"DOUBLE\" INTEGER, note VARCHAR DEFAULT 'DOUBLE')"),
])
def test_duckdb_types_become_postgres_types(duckdb_sql: str, postgres: str) -> None:
    assert schema.postgres_sql(duckdb_sql) == postgres


@pytest.mark.parametrize("sql, word", [
    ("CREATE TABLE t (a HUGEINT)", "HUGEINT"),
    ("CREATE TABLE t (a UBIGINT)", "UBIGINT"),
    ("CREATE TABLE t (a STRUCT(x INTEGER))", "STRUCT"),
    ("CREATE TABLE t (a INTEGER);\nINSERT OR REPLACE INTO t VALUES (1)", "INSERT OR REPLACE"),
    ("CREATE OR REPLACE TABLE t (a INTEGER)", "CREATE OR REPLACE TABLE"),
    ("CREATE MACRO m(x) AS x + 1", "MACRO"),
])
def test_what_postgres_cannot_run_is_refused_with_its_line(sql: str, word: str) -> None:
    with pytest.raises(DatabaseError, match=f"line {sql.count(chr(10)) + 1}: {word}"):
        schema.postgres_sql(sql)


def test_a_postgres_variant_replaces_the_translation(tmp_path: Path) -> None:
    plain = tmp_path / "004_add_things.sql"
    plain.write_text("CREATE TABLE things (a DOUBLE);")
    assert schema.migration_sql(4, plain, "duckdb") == "CREATE TABLE things (a DOUBLE);"
    assert schema.migration_sql(4, plain, "postgres") == "CREATE TABLE things (a DOUBLE PRECISION);"
    (tmp_path / "004_add_things.postgres.sql").write_text("CREATE TABLE things (a FLOAT8);")
    assert schema.migration_sql(4, plain, "postgres") == "CREATE TABLE things (a FLOAT8);"


def test_migrations_are_numbered_once_each_and_variants_are_not_migrations() -> None:
    numbers = [n for n, _ in schema.migrations()]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1 and numbers[-1] == LATEST_VERSION
    assert not [p for _, p in schema.migrations() if p.name.endswith(".postgres.sql")]


def test_every_migration_runs_on_postgres_as_written() -> None:
    """Each shipped migration translates without a refusal (the schema test below then runs them)."""
    for number, path in schema.migrations():
        assert schema.migration_sql(number, path, "postgres")


# --- both engines end with the same tables ----------------------------------------------------------------

def columns_on_file(path: Path) -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        found: dict[str, list[tuple[str, str]]] = {}
        for table, column, kind in con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall():
            found.setdefault(table, []).append((column, kind))
        return found
    finally:
        con.close()


def keys(rows: list[tuple[str, str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return found


def test_both_engines_have_the_same_tables_columns_types_and_keys(pg_server, tmp_path: Path) -> None:
    file_path = tmp_path / "file.duckdb"
    Database(file_path).close()
    url = pg_server.create_database()
    with Database(url) as server:
        server.refresh()
        mirror = server.cursor()  # the mirror's tables are built from PostgreSQL's (CREATE TABLE AS)
        on_server: dict[str, list[tuple[str, str]]] = {}
        for table, column, kind in mirror.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_catalog = "
                "'memory' AND table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall():
            on_server.setdefault(table, []).append((column, kind))
        mirror.close()
    assert on_server == columns_on_file(file_path)
    con = duckdb.connect(str(file_path), read_only=True)
    file_keys = keys(con.execute(
        "SELECT table_name, unnest(constraint_column_names) FROM duckdb_constraints() "
        "WHERE constraint_type = 'PRIMARY KEY' ORDER BY table_name").fetchall())
    con.close()
    with psycopg.connect(url) as pg:
        server_keys = keys(pg.execute(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE i.indisprimary AND n.nspname = 'public' AND c.relname <> 'rollout_versions' "
            ).fetchall())
        # PostgreSQL enforces the keys: a repeated key is refused by the server itself
        with pytest.raises(psycopg.errors.UniqueViolation):
            pg.execute("INSERT INTO regions VALUES ('E', 'East'), ('E', 'again')")
    assert server_keys == file_keys
    assert sorted(server_keys) == sorted(on_server)  # every table has its key


# --- migrations when processes start together ----------------------------------------------------------

OPENER = """
import sys
sys.path.insert(0, sys.argv[1])
from rollout.store.db import Database
with Database(sys.argv[2]) as db:
    print(db.schema_version(), flush=True)
"""


@pytest.mark.slow
def test_processes_starting_together_migrate_once(pg_server) -> None:
    url = pg_server.create_database()
    starters = [subprocess.Popen([sys.executable, "-c", OPENER, str(ROOT), url], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        results = [p.communicate(timeout=180) for p in starters]
    finally:
        for starter in starters:
            starter.kill()
    assert [p.returncode for p in starters] == [0] * 4, [err[-800:] for _, err in results]
    assert [out.strip() for out, _ in results] == [str(LATEST_VERSION)] * 4
    with psycopg.connect(url) as pg:
        assert pg.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == [
            (n,) for n, _ in schema.migrations()]  # each applied exactly once (a number may be skipped)


def test_a_store_from_a_newer_app_is_refused_in_one_line(pg_server, capsys: pytest.CaptureFixture) -> None:
    url = pg_server.create_database()
    Database(url).close()
    with psycopg.connect(url) as pg:
        pg.execute("INSERT INTO schema_version VALUES (%s, now())", [LATEST_VERSION + 1])
    with pytest.raises(DatabaseError, match="newer version of the app"):
        Database(url)
    assert main(["summary", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer version of the app" in err
    assert pg_server.PASSWORD not in err and "***" in err


def test_an_older_server_store_is_upgraded_on_open(pg_server) -> None:
    """A store at schema 1 (as the first release would have made it): opening it runs the later
    migrations, keeps the data, and tracks changes of the new tables too."""
    url = pg_server.create_database()
    number, first = schema.migrations()[0]
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(schema.SCHEMA_VERSION_TABLE)
        pg.execute(schema.migration_sql(number, first, "postgres"))
        pg.execute("INSERT INTO schema_version VALUES (1, now())")
        pg.execute("INSERT INTO regions VALUES ('E', '华东区')")
    with Database(url) as db:
        assert db.schema_version() == LATEST_VERSION > 1
        assert db.scalar("SELECT region_name FROM regions") == "华东区"  # data kept
        assert db.scalar("SELECT count(*) FROM settings") == 0  # a table from a later migration exists
        before = db.version
        with db.transaction() as cur:
            cur.execute("INSERT INTO settings VALUES ('half_life_days', 10, now())")
        assert db.version > before  # the new table's changes move the cache key
    pg_server.drop_database(url)


# a snapshot as release 005 stored it: statuses of branches, and of other things that are not branches
OLD_SNAPSHOT = json.dumps({"branches": [{"branch_code": c, "status": s} for c, s in
                                        [("B1", "red"), ("B2", "red"), ("B3", "green"), ("B4", "live"),
                                         ("B5", "no_plan"), ("B6", "amber")]],
                           "executives": [{"exec_code": "E1", "status": "silent"}],
                           "context": {"lesson_applications": [{"status": "applied"}]}, "scope": "EAST"})


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_snapshots_taken_before_006_get_their_scope_and_counts(pg_server, tmp_path: Path, engine: str) -> None:
    """Migration 006 fills the new columns of snapshots already taken, from their JSON, on both engines: the
    same figures the JSON holds (a snapshot without a scope key is of the whole store)."""
    rows = [(OLD_SNAPSHOT, "old"), (json.dumps({"branches": [{"status": "green"}]}), "whole")]

    def build(execute: Any, mark: str) -> None:  # the store as release 005 left it, with its snapshots
        execute(schema.SCHEMA_VERSION_TABLE)
        for number, path in [(n, p) for n, p in schema.migrations() if n < 6]:
            execute(schema.migration_sql(number, path, engine))
            execute(f"INSERT INTO schema_version VALUES ({mark}, now())", [number])
        for text, label in rows:
            execute("INSERT INTO snapshots (as_of, taken_at, label, summary_json) "
                    f"VALUES (DATE '2026-11-01', now(), {mark}, {mark})", [label, text])

    if engine == "duckdb":
        target: str | Path = tmp_path / "old.duckdb"
        with duckdb.connect(str(target)) as con:
            build(con.execute, "?")
    else:
        target = pg_server.create_database()
        with psycopg.connect(target, autocommit=True) as pg:
            build(pg.execute, "%s")
    with Database(target) as db:
        assert db.schema_version() == LATEST_VERSION
        assert db.rows("SELECT label, scope, live_branches, green_branches, amber_branches, red_branches, "
                       "no_plan_branches FROM snapshots ORDER BY label") == [
            ("old", "EAST", 1, 1, 1, 2, 1), ("whole", "*", 0, 1, 0, 0, 0)]
    if engine == "postgres":
        pg_server.drop_database(str(target))
