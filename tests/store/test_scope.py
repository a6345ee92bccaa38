"""rollout/store/scope.py and the write checks: region scope enforced in the store, role x scope x operation.

The matrix runs every write the library offers against a real store (both engines) for four callers and
asserts each cell; the leak tests run every read function of the layers above through a one-region
editor's handle on the demo portfolio and look for any code of another region in what comes back.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from rollout.core.access import LOCAL, Caller
from rollout.core.errors import AccessDeniedError, RolloutError
from rollout.exchange import edits, exporter
from rollout.exchange.importer import import_workbook
from rollout.metrics import (
    after_go_live,
    engagement,
    kickoff,
    lessons,
    live,
    man_days,
    portfolio,
    raid,
    readiness,
    staffing,
    summary,
    track_record,
)
from rollout.planning import scenarios
from rollout.steering import decisions, pack, snapshots
from rollout.store import backup, settings, users
from rollout.store.db import Database
from rollout.store.scope import ScopedDatabase, scope_text, view_definitions

from support import SAMPLE

TODAY = date(2026, 11, 22)
VIEWER = Caller("v@acme.cn", "viewer", None)
EAST_EDITOR = Caller("e@acme.cn", "editor", frozenset({"EAST"}))
EDITOR = Caller("hq@acme.cn", "editor", None)
ADMIN = Caller("a@acme.cn", "admin", None)


def first(db: Database, sql: str, branch: str) -> Any:
    return db.scalar(sql, [branch])


# One write per operation, on a branch of the sample (B01 is in EAST, B02 in WEST).
def write_checklist(db: Database, who: Caller, branch: str) -> None:
    item = first(db, "SELECT min(item_code) FROM checklist WHERE branch_code = ?", branch)
    edits.update_row(db, "checklist", {"branch_code": branch, "item_code": item}, {"owner": who.email}, caller=who,
                     today=TODAY)


def write_staffing(db: Database, who: Caller, branch: str) -> None:
    person = first(db, "SELECT min(person_code) FROM people WHERE branch_code = ?", branch)
    staffing.record_training(db, person, "finance", "scope test", TODAY, 90, caller=who, today=TODAY)


def write_touchpoint(db: Database, who: Caller, branch: str) -> None:
    executive = first(db, "SELECT min(exec_code) FROM executives WHERE branch_code = ?", branch)
    engagement.log_touchpoint(db, {"exec_code": executive, "date": TODAY, "channel": "visit", "topic": "scope"},
                              caller=who, today=TODAY)


def write_problem(db: Database, who: Caller, branch: str) -> None:
    lessons.log_problem(db, {"problem_code": f"S-{who.role}-{branch}", "branch_code": branch, "opened_on": TODAY,
                             "severity": "low", "title": "scope test"}, caller=who, today=TODAY)


def write_plan(db: Database, who: Caller, branch: str) -> None:
    edits.update_row(db, "branches", {"branch_code": branch}, {"city": "Suzhou"}, caller=who, today=TODAY)


def write_decision(db: Database, who: Caller, branch: str) -> None:
    decisions.record_decision(db, branch, "go", TODAY, "committee", caller=who)


REGIONAL = {"checklist": write_checklist, "staffing": write_staffing, "touchpoints": write_touchpoint,
            "problems": write_problem, "plans": write_plan, "decisions": write_decision}


def everywhere_writes(tmp: Path) -> dict[str, Callable[[Database, Caller], Any]]:
    """Writes that act on the caller's whole view or on every branch."""
    return {
        "snapshots": lambda db, who: snapshots.take_snapshot(db, TODAY, caller=who),
        "scenarios": lambda db, who: scenarios.save_scenario(db, f"plan {who.email}", {}, {"branches": []},
                                                             caller=who),
        "import": lambda db, who: import_workbook(db, SAMPLE, today=TODAY, caller=who),
        "settings": lambda db, who: settings.save_settings(db, {"red_readiness_below": 55}, caller=who),
        "backup": lambda db, who: backup.backup_bytes(db, caller=who),
        "restore": lambda db, who: backup.restore(tmp / "none.duckdb", tmp / "restored.duckdb", caller=who),
        "users": lambda db, who: users.add_user(db, who, f"new-{who.role}@acme.cn", "viewer"),
    }


