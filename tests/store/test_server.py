"""rollout/store/server.py: a PostgreSQL store shared by several processes (the CLI and app replicas).

Two `Database` objects on one URL behave as two processes do (each has its own connections and its
own mirror); the tests marked slow use real subprocesses.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from rollout.cli import main
from rollout.core.access import LOCAL, Caller
from rollout.core.errors import ConflictError, DatabaseError
from rollout.exchange.edits import update_row
from rollout.exchange.importer import import_workbook
from rollout.metrics.summary import summary
from rollout.store import backup
from rollout.store.db import Database, open_store
from rollout.store.locations import mask
from rollout.store.transfer import copy_between, has_data

from support import ROOT, SAMPLE, SAMPLE_DATES, free_port, texts

TODAY = date(2026, 11, 22)


@pytest.fixture
def sample_url(pg_server, sample_db_file: Path):
    """A private server store holding the public sample (copied from the file, so the same rows)."""
    url = pg_server.create_database()
    copy_between(sample_db_file, url)
    yield url
    pg_server.drop_database(url)


def contents(db: Database) -> dict[str, list[tuple]]:
    """Every data table's rows, sorted: two stores are equal when these are."""
    return {t: db.rows(f'SELECT * FROM "{t}" ORDER BY ALL') for t in db.tables() if t != "schema_version"}


# --- bad configuration: one clear line, never the password ------------------------------------------

def bad_locations(pg_server) -> dict[str, tuple[str, str]]:
    return {
        "unreachable": (f"postgresql://rollout:{pg_server.PASSWORD}@127.0.0.1:{free_port()}/rollout",
                        "cannot reach the PostgreSQL server 127.0.0.1:"),
        "wrong password": (pg_server.url("postgres", password="not-the-password"),
                           "refused the login of user 'rollout' (authentication failed"),
        "unknown user": (pg_server.url("postgres", user="nobody"), "refused the login of user 'nobody'"),
        "missing database": (pg_server.url("no_such_db"), "the database 'no_such_db' does not exist on the "
                                                          "PostgreSQL server"),
        "no database in the URL": (f"postgresql://rollout:{pg_server.PASSWORD}@127.0.0.1:5432/", "names no database"),
        "bad port": (f"postgresql://rollout:{pg_server.PASSWORD}@127.0.0.1:99999/x", "is not a valid server URL"),
    }


@pytest.mark.parametrize("case", ["unreachable", "wrong password", "unknown user", "missing database",
                                  "no database in the URL", "bad port"])
