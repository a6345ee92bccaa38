"""The audit trail: one row in audit_log per changed value, written in the same transaction as the change.

Every write path (workbook edits, settings, snapshots, go / no-go decisions) records its changes
with `record`, so a change and its audit row commit together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from rollout.store.db import Database


def record(cur: Any, actor: str, action: str, table: str, row_key: str, column: str | None = None,
           old: str | None = None, new: str | None = None, at: datetime | None = None) -> None:
    """Add one audit row on `cur`, the cursor of the transaction that makes the change.

    action: insert or update; row_key: which row (its key as text); column: the changed column
    (None for a whole new row); old / new: the values as text (None for empty)."""
    cur.execute("INSERT INTO audit_log (changed_at, actor, action, table_name, row_key, column_name, old_value, "
                "new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [at or datetime.now(), actor, action, table, row_key, column, old, new])


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
