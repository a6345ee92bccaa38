"""rollout/exchange/edits.py, the only in-app write path: the importer's rules, all or nothing, audited,
optimistic (a change made on stale data is refused)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from rollout.core.access import LOCAL, Caller
from rollout.core.errors import ConflictError, NotFoundError, ValidationError
from rollout.exchange.edits import edit_batch, insert_rows, update_row
from rollout.store.db import Database

from support import contents

TODAY = date(2026, 11, 22)
TABLES = dict(
    regions=[{"region_code": "E", "region_name": "East"}],
    branches=[{"branch_code": "B1", "branch_name": "One", "region_code": "E", "headcount": 40, "city": "Wuxi"},
              {"branch_code": "B2", "branch_name": "Two", "region_code": "E"}],
    people=[{"person_code": "P1", "name": "Ann", "branch_code": "B1"}],
)


@pytest.fixture
def db(db_factory) -> Database:
    return db_factory(**TABLES)


def audit(db: Database) -> list[tuple]:
    """The audit rows the test wrote (the fixture's own rows, written by actor 'test', left out)."""
    return db.rows("SELECT actor, action, table_name, row_key, column_name, old_value, new_value FROM audit_log "
                   "WHERE actor <> 'test' ORDER BY audit_id")


def shown(db: Database, table: str, where: str) -> dict:
    """A row as a page shows it: read through a DataFrame (NaN, NaT and numpy values included)."""
    return db.df(f"SELECT * FROM {table} WHERE {where}").to_dict("records")[0]


@pytest.mark.slow
def test_a_good_batch_commits_whole_and_every_change_is_audited(db: Database) -> None:
    with edit_batch(db, caller=Caller("ann", "admin"), today=TODAY) as batch:
        batch.insert("branches", [{"branch_code": "B3", "branch_name": "Three", "region_code": "E"}])
        batch.insert("people", [{"person_code": "P2", "name": "Bo", "branch_code": "B3"}])  # B3: same transaction
        batch.update("branches", {"branch_code": "B1"}, {"headcount": 45, "city": ""},
                     original=shown(db, "branches", "branch_code = 'B1'"))
    assert db.rows("SELECT branch_code, headcount, city FROM branches ORDER BY 1") == [
        ("B1", 45, None), ("B2", None, None), ("B3", None, None)]  # '' empties an optional cell
    assert db.scalar("SELECT branch_code FROM people WHERE person_code = 'P2'") == "B3"
    rows = audit(db)
    assert [r[:5] for r in rows] == [
        ("ann", "insert", "branches", '{"branch_code": "B3"}', None),
        ("ann", "insert", "people", '{"person_code": "P2"}', None),
        ("ann", "update", "branches", '{"branch_code": "B1"}', "city"),
        ("ann", "update", "branches", '{"branch_code": "B1"}', "headcount")]
    assert json.loads(rows[0][6]) == {"branch_code": "B3", "branch_name": "Three", "region_code": "E", "city": None,
                                      "is_pilot": False, "headcount": None, "wave": None, "planned_kickoff": None,
                                      "planned_go_live": None, "actual_go_live": None, "peak_months": None,
                                      "consultant_days_budget": None, "consultant_days_used": None,
                                          "requirements_signed_on": None}
    assert [r[5:] for r in rows[2:]] == [("Wuxi", None), ("40", "45")]  # old and new value of each column


def test_one_bad_row_refuses_the_whole_batch_and_changes_nothing(db: Database) -> None:
    before = contents(db)
    with pytest.raises(ValidationError) as refused, edit_batch(db, caller=Caller("ann", "admin"), today=TODAY) as batch:
        batch.insert("branches", [{"branch_code": "B3", "branch_name": "Three", "region_code": "E"}])
        batch.update("branches", {"branch_code": "B1"}, {"headcount": 50})
        batch.insert("people", [{"person_code": "P2", "name": "Bo", "branch_code": "B9"},
                                {"person_code": "P3", "name": "", "branch_code": "B1"}], label="new person")
    assert sorted(str(e) for e in refused.value.errors) == [
        "new person 1, branch_code: 'B9' is not a known branch (expected one of B1, B2, B3)",
        "new person 2, name: is empty (expected text)"]
    assert contents(db) == before  # the insert and the update made before the bad rows are gone too


@pytest.mark.slow
def test_an_error_inside_a_batch_rolls_everything_back(db: Database) -> None:
    before = contents(db)
    with pytest.raises(RuntimeError), edit_batch(db, caller=Caller("ann", "admin"), today=TODAY) as batch:
        batch.update("branches", {"branch_code": "B2"}, {"city": "Hefei"})
        raise RuntimeError("the page failed half-way")
    assert contents(db) == before


def test_the_importer_rules_apply_to_an_edit(db: Database) -> None:
    with pytest.raises(ValidationError) as refused:
        update_row(db, "branches", {"branch_code": "B1"}, {"headcount": -3, "planned_kickoff": "2027-05-01",
                                                           "planned_go_live": "2027-04-01"}, today=TODAY, caller=LOCAL)
    assert [(e.column, e.expected) for e in refused.value.errors] == [
        ("headcount", "is out of range (expected a whole number, >= 0, <= 1,000,000)")]
    with pytest.raises(ValidationError, match="is before planned_kickoff"):  # a row rule, once the cells parse
        update_row(db, "branches", {"branch_code": "B1"}, {"planned_kickoff": "2027-05-01",
                                                           "planned_go_live": "2027-04-01"}, today=TODAY, caller=LOCAL)
    with pytest.raises(ValidationError, match=r"fte: 1\.5 is out of range"):
        insert_rows(db, "assignments", [{"person_code": "P1", "branch_code": "B1", "role": "trainer", "fte": 1.5}],
                    today=TODAY, caller=LOCAL)
    assert audit(db) == []


def test_a_stale_edit_is_refused_and_the_newer_value_kept(db: Database) -> None:
    bob_sees = shown(db, "branches", "branch_code = 'B1'")
    update_row(db, "branches", {"branch_code": "B1"}, {"city": "Suzhou"}, original=bob_sees,
        caller=Caller("ann", "admin"),
               today=TODAY)
    with pytest.raises(ConflictError, match="someone else changed city to 'Suzhou'"):
        update_row(db, "branches", {"branch_code": "B1"}, {"headcount": 41}, original=bob_sees,
            caller=Caller("bob", "admin"),
                   today=TODAY)
    assert db.rows("SELECT city, headcount FROM branches WHERE branch_code = 'B1'") == [("Suzhou", 40)]
    assert [r[0] for r in audit(db)] == ["ann"]


def test_a_row_read_through_a_dataframe_is_not_stale(db: Database) -> None:
    """NaN, NaT, numpy integers and Timestamps as a page shows them equal the stored NULLs, ints and dates."""
    update_row(db, "branches", {"branch_code": "B2"}, {"planned_go_live": date(2027, 3, 1)}, today=TODAY, caller=LOCAL)
    seen = shown(db, "branches", "branch_code = 'B2'")
    assert isinstance(seen["planned_go_live"], pd.Timestamp) and seen["actual_go_live"] is pd.NaT
    update_row(db, "branches", {"branch_code": "B2"}, {"wave": 2}, original=seen, today=TODAY, caller=LOCAL)
    assert db.scalar("SELECT wave FROM branches WHERE branch_code = 'B2'") == 2


def test_an_update_names_an_existing_row_and_keeps_its_key(db: Database) -> None:
    with pytest.raises(NotFoundError, match="not found"):
        update_row(db, "branches", {"branch_code": "B9"}, {"city": "X"}, today=TODAY, caller=LOCAL)
    with pytest.raises(ValidationError, match="cannot be changed"):
        update_row(db, "branches", {"branch_code": "B1"}, {"branch_code": "B7"}, today=TODAY, caller=LOCAL)
    with pytest.raises(ValidationError, match="colour: is not a column of this table"):
        update_row(db, "branches", {"branch_code": "B1"}, {"colour": "red"}, today=TODAY, caller=LOCAL)
    assert audit(db) == []


def test_an_update_that_changes_nothing_writes_no_audit_row(db: Database) -> None:
    update_row(db, "branches", {"branch_code": "B1"}, {"city": "Wuxi", "headcount": 40.0}, today=TODAY, caller=LOCAL)
    assert audit(db) == []


def test_an_existing_key_is_refused_unless_skipped(db: Database) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        insert_rows(db, "people", [{"person_code": "P1", "name": "Another Ann", "branch_code": "B2"}], today=TODAY,
            caller=LOCAL)
    with pytest.raises(ValidationError, match="is given twice"):
        insert_rows(db, "people", [{"person_code": "P5", "name": "Cy", "branch_code": "B1"},
                                   {"person_code": "P5", "name": "Cy", "branch_code": "B2"}], today=TODAY, caller=LOCAL)
    added = insert_rows(db, "people", [{"person_code": "P1", "name": "Another Ann", "branch_code": "B2"},
                                       {"person_code": "P6", "name": "Di", "branch_code": "B2"}],
                        today=TODAY, skip_existing=True, caller=LOCAL)
    assert added == 1
    assert db.rows("SELECT person_code, name FROM people ORDER BY 1") == [("P1", "Ann"), ("P6", "Di")]
