"""The one owner of the DuckDB file: opening, migrations, queries, transactions, error translation.

A process holds one `Database` (the UI caches it with st.cache_resource); every query runs on its
own cursor and fetches fully, so Streamlit's script threads never share a cursor. Writes go
through `transaction()`: one lock, one DuckDB transaction, committed whole or rolled back whole.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from rollout.core.errors import DatabaseError, DatabaseLockedError
from rollout.store.files import remove_leftovers

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


_PARAMETER = re.compile(r"\$([a-z_]+)")


def migrations() -> list[tuple[int, Path]]:
    """Numbered migration files, oldest first: 001_*.sql, 002_*.sql, ..."""
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = re.match(r"^(\d+)_", path.name)
        if match:
            found.append((int(match[1]), path))
    return sorted(found)


LATEST_VERSION = migrations()[-1][0]


def translate(exc: Exception, path: str | Path = "") -> DatabaseError:
    """A DuckDB exception as a message a user can act on."""
    text = str(exc)
    if "lock" in text.lower() and ("conflicting" in text.lower() or "could not set lock" in text.lower()):
        return DatabaseLockedError(
            f"the database {path} is in use by another process (close the app or the other command, then retry)")
    if isinstance(exc, duckdb.IOException):
        return DatabaseError(f"cannot open or write the database {path}: {text.splitlines()[0]}")
    if isinstance(exc, duckdb.ConstraintException):
        return DatabaseError(f"the change breaks a database rule: {text.splitlines()[0]}")
    return DatabaseError(f"database error: {text.splitlines()[0]}")


class Database:
    """An open rollout database file (created and migrated on open)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        self._lock = threading.RLock()
        # Bumped on every commit in this process: the UI keys its caches on it.
        self.version = 0
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            if not read_only:
                remove_leftovers(Path(self.path))  # hidden files of a restore killed half-way (files.py)
        try:
            self._con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise translate(exc, self.path) from None
        if not read_only:
            self.migrate()

    # --- reading ---------------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor: one per query, so threads never share one."""
        return self._con.cursor()

    def _fetch(self, sql: str, params: Sequence[Any] | dict[str, Any] | None,
               fetch: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run a parameterised query on its own cursor and fetch the whole result."""
        cur = self.cursor()
        try:
            return fetch(cur.execute(sql, params or []))
        except duckdb.Error as exc:
            raise translate(exc, self.path) from None
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

    # --- writing ---------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One serialised write: everything inside commits together or not at all."""
        if self.read_only:
            raise DatabaseError(f"the database {self.path} is open read-only")
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
                self.version += 1
            except duckdb.Error as exc:
                raise translate(exc, self.path) from None
            finally:
                cur.close()

    def schema_version(self) -> int:
        cur = self.cursor()
        try:
            exists = cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'").fetchone()[0]
            if not exists:
                return 0
            return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        finally:
            cur.close()

    def migrate(self) -> None:
        """Bring an older file up to the latest schema, one migration per transaction."""
        current = self.schema_version()
        if current > LATEST_VERSION:
            raise DatabaseError(f"the database {self.path} was written by a newer version of the app "
                                f"(schema {current}, this app knows {LATEST_VERSION}); upgrade the app")
        for number, path in migrations():
            if number <= current:
                continue
            with self.transaction() as cur:
                cur.execute("CREATE TABLE IF NOT EXISTS schema_version "
                            "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
                cur.execute(path.read_text(encoding="utf-8"))
                cur.execute("INSERT INTO schema_version VALUES (?, ?)", [number, datetime.now()])

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

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
