"""Reading workbook files into raw rows: .xlsx, a folder of CSVs, a .zip of CSVs, one .csv.

Only reading happens here (no validation of values): sheet and header names are normalised,
empty rows dropped, unknown sheets and columns become warnings. Uploaded files are untrusted, so
archives are opened with limits (size, entry count, compression ratio, no nested archives, no
path traversal) before any byte is decompressed; every member is unpacked once and checked
(checksum, intact compressed data, no XML document type declarations) before openpyxl reads it;
a sheet is read by the rows it holds, never by the size it declares; a CSV is UTF-8 or plainly
Chinese GB18030 (charset-normalizer agrees), anything else is refused naming the file.
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import io
import itertools
import lzma
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import Any

from charset_normalizer import from_bytes
from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from rollout.core.errors import CellError, ValidationError
from rollout.core.i18n import _, format_number
from rollout.core.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, date_range_text
from rollout.exchange.spec import SHEETS, Unreadable, is_blank, normalise_name

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
    skipped: list[str] = field(default_factory=list)  # sheets or files not of the format (one warning)


def refuse(file_name: str, expected: str) -> ValidationError:
    return ValidationError([CellError(file_name, None, None, None, expected)])


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a workbook is read or checked. A large workbook
    allocates hundreds of thousands of row lists and key tuples, none of them in a reference cycle,
    and each allocation burst sets off a full collection that walks them all again (a fifth of a
    2,000-branch import's time). Reference counting still frees memory as usual; the collector runs
    again afterwards (unless it was off before, as something else wanted)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_source(source: str | Path | bytes, file_name: str | None = None) -> RawWorkbook:
    """Read a path (file or folder) or uploaded bytes (with their file name) into raw sheets."""
    with collector_paused():
        return _read_source(source, file_name)


def _read_source(source: str | Path | bytes, file_name: str | None) -> RawWorkbook:
    if isinstance(source, bytes):
        name = file_name or "upload"
        return _read_bytes(source, name)
    path = Path(source)
    if path.is_dir():
        return _read_folder(path)
    if not path.exists():
        raise refuse(str(path), _("does not exist (expected an .xlsx file, a .zip of CSV files or a folder of "
                                  "them)"))
    if not path.is_file():
        raise refuse(str(path), _("is not a regular file (expected an .xlsx file, a .zip of CSV files or a folder)"))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_large(path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(str(path), exc) from None
    return _read_bytes(data, file_name or path.name)


def size_refusal(path: Path) -> str | None:
    """What read_source would refuse about a written export by its size alone (a file over MAX_FILE_BYTES,
    an archive unpacking to more than MAX_UNPACKED_BYTES, a folder's CSV over MAX_FILE_BYTES), in words;
    None when its size is accepted. Lets an export say at once that it cannot be loaded again as it is."""
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv") if path.is_dir() else [path]
    for file in files:
        if file.stat().st_size > MAX_FILE_BYTES:
            return _("{name} is larger than {size} MiB, more than the importer accepts").format(
                name=file.name, size=MAX_FILE_BYTES // 2**20)
    if not path.is_dir() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            return _("{name} unpacks to {size} MiB, more than the {limit} MiB the importer accepts").format(
                name=path.name, size=unpacked // 2**20, limit=MAX_UNPACKED_BYTES // 2**20)
    return None


def _too_large(name: str) -> ValidationError:
    return refuse(name, _("is larger than {size} MiB (expected a smaller workbook)").format(
        size=MAX_FILE_BYTES // 2**20))


def _unreadable(name: str, exc: OSError) -> ValidationError:
    return refuse(name, _("cannot be read ({reason})").format(reason=exc.strerror or exc))


def _read_bytes(data: bytes, name: str) -> RawWorkbook:
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(name)
    book = RawWorkbook(name, hashlib.sha256(data).hexdigest())
    suffix = Path(name).suffix.lower()
    archive = _open_zip(data)
    if suffix in (".xlsx", ".xlsm") or (archive is not None and "xl/workbook.xml" in archive.namelist()):
        if archive is None:
            raise refuse(name, _("is not an Excel workbook (expected an .xlsx file saved by Excel or LibreOffice)"))
        _read_xlsx(data, archive, book)
    elif suffix == ".zip" or archive is not None:
        if archive is None:
            raise refuse(name, _("is not a readable .zip file"))
        _read_zip(archive, book)
    elif suffix == ".csv":
        _add_csv(book, Path(name).stem, name, data)
    elif suffix == ".xls":
        raise refuse(name, _("is an old .xls workbook (expected .xlsx: save it as 'Excel Workbook' first)"))
    else:
        raise refuse(name, _("is not a workbook (expected an .xlsx file, a .zip of CSV files, a folder of CSV "
                             "files or one .csv file named after its sheet)"))
    _summarise_skipped(book)
    if not book.sheets and not book.errors:
        raise refuse(name, _("holds no sheet of the rollout format (expected sheets named {sheets})").format(
            sheets=", ".join(SHEETS)))
    return book


def _open_zip(data: bytes) -> zipfile.ZipFile | None:
    """The archive, or None when the bytes are not a readable zip at all."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None


def _check_archive(archive: zipfile.ZipFile, name: str, allow_nested: bool) -> list[zipfile.ZipInfo]:
    """Refuse path traversal, nested archives and decompression bombs before unpacking anything."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise refuse(name, _("holds {count} files (expected at most {limit})").format(count=len(entries),
                                                                                     limit=MAX_ENTRIES))
    total = 0
    for entry in entries:
        path = PurePosixPath(entry.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in entry.filename:
            raise refuse(name, _("holds an unsafe path {path} (expected plain file names)").format(
                path=repr(entry.filename)))
        if not allow_nested and not entry.is_dir() and entry.filename.lower().endswith(ARCHIVE_SUFFIXES):
            raise refuse(name, _("holds another archive {path} (expected CSV files only)").format(
                path=repr(entry.filename)))
        total += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO and entry.file_size > 2**20:
            raise refuse(name, _("entry {path} expands {ratio}-fold (a decompression bomb; expected ordinary CSV "
                                 "files)").format(path=repr(entry.filename),
                                                  ratio=entry.file_size // entry.compress_size))
    if total > MAX_UNPACKED_BYTES:
        raise refuse(name, _("unpacks to {size} MiB (expected at most {limit} MiB)").format(
            size=total // 2**20, limit=MAX_UNPACKED_BYTES // 2**20))
    return entries


# What unpacking a damaged member raises: a wrong checksum, a broken deflate stream, sizes that lie,
# an unknown or encrypted compression.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, NotImplementedError,
              RuntimeError, ValueError)


def _damaged(name: str, member: str, exc: BaseException) -> ValidationError:
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        reason = _("its checksum (CRC-32) does not match its content")
    elif isinstance(exc, (zlib.error, lzma.LZMAError, OSError, EOFError, zipfile.BadZipFile)):
        reason = _("its compressed data is broken or cut short")
    elif isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        reason = _("it is encrypted")
    else:
        reason = _("it uses a compression this app does not read")
    return refuse(name, _("is damaged: {member} cannot be unpacked ({reason}; expected an archive written by "
                          "Excel, LibreOffice or a zip tool, unchanged since)").format(member=member, reason=reason))


# openpyxl parses workbook parts with lxml (installed) and sheets with the standard library's expat,
# neither through defusedxml (not installed): entity expansion is then up to those parsers' own
# limits. So no parser sees a part that declares a document type at all (Excel never writes one).
XML_DOCTYPE = (b"<!DOCTYPE", b"<!ENTITY")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _unpack(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str, xml: bool = False) -> bytes | None:
    """A member's bytes, fully unpacked (so its checksum is verified); for an XML part (xml=True) only
    checked and not kept: UTF-8, no document type declaration (entities are how XML bombs and
    external-file reads work). Damage is refused, naming the member."""
    kept: list[bytes] = []
    tail = b""
    first = True
    try:
        with archive.open(entry) as member:
            while chunk := member.read(2**20):
                if not xml:
                    kept.append(chunk)
                    continue
                if first:
                    _check_xml_start(chunk, name, entry.filename)
                    first = False
                if any(marker in tail + chunk for marker in XML_DOCTYPE):
                    raise refuse(name, _("holds an XML document type declaration in {member} (entity "
                                         "definitions are not allowed; expected a workbook saved by Excel or "
                                         "LibreOffice)").format(member=entry.filename))
                tail = chunk[-16:]
    except ZIP_ERRORS as exc:
        raise _damaged(name, entry.filename, exc) from None
    return None if xml else b"".join(kept)


def _check_xml_start(chunk: bytes, name: str, member: str) -> None:
    if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) \
            or b"\0" in chunk[:4]:
        raise refuse(name, _("holds {member} in UTF-16 or UTF-32 (expected UTF-8 XML, as Excel writes it)").format(
            member=member))
    declared = _XML_ENCODING.match(chunk.removeprefix(codecs.BOM_UTF8)[:300])
    if declared and declared[1].lower() not in (b"utf-8", b"utf8"):
        raise refuse(name, _("holds {member} in the {encoding} encoding (expected UTF-8 XML, as Excel writes "
                             "it)").format(member=member, encoding=declared[1].decode("ascii")))


def _read_zip(archive: zipfile.ZipFile, book: RawWorkbook) -> None:
    with archive:
        for entry in _check_archive(archive, book.file_name, allow_nested=False):
            if entry.is_dir() or PurePosixPath(entry.filename).name.startswith(".") or \
                    entry.filename.startswith("__MACOSX"):
                continue
            path = PurePosixPath(entry.filename)
            if path.suffix.lower() != ".csv":
                book.skipped.append(_not_csv(entry.filename))
                continue
            if normalise_name(path.stem) not in SHEETS:
                book.skipped.append(entry.filename)
                continue
            _add_csv(book, path.stem, entry.filename, _unpack(archive, entry, book.file_name))


def _read_folder(folder: Path) -> RawWorkbook:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    digest = hashlib.sha256()
    book = RawWorkbook(folder.name, "")
    for path in files:
        if path.suffix.lower() != ".csv":
            if not path.name.startswith("."):
                book.skipped.append(_not_csv(path.name))
            continue
        if normalise_name(path.stem) not in SHEETS:
            book.skipped.append(path.name)
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            raise refuse(path.name, _("is larger than {size} MiB").format(size=MAX_FILE_BYTES // 2**20))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _unreadable(path.name, exc) from None
        digest.update(path.name.encode() + b"\0" + data)
        _add_csv(book, path.stem, path.name, data)
    book.sha256 = digest.hexdigest()
    _summarise_skipped(book)
    if not book.sheets and not book.errors:
        raise refuse(folder.name, _("holds no CSV file of the rollout format (expected files named {files})").format(
            files=", ".join(f"{s}.csv" for s in SHEETS)))
    return book


def _not_csv(name: str) -> str:
    return _("{file} (not a CSV file)").format(file=name)


def _summarise_skipped(book: RawWorkbook) -> None:
    """Sheets and files that are not of the format: a warning each, or one for many."""
    if len(book.skipped) <= 3:
        book.warnings += [_("{file}: {item}: not a sheet of the rollout format; skipped").format(
            file=book.file_name, item=item) for item in book.skipped]
    else:
        book.warnings.append(_("{file}: {count} sheets or files are not part of the rollout format and were skipped: "
                               "{names}").format(file=book.file_name, count=format_number(len(book.skipped)),
                                                 names=_first(book.skipped)))
    book.skipped = []


def _first(names: Sequence[str], shown: int = 5) -> str:
    """'a, b, c, …': the first few names of a long list."""
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "")


# --- CSV ------------------------------------------------------------------------------------------

CHINESE_SHARE = 0.9  # of the characters beyond ASCII, the share that must be common Chinese
# Hanzi, CJK and full-width punctuation, general punctuation (“”…—·): where common Chinese text lives.
# GB2312, which these must also belong to, holds kana, Greek and Cyrillic too: those do not count.
_CHINESE_CANDIDATES = re.compile("[^\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u206f\u00b7]+")


def decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM); else GB18030/GBK when the text is plainly Chinese; else refused.

    Plainly Chinese: the bytes decode as GB18030; at least 90 % of the characters beyond ASCII are
    common Chinese (GB2312 hanzi or Chinese punctuation); charset-normalizer, limited to GB18030, finds
    the text coherent; and no line is UTF-8 (a file mixing the two encodings is refused)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        bad_byte = data[exc.start]
    expected = _("(expected UTF-8 text: in Excel use 'Save As' > 'CSV UTF-8'; or plain 'CSV' from a Chinese "
                 "Windows)")
    byte = f"0x{bad_byte:02X}"
    utf8_line = _first_utf8_line(data)
    if data.startswith(codecs.BOM_UTF8) or utf8_line:
        first = utf8_line or 1
        raise refuse(file_name, _("mixes two encodings: line {first} is UTF-8 but line {line} is not (byte {byte}) "
                                  "{expected}").format(first=first, line=bad_line, byte=byte, expected=expected))
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise refuse(file_name, _("is neither UTF-8 nor GB18030/GBK text (line {line} holds byte {byte}) "
                                  "{expected}").format(line=bad_line, byte=byte, expected=expected)) from None
    if not plainly_chinese(data, text):
        line = text.splitlines()[bad_line - 1] if bad_line <= len(text.splitlines()) else ""
        raise refuse(file_name, _("is not UTF-8 and not plainly Chinese GB18030/GBK text either (line {line} holds "
                                  "byte {byte}; read as Chinese it would say {text}: Latin-1 or another encoding) "
                                  "{expected}").format(line=bad_line, byte=byte, text=repr(line[:40]),
                                                       expected=expected))
    return text


def _first_utf8_line(data: bytes) -> int | None:
    """The number of the first line that is UTF-8 text beyond ASCII (a character of three or more bytes,
    as every Chinese character is), or None. GBK text essentially never looks like that."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(ord(c) >= 0x800 for c in text):
            return number
    return None


def plainly_chinese(data: bytes, text: str) -> bool:
    """GB18030-decoded text that is plainly Chinese (see decode_csv)."""
    beyond_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not beyond_ascii:
        return False
    candidates = _CHINESE_CANDIDATES.sub("", text)
    chinese = len(candidates) - candidates.encode("gb2312", "replace").count(b"?")  # GB2312: the common set
    if chinese < CHINESE_SHARE * beyond_ascii:
        return False
    return from_bytes(data, cp_isolation=["gb18030"]).best() is not None


def _add_csv(book: RawWorkbook, stem: str, source: str, data: bytes) -> None:
    name = normalise_name(stem)
    if name not in SHEETS:
        book.skipped.append(source)
        return
    text = decode_csv(data, source)
    if "\0" in text:
        raise refuse(source, _("is not a text file (expected a CSV file)"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            book.warnings.append(_empty_sheet(source))
            return
        if not _header_fits(book, name, source, header):
            return
        body = list(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            problem = _("holds a cell of more than {size} characters (expected at most {limit} characters in a "
                        "cell)").format(size=format_number(csv.field_size_limit()),
                                        limit=format_number(MAX_CELL_CHARS))
        else:
            problem = _("cannot be read as CSV ({reason})").format(reason=exc)
        book.errors.append(CellError(source, reader.line_num, None, None, problem))
        return
    _add_sheet(book, name, source, header, body, text_cells=True)


# --- .xlsx ----------------------------------------------------------------------------------------

XML_PARTS = (".xml", ".rels", ".vml")


def _read_xlsx(data: bytes, archive: zipfile.ZipFile, book: RawWorkbook) -> None:
    with archive:
        for entry in _check_archive(archive, book.file_name, allow_nested=True):
            if not entry.is_dir():
                _unpack(archive, entry, book.file_name, xml=entry.filename.lower().endswith(XML_PARTS))
    try:
        with warnings.catch_warnings():  # openpyxl warns about extensions it skips: not the user's concern
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise refuse(book.file_name, _("cannot be read as an Excel workbook ({kind}: {reason})").format(
            kind=type(exc).__name__, reason=str(exc)[:80])) from None
    try:
        for worksheet in workbook.worksheets:
            name = normalise_name(worksheet.title)
            if name not in SHEETS:
                book.skipped.append(worksheet.title)
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    _add_worksheet(book, name, worksheet)
            except ValidationError:
                raise
            except Exception as exc:  # a damaged sheet: its XML or its cell references
                raise refuse(book.file_name, _("sheet {sheet} cannot be read ({kind}: {reason}; expected a workbook "
                                               "saved by Excel or LibreOffice)").format(
                    sheet=repr(worksheet.title), kind=type(exc).__name__, reason=str(exc)[:80])) from None
    finally:
        workbook.close()


class _CellReader(WorkSheetParser):
    """openpyxl's own sheet parser (data_only), keeping what it would lose: a formula with no saved
    value, an error cell (#DIV/0!) and a value the file spells wrongly (INF, NaN, a broken date)
    become Unreadable cells the validator refuses, naming sheet, row and column."""

    file_name = ""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        coordinate = element.get("r")
        try:
            cell = super().parse_cell(element)
        except (ValueError, IndexError, OverflowError, TypeError, KeyError, AttributeError):
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)  # a broken reference: the sheet is refused
            else:
                row, column = self.row_counter, self.col_counter
            raw = (element.findtext(VALUE_TAG) or "")[:60]
            kind = element.get("t", "n")
            expected = (_("is not a finite number (expected {expected})").format(expected=_("a number")) if kind == "n"
                        else _("cannot be read (the cell is damaged; expected a value saved by Excel or LibreOffice)"))
            return {"row": row, "column": column, "value": Unreadable(raw or "?", expected), "data_type": "e",
                    "style_id": 0}
        if cell["data_type"] == "e":
            raw = element.findtext(VALUE_TAG) or ""
            if element.get("t", "n") == "n":  # openpyxl's verdict on a date serial out of range
                cell["value"] = Unreadable(raw, _("is a date number out of range (expected {expected})").format(
                    expected=date_range_text()))
            else:
                cell["value"] = Unreadable(str(cell["value"]), _("is an error value of the spreadsheet (expected a "
                                                                 "value: fix the formula or type the value)"))
        elif element.find(FORMULA_TAG) is not None and _no_saved_value(element):
            formula = "=" + (element.findtext(FORMULA_TAG) or "(shared formula)")
            cell["value"] = Unreadable(formula, _("is a formula with no saved value in {file} (expected a value: open "
                                                  "the file in Excel or LibreOffice and save it, or paste the "
                                                  "values)").format(file=self.file_name))
        return cell


def _no_saved_value(element: Any) -> bool:
    """A formula cell whose result was never saved: no <v>, or an empty one where only a text result
    may be empty (scripts such as openpyxl write `<f>1+1</f><v></v>`)."""
    saved = element.find(VALUE_TAG)
    return saved is None or (not saved.text and element.get("t", "n") not in ("str", "s", "inlineStr"))


def _sheet_rows(worksheet: Any, file_name: str) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column number: value}) for each row the sheet holds, in file order: never the
    empty rows and columns a declared dimension (A1:XFD1048576) would pad in."""
    workbook = worksheet.parent
    with worksheet._get_source() as source:
        parser = _CellReader(source, worksheet._shared_strings, data_only=True, epoch=workbook.epoch,
                             date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        parser.file_name = file_name
        for number, cells in parser.parse():
            values = {c["column"]: c["value"] for c in cells if not is_blank(c["value"])}
            if values:
                yield number, values


def _add_worksheet(book: RawWorkbook, name: str, worksheet: Any) -> None:
    """A sheet of the format: row 1 is the header; the rows it holds follow, numbered as Excel shows them."""
    rows = _sheet_rows(worksheet, book.file_name)
    first = next(rows, None)
    if first is None:
        book.warnings.append(_empty_sheet(worksheet.title))
        return
    if first[0] == 1:
        header_cells = first[1]
    else:  # no header row: every required column is reported missing
        header_cells = {}
        rows = itertools.chain([first], rows)
    width = max(header_cells, default=0)
    header = [header_cells.get(c) for c in range(1, width + 1)]
    if not _header_fits(book, name, worksheet.title, header):
        return
    body: list[list[Any]] = []
    numbers: list[int] = []
    for number, cells in rows:
        if len(body) >= MAX_ROWS:
            book.errors.append(CellError(name, number, None, None, _("is beyond {limit} rows (expected at most "
                                                                     "{limit} rows in a sheet)").format(
                limit=format_number(MAX_ROWS))))
            return
        body.append([cells.get(c) for c in range(1, width + 1)])
        numbers.append(number)
    _add_sheet(book, name, worksheet.title, header, body, numbers)


# --- both -----------------------------------------------------------------------------------------

def _header_fits(book: RawWorkbook, name: str, source: str, header: Sequence[Any]) -> bool:
    """A sheet of the format seen once, with at most MAX_COLUMNS columns; else an error (rows not read)."""
    if name in book.sheets:
        book.errors.append(CellError(name, None, None, None, _("appears twice ({first} and {second}); expected "
                                                               "once").format(first=book.sheets[name].source,
                                                                              second=source)))
        return False
    columns = sum(1 for v in header if not is_blank(v))
    if columns > MAX_COLUMNS:
        book.errors.append(CellError(name, 1, None, None, _("has {count} columns (expected at most {limit}: keep the "
                                                            "columns of the format)").format(
            count=format_number(columns), limit=MAX_COLUMNS)))
        return False
    return True


def _add_sheet(book: RawWorkbook, name: str, source: str, header_row: Sequence[Any], body: list[Sequence[Any]],
               numbers: list[int] | None = None, text_cells: bool = False) -> None:
    """One sheet (or CSV file): the header, then the body rows with their row numbers as the spreadsheet
    shows them (CSV: counted); empty rows are skipped; the known columns are kept, column by column."""
    if not body and not any(not is_blank(v) for v in header_row):
        book.warnings.append(_empty_sheet(source))
        return
    sheet = SHEETS[name]
    raw = RawSheet(name, source)
    book.sheets[name] = raw
    header = [normalise_name(v) if not is_blank(v) else None for v in header_row]
    raw.broken = not _check_header(book, sheet.name, source, header)
    numbers = numbers if numbers is not None else list(range(2, len(body) + 2))
    # CSV cells are all text: joining a row and stripping it runs in C, no Python loop per row
    filled = list(map(str.strip, map("".join, body))) if text_cells else list(map(_has_content, body))
    if all(filled):
        kept, raw.row_numbers = body, numbers
    else:
        kept = [row for row, keep in zip(body, filled, strict=True) if keep]
        raw.row_numbers = [n for n, keep in zip(numbers, filled, strict=True) if keep]
    width = len(header)
    if any(map(width.__ne__, map(len, kept))):  # ragged CSV lines: pad or cut to the header
        kept = [list(v[:width]) + [None] * (width - len(v)) for v in kept]
    known = set(sheet.column_names)
    for position, column in enumerate(header):
        if column in known and column not in raw.columns:
            raw.columns[column] = list(map(itemgetter(position), kept))


def _empty_sheet(source: str) -> str:
    return _("{sheet}: empty sheet; skipped").format(sheet=source)


def _has_content(values: Sequence[Any]) -> bool:
    """A spreadsheet row with at least one non-blank cell."""
    return any(not is_blank(v) for v in values)


def _check_header(book: RawWorkbook, name: str, source: str, header: list[str | None]) -> bool:
    """Report repeated, unknown and missing columns; False when the rows cannot be read."""
    sheet = SHEETS[name]
    ok = True
    known = set(sheet.column_names)
    seen: set[str] = set()
    unknown: list[str] = []
    for column in header:
        if column is None:
            continue
        if column in seen:
            book.errors.append(CellError(name, 1, column, None, _("appears twice in the header (expected once)")))
            ok = False
        seen.add(column)
        if column not in known:
            unknown.append(column)
    if len(unknown) <= 3:
        book.warnings += [_("{sheet}: column '{column}' is not part of the format; skipped").format(
            sheet=source, column=column) for column in unknown]
    else:
        book.warnings.append(_("{sheet}: {count} columns are not part of the format and were skipped: {names}").format(
            sheet=source, count=format_number(len(unknown)), names=_first(unknown)))
    for column in sheet.columns:
        if column.required and column.name not in seen:
            book.errors.append(CellError(name, 1, column.name, None, _("column is missing (expected a '{column}' "
                                                                       "column: it is required)").format(
                column=column.name)))
            ok = False
    return ok
