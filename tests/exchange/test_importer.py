"""The importer: every WORKBOOK.md rule, every kind of error, all-or-nothing, idempotence, round trip."""

from __future__ import annotations

import gc
import hashlib
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from rollout.core.access import LOCAL
from rollout.core.errors import ValidationError
from rollout.exchange.exporter import export
from rollout.exchange.importer import import_workbook
from rollout.store.db import Database

from support import SAMPLE, xlsx

REGIONS = [["region_code", "region_name"], ["EAST", "华东区"], ["NORTH", "华北区"], ["SOUTH", "华南区"]]
BRANCHES = [["branch_code", "branch_name", "region_code", "is_pilot", "planned_go_live", "peak_months"],
            ["PIL", "青岛试点工厂", "EAST", "yes", date(2026, 1, 1), "11,12"],
            ["B01", "天津分公司", "NORTH", "no", "2027/1/1", None]]




def load_xlsx(db: Database, sheets: dict[str, list[list]], dry_run: bool = False):
    return import_workbook(db, xlsx(sheets), "test.xlsx", dry_run=dry_run, today=date(2026, 11, 22), caller=LOCAL)


def errors_of(db: Database, sheets: dict[str, list[list]]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_xlsx(db, sheets)
    return [str(e) for e in caught.value.errors]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "t.duckdb")
    yield database
    database.close()


def test_sample_imports_cleanly(db: Database) -> None:
    result = import_workbook(db, SAMPLE, today=date(2026, 11, 22), caller=LOCAL)
    assert result.warnings == []
    assert result.counts["branches"].inserted == 12  # the pilot + B01..B11
    assert result.counts["checklist"].inserted == db.scalar("SELECT count(*) FROM checklist") > 100
    # mixed-case enumerations were normalised ('In Progress' -> in_progress, 'Key User' -> key_user)
    assert set(db.df("SELECT DISTINCT status FROM checklist").status) <= {"open", "in_progress", "done", "waived"}
    assert "key_user" in set(db.df("SELECT DISTINCT role FROM assignments").role)
    assert db.scalar("SELECT branch_name FROM branches WHERE branch_code = 'PIL'") == "青岛试点工厂"


@pytest.mark.slow
def test_importing_twice_changes_nothing(db: Database) -> None:
    import_workbook(db, SAMPLE, today=date(2026, 11, 22), caller=LOCAL)
    again = import_workbook(db, SAMPLE, today=date(2026, 11, 22), caller=LOCAL)
    assert all(c.inserted == 0 and c.updated == 0 for c in again.counts.values())
    assert again.counts["checklist"].unchanged == db.scalar("SELECT count(*) FROM checklist")
    # both loads are logged, one row per table each
    assert db.scalar("SELECT count(DISTINCT import_id) FROM import_log") == 2


def test_upsert_updates_by_key_and_never_deletes(db: Database) -> None:
    load_xlsx(db, {"regions": REGIONS, "branches": BRANCHES})
    changed = load_xlsx(db, {"branches": [BRANCHES[0], ["B01", "天津新名", "NORTH", "no", "2027-02-01", None]]})
    assert (changed.counts["branches"].inserted, changed.counts["branches"].updated) == (0, 1)
    assert db.scalar("SELECT branch_name FROM branches WHERE branch_code = 'B01'") == "天津新名"
    assert db.scalar("SELECT count(*) FROM branches") == 2  # PIL, absent from the second load, is kept


def test_headers_sheets_and_enums_are_normalised(db: Database) -> None:
    result = load_xlsx(db, {
        " Regions ": [["Region Code", "REGION_NAME", "Notes"], ["EAST", "华东区", "ignored"]],
        "BRANCHES": [["Branch Code", "branch name", "region_code"], [101, "一零一", "EAST"]],
        "Checklist": [["branch_code", "item_code", "Dimension", "title", "status", "completed_on", "Gate"],
                      [101.0, "K1", " Kick Off ".replace(" Off", "off"), "通知", "DONE", "2026.3.1 00:00", "Y"],
                      [None, None, None, None, None, None, None],
                      ["101", "K2", "Data", "期初", "In Progress", None, "no"]],
        "Extra sheet": [["a"], [1]],
    })
    assert db.scalar("SELECT branch_code FROM branches") == "101"  # a number typed into a code cell
    rows = db.rows("SELECT item_code, dimension, status, completed_on, gate FROM checklist ORDER BY item_code")
    assert rows == [("K1", "kickoff", "done", date(2026, 3, 1), True), ("K2", "data", "in_progress", None, False)]
    assert any("'notes' is not part of the format" in w for w in result.warnings)
    assert any("Extra sheet" in w for w in result.warnings)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-20", date(2026, 11, 20)), ("2026/11/2", date(2026, 11, 2)), ("2026.1.5", date(2026, 1, 5)),
    ("2026-11-20 00:00:00", date(2026, 11, 20)), (datetime(2026, 11, 20), date(2026, 11, 20)),
])
def test_dates_year_first_text_and_date_cells(db: Database, text, expected) -> None:
    load_xlsx(db, {"regions": REGIONS, "branches": [BRANCHES[0][:5], ["B9", "九", "EAST", "no", text]]})
    assert db.scalar("SELECT planned_go_live FROM branches WHERE branch_code = 'B9'") == expected


