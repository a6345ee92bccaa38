"""The server engine: the rollout tables in PostgreSQL, shared by many app replicas and CLI commands.

Where things live and why (bench/server.py measures the choices; the README has the figures):

- **The data** is in ordinary PostgreSQL tables, created by the same migration files as the embedded
  engine (schema.py translates their types), with their primary keys, so PostgreSQL enforces the keys
  and its own tools (pg_dump, replication, monitoring) work on it.
- **Writes** run in PostgreSQL through psycopg, in READ COMMITTED, each transaction first taking one
  advisory lock (`pg_advisory_xact_lock(WRITE_LOCK)`): writes are serialised across every process as
  the embedded engine serialises them within its one process, so an edit's optimistic check (the row
  as shown against the row now, exchange/edits.py) and its update cannot interleave with another
  process's, and no update is lost. An import is one PostgreSQL transaction.
- **Reads** run in DuckDB, on an in-memory copy of the tables (the *mirror*) that each process keeps.
  Every table carries a statement trigger that bumps its row in `rollout_versions` in the same
  transaction as the change; before answering a read, the process polls that small table (one round
  trip) and, when a table's counter moved, reloads just that table from one REPEATABLE READ snapshot
  (DuckDB's postgres extension, binary COPY). The mirror is therefore always a consistent state of the
  store as of the poll: an import is seen whole or not at all, and a write in one replica shows in
  every other replica's next page run. The sum of the counters is `Database.version`, the UI's cache
  key: it comes from the store, not from the process.
- **Migrations** run once, under a session advisory lock (`MIGRATE_LOCK`), when several processes
  start together: the first migrates, the others wait, then find nothing to do.

Passwords never leave this module: `name` is the URL with its password masked, and every message
from PostgreSQL, psycopg or DuckDB passes through `Location.scrub` before it is raised.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import errors as pgerrors

from rollout.core.errors import DatabaseError, DatabaseLockedError
from rollout.core.i18n import _
from rollout.store.db import Database, query_error, translate
from rollout.store.locations import Location
from rollout.store.schema import (
    LATEST_VERSION,
    SCHEMA_VERSION_TABLE,
    migration_sql,
    migrations,
    newer_message,
    read_only_message,
)

# Advisory lock keys (64-bit, per database): one for migrations, one that every write transaction takes.
MIGRATE_LOCK = 0x726F6C6C6F75_01  # "rollou" + 1
WRITE_LOCK = 0x726F6C6C6F75_02
# How long a write waits for another process's write (an import of a big workbook takes seconds).
WRITE_WAIT = "120s"
CONNECT_TIMEOUT_S = 10
PG = "rollout_pg"  # the PostgreSQL database as DuckDB's mirror attaches it

_TRACKING = """
CREATE TABLE IF NOT EXISTS rollout_versions (table_name VARCHAR PRIMARY KEY, version BIGINT NOT NULL);
CREATE OR REPLACE FUNCTION rollout_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollout_versions AS v (table_name, version) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (table_name) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END $$;
"""


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connection_error(exc: Exception, where: Location) -> DatabaseError:
    """Why a connection failed, in one line a user can act on (never the password)."""
    text = where.scrub(str(exc)).strip()
    low = text.lower()
    first = text.splitlines()[0] if text else type(exc).__name__
    if "password authentication failed" in low or "no password supplied" in low or (
            "role" in low and "does not exist" in low) or "authentication failed" in low:
        return DatabaseError(_("the PostgreSQL server {server} refused the login of user '{user}' (authentication "
                               "failed: check the user and password in the URL {url})").format(
            server=where.server, user=where.user, url=where.shown))
    if "database" in low and "does not exist" in low:
        return DatabaseError(_("the database '{name}' does not exist on the PostgreSQL server {server} (create it, "
                               "e.g. `createdb -h {host} -p {port} -U {user} {name}`, or fix the URL {url})").format(
            name=where.dbname, server=where.server, host=where.host, port=where.port, user=where.user or "postgres",
            url=where.shown))
    if any(s in low for s in ("connection refused", "could not connect", "timeout expired", "translate host name",
                              "no route to host", "name or service not known", "network is unreachable",
                              "server closed the connection", "connection to server", "terminating connection",
                              "could not receive data", "connection timed out", "the connection is closed",
                              "consuming input failed", "sending query failed")):
        return DatabaseError(_("cannot reach the PostgreSQL server {server} (is it running, and are host and port "
                               "right in {url}?)").format(server=where.server, url=where.shown))
    return DatabaseError(_("cannot use the database {url}: {reason}").format(url=where.shown, reason=first))


def _pg_error(exc: Exception, where: Location) -> DatabaseError:
    """A PostgreSQL error from a query, as a message a user can act on."""
    if isinstance(exc, pgerrors.LockNotAvailable | pgerrors.QueryCanceled):
        return DatabaseLockedError(_("the database {url} is busy with another write (an import?) that has not "
                                     "finished within {wait}; try again in a moment").format(url=where.shown,
                                                                                             wait=WRITE_WAIT))
    state = getattr(exc, "sqlstate", None)
    if isinstance(exc, psycopg.InterfaceError) or (isinstance(exc, psycopg.OperationalError) and (
            state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03"))):
        return connection_error(exc, where)  # the connection failed, not the query
    first = where.scrub(str(exc)).strip().splitlines()
    first_line = first[0] if first else type(exc).__name__
    return query_error(first_line, isinstance(exc, psycopg.IntegrityError))


# --- DuckDB's postgres extension, installed from its pip wheel (no download at run time) ------------

_EXTENSION_LOCK = threading.Lock()


def load_postgres_extension(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD postgres into a DuckDB connection; installs it first from the duckdb-extension-postgres wheel."""
    with _EXTENSION_LOCK:
        try:
            con.execute("LOAD postgres")
            return
        except duckdb.Error:
            pass
        try:
            import duckdb_extension_postgres
        except ImportError:
            raise DatabaseError(_("the server engine needs the duckdb-extension-postgres package (pip install -r "
                                  "requirements.txt)")) from None
        wheel = Path(duckdb_extension_postgres.__file__).parent
        found = sorted(wheel.rglob("*.duckdb_extension"))
        if not found:
            raise DatabaseError(_("no DuckDB extension file inside {path} (reinstall duckdb-extension-postgres)")
                                .format(path=wheel))
        try:
            con.execute(f"INSTALL '{found[0]}'")
        except duckdb.Error:  # the home folder is not writable: keep the extension in a temporary folder
            folder = Path(tempfile.gettempdir()) / "rollout-duckdb-extensions"
            folder.mkdir(exist_ok=True)
            con.execute(f"SET extension_directory = '{folder}'")
            con.execute(f"INSTALL '{found[0]}'")
        con.execute("LOAD postgres")


