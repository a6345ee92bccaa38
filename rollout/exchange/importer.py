"""Load a rollout workbook (.xlsx, a folder of CSVs or a .zip of CSVs): all of it or nothing.

Three steps, so a refused workbook never touches the database: read the file into raw rows
(sources.py knows the formats), validate every row and every reference (spec.py declares the
rules), then upsert every table in one transaction and log what each load did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from rollout.core.access import Caller
from rollout.core.errors import CellError, ValidationError
from rollout.core.i18n import _
from rollout.core.progress import Progress, part, silent
from rollout.core.values import quote
from rollout.exchange.sources import RawWorkbook, collector_paused, read_source
from rollout.exchange.spec import LOAD_ORDER, SHEETS, Sheet, SheetRows, StoredRows, validate_columns
from rollout.store.audit import authorise, record
from rollout.store.db import Cursor, Database


@dataclass(frozen=True)
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: tuple[tuple[str, int], ...] = ()  # (column, rows whose stored value it changes), updates only

    def changes_text(self) -> str:
        """'city (3), wave (1)': which columns the updates change, and in how many rows."""
        return ", ".join(f"{column} ({count:,})" for column, count in self.changes)


@dataclass
class ImportResult:
    """What a load did (or, for a dry run, would do), table by table."""

    file_name: str
    sha256: str
    counts: dict[str, TableCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rows(self) -> int:
        return sum(c.inserted + c.updated + c.unchanged for c in self.counts.values())

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{"table": t, "inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged,
                              "columns changed": c.changes_text()} for t, c in self.counts.items()],
                            columns=["table", "inserted", "updated", "unchanged", "columns changed"])


def validate_workbook(db: Database, raw: RawWorkbook, today: date | None = None,
                      progress: Progress = silent) -> dict[str, SheetRows]:
    """Every row and reference checked; raises ValidationError listing every error found."""
    with collector_paused():
        return _validate_workbook(db, raw, today or date.today(), progress)


def _rows_done(raw: RawWorkbook, progress: Progress, names: list[str], step: str) -> Iterable[str]:
    """The sheet names in turn, reporting the share of the workbook's rows done before each."""
    sizes = {name: max(1, len(raw.sheets[name].row_numbers)) if name in raw.sheets else 0 for name in names}
    total, done = max(1, sum(sizes.values())), 0
    for name in names:
        progress(done / total, step.format(sheet=name))
        yield name
        done += sizes[name]
    progress(1.0, step.format(sheet=names[-1] if names else ""))


def _validate_workbook(db: Database, raw: RawWorkbook, today: date, progress: Progress) -> dict[str, SheetRows]:
    errors: list[CellError] = list(raw.errors)
    tables: dict[str, SheetRows] = {}
    present = [name for name in LOAD_ORDER if name in raw.sheets and not raw.sheets[name].broken]
    for name in _rows_done(raw, part(progress, 0.0, 0.85), present, _("checking sheet {sheet}")):
        sheet = raw.sheets[name]
        rows, row_errors = validate_columns(name, sheet.columns, sheet.row_numbers, today,
                                            stored=stored_rows(db, SHEETS[name]))
        errors.extend(row_errors)
        errors.extend(_repeated_keys(rows))
        tables[name] = rows
    progress(0.85, _("checking references between sheets"))
    errors.extend(broken_references(db, tables))
    errors.extend(dates_before_references(db, tables))
    progress(1.0, _("checking references between sheets"))
    if errors:
        errors.sort(key=_error_order)
        raise ValidationError(errors, raw.warnings)
    return tables


def stored_rows(db: Database, sheet: Sheet) -> StoredRows:
    """For row rules over columns a sheet lacks: each row's stored values of those columns (None for a
    key not in the database yet), so the rule judges the row as the load will leave it."""
    def lookup(names: list[str], parsed: dict[str, list[Any]]) -> list[dict[str, Any] | None]:
        width = len(sheet.key)
        found = {tuple(r[:width]): dict(zip(names, r[width:], strict=True)) for r in db.rows(
            f"SELECT {', '.join(quote(c) for c in [*sheet.key, *names])} FROM {quote(sheet.name)}")}
        return [found.get(key) for key in zip(*(parsed[k] for k in sheet.key), strict=True)]
    return lookup


