"""Export the database in the workbook format (.xlsx, .zip of CSVs, a folder of CSVs).

An export re-imports to the same data. It is also safe to open in a spreadsheet: every cell is
written by rollout.exchange.cells (formula-like text as a plain string in .xlsx, with one leading
apostrophe in CSV, which the importer removes again).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font

from rollout.core.errors import RolloutError
from rollout.core.i18n import _, current, use_language
from rollout.core.progress import Progress, part, silent
from rollout.core.values import quote
from rollout.exchange.cells import csv_value, write_cell
from rollout.exchange.spec import SHEETS, Sheet
from rollout.store.db import Database
from rollout.store.files import check_output_path


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """A DataFrame as UTF-8 CSV with a byte-order mark (Excel opens it right), formula-safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def by_rows(frames: Mapping[str, pd.DataFrame], progress: Progress, step: str) -> Iterator[tuple[str, pd.DataFrame]]:
    """The frames in turn, reporting the share of all their rows done before each (1.0 after the last)."""
    total, done = max(1, sum(len(frame) + 1 for frame in frames.values())), 0
    for name, frame in frames.items():
        progress(done / total, step.format(sheet=name))
        yield name, frame
        done += len(frame) + 1
    progress(1.0, step.format(sheet=""))


def write_xlsx_sheets(frames: Mapping[str, pd.DataFrame], target: str | Path | io.BytesIO,
                      progress: Progress = silent) -> None:
    """One sheet per DataFrame, header in bold, every cell written by cells.write_cell."""
    workbook = Workbook(write_only=True)
    for name, frame in by_rows(frames, part(progress, 0.0, 0.9), _("writing sheet {sheet}")):
        sheet = workbook.create_sheet(title=name[:31])
        header = []
        for column in frame.columns:
            cell = write_cell(WriteOnlyCell(sheet), str(column))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in frame.itertuples(index=False, name=None):
            sheet.append([write_cell(WriteOnlyCell(sheet), v) for v in row])
    workbook.save(target)
    progress(1.0, _("done"))


def table_frame(db: Database, sheet: Sheet) -> pd.DataFrame:
    """A table in sheet order and key order, '' key placeholders shown as empty cells."""
    frame = db.df(f"SELECT {', '.join(quote(c) for c in sheet.column_names)} FROM {quote(sheet.name)} "
                  f"ORDER BY {', '.join(quote(k) for k in sheet.key)}")
    frame = frame.astype(object).where(frame.notna(), None)
    for column in sheet.blank_key_columns:
        frame[column] = frame[column].map(lambda v: None if v == "" else v)
    return frame


def all_tables(db: Database, progress: Progress = silent) -> dict[str, pd.DataFrame]:
    frames = {}
    for index, (name, sheet) in enumerate(SHEETS.items()):
        progress(index / len(SHEETS), _("reading table {sheet}").format(sheet=name))
        frames[name] = table_frame(db, sheet)
    progress(1.0, _("reading table {sheet}").format(sheet=name))
    return frames


def export(db: Database, out: str | Path, progress: Progress = silent) -> Path:
    """Write every table to out: .xlsx, .zip (CSV per table) or a folder (CSV per table). progress hears
    the tables read (the first 30 %) and the rows written (the rest), and 1.0 once the file is written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".zip", ""):
        raise RolloutError(_("cannot export to {name} (expected a name ending in .xlsx or .zip, or a folder)").format(
            name=out.name))
    check_output_path(out, folder=suffix == "")
    frames = all_tables(db, part(progress, 0.0, 0.3))
    writing = part(progress, 0.3, 0.99)
    try:
        if suffix == ".xlsx":
            buffer = io.BytesIO()  # built in memory: a file system error never strands openpyxl half-way
            write_xlsx_sheets(frames, buffer, writing)
            out.write_bytes(buffer.getvalue())
        elif suffix == ".zip":
            out.write_bytes(zip_bytes(frames, writing))
        else:
            out.mkdir(parents=True, exist_ok=True)
            for name, frame in by_rows(frames, writing, _("writing sheet {sheet}")):
                (out / f"{name}.csv").write_bytes(frame_to_csv(frame))
    except OSError as exc:
        raise cannot_write(out, exc) from None
    progress(1.0, _("done"))
    return out


def cannot_write(out: Path, exc: OSError) -> RolloutError:
    return RolloutError(_("cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc))


def zip_bytes(frames: Mapping[str, pd.DataFrame], progress: Progress = silent) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in by_rows(frames, progress, _("writing sheet {sheet}")):
            archive.writestr(f"{name}.csv", frame_to_csv(frame))
    return buffer.getvalue()


def export_bytes(db: Database, kind: str, progress: Progress = silent) -> bytes:
    """The export as bytes for a download button: kind 'xlsx' or 'zip'."""
    frames = all_tables(db, part(progress, 0.0, 0.3))
    writing = part(progress, 0.3, 1.0)
    if kind == "zip":
        data = zip_bytes(frames, writing)
        progress(1.0, _("done"))
        return data
    buffer = io.BytesIO()
    write_xlsx_sheets(frames, buffer, writing)
    return buffer.getvalue()


def header_note(sheet: Sheet, name: str) -> str:
    """A header cell's comment in the current language: required or not, what it expects, key, reference.
    The sheet, column and enumeration words stay as WORKBOOK.md spells them (the format is not translated)."""
    column = sheet.column(name)
    expected = column.expected()
    note = (_("required: {expected}") if column.required else _("optional: {expected}")).format(expected=expected)
    if column.name in sheet.key:
        note = _("{note}; part of the key").format(note=note)
    if column.ref:
        note = _("{note}; must exist on the {sheet} sheet or in the database").format(note=note, sheet=column.ref)
    return note


def template_bytes(language: str | None = None) -> bytes:
    """An empty workbook: every sheet with its header, each header cell commented with what it expects, in
    `language` (default: the current one; the committed data/rollout_template.xlsx is English)."""
    with use_language(language or current()):
        return _template_bytes()


def write_template(out: Path, language: str | None = None) -> Path:
    """`python -m rollout template OUT.xlsx [--lang zh]`: the template written to a file."""
    out = Path(out)
    check_output_path(out)
    if out.suffix.lower() != ".xlsx":
        raise RolloutError(_("cannot write the template to {name} (expected a name ending in .xlsx)").format(
            name=out.name))
    try:
        out.write_bytes(template_bytes(language))
    except OSError as exc:
        raise cannot_write(out, exc) from None
    return out


def _template_bytes() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS.values():
        ws = workbook.create_sheet(sheet.name)
        for index, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=index, value=column.name)
            cell.font = Font(bold=column.required)
            cell.comment = Comment(header_note(sheet, column.name), "rollout")
            ws.column_dimensions[cell.column_letter].width = max(12, len(column.name) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