# --- the write cursor --------------------------------------------------------------------------------

_SQL_PIECES = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|\?|%)""", re.DOTALL)


def postgres_placeholders(sql: str) -> str:
    """DuckDB-style `?` parameters as psycopg's `%s` (and a literal % as %%), outside strings and comments."""
    def piece(match: re.Match[str]) -> str:
        text = match.group()
        if text == "?":
            return "%s"
        return text.replace("%", "%%")
    return _SQL_PIECES.sub(piece, sql)


def _plain(value: Any) -> Any:
    """A parameter as psycopg takes it: numpy scalars as Python, pandas' missing values as None."""
    if value is None or isinstance(value, str | int | float | bool | date | datetime):
        return value
    try:
        if value != value:  # NaN, NaT
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


_ARROW_TO_PG = [(pa.types.is_boolean, "BOOLEAN"), (pa.types.is_integer, "BIGINT"),
                (pa.types.is_floating, "DOUBLE PRECISION"), (pa.types.is_date, "DATE"),
                (pa.types.is_timestamp, "TIMESTAMP"), (pa.types.is_string, "TEXT"), (pa.types.is_large_string, "TEXT"),
                (pa.types.is_null, "TEXT")]


def _pg_type(arrow_type: pa.DataType) -> str:
    for test, name in _ARROW_TO_PG:
        if test(arrow_type):
            return name
    raise DatabaseError(f"cannot store a column of type {arrow_type} in PostgreSQL")


class ServerCursor:
    """The server engine's write cursor (see rollout.store.db.Cursor): `?` parameters, `execute()`
    returning the cursor, and `register(name, arrow)` loading an Arrow table into a temporary table
    of that name with one COPY (the importer's bulk path)."""

    def __init__(self, conn: psycopg.Connection, where: Location) -> None:
        self._conn, self._where = conn, where
        self._cur = conn.cursor()
        self._registered: set[str] = set()

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> ServerCursor:
        if isinstance(parameters, Mapping):
            raise DatabaseError("named parameters are for reads; a write takes ? parameters")
        try:
            self._cur.execute(postgres_placeholders(sql), [_plain(v) for v in parameters or []])
        except psycopg.Error as exc:
            raise _pg_error(exc, self._where) from None
        return self

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    def register(self, name: str, table: pa.Table) -> ServerCursor:
        """A temporary table `name` holding the Arrow table's rows (replaced if registered before)."""
        if isinstance(table, pa.RecordBatchReader):
            table = table.read_all()
        self.unregister(name)
        columns = ", ".join(f"{_identifier(f.name)} {_pg_type(f.type)}" for f in table.schema)
        self.execute(f"CREATE TEMPORARY TABLE {_identifier(name)} ({columns})")
        self._registered.add(name)
        if table.num_rows:
            # CSV: a quoted "" is an empty text, an unquoted empty field is NULL; doubles are written
            # in their shortest exact form, so the round trip is exact.
            buffer = io.BytesIO()
            pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            try:
                with self._cur.copy(f"COPY {_identifier(name)} FROM STDIN (FORMAT csv)") as copy:
                    copy.write(buffer.getbuffer())
            except psycopg.Error as exc:
                raise _pg_error(exc, self._where) from None
        return self

    def unregister(self, name: str) -> ServerCursor:
        if name in self._registered:
            self.execute(f"DROP TABLE IF EXISTS {_identifier(name)}")
            self._registered.discard(name)
        return self

    def close(self) -> None:
        for name in list(self._registered):
            with contextlib.suppress(DatabaseError):
                self.unregister(name)
        self._cur.close()


