"""Reading workbook files into raw rows: .xlsx, a folder of CSVs, a .zip of CSVs, one .csv.

Only reading happens here (no validation of values): sheet and header names are normalised,
empty rows dropped, unknown sheets and columns become warnings. Uploaded files are untrusted, so
archives are opened with limits (size, entry count, compression ratio, no nested archives, no
path traversal) before any byte is decompressed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import Any

from openpyxl import load_workbook

from rollout.core.errors import CellError, ValidationError
from rollout.exchange.spec import SHEETS, is_blank, normalise_name

MAX_FILE_BYTES = 50 * 1024 * 1024  # an upload or file larger than this is refused
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # total size inside an archive
MAX_RATIO = 200  # uncompressed / compressed per entry: more is a decompression bomb
MAX_ENTRIES = 200
ARCHIVE_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz")


@dataclass
class RawSheet:
    """One sheet's cells as read, column by column (known columns only), with row numbers."""

    name: str
    source: str  # the sheet or file name as the user sees it
    columns: dict[str, list[Any]] = field(default_factory=dict)
    row_numbers: list[int] = field(default_factory=list)
    broken: bool = False  # its header already failed: its rows are not checked one by one

    @classmethod
    def from_rows(cls, name: str, rows: list[dict[str, Any]], row_numbers: list[int] | None = None) -> RawSheet:
        """A sheet built in code (the demo) from row dicts."""
        names = SHEETS[name].column_names
        return cls(name, name, {n: [row.get(n) for row in rows] for n in names},
                   row_numbers or list(range(2, len(rows) + 2)))


@dataclass
class RawWorkbook:
    file_name: str
    sha256: str
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


def refuse(file_name: str, expected: str) -> ValidationError:
    return ValidationError([CellError(file_name, None, None, None, expected)])


def read_source(source: str | Path | bytes, file_name: str | None = None) -> RawWorkbook:
    """Read a path (file or folder) or uploaded bytes (with their file name) into raw sheets."""
    if isinstance(source, bytes):
        name = file_name or "upload"
        return _read_bytes(source, name)
    path = Path(source)
    if path.is_dir():
        return _read_folder(path)
    if not path.exists():
        raise refuse(str(path), "does not exist (expected an .xlsx file, a .zip of CSV files or a folder of them)")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise refuse(path.name, f"is larger than {MAX_FILE_BYTES // 2**20} MiB (expected a smaller workbook)")
    return _read_bytes(path.read_bytes(), file_name or path.name)


def _read_bytes(data: bytes, name: str) -> RawWorkbook:
    if len(data) > MAX_FILE_BYTES:
        raise refuse(name, f"is larger than {MAX_FILE_BYTES // 2**20} MiB (expected a smaller workbook)")
    book = RawWorkbook(name, hashlib.sha256(data).hexdigest())
    suffix = Path(name).suffix.lower()
    is_zip = zipfile.is_zipfile(io.BytesIO(data))
    if suffix in (".xlsx", ".xlsm") or (is_zip and _is_xlsx(data)):
        if not is_zip:
            raise refuse(name, "is not an Excel workbook (expected an .xlsx file saved by Excel or LibreOffice)")
        _read_xlsx(data, book)
    elif suffix == ".zip" or is_zip:
        _read_zip(data, book)
    elif suffix == ".csv":
        _add_csv(book, Path(name).stem, name, data)
    elif suffix == ".xls":
        raise refuse(name, "is an old .xls workbook (expected .xlsx: save it as 'Excel Workbook' first)")
    else:
        raise refuse(name, "is not a workbook (expected an .xlsx file, a .zip of CSV files, a folder of CSV "
                           "files or one .csv file named after its sheet)")
    if not book.sheets and not book.errors:
        raise refuse(name, "holds no sheet of the rollout format (expected sheets named "
                           + ", ".join(SHEETS) + ")")
    return book