def _error_order(error: CellError) -> tuple[int, int, int]:
    """Errors in the order a user reads the workbook: sheet, row, column."""
    if error.sheet not in SHEETS:
        return (-1, 0, 0)
    columns = SHEETS[error.sheet].column_names
    return (LOAD_ORDER.index(error.sheet), error.row or 0,
            columns.index(error.column) if error.column in columns else -1)


def _repeated_keys(rows: SheetRows) -> Iterable[CellError]:
    """A key given twice in one sheet (refused rows included), naming both rows."""
    seen: dict[tuple, int] = {}
    key_columns = [rows.columns[k] for k in rows.sheet.key]
    if len(set(zip(*key_columns, strict=True))) == len(rows.all_numbers):
        return  # every key distinct (the usual case): no row-by-row pass
    for number, key in zip(rows.all_numbers, zip(*key_columns, strict=True), strict=True):
        if None in key:
            continue  # an empty key cell is reported already
        first = seen.setdefault(key, number)
        if first != number:
            shown_key = ", ".join(str(k) for k in key if k != "")
            yield CellError(rows.sheet.name, number, rows.sheet.key[-1] if len(key) > 1 else rows.sheet.key[0],
                            None, _("the key ({key}) repeats row {row} (expected each key once)").format(
                                key=shown_key, row=first))


def known_codes(db: Database, sheet: Sheet, cur: Cursor | None = None) -> set[str]:
    """The codes a reference may point to that are already in the database (as `cur` sees it,
    inside a transaction, when given)."""
    sql = f"SELECT {quote(sheet.key[0])} FROM {quote(sheet.name)}"
    found = cur.execute(sql).fetchall() if cur is not None else db.rows(sql)
    return {r[0] for r in found}


def broken_references(db: Database, tables: dict[str, SheetRows],
                      cur: Cursor | None = None) -> Iterable[CellError]:
    """Codes that point nowhere: neither in these rows nor in the database."""
    known: dict[str, set[str]] = {}
    for rows in tables.values():
        for column in rows.sheet.columns:
            if not column.ref:
                continue
            if column.ref not in known:
                target = SHEETS[column.ref]
                codes = known_codes(db, target, cur)
                if column.ref in tables:
                    codes |= set(tables[column.ref].column(target.key[0]))
                known[column.ref] = codes
            codes = known[column.ref]
            values = rows.columns[column.name]
            missing = set(values) - codes - {None, ""}
            if not missing:
                continue
            for number, value in zip(rows.all_numbers, values, strict=True):
                if value in missing:
                    yield CellError(rows.sheet.name, number, column.name, value,
                                    _(SHEETS[column.ref].unknown).format(expected=expected_codes(codes, column.ref)))


