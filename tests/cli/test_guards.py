"""Issue 24's guards, as a user meets them on the command line: an administrator given a region, scope through
text, sign-in claims that pass for another person, `copy` onto or from something that is not a store, a server
password in a message, the kick-off and acceptance date rules, and the CLI's smaller slips.

Each refusal is one line on stderr and exit 1 (README "Exit codes"; 2 for a bad flag), and the store holds
what it held before. The CLI runs in process (rollout.cli.main) on a private copy of the public sample.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rollout.cli import _log_traceback, build_parser, main
from rollout.core.access import Caller
from rollout.core.errors import RolloutError, ValidationError
from rollout.core.typed import MAX_NAME_CHARS, email_key
from rollout.exchange.edits import insert_rows, update_row
from rollout.planning.scenarios import save_scenario, scenarios
from rollout.steering.snapshots import take_snapshot
from rollout.store.db import Database
from rollout.store.locations import mask

from support import contents

KELVIN = "\u212a"  # KELVIN SIGN: Unicode lower-cases it to an ASCII k


def stored(path: Path) -> dict[str, list[tuple]]:
    with Database(path, read_only=True) as db:
        return contents(db)


def refused(capsys: pytest.CaptureFixture, argv: list[str], text: str, db: Path | None = None) -> str:
    """main(argv) exits 1 with one line on stderr holding `text`, and the store is as it was."""
    before = stored(db) if db is not None else None
    capsys.readouterr()
    assert main(argv) == 1
    _out, err = capsys.readouterr()
    assert err.count("\n") == 1 and text in err and "Traceback" not in err, err
    if db is not None:
        assert stored(db) == before
    return err


def add(db: Path, *args: str) -> None:
    assert main(["users", "add", "--db", str(db), *args]) == 0


# --- 4. an administrator's scope is every region ---------------------------------------------------

def test_users_add_refuses_a_region_for_an_administrator(sample_db_path: Path, capsys) -> None:
    db = str(sample_db_path)
    refused(capsys, ["users", "add", "--db", db, "boss@acme.cn", "--role", "admin", "--region", "EAST"],
            "an administrator sees every region", sample_db_path)


@pytest.mark.slow
def test_an_admin_row_with_a_region_saves_every_regions_plan_for_every_region(sample_db_path: Path) -> None:
    """An old users row (admin of EAST) reads and saves as an administrator: the scenario records '*', so the
    EAST viewer's Launch planning does not open on it; a snapshot it takes records '*' too."""
    from rollout.store.users import caller_for

    with Database(sample_db_path) as db:
        with db.transaction() as cur:
            cur.execute("INSERT INTO users VALUES ('old@acme.cn', NULL, 'admin', 'EAST', TRUE, now(), 'local')")
        admin = caller_for(db, "old@acme.cn")
        assert admin is not None and admin.everywhere
        plan = {"status": "optimal", "as_of": "2026-11-22", "branches": [{"branch_code": c} for c in ("B01", "B03")]}
        save_scenario(db.scoped(admin), "all regions", {}, plan, caller=admin)
        viewer = Caller("east@acme.cn", "viewer", frozenset({"EAST"}))
        assert list(scenarios(db.scoped(viewer))["name"]) == []
        assert list(scenarios(db.scoped(admin))["name"]) == ["all regions"]
        snapshot = take_snapshot(db.scoped(admin), date(2026, 11, 22), caller=admin)
        assert db.rows("SELECT scope FROM snapshots WHERE snapshot_id = ?", [snapshot]) == [("*",)]


# --- 5. scope through text ---------------------------------------------------------------------------

@pytest.mark.parametrize(("region", "message"), [
    ("*", "holds *"), ("XI,EAST", "holds ,"), ("", "is empty (expected a region code)"),
    ("  ", "is empty (expected a region code)")])
def test_users_add_refuses_a_region_code_the_scope_text_reserves(sample_db_path: Path, capsys, region: str,
                                                                  message: str) -> None:
    refused(capsys, ["users", "add", "--db", str(sample_db_path), "v@acme.cn", "--role", "viewer", "--region", region],
            message, sample_db_path)


