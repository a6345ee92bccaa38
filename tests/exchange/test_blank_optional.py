"""An optional cell left empty never crashes a command or a page (issue 13, item 6).

Starting from the public sample workbook, every optional column of the format (rollout.exchange.spec:
the columns that are not required) is blanked: one sheet at a time, and every sheet at once, in every
row and in every other row (so that empty and filled cells mix in one column, as pandas reads them
into nullable columns). Rows the importer then refuses (an item that is done needs completed_on, a
key-user requirement needs a module, a blank module can repeat a key) are dropped, so the rest loads
into a fresh DuckDB file. On the every-sheet databases every CLI command runs in-process
(rollout.cli.main) and every page runs through app.py; the one-sheet databases run one form of each
reading command, to keep the sweep within a few minutes. Each must succeed or refuse with
clear lines on stderr ('error: ...', exit 1, 2 or 3): never a traceback, never the CLI's "unexpected"
line that hides a crash in a log file.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from rollout.cli import COMMANDS, main
from rollout.core.access import LOCAL
from rollout.core.errors import ValidationError
from rollout.exchange.importer import import_workbook
from rollout.exchange.spec import SHEETS
from rollout.store.db import Database

from support import ROOT, SAMPLE

pytestmark = pytest.mark.slow

AS_OF = "2026-11-22"
TODAY = date(2026, 11, 22)
OPTIONAL = {name: [c.name for c in sheet.columns if not c.required] for name, sheet in SHEETS.items()}
OPTIONAL = {name: columns for name, columns in OPTIONAL.items() if columns}
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
# CLI commands the sweep does not run on each database, and why.
# the Monday after AS_OF, 09:30 in Shanghai: every rule of NOTIFY.md is due (my_items, weekly_brief, region_daily)
NOTIFY_NOW = "2026-11-23T09:30:00+08:00"
NOT_SWEPT = {"demo": "writes its own portfolio, reads nothing", "import": "loads each case's workbook (the first step)",
             "template": "writes the empty workbook, reads no data"}


@dataclass(frozen=True)
class Case:
    name: str
    sheets: tuple[str, ...]
    every: int  # blank rows 0, every, 2 × every, ... (1: every row)


CASES = [Case(name, (name,), 1) for name in OPTIONAL] + [
    Case("every sheet, every row", tuple(OPTIONAL), 1),
    Case("every sheet, every other row", tuple(OPTIONAL), 2),
]
PAGE_CASES = CASES[-2:]


def blank_workbook(case: Case) -> openpyxl.Workbook:
    """The sample with the case's optional cells emptied."""
    workbook = openpyxl.load_workbook(SAMPLE)
    for name in case.sheets:
        sheet = workbook[name]
        header = [c.value for c in sheet[1]]
        positions = [header.index(c) for c in OPTIONAL[name] if c in header]
        for index, row in enumerate(sheet.iter_rows(min_row=2)):
            if index % case.every == 0:
                for position in positions:
                    row[position].value = None
    return workbook


def load(case: Case, folder: Path) -> Path:
    """A fresh database holding the blanked sample, minus the rows the importer refuses once blanked."""
    workbook = blank_workbook(case)
    for _ in range(3):
        source, target = folder / "blank.xlsx", folder / "blank.duckdb"
        workbook.save(source)
        target.unlink(missing_ok=True)
        try:
            with Database(target) as db:
                import_workbook(db, source, today=TODAY, caller=LOCAL)
            return target
        except ValidationError as exc:
            refused: dict[str, set[int]] = {}
            for error in exc.errors:
                assert error.sheet in case.sheets and error.row, f"only blanked rows may be refused: {error}"
                refused.setdefault(error.sheet, set()).add(error.row)
            for name, rows in refused.items():
                for row in sorted(rows, reverse=True):
                    workbook[name].delete_rows(row)
    raise AssertionError(f"{case.name}: still refused after dropping the refused rows")


@pytest.fixture(scope="module")
def blank_db(tmp_path_factory: pytest.TempPathFactory):
    """The database of a case, built once per module (the CLI sweep and the page sweep share it)."""
    built: dict[str, Path] = {}

    def get(case: Case) -> Path:
        if case.name not in built:
            built[case.name] = load(case, tmp_path_factory.mktemp("blank"))
        return built[case.name]
    return get


