"""The one owner of the store: opening, migrations, queries, transactions, error translation.

`Database(location)` (or `open_store(location)`) chooses the engine once, from the location:

- a file path: the embedded engine, a DuckDB file owned by one process (`FileDatabase`, below);
- `postgresql://user[:password]@host[:port]/dbname`: the server engine (`rollout.store.server`), the
  tables in PostgreSQL, shared by any number of app replicas and CLI commands.

Every layer above sees the same interface, whichever engine is behind it: `df`, `rows`, `scalar`, `run`
(reads, always answered by DuckDB, so the metric SQL is one dialect), `cursor()` (a DuckDB cursor for
reading), `transaction()` (one serialised write: a cursor taking `?` parameters, committed whole or
rolled back whole), `version` (the cache key: changes with every committed write), `schema_version()`,
`close()`, `scoped(caller)` (the same reads, limited to the caller's regions: rollout.store.scope). A
process holds one `Database` (the UI caches it with st.cache_resource); every query runs on its own
cursor and fetches fully, so Streamlit's script threads never share a cursor. Engine
exceptions become our own errors (`RolloutError` subclasses with a message a user can act on).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

import duckdb
import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import DatabaseError, DatabaseLockedError
from rollout.core.i18n import _
from rollout.store.files import remove_leftovers
from rollout.store.locations import is_server_location
from rollout.store.schema import (
    LATEST_VERSION,
    MIGRATIONS_DIR,
    SCHEMA_VERSION_TABLE,
    migrations,
    newer_message,
    read_only_message,
)

__all__ = ["LATEST_VERSION", "MIGRATIONS_DIR", "Cursor", "Database", "FileDatabase", "is_server_location",
           "migrations", "open_store", "translate"]

_PARAMETER = re.compile(r"\$([a-z_]+)")
_SEQUENCE = re.compile(r"nextval\('([^':]+)'")
_READS = {"SELECT", "EXPLAIN", "CALL"}  # what df/rows/scalar/run may run: a write goes through transaction()




def translate(exc: Exception, path: str | Path = "") -> DatabaseError:
    """A DuckDB exception as a message a user can act on."""
    text = str(exc)
    if "lock" in text.lower() and ("conflicting" in text.lower() or "could not set lock" in text.lower()):
        return DatabaseLockedError(_("the database {path} is in use by another process (close the app or the other "
                                     "command, then retry)").format(path=path))
    if isinstance(exc, duckdb.IOException):
        return DatabaseError(_("cannot open or write the database {path}: {reason}").format(
            path=path, reason=text.splitlines()[0]))
    return query_error(text.splitlines()[0], isinstance(exc, duckdb.ConstraintException))


def query_error(first_line: str, rule_broken: bool) -> DatabaseError:
    """A failed statement (either engine): a broken rule (key, constraint) or another database error."""
    if rule_broken:
        return DatabaseError(_("the change breaks a database rule: {reason}").format(reason=first_line))
    return DatabaseError(_("database error: {reason}").format(reason=first_line))


class Cursor(Protocol):
    """What `transaction()` yields, on both engines: a DB-API style cursor with `?` parameters, plus
    `register(name, arrow_table)` / `unregister(name)` to query an Arrow table by name (the importer's
    bulk path). On the embedded engine it is a DuckDB cursor; on the server a PostgreSQL one."""

    def execute(self, sql: str, parameters: Any = None) -> Any: ...
    def fetchone(self) -> tuple | None: ...
    def fetchall(self) -> list[tuple]: ...
    def register(self, name: str, table: Any) -> Any: ...
    def unregister(self, name: str) -> Any: ...
    def close(self) -> None: ...


class Database:
    """An open rollout store (created and migrated on open). `Database(location)` returns the engine the
    location asks for, as pathlib's Path() returns a PosixPath or a WindowsPath."""

    kind = "file"
    #: the location as given: a path, or a server URL that may hold a password (show `name` instead)
    path: str
    #: the location as shown to people: a server URL's password is masked
    name: str
    read_only: bool
    #: the regions this handle reads (None: every region; see rollout.store.scope)
    regions: frozenset[str] | None = None
    #: the factories, given by rollout.store.engines (the module above every engine, imported with the
    #: package): the class that opens a location, and a caller's scoped handle. The engines subclass
    #: Database, so this module cannot import them without a cycle.
    engine_for: ClassVar[Callable[[str | Path], type[Database]]]
    scope_for: ClassVar[Callable[[Database, Caller], Database]]

    def __new__(cls, location: str | Path = ":memory:", read_only: bool = False) -> Database:
        if cls is Database:
            cls = Database.engine_for(location)
        return super().__new__(cls)

    # --- reading (DuckDB on both engines) ----------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh DuckDB cursor for reading: one per query, so threads never share one."""
        raise NotImplementedError

    def _translate(self, exc: Exception) -> DatabaseError:
        return translate(exc, self.name)

    def _fetch(self, sql: str, params: Sequence[Any] | dict[str, Any] | None,
               fetch: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run a parameterised query on its own cursor and fetch the whole result."""
        cur = self.cursor()
        try:
            kinds = {statement.type.name for statement in cur.extract_statements(sql)}
            if kinds - _READS:
                raise DatabaseError(f"{'/'.join(sorted(kinds - _READS))} in a read: df, rows, scalar and run only "
                                    "read (write through Database.transaction(), so the write is serialised, "
                                    "committed whole and seen by every cache)")
            return fetch(cur.execute(sql, params or []))
        except duckdb.Error as exc:
            raise self._translate(exc) from None
        finally:
            cur.close()

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """The whole result as a DataFrame."""
        return self._fetch(sql, params, lambda cur: cur.df())

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        """The whole result as a list of tuples."""
        return self._fetch(sql, params, lambda cur: cur.fetchall())

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def run(self, sql: str, values: Mapping[str, Any]) -> pd.DataFrame:
        """A query with $named parameters, given only the values its text uses (DuckDB refuses unused
        ones), so a metric module can pass one dict of every date and setting to each of its queries."""
        used = set(_PARAMETER.findall(sql))
        return self.df(sql, {k: v for k, v in values.items() if k in used})

    def tables(self) -> list[str]:
        """The store's tables (schema_version included), in name order."""
        return [r[0] for r in self.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                        "'main' AND table_type = 'BASE TABLE' AND table_catalog = current_database() "
                                        "ORDER BY 1")]

    def scoped(self, caller: Caller) -> Database:
        """This store as `caller` may read it: only the branches of its regions exist (rollout.store.scope)."""
        return Database.scope_for(self, caller)

    def refresh(self) -> None:
        """Bring what reads see up to the store (the server engine's mirror; nothing for a file)."""

    # --- the rest differs by engine ------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Changes with every committed write (the UI's cache key)."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One serialised write: everything inside commits together or not at all."""
        raise NotImplementedError
        yield  # pragma: no cover

    def schema_version(self) -> int:
        raise NotImplementedError

    def advance_sequences(self, cur: Cursor) -> None:
        """Inside a transaction, after rows came in with their ids (a copy between stores): make every
        sequence behind a column default hand out ids above the column's highest."""
        raise NotImplementedError

    def checkpoint(self) -> None:
        """Make every committed write durable in the store's own files (before a file-level copy)."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def open_store(location: str | Path, read_only: bool = False) -> Database:
    """The store at `location` (a file path or a postgresql:// URL), created and migrated if new."""
    if isinstance(location, str):
        location = location.strip()
    if not str(location):
        raise DatabaseError(_("no database given (expected a file path or postgresql://user@host/dbname)"))
    return Database(location, read_only=read_only)


class FileDatabase(Database):
    """An open rollout database file (the embedded engine): one process owns it."""

    def __init__(self, path: str | Path = ":memory:", read_only: bool = False) -> None:
        self.path = self.name = str(path)
        self.read_only = read_only
        self._lock = threading.RLock()
        # Bumped on every commit in this process (the only one that can write the file).
        self._version = 0
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            if not read_only:
                remove_leftovers(Path(self.path))  # hidden files of a restore killed half-way (files.py)
        try:
            self._con = duckdb.connect(self.path, read_only=read_only)
            # no progress bar (cursors inherit it): a slow query must not write into a CLI's stdout (summary --json)
            self._con.execute("SET enable_progress_bar = false")
        except duckdb.Error as exc:
            raise translate(exc, self.path) from None
        if not read_only:
            self.migrate()

    @property
    def version(self) -> int:
        return self._version

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.read_only:
            raise DatabaseError(read_only_message(self.path))
        with self._lock:
            cur = self.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    yield cur
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                cur.execute("COMMIT")
                self._version += 1
            except duckdb.Error as exc:
                raise translate(exc, self.path) from None
            finally:
                cur.close()

    def schema_version(self) -> int:
        cur = self.cursor()
        try:
            exists = cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version' "
                                 "AND table_catalog = current_database()").fetchone()[0]
            if not exists:
                return 0
            return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        finally:
            cur.close()

    def migrate(self) -> None:
        """Bring an older file up to the latest schema, one migration per transaction."""
        current = self.schema_version()
        if current > LATEST_VERSION:
            raise DatabaseError(newer_message(self.path, current))
        for number, path in migrations():
            if number <= current:
                continue
            with self.transaction() as cur:
                cur.execute(SCHEMA_VERSION_TABLE)
                cur.execute(path.read_text(encoding="utf-8"))
                cur.execute("INSERT INTO schema_version VALUES (?, ?)", [number, datetime.now()])

    def advance_sequences(self, cur: Cursor) -> None:
        defaults = cur.execute("SELECT table_name, column_name, column_default FROM information_schema.columns "
                               "WHERE table_catalog = current_database() AND table_schema = 'main' "
                               "AND column_default LIKE 'nextval(%'").fetchall()
        # last_value is the last id handed out, or (in a reopened file) the next one: at most one id is skipped
        reported = dict(cur.execute("SELECT sequence_name, coalesce(last_value, 0) FROM duckdb_sequences() "
                                    "WHERE database_name = current_database()").fetchall())
        for table, column, default in defaults:
            name = _SEQUENCE.match(default)[1]
            highest = cur.execute(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"').fetchone()[0]
            if highest > 0 and highest >= reported.get(name, 0):
                # DuckDB has no setval: hand out the ids up to the highest in one statement
                cur.execute(f"SELECT max(nextval('{name}')) FROM range(?)", [highest - reported.get(name, 0) + 1])

    @contextmanager
    def exclusive(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection itself, with every write of this process held back until the block ends:
        for work on the whole file (a consistent backup while the app runs)."""
        with self._lock:
            yield self._con

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file (before a file-level copy)."""
        with self._lock:
            cur = self.cursor()
            try:
                cur.execute("CHECKPOINT")
            except duckdb.Error as exc:
                raise translate(exc, self.path) from None
            finally:
                cur.close()

    def close(self) -> None:
        with self._lock:
            self._con.close()
