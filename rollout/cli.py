"""The command line: `python -m rollout COMMAND --db PATH|URL ...`.

--db is a DuckDB file path (the embedded engine) or postgresql://user[:password]@host[:port]/dbname
(the server engine, shared with the app's replicas); every command works on both.

Every failure a user can cause (bad flag, missing file, refused workbook, locked database) ends
in one clear line on stderr and a non-zero exit, never a traceback: exit 1 for a refused input or
database problem, 2 for bad flags, 3 for an infeasible plan, 4 when a notification failed for good.

Messages follow `--lang zh|en` (before or after the command), else LC_ALL / LC_MESSAGES / LANG, else
English; --help stays English (argparse), JSON and CSV output is never translated.

Commands that only read open the database read-only (a read-only file can be read, and several
can read at once); commands that write or replace it refuse, naming the process, while another
process (the running app) holds it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from rollout.core import i18n
from rollout.core.access import cli_caller
from rollout.core.crashlog import write_crash_log
from rollout.core.errors import DatabaseError, RolloutError, ValidationError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.core.limits import date_in_range, date_range_text
from rollout.core.progress import Progress, silent
from rollout.core.typed import email_key, fold_code, invisible_character
from rollout.store import files
from rollout.store.db import LATEST_VERSION, Database, is_server_location, open_store
from rollout.store.locations import mask, scrub

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(func: Command) -> Command:
        COMMANDS[name] = func
        return func
    return register


def iso_date(text: str) -> date:
    """A date flag: YYYY-MM-DD within the dates the app accepts (1990-01-01 .. 2100-12-31)."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a date (expected YYYY-MM-DD)").format(
            value=repr(text))) from None
    if not date_in_range(value):
        raise argparse.ArgumentTypeError(_("{value} is out of range (expected {expected})").format(
            value=repr(text), expected=date_range_text()))
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a whole number").format(value=repr(text))) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(_("{value} must be greater than 0").format(value=repr(text)))
    return value


def code(text: str) -> str:
    """A code typed on the command line (--branch, --from, --person), read as the importer reads a code cell:
    NFKC (full-width `Ｂ０１４` is `B014`), trimmed; an invisible or control character is refused."""
    hidden = invisible_character(text)
    if hidden:
        raise argparse.ArgumentTypeError(_("{value} holds an invisible or control character, {character} (expected a "
                                           "code of visible characters)").format(value=repr(text), character=hidden))
    return fold_code(text)


def pin(text: str) -> str:
    """A --pin CODE=YYYY-MM-01, its code folded as a code is (the planner checks the rest)."""
    branch, sep, day = text.partition("=")
    return f"{code(branch)}{sep}{day.strip()}"


AS_USER = ("summary", "report", "call-list", "export")  # the read commands that take --as EMAIL


class ProgressBar:
    """A Progress callback drawn as one self-rewriting line on a terminal (stderr), e.g.
    `[##########..........]  50 % writing branches`; erased when the run ends, so what the command
    prints next (its result or one error line) stands alone. Redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False

    def __call__(self, done: float, step: str) -> None:
        now = time.monotonic()
        if done < 1.0 and now - self.last < 0.1:
            return
        self.last = now
        filled = round(self.WIDTH * min(1.0, max(0.0, done)))
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:4.0%} {step}"
        self.stream.write("\r\x1b[K" + line[:200])
        self.stream.flush()
        self.shown = True

    def erase(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


@contextmanager
def progress_bar(stream: Any = None) -> Iterator[Progress]:
    """A bar on stderr when stderr is a terminal; silent otherwise (a pipe, a log file, cron), so scripts
    see only the result and the error lines."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield silent
        return
    bar = ProgressBar(stream)
    try:
        yield bar
    finally:
        bar.erase()


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a number").format(value=repr(text))) from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(_("{value} must be a number >= 0").format(value=repr(text)))
    return value