ADMIN_ONLY = {"import", "settings", "backup", "restore", "users"}


def expected(who: Caller, operation: str, region: str | None) -> bool:
    """The contract (ACCESS.md "Roles"), written out independently of Caller.refusal."""
    if who.role == "admin":
        return True
    if who.role == "viewer" or operation in ADMIN_ONLY:
        return False
    return who.regions is None or region is None or region in who.regions


@pytest.mark.slow
@pytest.mark.parametrize("who", [VIEWER, EAST_EDITOR, EDITOR, ADMIN], ids=lambda c: c.email)
def test_role_scope_operation_matrix(sample_db: Database, tmp_path: Path, who: Caller) -> None:
    got, want = {}, {}
    cells = [(op, region, lambda db, w, f=f, b=branch: f(db, w, b))
             for op, f in REGIONAL.items() for region, branch in (("EAST", "B01"), ("WEST", "B02"))]
    cells += [(op, None, f) for op, f in everywhere_writes(tmp_path).items()]
    cells.append(("read", None, None))
    for operation, region, write in cells:
        want[operation, region] = True if operation == "read" else expected(who, operation, region)
        refused_before = sample_db.scalar("SELECT count(*) FROM audit_log WHERE action = 'refused'")
        if write is None:  # a read: the branches the caller sees
            seen = {r[0] for r in sample_db.scoped(who).rows("SELECT region_code FROM branches")}
            got[operation, region] = seen == ({"EAST"} if who is EAST_EDITOR else {"EAST", "WEST", "NORTH"})
            continue
        try:
            write(sample_db, who)
        except AccessDeniedError as exc:
            got[operation, region] = False
            refusal = sample_db.rows("SELECT actor, new_value FROM audit_log WHERE action = 'refused' "
                                     "ORDER BY audit_id DESC LIMIT 1")
            if operation != "restore":  # restore acts on files, not on an open store: refused, not recorded
                assert sample_db.scalar("SELECT count(*) FROM audit_log WHERE action = 'refused'") == refused_before + 1
                assert refusal[0] == (who.email, str(exc))
        except RolloutError:
            got[operation, region] = operation == "restore"  # allowed, then refused for the missing backup file
        else:
            got[operation, region] = True
    assert got == want


@pytest.mark.slow  # 0.7 to 1.05 s of CPU in a slow hour of this machine (2026-12-05)
def test_every_audit_row_of_a_write_names_the_caller(sample_db: Database) -> None:
    write_checklist(sample_db, EAST_EDITOR, "B01")
    write_problem(sample_db, EAST_EDITOR, "B01")
    snapshots.take_snapshot(sample_db, TODAY, caller=EAST_EDITOR)
    actors = sample_db.rows("SELECT DISTINCT actor, table_name FROM audit_log ORDER BY table_name")
    assert actors == [("e@acme.cn", "checklist"), ("local", "import_log"), ("e@acme.cn", "problems"),
                      ("e@acme.cn", "snapshots")]  # the sample was imported by the local administrator


@pytest.mark.slow
def test_a_scoped_snapshot_and_scenario_are_seen_only_by_their_scope(sample_db: Database) -> None:
    mine = snapshots.take_snapshot(sample_db, TODAY, caller=EAST_EDITOR)
    everyone = snapshots.take_snapshot(sample_db, TODAY, caller=ADMIN)
    east = sample_db.scoped(EAST_EDITOR)
    assert snapshots.latest_pair(east) == (None, mine)
    assert snapshots.latest_pair(sample_db) == (None, everyone)
    assert {b["branch_code"] for b in snapshots.get_snapshot(east, mine)["branches"]} == {
        "B01", "B04", "B07", "B10", "PIL"}
    with pytest.raises(RolloutError):
        snapshots.get_snapshot(east, everyone)  # another scope's snapshot does not exist for this caller
    scenarios.save_scenario(sample_db, "east plan", {}, {"branches": []}, caller=EAST_EDITOR)
    assert list(scenarios.scenarios(east)["name"]) == ["east plan"]
    assert scenarios.scenarios(sample_db).empty
    with pytest.raises(RolloutError, match="already saved"):  # another scope's name is not overwritten
        scenarios.save_scenario(sample_db, "east plan", {}, {"branches": []}, overwrite=True, caller=ADMIN)


