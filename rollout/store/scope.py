"""Region scope, enforced once in the store: a read handle through which only the caller's branches exist.

`scoped(db, caller)` (or `db.scoped(caller)`) returns a `ScopedDatabase`: the same read interface as the
store (`df`, `rows`, `scalar`, `run`, `cursor`), whose DuckDB cursors carry TEMP VIEWs named like the
scoped tables. DuckDB resolves an unqualified table name in the temp schema first, so every read function
of the layers above (metrics, planning, exchange, steering) sees only the branches of the caller's regions
without a new parameter, and portfolio-wide figures (counts, shares, ranks) are computed over the scope.
Both engines read through DuckDB cursors (the file, or the server's in-memory mirror), so one mechanism
serves both. The views name the real tables by catalog (`"cat".main.t`): inside a scoped cursor even
`main.t` means the view.

Creating the views costs about a millisecond each, so a handle keeps a small pool of prepared cursors and
one handle per scope is kept on the store. Writes go through the store itself (`transaction()`): they
are checked by role and scope before they are made (rollout.store.audit.authorise, exchange/edits.py).
A caller of every region gets the store itself: nothing to filter, nothing to pay.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from rollout.core.access import Caller, regions_to_text
from rollout.core.errors import DatabaseError
from rollout.core.values import quote
from rollout.store.audit import authorise, authorise_own_scope
from rollout.store.db import Cursor, Database

# Tables every caller sees whole: the pilot's lessons, the app's own settings and bookkeeping.
VISIBLE_TO_ALL = frozenset({"lessons", "settings", "schema_version"})
# Tables a scoped caller sees every row of, but with these columns empty: figures of the whole portfolio
# (an import's rows inserted, updated and unchanged per sheet count every region's rows).
WHOLE_FIGURES_HIDDEN = {"import_log": ("inserted", "updated", "unchanged")}
# Tables a scoped caller does not see at all: who may do what, the trail of every region's changes, and the
# notification outbox and preferences (messages to every region's people; NOTIFY.md).
HIDDEN_FROM_SCOPED = frozenset({"users", "audit_log", "notify_outbox", "notify_preferences"})
# Tables saved whole by a caller (a snapshot's figures, a scenario's plan): each row records the scope it
# was computed over and is seen only by that scope. A snapshot keeps it in its own column (its JSON is
# about a megabyte at 2,000 branches: migration 006); a scenario in a "scope" key of its JSON ('*' when absent).
# Tables whose rows with an empty branch_code belong to the whole programme (METRICS.md "RAID log"): those rows
# are visible to every user, the others follow their branch's scope.
PROGRAMME_WIDE = frozenset({"raid"})
SAVED_SCOPE = {"snapshots": "scope", "plan_scenarios": "coalesce(json_extract_string(plan_json, '$.scope'), '*')"}
POOL_SIZE = 8
# Table functions a scoped read may call: they make rows from their arguments and read no table.
ROW_MAKERS = frozenset({"range", "generate_series", "unnest", "json_each", "json_tree"})
CHECKED_CACHE = 512  # statements a handle remembers as checked (the metric SQL is a few hundred texts)


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every object of a serialised parse tree, nested ones included (subqueries, CTEs, joins)."""
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def scoped_read_problem(tree: dict[str, Any]) -> str | None:
    """Why a statement (DuckDB's json_serialize_sql of it) may not run on a scoped cursor, or None: only a
    SELECT, every table named bare or as `main.t` (which resolves to the view too; a catalogue would reach
    past the scoped views), and only table functions that make rows."""
    if tree.get("error"):
        return f"only a SELECT reads through a scoped handle ({tree.get('error_message', '')})"
    for node in _nodes(tree.get("statements", [])):
        qualified = node.get("catalog_name") or node.get("schema_name") not in ("", "main")
        if node.get("type") == "BASE_TABLE" and qualified:
            name = ".".join(p for p in (node.get("catalog_name"), node.get("schema_name"), node.get("table_name")) if p)
            return f"{name}: a scoped read names its tables without a catalogue"
        if node.get("type") == "TABLE_FUNCTION":
            function = node.get("function") or {}
            name = str(function.get("function_name", "")).lower()
            if name not in ROW_MAKERS or function.get("schema") or function.get("catalog"):
                return f"{name}(): a table function a scoped read may not call"
    return None


