"""In-app edits of workbook tables: validated by the importer's own rules, atomic, audited.

Every edit path of every page goes through an `EditBatch` (or the one-operation shortcuts
`insert_rows` / `update_row`), so an edit is checked exactly like an imported row (spec.py),
references are checked against the database as the transaction sees it, all operations of one
save commit together or not at all, and each changed value lands in audit_log with its old value.
Every row written is first checked against the caller's role and region scope (ACCESS.md): a refused
write is rolled back whole and recorded in audit_log with the reason; every audit row names the caller.
Updates are optimistic: the caller passes the row as it was shown, and if someone else changed it
since, the save is refused (ConflictError) instead of silently overwriting their change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from rollout.core.access import Caller
from rollout.core.errors import AccessDeniedError, CellError, ConflictError, NotFoundError, ValidationError
from rollout.core.i18n import _
from rollout.core.values import comparable, json_ready, quote
from rollout.exchange.importer import broken_references, dates_before_references
from rollout.exchange.spec import SHEETS, Sheet, SheetRows, in_the_future, validate_rows
from rollout.store.audit import record as audit_record
from rollout.store.audit import record_refusal
from rollout.store.db import Cursor, Database


def not_found(label: str) -> str:
    """The row an edit names is gone (someone deleted it since the page was drawn)."""
    return _("{label}: not found (it may have been deleted; reload the page)").format(label=label)


def key_text(sheet: Sheet, row: Mapping[str, Any]) -> str:
    return json.dumps({k: json_ready(row[k]) for k in sheet.key}, ensure_ascii=False)


# Which operation of rollout.core.access a change of each table is; a table not named here (regions) is
# changed by imports only.
TABLE_OPERATIONS = {
    "checklist": "checklist", "master_data": "checklist", "people": "staffing", "assignments": "staffing",
    "role_requirements": "staffing", "training": "staffing", "executives": "touchpoints", "touchpoints": "touchpoints",
    "lessons": "lessons", "lesson_applications": "lessons", "problems": "problems", "branches": "plans",
    "modules": "plans", "kickoffs": "kickoffs", "consultant_days": "consultant_days",
    "daily_entries": "daily_entries", "acceptance": "acceptance", "raid": "raid", "deviations": "deviations",
}
# Tables whose rows with an empty branch_code are the whole programme's: only an administrator changes those.
PROGRAMME_TABLES = frozenset({"raid"})
# How a row finds its region: (column, SQL from that column's value to the region), first match wins.
_REGION_PATHS = [
    ("region_code", None),
    ("branch_code", "SELECT region_code FROM branches WHERE branch_code = ?"),
    ("source_branch_code", "SELECT region_code FROM branches WHERE branch_code = ?"),
    ("exec_code", "SELECT region_code FROM executives WHERE exec_code = ?"),
    ("person_code", "SELECT b.region_code FROM people p JOIN branches b USING (branch_code) WHERE p.person_code = ?"),
]


def operation_of(table: str, row: Mapping[str, Any] | None = None) -> str:
    """The access operation a change of this row is (a programme-wide RAID item: "programme_items")."""
    if table in PROGRAMME_TABLES and row is not None and row.get("branch_code") in (None, ""):
        return "programme_items"
    return TABLE_OPERATIONS.get(table, "import")


class EditBatch:
    """Edits that commit together. Made by `edit_batch`; every operation is validated and authorised first."""

    def __init__(self, db: Database, cur: Cursor, caller: Caller, today: date) -> None:
        self.db, self.cur, self.caller, self.today = db, cur, caller, today
        self.actor = caller.email
        self.refused_table: str | None = None
        self._regions: dict[tuple[str, Any], str | None] = {}

    def region_of(self, row: Mapping[str, Any]) -> str | None:
        """The region a row belongs to, as this transaction sees it (None: not known)."""
        for column, sql in _REGION_PATHS:
            value = row.get(column)
            if value is None or value == "":
                continue
            if sql is None:
                return str(value)
            if (column, value) not in self._regions:
                found = self.cur.execute(sql, [value]).fetchone()
                self._regions[(column, value)] = None if found is None else found[0]
            return self._regions[(column, value)]
        return None

    def authorise(self, table: str, row: Mapping[str, Any]) -> None:
        """Refuse (AccessDeniedError) a row the caller may not change: by role, or outside its scope."""
        try:
            self.caller.check(operation_of(table, row), self.region_of(row))
        except AccessDeniedError:
            self.refused_table = table  # edit_batch records the refusal once the write is rolled back
            raise

    def validate(self, table: str, rows: list[dict[str, Any]], label: str) -> SheetRows:
        """The importer's rules on edited rows, references as this transaction sees them."""
        valid, errors = validate_rows(table, rows, list(range(1, len(rows) + 1)), self.today)
        errors += list(broken_references(self.db, {table: valid}, self.cur))
        errors += list(dates_before_references(self.db, {table: valid}, self.cur))
        if errors:
            raise ValidationError([CellError(label if len(rows) == 1 else f"{label} {e.row}", None, e.column,
                                             e.value, e.expected) for e in errors])
        return valid

    def current(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """The row with this key as the transaction sees it, or None."""
        sheet = SHEETS[table]
        where = " AND ".join(f"{quote(k)} = ?" for k in sheet.key)
        found = self.cur.execute(f"SELECT * FROM {quote(table)} WHERE {where}",
                                 [key[k] if key[k] is not None else "" for k in sheet.key]).fetchone()
        return None if found is None else dict(zip(sheet.column_names, found, strict=True))

    def audit(self, action: str, table: str, row: Mapping[str, Any], column: str | None, old: Any,
              new: Any) -> None:
        audit_record(self.cur, self.actor, action, table, key_text(SHEETS[table], row), column,
                     None if old is None else str(json_ready(old)), None if new is None else str(json_ready(new)))

    def insert(self, table: str, rows: list[dict[str, Any]], label: str | None = None,
               skip_existing: bool = False) -> int:
        """Add new rows. An existing key is refused unless skip_existing, when it is left alone
        (idempotent bulk adds). Returns the rows added."""
        sheet = SHEETS[table]
        label = label or _("new {table} row").format(table=table)
        valid = self.validate(table, rows, label)
        seen: set[tuple] = set()
        added = 0
        for row in valid.rows:
            self.authorise(table, row)
            key = tuple(row[k] for k in sheet.key)
            if key in seen:
                raise ValidationError([CellError(label, None, ", ".join(sheet.key), ", ".join(map(str, key)),
                                                 _("is given twice (expected each key once)"))])
            seen.add(key)
            if self.current(table, row) is not None:
                if skip_existing:
                    continue
                raise ValidationError([CellError(label, None, ", ".join(sheet.key), ", ".join(map(str, key)),
                                                 _("already exists (expected a new key)"))])
            self.cur.execute(f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in sheet.column_names)}) "
                             f"VALUES ({', '.join('?' for _ in sheet.column_names)})",
                             [row[c] for c in sheet.column_names])
            self.audit("insert", table, row, None, None,
                       json.dumps({c: json_ready(row[c]) for c in sheet.column_names}, ensure_ascii=False))
            added += 1
        return added

    def update(self, table: str, key: Mapping[str, Any], changes: Mapping[str, Any],
               original: Mapping[str, Any] | None = None, label: str | None = None) -> dict[str, Any]:
        """Change some values of one row; `original` is the row as the user saw it."""
        sheet = SHEETS[table]
        unknown = set(changes) - set(sheet.column_names)
        if unknown:
            raise ValidationError([CellError(table, None, c, None, _("is not a column of this table"))
                                   for c in sorted(unknown)])
        label = label or f"{table} {', '.join(str(key[k]) for k in sheet.key)}"
        current = self.current(table, key)
        if current is None:
            raise NotFoundError(not_found(label))
        self.authorise(table, current)
        if original is not None:
            for column, shown_value in original.items():
                if column in current and comparable(shown_value) != comparable(current[column]):
                    raise ConflictError(_("{label}: someone else changed {column} to {value} since you loaded it; "
                                          "reload the page and make your change again").format(
                        label=label, column=column, value=repr(json_ready(current[column]))))
        merged = {**current, **changes}
        merged = {c: (None if merged[c] == "" and c not in sheet.key else merged[c]) for c in sheet.column_names}
        valid = self.validate(table, [merged], label).rows[0]
        if any(valid[k] != current[k] for k in sheet.key):
            raise ValidationError([CellError(label, None, ", ".join(sheet.key), None,
                                             _("cannot be changed (add a new row instead)"))])
        changed = [c for c in sheet.column_names if comparable(valid[c]) != comparable(current[c])]
        if changed:
            self.authorise(table, valid)  # a row moved to another branch or region: the new one too
            where = " AND ".join(f"{quote(k)} = ?" for k in sheet.key)
            self.cur.execute(
                f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = ?' for c in changed)} WHERE {where}",
                [valid[c] for c in changed] + [valid[k] for k in sheet.key])
            for column in changed:
                self.audit("update", table, valid, column, current[column], valid[column])
        return valid

    def upsert(self, table: str, row: Mapping[str, Any], original: Mapping[str, Any] | None = None,
               label: str | None = None) -> dict[str, Any]:
        """Add the row, or when its key exists change every other column to the row's values
        (optimistically: `original` is the row as the user saw it). Returns the row as stored."""
        sheet = SHEETS[table]
        if self.current(table, row) is None:
            self.insert(table, [dict(row)], label)
            return self.current(table, row) or {}
        changes = {c: row.get(c) for c in sheet.column_names if c not in sheet.key}
        return self.update(table, {k: row[k] for k in sheet.key}, changes, original, label)