def test_an_out_of_scope_code_is_not_found(sample_db: Database) -> None:
    east = sample_db.scoped(EAST_EDITOR)
    assert east.scalar("SELECT count(*) FROM branches WHERE branch_code = 'B02'") == 0
    assert east.scalar("SELECT count(*) FROM main.branches WHERE branch_code = 'B02'") == 0  # main. is the view too
    with pytest.raises(RolloutError, match="not a branch"):
        decisions.check_decision(east, "B02", "go", TODAY, "committee", None, None)
    assert east.scalar("SELECT count(*) FROM users") == 0 and east.scalar("SELECT count(*) FROM audit_log") == 0


def test_one_handle_per_scope_and_none_for_everywhere(sample_db: Database) -> None:
    assert sample_db.scoped(ADMIN) is sample_db and sample_db.scoped(EDITOR) is sample_db
    east = sample_db.scoped(EAST_EDITOR)
    assert isinstance(east, ScopedDatabase) and east.scoped(Caller("x@acme.cn", "viewer", frozenset({"EAST"}))) is east
    assert scope_text(east) == "EAST" and scope_text(sample_db) == "*"
    # a write through the scoped handle reaches the store, and its readers see it at once
    write_checklist(east, EAST_EDITOR, "B01")
    assert east.scalar("SELECT count(*) FROM checklist WHERE owner = 'e@acme.cn'") == 1


def test_a_table_without_a_scope_rule_is_refused_not_shown() -> None:
    """A new table must be placed before a scoped caller can read anything (never shown whole by default)."""
    with pytest.raises(ValueError, match="mystery has no rule"):
        view_definitions("store", {"branches": {"branch_code", "region_code"}, "mystery": {"id"}}, frozenset({"E"}))
    views = view_definitions("store", {"branches": {"branch_code", "region_code"}, "visits": {"branch_code"},
                                       "lessons": {"lesson_code"}}, frozenset({"E'; DROP"}))
    assert set(views) == {"branches", "visits"}  # lessons are everyone's
    assert "region_code IN ('E''; DROP')" in views["branches"]  # a region code is a quoted literal


# --- leaks: every read function, on the demo portfolio, through a one-region editor --------------------

READ_MODULES = [after_go_live, engagement, kickoff, lessons, live, man_days, portfolio, raid, readiness, staffing,
                summary, track_record,
                decisions, pack, snapshots, scenarios, exporter]


def public_reads() -> list[tuple[str, Callable[..., Any], set[str]]]:
    """Every public read function of the read modules (its first parameter the store, no caller), with the
    names of the parameters it requires."""
    found = []
    for module in READ_MODULES:
        for name, func in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(func) or func.__module__ != module.__name__:
                continue
            params = list(inspect.signature(func).parameters.values())
            if not params or params[0].name != "db" or "caller" in {p.name for p in params}:
                continue
            required = {p.name for p in params[1:] if p.default is inspect.Parameter.empty
                        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)}
            found.append((f"{module.__name__.split('.')[-1]}.{name}", func, required))
    return found


def read_functions() -> list[tuple[str, Callable[..., Any]]]:
    """The reads that need nothing but the store and perhaps an as-of date."""
    return [(name, func) for name, func, required in public_reads() if required <= {"as_of"}]


