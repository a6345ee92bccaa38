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
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from rollout.core.access import Caller, regions_to_text
from rollout.core.values import quote
from rollout.store.audit import authorise, authorise_own_scope
from rollout.store.db import Cursor, Database

# Tables every caller sees whole: the pilot's lessons, the app's own settings and bookkeeping.
VISIBLE_TO_ALL = frozenset({"lessons", "settings", "import_log", "schema_version"})
# Tables a scoped caller does not see at all: who may do what, and the trail of every region's changes.
HIDDEN_FROM_SCOPED = frozenset({"users", "audit_log"})
# Tables saved whole by a caller (a snapshot's figures, a scenario's plan): each row records the scope it
# was computed over and is seen only by that scope. A snapshot keeps it in its own column (its JSON is
# megabytes at 2,000 branches: migration 006); a scenario in a "scope" key of its JSON ('*' when absent).
# Tables whose rows with an empty branch_code belong to the whole programme (METRICS.md "RAID log"): those rows
# are visible to every user, the others follow their branch's scope.
PROGRAMME_WIDE = frozenset({"raid"})
SAVED_SCOPE = {"snapshots": "scope", "plan_scenarios": "coalesce(json_extract_string(plan_json, '$.scope'), '*')"}
POOL_SIZE = 8


def scope_text(db: Database) -> str:
    """The scope a handle reads ('*' for the whole store, else 'EAST,NORTH'): what a saved snapshot or
    scenario records, so that it is shown again only to the same scope."""
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

    region_list = "(" + ", ".join(_literal(r) for r in sorted(regions)) + ")"
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

    def __init__(self, cur: duckdb.DuckDBPyConnection, owner: ScopedDatabase) -> None:
        self._cur, self._owner = cur, owner

    def __getattr__(self, name: str) -> Any:
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
        if not regions:
            raise ValueError("a scope names at least one region")
        self.store, self.regions = store, frozenset(regions)
        self.kind, self.path, self.name, self.read_only = store.kind, store.path, store.name, store.read_only
        self._pool: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._statements: str | None = None

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
