"""Hostile input, round two (issue 14): a corpus generated here, by code (no binary is committed), one
test per class of bad input. Each asserts the exit code, the message, that no traceback is shown, a
time bound where the class is about hangs, and that the database is unchanged (byte for byte, or
table for table) when the input is refused.

Most cases run the CLI in this process (`main`, as `python -m rollout` runs it) because a process
start costs seconds on a shared machine; the cases only a real process shows (a held lock, a
broken pipe, interpreter-exit noise) run `python -m rollout` for real.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rollout.cli import main
from rollout.core.access import LOCAL
from rollout.core.errors import ValidationError
from rollout.core.limits import EARLIEST_DATE, LATEST_DATE
from rollout.exchange.edits import insert_rows
from rollout.exchange.exporter import export
from rollout.exchange.importer import import_workbook, load
from rollout.exchange.sources import RawSheet, RawWorkbook
from rollout.exchange.spec import SHEETS, invisible_character, parse_code, unquote
from rollout.metrics.summary import summary
from rollout.store import backup, files
from rollout.store.db import LATEST_VERSION, MIGRATIONS_DIR, Database

from support import ROOT, examples, make_db

TODAY = date(2026, 11, 22)
HANG_BOUND_S = 20  # generous: a guard against hangs on a shared machine, not a benchmark

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")


# --- running the CLI and looking at the database -----------------------------------------------------

def cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """The CLI in this process: (exit code, stdout, stderr); argparse's own exit counts as an exit code."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """The CLI as a user runs it: a real process."""
    return subprocess.run([sys.executable, "-m", "rollout", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (import_log without its wall-clock time)."""
    with Database(path, read_only=True) as db:
        tables = [r[0] for r in db.rows("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1")]
        return {t: db.rows(f'SELECT * {"EXCLUDE (imported_at)" if t == "import_log" else ""} FROM "{t}" '
                           "ORDER BY ALL") for t in tables}


def clean(err: str) -> None:
    """No traceback, no 'unexpected' catch-all, no interpreter noise."""
    assert "Traceback" not in err and "unexpected" not in err and "Exception ignored" not in err, err


def refused_import(capsys: pytest.CaptureFixture, db_path: Path, source: Path, *messages: str,
                   dry_run: bool = False) -> str:
    """`import` refuses: exit 1, every message on stderr, no traceback, the database byte for byte as before.
    Returns stderr."""
    before = digest(db_path)
    code, _, err = cli(capsys, "import", "--db", db_path, source, *(["--dry-run"] if dry_run else []))
    assert code == 1, err
    for message in messages:
        assert message in err, err
    clean(err)
    assert digest(db_path) == before
    return err


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- generating the corpus ---------------------------------------------------------------------------

def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx as a script writes it (openpyxl: inline strings, formulas without saved values)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patch(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The archive with one member's bytes changed (everything else copied as is)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    entries[member] = change(entries[member])
    return zipped(entries)


def corrupt(data: bytes, member: str, how: str) -> bytes:
    """Damage one member of a zip in place: 'crc' (a wrong checksum), 'deflate' (a broken compressed
    stream) or 'size' (the header lies: 10 bytes declared, far more inside)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    out = bytearray(data)
    local = info.header_offset
    name_length, extra_length = struct.unpack("<HH", out[local + 26:local + 30])
    start = local + 30 + name_length + extra_length
    central = next(m.start() for m in re.finditer(rb"PK\x01\x02", out)
                   if out[m.start() + 46:m.start() + 46 + len(member)] == member.encode())
    if how == "crc":
        wrong = struct.pack("<I", info.CRC ^ 0xFFFFFFFF)
        out[local + 14:local + 18] = wrong
        out[central + 16:central + 20] = wrong
    elif how == "deflate":
        assert info.compress_size > 40
        out[start + 8:start + 40] = b"\xff" * 32
    elif how == "size":
        struct.pack_into("<I", out, local + 22, 10)
        struct.pack_into("<I", out, central + 24, 10)
    return bytes(out)


REGIONS = [["region_code", "region_name"], ["EAST", "华东区"], ["NORTH", "华北区"], ["WEST", "华西区"]]
BRANCH_HEADER = ["branch_code", "branch_name", "region_code", "headcount", "consultant_days_budget"]
CSV_REGIONS = "region_code,region_name\nZ1,第一区\nZ2,第二区\n" + "".join(f"R{i},区域{i}\n" for i in range(100))

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
                     for i in range(1, 10))
          + b"]>")
EXTERNAL = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_doctype(xml: bytes, doctype: bytes = LAUGHS) -> bytes:
    """A DOCTYPE after the XML declaration (or at the start), and its entity used in the text."""
    head, sep, rest = xml.partition(b"?>") if xml.startswith(b"<?xml") else (b"", b"", xml)
    entity = b"&lol9;" if doctype is LAUGHS else b"&xxe;"
    rest = re.sub(rb"<t>([^<]*)</t>", rb"<t>\1" + entity + rb"</t>", rest, count=1)
    return head + sep + doctype + rest


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))


def raw_value(data: bytes, placeholder: str, value: str, cell_type: str = "n") -> bytes:
    """Replace a number cell's saved value by any text (INF, NaN, 1e400, a date serial...)."""
    member = sheet_xml(data)
    return patch(data, member, lambda xml: re.sub(
        rb'<c r="([A-Z]+\d+)"( s="\d+")? t="n"><v>' + re.escape(placeholder.encode()) + rb"</v>",
        lambda m: b'<c r="' + m[1] + b'"' + (m[2] or b"") + b' t="' + cell_type.encode() + b'"><v>'
        + value.encode() + b"</v>", xml))


# --- 1. a database another process holds ----------------------------------------------------------------

