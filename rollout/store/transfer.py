"""Moving a whole store between engines: file to server, server to file, or file to file.

`copy_store(source, target)` reads every table of `source` from one consistent snapshot (a DuckDB read
transaction: on the file itself, or on the server's mirror) and writes them into `target` in one
transaction of the target, replacing what it held, then moves the target's sequences past the
source's, so the next audited change or snapshot gets a fresh id. Both stores are opened (so migrated)
first: they have the same tables, whichever engine holds them. The `copy` command, the server's
backups (a DuckDB file, the same portable format as a file's backup) and restores into a server are
built on it.
"""

from __future__ import annotations

from pathlib import Path

from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.store.db import Database, is_server_location
from rollout.store.files import check_database_path
from rollout.store.schema import LATEST_VERSION

# Tables that describe the store rather than hold its data: never copied (each store keeps its own).
_OWN = {"schema_version"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def data_tables(db: Database) -> list[str]:
    return [t for t in db.tables() if t not in _OWN]


def has_data(db: Database) -> bool:
    """Whether any table of the store holds a row (a fresh store holds none)."""
    tables = data_tables(db)
    if not tables:
        return False
    return bool(db.scalar("SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {_quote(t)})" for t in tables)))


def clear_store(db: Database) -> None:
    """Empty every table in one transaction (the schema stays)."""
    with db.transaction() as cur:
        for table in data_tables(db):
            cur.execute(f"DELETE FROM {_quote(table)}")


def copy_store(source: Database, target: Database) -> dict[str, int]:
    """Replace everything in target with source's tables; returns the rows copied per table."""
    if source.schema_version() != LATEST_VERSION or target.schema_version() != LATEST_VERSION:
        raise RolloutError(_("both stores must be at the current schema to copy (open each once read-write)"))
    tables = data_tables(target)
    missing = sorted(set(tables) - set(data_tables(source)))
    if missing:
        raise RolloutError(_("{name} has no table {tables}").format(name=source.name, tables=", ".join(missing)))
    counts: dict[str, int] = {}
    reader = source.cursor()
    try:
        reader.execute("BEGIN TRANSACTION")  # one snapshot of the source for every table
        columns = {t: [r[0] for r in reader.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
            "AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [t]).fetchall()]
            for t in tables}
        with target.transaction() as cur:
            for table in tables:
                cur.execute(f"DELETE FROM {_quote(table)}")
            for table in tables:
                names = ", ".join(_quote(c) for c in columns[table])
                rows = reader.execute(f"SELECT {names} FROM {_quote(table)}").to_arrow_table()
                counts[table] = rows.num_rows
                if rows.num_rows:
                    cur.register("rollout_copied_rows", rows)
                    try:
                        cur.execute(f"INSERT INTO {_quote(table)} ({names}) SELECT {names} FROM rollout_copied_rows")
                    finally:
                        cur.unregister("rollout_copied_rows")
            target.advance_sequences(cur)
        reader.execute("COMMIT")
    finally:
        reader.close()
    return counts


def same_location(a: str | Path, b: str | Path) -> bool:
    if is_server_location(str(a)) or is_server_location(str(b)):
        return str(a).strip() == str(b).strip()
    return Path(a).resolve() == Path(b).resolve()


# What a store file is called: the suffixes the app's own files carry (data/rollout.duckdb, backups).
STORE_SUFFIXES = (".duckdb", ".db")


def check_store_location(location: str | Path, source: bool) -> None:
    """A location `copy` may read (source) or replace (target), else RolloutError in one line: a server URL,
    or a store file named .duckdb or .db (a source: one that exists and holds something). Refused: an empty or
    blank location (it would open a database in memory: nothing read, nothing written), `:memory:` and other
    in-memory names, a folder, a file of another kind (`out.xlsx` would become a DuckDB file so named)."""
    text = str(location)
    if is_server_location(text):
        return
    shown = repr(text)
    if not text.strip() or text.strip().startswith(":"):
        raise RolloutError((_("the source {location} is not a store (expected a .duckdb file or a postgresql:// URL)")
                            if source else _("the target {location} is not a store (expected a .duckdb file or a "
                                             "postgresql:// URL)")).format(location=shown))
    path = Path(text)
    if source and not path.exists():
        raise RolloutError(_("the database {path} does not exist (nothing to copy)").format(path=path))
    check_database_path(path)
    if path.suffix.lower() not in STORE_SUFFIXES:
        raise RolloutError((_("the source {path} is not a store file (expected a name ending in .duckdb or .db)")
                            if source else _("the target {path} is not a store file (expected a name ending in "
                                             ".duckdb or .db)")).format(path=path))
    if source and path.stat().st_size == 0:
        raise RolloutError(_("the source {path} is empty (expected a store to copy)").format(path=path))


def copy_between(source_location: str | Path, target_location: str | Path, force: bool = False) -> dict[str, int]:
    """The `copy` command: the whole store at source_location into target_location (created if new).

    Refuses a target that already holds data unless force (then its data is replaced), and any location that
    is not a store (check_store_location) before either is opened."""
    check_store_location(source_location, source=True)
    check_store_location(target_location, source=False)
    if same_location(source_location, target_location):
        raise RolloutError(_("the source and the target are the same store"))
    with Database(source_location) as source, Database(target_location) as target:
        if not force and has_data(target):
            raise RolloutError(_("{target} already holds data (use --force to replace it with {source})").format(
                target=target.name, source=source.name))
        return copy_store(source, target)


__all__ = ["clear_store", "copy_between", "copy_store", "data_tables", "has_data"]