def _is_xlsx(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "xl/workbook.xml" in archive.namelist()


def _check_archive(archive: zipfile.ZipFile, name: str, allow_nested: bool) -> list[zipfile.ZipInfo]:
    """Refuse path traversal, nested archives and decompression bombs before unpacking anything."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise refuse(name, f"holds {len(entries)} files (expected at most {MAX_ENTRIES})")
    total = 0
    for entry in entries:
        path = PurePosixPath(entry.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in entry.filename:
            raise refuse(name, f"holds an unsafe path {entry.filename!r} (expected plain file names)")
        if not allow_nested and not entry.is_dir() and entry.filename.lower().endswith(ARCHIVE_SUFFIXES):
            raise refuse(name, f"holds another archive {entry.filename!r} (expected CSV files only)")
        total += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO and entry.file_size > 2**20:
            raise refuse(name, f"entry {entry.filename!r} expands {entry.file_size // entry.compress_size}-fold "
                               "(a decompression bomb; expected ordinary CSV files)")
    if total > MAX_UNPACKED_BYTES:
        raise refuse(name, f"unpacks to {total // 2**20} MiB (expected at most {MAX_UNPACKED_BYTES // 2**20} MiB)")
    return entries


def _read_zip(data: bytes, book: RawWorkbook) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise refuse(book.file_name, "is not a readable .zip file") from None
    with archive:
        for entry in _check_archive(archive, book.file_name, allow_nested=False):
            if entry.is_dir() or PurePosixPath(entry.filename).name.startswith(".") or \
                    entry.filename.startswith("__MACOSX"):
                continue
            path = PurePosixPath(entry.filename)
            if path.suffix.lower() != ".csv":
                book.warnings.append(f"{book.file_name}: {entry.filename} is not a CSV file; skipped")
                continue
            _add_csv(book, path.stem, entry.filename, archive.read(entry))


def _read_folder(folder: Path) -> RawWorkbook:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    digest = hashlib.sha256()
    book = RawWorkbook(folder.name, "")
    for path in files:
        if path.suffix.lower() != ".csv":
            if not path.name.startswith("."):
                book.warnings.append(f"{folder.name}: {path.name} is not a CSV file; skipped")
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            raise refuse(path.name, f"is larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        _add_csv(book, path.stem, path.name, data)
    book.sha256 = digest.hexdigest()
    if not book.sheets:
        raise refuse(folder.name, "holds no CSV file of the rollout format (expected files named "
                                  + ", ".join(f"{s}.csv" for s in SHEETS) + ")")
    return book


def decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK, told apart by which decodes cleanly."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise refuse(file_name, "is neither UTF-8 nor GB18030/GBK text (expected Excel's 'CSV UTF-8' or "
                                "plain 'CSV' from a Chinese Windows)") from None


def _add_csv(book: RawWorkbook, stem: str, source: str, data: bytes) -> None:
    text = decode_csv(data, source)
    if "\0" in text:
        raise refuse(source, "is not a text file (expected a CSV file)")
    _add_sheet(book, stem, source, list(csv.reader(io.StringIO(text, newline=""))), text_cells=True)


def _read_xlsx(data: bytes, book: RawWorkbook) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_archive(archive, book.file_name, allow_nested=True)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise refuse(book.file_name, f"cannot be read as an Excel workbook ({type(exc).__name__}: "
                                     f"{str(exc)[:80]})") from None
    try:
        for worksheet in workbook.worksheets:
            _add_sheet(book, worksheet.title, worksheet.title, list(worksheet.iter_rows(values_only=True)))
    finally:
        workbook.close()


def _add_sheet(book: RawWorkbook, title: str, source: str, records: list[Sequence[Any]],
               text_cells: bool = False) -> None:
    """One sheet (or CSV file): the first row is the header; rows are numbered as the spreadsheet
    shows them; empty rows are skipped; the known columns are kept, column by column."""
    name = normalise_name(title)
    if name not in SHEETS:
        book.warnings.append(f"{source}: not a sheet of the rollout format; skipped")
        return
    if name in book.sheets:
        book.errors.append(CellError(name, None, None, None,
                                     f"appears twice ({book.sheets[name].source} and {source}); expected once"))
        return
    if not records:
        book.warnings.append(f"{source}: empty sheet; skipped")
        return
    sheet = SHEETS[name]
    raw = RawSheet(name, source)
    book.sheets[name] = raw
    header = [normalise_name(v) if not is_blank(v) else None for v in records[0]]
    raw.broken = not _check_header(book, sheet.name, source, header)
    body = records[1:]
    # CSV cells are all text: joining a row and stripping it runs in C, no Python loop per row
    filled = list(map(str.strip, map("".join, body))) if text_cells else list(map(_has_content, body))
    numbers = range(2, len(records) + 1)
    if all(filled):
        kept, raw.row_numbers = body, list(numbers)
    else:
        kept = [row for row, keep in zip(body, filled, strict=True) if keep]
        raw.row_numbers = [n for n, keep in zip(numbers, filled, strict=True) if keep]
    width = len(header)
    if any(len(v) != width for v in kept):  # ragged CSV lines: pad or cut to the header
        kept = [list(v[:width]) + [None] * (width - len(v)) for v in kept]
    known = set(sheet.column_names)
    for position, column in enumerate(header):
        if column in known and column not in raw.columns:
            raw.columns[column] = list(map(itemgetter(position), kept))


def _has_content(values: Sequence[Any]) -> bool:
    """A spreadsheet row with at least one non-blank cell."""
    return any(not is_blank(v) for v in values)


def _check_header(book: RawWorkbook, name: str, source: str, header: list[str | None]) -> bool:
    """Report repeated, unknown and missing columns; False when the rows cannot be read."""
    sheet = SHEETS[name]
    ok = True
    known = set(sheet.column_names)
    seen: set[str] = set()
    for column in header:
        if column is None:
            continue
        if column in seen:
            book.errors.append(CellError(name, 1, column, None, "appears twice in the header (expected once)"))
            ok = False
        seen.add(column)
        if column not in known:
            book.warnings.append(f"{source}: column '{column}' is not part of the format; skipped")
    for column in sheet.columns:
        if column.required and column.name not in seen:
            book.errors.append(CellError(name, 1, column.name, None,
                                         f"column is missing (expected a '{column.name}' column: it is required)"))
            ok = False
    return ok