@contextmanager
def edit_batch(db: Database, caller: Caller, today: date | None = None) -> Iterator[EditBatch]:
    """One save by `caller`: every insert and update inside commits together, or nothing does (a refusal
    rolls everything back and is recorded)."""
    batch: EditBatch | None = None
    try:
        with db.transaction() as cur:
            batch = EditBatch(db, cur, caller, today or date.today())
            yield batch
    except AccessDeniedError as exc:
        record_refusal(db, caller, (batch and batch.refused_table) or "edit", str(exc))
        raise


def insert_rows(db: Database, table: str, rows: list[dict[str, Any]], *, caller: Caller,
                today: date | None = None, label: str | None = None, skip_existing: bool = False) -> int:
    """Add new rows in one transaction (see EditBatch.insert)."""
    with edit_batch(db, caller, today) as batch:
        return batch.insert(table, rows, label, skip_existing)


def update_row(db: Database, table: str, key: Mapping[str, Any], changes: Mapping[str, Any],
               original: Mapping[str, Any] | None = None, *, caller: Caller, today: date | None = None,
               label: str | None = None) -> dict[str, Any]:
    """Change one row in one transaction (see EditBatch.update)."""
    with edit_batch(db, caller, today) as batch:
        return batch.update(table, key, changes, original, label)


def refuse_future(label: str, row: Mapping[str, Any], columns: Iterable[str], today: date) -> None:
    """Dates of what has happened (held, signed, accepted, closed, ...) cannot be after today."""
    errors = [CellError(label, None, c, row[c], in_the_future(today))
              for c in columns if isinstance(row.get(c), date) and row[c] > today]
    if errors:
        raise ValidationError(errors)


def upsert_row(db: Database, table: str, row: Mapping[str, Any], original: Mapping[str, Any] | None = None,
               *, caller: Caller, today: date | None = None, label: str | None = None) -> dict[str, Any]:
    """Add or change one row in one transaction (see EditBatch.upsert)."""
    with edit_batch(db, caller, today) as batch:
        return batch.upsert(table, row, original, label)