def scope_text(db: Database) -> str:
    """The scope a handle reads ('*' for the whole store, else 'EAST,NORTH'; '' for a scope of no region):
    what a saved snapshot or scenario records, so that it is shown again only to the same scope. Region codes
    hold neither '*' nor ',' (rollout.core.typed), so the text names exactly the handle's set."""
    return regions_to_text(getattr(db, "regions", None))


def saved_in_scope(table: str) -> str:
    """SQL: a saved row of `table` (snapshots, plan_scenarios) of the scope given as the one `?` parameter."""
    return f"{SAVED_SCOPE[table]} = ?"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_definitions(catalog: str, columns: dict[str, set[str]], regions: frozenset[str]) -> dict[str, str]:
    """table -> the SELECT its scoped view runs, for every table of the store (a table this does not know
    how to scope raises: a new table must be placed here before a scoped user can read anything)."""
    def real(table: str) -> str:
        return f"{quote(catalog)}.main.{quote(table)}"

    region_list = "(" + (", ".join(_literal(r) for r in sorted(regions)) or "NULL") + ")"  # no region: nothing
    branches = f"SELECT branch_code FROM {real('branches')} WHERE region_code IN {region_list}"
    executives = (f"SELECT exec_code FROM {real('executives')} WHERE region_code IN {region_list} "
                  f"OR branch_code IN ({branches})")
    people = f"SELECT person_code FROM {real('people')} WHERE branch_code IN ({branches})"
    views = {}
    for table, names in columns.items():
        if table in VISIBLE_TO_ALL:
            continue
        if table in HIDDEN_FROM_SCOPED:
            where = "false"
        elif table in WHOLE_FIGURES_HIDDEN:
            emptied = ", ".join(f"CAST(NULL AS INTEGER) AS {quote(c)}" for c in WHOLE_FIGURES_HIDDEN[table])
            views[table] = f"SELECT * REPLACE ({emptied}) FROM {real(table)}"
            continue
        elif table in SAVED_SCOPE:
            where = saved_in_scope(table).replace("?", _literal(regions_to_text(regions)))
        elif table == "executives":
            where = f"exec_code IN ({executives})"
        elif table in PROGRAMME_WIDE:
            where = f"branch_code IS NULL OR branch_code IN ({branches})"
        elif "region_code" in names:
            where = f"region_code IN {region_list}"
        elif "branch_code" in names:
            where = f"branch_code IN ({branches})"
        elif "exec_code" in names:
            where = f"exec_code IN ({executives})"
        elif "person_code" in names:
            where = f"person_code IN ({people})"
        else:
            raise ValueError(f"table {table} has no rule for region scope (rollout/store/scope.py)")
        views[table] = f"SELECT * FROM {real(table)} WHERE {where}"
    return views