def test_every_error_is_reported_with_sheet_row_column_value_and_expectation(db: Database, tmp_path: Path) -> None:
    path = Path(db.path)
    load_xlsx(db, {"regions": REGIONS})
    db.checkpoint()
    before = file_digest(path)
    errors = errors_of(db, {
        "branches": [[*BRANCHES[0][:5], "peak_months", "headcount"],
                     ["B1", "一", "EAST", "maybe", "2026-11-20", "11,13", 10],
                     ["B2", "二", "WEST", "no", "11/20/2026", None, "many"],
                     ["B1", "重复", "EAST", "no", None, None, None],
                     [None, "无码", "EAST", "no", None, None, None]],
        "checklist": [["branch_code", "item_code", "dimension", "title", "status", "completed_on", "weight"],
                      ["B1", "I1", "data", "t", "done", None, 1],
                      ["B1", "I2", "nonsense", "t", "open", None, 0],
                      ["B9", "I3", "data", "t", "done", "2027-01-01", 1]],
    })
    assert "branches row 2, is_pilot: 'maybe' is not a yes/no value (expected true/false, yes/no, y/n or 1/0)" \
        in errors
    assert "branches row 2, peak_months: '11,13' is not a list of months (expected month numbers 1-12 separated " \
           "by commas, e.g. 11,12)" in errors
    assert "branches row 3, region_code: 'WEST' is not a known region (expected one of EAST, NORTH, SOUTH)" in errors
    assert any(e.startswith("branches row 3, planned_go_live: '11/20/2026' is not a date") for e in errors)
    assert "branches row 3, headcount: 'many' is not a number" in errors
    assert "branches row 4, branch_code: the key (B1) repeats row 2 (expected each key once)" in errors
    assert "branches row 5, branch_code: is empty (expected a code)" in errors
    assert "checklist row 2, completed_on: is empty (expected a date: an item that is done needs completed_on)" \
        in errors
    assert "checklist row 3, dimension: 'nonsense' is not allowed (expected one of governance, people, data, " \
           "process, technical, kickoff)" in errors
    assert "checklist row 3, weight: 0 is out of range (expected a number, > 0, <= 1,000 (default 1.0))" in errors
    assert "checklist row 4, completed_on: 2027-01-01 is in the future (expected a date on or before 2026-11-22)" \
        in errors
    assert "checklist row 4, branch_code: 'B9' is not a known branch (expected one of B1, B2)" not in errors
    assert any(e.startswith("checklist row 4, branch_code: 'B9' is not a known branch") for e in errors)
    # nothing was written: the database file is byte-for-byte what it was
    db.close()
    assert file_digest(path) == before


def test_missing_required_column_and_repeated_header(db: Database) -> None:
    errors = errors_of(db, {"regions": [["region_code", "region_code"], ["E", "E"]],
                            "branches": [["branch_code", "branch_name"], ["B1", "一"]]})
    assert "regions row 1, region_code: appears twice in the header (expected once)" in errors
    assert "branches row 1, region_code: column is missing (expected a 'region_code' column: it is required)" \
        in errors


def test_references_resolve_against_the_database(db: Database) -> None:
    load_xlsx(db, {"regions": REGIONS, "branches": BRANCHES})
    result = load_xlsx(db, {"people": [["person_code", "name", "branch_code"], ["P1", "张三", "B01"]]})
    assert result.counts["people"].inserted == 1