@pytest.mark.parametrize("code", ["*", "XI,EAST"])
def test_the_importer_refuses_a_region_code_the_scope_text_reserves(sample_db_path: Path, tmp_path: Path, capsys,
                                                                   code: str) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "regions.csv").write_text(f'region_code,region_name\n"{code}",Everywhere\n', encoding="utf-8")
    refused(capsys, ["import", "--db", str(sample_db_path), str(folder)], "regions row 2, region_code:",
            sample_db_path)


@pytest.mark.slow
def test_a_stored_empty_scope_sees_no_region(sample_db_path: Path, capsys) -> None:
    import json

    with Database(sample_db_path) as db, db.transaction() as cur:
        cur.execute("INSERT INTO users VALUES ('none@acme.cn', NULL, 'viewer', '', TRUE, now(), 'local')")
    capsys.readouterr()
    assert main(["summary", "--db", str(sample_db_path), "--as-of", "2026-11-22", "--json", "--as",
                 "none@acme.cn"]) == 0
    seen = json.loads(capsys.readouterr().out)
    assert seen["branches"] == [] and seen["executives"] == []


# --- 6. sign-in claims -------------------------------------------------------------------------------

@pytest.mark.parametrize(("email", "message"), [
    (f"{KELVIN}ate@acme.cn", "looks like another one"),
    ("kate\u200b@acme.cn", "U+200B ZERO WIDTH SPACE"),
    ("ka\x07te@acme.cn", "invisible or control character"),
    ("ｋａｔｅ@acme.cn", "looks like another one"),
])
def test_users_add_refuses_an_email_that_passes_for_another(sample_db_path: Path, capsys, email: str,
                                                            message: str) -> None:
    refused(capsys, ["users", "add", "--db", str(sample_db_path), email, "--role", "viewer"], message,
            sample_db_path)


@pytest.mark.slow
def test_as_refuses_a_kelvin_sign_for_kate(sample_db_path: Path, capsys) -> None:
    add(sample_db_path, "kate@acme.cn", "--role", "viewer", "--region", "EAST")
    refused(capsys, ["summary", "--db", str(sample_db_path), "--json", "--as", f"{KELVIN}ATE@acme.cn"],
            "--as: ", sample_db_path)
    capsys.readouterr()
    assert main(["summary", "--db", str(sample_db_path), "--json", "--as", "KATE@acme.cn"]) == 0  # ASCII case: Kate


def test_the_email_rule() -> None:
    assert email_key("  Kate@ACME.cn ") == "kate@acme.cn"
    assert email_key("kate@acme.cn", verified=True) == "kate@acme.cn"
    for claim, verified in [("kate@acme.cn", False), ("kate@acme.cn", "false"), (f"{KELVIN}ate@acme.cn", None),
                            ("", None), ("kate", None), ("k\u00e4te\u0308@acme.cn", None)]:
        with pytest.raises(RolloutError):
            email_key(claim, verified)
    assert email_key("kätе@acme.cn") == "kätе@acme.cn"  # already NFKC, no control: its non-ASCII letters kept as typed


# --- 10. copy: only from a store, only onto a store -------------------------------------------------

@pytest.mark.parametrize("source", ["", "   ", ":memory:"])
def test_copy_from_nothing_leaves_the_target_as_it_was(sample_db_path: Path, capsys, source: str) -> None:
    refused(capsys, ["copy", "--from", source, "--to", str(sample_db_path), "--force"], "is not a store",
            sample_db_path)


@pytest.mark.parametrize(("target", "message"), [
    ("", "is not a store"), (":memory:", "is not a store"), ("out.xlsx", "is not a store file"),
    ("folder", "is a folder")])
