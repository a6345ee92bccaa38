"""Backups and restores of the rollout database: consistent, validated, upgraded on restore.

A backup is a plain DuckDB file holding every table (and sequence) of the database, written by
DuckDB's own `COPY FROM DATABASE` inside one transaction, so it is a consistent snapshot even
while other threads read and write. DuckDB lets one process at a time open a file, so:

- when no process holds the database, `backup()` attaches it READ_ONLY and copies it;
- while the app runs, the app's process holds it: the copy must be taken from inside the app
  (`backup_open_database(db, out)` / `backup_bytes(db)`, used by a button in the app), and
  `backup()` says so instead of failing obscurely.

`restore()` checks the backup is a rollout database of a schema this app knows, refuses to
replace an existing database without `force` (or one that another process holds: asked of the
OS before anything is written, and again just before the swap), migrates the copy to the current
schema (Database() migrates on open) and only then moves it into place atomically, so a failed
restore leaves the old database untouched. A restore killed half-way leaves a hidden
`.NAME.PID.….restoring` file; the next restore (or open) removes it.

A server store (a postgresql:// URL) is never held by one process: `backup()` and the app's button
copy it, from one consistent snapshot, into the same kind of DuckDB file (transfer.copy_store), and
`restore()` stages the backup in a temporary file (validated and upgraded as above), then replaces the
server's data with it in one PostgreSQL transaction. A backup restores into either engine.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb

from rollout.core.access import Caller
from rollout.core.errors import DatabaseLockedError, RolloutError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.core.values import quote, quote_text
from rollout.store import files
from rollout.store.audit import authorise
from rollout.store.db import LATEST_VERSION, Database, FileDatabase, is_server_location, translate
from rollout.store.scope import whole
from rollout.store.transfer import copy_store, has_data

# Tables every rollout database has had since schema version 1 (migration 001).
REQUIRED_TABLES = ("schema_version", "regions", "branches", "modules", "checklist", "people", "role_requirements",
                   "assignments", "training", "executives", "touchpoints", "lessons", "lesson_applications",
                   "master_data", "problems", "import_log")

IN_USE_MESSAGE = N_("the database {path} is in use by the running app (DuckDB lets one process open a file): take "
                    "the backup from inside the app (Settings page, 'Back up the database'), or stop the app and run "
                    "this command again")


def _is_locked(exc: Exception) -> bool:
    return isinstance(translate(exc), DatabaseLockedError)


def _target(out: Path) -> Path:
    """The backup file to write: `out` itself, or a time-stamped file inside `out` if it is a folder."""
    out = Path(out)
    files.check_output_path(out, folder=out.is_dir())
    if out.is_dir():
        out = out / f"rollout-backup-{datetime.now():%Y%m%d-%H%M%S}.duckdb"
    if out.exists():
        raise RolloutError(_("{path} already exists (choose a new file name for the backup)").format(path=out))
    if not out.parent.exists():
        raise RolloutError(_("the folder {path} does not exist (create it first)").format(path=out.parent))
    return out


def _remove(path: Path) -> None:
    files.remove_file(path)


def _temporary_next_to(path: Path, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    os.unlink(name)  # DuckDB must create the file itself
    return Path(name)


def _copy_into(con: duckdb.DuckDBPyConnection, source_catalog: str, out: Path) -> None:
    """COPY FROM DATABASE source_catalog into a new file `out`, in one transaction, then detach it."""
    cur = con.cursor()
    try:
        cur.execute(f"ATTACH {quote_text(str(out))} AS rollout_backup_target")
        try:
            cur.execute("BEGIN TRANSACTION")
            cur.execute(f"COPY FROM DATABASE {quote(source_catalog)} TO rollout_backup_target")
            cur.execute("COMMIT")
        finally:
            cur.execute("DETACH rollout_backup_target")
    finally:
        cur.close()


def backup(db_path: Path | str, out: Path, *, caller: Caller) -> Path:
    """Copy the database file at db_path into a new backup file (out, or a new file inside folder out).
    Admins only (the CLI passes its operator; there is no default caller).

    Refuses, with a message saying what to do, when another process (the running app) holds the file.
    db_path may be a server URL: the server's store is copied into the same kind of file.
    """
    caller.check("backup")
    if is_server_location(str(db_path)):
        with Database(str(db_path)) as db:
            return backup_open_database(db, out, caller=caller)
    db_path = Path(db_path)
    if not db_path.exists():
        raise RolloutError(_("the database {path} does not exist (nothing to back up)").format(path=db_path))
    target = _target(out)
    partial = _temporary_next_to(target, ".partial")
    try:
        con = duckdb.connect(str(partial))
        try:
            try:
                con.execute(f"ATTACH {quote_text(str(db_path))} AS rollout_backup_source (READ_ONLY)")
            except duckdb.Error as exc:
                if _is_locked(exc):
                    raise DatabaseLockedError(_(IN_USE_MESSAGE).format(path=db_path)) from None
                raise RolloutError(_("{path} cannot be read as a rollout database ({reason})").format(
                    path=db_path, reason=str(exc).splitlines()[0])) from None
            _check_rollout(con, "rollout_backup_source", db_path)
            con.execute("BEGIN TRANSACTION")
            con.execute(f"COPY FROM DATABASE rollout_backup_source TO {quote(_catalog(con))}")
            con.execute("COMMIT")
            con.execute("DETACH rollout_backup_source")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(partial, target)
    except duckdb.Error as exc:
        raise translate(exc, db_path) from None
    finally:
        _remove(partial)
    return target


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchone()[0]


def backup_open_database(db: Database, out: Path, *, caller: Caller) -> Path:
    """Back up the database this process has open (the app's): a consistent snapshot taken while
    writes are held back, so it is safe while other sessions use the app. Returns the file written.
    Admins only: a refusal is recorded."""
    authorise(db, caller, "backup")
    db = whole(db)
    target = _target(out)
    partial = _temporary_next_to(target, ".partial")
    if db.kind == "server":
        try:
            with FileDatabase(partial) as copy:
                copy_store(db, copy)  # one snapshot of the server (its mirror's read transaction)
                copy.checkpoint()
            os.replace(partial, target)
        finally:
            _remove(partial)
        return target
    try:
        with db.exclusive() as con:  # no write can commit half-way through the copy
            _copy_into(con, _catalog(con), partial)
        os.replace(partial, target)
    except duckdb.Error as exc:
        raise translate(exc, db.path) from None
    finally:
        _remove(partial)
    return target


def backup_bytes(db: Database, *, caller: Caller) -> bytes:
    """The backup file's bytes (for a download button in the app); admins only."""
    with tempfile.TemporaryDirectory(prefix="rollout-backup-") as folder:
        written = backup_open_database(db, Path(folder) / "rollout-backup.duckdb", caller=caller)
        return written.read_bytes()


def _check_rollout(con: duckdb.DuckDBPyConnection, catalog: str, shown: Path) -> int:
    """The schema version of an attached rollout database; refuses anything else."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ?", [catalog]).fetchall()}
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise RolloutError(_("{path} is not a rollout database (it has no table {tables})").format(
            path=shown, tables=", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")))
    version = con.execute(f"SELECT coalesce(max(version), 0) FROM {quote(catalog)}.schema_version").fetchone()[0]
    if version < 1:
        raise RolloutError(_("{path} is not a rollout database (its schema version is empty)").format(path=shown))
    if version > LATEST_VERSION:
        raise RolloutError(_("{path} was written by a newer version of the app (schema {version}, this app knows "
                             "{latest}); upgrade the app before restoring it").format(path=shown, version=version,
                                                                                      latest=LATEST_VERSION))
    return version


def inspect_backup(backup_path: Path) -> int:
    """The schema version of a backup file; RolloutError if it is missing or not a rollout database."""
    backup_path = Path(backup_path)
    if not backup_path.exists():
        raise RolloutError(_("the backup {path} does not exist").format(path=backup_path))
    if not backup_path.is_file():
        raise RolloutError(_("the backup {path} is not a file (expected a .duckdb file written by backup)").format(
            path=backup_path))
    con = duckdb.connect(":memory:")
    try:
        try:
            con.execute(f"ATTACH {quote_text(str(backup_path))} AS rollout_restore_source (READ_ONLY)")
        except duckdb.Error as exc:
            if _is_locked(exc):
                raise DatabaseLockedError(_("the backup {path} is in use by another process").format(
                    path=backup_path)) from None
            raise RolloutError(_("{path} is not a rollout backup (not a DuckDB database file: {reason})").format(
                path=backup_path, reason=str(exc).splitlines()[0][:120])) from None
        return _check_rollout(con, "rollout_restore_source", backup_path)
    finally:
        con.close()


def restore(backup_path: Path, db_path: Path | str, force: bool = False, *, caller: Caller) -> None:
    """Replace (or create) the database at db_path with the backup, upgraded to the current schema.
    Admins only (the CLI passes its operator; there is no default caller)."""
    caller.check("restore")
    if is_server_location(str(db_path)):
        _restore_into_server(Path(backup_path), str(db_path), force, caller)
        return
    backup_path, db_path = Path(backup_path), Path(db_path)
    files.check_database_path(db_path)
    inspect_backup(backup_path)
    if db_path.exists():
        if backup_path.resolve() == db_path.resolve():
            raise RolloutError(_("{path} is the database itself (choose another backup file)").format(
                path=backup_path))
        if not force:
            raise RolloutError(_("the database {path} already exists (use --force to replace it with the backup)")
                               .format(path=db_path))
        files.refuse_if_held(db_path)  # a damaged database may be replaced (that is what restoring is for)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    files.remove_leftovers(db_path)
    staged = files.staging_path(db_path, ".restoring")
    try:
        con = duckdb.connect(str(staged))
        try:
            con.execute(f"ATTACH {quote_text(str(backup_path))} AS rollout_restore_source (READ_ONLY)")
            con.execute("BEGIN TRANSACTION")
            con.execute(f"COPY FROM DATABASE rollout_restore_source TO {quote(_catalog(con))}")
            con.execute("COMMIT")
            con.execute("DETACH rollout_restore_source")
        finally:
            con.close()
        with Database(staged) as upgraded:  # migrates an older schema to the current one
            upgraded.checkpoint()
        files.replace_database(staged, db_path)
    except duckdb.Error as exc:
        raise translate(exc, db_path) from None
    finally:
        files.remove_file(staged)


def _restore_into_server(backup_path: Path, url: str, force: bool, caller: Caller) -> None:
    """Replace the server store's data with the backup's, in one PostgreSQL transaction."""
    inspect_backup(backup_path)
    with Database(url) as target:
        if not force and has_data(target):
            raise RolloutError(_("the database {name} already holds data (use --force to replace it with the "
                                 "backup)").format(name=target.name))
        with tempfile.TemporaryDirectory(prefix="rollout-restore-") as folder:
            staged = Path(folder) / "restore.duckdb"
            restore(backup_path, staged, caller=caller)  # validated and upgraded to the current schema
            with Database(staged) as source:
                copy_store(source, target)


__all__ = ["backup", "backup_bytes", "backup_open_database", "inspect_backup", "restore"]