def blanked_columns_are_empty(path: Path, case: Case) -> None:
    """The sweep really ran on empty cells: in the every-row cases each blanked column holds only its
    empty value ('' for an optional key column, the default where the format has one)."""
    with Database(path) as db:
        for name in case.sheets:
            sheet = SHEETS[name]
            assert db.scalar(f'SELECT count(*) FROM "{name}"'), f"{name} kept no row"
            if case.every != 1:
                continue
            for column in OPTIONAL[name]:
                empty = "" if column in sheet.key else sheet.column(column).default
                values = {r[0] for r in db.rows(f'SELECT DISTINCT "{column}" FROM "{name}"')}
                assert values == {empty}, (name, column, values)


def commands(db: Path, out: Path, every: bool = True) -> list[list[str]]:
    """Every CLI command (but NOT_SWEPT) with arguments that make it read as much as it can. every=False:
    one form of each reading command (JSON output, one report and one export format), to keep the
    one-sheet cases quick; the every-sheet cases run them all."""
    with Database(db) as opened:
        person = opened.scalar("SELECT person_code FROM people ORDER BY (SELECT count(*) FROM assignments a "
                               "WHERE a.person_code = people.person_code) DESC, person_code LIMIT 1") or "P001"
        source = opened.scalar("SELECT branch_code FROM checklist GROUP BY branch_code "
                               "ORDER BY count(*) DESC, branch_code LIMIT 1") or "B01"
        target = opened.scalar("SELECT max(branch_code) FROM branches WHERE branch_code <> ?", [source]) or "B02"
    d, at = str(db), ["--as-of", AS_OF]
    found = [
        ["summary", "--db", d, *at, "--json"], ["what-if-leaves", "--db", d, "--person", person, *at, "--json"],
        ["call-list", "--db", d, *at, "--json"], ["plan", "--db", d, *at, "--json", "--time-limit", "10"],
        ["plan-from-template", "--db", d, "--branch", target, "--from", source, "--dry-run"],
        ["report", "--db", d, *at, "--out", str(out / "pack.xlsx")], ["export", "--db", d, str(out / "export.zip")],
        ["users", "list", "--db", d, "--json"],
        ["notify", "preview", "--db", d, "--now", NOTIFY_NOW, "--json"],
    ]
    if every:
        found += [
            ["summary", "--db", d, *at], ["what-if-leaves", "--db", d, "--person", person, *at],
            ["call-list", "--db", d, *at], ["plan", "--db", d, *at, "--time-limit", "10"],
            ["snapshot", "--db", d, *at],
            ["report", "--db", d, *at, "--out", str(out / "pack.pptx")],
            ["report", "--db", d, *at, "--out", str(out / "pack.html")],
            ["export", "--db", d, str(out / "export.xlsx")], ["export", "--db", d, str(out / "export")],
            ["backup", "--db", d, str(out / "backup.duckdb")],
            ["restore", "--db", str(out / "restored.duckdb"), str(out / "backup.duckdb")],
            ["copy", "--from", d, "--to", str(out / "copied.duckdb")],
            ["notify", "preview", "--db", d, "--now", NOTIFY_NOW], ["notify", "status", "--db", d, "--json"],
        ]
    return found


def outcome(args: list[str]) -> str | None:
    """None when the command succeeded or refused clearly; else what went wrong."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    lines = err.getvalue().strip().splitlines()
    if code == 0 or (code == 3 and args[0] == "plan"):  # 3: an infeasible plan, stated on stdout
        return None
    clear = lines and all(line.startswith(("error: ", "warning: ")) for line in lines)
    if code in (1, 2) and clear and "unexpected" not in err.getvalue() and "Traceback" not in err.getvalue():
        return None
    return f"{' '.join(args[:1] + args[3:])} -> exit {code}: {err.getvalue().strip()[:400]}"


def test_every_command_is_swept(tmp_path: Path) -> None:
    swept = {args[0] for args in commands(tmp_path / "none.duckdb", tmp_path)}
    assert swept | set(NOT_SWEPT) == set(COMMANDS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_command_on_blank_optional_cells(blank_db, case: Case, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLLOUT_LOG_DIR", str(tmp_path))
    path = blank_db(case)
    blanked_columns_are_empty(path, case)
    failures = [f for f in map(outcome, commands(path, tmp_path, every=case in PAGE_CASES)) if f]
    assert failures == []


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.name)
def test_every_page_on_blank_optional_cells(blank_db, open_page, case: Case, page: str) -> None:
    at = open_page(page, db_path=blank_db(case))
    if page == "planning":  # the plan is computed on demand: run it
        at.button(key="plan_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [str(e.value) for e in at.error]
    assert not [s for s in shown if "unexpected" in s.lower() or "traceback" in s.lower()], shown