def test_copy_onto_what_is_not_a_store_is_refused(sample_db_path: Path, tmp_path: Path, capsys, target: str,
                                                  message: str) -> None:
    (tmp_path / "folder").mkdir()
    where = str(tmp_path / target) if target in ("out.xlsx", "folder") else target
    refused(capsys, ["copy", "--from", str(sample_db_path), "--to", where], message, sample_db_path)
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.slow
def test_copy_onto_a_db_file_still_works(sample_db_path: Path, tmp_path: Path, capsys) -> None:
    assert main(["copy", "--from", str(sample_db_path), "--to", str(tmp_path / "copy.db")]) == 0
    copied, original = stored(tmp_path / "copy.db"), stored(sample_db_path)
    assert {t: rows for t, rows in copied.items() if t != "schema_version"} == \
        {t: rows for t, rows in original.items() if t != "schema_version"}


# --- 11. a server password is never shown ------------------------------------------------------------

@pytest.mark.parametrize("password", ["se/cret9", "se@cret9", "se:c@re/t9"])
def test_a_password_is_masked_whatever_it_holds(capsys, tmp_path: Path, monkeypatch, password: str) -> None:
    url = f"postgresql://app:{password}@127.0.0.1:1/rollout"
    assert mask(url) == "postgresql://app:***@127.0.0.1:1/rollout"
    err = refused(capsys, ["summary", "--db", url], "***")
    assert "cret9" not in err and "re/t9" not in err and password not in err
    bad = f"postgresql://app:{password}@127.0.0.1:notaport/rollout"
    err = refused(capsys, ["summary", "--db", bad], "is not a valid server URL")
    assert "cret9" not in err and "re/t9" not in err
    monkeypatch.setenv("ROLLOUT_LOG_DIR", str(tmp_path))
    try:
        raise RuntimeError(f"could not reach {url}")
    except RuntimeError as exc:
        log = _log_traceback(exc, [url]).read_text(encoding="utf-8")
    assert "cret9" not in log and "re/t9" not in log and "postgresql://app:***@127.0.0.1:1/rollout" in log


@pytest.mark.slow
def test_a_password_typed_with_slash_and_at_reaches_the_server_whole(pg_server, sample_db_path: Path, capsys) -> None:
    """The URL as a person types it (the password not percent-encoded): read whole, connected with, never shown."""
    password = "gu/ard@pw:9"
    pg_server.admin().execute(f"CREATE ROLE guard LOGIN SUPERUSER PASSWORD '{password}'")
    try:
        url = pg_server.create_database()
        typed = f"postgresql://guard:{password}@{pg_server.host}:{pg_server.port}/{url.rsplit('/', 1)[1]}"
        assert main(["copy", "--from", str(sample_db_path), "--to", typed]) == 0
        out = capsys.readouterr().out
        assert f"to postgresql://guard:***@{pg_server.host}:{pg_server.port}/" in out and "ard@pw" not in out
        wrong = typed.replace("pw:9", "pw:8")
        err = refused(capsys, ["summary", "--db", wrong], "refused the login of user 'guard'")
        assert "ard@pw" not in err and "pw:8" not in err
        pg_server.drop_database(url)
    finally:
        pg_server.admin().execute("DROP ROLE IF EXISTS guard")


# --- 12. the kick-off and acceptance date rules ------------------------------------------------------

@pytest.mark.parametrize(("sheet", "text", "message"), [
    ("kickoffs", "branch_code,held_on,minutes_signed_on\nB01,2026-03-25,1990-01-02\n",
     "kickoffs row 2, minutes_signed_on: 1990-01-02 is before held_on 2026-03-25"),
    ("kickoffs", "branch_code,held_on,minutes_signed_on\nB01,2026-07-01,2026-07-02\n",
     "kickoffs row 2, held_on: 2026-07-01 is after B01's actual_go_live 2026-06-01"),
    ("acceptance", "branch_code,accepted_on\nB03,2026-11-01\n",
     "acceptance row 2, accepted_on: 2026-11-01 is given but B03 has no actual_go_live"),
    ("branches", "branch_code,branch_name,region_code,actual_go_live\nB01,Suzhou,EAST,2026-03-01\n",
     "branches row 2, actual_go_live: 2026-03-01 is before B01's held_on 2026-03-25 on the kickoffs sheet"),
])
def test_the_importer_refuses_dates_that_contradict(sample_db_path: Path, tmp_path: Path, capsys, sheet: str,
                                                    text: str, message: str) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / f"{sheet}.csv").write_text(text, encoding="utf-8")
    refused(capsys, ["import", "--db", str(sample_db_path), str(folder)], message, sample_db_path)