def open_db(args: argparse.Namespace, write: bool, must_exist: bool = True) -> Database:
    """The --db database: read-write for a command that writes (refused while another process holds
    the file), read-only for one that reads (upgraded first, once, if an older app wrote it)."""
    if is_server_location(args.db):
        return open_store(args.db)  # a server store is created (migrated) on first use
    path = Path(args.db)
    files.check_database_path(path)
    if must_exist and not path.exists():
        raise RolloutError(_("the database {path} does not exist (create it with `python -m rollout demo --db "
                             "{path}` or `import --db {path} FILE`)").format(path=path))
    files.refuse_if_held(path, for_write=write)
    if write or not path.exists():
        return Database(path)
    db = Database(path, read_only=True)
    try:
        version = db.schema_version()
    except Exception:
        db.close()
        raise
    if version >= LATEST_VERSION:
        return db
    db.close()
    try:
        Database(path).close()  # an older file: migrated once, then read read-only like any other
    except DatabaseError as exc:
        raise DatabaseError(_("the database {path} was written by an older version of the app (schema {version}) "
                              "and cannot be upgraded: {reason}").format(path=path, version=version,
                                                                         reason=exc)) from None
    return Database(path, read_only=True)


def reading(args: argparse.Namespace, db: Database) -> Database:
    """The store as a read command sees it: everything (the CLI's operator is an administrator), or with
    `--as EMAIL` only what that user's scope holds (ACCESS.md "Users": a regional pack from a script)."""
    email = getattr(args, "as_email", None)
    if email is None:
        return db
    from rollout.store import users

    try:
        email = email_key(email)
    except RolloutError as exc:
        raise RolloutError(_("--as: {reason}").format(reason=exc)) from None
    who = users.caller_for(db, email, users.bootstrap_admins(os.environ.get("ROLLOUT_ADMINS")))
    if who is None:
        raise RolloutError(_("--as {email}: not an active user of {database} (see `python -m rollout users list`)")
                           .format(email=email, database=db.name))
    return db.scoped(who)


def emit(payload: Any, as_json: bool, text: str | None = None) -> None:
    """Print JSON (machine) or text (human)."""
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
    else:
        print(text if text is not None else (payload.to_string(index=False) if isinstance(payload, pd.DataFrame)
                                             else json.dumps(payload, ensure_ascii=False, indent=1, default=str)))


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))


# --- foundation -------------------------------------------------------------------------------------

