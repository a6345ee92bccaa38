"""Hostile input: unsafe archives, files that are not workbooks, oversize uploads, formula injection in
exports, user text rendered as markdown/HTML, and random mutations of a valid workbook (hypothesis)."""

from __future__ import annotations

import csv
import io
import os
import tomllib
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from rollout.core.access import LOCAL
from rollout.core.errors import ValidationError
from rollout.exchange import sources
from rollout.exchange.edits import update_row
from rollout.exchange.exporter import export, frame_to_csv
from rollout.exchange.importer import import_workbook, validate_workbook
from rollout.exchange.spec import SHEETS
from rollout.store.db import Database

from support import ROOT, SAMPLE, contents, examples

TODAY = date(2026, 11, 22)


def zipped(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


REGIONS_CSV = b"region_code,region_name\nZZ,Evil region\n"


def refused(db: Database, data: bytes, name: str, match: str) -> ValidationError:
    """The upload is refused with a message matching `match`, and nothing is written."""
    before = contents(db)
    with pytest.raises(ValidationError) as info:
        import_workbook(db, data, file_name=name, today=TODAY, caller=LOCAL)
    assert any(match in str(e) for e in info.value.errors), [str(e) for e in info.value.errors]
    assert contents(db) == before
    return info.value


# --- archives ----------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("entry", ["../evil.csv", "../../tmp/regions.csv", "/etc/regions.csv", "a/../../regions.csv",
                                   "..\\regions.csv", "C:/regions.csv"])
def test_zip_with_path_traversal_is_refused(sample_db: Database, entry: str, tmp_path: Path) -> None:
    data = zipped({"regions.csv": REGIONS_CSV, entry: REGIONS_CSV})
    refused(sample_db, data, "upload.zip", "unsafe path")
    assert not (tmp_path.parent / "evil.csv").exists()


@pytest.mark.slow
@pytest.mark.parametrize("inner", ["more.zip", "branches.xlsx", "data.tar.gz", "x.7z"])
def test_zip_holding_another_archive_is_refused(sample_db: Database, inner: str) -> None:
    nested = zipped({"regions.csv": REGIONS_CSV})
    refused(sample_db, zipped({"regions.csv": REGIONS_CSV, inner: nested}), "upload.zip", "another archive")


def test_decompression_bomb_is_refused_before_unpacking(sample_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = b"region_code,region_name\n" + b"0" * (8 * 2**20)  # 8 MiB that deflate to ~8 KiB: ~1000-fold
    data = zipped({"regions.csv": bomb})
    assert len(data) < 2**20 // 10
    unpacked: list[str] = []
    real_read = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, *a: unpacked.append(str(name)) or real_read(
        self, name, *a))
    refused(sample_db, data, "bomb.zip", "decompression bomb")
    assert unpacked == []  # refused from the archive's directory, no byte decompressed


def test_many_small_highly_compressible_entries_still_load(sample_db: Database) -> None:
    """The ratio rule only refuses an entry that is both >200-fold and > 1 MiB: ordinary CSVs pass."""
    regions = "region_code,region_name\n" + "".join(f"R{i},{'region ' * 5}{i}\n" for i in range(200))
    result = import_workbook(sample_db, zipped({"regions.csv": regions.encode()}), file_name="ok.zip", today=TODAY,
                             caller=LOCAL)
    assert result.counts["regions"].inserted == 200


def test_too_many_entries_and_too_much_unpacked_are_refused(sample_db: Database,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    many = {f"extra{i}.txt": b"x" for i in range(sources.MAX_ENTRIES + 1)}
    refused(sample_db, zipped(many), "many.zip", f"expected at most {sources.MAX_ENTRIES}")
    monkeypatch.setattr(sources, "MAX_UNPACKED_BYTES", 10_000)
    refused(sample_db, zipped({"regions.csv": REGIONS_CSV * 1000}, zipfile.ZIP_STORED), "big.zip", "unpacks to")


# --- not a workbook at all ---------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(("data", "name", "match"), [
    (PNG, "budget.xlsx", "is not an Excel workbook"),
    (os.urandom(4096), "budget.xlsx", "is not an Excel workbook"),
    (b"", "budget.xlsx", "is not an Excel workbook"),
    (PNG, "photo.png", "is not a workbook"),
    (b"", "empty.csv", "holds no sheet"),
    (b"\x00\x01\x02binary\x00" * 50, "regions.csv", "is not a text file"),
    (os.urandom(4096), "upload.zip", "is not a readable .zip file"),
    (zipped({"xl/workbook.xml": b"<not really>", "[Content_Types].xml": b"?"}), "broken.xlsx",
     "cannot be read as an Excel workbook"),
    (zipped({"readme.txt": b"hello"}), "upload.zip", "holds no sheet"),
    (b"PK\x03\x04" + os.urandom(2000), "budget.xlsx", "is not an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old.xls", "old .xls"),
])
def test_a_file_that_is_not_a_workbook_gets_a_clear_message(sample_db: Database, data: bytes, name: str,
                                                            match: str) -> None:
    error = refused(sample_db, data, name, match)
    assert str(error.errors[0]).startswith(name)  # the message names the file


