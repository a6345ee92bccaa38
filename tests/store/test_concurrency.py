"""Concurrent use: stale edits are refused (optimistic concurrency), threads share one Database safely."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from rollout.core.access import LOCAL, Caller
from rollout.core.errors import ConflictError
from rollout.exchange.edits import insert_rows, update_row
from rollout.store.db import Database

TODAY = date(2026, 11, 22)


def shown_row(db: Database, branch_code: str) -> dict:
    """The branch row as a page shows it (read through a DataFrame, as the pages do)."""
    return db.df("SELECT * FROM branches WHERE branch_code = ?", [branch_code]).to_dict("records")[0]


def test_second_edit_made_on_stale_data_is_refused_and_the_first_kept(sample_db: Database) -> None:
    alice_sees = shown_row(sample_db, "B01")  # two people open the same branch
    bob_sees = shown_row(sample_db, "B01")
    update_row(sample_db, "branches", {"branch_code": "B01"}, {"branch_name": "Alice's name"}, original=alice_sees,
               caller=Caller("alice", "admin"), today=TODAY)
    with pytest.raises(ConflictError, match="someone else changed branch_name"):
        update_row(sample_db, "branches", {"branch_code": "B01"}, {"branch_name": "Bob's name"},
                   original=bob_sees, caller=Caller("bob", "admin"), today=TODAY)
    assert sample_db.scalar("SELECT branch_name FROM branches WHERE branch_code = 'B01'") == "Alice's name"
    assert sample_db.rows("SELECT actor, old_value, new_value FROM audit_log WHERE table_name = 'branches'") == [
        ("alice", alice_sees["branch_name"], "Alice's name")]
    # Bob reloads and edits again: now it goes through
    update_row(sample_db, "branches", {"branch_code": "B01"}, {"city": "Bob's city"},
               original=shown_row(sample_db, "B01"), caller=Caller("bob", "admin"), today=TODAY)
    assert sample_db.rows("SELECT branch_name, city FROM branches WHERE branch_code = 'B01'") == [
        ("Alice's name", "Bob's city")]


def test_a_row_with_empty_dates_shown_from_a_dataframe_is_not_stale(sample_db: Database) -> None:
    """B05 has no actual_go_live: the page's DataFrame shows NaT, the database NULL; that is the same value
    (edits._comparable once read NaT as the text 'NaT' and refused every such edit as a conflict)."""
    seen = shown_row(sample_db, "B05")
    assert seen["actual_go_live"] is not None and seen["actual_go_live"] != seen["actual_go_live"]  # NaT
    update_row(sample_db, "branches", {"branch_code": "B05"}, {"city": "Ningbo"}, original=seen, today=TODAY,
        caller=LOCAL)
    assert sample_db.scalar("SELECT city FROM branches WHERE branch_code = 'B05'") == "Ningbo"


def test_a_stale_edit_of_another_column_is_refused_too(sample_db: Database) -> None:
    """Bob saw the row before Alice changed the name; his city change would be made on stale data."""
    bob_sees = shown_row(sample_db, "B02")
    update_row(sample_db, "branches", {"branch_code": "B02"}, {"headcount": 999},
               original=shown_row(sample_db, "B02"), caller=Caller("alice", "admin"), today=TODAY)
    with pytest.raises(ConflictError):
        update_row(sample_db, "branches", {"branch_code": "B02"}, {"city": "Elsewhere"}, original=bob_sees,
                   caller=Caller("bob", "admin"), today=TODAY)
    assert sample_db.rows("SELECT headcount, city FROM branches WHERE branch_code = 'B02'") == [
        (999, bob_sees["city"])]


@pytest.mark.slow
def test_threads_read_and_write_through_one_database(sample_db: Database) -> None:
    """6 threads x 8 rounds: each adds a region (insert_rows), edits its own branch and reads; no error,
    every write present, readers never see a half-written transaction."""
    workers, rounds = 6, 8
    regions_before = sample_db.scalar("SELECT count(*) FROM regions")
    failures: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(worker: int) -> None:
        try:
            start.wait()
            for n in range(rounds):
                insert_rows(sample_db, "regions", [{"region_code": f"T{worker}-{n}", "region_name": f"thread {n}"}],
                            caller=Caller(f"t{worker}", "admin"), today=TODAY)
                code = f"B{worker + 1:02d}"
                update_row(sample_db, "branches", {"branch_code": code}, {"branch_name": f"{code} round {n}"},
                           original=shown_row(sample_db, code), caller=Caller(f"t{worker}", "admin"), today=TODAY)
                # the region and its audit row were committed together: a reader sees both or neither
                [(regions, audited)] = sample_db.rows(
                    "SELECT (SELECT count(*) FROM regions WHERE region_code LIKE 'T%'), "
                    "(SELECT count(*) FROM audit_log WHERE table_name = 'regions')")
                assert regions == audited
                assert sample_db.df("SELECT * FROM checklist").shape[0] > 0
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]
    # 6 x 8 = 48 new regions, each exactly once
    assert sample_db.scalar("SELECT count(*) FROM regions") == regions_before + workers * rounds
    assert sample_db.scalar("SELECT count(DISTINCT region_code) FROM regions WHERE region_code LIKE 'T%'") == 48
    names = dict(sample_db.rows("SELECT branch_code, branch_name FROM branches"))
    assert all(names[f"B{w + 1:02d}"] == f"B{w + 1:02d} round {rounds - 1}" for w in range(workers))


@pytest.mark.slow
def test_concurrent_edits_of_one_row_lose_no_update(sample_db: Database) -> None:
    """4 threads each add 1 to B03's headcount 5 times, re-reading and retrying when refused as stale:
    optimistic concurrency must make the result exactly start + 20 (a lost update would show less)."""
    workers, rounds = 4, 5
    start_count = sample_db.scalar("SELECT headcount FROM branches WHERE branch_code = 'B03'")
    conflicts: list[int] = []
    failures: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(rounds):
                for _attempt in range(100):
                    seen = shown_row(sample_db, "B03")
                    try:
                        update_row(sample_db, "branches", {"branch_code": "B03"},
                                   {"headcount": int(seen["headcount"]) + 1}, original=seen, today=TODAY, caller=LOCAL)
                        break
                    except ConflictError:
                        conflicts.append(1)
                else:
                    raise AssertionError("100 refusals in a row: a fresh row is taken for stale")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]
    assert sample_db.scalar("SELECT headcount FROM branches WHERE branch_code = 'B03'") == start_count + 20


@pytest.mark.slow
def test_two_app_sessions_editing_the_same_checklist_item(open_page, sample_db_path) -> None:
    """Alice and Bob open branch B03's plan in two browser sessions; Alice saves a new owner for the first
    item; Bob, still looking at the old plan, changes the same item: refused with a message, Alice's kept."""
    alice = open_page("branch", db_path=sample_db_path, query={"branch": "B03"})
    bob = open_page("branch", db_path=sample_db_path, query={"branch": "B03"})
    first_item = alice.session_state["checklist_shown"]["frame"].iloc[0]["item_code"]
    for session, owner in ((alice, "alice"), (bob, "bob")):
        session.session_state["checklist_editor"] = {"edited_rows": {0: {"owner": owner}}, "added_rows": [],
                                                     "deleted_rows": []}
        session.run()
        session.button(key="checklist_save").click().run()
        assert not session.exception, [e.value for e in session.exception]
    assert [s.value for s in alice.success] == [r"Saved\: 1 item\(s\) changed, 0 added\."]
    assert not alice.error
    assert len(bob.error) == 1 and "someone else changed owner since you loaded it" in bob.error[0].value
    assert not bob.success
    with Database(sample_db_path, read_only=False) as db:
        assert db.scalar("SELECT owner FROM checklist WHERE branch_code = 'B03' AND item_code = ?",
                         [first_item]) == "alice"


def test_exclusive_access_holds_every_write_back_until_it_ends(sample_db: Database) -> None:
    """Database.exclusive (what a backup of the open file uses): no write commits inside the block. The
    server engine has none: its backup reads one consistent snapshot of PostgreSQL instead."""
    if sample_db.kind == "server":
        pytest.skip("the embedded file's own lock; PostgreSQL backups read a snapshot")
    written = threading.Event()

    def write() -> None:
        update_row(sample_db, "branches", {"branch_code": "B01"}, {"city": "Elsewhere"}, today=TODAY, caller=LOCAL)
        written.set()

    with sample_db.exclusive() as con:
        writer = threading.Thread(target=write)
        writer.start()
        assert not written.wait(0.5)
        assert con.execute("SELECT city FROM branches WHERE branch_code = 'B01'").fetchone()[0] != "Elsewhere"
    writer.join(30)
    assert written.is_set() and sample_db.scalar("SELECT city FROM branches WHERE branch_code = 'B01'") == "Elsewhere"
