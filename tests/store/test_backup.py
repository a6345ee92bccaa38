"""rollout/backup.py: consistent backups (also while the app runs), validated and upgrading restores."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from rollout.cli import main
from rollout.core.access import LOCAL
from rollout.core.errors import DatabaseLockedError, RolloutError
from rollout.exchange.spec import LOAD_ORDER
from rollout.metrics.summary import summary
from rollout.store import backup
from rollout.store.db import LATEST_VERSION, MIGRATIONS_DIR, Database

from support import ROOT, SAMPLE_DATES

pytestmark = pytest.mark.slow  # file copies, subprocesses


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: two databases are equal when these are."""
    with Database(path, read_only=True) as db:
        tables = [r[0] for r in db.rows("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
                                        "AND table_name <> 'schema_version' ORDER BY 1")]
        return {t: db.rows(f'SELECT * FROM "{t}" ORDER BY ALL') for t in tables}


def summaries(path: Path) -> list[dict]:
    with Database(path, read_only=True) as db:
        return [summary(db, as_of) for as_of in SAMPLE_DATES]


def test_backup_then_restore_gives_the_same_database_and_summary(sample_db_path: Path, tmp_path: Path) -> None:
    before, figures = contents(sample_db_path), summaries(sample_db_path)
    written = backup.backup(sample_db_path, tmp_path / "copy.duckdb", caller=LOCAL)
    assert written == tmp_path / "copy.duckdb"
    restored = tmp_path / "restored" / "rollout.duckdb"
    backup.restore(written, restored, force=False, caller=LOCAL)
    assert contents(restored) == before
    assert len(before["checklist"]) > 50  # the sample really was copied, not two empty files compared
    assert summaries(restored) == figures
    assert len(figures[0]["branches"]) == len(before["branches"])
    with Database(restored) as db:
        assert db.schema_version() == LATEST_VERSION
        # sequences came along: the next audited id follows the copied ones instead of clashing
        with db.transaction() as cur:
            cur.execute("INSERT INTO audit_log (changed_at, actor, action, table_name, row_key) "
                        "VALUES (now(), 't', 'x', 'regions', '{}')")


