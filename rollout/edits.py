"""In-app edits of workbook tables: validated by the importer's own rules, atomic, audited.

Every edit path of every page goes through `insert_rows` / `update_row`, so an edit is checked
exactly like an imported row (spec.py), references are checked against the database, the write
is one transaction, and each changed value lands in audit_log with its old value. `update_row`
is optimistic: the caller passes the row as it was shown, and if someone else changed it since,
the edit is refused (ConflictError) instead of silently overwriting their change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import duckdb

from rollout.db import Database
from rollout.errors import CellError, ConflictError, NotFoundError, ValidationError
from rollout.importer import _broken_references, quote
from rollout.spec import SHEETS, Sheet, SheetRows, validate_rows


def _key_text(sheet: Sheet, row: Mapping[str, Any]) -> str:
    return json.dumps({k: _plain(row[k]) for k in sheet.key}, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars from a DataFrame
        return value.item()
    return value


def _comparable(value: Any) -> Any:
    """Values as read back from DuckDB or a DataFrame, made comparable (NaN/NaT/'' as None)."""
    value = _plain(value)
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date().isoformat()
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10] if value[10:] in ("", " 00:00:00", "T00:00:00") else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _validate(db: Database, sheet: Sheet, rows: list[dict[str, Any]], today: date | None,
              label: str) -> SheetRows:
    """The importer's rules on edited rows; errors name the row as the user sees it (label)."""
    numbers = list(range(1, len(rows) + 1))
    valid, errors = validate_rows(sheet.name, rows, numbers, today or date.today())
    errors += list(_broken_references(db, {sheet.name: valid}))
    if errors:
        raise ValidationError([CellError(f"{label}" if len(rows) == 1 else f"{label} {e.row}", None, e.column,
                                         e.value, e.expected) for e in errors])
    return valid


def _current(cur: duckdb.DuckDBPyConnection, sheet: Sheet, key: Mapping[str, Any]) -> dict[str, Any] | None:
    where = " AND ".join(f"{quote(k)} = ?" for k in sheet.key)
    found = cur.execute(f"SELECT * FROM {quote(sheet.name)} WHERE {where}",
                        [key[k] if key[k] is not None else "" for k in sheet.key]).fetchone()
    if found is None:
        return None
    return dict(zip(sheet.column_names, found, strict=True))


def _audit(cur: duckdb.DuckDBPyConnection, actor: str, action: str, sheet: Sheet, row: Mapping[str, Any],
           column: str | None, old: Any, new: Any) -> None:
    cur.execute("INSERT INTO audit_log (changed_at, actor, action, table_name, row_key, column_name, old_value, "
                "new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [datetime.now(), actor, action, sheet.name, _key_text(sheet, row), column,
                 None if old is None else str(_plain(old)), None if new is None else str(_plain(new))])


def insert_rows(db: Database, table: str, rows: list[dict[str, Any]], actor: str = "app",
                today: date | None = None, label: str | None = None, skip_existing: bool = False) -> int:
    """Add new rows (validated, one transaction, audited). An existing key is refused unless
    skip_existing, when it is left alone (idempotent bulk adds). Returns the rows added."""
    sheet = SHEETS[table]
    valid = _validate(db, sheet, rows, today, label or f"new {table} row")
    seen: set[tuple] = set()
    for row in valid.rows:
        key = tuple(row[k] for k in sheet.key)
        if key in seen:
            raise ValidationError([CellError(label or table, None, ", ".join(sheet.key), ", ".join(map(str, key)),
                                             "is given twice (expected each key once)")])
        seen.add(key)
    added = 0
    with db.transaction() as cur:
        for row in valid.rows:
            if _current(cur, sheet, row) is not None:
                if skip_existing:
                    continue
                raise ValidationError([CellError(label or table, None, ", ".join(sheet.key),
                                                 ", ".join(str(row[k]) for k in sheet.key),
                                                 "already exists (expected a new key)")])
            cur.execute(f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in sheet.column_names)}) "
                        f"VALUES ({', '.join('?' for _ in sheet.column_names)})",
                        [row[c] for c in sheet.column_names])
            _audit(cur, actor, "insert", sheet, row, None, None, json.dumps(
                {c: _plain(row[c]) for c in sheet.column_names}, ensure_ascii=False))
            added += 1
    return added


def update_row(db: Database, table: str, key: Mapping[str, Any], changes: Mapping[str, Any],
               original: Mapping[str, Any] | None = None, actor: str = "app", today: date | None = None,
               label: str | None = None) -> dict[str, Any]:
    """Change some values of one row. `original` is the row as the user saw it: if any of its
    values differ from the database now, someone else edited it and the change is refused."""
    sheet = SHEETS[table]
    unknown = set(changes) - set(sheet.column_names)
    if unknown:
        raise ValidationError([CellError(table, None, c, None, "is not a column of this table") for c in unknown])
    label = label or f"{table} {', '.join(str(key[k]) for k in sheet.key)}"
    with db.transaction() as cur:
        current = _current(cur, sheet, key)
        if current is None:
            raise NotFoundError(f"{label}: not found (it may have been deleted; reload the page)")
        if original is not None:
            for column, shown_value in original.items():
                if column in current and _comparable(shown_value) != _comparable(current[column]):
                    raise ConflictError(
                        f"{label}: someone else changed {column} to {_plain(current[column])!r} since you loaded "
                        "it; reload the page and make your change again")
        merged = {**current, **changes}
        merged = {c: (None if merged[c] == "" and c not in sheet.key else merged[c]) for c in sheet.column_names}
        valid = _validate(db, sheet, [merged], today, label).rows[0]
        if any(valid[k] != current[k] for k in sheet.key):
            raise ValidationError([CellError(label, None, ", ".join(sheet.key), None,
                                             "cannot be changed (add a new row instead)")])
        changed = [c for c in sheet.column_names if _comparable(valid[c]) != _comparable(current[c])]
        if changed:
            where = " AND ".join(f"{quote(k)} = ?" for k in sheet.key)
            cur.execute(f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = ?' for c in changed)} WHERE {where}",
                        [valid[c] for c in changed] + [valid[k] for k in sheet.key])
            for column in changed:
                _audit(cur, actor, "update", sheet, valid, column, current[column], valid[column])
    return valid


def audit_trail(db: Database, table: str | None = None, limit: int = 200) -> Any:
    """The latest audited changes, newest first."""
    if table:
        return db.df("SELECT * FROM audit_log WHERE table_name = ? ORDER BY audit_id DESC LIMIT ?", [table, limit])
    return db.df("SELECT * FROM audit_log ORDER BY audit_id DESC LIMIT ?", [limit])