def test_clearing_a_go_live_is_refused_while_the_branch_has_an_acceptance(sample_db_path: Path, tmp_path: Path,
                                                                         capsys) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "acceptance.csv").write_text("branch_code,accepted_on\nB01,2026-07-10\n", encoding="utf-8")
    assert main(["import", "--db", str(sample_db_path), str(folder)]) == 0
    (folder / "acceptance.csv").unlink()
    (folder / "branches.csv").write_text("branch_code,branch_name,region_code,actual_go_live\nB01,Suzhou,EAST,\n",
                                         encoding="utf-8")
    refused(capsys, ["import", "--db", str(sample_db_path), str(folder)],
            "actual_go_live: is empty but B01 has accepted_on 2026-07-10", sample_db_path)


def test_an_in_app_edit_meets_the_same_rules(sample_db_path: Path) -> None:
    admin = Caller("a@acme.cn", "admin")
    with Database(sample_db_path) as db:
        before = contents(db)
        with pytest.raises(ValidationError, match="is before held_on 2026-03-25"):
            update_row(db, "kickoffs", {"branch_code": "B01"}, {"minutes_signed_on": date(1990, 1, 2)},
                       caller=admin, today=date(2026, 11, 22))
        with pytest.raises(ValidationError, match="is given but B03 has no actual_go_live"):
            insert_rows(db, "acceptance", [{"branch_code": "B03", "accepted_on": date(2026, 11, 1)}], caller=admin,
                        today=date(2026, 11, 22))
        assert contents(db) == before


# --- 14. the CLI's smaller slips ---------------------------------------------------------------------

def test_users_list_shows_no_nan_and_add_echoes_each_region_once(sample_db_path: Path, capsys) -> None:
    capsys.readouterr()
    add(sample_db_path, "v@acme.cn", "--role", "viewer", "--region", "EAST", "--region", "EAST", "--region", "WEST")
    assert capsys.readouterr().out.strip() == "v@acme.cn: viewer of EAST, WEST"
    assert main(["users", "list", "--db", str(sample_db_path)]) == 0
    listed = capsys.readouterr().out
    assert "v@acme.cn" in listed and "NaN" not in listed and "None" not in listed


@pytest.mark.slow
def test_users_add_refuses_a_name_too_long(sample_db_path: Path, capsys) -> None:
    refused(capsys, ["users", "add", "--db", str(sample_db_path), "v@acme.cn", "--role", "viewer", "--name",
                     "x" * 20_000], f"expected at most {MAX_NAME_CHARS}", sample_db_path)
    add(sample_db_path, "v@acme.cn", "--role", "viewer", "--name", "李" * MAX_NAME_CHARS)


def test_snapshot_as_is_not_read_as_as_of(sample_db_path: Path, capsys) -> None:
    before = stored(sample_db_path)
    with pytest.raises(SystemExit) as exit_:
        main(["snapshot", "--db", str(sample_db_path), "--as", "v@acme.cn"])
    assert exit_.value.code == 2 and "unrecognized arguments: --as" in capsys.readouterr().err
    assert stored(sample_db_path) == before


def test_a_full_width_code_names_the_branch_it_folds_to(sample_db_path: Path, capsys) -> None:
    assert build_parser().parse_args(["plan", "--db", "x", "--pin", "Ｂ０３ = 2027-03-01"]).pin == ["B03=2027-03-01"]
    capsys.readouterr()
    assert main(["plan-from-template", "--db", str(sample_db_path), "--branch", "Ｂ０３", "--from", "Ｂ０１",
                 "--dry-run"]) == 0
    assert "to B03" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan-from-template", "--db", "x", "--branch", "B0\u200b3"])