READS = read_functions()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from rollout.demo import portfolio as demo_portfolio

    db = Database(tmp_path_factory.mktemp("scope") / "demo.duckdb")
    demo_portfolio.build_demo(db, today=TODAY)
    pilot = db.scalar("SELECT branch_code FROM branches WHERE is_pilot")
    region = db.scalar("SELECT region_code FROM branches WHERE NOT is_pilot AND region_code <> "
                       "(SELECT region_code FROM branches WHERE is_pilot) GROUP BY 1 ORDER BY 1 LIMIT 1")
    others = [r[0] for r in db.rows(
        "SELECT branch_code FROM branches WHERE region_code <> ? AND NOT is_pilot UNION ALL "
        "SELECT region_code FROM regions WHERE region_code <> ? UNION ALL "
        "SELECT exec_code FROM executives WHERE region_code <> ? UNION ALL "
        "SELECT person_code FROM people JOIN branches USING (branch_code) WHERE region_code <> ? UNION ALL "
        "SELECT problem_code FROM problems JOIN branches USING (branch_code) WHERE region_code <> ?",
        [region] * 5)]
    snapshots.take_snapshot(db, TODAY, caller=Caller("r@acme.cn", "editor", frozenset({region})))
    yield db, Caller("r@acme.cn", "editor", frozenset({region})), pilot, re.compile(
        r"\b(" + "|".join(map(re.escape, others)) + r")\b")
    db.close()


def text_of(result: Any) -> str:
    """All a read returns, as text: every row of a frame, every part of a tuple or a dataclass (a repr would
    cut a long frame or index short)."""
    if isinstance(result, pd.DataFrame):
        return result.to_csv()
    if isinstance(result, pd.Index | pd.Series):
        return "\n".join(map(str, result.tolist()))
    if isinstance(result, bytes):
        return result.decode("utf-8", "replace")
    if isinstance(result, tuple | list) and any(isinstance(part, pd.DataFrame | pd.Index) for part in result):
        return "\n".join(text_of(part) for part in result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return "\n".join(text_of(getattr(result, field.name)) for field in dataclasses.fields(result))
    try:
        return json.dumps(result, default=repr, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(result)


def test_the_leak_test_covers_the_reads() -> None:
    names = {name for name, _ in READS}
    assert {"summary.summary", "readiness.branch_status", "engagement.call_list", "staffing.people", "pack.pack",
            "snapshots.changes_between", "lessons.problems_list", "exporter.all_tables"} <= names


@pytest.mark.slow
@pytest.mark.parametrize(("name", "func"), READS, ids=[name for name, _ in READS])
def test_no_other_region_leaks_from(demo: Any, name: str, func: Callable[..., Any]) -> None:
    db, editor, _pilot, foreign = demo
    scoped = db.scoped(editor)
    args = [TODAY] if "as_of" in inspect.signature(func).parameters else []
    try:
        result = func(scoped, *args)
    except RolloutError:
        return  # nothing of the scope to show (no snapshot pair, say): nothing leaked either
    leaked = sorted(set(foreign.findall(text_of(result))))
    assert not leaked, f"{name} shows codes of other regions: {leaked[:10]}"
    # the test is not empty: unscoped, the function shows other regions' codes, or (figures only: counts,
    # shares, ids) different figures, since the scoped ones are computed over one region
    whole = text_of(func(db, *args))
    assert foreign.findall(whole) or whole != text_of(result), f"{name}: scoped and unscoped agree"


def pack_text(data: bytes, kind: str) -> str:
    """Every cell of an Excel pack, or the HTML pack's text."""
    if kind == "html":
        return data.decode("utf-8")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for value in row if value is not None)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["xlsx", "html"])
def test_no_other_region_leaks_from_the_packs_full_lists(demo: Any, kind: str) -> None:
    """The Excel and HTML packs write their full lists when they are rendered (steering.model.Deferred): what
    they write is the scope's alone, and the whole store's lists hold other regions' codes (the check bites)."""
    db, editor, _pilot, foreign = demo
    scoped = pack_text(pack.report_bytes(db.scoped(editor), TODAY, kind), kind)
    assert not sorted(set(foreign.findall(scoped)))
    assert foreign.findall(pack_text(pack.report_bytes(db, TODAY, kind), kind))