def test_oversize_upload_is_refused_without_reading_it(sample_db: Database, tmp_path: Path) -> None:
    refused(sample_db, b"\0" * (sources.MAX_FILE_BYTES + 1), "huge.xlsx", "larger than 50 MiB")
    huge = tmp_path / "huge.xlsx"
    with open(huge, "wb") as f:  # a sparse 60 MiB file: refused by its size, never read
        f.truncate(60 * 2**20)
    with pytest.raises(ValidationError, match="larger than 50 MiB"):
        import_workbook(sample_db, huge, caller=LOCAL)
    # and Streamlit refuses bigger uploads before the app sees them
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] <= sources.MAX_FILE_BYTES // 2**20


# --- formula injection in exports ----------------------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://evil\",\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "=1+2",
           "\t=1+1", "plain name", "中文 =not at start"]


def hostile_db(sample_db: Database) -> Database:
    """The sample with formula-like text in branch names, checklist titles, touchpoint topics and comments."""
    codes = [r[0] for r in sample_db.rows("SELECT branch_code FROM branches ORDER BY 1")]
    for code, text in zip(codes, HOSTILE, strict=False):
        shown = sample_db.df("SELECT * FROM branches WHERE branch_code = ?", [code]).to_dict("records")[0]
        update_row(sample_db, "branches", {"branch_code": code}, {"branch_name": text, "city": text},
                   original=shown, today=TODAY, caller=LOCAL)
    with sample_db.transaction() as cur:
        cur.execute("UPDATE checklist SET title = '=cmd|''/C calc''!A0' WHERE item_code = (SELECT min(item_code) "
                    "FROM checklist)")
        cur.execute("UPDATE touchpoints SET commitment = '@evil' WHERE exec_code = 'X01'")
    return sample_db


def dangerous(text: object) -> bool:
    """Text a spreadsheet would evaluate: starts with = + - @ tab or CR (a plain number like -1 is fine)."""
    if not isinstance(text, str) or text[:1] not in ("=", "+", "-", "@", "\t", "\r"):
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


@pytest.mark.slow
def test_csv_export_neutralises_formulas_and_reimports_identically(sample_db: Database, tmp_path: Path) -> None:
    db = hostile_db(sample_db)
    folder = export(db, tmp_path / "csv_export")
    cells = []
    for path in folder.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            cells += [cell for row in csv.reader(f) for cell in row]
    # (a leading tab is trimmed on the way in, so "\t=1+1" is stored, and exported, as "=1+1")
    assert {"'=1+2", "'@SUM(A1:A9)", "'-2+3", "'+cmd|' /C calc'!A0", "'=1+1", "'@evil"} <= set(cells)
    assert not [c for c in cells if dangerous(c)]  # no cell a spreadsheet would evaluate
    zip_file = export(db, tmp_path / "export.zip")
    for source in (folder, zip_file):
        fresh = Database(tmp_path / f"fresh-{source.name}.duckdb")
        import_workbook(fresh, source, today=TODAY, caller=LOCAL)
        assert without_logs(contents(fresh)) == without_logs(contents(db))
        fresh.close()
    # the CSV download beside every table is safe too
    frame = db.df("SELECT branch_code, branch_name FROM branches ORDER BY 1")
    downloaded = list(csv.reader(io.StringIO(frame_to_csv(frame).decode("utf-8-sig"))))
    assert not [c for row in downloaded for c in row if dangerous(c)]
    assert ["B01", "'=1+2"] in downloaded or any(row[1] == "'=1+2" for row in downloaded)


def without_logs(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {t: rows for t, rows in tables.items() if t not in ("import_log", "audit_log", "schema_version")}


@pytest.mark.slow
def test_xlsx_export_stores_formula_text_as_text_and_reimports_identically(sample_db: Database,
                                                                          tmp_path: Path) -> None:
    db = hostile_db(sample_db)
    out = export(db, tmp_path / "export.xlsx")
    with zipfile.ZipFile(out) as archive:
        sheets_xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets_xml and b"<f " not in sheets_xml  # not one formula cell in the file
    book = load_workbook(out)  # formulas would come back as data_type "f"
    texts = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if dangerous(c.value)]
    assert {c.value for c in texts} >= {"=1+2", "@SUM(A1:A9)", "-2+3", "=1+1", "+cmd|' /C calc'!A0", "@evil"}
    assert all(c.data_type == "s" and c.quotePrefix for c in texts)  # quote-prefixed strings, value unchanged
    fresh = Database(tmp_path / "fresh.duckdb")
    import_workbook(fresh, out, today=TODAY, caller=LOCAL)
    assert without_logs(contents(fresh)) == without_logs(contents(db))
    fresh.close()