# --- the store ---------------------------------------------------------------------------------------

class ServerDatabase(Database):
    """A rollout store in a PostgreSQL database (created and migrated on open)."""

    kind = "server"

    def __init__(self, url: str, read_only: bool = False) -> None:
        self.where = Location.parse(url)
        self.path, self.name = self.where.url, self.where.shown
        self.read_only = read_only
        self._lock = threading.RLock()  # this process's writes, one at a time (as on the embedded engine)
        self._poll_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._writer: psycopg.Connection | None = None
        self._mirror: duckdb.DuckDBPyConnection | None = None
        self._mirrored: dict[str, int] = {}
        self._poller = self._connect()
        try:
            if not read_only:
                self.migrate()
            current = self.schema_version()
            if current > LATEST_VERSION:
                raise DatabaseError(newer_message(self.name, current))
            if current == 0:
                raise DatabaseError(_("the database {name} holds no rollout store yet (open it once without "
                                      "read-only to create it)").format(name=self.name))
            self._mirror = self._open_mirror(current)
        except BaseException:
            self.close()
            raise

    # --- connections -------------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.where.connect_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                   application_name="rollout")
        except psycopg.Error as exc:
            raise connection_error(exc, self.where) from None

    def _poll_query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """A small query on the shared polling connection (reconnected once if the server restarted)."""
        with self._poll_lock:
            for attempt in (1, 2):
                try:
                    if self._poller.closed:
                        self._poller = self._connect()
                    return self._poller.execute(sql, params).fetchall()
                except psycopg.OperationalError as exc:
                    with contextlib.suppress(Exception):
                        self._poller.close()
                    if attempt == 2:
                        raise _pg_error(exc, self.where) from None
                except psycopg.Error as exc:
                    raise _pg_error(exc, self.where) from None
        raise AssertionError("unreachable")

    # --- schema --------------------------------------------------------------------------------------
    def schema_version(self) -> int:
        found = self._poll_query("SELECT to_regclass('schema_version') IS NOT NULL")
        if not found[0][0]:
            return 0
        return self._poll_query("SELECT coalesce(max(version), 0) FROM schema_version")[0][0]

    def migrate(self) -> None:
        """Bring the store up to the latest schema: once, under an advisory lock, however many processes
        start together; each migration in its own transaction (PostgreSQL's DDL is transactional)."""
        conn = self._connect()
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
            try:
                exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
                current = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0] \
                    if exists else 0
                if current > LATEST_VERSION:
                    raise DatabaseError(newer_message(self.name, current))
                for number, path in migrations():
                    if number <= current:
                        continue
                    with conn.transaction():
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                        conn.execute(SCHEMA_VERSION_TABLE)
                        conn.execute(migration_sql(number, path, "postgres"))
                        conn.execute("INSERT INTO schema_version VALUES (%s, %s)", [number, datetime.now()])
                        self._track(conn)
                if conn.execute("SELECT to_regclass('rollout_versions') IS NULL").fetchone()[0]:
                    with conn.transaction():  # a store whose tables came from elsewhere (pg_restore)
                        self._track(conn)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])
        except psycopg.Error as exc:
            raise _pg_error(exc, self.where) from None
        finally:
            conn.close()

    @staticmethod
    def _track(conn: psycopg.Connection) -> None:
        """Give every table (new ones included) the trigger that bumps its row in rollout_versions."""
        conn.execute(_TRACKING)
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'rollout_versions'")]
        for table in tables:
            conn.execute(f"CREATE OR REPLACE TRIGGER rollout_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                         f"{_identifier(table)} FOR EACH STATEMENT EXECUTE FUNCTION rollout_touch()")
            conn.execute("INSERT INTO rollout_versions VALUES (%s, 1) ON CONFLICT DO NOTHING", [table])

    # --- reading: the mirror ------------------------------------------------------------------------------
    def _open_mirror(self, schema: int) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB database with the store's schema (the same migrations as a file) and the
        PostgreSQL database attached read-only; filled by the first read."""
        mirror = duckdb.connect(":memory:")
        try:
            mirror.execute("SET enable_progress_bar = false")  # cursors inherit it: never on a CLI's stdout
            load_postgres_extension(mirror)
            for number, path in migrations():
                if number <= schema:
                    mirror.execute(SCHEMA_VERSION_TABLE)
                    mirror.execute(migration_sql(number, path, "duckdb"))
            url = self.where.connect_url.replace("'", "''")
            mirror.execute(f"ATTACH '{url}' AS {PG} (TYPE postgres, READ_ONLY)")
        except duckdb.Error as exc:
            mirror.close()
            raise self._translate(exc) from None
        self._tables = [r[0] for r in mirror.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'memory' "
            "AND table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()]
        return mirror

    def _translate(self, exc: Exception) -> DatabaseError:
        """A DuckDB error on the mirror (or from its PostgreSQL connection), password scrubbed."""
        low = str(exc).lower()
        if "unable to connect" in low or ("connection" in low and ("refused" in low or "closed" in low)):
            return connection_error(exc, self.where)
        error = translate(exc, self.name)
        return type(error)(self.where.scrub(str(error)))

    def _versions(self) -> dict[str, int]:
        return dict(self._poll_query("SELECT table_name, version FROM rollout_versions"))

    @property
    def version(self) -> int:
        """The sum of the tables' change counters in PostgreSQL: moves with every committed write, from
        any process (so every replica's caches follow the store)."""
        return sum(self._versions().values())

    def refresh(self) -> None:
        """Bring the mirror up to the store (a no-op when nothing changed: one small query)."""
        wanted = self._versions()
        if wanted == self._mirrored:
            return
        with self._refresh_lock:
            if wanted == self._mirrored:
                return
            assert self._mirror is not None
            cur = self._mirror.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                # the counters and the tables from one REPEATABLE READ snapshot of PostgreSQL
                snapshot = dict(cur.execute(f"SELECT table_name, version FROM {PG}.rollout_versions").fetchall())
                for table in self._tables:
                    if table not in self._mirrored or snapshot.get(table) != self._mirrored.get(table):
                        # no keys in the mirror: DuckDB rebuilds a table without indexes much faster
                        cur.execute(f"CREATE OR REPLACE TABLE main.{_identifier(table)} AS "
                                    f"SELECT * FROM {PG}.{_identifier(table)}")
                cur.execute("COMMIT")
                self._mirrored = snapshot
            except duckdb.Error as exc:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
                raise self._translate(exc) from None
            finally:
                cur.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB cursor on the mirror, brought up to the store first."""
        if self._mirror is None:
            raise DatabaseError(_("the database {name} is closed").format(name=self.name))
        self.refresh()
        return self._mirror.cursor()

    def tables(self) -> list[str]:
        return sorted(self._tables)

    # --- writing ---------------------------------------------------------------------------------------
    def _write_connection(self) -> psycopg.Connection:
        if self._writer is None or self._writer.closed or self._writer.broken:
            self._writer = self._connect()
            self._writer.execute(f"SET lock_timeout = '{WRITE_WAIT}'")
        return self._writer

    @contextmanager
    def transaction(self) -> Iterator[ServerCursor]:
        """One write, serialised with every other process's writes, committed whole or not at all."""
        if self.read_only:
            raise DatabaseError(read_only_message(self.name))
        with self._lock:
            conn = self._write_connection()
            cur = ServerCursor(conn, self.where)
            try:
                with conn.transaction():
                    cur.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
                    yield cur
            except psycopg.Error as exc:
                raise _pg_error(exc, self.where) from None
            finally:
                with contextlib.suppress(Exception):
                    cur.close()

    def advance_sequences(self, cur: ServerCursor) -> None:
        defaults = cur.execute("SELECT table_name, column_name, column_default FROM information_schema.columns "
                               "WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'").fetchall()
        for table, column, default in defaults:
            name = re.match(r"nextval\('([^':]+)'", default)[1]
            cur.execute(f"SELECT setval(?, (SELECT max({_identifier(column)}) FROM {_identifier(table)})) "
                        f"WHERE EXISTS (SELECT 1 FROM {_identifier(table)})", [name])

    def close(self) -> None:
        with self._lock:
            for conn in (self._writer, getattr(self, "_poller", None)):
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
            if self._mirror is not None:
                with contextlib.suppress(Exception):
                    self._mirror.close()
                self._mirror = None
