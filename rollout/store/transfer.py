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


def copy_between(source_location: str | Path, target_location: str | Path, force: bool = False) -> dict[str, int]:
    """The `copy` command: the whole store at source_location into target_location (created if new).

    Refuses a target that already holds data unless force (then its data is replaced)."""
    if same_location(source_location, target_location):
        raise RolloutError(_("the source and the target are the same store"))
    if not is_server_location(str(source_location)) and not Path(source_location).exists():
        raise RolloutError(_("the database {path} does not exist (nothing to copy)").format(path=source_location))
    with Database(source_location) as source, Database(target_location) as target:
        if not force and has_data(target):
            raise RolloutError(_("{target} already holds data (use --force to replace it with {source})").format(
                target=target.name, source=source.name))
        return copy_store(source, target)


__all__ = ["clear_store", "copy_between", "copy_store", "data_tables", "has_data"]