@contextmanager
def held(path: Path, read_only: bool = False) -> Iterator[subprocess.Popen]:
    """A second, real process holding the database open (as the running app does) until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from rollout.store.db import Database; "
                               f"db = Database(sys.argv[1], read_only={read_only}); print('ready', flush=True); "
                               "sys.stdin.read()", str(path)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


@pytest.mark.slow
def test_commands_refuse_while_another_process_holds_the_database(
        sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    copy = backup.backup(sample_db_path, tmp_path / "copy.duckdb", caller=LOCAL)
    workbook = write(tmp_path, "regions.csv", b"region_code,region_name\nZZ,Z\n")
    before, inode = digest(sample_db_path), sample_db_path.stat().st_ino
    with held(sample_db_path) as holder:
        for args in (["demo", "--db", sample_db_path, "--force", "--branches", "3"],
                     ["restore", "--db", sample_db_path, copy, "--force"],
                     ["import", "--db", sample_db_path, workbook],
                     ["import", "--db", sample_db_path, workbook, "--dry-run"],
                     ["plan-from-template", "--db", sample_db_path, "--branch", "B05"],
                     ["snapshot", "--db", sample_db_path, "--as-of", "2026-11-22"],
                     ["summary", "--db", sample_db_path, "--as-of", "2026-11-22"]):
            code, out, err = cli(capsys, *args)
            assert code == 1, (args, out, err)
            assert err.strip().splitlines() == [
                f"error: the database {sample_db_path} is in use by another process (PID {holder.pid}): close the "
                "app or the other command, then retry"], (args, err)
        # the file was never swapped underneath the holder: same inode, same bytes
        assert sample_db_path.stat().st_ino == inode and digest(sample_db_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{sample_db_path.name}.")]


@pytest.mark.slow
def test_demo_force_refuses_a_held_database_as_a_real_process(sample_db_path: Path) -> None:
    """The reported case, end to end: `demo --db SAME --force` while the app holds SAME."""
    before = digest(sample_db_path)
    with held(sample_db_path) as holder:
        done = cli_process("demo", "--db", sample_db_path, "--force", "--branches", "3")
        assert done.returncode == 1
        assert done.stderr.strip().splitlines() == [
            f"error: the database {sample_db_path} is in use by another process (PID {holder.pid}): close the app or "
            "the other command, then retry"]
        clean(done.stderr)
    assert digest(sample_db_path) == before


@pytest.mark.slow
def test_read_commands_open_read_only(sample_db_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A reader holding the file (shared lock) does not stop other reads, but does stop a replacement."""
    with held(sample_db_path, read_only=True) as holder:
        code, out, err = cli(capsys, "summary", "--db", sample_db_path, "--as-of", "2026-11-22", "--json")
        assert code == 0, err
        assert json.loads(out)["as_of"] == "2026-11-22"
        code, _, err = cli(capsys, "demo", "--db", sample_db_path, "--force")
        assert code == 1 and f"in use by another process (PID {holder.pid})" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads and writes any file")
def test_a_read_only_database_file_can_be_read(sample_db_path: Path, capsys: pytest.CaptureFixture) -> None:
    sample_db_path.chmod(0o444)
    try:
        code, _, err = cli(capsys, "summary", "--db", sample_db_path, "--as-of", "2026-11-22", "--json")
        assert code == 0, err
        code, _, err = cli(capsys, "snapshot", "--db", sample_db_path, "--as-of", "2026-11-22")
        assert code == 1 and "cannot open or write the database" in err
        clean(err)
    finally:
        sample_db_path.chmod(0o644)


@pytest.mark.slow
def test_read_commands_leave_the_file_byte_for_byte_unchanged(sample_db_path: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture) -> None:
    before = digest(sample_db_path)
    for args in (["summary", "--json"], ["call-list"], ["plan", "--json", "--time-limit", "5"],
                 ["report", "--out", tmp_path / "pack.html"], ["export", tmp_path / "out.zip"]):
        code, _, err = cli(capsys, args[0], "--db", sample_db_path, "--as-of", "2026-11-22", *args[1:]) \
            if args[0] != "export" else cli(capsys, "export", "--db", sample_db_path, *args[1:])
        assert code == 0, (args, err)
    assert digest(sample_db_path) == before


def test_a_read_command_upgrades_an_older_database_once_then_reads_it(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    con.execute(sorted(MIGRATIONS_DIR.glob("001_*.sql"))[0].read_text())
    con.execute("INSERT INTO schema_version VALUES (1, now())")
    con.close()
    code, out, err = cli(capsys, "summary", "--db", path, "--as-of", "2026-11-22", "--json")
    assert code == 0, err
    assert json.loads(out)["branches"] == []
    with Database(path, read_only=True) as db:
        assert db.schema_version() == LATEST_VERSION


# --- 2. columns a sheet does not have are left alone ----------------------------------------------------

B01 = {"branch_code": "B01", "branch_name": "天津分公司", "region_code": "NORTH", "city": "天津", "is_pilot": False,
       "headcount": 120, "wave": 2, "planned_kickoff": date(2026, 9, 1), "planned_go_live": date(2027, 1, 1),
       "actual_go_live": None, "peak_months": "11,12", "consultant_days_budget": 200.0,
       "consultant_days_used": 50.0, "requirements_signed_on": None}
B02 = {**B01, "branch_code": "B02", "branch_name": "济南分公司", "city": "济南", "headcount": 80, "wave": 1}


@pytest.fixture
def branches_db(db_factory) -> Database:
    db = db_factory(regions=[{"region_code": r[0], "region_name": r[1]} for r in REGIONS[1:]], branches=[B01, B02])
    yield db
    db.close()


def branch(db: Database, code: str) -> dict:
    return db.df("SELECT * FROM branches WHERE branch_code = ?", [code]).astype(object).to_dict("records")[0]


def plain_row(row: dict) -> dict:
    """A row read back through pandas as plain values (NaN/NaT as None, timestamps as dates)."""
    out = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and value != value) or str(value) == "NaT":
            out[key] = None
        elif hasattr(value, "date") and callable(value.date):
            out[key] = value.date()
        else:
            out[key] = value
    return out


def test_a_sheet_without_some_columns_leaves_them_as_stored(branches_db: Database) -> None:
    sheet = {"branches": [["branch_code", "branch_name", "region_code"], ["B01", "天津新名", "NORTH"],
                          ["B03", "新分公司", "EAST"]]}
    preview = import_workbook(branches_db, xlsx(sheet), "rename.xlsx", dry_run=True, today=TODAY, caller=LOCAL)
    counts = preview.counts["branches"]
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 0)
    assert counts.changes == (("branch_name", 1),)
    assert preview.table().to_dict("records") == [{"table": "branches", "inserted": 1, "updated": 1, "unchanged": 0,
                                                   "columns changed": "branch_name (1)"}]
    assert plain_row(branch(branches_db, "B01")) == B01  # a dry run writes nothing
    import_workbook(branches_db, xlsx(sheet), "rename.xlsx", today=TODAY, caller=LOCAL)
    # hand-checked: only the name changed; city, headcount, wave, dates, months and budgets are as stored
    assert plain_row(branch(branches_db, "B01")) == {**B01, "branch_name": "天津新名"}
    assert plain_row(branch(branches_db, "B02")) == B02  # not in the sheet: untouched
    # a new row gets the defaults of the absent columns
    assert plain_row(branch(branches_db, "B03")) == {
        "branch_code": "B03", "branch_name": "新分公司", "region_code": "EAST", "city": None, "is_pilot": False,
        "headcount": None, "wave": None, "planned_kickoff": None, "planned_go_live": None, "actual_go_live": None,
        "peak_months": None, "consultant_days_budget": None, "consultant_days_used": None,
        "requirements_signed_on": None}