def dates_before_references(db: Database, tables: dict[str, SheetRows],
                            cur: Cursor | None = None) -> Iterable[CellError]:
    """Each sheet's ReferencedDate rules (spec.py): its dates against the date of the row they
    reference (this workbook's, else the database's), and a referenced date this workbook changes
    against the rows the database already holds for it."""
    def stored(table: str, columns: list[str], code_column: str, codes: set[Any]) -> list[tuple]:
        """These columns of the table's rows whose code_column holds one of the codes."""
        if not codes:
            return []
        sql = (f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "
               f"WHERE {quote(code_column)} IN (SELECT unnest(CAST(? AS VARCHAR[])))")
        params = [sorted(codes)]
        return cur.execute(sql, params).fetchall() if cur is not None else db.rows(sql, params)

    for sheet in SHEETS.values():
        for rule in sheet.ref_rules:
            target = SHEETS[sheet.column(rule.via).ref or ""]
            key, bound = target.key[0], rule.target_column
            changed = tables.get(target.name)
            added = {} if changed is None else dict.fromkeys(changed.column(key))  # new rows: no date yet
            if changed is not None and bound not in changed.columns:
                changed = None  # the workbook leaves that column as it is
            rows = tables.get(sheet.name)
            if rows is not None:
                codes = rows.column(rule.via)
                bounds = {**added, **dict(stored(target.name, [key, bound], key, set(codes) - {None}))}
                if changed is not None:
                    bounds.update(zip(changed.column(key), changed.column(bound), strict=True))
                yield from rule.check(sheet.name, {c: rows.column(c) for c in rule.columns}, codes,
                                      rows.row_numbers, bounds)
            if changed is not None:
                others = set(changed.column(key)) - (set(rows.column(rule.via)) if rows is not None else set())
                held = {r[0]: dict(zip(rule.columns, r[1:], strict=True))
                        for r in stored(sheet.name, [rule.via, *rule.columns], rule.via, others)}
                for number, code, day in zip(changed.row_numbers, changed.column(key), changed.column(bound),
                                             strict=True):
                    if code in held:
                        yield from rule.check_bound(sheet.name, target.name, number, code, day, held[code])


def expected_codes(codes: set[str], sheet_name: str) -> str:
    if not codes:
        return _("none exist yet: add them on the {sheet} sheet first").format(sheet=sheet_name)
    listed = sorted(codes)
    if len(listed) > 10:
        return _("expected one of {codes}, … {more} more").format(codes=", ".join(listed[:10]), more=len(listed) - 10)
    return _("expected one of {codes}").format(codes=", ".join(listed))


# Typed Arrow columns: DuckDB reads them without looking at each Python object.
ARROW_TYPES = {"VARCHAR": pa.string(), "DATE": pa.date32(), "BOOLEAN": pa.bool_(), "INTEGER": pa.int64(),
               "DOUBLE": pa.float64()}


def stage(cur: Cursor, rows: SheetRows) -> str:
    """Copy validated rows into a temporary table shaped like the target; returns its name."""
    sheet = rows.sheet
    staged = f"stage_{sheet.name}"
    cur.execute(f"DROP TABLE IF EXISTS {staged}")  # portable SQL: the same on DuckDB and PostgreSQL
    cur.execute(f"CREATE TEMPORARY TABLE {staged} AS SELECT * FROM {quote(sheet.name)} LIMIT 0")
    arrow = pa.table({c.name: pa.array(rows.column(c.name), type=ARROW_TYPES[c.sql_type]) for c in sheet.columns})
    cur.register("incoming_rows", arrow)
    try:
        cur.execute(f"INSERT INTO {staged} SELECT {', '.join(quote(c) for c in sheet.column_names)} "
                    "FROM incoming_rows")
    finally:
        cur.unregister("incoming_rows")
    return staged


def upsert(cur: Cursor, rows: SheetRows, write: bool = True) -> TableCounts:
    """Insert new keys, update changed rows, leave equal rows alone; counts each kind and, per column,
    the rows an update changes. A column the sheet did not have is left as stored (new rows get its
    default); a blank cell in a column it had empties the stored value."""
    sheet = rows.sheet
    staged = stage(cur, rows)
    table = quote(sheet.name)
    on_key = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in sheet.key)
    values = [c for c in sheet.column_names if c not in sheet.key and rows.has(c)]
    same = " AND ".join(f"t.{quote(c)} IS NOT DISTINCT FROM s.{quote(c)}" for c in values) or "true"
    found = f"t.{quote(sheet.key[0])} IS NOT NULL"
    per_column = "".join(f", count(*) FILTER (WHERE {found} AND t.{quote(c)} IS DISTINCT FROM s.{quote(c)})"
                         for c in values)
    inserted, unchanged, total, *changed = cur.execute(
        f"SELECT count(*) FILTER (WHERE t.{quote(sheet.key[0])} IS NULL), "
        f"count(*) FILTER (WHERE {found} AND {same}), count(*){per_column} "
        f"FROM {staged} s LEFT JOIN {table} t ON {on_key}").fetchone()
    if write:
        if values and total - inserted - unchanged:
            sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in values)
            cur.execute(f"UPDATE {table} AS t SET {sets} FROM {staged} s WHERE {on_key} AND NOT ({same})")
        if inserted:
            cur.execute(f"INSERT INTO {table} SELECT s.* FROM {staged} s "
                        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {on_key})")
    cur.execute(f"DROP TABLE {staged}")
    changes = tuple((c, n) for c, n in zip(values, changed, strict=True) if n)
    return TableCounts(inserted, total - inserted - unchanged, unchanged, changes)