def test_the_pilot_template_serves_every_region_but_the_pilot_stays_out_of_scope(demo: Any) -> None:
    db, editor, pilot, _ = demo
    scoped = db.scoped(editor)
    assert readiness.pilot_code(scoped) is None and readiness.pilot_code(db) == pilot
    branch = scoped.scalar("SELECT min(branch_code) FROM branches")
    # the pilot's checklist is every region's template: the same preview and kick-off findings as unscoped
    pd.testing.assert_frame_equal(readiness.plan_from_template(scoped, branch, write=False, caller=LOCAL),
                                  readiness.plan_from_template(db, branch, write=False, caller=LOCAL))
    pd.testing.assert_frame_equal(readiness.kickoff_flags(scoped, branch), readiness.kickoff_flags(db, branch))
    assert db.scalar("SELECT count(*) FROM checklist WHERE branch_code = ? AND dimension = 'kickoff'", [pilot]) > 0
    with pytest.raises(RolloutError, match="does not exist"):  # named by the caller, the pilot is not found
        readiness.plan_from_template(scoped, branch, source_code=pilot, write=False, caller=LOCAL)


def branch_functions() -> list[tuple[str, Callable[..., Any]]]:
    """The reads that take a branch code (and perhaps an as-of date)."""
    return [(name, func) for name, func, required in public_reads()
            if "branch_code" in required and required <= {"branch_code", "as_of"}]


BY_BRANCH = branch_functions()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "func"), BY_BRANCH, ids=[name for name, _ in BY_BRANCH])
def test_a_branch_outside_the_scope_is_not_found_by(demo: Any, name: str, func: Callable[..., Any]) -> None:
    db, editor, _pilot, _foreign = demo
    outside = [r[0] for r in db.rows("SELECT branch_code FROM branches WHERE region_code NOT IN (SELECT unnest(?)) "
                                     "AND NOT is_pilot ORDER BY branch_code", [sorted(editor.regions)])]
    as_of = {"as_of": TODAY} if "as_of" in inspect.signature(func).parameters else {}

    def run(store: Database, code: str) -> str:
        try:
            return text_of(func(store, branch_code=code, **as_of)).replace(code, "CODE")
        except RolloutError as exc:
            return f"error: {str(exc).replace(code, 'CODE')}"

    missing = run(db, "NO-SUCH-BRANCH")
    # a branch of another region whose data this function shows, unscoped (the test is not empty)
    outside = next((code for code in outside if run(db, code) != missing), None)
    assert outside is not None, f"{name} shows nothing for any branch of another region"
    # outside the scope, that branch behaves exactly as one that does not exist at all
    assert run(db.scoped(editor), outside) == missing


def test_the_branch_functions_are_covered() -> None:
    assert {"readiness.checklist", "readiness.modules", "kickoff.kickoff_record"} <= {n for n, _ in BY_BRANCH}


# --- a scoped cursor sees the scoped views and nothing past them (issue 24, item 8) -----------------------

PAST_THE_VIEWS = [
    "SELECT email FROM rollout_pg.users",  # the server mirror's attached PostgreSQL database
    "SELECT email FROM rollout_pg.public.users",
    "SELECT email FROM {catalog}.main.users",  # the store's own catalogue: the real table, not the view
    "SELECT branch_code FROM {catalog}.main.branches",
    "SELECT branch_code FROM branches WHERE EXISTS (SELECT 1 FROM {catalog}.main.users)",
    "WITH u AS (SELECT * FROM {catalog}.main.audit_log) SELECT count(*) FROM u",
    "SELECT * FROM query_table('{catalog}.main.users')",
    "SELECT * FROM postgres_query('rollout_pg', 'SELECT email FROM users')",
    "SELECT path FROM duckdb_databases()",  # would show the server URL
    "SELECT * FROM read_csv('/etc/passwd')",
]


@pytest.mark.parametrize("sql", PAST_THE_VIEWS)
def test_a_scoped_read_cannot_name_a_table_past_the_scoped_views(sample_db: Database, sql: str) -> None:
    users.add_user(sample_db, ADMIN, "hidden@acme.cn", "viewer", ["WEST"])
    east = sample_db.scoped(EAST_EDITOR)
    catalog = sample_db.scalar("SELECT current_database()")
    statement = sql.format(catalog=f'"{catalog}"')
    with pytest.raises(RolloutError, match="refused on a scoped handle"):
        east.df(statement)
    cur = east.cursor()
    try:
        with pytest.raises(RolloutError, match="refused on a scoped handle"):
            cur.execute(statement)
        with pytest.raises(AttributeError, match="execute"):  # no way round execute()'s check
            cur.sql(statement)
    finally:
        cur.close()
    # bare names still read the views: the scope's branches, no user, and the lessons everyone sees
    assert set(east.df("SELECT region_code FROM branches")["region_code"]) == {"EAST"}
    assert east.scalar("SELECT count(*) FROM main.users") == 0 and east.scalar("SELECT count(*) FROM lessons") > 0