def test_a_blank_cell_in_a_present_column_empties_it_and_the_dry_run_names_the_columns(branches_db: Database,
                                                                                       capsys) -> None:
    sheet = {"branches": [["branch_code", "branch_name", "region_code", "city", "headcount"],
                          ["B01", "天津分公司", "NORTH", None, 130], ["B02", "济南分公司", "NORTH", "济南", 80]]}
    preview = import_workbook(branches_db, xlsx(sheet), "blank.xlsx", dry_run=True, today=TODAY, caller=LOCAL)
    assert preview.counts["branches"].changes == (("city", 1), ("headcount", 1))
    assert (preview.counts["branches"].updated, preview.counts["branches"].unchanged) == (1, 1)
    import_workbook(branches_db, xlsx(sheet), "blank.xlsx", today=TODAY, caller=LOCAL)
    assert plain_row(branch(branches_db, "B01")) == {**B01, "city": None, "headcount": 130}
    assert plain_row(branch(branches_db, "B02")) == B02


def test_the_cli_dry_run_lists_the_columns_that_change(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "b.duckdb"
    make_db(path, regions=[{"region_code": "NORTH", "region_name": "华北区"}], branches=[B01]).close()
    source = write(tmp_path, "branches.csv", "branch_code,branch_name,region_code,wave\nB01,天津,NORTH,5\n".encode())
    before = digest(path)
    code, out, err = cli(capsys, "import", "--db", path, source, "--dry-run")
    assert code == 0, err
    assert "dry run, nothing written" in out
    assert re.search(r"branches\s+0\s+1\s+0\s+branch_name \(1\), wave \(1\)", out), out
    assert digest(path) == before


def test_row_rules_judge_absent_columns_by_their_stored_values(branches_db: Database) -> None:
    # B01 is stored with planned_kickoff 2026-09-01: a go-live before it is refused though the sheet lacks kickoff
    with pytest.raises(ValidationError) as caught:
        import_workbook(branches_db, xlsx({"branches": [["branch_code", "branch_name", "region_code",
                                                         "planned_go_live"], ["B01", "天津", "NORTH", "2026-08-01"]]}),
                        "early.xlsx", today=TODAY, caller=LOCAL)
    assert [str(e) for e in caught.value.errors] == [
        "branches row 2, planned_go_live: 2026-08-01 is before planned_kickoff 2026-09-01 (expected a date on or "
        "after it)"]
    # a done checklist item keeps its stored completed_on when the sheet has no such column
    import_workbook(branches_db, xlsx({"checklist": [
        ["branch_code", "item_code", "dimension", "title", "status", "completed_on"],
        ["B01", "I1", "data", "Cleanse", "done", "2026-10-01"]]}), "c1.xlsx", today=TODAY, caller=LOCAL)
    result = import_workbook(branches_db, xlsx({"checklist": [
        ["branch_code", "item_code", "dimension", "title", "status"], ["B01", "I1", "data", "Cleanse data", "done"]]}),
        "c2.xlsx", today=TODAY, caller=LOCAL)
    assert result.counts["checklist"].changes == (("title", 1),)
    assert branches_db.rows("SELECT title, completed_on FROM checklist") == [("Cleanse data", date(2026, 10, 1))]


# --- 3. garbage is refused, not stored ----------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "message"), [
    ("latin1", "region_code,region_name\nZH,Zürich\nGE,Genève\n".encode("latin-1"),
     "regions.csv: is not UTF-8 and not plainly Chinese GB18030/GBK text either (line 2 holds byte 0xFC"),
    ("latin1-one-word", "region_code,region_name\nZH,Zürich\n".encode("latin-1"),
     "regions.csv: is not UTF-8 and not plainly Chinese GB18030/GBK text either"),
    ("cp1252", "region_code,region_name\nP,Paris – “Île”\n".encode("cp1252"),
     "regions.csv: is neither UTF-8 nor GB18030/GBK text (line 2 holds byte 0x96)"),
    ("mixed", "region_code,region_name\nE1,华东区\n".encode() + "N1,华北区\n".encode("gbk"),
     "regions.csv: mixes two encodings: line 2 is UTF-8 but line 3 is not"),
    ("mixed-gbk-first", "region_code,region_name\nN1,华北区\n".encode("gbk") + "E1,华东区\n".encode(),
     "regions.csv: mixes two encodings: line 3 is UTF-8 but line 2 is not"),
    ("bom-then-gbk", codecs.BOM_UTF8 + "region_code,region_name\nN1,华北区\n".encode("gbk"),
     "regions.csv: mixes two encodings"),
    ("utf16", "region_code,region_name\nE1,华东区\n".encode("utf-16"), "regions.csv: is neither UTF-8 nor GB18030"),
    ("shift-jis", "region_code,region_name\nT1,東京支店\nO1,大阪支店\n".encode("shift_jis"),
     "regions.csv: is not UTF-8 and not plainly Chinese"),
])
def test_a_csv_in_another_encoding_is_refused_naming_the_file(sample_db_path: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture, name: str, data: bytes,
                                                             message: str) -> None:
    refused_import(capsys, sample_db_path, write(tmp_path, "regions.csv", data), f"error: {message}")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_utf8_and_plainly_chinese_gbk_load_as_the_same_text(tmp_path: Path, encoding: str) -> None:
    text = "region_code,region_name\nE1,华东区\nN1,华北区（北京、天津）\nS1,华南区·广州\n"
    with Database(tmp_path / "e.duckdb") as db:
        import_workbook(db, write(tmp_path, "regions.csv", text.encode(encoding)), today=TODAY, caller=LOCAL)
        assert db.rows("SELECT * FROM regions ORDER BY 1") == [("E1", "华东区"), ("N1", "华北区（北京、天津）"),
                                                              ("S1", "华南区·广州")]


