"""rollout/staffing.py: every METRICS.md "Staffing" figure against hand-computed values on a small fixture."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rollout.cli import main
from rollout.core.access import LOCAL
from rollout.core.errors import ConflictError, NotFoundError, ValidationError
from rollout.metrics import staffing
from rollout.store.settings import get_settings

from support import SAMPLE_DATES, make_db, private_copy

D = date(2030, 1, 15)

# Hand-built portfolio, as of D = 2030-01-15:
#   P1 B1 active (joined 2029)           P2 B1 left 2030-01-14 (before D: not active)
#   P3 B1 left on D (not active)         P4 B1 leaves 2030-01-16 (after D: active)
#   P5 B2 joins 2030-01-16 (not yet)     P6 B2 joined on D (active)
#   P7 B2 active, works at B1 and B2     P8 B2 left 2029-06-01 (outside the 90-day window)
TABLES = dict(
    regions=[{"region_code": "E", "region_name": "East"}, {"region_code": "W", "region_name": "West"}],
    branches=[
        {"branch_code": "B1", "branch_name": "One", "region_code": "E", "headcount": 40,
         "planned_go_live": "2030-03-01"},
        {"branch_code": "B2", "branch_name": "Two", "region_code": "W", "headcount": 20,
         "planned_go_live": "2030-02-01"},
        {"branch_code": "B3", "branch_name": "Three", "region_code": "W"},
    ],
    modules=[
        {"branch_code": "B1", "module": "finance", "phase": 1},
        {"branch_code": "B1", "module": "supply_chain", "phase": 1},
        {"branch_code": "B1", "module": "hr", "phase": 1},
        {"branch_code": "B2", "module": "finance", "phase": 1},
    ],
    people=[
        {"person_code": "P1", "name": "Ann", "branch_code": "B1", "joined_on": "2029-01-01"},
        {"person_code": "P2", "name": "Bo", "branch_code": "B1", "left_on": "2030-01-14"},
        {"person_code": "P3", "name": "Cy", "branch_code": "B1", "left_on": "2030-01-15"},
        {"person_code": "P4", "name": "Di", "branch_code": "B1", "left_on": "2030-01-16"},
        {"person_code": "P5", "name": "Ed", "branch_code": "B2", "joined_on": "2030-01-16"},
        {"person_code": "P6", "name": "Fa", "branch_code": "B2", "joined_on": "2030-01-15"},
        {"person_code": "P7", "name": "Gu", "branch_code": "B2"},
        {"person_code": "P8", "name": "Hu", "branch_code": "B2", "left_on": "2029-06-01"},
    ],
    role_requirements=[
        {"branch_code": "B1", "role": "key_user", "module": "finance", "required_fte": 1.0},
        {"branch_code": "B1", "role": "key_user", "module": "supply_chain", "required_fte": 1.0},
        {"branch_code": "B1", "role": "project_manager", "required_fte": 1.0},
        {"branch_code": "B2", "role": "key_user", "module": "finance", "required_fte": 2.0},
        {"branch_code": "B2", "role": "it_admin", "required_fte": 0.5},
    ],
    assignments=[
        # P1: 0.6 + 0.4 = exactly 1.0, not over-allocated; the key-user one ends on D (still active).
        {"person_code": "P1", "branch_code": "B1", "role": "key_user", "module": "finance", "fte": 0.6,
         "end_date": "2030-01-15"},
        {"person_code": "P1", "branch_code": "B1", "role": "project_manager", "fte": 0.4},
        # ended the day before D: not active
        {"person_code": "P1", "branch_code": "B1", "role": "key_user", "module": "supply_chain", "fte": 0.5,
         "end_date": "2030-01-14"},
        # a backup counts like any other
        {"person_code": "P4", "branch_code": "B1", "role": "key_user", "module": "finance", "fte": 0.5,
         "is_backup": True},
        {"person_code": "P4", "branch_code": "B1", "role": "key_user", "module": "hr", "fte": 0.3},
        {"person_code": "P2", "branch_code": "B1", "role": "key_user", "module": "supply_chain", "fte": 1.0},
        {"person_code": "P3", "branch_code": "B1", "role": "key_user", "module": "supply_chain", "fte": 1.0},
        # P7: 0.5 + 0.7 = 1.2 across two branches, starting on D: over-allocated (home B2)
        {"person_code": "P7", "branch_code": "B1", "role": "project_manager", "fte": 0.5, "start_date": "2030-01-15"},
        {"person_code": "P7", "branch_code": "B2", "role": "key_user", "module": "finance", "fte": 0.7},
        # starts after D
        {"person_code": "P6", "branch_code": "B2", "role": "key_user", "module": "finance", "fte": 0.5,
         "start_date": "2030-01-16"},
        {"person_code": "P5", "branch_code": "B2", "role": "it_admin", "fte": 0.5},
    ],
    training=[
        {"person_code": "P1", "module": "finance", "course": "basics", "completed_on": "2030-01-10", "score": 80},
        {"person_code": "P4", "module": "finance", "course": "basics", "completed_on": "2030-01-10", "score": 79.9},
        {"person_code": "P7", "module": "finance", "course": "basics", "completed_on": "2030-02-01", "score": 95},
    ],
)


@pytest.fixture(scope="module")
def base_file(stores):
    """The fixture portfolio built once (make_db validates every row like the importer), on each engine."""
    location = stores.new()
    make_db(location, **TABLES).close()
    yield location
    stores.drop(location)


@pytest.fixture
def db(base_file, tmp_path):
    """A private writable copy of the fixture portfolio."""
    with private_copy(base_file, tmp_path) as database:
        yield database


def by_key(frame, *keys):
    return {tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]: row for row in frame.to_dict("records")}


def test_active_people_left_before_on_after(db) -> None:
    codes = list(staffing.active_people(db, D)["person_code"])
    # P2 left before D, P3 left on D (not active), P4 leaves after D (active), P5 joins after D,
    # P6 joined on D (active), P8 left long ago.
    assert codes == ["P1", "P4", "P6", "P7"]


def test_active_assignments(db) -> None:
    active = staffing.active_assignments(db, D)
    keys = sorted((r.person_code, r.branch_code, r.role, r.module) for r in active.itertuples())
    # P1 finance (ends on D: active), P1 pm, P4 finance (backup) and hr, P7 B1 pm (starts on D) and B2 finance.
    assert keys == [("P1", "B1", "key_user", "finance"), ("P1", "B1", "project_manager", ""),
                    ("P4", "B1", "key_user", "finance"), ("P4", "B1", "key_user", "hr"),
                    ("P7", "B1", "project_manager", ""), ("P7", "B2", "key_user", "finance")]


def test_requirement_fill_and_gaps(db) -> None:
    fill = by_key(staffing.requirement_fill(db, D), "branch_code", "role", "module")
    # B1 finance: 0.6 + 0.5 (backup) = 1.1 -> fill 1, gap 0
    assert fill[("B1", "key_user", "finance")]["assigned_fte"] == pytest.approx(1.1)
    assert fill[("B1", "key_user", "finance")]["fill"] == 1.0
    assert fill[("B1", "key_user", "finance")]["gap"] == 0
    # B1 supply_chain: P2 left, P3 left on D, P1's ended -> 0 assigned, gap 1
    assert fill[("B1", "key_user", "supply_chain")]["fill"] == 0
    assert fill[("B1", "key_user", "supply_chain")]["gap"] == pytest.approx(1.0)
    # B1 project_manager (module ''): P1 0.4 + P7 0.5 = 0.9 -> fill 0.9, gap 0.1
    assert fill[("B1", "project_manager", "")]["fill"] == pytest.approx(0.9)
    assert fill[("B1", "project_manager", "")]["gap"] == pytest.approx(0.1)
    # B2 finance: P7 0.7 of 2.0 (P6 not started) -> 0.35, gap 1.3; it_admin: P5 not joined -> gap 0.5
    assert fill[("B2", "key_user", "finance")]["fill"] == pytest.approx(0.35)
    assert fill[("B2", "it_admin", "")]["gap"] == pytest.approx(0.5)
    found = staffing.gaps(db, D)
    # positive gaps only, largest first: B2 finance 1.3, B1 supply_chain 1.0, B2 it_admin 0.5, B1 pm 0.1
    assert [(r.branch_code, r.role, r.module) for r in found.itertuples()] == [
        ("B2", "key_user", "finance"), ("B1", "key_user", "supply_chain"), ("B2", "it_admin", ""),
        ("B1", "project_manager", "")]
    assert list(found["gap"]) == pytest.approx([1.3, 1.0, 0.5, 0.1])


def test_branch_fill_rate(db) -> None:
    fill = by_key(staffing.branch_fill_rate(db, D), "branch_code")
    # B1: (1×1 + 1×0 + 1×0.9) / 3 × 100 = 63.33
    assert fill["B1"]["fill_rate"] == pytest.approx(190 / 3)
    # B2: (2×0.35 + 0.5×0) / 2.5 × 100 = 28.0
    assert fill["B2"]["fill_rate"] == pytest.approx(28.0)
    # B3: no requirements -> null
    assert fill["B3"]["fill_rate"] is None or fill["B3"]["fill_rate"] != fill["B3"]["fill_rate"]
    # next day: P6 starts (0.5) and P5 joins (it_admin 0.5): B2 = (2×0.6 + 0.5×1) / 2.5 × 100 = 68.0
    assert by_key(staffing.branch_fill_rate(db, date(2030, 1, 16)), "branch_code")["B2"]["fill_rate"] == \
        pytest.approx(68.0)


def test_over_allocated_tolerance(db) -> None:
    over = staffing.over_allocated(db, D)
    # P1 0.6 + 0.4 = 1.0 exactly: not over; P4 0.8: not over; P7 0.5 + 0.7 = 1.2 across branches: over
    assert list(over["person_code"]) == ["P7"]
    assert over["total_fte"].iloc[0] == pytest.approx(1.2)
    assert over["home_branch_code"].iloc[0] == "B2"
    rows = staffing.over_allocated_assignments(db, D)
    assert sorted(rows["branch_code"]) == ["B1", "B2"]  # all of P7's assignments, at both branches


def test_key_user_coverage_and_training(db) -> None:
    cov = by_key(staffing.key_user_coverage(db, D), "branch_code", "module")
    # B1 finance: P1 + P4 (backup) = 2; supply_chain: 0 (uncovered); hr: P4 only (SPOF); B2 finance: P7 (SPOF)
    assert {k: v["key_users"] for k, v in cov.items()} == {
        ("B1", "finance"): 2, ("B1", "hr"): 1, ("B1", "supply_chain"): 0, ("B2", "finance"): 1}
    assert cov[("B1", "supply_chain")]["uncovered"] and not cov[("B1", "supply_chain")]["single_point_of_failure"]
    assert cov[("B1", "hr")]["single_point_of_failure"]
    # trained: P1 scored exactly 80 (pass); P4 79.9 (fail) -> 1; P7's 95 is dated after D -> 0 yet
    assert cov[("B1", "finance")]["trained_key_users"] == 1
    assert cov[("B2", "finance")]["trained_key_users"] == 0
    later = by_key(staffing.key_user_coverage(db, date(2030, 2, 1)), "branch_code", "module")
    assert later[("B2", "finance")]["trained_key_users"] == 1


def test_assessment_status_and_pass_mark_setting(db) -> None:
    status = by_key(staffing.key_user_assessment(db, D), "branch_code", "module", "person_code")
    assert {k: v["assessment"] for k, v in status.items()} == {
        ("B1", "finance", "P1"): "passed",       # 80 >= 80
        ("B1", "finance", "P4"): "failed",       # 79.9 < 80
        ("B1", "hr", "P4"): "not_assessed",      # no hr record
        ("B2", "finance", "P7"): "not_assessed",  # assessed after D
    }
    with db.transaction() as cur:
        cur.execute("INSERT INTO settings VALUES ('training_pass_mark', 85, now())")
    assert get_settings(db)["training_pass_mark"] == 85
    status = by_key(staffing.key_user_assessment(db, D), "branch_code", "module", "person_code")
    assert status[("B1", "finance", "P1")]["assessment"] == "failed"  # 80 < 85


def test_summary_fields_and_status(db) -> None:
    frame = staffing.summary_fields(db, D, get_settings(db))
    assert list(frame.columns) == [
        "branch_code", "fill_rate", "over_allocated_people", "uncovered_modules", "spof_modules"]
    fields = by_key(frame, "branch_code")
    assert fields["B1"]["fill_rate"] == pytest.approx(63.333, abs=1e-3)
    # over-allocated counts the branch's OWN people: P7 works at B1 but belongs to B2
    assert (fields["B1"]["over_allocated_people"], fields["B2"]["over_allocated_people"],
            fields["B3"]["over_allocated_people"]) == (0, 1, 0)
    assert (fields["B1"]["uncovered_modules"], fields["B1"]["spof_modules"]) == (1, 1)
    assert (fields["B2"]["uncovered_modules"], fields["B2"]["spof_modules"]) == (0, 1)
    assert (fields["B3"]["uncovered_modules"], fields["B3"]["spof_modules"]) == (0, 0)
    branches = by_key(staffing.branch_staffing(db, D), "branch_code")
    assert [branches[c]["staffing_status"] for c in ("B1", "B2", "B3")] == [
        "uncovered", "single_point_of_failure", "no_modules"]
    # B1 headcount 40: norm ceil(40/20) = 2 to ceil(40/15) = 3 key users; it has P1, P4 = 2;
    # modules under 2 key users: supply_chain (0) and hr (1)
    assert (branches["B1"]["key_users_norm_low"], branches["B1"]["key_users_norm_high"]) == (2, 3)
    assert (branches["B1"]["key_users"], branches["B1"]["below_norm_modules"]) == (2, 2)
    # 2030-01-16: P6 starts at B2 finance -> P6 + P7 = 2 key users: covered
    assert by_key(staffing.branch_staffing(db, date(2030, 1, 16)), "branch_code")["B2"]["staffing_status"] == \
        "covered"


def test_coverage_matrix_soonest_first(db) -> None:
    matrix = staffing.coverage_matrix(db, D)
    # B2 goes live 2030-02-01, before B1 (2030-03-01)
    assert list(dict.fromkeys(matrix["branch_code"])) == ["B2", "B1"]
    assert by_key(matrix, "branch_code", "module")[("B1", "finance")]["coverage"] == "2+ (1 trained)"


def test_departures_last_90_days(db) -> None:
    left = staffing.departures(db, D)
    # P2 (2030-01-14) and P3 (on D) left in the window; P4 leaves after D; P8 left in 2029-06
    assert sorted(set(left["person_code"])) == ["P2", "P3"]
    assert set(left["leaves"]) == {"supply_chain uncovered; gap 1 fte"}


def test_what_if_leaves_uncovers_and_changes_status(db) -> None:
    version = db.version
    result = staffing.what_if_leaves(db, "P7", D)
    json.dumps(result)  # JSON-able
    assert result["person"]["active"] is True
    assert len(result["assignments"]) == 2
    # B2 finance had only P7: 1 -> 0
    assert [(r["branch_code"], r["module"]) for r in result["modules_uncovered"]] == [("B2", "finance")]
    assert result["modules_single_point_of_failure"] == []
    assert [(r["branch_code"], r["staffing_status_before"], r["staffing_status_after"])
            for r in result["status_changes"]] == [("B2", "single_point_of_failure", "uncovered")]
    changed = by_key_list(result["branches_changed"])
    # B1 pm loses P7's 0.5: (1 + 0 + 0.4) / 3 × 100 = 46.67; B2: 0 / 2.5 = 0, P7 no longer over-allocated
    assert changed["B1"]["fill_rate_after"] == pytest.approx(140 / 3)
    assert changed["B2"]["fill_rate_after"] == pytest.approx(0.0)
    assert (changed["B2"]["over_allocated_people_before"], changed["B2"]["over_allocated_people_after"]) == (1, 0)
    # computed, not saved
    assert db.version == version
    assert db.scalar("SELECT left_on FROM people WHERE person_code = 'P7'") is None
    text = staffing.what_if_text(result)
    assert "B2/finance" in text and "single_point_of_failure -> uncovered" in text


def by_key_list(rows):
    return {r["branch_code"]: r for r in rows}


def test_what_if_spof_and_inactive_and_unknown(db) -> None:
    result = staffing.what_if_leaves(db, "P4", D)
    # P4 held B1 finance (2 -> 1: SPOF) and B1 hr (1 -> 0: uncovered); B1 was already uncovered
    assert [(r["branch_code"], r["module"]) for r in result["modules_single_point_of_failure"]] == [("B1", "finance")]
    assert [(r["branch_code"], r["module"]) for r in result["modules_uncovered"]] == [("B1", "hr")]
    assert result["status_changes"] == []
    gone = staffing.what_if_leaves(db, "P2", D)  # already left
    assert gone["person"]["active"] is False and gone["branches_changed"] == [] and gone["assignments"] == []
    with pytest.raises(NotFoundError, match="NOPE"):
        staffing.what_if_leaves(db, "NOPE", D)


@pytest.mark.slow
def test_cli_what_if(db, capsys) -> None:
    path = db.path
    db.close()
    assert main(["what-if-leaves", "--db", path, "--person", "P7", "--as-of", "2030-01-15", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["modules_uncovered"][0]["module"] == "finance"
    assert main(["what-if-leaves", "--db", path, "--person", "P7", "--as-of", "2030-01-15"]) == 0
    assert "Modules left uncovered: B2/finance" in capsys.readouterr().out
    assert main(["what-if-leaves", "--db", path, "--person", "ZZ", "--as-of", "2030-01-15"]) == 1
    assert "person 'ZZ' does not exist" in capsys.readouterr().err


def test_key_user_requirement_without_module_refused(tmp_path) -> None:
    tables = {k: TABLES[k] for k in ("regions", "branches")}
    with pytest.raises(ValidationError, match="key_user requirement is per module"):
        make_db(tmp_path / "bad.duckdb", **tables,
                role_requirements=[{"branch_code": "B1", "role": "key_user", "required_fte": 1}])


def audit_count(db) -> int:
    return db.scalar("SELECT count(*) FROM audit_log")


def test_assign_person_refused_and_saved(db) -> None:
    before_rows, before_audit = db.scalar("SELECT count(*) FROM assignments"), audit_count(db)
    with pytest.raises(ValidationError, match="fte"):
        staffing.assign_person(db, "P6", "B1", "trainer", "", 1.5, caller=LOCAL)
    with pytest.raises(ValidationError, match="key user is assigned per module"):
        staffing.assign_person(db, "P6", "B1", "key_user", "", 0.5, caller=LOCAL)
    with pytest.raises(ValidationError, match="person left"):
        staffing.assign_person(db, "P4", "B2", "trainer", "", 0.5, start_date=date(2030, 2, 1), caller=LOCAL)
    with pytest.raises(ValidationError):  # same key as an existing assignment
        staffing.assign_person(db, "P1", "B1", "project_manager", None, 0.2, caller=LOCAL)
    assert (db.scalar("SELECT count(*) FROM assignments"), audit_count(db)) == (before_rows, before_audit)
    assert staffing.assign_person(db, "P6", "B1", "key_user", "supply_chain", 0.5, start_date=D, caller=LOCAL) == 1
    assert audit_count(db) == before_audit + 1
    # B1 supply_chain now has P6: covered once (SPOF), no longer uncovered
    cov = by_key(staffing.key_user_coverage(db, D), "branch_code", "module")
    assert cov[("B1", "supply_chain")]["key_users"] == 1


def test_record_departure(db) -> None:
    staffing.record_departure(db, "P1", D, original={"left_on": None}, caller=LOCAL)
    assert "P1" not in set(staffing.active_people(db, D)["person_code"])  # left on D: not active on D
    assert db.scalar("SELECT new_value FROM audit_log WHERE table_name = 'people' AND column_name = 'left_on'") \
        == "2030-01-15"
    with pytest.raises(ConflictError):  # shown before the change above
        staffing.record_departure(db, "P1", date(2030, 1, 20), original={"left_on": None}, caller=LOCAL)
    with pytest.raises(ValidationError, match="joined_on"):  # before joining
        staffing.record_departure(db, "P1", date(2028, 1, 1), caller=LOCAL)
    assert db.scalar("SELECT left_on FROM people WHERE person_code = 'P1'") == D


def test_record_training(db) -> None:
    before = audit_count(db)
    with pytest.raises(ValidationError, match="future"):
        staffing.record_training(db, "P4", "hr", "hr basics", date(2030, 2, 1), 90, today=D, caller=LOCAL)
    with pytest.raises(ValidationError, match="score"):
        staffing.record_training(db, "P4", "hr", "hr basics", D, None, today=D, caller=LOCAL)
    with pytest.raises(ValidationError, match="out of range"):
        staffing.record_training(db, "P4", "hr", "hr basics", D, 120, today=D, caller=LOCAL)
    assert audit_count(db) == before
    assert staffing.record_training(db, "P4", "hr", "hr basics", D, 90, today=D, caller=LOCAL) == "added"
    assert staffing.record_training(db, "P4", "finance", "basics", D, 85, today=D, caller=LOCAL) == "updated"
    status = by_key(staffing.key_user_assessment(db, D), "branch_code", "module", "person_code")
    assert status[("B1", "hr", "P4")]["assessment"] == "passed"
    assert status[("B1", "finance", "P4")]["assessment"] == "passed"  # 79.9 -> 85


def test_sample_what_if_p022(sample_db) -> None:
    # 2026-11-22: B08 finance and hr key users are P022 and P024 (P024's finance ends 2026-11-28): 2 -> 1 each
    result = staffing.what_if_leaves(sample_db, "P022", SAMPLE_DATES[1])
    assert {(r["branch_code"], r["module"]) for r in result["modules_single_point_of_failure"]} == {
        ("B08", "finance"), ("B08", "hr")}
    # 2026-09-15: P022 has not joined yet (2026-11-07): nothing changes
    assert staffing.what_if_leaves(sample_db, "P022", SAMPLE_DATES[0])["person"]["active"] is False


def test_one_pass_summary_agrees_with_each_metric(sample_db) -> None:
    """staffing_branch_summary.sql (one pass, used by the summary) = the per-metric queries, on both dates."""
    for as_of in SAMPLE_DATES:
        branches = staffing.branch_staffing(sample_db, as_of).set_index("branch_code")
        fill = staffing.branch_fill_rate(sample_db, as_of).set_index("branch_code")["fill_rate"]
        assert branches["fill_rate"].fillna(-1).to_dict() == pytest.approx(fill.fillna(-1).to_dict())
        over = staffing.over_allocated(sample_db, as_of)["home_branch_code"].value_counts()
        assert branches["over_allocated_people"].to_dict() == {c: int(over.get(c, 0)) for c in branches.index}
        cov = staffing.key_user_coverage(sample_db, as_of)
        uncovered = cov[cov["uncovered"]]["branch_code"].value_counts()
        spof = cov[cov["single_point_of_failure"]]["branch_code"].value_counts()
        assert branches["uncovered_modules"].to_dict() == {c: int(uncovered.get(c, 0)) for c in branches.index}
        assert branches["spof_modules"].to_dict() == {c: int(spof.get(c, 0)) for c in branches.index}


def test_settings_are_read_once_per_call(db, monkeypatch: pytest.MonkeyPatch) -> None:
    """A what-if runs coverage and the branch view twice each (before and after) on one reading of the
    settings; the summary passes its own settings down and staffing reads none."""
    reads = []
    stored = staffing.get_settings
    monkeypatch.setattr(staffing, "get_settings", lambda d: reads.append(1) or stored(d))
    staffing.what_if_leaves(db, "P1", D)
    assert len(reads) == 1
    staffing.summary_fields(db, D, stored(db))
    assert len(reads) == 1


def test_gaps_going_live_ranks_the_window_by_gap(sample_db) -> None:
    """The branches going live within 60 days of 2026-11-22 (not live, with requirements), largest gap first;
    the window's ends are included and a live branch never appears."""
    frame = staffing.gaps_going_live(sample_db, date(2026, 11, 22))
    # B04 (12-01): 1.5 + 0.5 + 0.4 + 0.3; B05 (01-01): 1.0 + 0.5; B03 (12-01): 0.7 + 0.5; B06 (01-01): 0.5 + 0.4
    assert list(frame["branch_code"]) == ["B04", "B05", "B03", "B06"]
    assert list(frame["gap_fte"]) == pytest.approx([2.7, 1.5, 1.2, 0.9])
    assert list(frame["days_to_go_live"]) == [9, 40, 9, 40]
    assert list(staffing.gaps_going_live(sample_db, date(2026, 11, 22), days=9)["branch_code"]) == ["B04", "B03"]
    assert staffing.gaps_going_live(sample_db, date(2026, 12, 2), days=0).empty  # 12-01 has passed