def test_bad_configuration_is_one_clear_line_without_the_password(pg_server, case: str,
                                                                  capsys: pytest.CaptureFixture) -> None:
    url, message = bad_locations(pg_server)[case]
    with pytest.raises(DatabaseError) as raised:
        open_store(url)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert main(["summary", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    for secret in (pg_server.PASSWORD, "s3cret-Pw%21", "not-the-password"):
        assert secret not in err and secret not in str(raised.value)


@pytest.mark.slow
def test_the_cli_in_a_real_process_reports_an_unreachable_server_in_one_line(pg_server) -> None:
    url, message = bad_locations(pg_server)["unreachable"]
    done = subprocess.run([sys.executable, "-m", "rollout", "summary", "--db", url], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr and pg_server.PASSWORD not in done.stderr


def test_the_page_shows_a_bad_login_in_one_line_without_the_password(pg_server, open_page) -> None:
    url = pg_server.url("postgres", password="wrong-Secret-123")
    at = open_page("portfolio", db_path=url)
    assert not at.exception
    shown = texts(at.error)
    assert len(shown) == 1 and "refused the login of user 'rollout'" in shown[0], shown
    assert "wrong-Secret-123" not in shown[0] and "***" in shown[0]


def test_mask_hides_the_password_only() -> None:
    assert mask("postgresql://ann:p%40ss@db.example:5433/rollout") == "postgresql://ann:***@db.example:5433/rollout"
    assert mask("postgresql://ann@db/rollout") == "postgresql://ann@db/rollout"
    assert mask("data/rollout.duckdb") == "data/rollout.duckdb"


# --- many processes on one store --------------------------------------------------------------------

@pytest.mark.slow
def test_a_write_in_one_process_shows_in_the_others_next_read(sample_url: str) -> None:
    """Replica 1 and replica 2 (two Database objects, as two processes): the cache key comes from the store."""
    with Database(sample_url) as one, Database(sample_url) as two:
        seen = two.version
        before = two.scalar("SELECT branch_name FROM branches WHERE branch_code = 'B01'")
        update_row(one, "branches", {"branch_code": "B01"}, {"branch_name": "renamed in replica 1"},
                   original=one.df("SELECT * FROM branches WHERE branch_code = 'B01'").to_dict("records")[0],
                   today=TODAY, caller=LOCAL)
        assert two.version > seen  # replica 2's caches are now stale
        assert two.scalar("SELECT branch_name FROM branches WHERE branch_code = 'B01'") == "renamed in replica 1"
        assert before != "renamed in replica 1"
        assert two.version == one.version  # both read the same counter


@pytest.mark.slow
def test_a_stale_edit_from_another_process_is_refused(sample_url: str) -> None:
    with Database(sample_url) as alice, Database(sample_url) as bob:
        bob_sees = bob.df("SELECT * FROM checklist WHERE branch_code = 'B03' ORDER BY item_code").iloc[0].to_dict()
        alice_sees = alice.df("SELECT * FROM checklist WHERE branch_code = 'B03' ORDER BY item_code").iloc[0].to_dict()
        key = {"branch_code": "B03", "item_code": alice_sees["item_code"]}
        update_row(alice, "checklist", key, {"owner": "alice"}, original=alice_sees,
            caller=Caller("alice", "admin"), today=TODAY)
        with pytest.raises(ConflictError, match="someone else changed owner to 'alice' since you loaded it"):
            update_row(bob, "checklist", key, {"owner": "bob"}, original=bob_sees,
                caller=Caller("bob", "admin"), today=TODAY)
        assert bob.scalar("SELECT owner FROM checklist WHERE branch_code = 'B03' AND item_code = ?",
                          [key["item_code"]]) == "alice"


BUMPER = """
import sys
sys.path.insert(0, sys.argv[1])
from datetime import date
from rollout.core.access import LOCAL
from rollout.core.errors import ConflictError
from rollout.exchange.edits import update_row
from rollout.store.db import Database
with Database(sys.argv[2]) as db:
    for _ in range(int(sys.argv[3])):
        while True:
            seen = db.df("SELECT * FROM branches WHERE branch_code = 'B03'").to_dict("records")[0]
            try:
                update_row(db, "branches", {"branch_code": "B03"}, {"headcount": int(seen["headcount"]) + 1},
                           original=seen, today=date(2026, 11, 22), caller=LOCAL)
                break
            except ConflictError:
                pass
print("ok", flush=True)
"""


@pytest.mark.slow
def test_concurrent_processes_lose_no_update(sample_url: str) -> None:
    """3 processes each add 1 to B03's headcount 5 times, re-reading when refused as stale: exactly +15."""
    with Database(sample_url) as db:
        start = db.scalar("SELECT headcount FROM branches WHERE branch_code = 'B03'")
    workers = [subprocess.Popen([sys.executable, "-c", BUMPER, str(ROOT), sample_url, "5"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        results = [w.communicate(timeout=300) for w in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert [w.returncode for w in workers] == [0, 0, 0], [err[-1000:] for _, err in results]
    with Database(sample_url) as db:
        assert db.scalar("SELECT headcount FROM branches WHERE branch_code = 'B03'") == start + 15
        assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'branches'") == 15


@pytest.mark.slow
def test_an_import_is_seen_whole_or_not_at_all(pg_server) -> None:
    """While replica 1 imports the sample, replica 2 reads over and over: it sees the empty store or the
    whole import, never part of it (one PostgreSQL transaction, mirrored from one snapshot)."""
    url = pg_server.create_database()
    with Database(url) as importer, Database(url) as reader:
        seen: set[tuple[int, int, int]] = set()
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                seen.add(reader.rows("SELECT (SELECT count(*) FROM branches), (SELECT count(*) FROM checklist), "
                                     "(SELECT count(*) FROM import_log)")[0])

        thread = threading.Thread(target=read)
        thread.start()
        try:
            import_workbook(importer, SAMPLE, today=TODAY, caller=LOCAL)
        finally:
            done.set()
            thread.join()
        after = reader.rows("SELECT (SELECT count(*) FROM branches), (SELECT count(*) FROM checklist), "
                            "(SELECT count(*) FROM import_log)")[0]
    assert after[0] == 12 and after[1] > 50
    assert seen <= {(0, 0, 0), after}, seen
    pg_server.drop_database(url)


# --- the same figures, and moving a store between engines -----------------------------------------

@pytest.mark.slow
def test_copy_file_to_server_and_back_keeps_every_row_and_figure(sample_db_file: Path, pg_server,
                                                                 tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = pg_server.create_database()
    assert main(["copy", "--from", str(sample_db_file), "--to", url]) == 0
    out = capsys.readouterr().out
    assert "copied" in out and pg_server.PASSWORD not in out and "***" in out
    back = tmp_path / "back.duckdb"
    assert main(["copy", "--from", url, "--to", str(back)]) == 0
    with Database(sample_db_file, read_only=True) as original, Database(url) as server, Database(back) as returned:
        assert contents(server) == contents(original) == contents(returned)
        assert len(contents(original)["checklist"]) > 50
        for as_of in SAMPLE_DATES:
            assert summary(server, as_of) == summary(original, as_of) == summary(returned, as_of)
    # a target that holds data is refused without --force, replaced with it
    assert main(["copy", "--from", str(sample_db_file), "--to", url]) == 1
    assert "already holds data (use --force" in capsys.readouterr().err
    assert main(["copy", "--from", str(sample_db_file), "--to", url, "--force"]) == 0
    assert main(["copy", "--from", url, "--to", url]) == 1
    pg_server.drop_database(url)


@pytest.mark.slow
def test_sequences_follow_a_copy(sample_db_file: Path, pg_server, tmp_path: Path) -> None:
    """Audit rows copied to the server keep their ids and the next one follows them (no key clash)."""
    file_copy = tmp_path / "audited.duckdb"
    copy_between(sample_db_file, file_copy)
    with Database(file_copy) as db:
        update_row(db, "branches", {"branch_code": "B01"}, {"city": "Suzhou"}, today=TODAY, caller=LOCAL)
        update_row(db, "branches", {"branch_code": "B02"}, {"city": "Wuxi"}, today=TODAY, caller=LOCAL)
    url = pg_server.create_database()
    copy_between(file_copy, url)
    with Database(url) as server:
        update_row(server, "branches", {"branch_code": "B03"}, {"city": "Nanjing"}, today=TODAY, caller=LOCAL)
        rows = server.rows("SELECT audit_id, row_key FROM audit_log ORDER BY audit_id")
        assert [key for _, key in rows] == ["1", '{"branch_code": "B01"}', '{"branch_code": "B02"}',  # "1": the import
                                            '{"branch_code": "B03"}']
        copied = dict(rows[:3])  # the file's ids (its sequence may skip one after a copy: db.py) are kept
        assert list(copied) == sorted(copied) and rows[0][0] == 1 and rows[3][0] == max(copied) + 1
    pg_server.drop_database(url)


@pytest.mark.slow
def test_backup_of_a_server_restores_into_a_file_and_into_a_server(sample_url: str, pg_server,
                                                                   tmp_path: Path) -> None:
    with Database(sample_url) as db:
        update_row(db, "branches", {"branch_code": "B01"}, {"city": "after the copy"}, today=TODAY, caller=LOCAL)
        expected, figures = contents(db), summary(db, TODAY)
    assert main(["backup", "--db", sample_url, str(tmp_path / "server.duckdb")]) == 0
    written = tmp_path / "server.duckdb"
    assert backup.inspect_backup(written) >= 1  # the same portable file a file store's backup is
    restored_file = tmp_path / "restored.duckdb"
    backup.restore(written, restored_file, caller=LOCAL)
    other = pg_server.create_database()
    assert main(["restore", "--db", other, str(written)]) == 0
    with Database(restored_file) as as_file, Database(other) as as_server:
        assert contents(as_file) == expected == contents(as_server)
        assert summary(as_file, TODAY) == figures == summary(as_server, TODAY)
    # a server store that holds data is replaced only with --force
    assert main(["restore", "--db", other, str(written)]) == 1
    assert main(["restore", "--db", other, "--force", str(written)]) == 0
    pg_server.drop_database(other)


@pytest.mark.slow
def test_a_file_backup_restores_into_a_server(sample_db_path: Path, pg_server, tmp_path: Path) -> None:
    written = backup.backup(sample_db_path, tmp_path / "file-backup.duckdb", caller=LOCAL)
    url = pg_server.create_database()
    backup.restore(written, url, caller=LOCAL)
    with Database(url) as server, Database(sample_db_path) as original:
        assert contents(server) == contents(original)
    pg_server.drop_database(url)


@pytest.mark.slow
def test_demo_on_a_server_store(pg_server, capsys: pytest.CaptureFixture) -> None:
    url = pg_server.create_database()
    assert main(["demo", "--db", url, "--branches", "5", "--today", "2026-11-22"]) == 0
    assert pg_server.PASSWORD not in capsys.readouterr().out
    assert main(["demo", "--db", url, "--branches", "5"]) == 1
    assert "already holds data (use --force" in capsys.readouterr().err
    assert main(["demo", "--db", url, "--branches", "3", "--force", "--today", "2026-11-22"]) == 0
    with Database(url) as db:
        assert db.scalar("SELECT count(*) FROM branches") == 4  # the pilot and 3 others: replaced, not added
        assert has_data(db)
    pg_server.drop_database(url)


@pytest.mark.slow
def test_a_server_url_works_for_every_reading_command(sample_url: str, sample_db_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    """The same command on the file and on the server prints the same thing."""
    for args in (["summary", "--as-of", "2026-11-22", "--json"], ["call-list", "--as-of", "2026-11-22"],
                 ["what-if-leaves", "--person", "P022", "--as-of", "2026-11-22", "--json"],
                 ["plan", "--as-of", "2026-11-22", "--json", "--time-limit", "5"]):
        outputs = []
        for location in (str(sample_db_path), sample_url):
            assert main([args[0], "--db", location, *args[1:]]) in (0, 3)
            outputs.append(capsys.readouterr().out)
        assert outputs[0] == outputs[1], args[0]
    assert main(["export", "--db", sample_url, str(tmp_path / "out.zip")]) == 0
    assert (tmp_path / "out.zip").stat().st_size > 1000


@pytest.mark.slow
def test_reads_refuse_to_write(sample_url: str) -> None:
    """df/rows/scalar read; a write there would change only this process's mirror, so it is refused."""
    with Database(sample_url) as db, pytest.raises(DatabaseError, match=r"write through Database\.transaction"):
        db.rows("UPDATE branches SET city = 'x'")


@pytest.mark.slow
def test_writing_commands_on_a_server_store(sample_url: str, sample_db_path: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture) -> None:
    """snapshot, plan-from-template and report do on the server what they do on the file."""
    for location in (str(sample_db_path), sample_url):
        assert main(["snapshot", "--db", location, "--as-of", "2026-11-22"]) == 0
        assert main(["plan-from-template", "--db", location, "--branch", "B11", "--from", "B03", "--dry-run"]) == 0
        assert main(["report", "--db", location, "--as-of", "2026-11-22", "--out", str(tmp_path / "pack.html")]) == 0
    on_file, on_server = capsys.readouterr().out.split("steering pack written to")[:2]
    assert on_server.split("\n", 1)[1] == on_file  # the same snapshot id and template preview
    with Database(sample_url) as server, Database(sample_db_path) as file:
        assert server.rows("SELECT snapshot_id, as_of, summary_json FROM snapshots") == \
            file.rows("SELECT snapshot_id, as_of, summary_json FROM snapshots")