def test_the_server_catalogue_is_there_for_the_whole_store_only(sample_db: Database) -> None:
    """The test above is not empty on the server: unscoped, the attached catalogue answers."""
    users.add_user(sample_db, ADMIN, "hidden@acme.cn", "viewer", ["WEST"])
    if sample_db.kind != "server":
        pytest.skip("the attached PostgreSQL catalogue is the server engine's")
    assert "hidden@acme.cn" in set(sample_db.df("SELECT email FROM rollout_pg.users")["email"])


# --- smaller leaks: whole-portfolio counts of a load, problem codes of other regions (issue 24, item 7) -----

def test_a_scoped_caller_sees_each_load_but_not_its_whole_portfolio_counts(sample_db: Database) -> None:
    from rollout.exchange.importer import import_history

    east = sample_db.scoped(EAST_EDITOR)
    assert east.scalar("SELECT count(*) FROM import_log") == sample_db.scalar("SELECT count(*) FROM import_log") > 0
    assert east.scalar("SELECT count(inserted) + count(updated) + count(unchanged) FROM import_log") == 0
    history = import_history(east)
    assert list(history.columns) == ["import_id", "imported_at", "file_name", "sha256"]
    assert len(history) == sample_db.scalar("SELECT count(DISTINCT import_id) FROM import_log")
    assert {"inserted", "updated", "unchanged"} <= set(import_history(sample_db).columns)


def test_problem_codes_are_one_namespace_and_a_taken_code_names_no_region(sample_db: Database) -> None:
    east = sample_db.scoped(EAST_EDITOR)
    # PR014 (NORTH) is the highest: EAST's own highest is PR012, whose next code would collide with it
    assert lessons.next_code(east, "problems", "PR", 3) == lessons.next_code(sample_db, "problems", "PR", 3) == "PR015"
    problem = {"branch_code": "B01", "opened_on": TODAY, "severity": "low", "title": "scanner drivers"}
    errors = {}
    for code in ("PR014", "PR012"):  # taken in NORTH (hidden from EAST), taken in EAST
        with pytest.raises(RolloutError) as refused:
            lessons.log_problem(east, {**problem, "problem_code": code}, caller=EAST_EDITOR, today=TODAY)
        errors[code] = str(refused.value).replace(code, "CODE")
    assert errors["PR014"] == errors["PR012"]  # the same words, wherever the code is taken
    assert "already exists" not in errors["PR014"] and "NORTH" not in errors["PR014"] and "B06" not in errors["PR014"]
    # with no code, the next free one over the whole store is chosen in the write
    assert lessons.log_problem(east, problem, caller=EAST_EDITOR, today=TODAY) == "PR015"
    assert lessons.log_problem(east, problem, caller=EAST_EDITOR, today=TODAY) == "PR016"
    assert east.scalar("SELECT count(*) FROM problems WHERE problem_code IN ('PR015', 'PR016')") == 2
    with pytest.raises(AccessDeniedError):  # a viewer learns nothing of a code: refused before any look-up
        lessons.log_problem(east, {**problem, "problem_code": "PR014"}, caller=Caller("v@acme.cn", "viewer",
                                                                                   frozenset({"EAST"})), today=TODAY)


def test_programme_wide_raid_items_are_seen_by_every_scope_branch_items_follow_their_branch() -> None:
    """METRICS.md "RAID log": an item with an empty branch is the programme's, visible to every user; a branch's
    item follows the branch's scope (the view keeps both; other tables with branch_code stay as they were)."""
    views = view_definitions("store", {"branches": {"branch_code", "region_code"}, "raid": {"raid_code", "branch_code"},
                                       "deviations": {"deviation_code", "branch_code"}}, frozenset({"E"}))
    assert "branch_code IS NULL OR branch_code IN" in views["raid"]
    assert "IS NULL" not in views["deviations"]
