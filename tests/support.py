"""Helpers shared by the tests (plain functions and paths; fixtures live in conftest.py).

Test modules import from here (`from support import make_db`), never from each other or from conftest.
"""

from __future__ import annotations

import fcntl
import io
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from openpyxl import Workbook

from rollout.core.access import Caller
from rollout.exchange.edits import insert_rows
from rollout.exchange.spec import LOAD_ORDER
from rollout.store.db import Database, is_server_location

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = FIXTURES / "sample_rollout.xlsx"
SAMPLE_DATES = [date(2026, 9, 15), date(2026, 11, 22)]

def cli(*args: Any, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """`python -m rollout ARGS` run in this process through rollout.cli.main (what it prints, its exit code:
    argparse's exit 2 included), with these environment variables set (None: unset) while it runs. A test
    about the process itself (the entry point, a lock held by another process, signals) starts a real one."""
    from contextlib import redirect_stderr, redirect_stdout

    from rollout.cli import main

    argv = [str(a) for a in args]
    saved = {name: os.environ.get(name) for name in env or {}}
    out, err = io.StringIO(), io.StringIO()
    try:
        for name, value in (env or {}).items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse refuses a flag
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
    return subprocess.CompletedProcess(["rollout", *argv], code, out.getvalue(), err.getvalue())


def examples(count: int) -> int:
    """A property's example count under the loaded Hypothesis profile: `count` on CI ("ci"), a tenth while
    developing ("dev"; tests/conftest.py), never fewer than 5."""
    from hypothesis import settings

    return max(5, count * settings().max_examples // 100)


def built_once(tmp_path_factory: Any, name: str, build: Any) -> Path:
    """A file `build(path)` writes, built once per test run and shared by its xdist workers (the first
    builds it under a lock, the others wait and reuse it): copy it before writing to it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # every worker's base folder lies in the run's one
    folder = root / "built-once"
    folder.mkdir(exist_ok=True)
    path = folder / name
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / f"{name}.done").exists():
            build(path)
            (folder / f"{name}.done").touch()
    return path


def make_db(path: Path | str = ":memory:", today: date = date(2030, 1, 1), **tables: list[dict[str, Any]]) -> Database:
    """A database holding exactly these rows, checked by the importer's own rules.

    path: a file, ":memory:" or a server URL (a `Stores.new()` location). Keyword = sheet name, value =
    rows as dicts (missing optional columns are empty), e.g.
    make_db(regions=[{"region_code": "E", "region_name": "East"}], branches=[...]).
    """
    db = Database(path)
    for name in LOAD_ORDER:
        if tables.get(name):
            insert_rows(db, name, tables[name], caller=Caller("test", "admin"), today=today)
    return db


@contextmanager
def private_copy(template: Path | str, folder: Path) -> Iterator[Database]:
    """An open, writable copy of a store built once (a file, or a database on the test server), so tests
    never share writes."""
    if is_server_location(str(template)):
        server = PostgresServer.of(str(template))
        location = server.create_database(template=str(template))
        db = Database(location)
        try:
            yield db
        finally:
            db.close()
            server.drop_database(location)
        return
    path = folder / Path(template).name
    shutil.copy(template, path)
    db = Database(path)
    try:
        yield db
    finally:
        db.close()


# --- a real PostgreSQL for the server engine's tests --------------------------------------------------

def postgres_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (Debian's postgresql package: /usr/lib/postgresql/N/bin)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                        if p.parent.name.isdigit() else 0, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    return next((c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster: initdb into a temporary folder, pg_ctl start on a free loopback
    port, password login (scram). As root it runs as the `postgres` user (PostgreSQL refuses root)."""

    USER, PASSWORD = "rollout", "s3cret-Pw!"
    _running: ClassVar[dict[int, PostgresServer]] = {}

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="rollout-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.host = "127.0.0.1"
        self._names = itertools.count(1)
        self._admin: Any = None

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=self.folder)

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        password_file = self.folder / "password"
        password_file.write_text(self.PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(password_file, "postgres")
        done = self._run("initdb", "-D", str(self.data), "-U", self.USER, "--pwfile", str(password_file),
                         "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
        for attempt in range(3):  # another process (an xdist worker, a server) may take the port meanwhile
            options = (f"-p {self.port} -k {self.folder} -c listen_addresses={self.host} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400")
            done = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l",
                             str(self.folder / "log"), "-o", options)
            if not done.returncode:
                break
            log = (self.folder / "log").read_text() if (self.folder / "log").exists() else ""
            if "could not bind" not in log or attempt == 2:
                raise RuntimeError(f"pg_ctl start failed: {done.stderr[-1000:]} {log[-2000:]}")
            self.port = free_port()
        PostgresServer._running[self.port] = self
        return self

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))
        PostgresServer._running.pop(self.port, None)
        shutil.rmtree(self.folder, ignore_errors=True)

    @classmethod
    def of(cls, url: str) -> PostgresServer:
        return cls._running[urlsplit(url).port]

    def url(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        password = self.PASSWORD if password is None else password
        return f"postgresql://{user or self.USER}:{quote(password, safe='')}@{self.host}:{self.port}/{dbname}"

    def admin(self) -> Any:
        """A superuser connection to the maintenance database (autocommit)."""
        import psycopg

        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(self.url("postgres"), autocommit=True)
        return self._admin

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """A new database (a copy of `template`'s, a URL, when given); returns its URL."""
        name = name or f"store_{os.getpid()}_{next(self._names)}"
        sql = f'CREATE DATABASE "{name}"'
        if template:
            sql += f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"'
        for attempt in range(50):  # a template's last connections may take a moment to go away
            try:
                self.admin().execute(sql)
                break
            except Exception as exc:
                if "being accessed by other users" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        self.admin().execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


class Stores:
    """Where a test's stores live: files in a folder (`kind` "file") or databases on the test PostgreSQL
    server ("server"). `new()` is a fresh location, `copy(location)` a private copy of a closed store."""

    def __init__(self, kind: str, folder: Path, server: PostgresServer | None = None) -> None:
        self.kind, self.folder, self.server = kind, folder, server
        self._names = itertools.count(1)
        self._empty: str | None = None

    def prepare(self) -> Stores:
        """The server's migrated empty store, made once (a session's shared work, not the first test's)."""
        if self.server is not None and self._empty is None:  # migrated once, then copied: a new store costs
            self._empty = self.server.create_database(f"empty_{os.getpid()}")  # one CREATE DATABASE
            Database(self._empty).close()
        return self

    def new(self) -> str:
        if self.server is None:
            return str(self.folder / f"store{next(self._names)}.duckdb")
        return self.server.create_database(template=self.prepare()._empty)

    def copy(self, location: str) -> str:
        if self.server is None:
            target = self.folder / f"copy{next(self._names)}-{Path(location).name}"
            shutil.copy(location, target)
            return str(target)
        return self.server.create_database(template=location)

    def drop(self, location: str) -> None:
        if self.server is not None:
            self.server.drop_database(location)


@contextmanager
def built(stores: Stores, build: Any) -> Iterator[Database]:
    """`build(location)` on a fresh store of `stores`' engine; closed and dropped afterwards."""
    location = stores.new()
    db = build(location)
    try:
        yield db
    finally:
        db.close()
        stores.drop(location)


def contents(db: Database) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (import_log without its wall-clock time): compare before and after."""
    tables = [r[0] for r in db.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                                    "AND table_type = 'BASE TABLE' ORDER BY 1")]
    return {t: db.rows(f'SELECT * {"EXCLUDE (imported_at)" if t == "import_log" else ""} FROM "{t}" ORDER BY ALL')
            for t in tables}


# Codes and names holding HTML (issue 14, item 6): they must show as typed, never as a link, bold text or
# an image, in tables, pickers, messages and charts alike. "evil.test" and "ZQ" mark what came from here.
MARKUP_CODES = {
    "NORTH": "<b>NORTH</b>",
    "B03": '<a href="https://evil.test/b03">B03</a>',
    "B05": "<b>B05</b>",
    "B07": "<img src=x onerror=alert(7)>B07",
    "X03": "<b>X03</b>",
    "L1": '<a href="https://evil.test/l1">L1</a>',
    "P022": "<b>P022</b>",
    "PR002": "<img src=x onerror=alert(2)>PR002",
}
MARKUP_TEXT = {  # (sheet, key column, key, column): text
    ("regions", "region_code", "EAST", "region_name"): "<i>ZQ east</i>",
    ("branches", "branch_code", "B04", "branch_name"): '<a href="https://evil.test/n">ZQ B04 name</a>',
    ("branches", "branch_code", "B08", "branch_name"): "<b>ZQ B08 name</b>",
    ("executives", "exec_code", "X01", "name"): "<b>ZQ X01 name</b>",
    ("people", "person_code", "P001", "name"): "<b>ZQ P001 name</b>",
    ("lessons", "lesson_code", "L2", "title"): "<img src=x onerror=alert(3)>ZQ L2 title",
    ("problems", "problem_code", "PR001", "title"): '<a href="https://evil.test/p">ZQ PR001 title</a>',
    ("checklist", "item_code", "B03-01", "title"): "<b>ZQ B03-01 title</b>",
}


def markup_workbook() -> bytes:
    """The public sample with MARKUP_CODES in every code column and MARKUP_TEXT in some names (.xlsx)."""
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE)
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            cells = dict(zip(header, row, strict=False))
            for (name, key_column, key, column), text in MARKUP_TEXT.items():
                if sheet.title == name and cells[key_column].value == key:
                    cells[column].value = text
            for column, cell in cells.items():
                if column and column.endswith("_code") and cell.value in MARKUP_CODES:
                    cell.value = MARKUP_CODES[cell.value]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def metrics(at: Any) -> dict[str, str]:
    """An AppTest's metrics by label; a repeated label keeps the first (a later section's own "Status")."""
    found: dict[str, str] = {}
    for metric in at.metric:
        found.setdefault(metric.label, metric.value)
    return found


def frame_with(at: Any, *columns: str) -> Any:
    """An AppTest's first dataframe that has every one of these columns, named by the library or by the header
    shown (ui.formats.readable writes labels.column_label's header): the frame comes back with each column
    under its header and, as a copy, under its library name too (a label's key, or the header with '_')."""
    from rollout.core.labels import COLUMN_LABELS, column_label

    def both(frame: Any) -> Any:
        named: dict[str, list[str]] = {}
        for key in COLUMN_LABELS:  # several library names may share one header (branch_code, branch)
            named.setdefault(column_label(key), []).append(key)
        extra = {}
        for header in frame.columns:
            for name in (*named.get(header, ()), str(header).replace(" ", "_")):
                if name and name not in frame.columns and name not in extra:
                    extra[name] = frame[header]
        return frame.assign(**extra) if extra else frame

    found = [both(d.value) for d in at.dataframe]
    found = [f for f in found if set(columns) <= set(f.columns)]
    assert found, f"no table with {columns}"
    return found[0]


LAZY_TABS = {"staffing": "staffing_tab", "lessons": "lessons_tab", "planning": "planning_tab",
             "raid": "raid_tabs"}  # page -> its key


def open_tab(at: Any, key: str, label: str) -> Any:
    """Open a tab of ui.widgets.lazy_tabs (its label, in the page's language) and run: only that tab is drawn."""
    at.session_state[key] = label
    return at.run()


def every_tab(at: Any, page: str) -> Iterator[Any]:
    """The run of a page with each of its lazy tabs open in turn (the run as it is when it has none)."""
    labels = [t.label for t in at.tabs] if page in LAZY_TABS else []
    if not labels:
        yield at
    for label in labels:
        yield open_tab(at, LAZY_TABS[page], label)


def chart_text(chart: Any) -> str:
    """A drawn plotly chart's spec as text with its words as written: plotly writes Chinese as \\u escapes
    unless orjson happens to be installed, so a test never searches the raw spec for Chinese."""
    return json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)


def texts(elements: Any) -> list[str]:
    """Messages as the user reads them (ui.widgets.plain escapes markdown with backslashes)."""
    return [str(e.value).replace("\\", "").replace("\u2060", "") for e in elements]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx workbook from sheet name -> rows (the first row is the header)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def outside_names(db: Database, regions: set[str]) -> set[str]:
    """What a caller of these regions must never read: the codes and names of every branch, executive and person
    of the other regions (ACCESS.md: they do not exist for that caller)."""
    marks = ",".join("?" * len(regions))
    rows = db.rows(f"SELECT branch_code, branch_name FROM branches WHERE region_code NOT IN ({marks}) "
                   f"UNION ALL SELECT exec_code, name FROM executives WHERE region_code NOT IN ({marks}) "
                   f"UNION ALL SELECT p.person_code, p.name FROM people p JOIN branches b USING (branch_code) "
                   f"WHERE b.region_code NOT IN ({marks})", [*regions] * 3)
    return {str(value) for row in rows for value in row if value}


def file_text(data: bytes) -> str:
    """Every text of a downloaded file: a zip (xlsx, pptx, a zip of CSVs), its members' text, nested files
    too (a chart's embedded workbook), with XML tags removed (a cell reference such as B11 is not text); else
    the file decoded."""
    import html
    import re
    import zipfile

    if not zipfile.is_zipfile(io.BytesIO(data)):
        return data.decode("utf-8-sig", errors="replace")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [file_text(archive.read(name)) if name.endswith((".xlsx", ".zip"))
                 else html.unescape(re.sub(r"<[^>]+>", " ", archive.read(name).decode("utf-8", errors="replace")))
                 for name in archive.namelist() if not name.endswith((".png", ".jpeg", ".jpg", ".emf"))]
    return "\n".join(parts)


def names_in(text: str, names: set[str]) -> set[str]:
    """Which of names the text holds as whole words (员工3 is not in 员工34, B1 not in B10)."""
    import re

    return {name for name in names if re.search(rf"(?<![0-9A-Za-z]){re.escape(name)}(?![0-9A-Za-z])", text)}
