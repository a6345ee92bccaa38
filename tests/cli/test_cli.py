"""The command line: exit codes, one clear line on bad input, no tracebacks."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from rollout.cli import main
from rollout.store.db import Database

from support import ROOT, SAMPLE, cli


def run(*args: str) -> subprocess.CompletedProcess:
    """The CLI as a user runs it: a real process (the tests about the process; others call support.cli)."""
    return subprocess.run([sys.executable, "-m", "rollout", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


@pytest.mark.slow
def test_import_then_summary_json(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    done = run("import", "--db", str(db), str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert "branches" in done.stdout and "12" in done.stdout
    summary = run("summary", "--db", str(db), "--as-of", "2026-11-22", "--json")
    assert summary.returncode == 0, summary.stderr
    payload = json.loads(summary.stdout)
    assert payload["as_of"] == "2026-11-22"
    assert [b["branch_code"] for b in payload["branches"]][:3] == ["B01", "B02", "B03"]
    assert len(payload["executives"]) == 13 and len(payload["lessons"]) == 4
    assert payload["forecast_track_record"]["forecasts"] == 60  # METRICS.md "Forecast track record"


@pytest.mark.slow
def test_refused_import_exits_1_lists_errors_and_leaves_file_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    assert main(["import", "--db", str(db), str(SAMPLE)]) == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "branches.csv").write_text("branch_code,branch_name,region_code,wave\nZ1,甲,NOWHERE,x\nZ2,,EAST,1\n",
                                      encoding="utf-8")
    done = cli("import", "--db", db, bad)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert "error: branches row 2, region_code: 'NOWHERE' is not a known region (expected one of EAST, NORTH, " \
           "WEST)" in lines
    assert "error: branches row 2, wave: 'x' is not a number" in lines
    assert "error: branches row 3, branch_name: is empty (expected text)" in lines
    assert "Traceback" not in done.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "db.duckdb"
    assert main(["import", "--db", str(db), str(SAMPLE), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    with Database(db) as opened:
        assert opened.scalar("SELECT count(*) FROM branches") == 0


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (["summary", "--db", "missing.duckdb"], "does not exist"),
    (["import", "--db", "x.duckdb", "no_such_file.xlsx"], "does not exist"),
    (["export", "--db", "SAMPLE_DB", "out.txt"], "expected a name ending in .xlsx or .zip"),
])
def test_bad_input_is_one_clear_line(tmp_path: Path, sample_db_path: Path, args: list[str], message: str) -> None:
    args = [str(sample_db_path) if a == "SAMPLE_DB" else (str(tmp_path / a) if a.endswith((".duckdb", ".txt"))
            else a) for a in args]
    done = cli(*args)
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_bad_flag_exits_2(tmp_path: Path) -> None:
    done = cli("summary", "--db", tmp_path / "x.duckdb", "--as-of", "22/11/2026")
    assert done.returncode == 2
    assert "is not a date (expected YYYY-MM-DD)" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_locked_database_is_reported(sample_db_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(30)", str(sample_db_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        done = run("summary", "--db", str(sample_db_path))
        assert done.returncode == 1
        assert "in use by another process" in done.stderr and "Traceback" not in done.stderr
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_export_command_writes_a_workbook(sample_db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    assert main(["export", "--db", str(sample_db_path), str(out)]) == 0
    again = tmp_path / "again.duckdb"
    assert main(["import", "--db", str(again), str(out)]) == 0
    with Database(again) as db, Database(sample_db_path) as original:
        assert db.rows("SELECT * FROM checklist ORDER BY ALL") == original.rows("SELECT * FROM checklist ORDER BY ALL")


@pytest.mark.slow
def test_summary_as_of_defaults_to_today(sample_db_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["summary", "--db", str(sample_db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == date.today().isoformat()


def test_a_crash_log_holds_the_traceback_with_the_server_password_masked(tmp_path, monkeypatch) -> None:
    from rollout import cli

    monkeypatch.setenv("ROLLOUT_LOG_DIR", str(tmp_path))
    url = "postgresql://app:s3cret@127.0.0.1:5432/rollout"
    try:
        raise RuntimeError(f"could not reach {url}")
    except RuntimeError as exc:
        path = cli._log_traceback(exc, [url, None])
    text = path.read_text(encoding="utf-8")
    assert path.parent == tmp_path and "RuntimeError: could not reach postgresql://app:***@" in text
    assert "s3cret" not in text
