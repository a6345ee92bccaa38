"""rollout/lessons.py: coverage, recurrence, go-live problems and the lessons loop, on hand-built databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from rollout.core.access import LOCAL, Caller
from rollout.core.errors import ConflictError, NotFoundError, ValidationError
from rollout.metrics import lessons
from rollout.metrics.summary import summary
from rollout.store.settings import get_settings

from support import Stores, make_db, private_copy

D = date(2026, 6, 1)
TODAY = date(2026, 6, 10)

REGIONS = [{"region_code": "E", "region_name": "East"}, {"region_code": "W", "region_name": "West"}]
BRANCHES = [
    {"branch_code": "PIL", "branch_name": "Pilot", "region_code": "E", "is_pilot": True,
     "actual_go_live": date(2026, 1, 1)},
    # live on D exactly (actual_go_live <= D): excluded from coverage
    {"branch_code": "LIV", "branch_name": "Live", "region_code": "E", "actual_go_live": D},
    {"branch_code": "BA", "branch_name": "A", "region_code": "E", "planned_go_live": date(2026, 9, 1)},
    {"branch_code": "BB", "branch_name": "B", "region_code": "E", "planned_go_live": date(2026, 8, 1)},
    # goes live the day after D: still eligible on D
    {"branch_code": "BC", "branch_name": "C", "region_code": "E", "actual_go_live": date(2026, 6, 2)},
    {"branch_code": "BD", "branch_name": "D", "region_code": "W"},
]
LESSONS = [
    {"lesson_code": "K1", "source_branch_code": "PIL", "module": "finance", "category": "data",
     "title": "Opening balances late", "impact": "high", "recommendation": "Close first", "recorded_on": "2026-02-01"},
    {"lesson_code": "K2", "source_branch_code": "PIL", "category": "executive", "title": "Head absent",
     "impact": "medium", "recorded_on": "2026-02-01"},  # no module
    {"lesson_code": "K3", "source_branch_code": "PIL", "module": "hr", "category": "training",
     "title": "Train backups", "impact": "low", "recorded_on": "2026-02-01"},
]
APPLICATIONS = [
    {"lesson_code": "K1", "branch_code": "PIL", "status": "applied"},  # pilot: excluded
    {"lesson_code": "K1", "branch_code": "LIV", "status": "verified"},  # live: excluded
    {"lesson_code": "K1", "branch_code": "BA", "status": "not_applicable"},  # covered
    {"lesson_code": "K1", "branch_code": "BB", "status": "applied"},  # covered
    {"lesson_code": "K1", "branch_code": "BC", "status": "planned"},  # not covered; BD: no row, not covered
    {"lesson_code": "K2", "branch_code": "BA", "status": "verified"},
]
PROBLEMS = [
    # recurrence of K1 (finance, recorded 2026-02-01)
    {"problem_code": "P01", "branch_code": "BC", "opened_on": "2026-03-01", "severity": "high", "module": "finance",
     "title": "BC planned: recurs"},
    {"problem_code": "P02", "branch_code": "BB", "opened_on": "2026-03-01", "severity": "high", "module": "finance",
     "title": "BB applied: not"},
    {"problem_code": "P03", "branch_code": "BD", "opened_on": "2026-01-15", "severity": "high", "module": "finance",
     "title": "before the lesson: not"},
    {"problem_code": "P04", "branch_code": "BD", "opened_on": "2026-02-01", "severity": "high", "module": "finance",
     "title": "same day as the lesson: not"},
    {"problem_code": "P05", "branch_code": "BD", "opened_on": "2026-04-01", "severity": "low", "module": "finance",
     "title": "BD no row: recurs"},
    {"problem_code": "P06", "branch_code": "BA", "opened_on": "2026-04-01", "severity": "low", "module": "finance",
     "title": "BA not_applicable: recurs"},
    {"problem_code": "P07", "branch_code": "BA", "opened_on": "2026-04-01", "severity": "low", "module": "production",
     "title": "other module: not"},
    {"problem_code": "P08", "branch_code": "BC", "opened_on": "2026-07-01", "severity": "low", "module": "finance",
     "title": "after D: not on D"},
    # critical problems (no module), limit 3 days
    {"problem_code": "C01", "branch_code": "LIV", "opened_on": "2026-05-29", "severity": "critical",
     "title": "open exactly 3 days"},
    {"problem_code": "C02", "branch_code": "BC", "opened_on": "2026-05-28", "severity": "critical",
     "title": "open 4 days"},
    {"problem_code": "C03", "branch_code": "BB", "opened_on": "2026-05-20", "closed_on": "2026-06-01",
     "severity": "critical", "title": "closed on D"},
    {"problem_code": "C04", "branch_code": "BA", "opened_on": "2026-05-20", "closed_on": "2026-06-02",
     "severity": "critical", "title": "closed after D: open on D"},
    # pilot go-live problems (go-live 2026-01-01)
    {"problem_code": "G01", "branch_code": "PIL", "opened_on": "2026-01-01", "severity": "high", "title": "open"},
    {"problem_code": "G02", "branch_code": "PIL", "opened_on": "2026-01-10", "closed_on": "2026-01-20",
     "severity": "medium", "title": "week 1 to week 2"},
    {"problem_code": "G03", "branch_code": "PIL", "opened_on": "2025-12-20", "closed_on": "2026-01-03",
     "severity": "low", "title": "before go-live, closed week 0"},
]


@pytest.fixture(scope="module")
def template(stores: Stores) -> Iterator[str]:
    """The fixture database built once (make_db: the importer's rules) and copied per test, on each engine."""
    location = stores.new()
    make_db(location, regions=REGIONS, branches=BRANCHES, lessons=LESSONS, lesson_applications=APPLICATIONS,
            problems=PROBLEMS).close()
    yield location
    stores.drop(location)


@pytest.fixture
def db(template: str, tmp_path: Path):
    with private_copy(template, tmp_path) as database:
        yield database


def coverage_of(db, as_of=D, regions=()):
    frame = lessons.application_coverage(db, as_of, regions)
    return {r.lesson_code: (r.covered_branches, r.eligible_branches, r.application_coverage)
            for r in frame.itertuples()}


def audit_count(db) -> int:
    return db.scalar("SELECT count(*) FROM audit_log")


# --- coverage -----------------------------------------------------------------------------------------

def test_coverage_excludes_pilot_and_live_counts_not_applicable(db) -> None:
    # eligible on D: BA, BB, BC (live only from 06-02), BD = 4 (PIL pilot, LIV live on D exactly)
    # K1: BA not_applicable + BB applied covered; BC planned and BD no row not covered -> 2/4 = 50%
    # K2: BA verified -> 1/4 = 25%; K3: no row anywhere -> 0/4 = 0%
    assert coverage_of(db) == {"K1": (2, 4, 50.0), "K2": (1, 4, 25.0), "K3": (0, 4, 0.0)}


def test_coverage_next_day_drops_branch_that_went_live(db) -> None:
    # on 06-02 BC is live: eligible BA, BB, BD = 3; K1 covered BA, BB -> 2/3
    assert coverage_of(db, date(2026, 6, 2))["K1"] == (2, 3, pytest.approx(200 / 3))


def test_coverage_region_filter(db) -> None:
    # region E only: BA, BB, BC eligible (BD is West); K1 2/3; K2 1/3
    cov = coverage_of(db, regions=("E",))
    assert cov["K1"] == (2, 3, pytest.approx(66.6667, abs=1e-3))
    assert cov["K2"] == (1, 3, pytest.approx(33.3333, abs=1e-3))


def test_coverage_null_when_no_eligible_branch(db_factory) -> None:
    one = db_factory(regions=REGIONS, branches=BRANCHES[:2], lessons=LESSONS[:1])
    # only the pilot and a live branch: nobody is eligible -> null
    frame = lessons.summary_fields(one, D, get_settings(one))
    assert list(frame.columns) == ["lesson_code", "application_coverage"]
    assert frame["application_coverage"].isna().all()
    assert summary(one, D)["lessons"] == [{"lesson_code": "K1", "application_coverage": None}]


def test_summary_rounds_coverage(db) -> None:
    # on 06-02 K1 = 2/3 = 66.666.. -> 66.7 in the summary
    assert summary(db, date(2026, 6, 2))["lessons"][0] == {"lesson_code": "K1", "application_coverage": 66.7}


# --- recurrence ---------------------------------------------------------------------------------------

def test_recurring_lessons(db) -> None:
    recurring = lessons.recurring_lessons(db, D)
    # K1 finance recorded 02-01: P01 (BC planned), P05 (BD no row), P06 (BA not_applicable) recur;
    # P02 (BB applied), P03 (before), P04 (same day), P07 (production), P08 (after D) do not.
    # K2 has no module: never recurs. K3 (hr): no hr problem.
    pairs = sorted(zip(recurring.lesson_code, recurring.problem_code, recurring.application_status, strict=True))
    assert pairs == [("K1", "P01", "planned"), ("K1", "P05", "missing"), ("K1", "P06", "not_applicable")]


def test_recurring_after_as_of_and_lesson_without_module(db) -> None:
    # on 07-01 P08 (BC finance, planned) is logged too: 4 pairs, still none for K2 (no module)
    recurring = lessons.recurring_lessons(db, date(2026, 7, 1))
    assert sorted(recurring.problem_code) == ["P01", "P05", "P06", "P08"]
    assert set(recurring.lesson_code) == {"K1"}


def test_overview_counts_recurring_problems(db) -> None:
    overview = lessons.lessons_overview(db, D).set_index("lesson_code")
    assert overview.loc["K1", "recurring_problems"] == 3
    assert overview.loc["K2", "recurring_problems"] == 0
    # West only: P05 at BD; coverage over BD alone: K1 none of 1 -> 0%
    west = lessons.lessons_overview(db, D, ("W",)).set_index("lesson_code")
    assert west.loc["K1", "recurring_problems"] == 1
    assert west.loc["K1", "application_coverage"] == 0.0


def test_application_matrix(db) -> None:
    matrix = lessons.application_matrix(db, D)
    k1 = matrix[matrix.lesson_code == "K1"]
    # non-pilot branches; not live first by date: BC (06-02), BB (08-01), BA (09-01), BD (none), then LIV (live)
    assert k1.branch_code.tolist() == ["BC", "BB", "BA", "BD", "LIV"]
    assert k1.status.tolist() == ["planned", "applied", "not_applicable", "missing", "verified"]
    assert k1.eligible.tolist() == [True, True, True, True, False]
    assert len(matrix) == 3 * 5


# --- go-live problems ---------------------------------------------------------------------------------

def test_critical_flags_limit_edge(db) -> None:
    flags = lessons.critical_problem_flags(db, D, get_settings(db))
    # C01 open exactly 3 days: not flagged; C02 4 days: flagged; C03 closed on D: not open;
    # C04 closed after D: open on D, 12 days: flagged
    assert flags.branch_code.tolist() == ["BA", "BC"]
    assert flags.oldest_age_days.tolist() == [12, 4]
    assert flags.problem_codes.tolist() == ["C04", "C02"]
    # a day later C01 is 4 days open: LIV flagged too (C04 closed on 06-02 drops out)
    assert sorted(lessons.critical_problem_flags(db, date(2026, 6, 2)).branch_code) == ["BC", "LIV"]


def test_critical_flags_read_the_setting(db) -> None:
    # limit 4: C02 (4 days) is no longer past it; C04 (12 days) still is
    flags = lessons.critical_problem_flags(db, D, {**get_settings(db), "critical_problem_days": 4})
    assert flags.branch_code.tolist() == ["BA"]
    with db.transaction() as cur:
        cur.execute("INSERT INTO settings VALUES ('critical_problem_days', 20, now())")
    assert lessons.critical_problem_flags(db, D).empty  # no settings given: read from the database


def test_open_problems_and_backlog(db) -> None:
    open_now = lessons.open_problems(db, D)
    # live on D: PIL, LIV. Open: G01 (PIL, 151 days), C01 (LIV, 3 days); G02, G03 closed
    assert open_now.problem_code.tolist() == ["G01", "C01"]
    assert open_now.age_days.tolist() == [151, 3]
    backlog = lessons.problem_backlog(db, D)
    assert backlog[["branch_code", "severity", "age_band", "open_problems"]].values.tolist() == [
        ["LIV", "critical", "0-3 days", 1], ["PIL", "high", "over 30 days", 1]]


def test_problems_per_week(db) -> None:
    weeks = lessons.problems_per_week(db, D)
    pil = weeks[weeks.branch_code == "PIL"].set_index("week")
    # go-live 01-01 to D = 151 days -> weeks 0..21
    assert pil.index.tolist() == list(range(22))
    # G01 opened 01-01 (week 0); G03 opened before go-live (not counted), closed 01-03 (week 0)
    # G02 opened 01-10 (day 9, week 1), closed 01-20 (day 19, week 2)
    assert pil.loc[0, ["opened", "closed"]].tolist() == [1, 1]
    assert pil.loc[1, ["opened", "closed"]].tolist() == [1, 0]
    assert pil.loc[2, ["opened", "closed"]].tolist() == [0, 1]
    assert pil["opened"].sum() == 2 and pil["closed"].sum() == 2
    # LIV went live on D: week 0 only, C01 was opened before go-live
    liv = weeks[weeks.branch_code == "LIV"]
    assert liv[["week", "opened", "closed"]].values.tolist() == [[0, 0, 0]]


# --- the loop: writes ---------------------------------------------------------------------------------

def test_bulk_status_one_transaction_audited(db) -> None:
    before = audit_count(db)
    added, changed = lessons.set_application_status(db, "K1", ["BC", "BD"], "applied", "done in May",
                                                    caller=Caller("tester", "admin"), today=TODAY)
    # BC planned -> applied (changed), BD had no row (added)
    assert (added, changed) == (1, 1)
    assert coverage_of(db)["K1"] == (4, 4, 100.0)
    rows = db.rows("SELECT branch_code, status, note, updated_on FROM lesson_applications "
                   "WHERE lesson_code = 'K1' AND branch_code IN ('BC', 'BD') ORDER BY branch_code")
    assert rows == [("BC", "applied", "done in May", TODAY), ("BD", "applied", "done in May", TODAY)]
    # audit: BD insert (1) + BC status, note, updated_on (3)
    trail = db.rows("SELECT actor, action, column_name, old_value, new_value FROM audit_log "
                    "WHERE audit_id > (SELECT max(audit_id) - 4 FROM audit_log) ORDER BY audit_id")
    assert audit_count(db) == before + 4
    assert ("tester", "update", "status", "planned", "applied") in trail
    # doing it again changes nothing
    assert lessons.set_application_status(db, "K1", ["BC", "BD"], "applied", today=TODAY, caller=LOCAL) == (0, 0)
    assert audit_count(db) == before + 4


def test_bulk_status_refused_saves_nothing(db) -> None:
    before = audit_count(db)
    with pytest.raises(ValidationError) as refused:
        lessons.set_application_status(db, "K1", ["BC", "NOPE"], "applied", today=TODAY, caller=LOCAL)
    assert "NOPE" in str(refused.value)
    with pytest.raises(ValidationError):
        lessons.set_application_status(db, "K1", ["BC"], "done", today=TODAY, caller=LOCAL)
    with pytest.raises(ValidationError):
        lessons.set_application_status(db, "K1", [], "applied", today=TODAY, caller=LOCAL)
    # BC is still planned, nothing audited
    assert db.scalar("SELECT status FROM lesson_applications WHERE lesson_code='K1' AND branch_code='BC'") == "planned"
    assert audit_count(db) == before


def test_lesson_to_checklist_idempotent(db) -> None:
    before = audit_count(db)
    # not pilot, not live on D: BA, BB, BC, BD -> 4 items
    assert lessons.lesson_to_checklist(db, "K1", D, caller=Caller("tester", "admin"), today=TODAY) == 4
    items = db.rows("SELECT branch_code, item_code, dimension, status, title FROM checklist ORDER BY branch_code")
    assert [r[:4] for r in items] == [(b, "LL-K1", "data", "open") for b in ("BA", "BB", "BC", "BD")]
    assert items[0][4] == "Lesson K1: Close first"
    assert db.scalar("SELECT checklist_item_code FROM lessons WHERE lesson_code = 'K1'") == "LL-K1"
    assert audit_count(db) == before + 5  # 4 inserts + the lesson's link
    # twice: nothing added, nothing audited
    assert lessons.lesson_to_checklist(db, "K1", D, today=TODAY, caller=LOCAL) == 0
    assert db.scalar("SELECT count(*) FROM checklist") == 4
    assert audit_count(db) == before + 5


def test_lesson_to_checklist_uses_existing_code_and_skips_existing_items(db) -> None:
    with db.transaction() as cur:
        cur.execute("UPDATE lessons SET checklist_item_code = 'CK-9' WHERE lesson_code = 'K3'")
        cur.execute("INSERT INTO checklist (branch_code, item_code, dimension, title, status) "
                    "VALUES ('BB', 'CK-9', 'people', 'already there', 'done')")
    # BA, BC, BD get it; BB already has CK-9 and is left alone; on 06-02 BC is live -> BA, BD only
    assert lessons.lesson_to_checklist(db, "K3", date(2026, 6, 2), today=TODAY, caller=LOCAL) == 2
    assert db.rows("SELECT branch_code, dimension FROM checklist WHERE item_code = 'CK-9' ORDER BY branch_code") == [
        ("BA", "people"), ("BB", "people"), ("BD", "people")]
    assert db.scalar("SELECT title FROM checklist WHERE branch_code = 'BB'") == "already there"
    with pytest.raises(NotFoundError):
        lessons.lesson_to_checklist(db, "NOPE", D, today=TODAY, caller=LOCAL)


def test_record_lesson(db) -> None:
    assert lessons.next_code(db, "lessons", "K") == "K4"
    lessons.record_lesson(db, {"lesson_code": "K4", "source_branch_code": "PIL", "category": "process",
                               "title": "BOMs late", "impact": "high", "module": ""}, today=TODAY, caller=LOCAL)
    assert db.rows("SELECT module, recorded_on FROM lessons WHERE lesson_code = 'K4'") == [(None, TODAY)]
    before = audit_count(db)
    for bad in ({"category": "luck"}, {"title": ""}, {"recorded_on": date(2026, 7, 1)}, {"lesson_code": "K1"}):
        with pytest.raises(ValidationError):
            lessons.record_lesson(db, {"lesson_code": "K5", "source_branch_code": "PIL", "category": "data",
                                       "title": "t", "impact": "low", **bad}, today=TODAY, caller=LOCAL)
    assert db.scalar("SELECT count(*) FROM lessons") == 4
    assert audit_count(db) == before


def test_log_and_close_problem(db) -> None:
    assert lessons.next_code(db, "problems", "P", 2) == "P09"
    lessons.log_problem(db, {"problem_code": "P09", "branch_code": "LIV", "opened_on": date(2026, 6, 5),
                             "severity": "critical", "module": "hr", "title": "payroll"}, today=TODAY, caller=LOCAL)
    before = audit_count(db)
    with pytest.raises(ValidationError):  # closed before opened
        lessons.close_problem(db, "P09", date(2026, 6, 4), today=TODAY, caller=LOCAL)
    with pytest.raises(ValidationError):  # in the future
        lessons.close_problem(db, "P09", date(2026, 6, 11), today=TODAY, caller=LOCAL)
    with pytest.raises(ValidationError):  # logging with closed_on before opened_on
        lessons.log_problem(db, {"problem_code": "P10", "branch_code": "LIV", "opened_on": date(2026, 6, 5),
                                 "closed_on": date(2026, 6, 1), "severity": "low", "title": "x"}, today=TODAY,
                                     caller=LOCAL)
    with pytest.raises(ValidationError):  # opened in the future
        lessons.log_problem(db, {"problem_code": "P10", "branch_code": "LIV", "opened_on": date(2026, 6, 20),
                                 "severity": "low", "title": "x"}, today=TODAY, caller=LOCAL)
    assert audit_count(db) == before and db.scalar("SELECT count(*) FROM problems WHERE problem_code='P10'") == 0
    with pytest.raises(ConflictError):  # someone closed it since it was shown
        lessons.close_problem(db, "P09", date(2026, 6, 6), original={"closed_on": date(2026, 6, 5)}, today=TODAY,
            caller=LOCAL)
    lessons.close_problem(db, "P09", date(2026, 6, 6), original={"closed_on": None}, today=TODAY, caller=LOCAL)
    assert db.scalar("SELECT closed_on FROM problems WHERE problem_code = 'P09'") == date(2026, 6, 6)
    assert audit_count(db) == before + 1