def load(db: Database, raw: RawWorkbook, dry_run: bool = False, today: date | None = None, *,
         caller: Caller, progress: Progress = silent) -> ImportResult:
    """Validate everything, then write everything in one transaction (or, dry run, count only). An import
    replaces data of every branch: admins only (a refusal is recorded). The caller is always named (the
    page's, the CLI's operator, the demo's): there is no default. progress hears the share of rows checked
    (the first 60 %) and written (the rest), and 1.0 once the load is done."""
    if not dry_run:
        authorise(db, caller, "import")
    tables = validate_workbook(db, raw, today, part(progress, 0.0, 0.6))
    result = ImportResult(raw.file_name, raw.sha256, warnings=list(raw.warnings), dry_run=dry_run)
    writing = part(progress, 0.6, 0.99)
    step = _("counting changes in {sheet}") if dry_run else _("writing {sheet}")
    if dry_run:
        cur = db.cursor()
        try:
            for name in _rows_done(raw, writing, list(tables), step):
                result.counts[name] = upsert(cur, tables[name], write=False)
        finally:
            cur.close()
        progress(1.0, _("done"))
        return result
    with db.transaction() as cur:
        for name in _rows_done(raw, writing, list(tables), step):
            result.counts[name] = upsert(cur, tables[name])
        import_id = cur.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchone()[0]
        now = datetime.now()
        record(cur, caller.email, "import", "import_log", str(import_id), new=raw.file_name)
        for name, counts in result.counts.items():
            cur.execute("INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [import_id, now, raw.file_name, raw.sha256, name, counts.inserted, counts.updated,
                         counts.unchanged])
    progress(1.0, _("done"))
    return result


def import_workbook(db: Database, source: str | Path | bytes, file_name: str | None = None,
                    dry_run: bool = False, today: date | None = None, *, caller: Caller,
                    progress: Progress = silent) -> ImportResult:
    """Read and load a workbook from a path or uploaded bytes; raises ValidationError if refused.
    progress: reading the file is the first 20 %, then load's steps."""
    if not dry_run:
        authorise(db, caller, "import")  # before the file is read: a refused caller learns nothing of it
    progress(0.0, _("reading the workbook"))
    raw = read_source(source, file_name)
    return load(db, raw, dry_run=dry_run, today=today, caller=caller, progress=part(progress, 0.2, 1.0))


def import_history(db: Database, limit: int = 500) -> pd.DataFrame:
    """Every load, newest first, a row per table: what it inserted, updated and left unchanged. Those counts
    are figures of the whole portfolio, which a caller of some regions does not see (ACCESS.md): through a
    scoped handle each load is one row, when, which file and its checksum, without counts."""
    if db.regions is not None:
        return db.df("SELECT import_id, imported_at, file_name, sha256 FROM import_log "
                     "GROUP BY ALL ORDER BY import_id DESC LIMIT ?", [limit])
    return db.df("SELECT import_id, imported_at, file_name, table_name, inserted, updated, unchanged, sha256 "
                 "FROM import_log ORDER BY import_id DESC, table_name LIMIT ?", [limit])