@command("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    from rollout.demo import portfolio

    if args.branches > portfolio.MAX_BRANCHES:
        print(_("error: {error}").format(error=_("--branches {value} is too many (expected at most {limit} "
                                                 "branches)").format(
            value=args.branches, limit=i18n.format_number(portfolio.MAX_BRANCHES))), file=sys.stderr)
        return 2
    if is_server_location(args.db):
        from rollout.store.transfer import clear_store, has_data

        with open_store(args.db) as db:
            if has_data(db) and not args.force:
                raise RolloutError(_("{name} already holds data (use --force to replace it with a demo "
                                     "portfolio)").format(name=db.name))
            clear_store(db)
            with progress_bar() as progress:
                counts = portfolio.build_demo(db, branches=args.branches, seed=args.seed,
                                              today=args.today or date.today(), progress=progress)
            shown = db.name
    else:
        path = Path(args.db)
        files.check_database_path(path)
        if path.exists() and not args.force:
            raise RolloutError(_("{path} already exists (use --force to replace it with a demo portfolio)").format(
                path=path))
        files.refuse_if_held(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = files.staging_path(path, ".replacing")  # built aside, then swapped in whole
        try:
            with Database(staged) as db, progress_bar() as progress:
                counts = portfolio.build_demo(db, branches=args.branches, seed=args.seed,
                                              today=args.today or date.today(), progress=progress)
            files.replace_database(staged, path)
        finally:
            files.remove_file(staged)
        shown = str(path)
    print(_("demo portfolio written to {path}: {counts}").format(
        path=shown, counts=", ".join(f"{n} {t}" for t, n in counts.items())))
    return 0


@command("import")
def cmd_import(args: argparse.Namespace) -> int:
    from rollout.exchange.importer import import_workbook

    source = Path(args.file)
    if not source.exists():
        raise RolloutError(_("{path} does not exist (expected an .xlsx file, a .zip of CSV files or a folder)").format(
            path=source))
    if args.dry_run and not Path(args.db).exists():  # a dry run writes nothing, not even a new file
        files.check_database_path(Path(args.db))
        db = Database(":memory:")
    else:
        db = open_db(args, write=not args.dry_run, must_exist=False)
    with db, progress_bar() as progress:
        result = import_workbook(db, source, dry_run=args.dry_run, caller=cli_caller(), progress=progress)
    for warning in result.warnings:
        print(_("warning: {warning}").format(warning=warning))
    print(_("dry run, nothing written: {file}").format(file=result.file_name) if args.dry_run else result.file_name)
    print(result.table().rename(columns=lambda name: _(IMPORT_COLUMNS[name])).to_string(index=False))
    return 0


# The import table's headers as the CLI prints them (the frame keeps its names for pages and tests).
IMPORT_COLUMNS = {"table": N_("table"), "inserted": N_("inserted"), "updated": N_("updated"),
                  "unchanged": N_("unchanged"), "columns changed": N_("columns changed")}


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    from rollout.exchange.exporter import export
    from rollout.exchange.sources import size_refusal

    with open_db(args, write=False) as db, progress_bar() as progress:
        written = export(reading(args, db), args.out, progress=progress)
    print(_("exported to {path}").format(path=written))
    refusal = size_refusal(written)
    if refusal:  # written whole, but a round trip needs another format
        print(_("warning: {warning}").format(warning=_("{reason}, so it cannot be loaded again as it is (a .zip "
                                                       "of CSV files is the smallest export)").format(reason=refusal)),
              file=sys.stderr)
    return 0


@command("summary")
def cmd_summary(args: argparse.Namespace) -> int:
    from rollout.metrics.summary import summary

    with open_db(args, write=False) as db:
        result = summary(reading(args, db), args.as_of or date.today())
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(_("as of {day}").format(day=result["as_of"]))
        for part, title in (("branches", N_("branches")), ("executives", N_("executives")),
                            ("lessons", N_("lessons"))):
            print("\n" + _("{part}:").format(part=_(title)) + "\n" + pd.DataFrame(result[part]).to_string(index=False))
        record = result["forecast_track_record"]
        print("\n" + _("{part}:").format(part=_("Track record")) + "\n"
              + pd.DataFrame([record]).to_string(index=False))
    return 0


# --- later issues: each command calls the module that owns the capability -----------------------

@command("what-if-leaves")
def cmd_what_if_leaves(args: argparse.Namespace) -> int:
    from rollout.metrics import staffing

    with open_db(args, write=False) as db:
        result = staffing.what_if_leaves(db, args.person, args.as_of or date.today())
    emit(result, args.json, staffing.what_if_text(result))
    return 0


@command("call-list")
def cmd_call_list(args: argparse.Namespace) -> int:
    from rollout.metrics import engagement

    with open_db(args, write=False) as db:
        calls = engagement.call_list(reading(args, db), args.as_of or date.today())
    emit(frame_records(calls) if args.json else calls, args.json)
    return 0


@command("plan-from-template")
def cmd_plan_from_template(args: argparse.Namespace) -> int:
    from rollout.metrics import readiness

    with open_db(args, write=not args.dry_run) as db:
        items = readiness.plan_from_template(db, args.branch, args.source, write=not args.dry_run,
                                             caller=cli_caller())
    message = _("would add {count} checklist items to {branch}") if args.dry_run else \
        _("added {count} checklist items to {branch}")
    print(message.format(count=len(items), branch=args.branch))
    if len(items):
        print(items.to_string(index=False))
    return 0


@command("plan")
def cmd_plan(args: argparse.Namespace) -> int:
    from rollout.planning import planner

    overrides = {k: v for k, v in {
        "horizon_months": args.horizon_months, "capacity_days_per_month": args.capacity,
        "max_go_lives_per_month": args.max_go_lives, "kickoff_lead_weeks": args.kickoff_weeks,
        "stage2_gap_months": args.stage2_months, "prep_months": args.prep_months,
        "unplanned_lead_months": args.unplanned_lead_months, "solve_time_limit_s": args.time_limit,
    }.items() if v is not None}
    with open_db(args, write=False) as db:
        result = planner.plan_json(db, args.as_of or date.today(), overrides=overrides, pins=args.pin or [],
                                    ignore_forecast=args.ignore_forecast, confidence=args.confidence)
    emit(result, args.json, planner.plan_text(result))
    return 3 if result["status"] == "infeasible" else 0


@command("snapshot")
def cmd_snapshot(args: argparse.Namespace) -> int:
    from rollout.steering import snapshots

    with open_db(args, write=True) as db:
        snapshot_id = snapshots.take_snapshot(db, args.as_of or date.today(), caller=cli_caller())
    print(_("snapshot {id} taken as of {day}").format(id=snapshot_id, day=(args.as_of or date.today()).isoformat()))
    return 0


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    from rollout.steering import pack

    with open_db(args, write=False) as db:
        written = pack.write_report(reading(args, db), args.as_of or date.today(), Path(args.out))
    print(_("steering pack written to {path}").format(path=written))
    return 0


@command("backup")
def cmd_backup(args: argparse.Namespace) -> int:
    from rollout.store import backup

    written = backup.backup(args.db if is_server_location(args.db) else Path(args.db), Path(args.out),
                            caller=cli_caller())
    print(_("backup written to {path}").format(path=written))
    return 0


@command("restore")
def cmd_restore(args: argparse.Namespace) -> int:
    from rollout.store import backup

    backup.restore(Path(args.backup), args.db if is_server_location(args.db) else Path(args.db), force=args.force,
                   caller=cli_caller())
    print(_("restored {backup} into {database}").format(backup=args.backup, database=mask(args.db)))
    return 0


@command("users")
def cmd_users(args: argparse.Namespace) -> int:
    """users list | add | remove (ACCESS.md "Users"), as the operating-system operator."""
    from rollout.store import users

    with open_db(args, write=args.users_command != "list") as db:
        if args.users_command == "add":
            scope = users.add_user(db, cli_caller(), args.email, args.role, args.region or (), name=args.name)
            email = users.normalise_email(args.email)
            print(_("{email}: {role} of {regions}").format(email=email, role=args.role,
                                                           regions=", ".join(sorted(scope)))
                  if scope else _("{email}: {role} of every region").format(email=email, role=args.role))
        elif args.users_command == "remove":
            users.remove_user(db, cli_caller(), args.email)
            print(_("{email}: removed (no access from the next page run)").format(
                email=users.normalise_email(args.email)))
        else:
            listed = users.list_users(db)
            shown = listed.astype(object).where(listed.notna(), "")  # no name: a blank cell, not NaN or None
            emit(frame_records(listed) if args.json else shown, args.json, None if len(listed) else _("no users yet"))
    return 0


@command("copy")
def cmd_copy(args: argparse.Namespace) -> int:
    from rollout.store.transfer import copy_between

    counts = copy_between(args.source, args.target, force=args.force)
    print(_("copied {source} to {target}: {rows} rows in {tables} tables").format(
        source=mask(args.source), target=mask(args.target), rows=sum(counts.values()), tables=len(counts)))
    return 0


@command("template")
def cmd_template(args: argparse.Namespace) -> int:
    from rollout.exchange.exporter import write_template

    print(_("template written to {path}").format(path=write_template(Path(args.out))))
    return 0


# --- notifications (NOTIFY.md) -----------------------------------------------------------------------

def moment(text: str) -> datetime:
    """--now: an ISO 8601 moment with its offset (2026-11-23T08:31:00+08:00)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise argparse.ArgumentTypeError(_("{value} is not a moment with a time zone offset (expected e.g. "
                                           "2026-11-23T08:31:00+08:00)").format(value=repr(text)))
    if not date_in_range(value.date()):
        raise argparse.ArgumentTypeError(_("{value} is out of range (expected {expected})").format(
            value=repr(text), expected=date_range_text()))
    return value


def _preview_payload(due: Any) -> dict[str, Any]:
    return {"day": due.day.isoformat(), "rules": due.rules,
            "messages": [{"rule": c.rule, "recipient": c.recipient.address, "lang": c.recipient.lang,
                          "attach_pack": c.attach_pack} for c in due.contents],
            "unrouted": [{"branch_code": i["branch_code"], "code": i["code"], "owner": i["owner"]}
                         for i in due.unrouted],
            "bad_addresses": due.bad_addresses}


@command("notify")
def cmd_notify(args: argparse.Namespace) -> int:
    """notify preview | run | test | status (NOTIFY.md "Commands and pages")."""
    from rollout.notify import outbox
    from rollout.notify import run as notify
    from rollout.notify.config import load_config

    config = load_config(args.secrets)
    now = args.now or datetime.now(UTC)
    try:
        if args.notify_command == "test":
            if bool(args.to) == bool(args.robot):
                raise RolloutError(_("notify test needs --to EMAIL or --robot NAME (one of them)"))
            notify.send_test(config, now, to=args.to, robot=args.robot)
            print(_("test message sent to {target}").format(target=args.to or config.robot(args.robot).shown))
            return 0
        with open_db(args, write=args.notify_command == "run") as db:
            if args.notify_command == "preview":
                due = notify.preview(db, config, now, args.rule)
                payload = _preview_payload(due)
                emit(payload, args.json, None if args.json else _preview_text(due, payload))
                return 0
            if args.notify_command == "status":
                table = outbox.status(db)
                emit(frame_records(table) if args.json else table, args.json,
                     None if len(table) else _("the outbox is empty"))
                return 0
            report = notify.run(db, config, now)
        print(_("{day}: {queued} queued, {sent} sent, {retrying} to try again, {failed} failed").format(
            day=report.day.isoformat(), queued=report.queued, sent=report.sent, retrying=report.retrying,
            failed=len(report.failed)))
        for failure in report.failed:
            print(_("failed: {rule} to {recipient}: {error}").format(**failure), file=sys.stderr)
        return 4 if report.failed else 0
    except (RolloutError, KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as exc:  # the crash log must not hold a channel's secret
        raise RuntimeError(f"{type(exc).__name__}: {config.scrub(str(exc))}") from None


def _preview_text(due: Any, payload: dict[str, Any]) -> str:
    lines = [_("{day}: rules due: {rules}").format(day=payload["day"], rules=", ".join(due.rules) or "-")]
    lines += [f"  {m['rule']:<13} {m['recipient']}" + ("  +pptx" if m["attach_pack"] else "")
              for m in payload["messages"]]
    lines.append(_("unrouted items: {count}").format(count=len(payload["unrouted"])))
    lines += [f"  {i['branch_code'] or '-'} {i['code']} ({i['owner'] or '-'})" for i in payload["unrouted"]]
    lines.append(_("bad addresses: {count}").format(count=len(payload["bad_addresses"])))
    lines += [f"  {b['person_code'] or '-'} {b['address']!r}" for b in payload["bad_addresses"]]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False everywhere: a flag is read only as spelled (`snapshot --as EMAIL` is not `--as-of`)
    parser = argparse.ArgumentParser(prog="python -m rollout", description="ERP rollout analytics: CLI",
                                     allow_abbrev=False)
    parser.add_argument("--lang", help=LANG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, db: bool = True, as_of: bool = False,
            as_json: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, allow_abbrev=False)
        p.add_argument("--lang", default=argparse.SUPPRESS, help=LANG_HELP)
        if db:
            p.add_argument("--db", required=True, help="the DuckDB file, or postgresql://user[:password]@host[:port]/db")
        if as_of:
            p.add_argument("--as-of", type=iso_date, help="as-of date YYYY-MM-DD (default today)")
        if as_json:
            p.add_argument("--json", action="store_true", help="print JSON")
        if name in AS_USER:
            p.add_argument("--as", dest="as_email", metavar="EMAIL", help="read with this user's region scope")
        return p

    p = add("demo", "write a seeded demo portfolio")
    p.add_argument("--branches", type=positive_int, default=40, help="how many branches (at most 20,000)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p = add("import", "load a workbook (.xlsx, .zip of CSVs, folder of CSVs): all or nothing")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    p = add("export", "write every table to .xlsx, .zip or a folder of CSVs")
    p.add_argument("out")
    add("summary", "print the figures of METRICS.md", as_of=True, as_json=True)
    p = add("what-if-leaves", "what breaks if this person leaves (computed, not saved)", as_of=True, as_json=True)
    p.add_argument("--person", required=True, type=code)
    add("call-list", "this week's executives to contact, most urgent first", as_of=True, as_json=True)
    p = add("plan-from-template", "create a branch's checklist from the pilot's (or another branch's)")
    p.add_argument("--branch", required=True, type=code)
    p.add_argument("--from", dest="source", type=code, help="source branch (default: the pilot)")
    p.add_argument("--dry-run", action="store_true")
    p = add("plan", "optimise the launch schedule (PLANNING.md)", as_of=True, as_json=True)
    p.add_argument("--horizon-months", type=positive_int)
    p.add_argument("--capacity", type=non_negative_float)
    p.add_argument("--max-go-lives", type=positive_int)
    p.add_argument("--kickoff-weeks", type=int)
    p.add_argument("--stage2-months", type=int)
    p.add_argument("--prep-months", type=positive_int)
    p.add_argument("--unplanned-lead-months", type=int)
    p.add_argument("--time-limit", type=non_negative_float)
    p.add_argument("--pin", action="append", type=pin, metavar="CODE=YYYY-MM-01")
    p.add_argument("--ignore-forecast", action="store_true")
    p.add_argument("--confidence", type=int, choices=[50, 80],
                   help="rule 6 uses the P50 or P80 ready date instead of the forecast ready date")
    add("snapshot", "freeze today's summary figures for the steering review", as_of=True)
    p = add("report", "write the steering pack (.pptx, .xlsx or .html)", as_of=True)
    p.add_argument("--out", required=True)
    p = add("backup", "copy the database consistently (also while the app runs)")
    p.add_argument("out")
    p = add("restore", "replace the database with a backup (upgraded to the current schema)")
    p.add_argument("backup")
    p.add_argument("--force", action="store_true", help="replace an existing database")
    p = add("template", "write the empty workbook template, its header comments in the chosen --lang", db=False)
    p.add_argument("out", help="an .xlsx file name")
    users_parser = add("users", "who may sign in, with which role and regions (ACCESS.md)", db=False)
    users_sub = users_parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    for action, text in (("list", "every user, active or not"), ("add", "add a user, or change one's role and regions"),
                         ("remove", "deactivate a user (never the last active administrator)")):
        p = users_sub.add_parser(action, help=text, description=text, allow_abbrev=False)
        p.add_argument("--db", required=True, help="the DuckDB file, or postgresql://user[:password]@host[:port]/db")
        p.add_argument("--lang", default=argparse.SUPPRESS, help=LANG_HELP)
        if action == "list":
            p.add_argument("--json", action="store_true", help="print JSON")
        else:
            p.add_argument("email")
        if action == "add":
            p.add_argument("--role", required=True, help="viewer, editor or admin")
            p.add_argument("--region", action="append", metavar="CODE", help="a region of the scope (repeat for "
                           "several; none: every region)")
            p.add_argument("--name", help="the person's name")
    p = add("copy", "copy a whole store between a file and a server (either way, or file to file)", db=False)
    p.add_argument("--from", dest="source", required=True, metavar="SOURCE", help="a DuckDB file or a server URL")
    p.add_argument("--to", dest="target", required=True, metavar="TARGET", help="a DuckDB file or a server URL")
    p.add_argument("--force", action="store_true", help="replace a target that already holds data")
    notify_parser = add("notify", "reminders and digests by e-mail and group robots (NOTIFY.md)", db=False)
    notify_sub = notify_parser.add_subparsers(dest="notify_command", required=True, metavar="ACTION")
    for action, text in (("preview", "what is due now; sends nothing"),
                         ("run", "queue what is due, deliver pending (cron: every 15 minutes)"),
                         ("test", "send one test message"), ("status", "the outbox: pending, sent, failed")):
        p = notify_sub.add_parser(action, help=text, description=text)
        p.add_argument("--db", required=action != "test",
                       help="the DuckDB file, or postgresql://user[:password]@host[:port]/db")
        p.add_argument("--lang", default=argparse.SUPPRESS, help=LANG_HELP)
        p.add_argument("--secrets", help="the secrets file with [notify] (default .streamlit/secrets.toml)")
        p.add_argument("--now", type=moment, help="the moment, ISO 8601 with offset (default: the clock)")
        if action in ("preview", "status"):
            p.add_argument("--json", action="store_true", help="print JSON")
        if action == "preview":
            p.add_argument("--rule", choices=["my_items", "weekly_brief", "region_daily"])
        if action == "test":
            p.add_argument("--to", metavar="EMAIL")
            p.add_argument("--robot", metavar="NAME")
    return parser


LANG_HELP = "language of the messages: zh or en (default: LC_ALL, LC_MESSAGES or LANG, else en)"


def chosen_language(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The language a command speaks: --lang (anywhere on the line), else the first of LC_ALL, LC_MESSAGES,
    LANG that is set (C, POSIX or another language: English). None for a --lang value we do not know."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return i18n.normalise(argv[index + 1])
        if arg.startswith("--lang="):
            return i18n.normalise(arg.partition("=")[2])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return i18n.normalise(environ[name]) or i18n.DEFAULT
    return i18n.DEFAULT


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    language = chosen_language(argv, os.environ)
    if language is None:
        print(f"error: --lang expects one of {', '.join(sorted(i18n.LANGUAGES))}", file=sys.stderr)
        return 1
    with i18n.use_language(language):
        return _main(argv)


def _main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not as a message at exit
        return code
    except ValidationError as exc:
        for warning in exc.warnings:
            print(_("warning: {warning}").format(warning=warning), file=sys.stderr)
        for error in exc.errors or [_("{command}: invalid input").format(command=args.command)]:
            print(_("error: {error}").format(error=error), file=sys.stderr)
        return 2 if args.command == "plan" else 1
    except RolloutError as exc:
        print(_("error: {error}").format(error=exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:  # the last line of defence: a user never sees a traceback
        log = _log_traceback(exc, [getattr(args, name, None) for name in ("db", "source", "target")])
        print(_("error: unexpected {kind} in '{command}' (details in {log})").format(
            kind=type(exc).__name__, command=args.command, log=log), file=sys.stderr)
        return 1


def _closed_pipe() -> int:
    """The reader went away (`summary --json | head`): quiet, as Unix tools are."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


def _log_traceback(exc: BaseException, locations: Sequence[str | None] = ()) -> Path:
    """core.crashlog's log file, with the password of every server location named on the command line
    masked."""
    def clean(text: str) -> str:
        for location in locations:
            text = scrub(text, location) if location else text
        return text
    return write_crash_log(exc, clean=clean)


def run() -> None:
    """Entry point of `python -m rollout`."""
    sys.exit(main())


if __name__ == "__main__":
    run()
