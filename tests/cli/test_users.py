"""`python -m rollout users list|add|remove` and `--as EMAIL` (ACCESS.md "Users"), as a user runs them."""

from __future__ import annotations

import getpass
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from rollout.core.access import LOCAL
from rollout.exchange.importer import import_workbook
from rollout.store.db import Database

from support import SAMPLE, cli


def run(*args: str, admins: str = "") -> subprocess.CompletedProcess:
    """The command with ROLLOUT_ADMINS set so, in this process (support.cli: what it prints, its exit code)."""
    return cli(*args, env={"ROLLOUT_ADMINS": admins})


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("users") / "sample.duckdb"
    with Database(path) as db:
        import_workbook(db, SAMPLE, caller=LOCAL)
    return path


def fails_with(done: subprocess.CompletedProcess, text: str) -> None:
    """Exit 1, one line on stderr naming the problem, no traceback."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and text in done.stderr and "Traceback" not in done.stderr, done.stderr


@pytest.mark.slow
def test_users_add_list_remove(sample: Path) -> None:
    db = str(sample)
    assert run("users", "list", "--db", db).stdout.strip() == "no users yet"
    added = run("users", "add", "--db", db, "Li.Lei@ACME.cn", "--role", "editor", "--region", "EAST", "--region",
                "WEST", "--name", "李雷")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "li.lei@acme.cn: editor of EAST, WEST"
    assert run("users", "add", "--db", db, "boss@acme.cn", "--role", "admin").returncode == 0
    listed = json.loads(run("users", "list", "--db", db, "--json").stdout)
    me = f"cli:{getpass.getuser()}"
    assert [(u["email"], u["name"], u["role"], u["regions"], u["active"], u["created_by"]) for u in listed] == [
        ("boss@acme.cn", None, "admin", "*", True, me), ("li.lei@acme.cn", "李雷", "editor", "EAST,WEST", True, me)]
    fails_with(run("users", "add", "--db", db, "x@acme.cn", "--role", "boss"), "'boss' is not a role")
    fails_with(run("users", "add", "--db", db, "x@acme.cn", "--role", "viewer", "--region", "MARS"),
               "unknown region MARS")
    fails_with(run("users", "remove", "--db", db, "nobody@acme.cn"), "nobody@acme.cn is not an active user")
    fails_with(run("users", "remove", "--db", db, "boss@acme.cn"), "last active administrator")
    assert run("users", "remove", "--db", db, "li.lei@acme.cn").returncode == 0
    with Database(sample, read_only=True) as store:
        assert store.rows("SELECT email, active FROM users ORDER BY email") == [("boss@acme.cn", True),
                                                                             ("li.lei@acme.cn", False)]
        assert store.rows("SELECT DISTINCT actor FROM audit_log WHERE table_name = 'users'") == [(me,)]


@pytest.mark.slow
def test_as_reads_with_the_users_scope(sample: Path, tmp_path: Path) -> None:
    db = str(sample)
    assert run("users", "add", "--db", db, "north@acme.cn", "--role", "viewer", "--region", "NORTH").returncode == 0
    scoped = json.loads(run("summary", "--db", db, "--as-of", "2026-11-22", "--json", "--as", "NORTH@acme.cn").stdout)
    assert sorted(b["branch_code"] for b in scoped["branches"]) == ["B03", "B06", "B09"]
    with Database(sample, read_only=True) as store:
        north_execs = {r[0] for r in store.rows("SELECT exec_code FROM executives WHERE region_code = 'NORTH'")}
    assert {e["exec_code"] for e in scoped["executives"]} == north_execs and "R1" in north_execs
    every_call = json.loads(run("call-list", "--db", db, "--as-of", "2026-11-22", "--json").stdout)
    with Database(sample, read_only=True) as store:
        region, = store.rows("SELECT region_code FROM executives WHERE exec_code = ?", [every_call[0]["exec_code"]])[0]
        theirs = {r[0] for r in store.rows("SELECT exec_code FROM executives WHERE region_code = ?", [region])}
    assert run("users", "add", "--db", db, "r@acme.cn", "--role", "viewer", "--region", region).returncode == 0
    calls = json.loads(run("call-list", "--db", db, "--as-of", "2026-11-22", "--json", "--as", "r@acme.cn").stdout)
    assert {c["exec_code"] for c in calls} == {c["exec_code"] for c in every_call} & theirs != set()
    out = tmp_path / "north"
    assert run("export", "--db", db, str(out), "--as", "north@acme.cn").returncode == 0
    assert sorted(pd.read_csv(out / "branches.csv")["branch_code"]) == ["B03", "B06", "B09"]
    assert set(pd.read_csv(out / "regions.csv")["region_code"]) == {"NORTH"}
    assert set(pd.read_csv(out / "lessons.csv")["source_branch_code"]) == {"PIL"}  # the pilot's lessons: everyone's
    report = tmp_path / "north.html"
    assert run("report", "--db", db, "--as-of", "2026-11-22", "--out", str(report), "--as", "north@acme.cn"
               ).returncode == 0
    assert "B03" in report.read_text(encoding="utf-8") and "B01" not in report.read_text(encoding="utf-8")
    # a bootstrap admin needs no row; an unknown email is refused in one line
    everyone = json.loads(run("summary", "--db", db, "--json", "--as", "boss@acme.cn", admins="boss@acme.cn").stdout)
    assert len(everyone["branches"]) == 12
    fails_with(run("summary", "--db", db, "--as", "stranger@acme.cn"), "stranger@acme.cn: not an active user")