def test_date_ranges_run_forward(db: Database) -> None:
    load_xlsx(db, {"regions": REGIONS, "branches": BRANCHES})
    errors = errors_of(db, {"people": [["person_code", "name", "branch_code", "joined_on", "left_on"],
                                       ["P1", "张三", "B01", "2026-05-01", "2026-04-30"]]})
    assert errors == ["people row 2, left_on: 2026-04-30 is before joined_on 2026-05-01 (expected a date on or "
                      "after it)"]


def test_key_user_requirement_needs_a_module(db: Database) -> None:
    load_xlsx(db, {"regions": REGIONS, "branches": BRANCHES})
    errors = errors_of(db, {"role_requirements": [["branch_code", "role", "module", "required_fte"],
                                                  ["B01", "Key User", None, 1]]})
    assert errors == ["role_requirements row 2, module: is empty (expected a module: a key_user requirement is "
                      "per module)"]


def test_dry_run_counts_and_writes_nothing(db: Database) -> None:
    result = load_xlsx(db, {"regions": REGIONS, "branches": BRANCHES}, dry_run=True)
    assert result.counts["branches"].inserted == 2
    assert db.scalar("SELECT count(*) FROM branches") == 0
    assert db.scalar("SELECT count(*) FROM import_log") == 0


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows).encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_folder_in_utf8_or_gbk(db: Database, tmp_path: Path, encoding: str) -> None:
    folder = tmp_path / "csvs"
    folder.mkdir()
    (folder / "regions.csv").write_bytes(csv_bytes(REGIONS, encoding))
    (folder / "Branches.csv").write_bytes(csv_bytes([r[:3] for r in BRANCHES], encoding))
    (folder / "notes.txt").write_text("hello")
    result = import_workbook(db, folder, caller=LOCAL)
    assert db.scalar("SELECT region_name FROM regions WHERE region_code = 'EAST'") == "华东区"
    assert result.counts["branches"].inserted == 2
    assert any("notes.txt" in w for w in result.warnings)


def test_zip_of_csvs(db: Database) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rollout/regions.csv", csv_bytes(REGIONS))
    result = import_workbook(db, buffer.getvalue(), "export.zip", caller=LOCAL)
    assert result.counts["regions"].inserted == 3


def test_reading_and_checking_leave_the_garbage_collector_as_they_found_it(db: Database) -> None:
    """The importer pauses the cyclic collector while it reads and checks (speed), and restores it,
    whether the workbook loads or is refused, and leaves it off when it was off."""
    assert gc.isenabled()
    import_workbook(db, csv_bytes(REGIONS), "regions.csv", caller=LOCAL)
    assert gc.isenabled()
    with pytest.raises(ValidationError):  # refused while reading
        import_workbook(db, b"region_code,region_name\nE,\xff\xfe\xfa\xfb\x81\n", "regions.csv", caller=LOCAL)
    assert gc.isenabled()
    with pytest.raises(ValidationError):  # refused while checking
        import_workbook(db, csv_bytes([["region_code", "region_name"], ["WEST", ""]]), "regions.csv", caller=LOCAL)
    assert gc.isenabled()
    gc.disable()
    try:
        import_workbook(db, csv_bytes(REGIONS), "regions.csv", caller=LOCAL)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_csv_in_neither_encoding_is_named(db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        import_workbook(db, b"region_code,region_name\nE,\xff\xfe\xfa\xfb\x81\n", "regions.csv", caller=LOCAL)
    assert "regions.csv: is neither UTF-8 nor GB18030/GBK" in str(caught.value)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".zip", ""])
def test_export_round_trip_gives_the_same_data(tmp_path: Path, suffix: str) -> None:
    source = Database(tmp_path / "a.duckdb")
    import_workbook(source, SAMPLE, today=date(2026, 11, 22), caller=LOCAL)
    with source.transaction() as cur:  # formula-like text survives the round trip unchanged
        cur.execute("UPDATE branches SET city = '=HYPERLINK(\"x\")' WHERE branch_code = 'B01'")
    out = export(source, tmp_path / f"export{suffix}")
    target = Database(tmp_path / "b.duckdb")
    import_workbook(target, out, today=date(2026, 11, 22), caller=LOCAL)
    for table in ("regions", "branches", "checklist", "assignments", "touchpoints", "problems", "role_requirements",
                  "kickoffs", "consultant_days", "daily_entries", "acceptance"):
        query = f'SELECT * FROM "{table}" ORDER BY ALL'
        assert source.rows(query) == target.rows(query), table