class _PooledCursor:
    """A prepared cursor lent by a ScopedDatabase: close() gives it back instead of closing it."""

    # what a reader may use besides execute(): fetching the result and splitting a text into statements
    PASSED = frozenset({"fetchone", "fetchall", "fetchmany", "df", "fetchdf", "fetch_df", "arrow", "fetch_arrow_table",
                        "fetchnumpy", "description", "rowcount", "extract_statements"})

    def __init__(self, cur: duckdb.DuckDBPyConnection, owner: ScopedDatabase) -> None:
        self._cur, self._owner = cur, owner

    def execute(self, sql: str, parameters: Any = None) -> _PooledCursor:
        """Run a read that names only what the scope shows (refused otherwise, before it runs)."""
        self._owner.check_read(self._cur, sql)
        self._cur.execute(sql, parameters or [])
        return self

    def __getattr__(self, name: str) -> Any:
        if name not in self.PASSED:  # sql(), table(), read_csv()...: ways round execute()'s check
            raise AttributeError(f"a scoped cursor offers execute() and fetching only, not {name}()")
        return getattr(self._cur, name)

    def close(self) -> None:
        self._owner._give_back(self._cur)

    def __enter__(self) -> _PooledCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ScopedDatabase(Database):
    """The store as a caller of some regions sees it: reads filtered, writes passed to the store."""

    def __init__(self, store: Database, regions: frozenset[str]) -> None:
        self.store, self.regions = store, frozenset(regions)
        self.kind, self.path, self.name, self.read_only = store.kind, store.path, store.name, store.read_only
        self._pool: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._statements: str | None = None
        self._checked: set[str] = set()

    def check_read(self, cur: duckdb.DuckDBPyConnection, sql: str) -> None:
        """Refuse a statement that could read past the scoped views (see scoped_read_problem)."""
        if sql in self._checked:
            return
        try:
            tree = json.loads(cur.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
        except duckdb.Error as exc:
            raise self.store._translate(exc) from None
        problem = scoped_read_problem(tree)
        if problem:
            raise DatabaseError(f"refused on a scoped handle: {problem}")
        with self._lock:
            if len(self._checked) >= CHECKED_CACHE:
                self._checked.clear()
            self._checked.add(sql)

    def _prepare(self, cur: duckdb.DuckDBPyConnection) -> None:
        if self._statements is None:
            catalog = cur.execute("SELECT current_database()").fetchone()[0]
            columns: dict[str, set[str]] = {}
            for table, column in cur.execute(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = "
                    "current_database() AND table_schema = 'main'").fetchall():
                columns.setdefault(table, set()).add(column)
            self._statements = ";\n".join(f"CREATE OR REPLACE TEMP VIEW {quote(t)} AS {sql}" for t, sql in
                                          view_definitions(catalog, columns, self.regions).items())
        cur.execute(self._statements)

    def cursor(self) -> Any:
        """A DuckDB cursor on which only the scope's rows exist (its close() returns it to the pool)."""
        with self._lock:
            ready = self._pool.pop() if self._pool else None
        if ready is None:
            ready = self.store.cursor()
            try:
                self._prepare(ready)
            except duckdb.Error as exc:
                ready.close()
                raise self.store._translate(exc) from None
        else:
            self.store.refresh()  # the server's mirror follows the store, as the store's own cursor() does
        return _PooledCursor(ready, self)

    def _give_back(self, cur: duckdb.DuckDBPyConnection) -> None:
        with contextlib.suppress(duckdb.Error):  # a reader that began a transaction (a consistent copy) ends it
            cur.execute("ROLLBACK")
        with self._lock:
            if len(self._pool) < POOL_SIZE:
                self._pool.append(cur)
                return
        cur.close()

    def _translate(self, exc: Exception) -> Any:
        return self.store._translate(exc)

    def tables(self) -> list[str]:
        return self.store.tables()

    @property
    def version(self) -> int:
        return self.store.version

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with self.store.transaction() as cur:
            yield cur

    def schema_version(self) -> int:
        return self.store.schema_version()

    def advance_sequences(self, cur: Cursor) -> None:
        self.store.advance_sequences(cur)

    def checkpoint(self) -> None:
        self.store.checkpoint()

    def scoped(self, caller: Caller) -> Database:
        return self.store.scoped(caller)

    def close(self) -> None:
        """Drop the prepared cursors (the store stays open: it is shared)."""
        with self._lock:
            pool, self._pool = self._pool, []
        for cur in pool:
            cur.close()

    def __repr__(self) -> str:
        return f"<ScopedDatabase {self.name} {regions_to_text(self.regions)}>"


def whole(db: Database) -> Database:
    """The store behind a handle, unscoped: for a write's own checks (which branch, which region), never
    for what a caller is shown."""
    return db.store if isinstance(db, ScopedDatabase) else db


def branch_region(db: Database, branch_code: Any) -> str | None:
    """The region of a branch in the whole store (None: no such branch)."""
    return whole(db).scalar("SELECT region_code FROM branches WHERE branch_code = ?", [str(branch_code or "")])


def authorise_branch(db: Database, caller: Caller, operation: str, branch_code: Any) -> None:
    """Before a write on one branch: refused (and recorded) unless the caller may change its region. A code
    that names no branch is left to the write's own validation ("is not a branch"): the role decides."""
    region = branch_region(db, branch_code)
    if region is None:
        authorise_own_scope(db, caller, operation)
    else:
        authorise(db, caller, operation, region)


_HANDLES_LOCK = threading.Lock()


def scoped(db: Database, caller: Caller) -> Database:
    """The store as `caller` may read it: the store itself for an admin or a caller of every region, else the one
    ScopedDatabase of that scope (kept on the store, so its prepared cursors serve every page run)."""
    db = whole(db)
    if caller.everywhere or caller.role == "admin":  # an administrator sees everything (ACCESS.md "Roles")
        return db
    with _HANDLES_LOCK:
        handles = db.__dict__.setdefault("_scoped_handles", {})
        if caller.regions not in handles:
            handles[caller.regions] = ScopedDatabase(db, caller.regions)
        return handles[caller.regions]