def test_a_formula_without_a_saved_value_is_refused_naming_file_sheet_row_and_column(
        sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = write(tmp_path, "scripted.xlsx", xlsx({"branches": [
        BRANCH_HEADER, ["B01", "天津", "NORTH", "=100+20", 10], ["=\"B\"&\"77\"", "新", "EAST", 5, 1]]}))
    err = refused_import(capsys, sample_db_path, source)
    assert "error: branches row 2, headcount: '=100+20' is a formula with no saved value in scripted.xlsx (expected " \
           "a value: open the file in Excel or LibreOffice and save it, or paste the values)" in err
    assert "error: branches row 3, branch_code: '=\"B\"&\"77\"' is a formula with no saved value" in err


def test_an_error_cell_is_refused(sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = raw_value(xlsx({"branches": [BRANCH_HEADER, ["B01", "天津", "NORTH", 12345.678, 10]]}), "12345.678",
                     "#DIV/0!", cell_type="e")
    refused_import(capsys, sample_db_path, write(tmp_path, "errors.xlsx", data),
                   "error: branches row 2, headcount: '#DIV/0!' is an error value of the spreadsheet")


@pytest.mark.parametrize(("code", "message"), [
    ("B01\u200b", "holds an invisible or control character, U+200B ZERO WIDTH SPACE (expected a code of visible "
                  "characters: retype it)"),
    ("\ufeffB01", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("B\u202e01", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("B0\u00001", "U+0000"),
    ("B01\u0007", "U+0007"),
    ("B\u3164", "U+3164 HANGUL FILLER"),
    ("B01\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
])
def test_a_code_with_an_invisible_character_is_refused(sample_db_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture, code: str, message: str) -> None:
    rows = [["branch_code", "branch_name", "region_code"], [code, "看不见", "NORTH"]]
    if "\0" in code:  # a NUL cannot be in an .xlsx nor in a CSV; a workbook built in code can hold it
        raw = RawWorkbook("code.xlsx", "x", {"branches": RawSheet("branches", "branches", {
            "branch_code": [code], "branch_name": ["看不见"], "region_code": ["NORTH"]}, [2])})
        with Database(sample_db_path) as db, pytest.raises(ValidationError) as caught:
            load(db, raw, today=TODAY, caller=LOCAL)
        assert message in str(caught.value)
        return
    source = write(tmp_path, "branches.csv", "\n".join(",".join(r) for r in rows).encode())
    refused_import(capsys, sample_db_path, source, f"error: branches row 2, branch_code: {code!r} ", message)


def test_full_width_codes_and_enumerations_are_the_plain_ones(sample_db: Database) -> None:
    count = sample_db.scalar("SELECT count(*) FROM branches")
    result = import_workbook(sample_db, xlsx({
        "ｂｒａｎｃｈｅｓ": [["ｂｒａｎｃｈ ｃｏｄｅ", "branch_name", "region_code"],
                           ["Ｂ０１", "全角名", "ＮＯＲＴＨ"]],
        "modules": [["branch_code", "module", "phase"], ["\u3000Ｂ０１\u3000", "ＦＩＮＡＮＣＥ", "１"]]}), "wide.xlsx",
        today=TODAY, caller=LOCAL)
    assert sample_db.scalar("SELECT count(*) FROM branches") == count  # no new branch beside B01
    assert (result.counts["branches"].inserted, result.counts["branches"].updated) == (0, 1)
    assert sample_db.scalar("SELECT branch_name FROM branches WHERE branch_code = 'B01'") == "全角名"
    assert sample_db.rows("SELECT module, phase FROM modules WHERE branch_code = 'B01' AND module = 'finance'") == \
        [("finance", 1)]
    assert result.counts["modules"].inserted == 0


# --- 4. no tracebacks: damaged archives, XML entities, overflowing values, bad paths and flags -----------

CSV_ZIP = zipped({"regions.csv": CSV_REGIONS.encode()})
GOOD_XLSX = xlsx({"regions": [[c for c in r] for r in REGIONS]})


@pytest.mark.parametrize("how", ["crc", "deflate", "size"])
@pytest.mark.parametrize(("name", "data", "member"), [
    ("upload.zip", CSV_ZIP, "regions.csv"),
    ("book.xlsx", GOOD_XLSX, "xl/worksheets/sheet1.xml"),
    ("book.xlsx", GOOD_XLSX, "xl/workbook.xml"),
])
def test_a_damaged_archive_member_is_refused_naming_it(sample_db_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture, name: str, data: bytes,
                                                       member: str, how: str) -> None:
    source = write(tmp_path, name, corrupt(data, member, how))
    refused_import(capsys, sample_db_path, source, f"error: {name}: is damaged: {member} cannot be unpacked (")


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml",
                                    "xl/styles.xml"])
@pytest.mark.parametrize("doctype", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_xml_with_a_document_type_declaration_is_refused(sample_db_path: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture, member: str,
                                                         doctype: bytes) -> None:
    source = write(tmp_path, "entities.xlsx", patch(GOOD_XLSX, member, lambda x: with_doctype(x, doctype)))
    started = time.monotonic()
    refused_import(capsys, sample_db_path, source, f"error: entities.xlsx: holds an XML document type declaration "
                                                   f"in {member} (entity definitions are not allowed")
    assert time.monotonic() - started < HANG_BOUND_S


def test_xml_in_another_encoding_is_refused(sample_db_path: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture) -> None:
    utf7 = patch(GOOD_XLSX, "xl/workbook.xml", lambda x: b'<?xml version="1.0" encoding="UTF-7"?>\n' + x)
    refused_import(capsys, sample_db_path, write(tmp_path, "utf7.xlsx", utf7),
                   "error: utf7.xlsx: holds xl/workbook.xml in the UTF-7 encoding (expected UTF-8 XML")
    utf16 = patch(GOOD_XLSX, "xl/worksheets/sheet1.xml",
                  lambda x: x.decode().encode("utf-16"))
    refused_import(capsys, sample_db_path, write(tmp_path, "utf16.xlsx", utf16),
                   "error: utf16.xlsx: holds xl/worksheets/sheet1.xml in UTF-16 or UTF-32")


def test_a_megabyte_cell_is_refused(sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    huge = "甲" * 2**20
    started = time.monotonic()
    refused_import(capsys, sample_db_path, write(tmp_path, "regions.csv", f"region_code,region_name\nZ1,{huge}\n"
                                                 .encode()),
                   "error: regions.csv row 2: holds a cell of more than 131,072 characters (expected at most 10,000 "
                   "characters in a cell)")
    refused_import(capsys, sample_db_path, write(tmp_path, "regions.csv", f"region_code,region_name\nZ1,"
                                                 f"{'x' * 20_000}\n".encode()),
                   "error: regions row 2, region_name: 'xxxxx", "is 20,000 characters long (expected at most 10,000 "
                                                              "characters in a cell)")
    refused_import(capsys, sample_db_path, write(tmp_path, "long.xlsx", xlsx({"regions": [
        ["region_code", "region_name"], ["Z1", huge]]})), "error: regions row 2, region_name:",
        "is 32,767 characters long (expected at most 10,000 characters in a cell)")  # openpyxl cuts at Excel's limit
    assert time.monotonic() - started < HANG_BOUND_S


@pytest.mark.parametrize(("column", "raw", "message"), [
    ("headcount", "1E20", "headcount: 1e+20 is out of range (expected a whole number, >= 0, <= 1,000,000)"),
    ("headcount", "INF", "headcount: 'INF' is not a finite number (expected a number)"),
    ("headcount", "-INF", "headcount: '-INF' is not a finite number"),
    ("headcount", "NaN", "headcount: 'NaN' is not a finite number"),
    ("headcount", "9" * 5000, "headcount: '99999999999"),
    ("consultant_days_budget", "1.7e308", "consultant_days_budget: 1.7e+308 is out of range (expected a number, "
                                          ">= 0, <= 1,000,000)"),
    ("consultant_days_budget", "1e400", "consultant_days_budget: inf is not a finite number (expected a number, "
                                        ">= 0, <= 1,000,000)"),
])
def test_a_number_the_column_cannot_hold_is_refused_in_xlsx(sample_db_path: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture, column: str, raw: str,
                                                           message: str) -> None:
    row = ["B01", "天津", "NORTH", 11111.5 if column == "headcount" else 10,
           11111.5 if column != "headcount" else 10]
    data = raw_value(xlsx({"branches": [BRANCH_HEADER, row]}), "11111.5", raw)
    refused_import(capsys, sample_db_path, write(tmp_path, "numbers.xlsx", data), f"error: branches row 2, {message}")


@pytest.mark.parametrize(("sheet", "text", "message"), [
    ("branches", "headcount\n1e20", "headcount: '1e20' is out of range (expected a whole number, >= 0, <= "
                                    "1,000,000)"),
    ("branches", "wave\n3,000,000,000", "wave: '3,000,000,000' is out of range (expected a whole number, >= 0, <= "
                                        "1,000)"),
    ("branches", "headcount\ninf", "headcount: 'inf' is not a finite number"),
    ("branches", "headcount\nNaN", "headcount: 'NaN' is not a finite number"),
    ("branches", "consultant_days_used\n1.7e308", "consultant_days_used: '1.7e308' is out of range"),
    ("branches", "consultant_days_used\n-1e-400", None),  # underflows to -0.0: a valid zero
    ("branches", f"headcount\n{'9' * 400}", "headcount: '99999", ),
    ("master_data", "records_expected\n3000000000", "records_expected: '3000000000' is out of range (expected a "
                                                    "whole number, >= 0, <= 1,000,000,000)"),
])
def test_a_number_the_column_cannot_hold_is_refused_in_csv(sample_db_path: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture, sheet: str, text: str,
                                                          message: str | None) -> None:
    column, value = text.split("\n")
    if sheet == "branches":
        body = f"branch_code,branch_name,region_code,{column}\nB01,天津,NORTH,\"{value}\"\n"
    else:
        body = f"branch_code,object,{column}\nB01,customers,\"{value}\"\n"
    source = write(tmp_path, f"{sheet}.csv", body.encode())
    if message is None:
        code, _, err = cli(capsys, "import", "--db", sample_db_path, source)
        assert code == 0, err
        return
    refused_import(capsys, sample_db_path, source, f"error: {sheet} row 2, {message}")


def test_no_stored_number_is_beyond_its_column(tmp_path: Path) -> None:
    """Every number column declares both ends of its range, inside what its SQL type holds."""
    for sheet in SHEETS.values():
        for column in sheet.columns:
            if column.kind in ("int", "float"):
                assert column.minimum is not None and column.maximum is not None, (sheet.name, column.name)
                if column.kind == "int":
                    assert -2**31 < column.minimum <= column.maximum < 2**31, (sheet.name, column.name)
                else:
                    assert column.maximum <= 1e9, (sheet.name, column.name)


@pytest.mark.parametrize(("value", "message"), [
    (datetime(1989, 12, 31), "planned_go_live: 1989-12-31 00:00:00 is out of range (expected a date from 1990-01-01 "
                             "to 2100-12-31)"),
    (datetime(2101, 1, 1), "planned_go_live: 2101-01-01 00:00:00 is out of range"),
    ("0001-01-01", "planned_go_live: '0001-01-01' is out of range (expected a date from 1990-01-01 to 2100-12-31)"),
    ("9999-12-31", "planned_go_live: '9999-12-31' is out of range"),
    ("SERIAL", "planned_go_live: '10000000000' is a date number out of range (expected a date from 1990-01-01 to "
               "2100-12-31)"),
])
def test_a_date_outside_1990_to_2100_is_refused(sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                               value: object, message: str) -> None:
    header = ["branch_code", "branch_name", "region_code", "planned_go_live"]
    if value == "SERIAL":  # a date cell whose serial number no calendar holds
        data = raw_value(xlsx({"branches": [header, ["B01", "天津", "NORTH", datetime(2027, 1, 1)]]}), "46388",
                         "10000000000")
        assert b"10000000000" in zipfile.ZipFile(io.BytesIO(data)).read(sheet_xml(data))
    else:
        data = xlsx({"branches": [header, ["B01", "天津", "NORTH", value]]})
    refused_import(capsys, sample_db_path, write(tmp_path, "dates.xlsx", data), f"error: branches row 2, {message}")


DATE_FLAGS = [
    ["summary", "--db", "DB", "--as-of", "D"], ["plan", "--db", "DB", "--as-of", "D"],
    ["call-list", "--db", "DB", "--as-of", "D"], ["what-if-leaves", "--db", "DB", "--person", "P01", "--as-of", "D"],
    ["snapshot", "--db", "DB", "--as-of", "D"], ["report", "--db", "DB", "--out", "x.html", "--as-of", "D"],
    ["demo", "--db", "NEW", "--today", "D"],
]


@pytest.mark.parametrize("day", ["9999-12-01", "0001-01-01", "1989-12-31", "2101-01-01"])
@pytest.mark.parametrize("args", DATE_FLAGS, ids=[a[0] for a in DATE_FLAGS])
def test_every_date_flag_outside_1990_to_2100_is_refused(sample_db_path: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture, args: list[str],
                                                         day: str) -> None:
    before = digest(sample_db_path)
    argv = [{"DB": sample_db_path, "NEW": tmp_path / "new.duckdb", "D": day}.get(a, a) for a in args]
    code, _, err = cli(capsys, *argv)
    assert code == 2
    assert f"'{day}' is out of range (expected a date from 1990-01-01 to 2100-12-31)" in err.splitlines()[-1]
    clean(err)
    assert digest(sample_db_path) == before and not (tmp_path / "new.duckdb").exists()


@pytest.mark.slow  # 0.7 to 1.05 s of CPU in a slow hour of this machine (2026-12-05)
def test_bad_paths_get_one_clear_line(sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a_file = write(tmp_path, "notes.txt", b"not a folder")
    folder = tmp_path / "folder"
    folder.mkdir()
    cases = [
        (["demo", "--db", folder], f"error: {folder} is a folder (expected a database file, e.g. "
                                   f"{folder / 'rollout.duckdb'})"),
        (["demo", "--db", folder, "--force"], f"error: {folder} is a folder"),
        (["demo", "--db", a_file / "x.duckdb"], f"error: cannot use {a_file / 'x.duckdb'}: {a_file} is a file, "
                                                "not a folder"),
        (["summary", "--db", folder], f"error: {folder} is a folder"),
        (["import", "--db", folder, a_file], f"error: {folder} is a folder"),
        (["restore", "--db", folder, sample_db_path, "--force"], f"error: {folder} is a folder"),
        (["export", "--db", sample_db_path, a_file / "out.xlsx"], f"error: cannot use {a_file / 'out.xlsx'}: "
                                                                  f"{a_file} is a file, not a folder"),
        (["export", "--db", sample_db_path, a_file / "deeper" / "out.zip"], f"{a_file} is a file, not a folder"),
        (["export", "--db", sample_db_path, a_file / "csv"], f"{a_file} is a file, not a folder"),
        (["export", "--db", sample_db_path, a_file], "error: cannot export to notes.txt"),
        (["report", "--db", sample_db_path, "--out", a_file / "pack.html"], "error: cannot write"),
        (["backup", "--db", sample_db_path, a_file / "b.duckdb"], f"{a_file} is a file, not a folder"),
    ]
    before = digest(sample_db_path)
    for args, message in cases:
        code, _, err = cli(capsys, *args)
        assert code == 1, (args, err)
        assert len(err.strip().splitlines()) == 1 and message in err, (args, err)
        clean(err)
    assert digest(sample_db_path) == before
    assert list(folder.iterdir()) == []


@pytest.mark.slow
def test_exporting_under_a_file_leaves_no_interpreter_noise(sample_db_path: Path, tmp_path: Path) -> None:
    """openpyxl's half-written generators printed 'Exception ignored' tracebacks at exit: a real process."""
    a_file = write(tmp_path, "notes.txt", b"x")
    done = cli_process("export", "--db", sample_db_path, a_file / "out.xlsx")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: cannot use {a_file / 'out.xlsx'}: {a_file} is a file, not "
                                                "a folder"]


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(sample_db_path: Path) -> None:
    """`summary --json | head`: the reader goes away; no traceback, no 'Exception ignored'."""
    for args in (["summary", "--json"], ["summary"], ["call-list", "--json"]):
        process = subprocess.Popen([sys.executable, "-m", "rollout", args[0], "--db", str(sample_db_path),
                                    "--as-of", "2026-11-22", *args[1:]], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        process.stdout.close()  # before a byte is read: every write meets a closed pipe
        err = process.stderr.read().decode()
        assert process.wait(timeout=180) in (0, 1)
        assert err == "", err
    done = subprocess.run(f"{sys.executable} -m rollout summary --db {sample_db_path} --as-of 2026-11-22 --json "
                          "| head -n 2", shell=True, capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert done.stdout.splitlines()[0] == "{" and done.stderr == ""


# --- 5. hangs: declared sizes, huge headers ---------------------------------------------------------------

def bottom_row_xlsx(with_header: bool) -> bytes:
    """A ~5 KB workbook whose sheet declares A1:XFD1048576 and holds one row at the very bottom."""
    data = xlsx({"regions": [["region_code", "region_name"], ["DEEP", "最底下"]]})

    def stretch(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        xml = xml.replace(b'<row r="2"', b'<row r="1048576" spans="1:16384"').replace(b'r="A2"', b'r="A1048576"') \
            .replace(b'r="B2"', b'r="B1048576"')
        if not with_header:
            xml = re.sub(rb'<row r="1".*?</row>', b"", xml)
        return xml
    return patch(data, sheet_xml(data), stretch)


def test_a_sheet_declaring_the_whole_grid_is_read_by_the_rows_it_holds(sample_db_path: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture) -> None:
    data = bottom_row_xlsx(with_header=True)
    assert len(data) < 8_000 and b'A1:XFD1048576' in zipfile.ZipFile(io.BytesIO(data)).read(sheet_xml(data))
    started = time.monotonic()
    code, out, err = cli(capsys, "import", "--db", sample_db_path, write(tmp_path, "tall.xlsx", data), "--dry-run")
    assert code == 0, err
    assert re.search(r"regions\s+1\s+0\s+0", out), out
    code, out, err = cli(capsys, "import", "--db", sample_db_path, tmp_path / "tall.xlsx")
    assert code == 0, err
    with Database(sample_db_path, read_only=True) as db:
        assert db.rows("SELECT * FROM regions WHERE region_code = 'DEEP'") == [("DEEP", "最底下")]
    # without its header row, the same sheet is refused just as fast
    refused_import(capsys, sample_db_path, write(tmp_path, "headless.xlsx", bottom_row_xlsx(with_header=False)),
                   "error: regions row 1, region_code: column is missing")
    assert time.monotonic() - started < HANG_BOUND_S


def test_an_error_in_the_bottom_row_names_its_row_number(sample_db: Database) -> None:
    data = patch(bottom_row_xlsx(True), "xl/worksheets/sheet1.xml", lambda x: x.replace(b"DEEP", b"DEEP\xe2\x80\x8b"))
    with pytest.raises(ValidationError) as caught:
        import_workbook(sample_db, data, "tall.xlsx", today=TODAY, caller=LOCAL)
    assert str(caught.value.errors[0]).startswith("regions row 1048576, region_code: 'DEEP\\u200b' holds an "
                                                  "invisible or control character, U+200B ZERO WIDTH SPACE")


def test_a_header_of_100000_unknown_columns_is_refused_quickly(sample_db_path: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture) -> None:
    header = "region_code,region_name," + ",".join(f"extra{i}" for i in range(100_000))
    source = write(tmp_path, "regions.csv", f"{header}\nZ1,Z\n".encode())
    started = time.monotonic()
    err = refused_import(capsys, sample_db_path, source, "error: regions row 1: has 100,002 columns (expected at most "
                                                         "200: keep the columns of the format)")
    assert time.monotonic() - started < HANG_BOUND_S
    assert len(err.splitlines()) == 1  # no warning per column


def test_many_unknown_columns_make_one_warning(sample_db_path: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    header = "region_code,region_name," + ",".join(f"extra{i}" for i in range(150))
    source = write(tmp_path, "regions.csv", f"{header}\nZ1,Z{',' * 150}\n".encode())
    code, out, err = cli(capsys, "import", "--db", sample_db_path, source, "--dry-run")
    assert code == 0, err
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: regions.csv: 150 columns are not part of the format and were skipped: extra0, "
                        "extra1, extra2, extra3, extra4, …"]


def test_many_unknown_sheets_make_one_warning(sample_db: Database) -> None:
    sheets = {"regions": REGIONS, **{f"Notes {i}": [["x"], [i]] for i in range(40)}}
    result = import_workbook(sample_db, xlsx(sheets), "many.xlsx", today=TODAY, dry_run=True, caller=LOCAL)
    assert result.warnings == ["many.xlsx: 40 sheets or files are not part of the rollout format and were skipped: "
                               "Notes 0, Notes 1, Notes 2, Notes 3, Notes 4, …"]


# --- 6. the CSV round trip: formula-like codes ------------------------------------------------------------

FORMULA_CODES = ["=B99", "+B98", "-B97", "@B96"]


@pytest.mark.slow
def test_formula_like_codes_survive_a_csv_round_trip(sample_db: Database, tmp_path: Path) -> None:
    insert_rows(sample_db, "branches", [{"branch_code": code, "branch_name": f"分公司{code}", "region_code": "EAST",
                                         "headcount": 50} for code in FORMULA_CODES], today=TODAY, caller=LOCAL)
    insert_rows(sample_db, "people", [{"person_code": f"-P{i}", "name": f"人{i}", "branch_code": code}
                                      for i, code in enumerate(FORMULA_CODES)], today=TODAY, caller=LOCAL)
    insert_rows(sample_db, "checklist", [{"branch_code": code, "item_code": "=I1", "dimension": "data",
                                          "title": "+check", "status": "open"} for code in FORMULA_CODES],
                today=TODAY, caller=LOCAL)
    folder = export(sample_db, tmp_path / "csv")
    branches_csv = (folder / "branches.csv").read_text(encoding="utf-8-sig")
    assert all(f"'{code}," in branches_csv for code in FORMULA_CODES)  # neutralised on the way out
    before = {as_of: summary(sample_db, as_of) for as_of in (TODAY, date(2026, 9, 15))}
    tables = contents_of(sample_db)
    again = import_workbook(sample_db, folder, today=TODAY, caller=LOCAL)  # into the same database: nothing new
    assert all(c.inserted == 0 and c.updated == 0 for c in again.counts.values()), again.table()
    assert contents_of(sample_db) == tables
    with Database(tmp_path / "fresh.duckdb") as fresh:  # into a new one: the same tables and figures
        import_workbook(fresh, export(sample_db, tmp_path / "export.zip"), today=TODAY, caller=LOCAL)
        assert contents_of(fresh) == tables
        assert {as_of: summary(fresh, as_of) for as_of in before} == before
        assert fresh.scalar("SELECT count(*) FROM branches WHERE branch_code LIKE '''%'") == 0


def contents_of(db: Database) -> dict[str, list[tuple]]:
    return {name: db.rows(f'SELECT * FROM "{name}" ORDER BY ALL') for name in SHEETS}


# --- 7. leftovers and small things ------------------------------------------------------------------------

KILL_BEFORE_SWAP = """
import os, signal, sys
from pathlib import Path
from rollout.core.access import LOCAL
from rollout.store import backup, files
def killed(staged, target):
    print(staged, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
files.replace_database = killed
backup.restore(Path(sys.argv[1]), Path(sys.argv[2]), force=True, caller=LOCAL)
"""


@pytest.mark.slow
def test_a_restore_killed_with_sigkill_leaves_a_file_the_next_restore_or_open_removes(
        sample_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    copy = backup.backup(sample_db_path, tmp_path / "copy.duckdb", caller=LOCAL)
    target = tmp_path / "live" / "rollout.duckdb"
    target.parent.mkdir()
    shutil.copy(sample_db_path, target)

    def killed_restore() -> Path:
        before = digest(target)
        done = subprocess.run([sys.executable, "-c", KILL_BEFORE_SWAP, str(copy), str(target)], cwd=ROOT,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == -signal.SIGKILL, done.stderr
        staged = Path(done.stdout.strip())
        assert staged.exists() and staged.name.startswith(".rollout.duckdb.") and staged.suffix == ".restoring"
        assert digest(target) == before  # the kill lost nothing
        return staged

    staged = killed_restore()
    code, _, err = cli(capsys, "restore", "--db", target, copy, "--force")
    assert code == 0, err
    assert not staged.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["rollout.duckdb"]

    staged = killed_restore()
    Database(target).close()  # the next open cleans up too
    assert not staged.exists()
    assert files.remove_leftovers(target) == []


def test_a_staged_file_of_a_live_process_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "rollout.duckdb"
    mine = files.staging_path(target, ".restoring")
    mine.write_bytes(b"being built")
    unknown = tmp_path / ".rollout.duckdb.abc.replacing"
    unknown.write_bytes(b"builder unknown, recent")
    now = time.time()  # recent by the clock the app reads (the file system's may differ: a moved test clock)
    os.utime(unknown, (now, now))
    assert files.remove_leftovers(target) == []
    old = time.time() - files.STALE_AFTER_S - 60
    os.utime(unknown, (old, old))
    assert files.remove_leftovers(target) == [unknown]
    assert mine.exists()


# --- 8. fuzzing: encodings, look-alikes, huge and non-finite numbers, out-of-range dates ------------------

LOOK_ALIKES = ["B01", "Ｂ０１", "B01\u200b", "\u200bB01", "В01", "B0１", " B01 ", "B01\u00a0", "\ufeffB01", "b01",
               "B\u030101", "B01\u2060", "B\u3164", "'=B01", "'B01", "=B01", "B01\x07", "Ｂ01"]
NUMBERS = ["1e20", "3,000,000,000", "3000000000", "inf", "-inf", "NaN", "1.7e308", "1e400", "-1e400", "9" * 400,
           "-0", "0x10", "１２０", "1_000", "12.5", "", " 7 ", "1e-400", "-1"]
DATES = ["0001-01-01", "9999-12-31", "1989-12-31", "1990-01-01", "2100-12-31", "2101-01-01", "2026-02-30",
         "2026/2/3", "2026.11.20", "11/20/2026", "２０２６-０１-０１", "2026-01-01 00:00", "2026-01-01T12:00", ""]
# the alphabet each encoding draws its names from (a "mixed" file: UTF-8 lines, then GBK ones)
FAMILIES = {"utf-8-sig": "utf-8", "utf-16": "utf-8", "gbk": "gb18030", "mixed": "gb18030", "cp1252": "latin-1"}
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "latin-1", "cp1252", "utf-16", "big5", "shift_jis", "mixed"]
ALPHABETS = {  # the names each encoding can hold
    "utf-8": "华东区北南天津济南青岛分公司试点工厂éèüñçÆØ -",
    "gb18030": "华东区北南天津济南青岛分公司试点工厂供应链财务",
    "latin-1": "abcdeéèüñçÆØ -", "big5": "華東區臺北分公司", "shift_jis": "東京大阪支店営業所",
}
ASCII_CODES = ["B01", "B02", "N1", "N2", "'=B01", "=B01", " B01 ", "b01", "B01\x07", "'B01", "-N3"]


@st.composite
def hostile_branches(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    """An encoding, and a branches sheet (CSV rows) of look-alike codes and odd numbers and dates: mostly
    sound values, so that some sheets load and the invariants of what loads are tested too."""
    encoding = draw(st.sampled_from(ENCODINGS))
    family = FAMILIES.get(encoding, encoding)
    codes = st.sampled_from(ASCII_CODES) | (st.sampled_from(LOOK_ALIKES) if family == "utf-8" else st.nothing())
    regions = ["EAST", "NORTH", "ＥＡＳＴ", "MARS", *(["EAST\u200b"] if family == "utf-8" else [])]
    rows = [["branch_code", "branch_name", "region_code", "headcount", "consultant_days_budget", "planned_go_live"]]

    def either(sound: st.SearchStrategy, hostile: st.SearchStrategy) -> str:
        return draw(hostile if draw(st.integers(0, 5)) == 5 else sound)  # one value in six is hostile

    for _ in range(draw(st.integers(1, 3))):
        rows.append([
            either(st.sampled_from(["B01", "B02", "N1", "N2", "N3"]), codes),
            draw(st.text(ALPHABETS[family], min_size=1, max_size=8)),
            either(st.sampled_from(["EAST", "NORTH"]), st.sampled_from(regions)),
            either(st.integers(0, 5000).map(str), st.sampled_from(NUMBERS) | st.integers(-10**12, 10**12).map(str)),
            either(st.floats(0, 1000).map(repr),
                   st.sampled_from(NUMBERS) | st.floats(allow_nan=True, allow_infinity=True).map(repr)),
            either(st.dates(date(2028, 1, 1), date(2030, 12, 31)).map(str),
                   st.sampled_from(DATES) | st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str))])
    return encoding, rows


def encoded(rows: list[list[str]], encoding: str) -> bytes | None:
    """The rows as CSV bytes in that encoding ('mixed': header and first row UTF-8, the rest GBK)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    text = buffer.getvalue()
    try:
        if encoding == "mixed":
            lines = text.splitlines(keepends=True)
            return "".join(lines[:2]).encode() + "".join(lines[2:]).encode("gbk")
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


def row_encoding(encoding: str, number: int) -> str:
    """The encoding of data row `number` (from 1) of encoded(rows, encoding)."""
    if encoding == "mixed":
        return "utf-8" if number == 1 else "gbk"
    return {"utf-8-sig": "utf-8"}.get(encoding, encoding)


def as_read(raw: bytes, data: bytes) -> str:
    """A value's bytes as WORKBOOK.md reads the file `data` they are in: as UTF-8 when the file is valid UTF-8,
    else as GB18030. Usually the text meant; where another encoding's bytes are also valid in the one read, that
    reading (GBK '司' is the UTF-8 of '˾', Big5 '區' the GBK of '跋': no reader can tell which was meant)."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")
    return raw.decode("utf-8")


def check_stored_values(db: Database) -> None:
    """Whatever loaded is sound: codes NFKC and visible, numbers finite and in range, dates in range."""
    for sheet in SHEETS.values():
        frame = db.df(f'SELECT * FROM "{sheet.name}"')
        for column in sheet.columns:
            for value in frame[column.name].dropna():
                if column.kind == "code" and value != "":
                    assert unicodedata.normalize("NFKC", value) == value == value.strip(), (sheet.name, value)
                    assert invisible_character(value) is None, (sheet.name, value)
                elif column.kind in ("int", "float"):
                    assert math.isfinite(value) and column.minimum <= value <= column.maximum, (sheet.name, value)
                elif column.kind == "date":
                    assert EARLIEST_DATE <= value.date() <= LATEST_DATE, (sheet.name, value)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory, sample_db_file: Path) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    shutil.copy(sample_db_file, path)
    db = Database(path)
    yield db
    db.close()


@pytest.mark.slow
@settings(max_examples=examples(60), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(drawn=hostile_branches())
@example(drawn=("big5", [["branch_code", "branch_name", "region_code", "headcount", "consultant_days_budget",
                          "planned_go_live"], ["B01", "區", "EAST", "0", "0.0", "2028-01-01"]]))  # found 2026-12-05
@example(drawn=("gb18030", [["branch_code", "branch_name", "region_code", "headcount", "consultant_days_budget",
                             "planned_go_live"], ["B01", "司", "EAST", "0", "0.0", "2028-01-01"]]))  # and this
def test_fuzz_the_importer_with_encodings_look_alikes_numbers_and_dates(fuzz_db: Database,
                                                                        drawn: tuple[str, list[list[str]]]) -> None:
    encoding, rows = drawn
    data = encoded(rows, encoding)
    if data is None:
        event("not encodable")
        return
    before = contents_of(fuzz_db)
    try:
        import_workbook(fuzz_db, data, file_name="branches.csv", today=TODAY, caller=LOCAL)
    except ValidationError as exc:
        event(f"{encoding}: refused")
        assert exc.errors and all(str(e) for e in exc.errors)
        assert contents_of(fuzz_db) == before
        return
    event(f"{encoding}: loaded")
    check_stored_values(fuzz_db)
    # the text stored is what the file says in the encoding WORKBOOK.md reads it in, never another
    # encoding's reading such as Big5's or Latin-1's
    stored = dict(fuzz_db.rows("SELECT branch_code, branch_name FROM branches"))
    for number, (code, name, *_) in enumerate(rows[1:], start=1):
        said = as_read(name.encode(row_encoding(encoding, number)), data)
        assert stored[parse_code(unquote(code))] == said.strip(), (encoding, code)


FLAG_VALUES = st.one_of(st.sampled_from([*NUMBERS, *DATES, *LOOK_ALIKES, "-1", "0", "1", "2", "999999999999",
                                         "1e999", "nan", "2026-11-22", "B01"]),
                        st.text(max_size=10).filter(lambda t: "\0" not in t),
                        st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str))
FLAG_COMMANDS = {
    "summary": ["--as-of", "--json"], "call-list": ["--as-of", "--json"],
    "what-if-leaves": ["--as-of", "--json"],
    "plan": ["--as-of", "--horizon-months", "--capacity", "--max-go-lives", "--kickoff-weeks", "--stage2-months",
             "--prep-months", "--unplanned-lead-months", "--time-limit", "--pin", "--json"],
    "plan-from-template": ["--from", "--dry-run"],
    "snapshot": ["--as-of"], "demo": ["--seed", "--today", "--force"],
}
REQUIRED_FLAGS = {"what-if-leaves": "--person", "plan-from-template": "--branch", "demo": "--branches"}


@st.composite
def hostile_flags(draw: st.DrawFn) -> list[str]:
    """A command and up to three of its flags, each given a hostile value."""
    command = draw(st.sampled_from(sorted(FLAG_COMMANDS)))
    argv = [command]
    for flag in draw(st.lists(st.sampled_from(FLAG_COMMANDS[command]), max_size=3, unique=True)):
        argv += [flag] if flag in ("--json", "--force", "--dry-run") else [flag, draw(FLAG_VALUES)]
    if command in REQUIRED_FLAGS:
        values = ["0", "-3", "2", "x", "10001", "1e3"] if command == "demo" else [*LOOK_ALIKES, "P01"]
        argv += [REQUIRED_FLAGS[command], draw(st.sampled_from(values))]
    if command == "plan" and "--time-limit" not in argv:
        argv += ["--time-limit", "2"]
    return argv


@pytest.fixture(scope="module")
def flag_db(tmp_path_factory: pytest.TempPathFactory, sample_db_file: Path) -> Path:
    path = tmp_path_factory.mktemp("flags") / "flags.duckdb"
    shutil.copy(sample_db_file, path)
    return path


@pytest.mark.slow
@settings(max_examples=examples(40), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(argv=hostile_flags())
def test_fuzz_cli_flags(flag_db: Path, tmp_path_factory: pytest.TempPathFactory, argv: list[str]) -> None:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb" if argv[0] == "demo" else flag_db
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main([argv[0], "--db", str(db), *argv[1:]])
        except SystemExit as exc:  # argparse refusing a flag
            code = exc.code
    event(f"{argv[0]}: exit {code}")
    assert code in (0, 1, 2, 3), (argv, err.getvalue())
    assert "unexpected" not in err.getvalue() and "Traceback" not in err.getvalue(), (argv, err.getvalue())
    with Database(flag_db, read_only=True) as opened:
        check_stored_values(opened)
