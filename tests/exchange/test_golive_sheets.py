"""The kick-off-to-acceptance sheets (WORKBOOK.md kickoffs, consultant_days, daily_entries, acceptance):
each new rule refused with sheet, row, column, value and expectation; times of day as text or time cells;
the same rules through the edit layer; the template holds every sheet."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rollout.core.access import LOCAL
from rollout.core.errors import ValidationError
from rollout.exchange.edits import insert_rows, update_row
from rollout.exchange.exporter import template_bytes
from rollout.exchange.importer import import_workbook
from rollout.exchange.spec import SHEETS
from rollout.store.db import Database

from support import ROOT, xlsx

TODAY = date(2026, 11, 22)
REGIONS = [["region_code", "region_name"], ["E", "华东区"]]
BRANCHES = [["branch_code", "branch_name", "region_code", "actual_go_live"],
            ["B01", "天津分公司", "E", date(2026, 6, 1)], ["B02", "济南分公司", "E", None]]
KICKOFF_HEADER = ["branch_code", "held_on", "start_time", "duration_min", "attendees", "steering_committee_named",
                  "minutes_signed_on", "minutes_ref"]
DAYS_HEADER = ["branch_code", "work_date", "consultant", "phase", "days", "note"]
ENTRIES_HEADER = ["branch_code", "date", "documents", "entered_same_day"]
ACCEPTANCE_HEADER = ["branch_code", "accepted_on", "payment_due", "payment_received_on"]


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "g.duckdb")
    import_workbook(database, xlsx({"regions": REGIONS, "branches": BRANCHES}), "base.xlsx", today=TODAY, caller=LOCAL)
    yield database
    database.close()


def load(db: Database, sheets: dict[str, list[list]]):
    return import_workbook(db, xlsx(sheets), "golive.xlsx", today=TODAY, caller=LOCAL)


def refused(db: Database, sheets: dict[str, list[list]]) -> list[str]:
    before = {name: db.scalar(f'SELECT count(*) FROM "{name}"') for name in SHEETS}
    with pytest.raises(ValidationError) as caught:
        load(db, sheets)
    assert {name: db.scalar(f'SELECT count(*) FROM "{name}"') for name in SHEETS} == before  # nothing loaded
    return [str(e) for e in caught.value.errors]


def test_the_four_sheets_load_with_times_as_text_or_time_cells(db: Database) -> None:
    result = load(db, {
        "kickoffs": [KICKOFF_HEADER, ["B01", date(2026, 3, 2), "9:30", 180, 40, "yes", date(2026, 3, 6), "m.pdf"],
                     ["B02", "2026/11/16", time(14, 0), None, None, None, None, None]],
        "Consultant Days": [DAYS_HEADER, ["B02", "2026-11-16", "陈晨", "Kickoff", 1, None],
                            ["B02", "2026-11-16", "陈晨", "training", 0.5, "afternoon"]],
        "daily_entries": [ENTRIES_HEADER, ["B01", date(2026, 11, 20), 120, 120], ["B01", "2026-11-21", 0, 0]],
        "acceptance": [ACCEPTANCE_HEADER, ["B01", date(2026, 6, 1), date(2026, 7, 1), date(2026, 7, 15)],
                       ["B02", None, date(2026, 12, 1), None]],  # B02 has no go-live: not accepted yet
    })
    assert {t: result.counts[t].inserted for t in ("kickoffs", "consultant_days", "daily_entries", "acceptance")} == \
        {"kickoffs": 2, "consultant_days": 2, "daily_entries": 2, "acceptance": 2}
    assert db.rows("SELECT branch_code, start_time, steering_committee_named, rewards_announced FROM kickoffs "
                   "ORDER BY 1") == [("B01", "09:30", True, None), ("B02", "14:00", None, None)]
    assert db.rows("SELECT phase, days FROM consultant_days ORDER BY phase") == [("kickoff", 1.0), ("training", 0.5)]
    again = load(db, {"kickoffs": [KICKOFF_HEADER, ["B01", date(2026, 3, 2), "09:30", 180, 40, "y",
                                                    date(2026, 3, 6), "m.pdf"]]})
    assert (again.counts["kickoffs"].inserted, again.counts["kickoffs"].updated) == (0, 0)


@pytest.mark.parametrize(("sheet", "row", "message"), [
    ("kickoffs", ["B01", date(2026, 3, 2), "25:00", 180, 1, None, None, None],
     "kickoffs row 2, start_time: '25:00' is not a time of day (expected a time cell or text like 09:30, 24-hour)"),
    ("kickoffs", ["B01", date(2026, 3, 2), "9.30", 180, 1, None, None, None],
     "kickoffs row 2, start_time: '9.30' is not a time of day (expected a time cell or text like 09:30, 24-hour)"),
    ("kickoffs", ["B01", date(2026, 3, 2), time(9, 30, 15), 180, 1, None, None, None],
     "kickoffs row 2, start_time: 09:30:15 has seconds (expected a time of day to the minute, like 09:30)"),
    ("kickoffs", ["B01", date(2026, 3, 2), datetime(2026, 3, 2, 9, 30), 180, 1, None, None, None],
     "kickoffs row 2, start_time: 2026-03-02 09:30:00 is not a time of day (expected a time cell or text like "
     "09:30, 24-hour)"),
    ("kickoffs", ["B01", date(2026, 3, 2), "09:00", 0, 1, None, None, None],
     "kickoffs row 2, duration_min: 0 is out of range (expected a whole number, > 0, <= 1,440)"),
    ("kickoffs", ["B01", date(2026, 3, 2), "09:00", 1441, 1, None, None, None],
     "kickoffs row 2, duration_min: 1441 is out of range (expected a whole number, > 0, <= 1,440)"),
    ("kickoffs", ["B01", date(2026, 3, 2), "09:00", 60, -1, None, None, None],
     "kickoffs row 2, attendees: -1 is out of range (expected a whole number, >= 0, <= 100,000)"),
    ("kickoffs", ["B01", None, "09:00", 60, 1, None, None, None],
     "kickoffs row 2, held_on: is empty (expected a date (YYYY-MM-DD))"),
    ("kickoffs", ["B01", date(2026, 3, 2), "09:00", 60, 1, "maybe", None, None],
     "kickoffs row 2, steering_committee_named: 'maybe' is not a yes/no value (expected true/false, yes/no, y/n "
     "or 1/0)"),
    ("kickoffs", ["B99", date(2026, 3, 2), "09:00", 60, 1, None, None, None],
     "kickoffs row 2, branch_code: 'B99' is not a known branch (expected one of B01, B02)"),
    ("consultant_days", ["B01", date(2026, 3, 2), "陈晨", "training", 0, None],
     "consultant_days row 2, days: 0 is out of range (expected a number, > 0, <= 1)"),
    ("consultant_days", ["B01", date(2026, 3, 2), "陈晨", "training", 1.5, None],
     "consultant_days row 2, days: 1.5 is out of range (expected a number, > 0, <= 1)"),
    ("consultant_days", ["B01", date(2026, 3, 2), "陈晨", "go-live", 1, None],
     "consultant_days row 2, phase: 'go-live' is not allowed (expected one of preparation, kickoff, training, "
     "testing, cutover, support)"),
    ("consultant_days", ["B01", date(2026, 3, 2), None, "training", 1, None],
     "consultant_days row 2, consultant: is empty (expected text)"),
    ("daily_entries", ["B01", date(2026, 11, 20), 100, 101],
     "daily_entries row 2, entered_same_day: 101 is more than documents 100 (expected at most documents)"),
    ("daily_entries", ["B01", date(2026, 11, 20), -1, 0],
     "daily_entries row 2, documents: -1 is out of range (expected a whole number, >= 0, <= 1,000,000,000)"),
    ("daily_entries", ["B01", date(2026, 11, 20), 10, 2.5],
     "daily_entries row 2, entered_same_day: 2.5 is not a whole number"),
    ("acceptance", ["B01", date(2026, 5, 31), None, None],
     "acceptance row 2, accepted_on: 2026-05-31 is before B01's actual_go_live 2026-06-01 (expected a date on or "
     "after it)"),
    ("acceptance", ["B01", date(2026, 6, 1), date(2026, 7, 1), date(2026, 5, 1)],
     "acceptance row 2, payment_received_on: 2026-05-01 is before B01's actual_go_live 2026-06-01 (expected a date "
     "on or after it)"),
])
def test_each_new_rule_is_refused_with_where_what_and_why(db: Database, sheet: str, row: list, message: str) -> None:
    header = {"kickoffs": KICKOFF_HEADER, "consultant_days": DAYS_HEADER, "daily_entries": ENTRIES_HEADER,
              "acceptance": ACCEPTANCE_HEADER}[sheet]
    assert refused(db, {sheet: [header, row]}) == [message]


def test_go_live_and_acceptance_in_the_same_workbook_are_compared(db: Database) -> None:
    # B02 goes live in this workbook: its acceptance on the same workbook may not come before it
    errors = refused(db, {"branches": [BRANCHES[0], ["B02", "济南分公司", "E", date(2026, 9, 1)]],
                          "acceptance": [ACCEPTANCE_HEADER, ["B02", date(2026, 8, 31), None, None]]})
    assert errors == ["acceptance row 2, accepted_on: 2026-08-31 is before B02's actual_go_live 2026-09-01 "
                      "(expected a date on or after it)"]
    load(db, {"acceptance": [ACCEPTANCE_HEADER, ["B01", date(2026, 6, 1), None, None]]})  # on the go-live: fine
    # moving B01's go-live after its stored acceptance is refused on the branches sheet
    errors = refused(db, {"branches": [BRANCHES[0], ["B01", "天津分公司", "E", date(2026, 6, 2)]]})
    assert errors == ["branches row 2, actual_go_live: 2026-06-02 is after B01's accepted_on 2026-06-01 on the "
                      "acceptance sheet (expected a date on or before it)"]
    # ... unless the same workbook moves the acceptance too
    load(db, {"branches": [BRANCHES[0], ["B01", "天津分公司", "E", date(2026, 6, 2)]],
              "acceptance": [ACCEPTANCE_HEADER, ["B01", date(2026, 6, 2), None, None]]})
    assert db.scalar("SELECT accepted_on FROM acceptance WHERE branch_code = 'B01'") == date(2026, 6, 2)


def test_repeated_keys_name_both_rows(db: Database) -> None:
    errors = refused(db, {"consultant_days": [DAYS_HEADER, ["B01", date(2026, 3, 2), "陈晨", "training", 1, None],
                                              ["B01", "2026-03-02", " 陈晨 ", "Training", 0.5, None]]})
    assert errors == ["consultant_days row 3, phase: the key (B01, 2026-03-02, 陈晨, training) repeats row 2 "
                      "(expected each key once)"]


def test_edits_follow_the_same_rules(db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        insert_rows(db, "daily_entries", [{"branch_code": "B01", "date": date(2026, 11, 20), "documents": 5,
                                           "entered_same_day": 6}], today=TODAY, label="entries", caller=LOCAL)
    assert [str(e) for e in caught.value.errors] == [
        "entries, entered_same_day: 6 is more than documents 5 (expected at most documents)"]
    insert_rows(db, "acceptance", [{"branch_code": "B01", "accepted_on": date(2026, 7, 1)}], today=TODAY, caller=LOCAL)
    with pytest.raises(ValidationError) as caught:  # the go-live moved after the acceptance, in the app
        update_row(db, "branches", {"branch_code": "B01"}, {"actual_go_live": date(2026, 7, 2)}, today=TODAY,
            caller=LOCAL)
    assert caught.value.errors[0].column == "actual_go_live"
    assert db.scalar("SELECT actual_go_live FROM branches WHERE branch_code = 'B01'") == date(2026, 6, 1)


def test_the_template_workbook_is_generated_from_the_declaration() -> None:
    """data/rollout_template.xlsx is template_bytes() saved (regenerate it when the format changes:
    python -c "from rollout.exchange.exporter import template_bytes; open('data/rollout_template.xlsx', 'wb')
    .write(template_bytes())")."""
    for source in (ROOT / "data" / "rollout_template.xlsx", template_bytes()):
        book = load_workbook(source if isinstance(source, Path) else io.BytesIO(source))
        assert book.sheetnames == list(SHEETS)
        for name, sheet in SHEETS.items():
            assert [c.value for c in book[name][1]] == sheet.column_names, name
        assert book["kickoffs"]["C1"].comment.text == "optional: a time of day (HH:MM, 24-hour)"