# --- user text is never rendered as markdown or HTML ----------------------------------------------------

MARKUP = "**bold** <b>x</b> [link](http://x)"
RAW_PIECES = ("**bold**", "<b>x</b>", "[link](http://x)")


def rendered_texts(at: Any) -> list[tuple[str, str]]:
    """(element type, text) of every field Streamlit renders as markdown: bodies, labels, help, captions."""
    found: list[tuple[str, str]] = []

    def strings(message: Any, kind: str) -> None:
        for field, value in message.ListFields():
            if field.name in ("arrow_data_frame", "data", "figure", "spec", "options", "default", "value",
                              "url", "file_url", "text", "code_text"):
                continue  # data cells, chart data and plain text are not markdown
            if field.type == field.TYPE_MESSAGE:
                for item in value if field.is_repeated else [value]:
                    strings(item, kind)
            elif field.type == field.TYPE_STRING and field.name in ("body", "label", "help", "caption", "title",
                                                                      "description", "placeholder"):
                for item in value if field.is_repeated else [value]:
                    found.append((kind, item))

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in ("text", "code", "json"):  # shown verbatim
            strings(proto, getattr(node, "type", type(node).__name__))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("page", "query"), [("portfolio", {}), ("branch", {"branch": "B01"}),
                                             ("staffing", {"branch": "B01"}), ("executives", {}), ("raid", {})])
def test_user_text_never_renders_as_markdown_or_html(open_page, sample_db_path: Path, page: str,
                                                     query: dict[str, str]) -> None:
    with Database(sample_db_path) as db:
        for table, key, column in [("branches", {"branch_code": "B01"}, "branch_name"),
                                   ("branches", {"branch_code": "B01"}, "city"),
                                   ("regions", {"region_code": "NORTH"}, "region_name"),
                                   ("executives", {"exec_code": "X01"}, "name"),
                                   ("raid", {"raid_code": "R999"}, "title"), ("raid", {"raid_code": "R999"}, "owner")]:
            update_row(db, table, key, {column: MARKUP}, today=TODAY, caller=LOCAL)
    at = open_page(page, query=query, regions=None)
    assert not at.exception, [e.value for e in at.exception]
    texts = rendered_texts(at)
    assert texts, "the walk found the page's rendered text"
    unsafe = [(kind, text) for kind, text in texts if any(piece in text for piece in RAW_PIECES)]
    assert not unsafe, unsafe


# --- random mutations of a valid workbook (hypothesis) ---------------------------------------------------

def _sample_sheets() -> dict[str, list[list[Any]]]:
    """A small valid workbook cut from the sample: eight sheets covering every kind of cell (codes, text,
    enumerations, dates, numbers, booleans, references, optional key columns), a handful of rows each."""
    book = load_workbook(SAMPLE, read_only=True, data_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    book.close()
    keep = {"regions": 4, "branches": 13, "modules": 6, "checklist": 10, "people": 8, "role_requirements": 6,
            "assignments": 6, "touchpoints": 8, "executives": 14}
    return {name: rows[:keep[name]] for name, rows in sheets.items() if name in keep}


BASE = _sample_sheets()
SHEET_NAMES = list(BASE)

cell_values = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)),
    st.booleans(), st.sampled_from(["yes", "no", "done", "open", "finance", "2026-11-31", "2026/2/3", " B01 ",
                                    "1e309", "-0", "NaN", "=1+1", "'=cmd", "中文", "\x00", "\ufeff"]),
    # issue 14: look-alike codes, numbers no column holds, dates outside 1990..2100
    st.sampled_from(["Ｂ０１", "B01\u200b", "В01", "\u3000B01", "ＦＩＮＡＮＣＥ", "'-B01", "Ｙｅｓ",
                     "２０２６-０１-０１"]),
    st.sampled_from([10**20, 3_000_000_000, -2**31, 2**63, "9" * 400, 1.7e308, -1.7e308, 5e-324, "3,000,000,000",
                     "1e20", "inf", "-Infinity"]),
    st.dates(date(1, 1, 1), date(9999, 12, 31)), st.sampled_from(["0001-01-01", "9999-12-31", "1989-12-31",
                                                                  "2101-01-01"]))


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple]:
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete_cell", "replace", "swap_columns", "swap_headers", "duplicate_row",
                                     "rename_header", "delete_row"]))
        sheet = draw(st.sampled_from(SHEET_NAMES))
        a, b = draw(st.integers(0, 50)), draw(st.integers(0, 50))
        value = draw(cell_values) if kind in ("replace", "rename_header") else None
        steps.append((kind, sheet, a, b, value))
    return steps