def test_backup_into_a_folder_names_a_new_file_and_never_overwrites(sample_db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    written = backup.backup(sample_db_path, folder, caller=LOCAL)
    assert written.parent == folder and written.name.startswith("rollout-backup-") and written.suffix == ".duckdb"
    with pytest.raises(RolloutError, match="already exists"):
        backup.backup(sample_db_path, written, caller=LOCAL)
    with pytest.raises(RolloutError, match="does not exist"):
        backup.backup(tmp_path / "missing.duckdb", tmp_path / "x.duckdb", caller=LOCAL)
    assert sorted(p.name for p in folder.iterdir()) == [written.name]  # no partial files left behind


def test_restore_refuses_to_overwrite_without_force(sample_db_path: Path, tmp_path: Path) -> None:
    saved = backup.backup(sample_db_path, tmp_path / "saved.duckdb", caller=LOCAL)
    before = contents(sample_db_path)
    with Database(sample_db_path) as db, db.transaction() as cur:
        cur.execute("UPDATE branches SET branch_name = 'renamed after the backup'")
    changed = contents(sample_db_path)
    with pytest.raises(RolloutError, match="--force"):
        backup.restore(saved, sample_db_path, force=False, caller=LOCAL)
    assert contents(sample_db_path) == changed  # untouched
    backup.restore(saved, sample_db_path, force=True, caller=LOCAL)
    assert contents(sample_db_path) == before  # the change made after the backup is gone


def make_version_1(path: Path, copy_from: Path) -> dict[str, list[str]]:
    """A database as the first release wrote it: only migration 001, holding the sample's rows of the
    tables it had (in the columns it had). Returns those tables and their columns."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    con.execute(next(MIGRATIONS_DIR.glob("001_*.sql")).read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_version VALUES (1, ?)", [datetime(2026, 1, 1)])
    tables: dict[str, list[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
                                     "current_database() ORDER BY table_name, column_index").fetchall():
        tables.setdefault(table, []).append(column)
    con.execute(f"ATTACH '{copy_from}' AS sample (READ_ONLY)")
    for table in [*LOAD_ORDER, "import_log"]:
        if table in tables:
            columns = ", ".join(f'"{c}"' for c in tables[table])
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM sample.{table}")
    con.close()
    return tables


def test_restore_upgrades_a_version_1_backup(sample_db_path: Path, tmp_path: Path) -> None:
    old = tmp_path / "v1.duckdb"
    first_tables = make_version_1(old, sample_db_path)
    assert backup.inspect_backup(old) == 1
    target = tmp_path / "restored.duckdb"
    backup.restore(old, target, caller=LOCAL)
    with Database(target, read_only=True) as db:
        assert db.schema_version() == LATEST_VERSION
        assert db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_log'") == 1
    # the sample as the first release held it: the tables of later migrations (the audit trail of its
    # import among them) are empty
    with Database(sample_db_path) as db, db.transaction() as cur:
        for table in (set(LOAD_ORDER) | {"audit_log"}) - set(first_tables):
            cur.execute(f'DELETE FROM "{table}"')
        for table, columns in first_tables.items():  # columns later migrations added (requirements_signed_on)
            added = [r[0] for r in cur.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = "
                                               "current_database() AND table_name = ?", [table]).fetchall()
                     if r[0] not in columns]
            for column in added:
                cur.execute(f'UPDATE "{table}" SET "{column}" = NULL')
    expected = contents(sample_db_path)
    assert {t: rows for t, rows in contents(target).items() if t in expected} == expected
    assert summaries(target) == summaries(sample_db_path)


@pytest.mark.parametrize("kind", ["missing", "empty", "random bytes", "png", "not rollout", "folder"])
def test_restore_refuses_what_is_not_a_rollout_backup(kind: str, sample_db_path: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.duckdb"
    if kind == "empty":
        bad.write_bytes(b"")
    elif kind == "random bytes":
        bad.write_bytes(os.urandom(5000))
    elif kind == "png":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    elif kind == "not rollout":
        con = duckdb.connect(str(bad))
        con.execute("CREATE TABLE other (x INTEGER)")
        con.close()
    elif kind == "folder":
        bad.mkdir()
    before = contents(sample_db_path)
    with pytest.raises(RolloutError):
        backup.restore(bad, sample_db_path, force=True, caller=LOCAL)
    assert contents(sample_db_path) == before
    # the CLI: one clear line, exit 1, no traceback
    assert main(["restore", "--db", str(sample_db_path), "--force", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert ("does not exist" if kind == "missing" else "not") in err


def test_restore_refuses_a_newer_schema(sample_db_path: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.duckdb"
    backup.backup(sample_db_path, newer, caller=LOCAL)
    con = duckdb.connect(str(newer))
    con.execute("INSERT INTO schema_version VALUES (?, now())", [LATEST_VERSION + 1])
    con.close()
    with pytest.raises(RolloutError, match="newer version"):
        backup.restore(newer, tmp_path / "target.duckdb", caller=LOCAL)
    assert not (tmp_path / "target.duckdb").exists()


HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from rollout.store.db import Database
db = Database(sys.argv[1])
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def app_process(sample_db_path: Path):
    """Another process holding the database open read-write, as the running app does."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(sample_db_path), str(ROOT)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_cli_backup_while_the_app_holds_the_file_says_to_use_the_app(app_process, sample_db_path: Path,
                                                                      tmp_path: Path) -> None:
    with pytest.raises(DatabaseLockedError, match="take the backup from inside the app"):
        backup.backup(sample_db_path, tmp_path / "b.duckdb", caller=LOCAL)
    assert not list(tmp_path.glob("*b.duckdb*"))
    done = subprocess.run([sys.executable, "-m", "rollout", "backup", "--db", str(sample_db_path),
                           str(tmp_path / "b.duckdb")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("error: the database") and "Traceback" not in done.stderr
    with pytest.raises(DatabaseLockedError, match=r"in use by another process \(PID \d+\): close the app"):
        backup.restore(_empty_rollout_db(tmp_path / "fresh.duckdb"), sample_db_path, force=True, caller=LOCAL)


def _empty_rollout_db(path: Path) -> Path:
    with Database(path):
        pass
    return path


def test_backup_from_the_running_app_is_consistent_while_others_write(sample_db: Database, tmp_path: Path) -> None:
    """Writer threads keep adding a region and a branch in one transaction; every backup taken meanwhile
    holds whole transactions only (as many new regions as new branches) and restores cleanly."""
    regions_before = sample_db.scalar("SELECT count(*) FROM regions")
    branches_before = sample_db.scalar("SELECT count(*) FROM branches")
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer(worker: int) -> None:
        n = 0
        try:
            while not stop.is_set():
                with sample_db.transaction() as cur:
                    cur.execute("INSERT INTO regions VALUES (?, 'load test')", [f"W{worker}-{n}"])
                    cur.execute("INSERT INTO branches (branch_code, branch_name, region_code) VALUES (?, 'x', ?)",
                                [f"WB{worker}-{n}", f"W{worker}-{n}"])
                n += 1
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(2)]
    for thread in threads:
        thread.start()
    try:
        copies = [backup.backup_open_database(sample_db, tmp_path / f"live{i}.duckdb", caller=LOCAL) for i in range(3)]
        raw = backup.backup_bytes(sample_db, caller=LOCAL)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures
    assert raw[8:12] == b"DUCK"  # a DuckDB file header
    for copy in copies:
        restored = tmp_path / f"restored-{copy.name}"
        backup.restore(copy, restored, caller=LOCAL)
        with Database(restored, read_only=True) as db:
            added_regions = db.scalar("SELECT count(*) FROM regions") - regions_before
            added_branches = db.scalar("SELECT count(*) FROM branches") - branches_before
            assert added_regions == added_branches  # no half transaction in a backup
    total = sample_db.scalar("SELECT count(*) FROM regions") - regions_before
    assert total > 0 and total == sample_db.scalar("SELECT count(*) FROM branches") - branches_before


def test_cli_backup_and_restore(sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cli.duckdb"
    assert main(["backup", "--db", str(sample_db_path), str(out)]) == 0
    assert f"backup written to {out}" in capsys.readouterr().out
    target = tmp_path / "cli-restored.duckdb"
    assert main(["restore", "--db", str(target), str(out)]) == 0
    assert contents(target) == contents(sample_db_path)
    assert main(["restore", "--db", str(target), str(out)]) == 1
    assert "--force" in capsys.readouterr().err
