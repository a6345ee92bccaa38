"""The migrations, and how one migration file runs on both engines.

A migration is `migrations/NNN_what_it_does.sql`, written once in the SQL both DuckDB and PostgreSQL
understand: the embedded engine runs it as it is, the server engine runs `postgres_sql(text)`, which
changes only type names (DuckDB's DOUBLE is PostgreSQL's DOUBLE PRECISION, ...) and refuses what has
no PostgreSQL equivalent (HUGEINT, STRUCT, INSERT OR REPLACE, ...) with the line to rewrite, so a
non-portable migration fails in the tests (tests/store/test_schema.py applies every migration on both
engines and compares the tables), never on a customer's server.

When a migration really needs different SQL on PostgreSQL, put `NNN_what_it_does.postgres.sql` beside
it: the server engine then runs that file instead (untranslated), the embedded engine the plain one.
Both must leave the same tables with the same columns in the same order (the tests compare them).
"""

from __future__ import annotations

import re
from pathlib import Path

from rollout.core.errors import DatabaseError
from rollout.core.i18n import _

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NUMBERED = re.compile(r"^(\d+)_[^.]+\.sql$")


def migrations() -> list[tuple[int, Path]]:
    """Numbered migration files, oldest first: 001_*.sql, 002_*.sql, ... (not the .postgres.sql variants)."""
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = _NUMBERED.match(path.name)
        if match:
            found.append((int(match[1]), path))
    return sorted(found)


LATEST_VERSION = migrations()[-1][0]

# DuckDB type names -> PostgreSQL's (a name not listed passes unchanged: VARCHAR, TEXT, INTEGER,
# BIGINT, SMALLINT, BOOLEAN, DATE, TIMESTAMP, TIME, INTERVAL, UUID, JSON, DECIMAL/NUMERIC(p, s)).
_PG_TYPES = {"DOUBLE": "DOUBLE PRECISION", "FLOAT8": "DOUBLE PRECISION", "FLOAT": "REAL", "FLOAT4": "REAL",
             "TINYINT": "SMALLINT", "INT1": "SMALLINT", "BLOB": "BYTEA", "BYTEA": "BYTEA", "DATETIME": "TIMESTAMP",
             "STRING": "TEXT", "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}
# DuckDB words with no PostgreSQL equivalent: a migration using them needs a .postgres.sql variant.
_NOT_PORTABLE = {"HUGEINT", "UHUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "STRUCT", "VARINT", "MACRO"}
_NOT_PORTABLE_PHRASES = [("INSERT", "OR", "REPLACE"), ("INSERT", "OR", "IGNORE"), ("CREATE", "OR", "REPLACE", "TABLE")]
_TOKEN = re.compile(r"""
    (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<ident>"(?:[^"]|"")*")
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<other>\s+|.)
""", re.VERBOSE | re.DOTALL)


def postgres_sql(text: str, name: str = "migration") -> str:
    """A portable migration's SQL for PostgreSQL: DuckDB type names mapped, anything non-portable refused."""
    matches = list(_TOKEN.finditer(text))
    tokens = [(m.lastgroup, m.group()) for m in matches]
    words = [(i, value.upper()) for i, (kind, value) in enumerate(tokens) if kind == "word"]
    for position, (index, word) in enumerate(words):
        line = text.count("\n", 0, matches[index].start()) + 1
        if word in _NOT_PORTABLE:
            raise DatabaseError(f"{name} line {line}: {word} has no PostgreSQL equivalent (write portable SQL or "
                                f"add a .postgres.sql variant)")
        for phrase in _NOT_PORTABLE_PHRASES:
            if tuple(w for _, w in words[position:position + len(phrase)]) == phrase:
                raise DatabaseError(f"{name} line {line}: {' '.join(phrase)} is DuckDB only (use INSERT ... ON "
                                    f"CONFLICT, or DROP then CREATE)")
    out = [value for _, value in tokens]
    for position, (index, word) in enumerate(words):
        following = words[position + 1][1] if position + 1 < len(words) else ""
        if word in _PG_TYPES and not (word == "DOUBLE" and following == "PRECISION"):
            out[index] = _PG_TYPES[word]
    return "".join(out)


def migration_sql(number: int, path: Path, engine: str) -> str:
    """The SQL of one migration for an engine ('duckdb' or 'postgres')."""
    if engine == "duckdb":
        return path.read_text(encoding="utf-8")
    variant = path.with_name(path.name[:-len(".sql")] + ".postgres.sql")
    if variant.exists():
        return variant.read_text(encoding="utf-8")
    return postgres_sql(path.read_text(encoding="utf-8"), path.name)


SCHEMA_VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version "
                        "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")


def newer_message(shown: str, version: int) -> str:
    return _("the database {name} was written by a newer version of the app (schema {version}, this app knows "
             "{latest}); upgrade the app").format(name=shown, version=version, latest=LATEST_VERSION)


def read_only_message(shown: object) -> str:
    return _("the database {name} is open read-only").format(name=shown)