def mutate(sheets: dict[str, list[list[Any]]], steps: list[tuple]) -> dict[str, list[list[Any]]]:
    sheets = {name: [list(r) for r in rows] for name, rows in sheets.items()}
    for kind, name, a, b, value in steps:
        rows = sheets[name]
        width, body = len(rows[0]), len(rows) - 1
        col_a, col_b = a % width, b % width
        row = 1 + a % body if body else None
        if kind == "delete_cell" and row:
            rows[row][col_b] = None
        elif kind == "replace" and row:
            rows[row][col_b] = value
        elif kind == "swap_columns":
            for r in rows:
                r[col_a], r[col_b] = r[col_b], r[col_a]
        elif kind == "swap_headers":
            rows[0][col_a], rows[0][col_b] = rows[0][col_b], rows[0][col_a]
        elif kind == "duplicate_row" and row:
            rows.insert(1 + b % body, list(rows[row]))
        elif kind == "rename_header":
            rows[0][col_a] = value if not isinstance(value, (date, datetime)) else str(value)
        elif kind == "delete_row" and row:
            del rows[row]
    return sheets


def as_xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_zip(sheets: dict[str, list[list[Any]]]) -> bytes:
    files = {}
    for name, rows in sheets.items():
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in rows])
        files[f"{name}.csv"] = buffer.getvalue().encode("utf-8")
    return zipped(files)


@pytest.fixture(scope="module")
def mutation_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = Database(tmp_path_factory.mktemp("mutations") / "m.duckdb")
    yield db
    db.close()


def test_the_unmutated_workbook_loads(mutation_db: Database) -> None:
    for data, name in ((as_xlsx(BASE), "base.xlsx"), (as_zip(BASE), "base.zip")):
        result = import_workbook(mutation_db, data, file_name=name, today=TODAY, caller=LOCAL)
        assert result.rows == sum(len(rows) - 1 for rows in BASE.values())


@pytest.mark.slow
@settings(max_examples=examples(40), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=mutations(), as_csv=st.booleans(), dry_run_first=st.booleans())
def test_a_mutated_workbook_loads_or_is_refused_with_nothing_written(mutation_db: Database, steps: list[tuple],
                                                                     as_csv: bool, dry_run_first: bool) -> None:
    sheets = mutate(BASE, steps)
    data, name = (as_zip(sheets), "mutated.zip") if as_csv else (as_xlsx(sheets), "mutated.xlsx")
    before = contents(mutation_db)
    if dry_run_first:
        try:
            import_workbook(mutation_db, data, file_name=name, today=TODAY, dry_run=True, caller=LOCAL)
        except ValidationError as exc:
            assert exc.errors and all(str(e) for e in exc.errors)  # each error has a message
        assert contents(mutation_db) == before  # a dry run never writes
    try:
        import_workbook(mutation_db, data, file_name=name, today=TODAY, caller=LOCAL)
    except ValidationError as exc:
        event("refused")
        assert exc.errors and all(str(e) for e in exc.errors)
        assert contents(mutation_db) == before  # refused: nothing written
    else:
        event("loaded")
        loaded_as_given(mutation_db, data, name, before)


def loaded_as_given(db: Database, data: bytes, name: str, before: dict[str, list[tuple]]) -> None:
    """After a load, every row of the workbook is in its table with the values its cells hold (as the
    format reads them: spec's parsers), and every other row of every table is as it was."""
    raw = sources.read_source(data, name)
    given = validate_workbook(db, raw, TODAY)  # the cells as typed values (references resolve now)
    after = contents(db)
    for table, rows in given.items():
        sheet = SHEETS[table]
        present = [c for c in sheet.column_names if c in raw.sheets[table].columns]
        positions = [sheet.column_names.index(k) for k in sheet.key]
        stored = {tuple(r[i] for i in positions): dict(zip(sheet.column_names, r, strict=True)) for r in after[table]}
        keys = set()
        for row in rows.rows:
            key = tuple(row[k] for k in sheet.key)
            keys.add(key)
            assert key in stored, (table, key)
            assert {c: stored[key][c] for c in present} == {c: row[c] for c in present}, (table, key)
        untouched = [r for r in before[table] if tuple(r[i] for i in positions) not in keys]
        assert set(untouched) <= set(after[table]), table  # rows the workbook does not name are kept as they were
    for table in set(before) - set(given) - {"import_log", "audit_log"}:
        assert after[table] == before[table], table
    # the load itself is audited (one row naming who imported, ACCESS.md), and nothing else is
    added = [r for r in after["audit_log"] if r not in before["audit_log"]]
    assert [r[4] for r in added] == ["import_log"], added
