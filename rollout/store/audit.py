"""The audit trail: one row in audit_log per changed value, written in the same transaction as the change.

Every write path (workbook edits, settings, snapshots, go / no-go decisions, users) records its changes
with `record`, so a change and its audit row commit together or not at all; every row names the person
(`Caller.email`: a signed-in email, `local`, or `cli:<os user>`). A write refused for role or scope is
recorded too (`refused`, with the reason), in a transaction of its own, since the write itself is not
made: `guarded` and `authorise` are the one place that happens.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import AccessDeniedError, DatabaseError

if TYPE_CHECKING:
    from rollout.store.db import Database


def utc_now() -> datetime:
    """When, in UTC (ACCESS.md "Audit"), stored without a zone as every timestamp of the store."""
    return datetime.now(UTC).replace(tzinfo=None)


def record(cur: Any, actor: str, action: str, table: str, row_key: str, column: str | None = None,
           old: str | None = None, new: str | None = None, at: datetime | None = None) -> None:
    """Add one audit row on `cur`, the cursor of the transaction that makes the change.

    actor: the caller's email; action: insert, update, refused...; row_key: which row (its key as
    text); column: the changed column (None for a whole new row); old / new: the values as text."""
    cur.execute("INSERT INTO audit_log (changed_at, actor, action, table_name, row_key, column_name, old_value, "
                "new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [at or utc_now(), actor, action, table, row_key, column, old, new])


def record_json(cur: Any, actor: str, action: str, table: str, key: dict | None, old: object = None,
                new: object = None) -> None:
    """One audit row whose key and values are JSON objects (a user, a snapshot, a decision)."""
    record(cur, actor, action, table, "" if key is None else json.dumps(key, ensure_ascii=False),
           None, None if old is None else json.dumps(old, default=str, ensure_ascii=False),
           None if new is None else json.dumps(new, default=str, ensure_ascii=False))


def record_refusal(db: Database, caller: Caller, operation: str, reason: str) -> None:
    """A refused write in the audit trail: who tried what, and why not (its own transaction)."""
    if getattr(db, "read_only", False):
        return  # a read-only handle cannot record anything; the refusal is still raised
    try:
        with db.transaction() as cur:
            record(cur, caller.email, "refused", operation, "", None, None, reason)
    except DatabaseError:
        pass  # the refusal itself is what the caller must see, not a failure to log it


@contextmanager
def guarded(db: Database, caller: Caller, operation: str) -> Iterator[None]:
    """Any AccessDeniedError raised inside (the write rolled back) is recorded, then raised on."""
    try:
        yield
    except AccessDeniedError as exc:
        record_refusal(db, caller, operation, str(exc))
        raise


def authorise(db: Database, caller: Caller, operation: str, region_code: str | None = None) -> None:
    """Before a write: refuse it (recorded in audit_log) unless caller may do `operation` in the region
    (None: every region at once, as an import or a setting acts)."""
    with guarded(db, caller, operation):
        caller.check(operation, region_code)


def authorise_own_scope(db: Database, caller: Caller, operation: str) -> None:
    """Before a write over what the caller sees (a snapshot of its scope): the role decides, since every
    region of the caller's scope is in scope by definition."""
    authorise(db, caller, operation, None if caller.everywhere else min(caller.regions or {""}))


def audit_trail(db: Database, limit: int = 200) -> pd.DataFrame:
    """The latest audited changes, newest first (the Settings page's "Recent changes")."""
    return db.df("SELECT changed_at, actor, action, table_name, row_key, column_name, old_value, new_value "
                 "FROM audit_log ORDER BY audit_id DESC LIMIT ?", [limit])


def audit_entries(db: Database, actor: str | None = None, table: str | None = None, since: date | None = None,
                  until: date | None = None, limit: int = 5000) -> pd.DataFrame:
    """The audit trail narrowed for the Access page (ACCESS.md "Audit"): one person, one table, a date range
    (inclusive days of changed_at), newest first; None leaves that filter off."""
    where, args = [], []
    for clause, value in (("actor = ?", actor), ("table_name = ?", table), ("CAST(changed_at AS DATE) >= ?", since),
                          ("CAST(changed_at AS DATE) <= ?", until)):
        if value is not None:
            where.append(clause)
            args.append(value)
    return db.df("SELECT changed_at, actor, action, table_name, row_key, column_name, old_value, new_value "
                 f"FROM audit_log {'WHERE ' + ' AND '.join(where) if where else ''} "  # clauses are ours
                 "ORDER BY audit_id DESC LIMIT ?", [*args, limit])


def audit_choices(db: Database) -> dict[str, list[str]]:
    """The people and tables the audit trail names: the Access page's filter options."""
    return {column: [r[0] for r in db.rows(f"SELECT DISTINCT {column} FROM audit_log ORDER BY 1")]  # our names
            for column in ("actor", "table_name")}
