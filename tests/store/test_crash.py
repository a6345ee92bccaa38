"""Crash safety: an import killed with SIGKILL mid-way leaves the database exactly as it was.

A real subprocess runs rollout.exchange.importer on a large CSV folder against a copy of the sample database
and is killed (kill -9) while inside the import transaction, or at the moment it commits; the file
then opens cleanly, holds what it held before (or, if the kill came after the commit, the whole
import), and the app starts on it.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rollout.core.access import LOCAL
from rollout.exchange.importer import import_workbook
from rollout.store.db import LATEST_VERSION, Database

from support import ROOT

pytestmark = pytest.mark.slow  # real subprocesses killed mid-import

BRANCHES, ITEMS = 30, 100  # 3,000 checklist rows: the import takes a while, the test stays quick

HELPER = r"""
import sys, time
from contextlib import contextmanager
sys.path.insert(0, sys.argv[1])
from rollout.core.access import LOCAL
from rollout.exchange import importer
from rollout.store.db import Database

db_path, source, mode = sys.argv[2], sys.argv[3], sys.argv[4]
db = Database(db_path)

if mode == "inside":  # pause inside the import transaction, after the big table was written
    real_upsert = importer.upsert
    def upsert(cur, rows, write=True):
        counts = real_upsert(cur, rows, write)
        if write and rows.sheet.name == "checklist":
            print("inside the transaction", flush=True)
            time.sleep(120)
        return counts
    importer.upsert = upsert
elif mode == "commit":  # announce the commit and let it run: the kill lands during or just after it
    real_transaction = type(db).transaction
    @contextmanager
    def transaction(self):
        with real_transaction(self) as cur:
            yield cur
            print("committing", flush=True)
    type(db).transaction = transaction
elif mode == "bulk":  # more rows than a row group (122,880): DuckDB writes them to the file before the commit
    with db.transaction() as cur:
        cur.execute("INSERT INTO checklist SELECT 'B01', 'BULK-' || i, 'data', 'bulk ' || i, NULL, NULL, 1, "
                    "'open', NULL, false FROM range(130000) t(i)")
        print("inside the transaction", flush=True)
        time.sleep(120)
importer.import_workbook(db, source, caller=LOCAL)
print("done", flush=True)
if mode == "committed":  # committed (in the write-ahead log), killed before any checkpoint or close
    time.sleep(120)
"""


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (import_log and audit_log without their wall-clock times)."""
    clock = {"import_log": "EXCLUDE (imported_at)", "audit_log": "EXCLUDE (changed_at)"}
    with Database(path, read_only=True) as db:
        tables = [r[0] for r in db.rows("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1")]
        return {t: db.rows(f'SELECT * {clock.get(t, "")} FROM "{t}" ORDER BY ALL') for t in tables}


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV workbook: a new region with 30 branches x 100 checklist items, and a renamed sample branch."""
    folder = tmp_path_factory.mktemp("big") / "big_workbook"
    folder.mkdir()
    with open(folder / "regions.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["region_code", "region_name"], ["LOAD", "Load test region"]])
    with open(folder / "branches.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["branch_code", "branch_name", "region_code"])
        writer.writerow(["B01", "renamed by the big import", "NORTH"])
        writer.writerows([f"K{b:03d}", f"load branch {b}", "LOAD"] for b in range(BRANCHES))
    with open(folder / "checklist.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["branch_code", "item_code", "dimension", "title", "due_date", "weight", "status"])
        writer.writerows([f"K{b:03d}", f"K{b:03d}-{i:03d}", "data", f"load item {i}", "2026-12-01", 1, "open"]
                         for b in range(BRANCHES) for i in range(ITEMS))
    return folder


@pytest.fixture(scope="module")
def imported(big_folder: Path, sample_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The contents of the sample database after the big import ran to completion (computed once)."""
    complete = tmp_path_factory.mktemp("complete") / "complete.duckdb"
    shutil.copy(sample_db_file, complete)
    with Database(complete) as db:
        import_workbook(db, big_folder, caller=LOCAL)
    return contents(complete)


def run_and_kill(db_path: Path, source: Path, mode: str, marker: str) -> str:
    """Start the helper, SIGKILL it as soon as it prints the marker; returns what it printed."""
    proc = subprocess.Popen([sys.executable, "-c", HELPER, str(ROOT), str(db_path), str(source), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(90, proc.kill)
    watchdog.start()
    try:
        line = proc.stdout.readline()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        watchdog.cancel()
        proc.kill()
    assert line.strip() == marker, f"helper printed {line!r}; stderr: {proc.stderr.read()[-2000:]}"
    assert proc.returncode == -signal.SIGKILL
    return line


def assert_starts_cleanly(db_path: Path) -> None:
    """Database() opens the crashed file, migrates, reads and writes."""
    with Database(db_path) as db:
        assert db.schema_version() == LATEST_VERSION
        assert db.scalar("SELECT count(*) FROM branches") > 0
        with db.transaction() as cur:
            cur.execute("INSERT INTO regions VALUES ('AFTER', 'written after the crash')")
        assert db.scalar("SELECT region_name FROM regions WHERE region_code = 'AFTER'") == "written after the crash"


@pytest.mark.parametrize("mode", ["inside", "bulk"])
def test_import_killed_inside_the_transaction_changes_nothing(mode: str, sample_db_path: Path, big_folder: Path,
                                                              open_page) -> None:
    before = contents(sample_db_path)
    run_and_kill(sample_db_path, big_folder, mode, "inside the transaction")
    assert contents(sample_db_path) == before  # exactly as before: no new branch, B01 keeps its name
    assert_starts_cleanly(sample_db_path)
    if mode == "inside":  # and the app starts on the crashed file
        at = open_page("portfolio", db_path=sample_db_path)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]


def test_import_killed_at_commit_is_all_or_nothing(sample_db_path: Path, big_folder: Path, imported: dict) -> None:
    before = contents(sample_db_path)
    assert len(imported["checklist"]) == len(before["checklist"]) + BRANCHES * ITEMS  # 3,000 new items
    run_and_kill(sample_db_path, big_folder, "commit", "committing")
    state = contents(sample_db_path)
    assert state in (before, imported), "a kill at commit left a partial import"
    assert_starts_cleanly(sample_db_path)


def test_import_killed_after_its_commit_is_kept_whole(sample_db_path: Path, big_folder: Path, imported: dict) -> None:
    run_and_kill(sample_db_path, big_folder, "committed", "done")
    assert contents(sample_db_path) == imported  # the committed import survives the kill (write-ahead log)
    assert_starts_cleanly(sample_db_path)
