"""The demo portfolio: deterministic, valid by the importer's own rules, every stage present, relative to today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rollout.cli import main
from rollout.core.access import LOCAL
from rollout.demo.portfolio import PILOT_CODE, build_demo, demo_workbook, month_start
from rollout.exchange.importer import load
from rollout.exchange.spec import APPLICATION_STATUSES, DIMENSIONS, LOAD_ORDER
from rollout.store.db import Database

TODAY = date(2026, 3, 10)


def contents(db: Database) -> dict[str, list[tuple]]:
    """Every workbook table, sorted, for comparing two databases."""
    return {name: sorted(db.rows(f'SELECT * FROM "{name}"'), key=repr) for name in LOAD_ORDER}


@pytest.fixture(scope="module")
def demo40():
    db = Database(":memory:")
    counts = build_demo(db, branches=40, seed=7, today=TODAY)
    yield db, counts
    db.close()


@pytest.mark.slow
def test_same_seed_and_day_give_identical_data_and_another_seed_differs():
    first, second, other = Database(":memory:"), Database(":memory:"), Database(":memory:")
    build_demo(first, branches=12, seed=3, today=TODAY, history=False)
    build_demo(second, branches=12, seed=3, today=TODAY, history=False)
    build_demo(other, branches=12, seed=4, today=TODAY, history=False)
    a, b, c = contents(first), contents(second), contents(other)
    assert a == b
    assert a["checklist"] and a["touchpoints"] and a["people"]
    assert a["checklist"] != c["checklist"]
    assert a["branches"] != c["branches"]


def test_counts_are_rows_written_and_the_load_is_marked_demo(demo40):
    db, counts = demo40
    assert set(counts) == {*LOAD_ORDER, "snapshots", "decisions", "plan_scenarios"}
    for table, inserted in counts.items():
        assert inserted == db.scalar(f'SELECT count(*) FROM "{table}"') > 0, table
    # the app's "demo data" banner looks for a load named 'demo'
    assert db.scalar("SELECT count(*) FROM import_log WHERE file_name = 'demo'") == len(LOAD_ORDER)


def test_valid_by_the_importers_rules_and_loading_again_changes_nothing():
    db = Database(":memory:")
    raw = demo_workbook(branches=10, seed=7, today=TODAY)
    first = load(db, raw, today=TODAY, caller=LOCAL)  # validates everything first: raises if any row broke a rule
    again = load(db, raw, today=TODAY, caller=LOCAL)
    for table, counts in again.counts.items():
        assert (counts.inserted, counts.updated) == (0, 0), table
        assert counts.unchanged == first.counts[table].inserted, table


def test_branches_n_gives_n_branches_besides_the_pilot():
    for n in (1, 3):
        db = Database(":memory:")
        build_demo(db, branches=n, seed=7, today=TODAY, history=False)
        assert db.scalar("SELECT count(*) FROM branches WHERE NOT is_pilot") == n
        assert db.rows("SELECT branch_code FROM branches WHERE is_pilot") == [(PILOT_CODE,)]


@pytest.mark.slow  # near the 1 s budget on a slow hour of this machine (CI run, 2026-12-05)
def test_a_larger_portfolio_keeps_unique_codes_and_a_handful_of_regions():
    db = Database(":memory:")
    build_demo(db, branches=120, seed=11, today=TODAY, history=False)
    assert db.scalar("SELECT count(*) FROM branches WHERE NOT is_pilot") == 120
    assert db.scalar("SELECT count(DISTINCT branch_code) FROM branches") == 121
    assert 6 <= db.scalar("SELECT count(*) FROM regions") <= 10
    # every region is used and carries a Chinese name (华东区 ...)
    assert db.scalar("SELECT count(*) FROM regions WHERE region_code NOT IN (SELECT region_code FROM branches)") == 0
    assert db.scalar("SELECT count(*) FROM regions WHERE NOT regexp_matches(region_name, '区$')") == 0
    # the mix scales: live, preparing and unplanned branches all present at 120
    assert db.scalar("SELECT count(*) FROM branches WHERE actual_go_live <= ?", [TODAY]) >= 20
    assert db.scalar("SELECT count(*) FROM branches WHERE branch_code NOT IN "
                     "(SELECT branch_code FROM checklist)") >= 6


def test_every_stage_is_present(demo40):
    db, _ = demo40
    d = {"d": TODAY}
    # live: stage-1 modules live
    assert db.scalar("SELECT count(*) FROM branches b WHERE NOT is_pilot AND actual_go_live <= $d AND NOT EXISTS "
                     "(SELECT 1 FROM modules m WHERE m.branch_code = b.branch_code AND m.phase = 1 "
                     "AND (m.actual_go_live IS NULL OR m.actual_go_live > $d))", d) >= 3
    # in stage 1: live, production planned after today and not live
    assert db.scalar("SELECT count(*) FROM branches b JOIN modules m USING (branch_code) WHERE b.actual_go_live <= $d "
                     "AND m.module = 'production' AND m.actual_go_live IS NULL AND m.planned_go_live > $d", d) >= 1
    # no plan yet: no checklist rows at all
    assert db.scalar("SELECT count(*) FROM branches WHERE branch_code NOT IN (SELECT branch_code FROM checklist)") >= 1
    # stalled-looking: not live, work remaining, nothing completed in the last 8 weeks
    stalled = db.scalar("""
        SELECT count(*) FROM (SELECT c.branch_code FROM checklist c JOIN branches b USING (branch_code)
            WHERE b.actual_go_live IS NULL GROUP BY 1
            HAVING count(*) FILTER (WHERE status NOT IN ('done', 'waived')) > 0
               AND count(*) FILTER (WHERE status = 'done' AND completed_on > $d - INTERVAL 56 DAY) = 0)""", d)
    assert stalled >= 1
    # clearly red: failing gates and overdue items with go-live within two months
    assert db.scalar("""
        SELECT count(*) FROM branches b WHERE actual_go_live IS NULL AND planned_go_live - $d <= 60
          AND EXISTS (SELECT 1 FROM checklist c WHERE c.branch_code = b.branch_code AND gate AND status <> 'done')
          AND EXISTS (SELECT 1 FROM checklist c WHERE c.branch_code = b.branch_code
                      AND status IN ('open', 'in_progress') AND due_date < $d)""", d) >= 1
    # green-looking: preparing, nothing overdue
    assert db.scalar("""
        SELECT count(*) FROM branches b
        WHERE actual_go_live IS NULL AND branch_code IN (SELECT branch_code FROM checklist)
          AND NOT EXISTS (SELECT 1 FROM checklist c WHERE c.branch_code = b.branch_code
                          AND status IN ('open', 'in_progress') AND due_date < $d)""", d) >= 1


def test_checklists_cover_every_dimension_status_and_the_kickoff_rules(demo40):
    db, _ = demo40
    assert sorted(r[0] for r in db.rows("SELECT DISTINCT dimension FROM checklist")) == sorted(DIMENSIONS)
    assert sorted(r[0] for r in db.rows("SELECT DISTINCT status FROM checklist")) == \
        ["done", "in_progress", "open", "waived"]
    titles = {r[0] for r in db.rows("SELECT DISTINCT title FROM checklist WHERE gate")}
    assert {"Opening balances loaded", "Chart of accounts validated"} <= titles
    kickoff = " ".join(r[0] for r in db.rows("SELECT title FROM checklist WHERE branch_code = ? "
                                             "AND dimension = 'kickoff'", [PILOT_CODE]))
    for words in ("notice and agenda", "materials", "Steering committee", "Reward and penalty", "minutes signed"):
        assert words in kickoff
    assert db.scalar("SELECT count(*) FROM checklist WHERE completed_on > ?", [TODAY]) == 0
    assert db.scalar("SELECT count(*) FROM checklist WHERE owner IS NULL OR due_date IS NULL") == 0
    # items at the default size: 15-30 per planned branch
    per_branch = db.scalar("SELECT avg(n) FROM (SELECT count(*) n FROM checklist WHERE branch_code <> ? GROUP BY "
                           "branch_code)", [PILOT_CODE])
    assert 15 <= per_branch <= 30


def test_the_pilot_is_live_a_year_ago_and_its_checklist_is_the_template(demo40):
    db, _ = demo40
    row = db.rows("SELECT is_pilot, actual_go_live, wave FROM branches WHERE branch_code = ?", [PILOT_CODE])[0]
    assert row == (True, date(2025, 3, 1), 0)  # 12 months before March 2026, on the 1st
    pilot_items = {r[0] for r in db.rows("SELECT item_code FROM checklist WHERE branch_code = ?", [PILOT_CODE])}
    others = {r[0] for r in db.rows("SELECT DISTINCT item_code FROM checklist WHERE branch_code <> ?", [PILOT_CODE])}
    assert others <= pilot_items
    assert db.scalar("SELECT count(*) FROM checklist WHERE branch_code = ? AND status IN ('open', 'in_progress')",
                     [PILOT_CODE]) == 0


def test_dates_follow_the_planning_rules(demo40):
    db, _ = demo40
    assert db.scalar("SELECT count(*) FROM branches WHERE dayofmonth(planned_go_live) <> 1") == 0
    assert db.scalar("SELECT count(*) FROM modules WHERE dayofmonth(planned_go_live) <> 1") == 0
    assert db.scalar("SELECT count(*) FROM branches WHERE isodow(planned_kickoff) > 5") == 0  # weekdays only
    assert db.scalar("SELECT count(*) FROM branches WHERE peak_months IS NOT NULL") >= 5
    assert db.scalar("SELECT count(*) FROM branches WHERE consultant_days_used > 0 "
                     "AND consultant_days_budget > 0") >= 10


def test_people_cover_leavers_failed_assessments_over_allocation_and_key_user_gaps(demo40):
    db, _ = demo40
    d = {"d": TODAY}
    assert db.scalar("SELECT count(*) FROM people WHERE left_on < $d", d) >= 1
    assert db.scalar("SELECT count(*) FROM training WHERE score < 80") >= 1
    assert db.scalar("SELECT count(*) FROM training WHERE score >= 80") >= 1
    over = db.scalar("""
        SELECT count(*) FROM (SELECT a.person_code FROM assignments a JOIN people p USING (person_code)
            WHERE (p.joined_on IS NULL OR p.joined_on <= $d) AND (p.left_on IS NULL OR p.left_on > $d)
              AND (a.start_date IS NULL OR a.start_date <= $d) AND (a.end_date IS NULL OR a.end_date >= $d)
            GROUP BY 1 HAVING sum(fte) > 1.0 + 1e-9)""", d)
    assert over >= 1
    coverage = db.rows("""
        SELECT m.branch_code, m.module, count(DISTINCT p.person_code) FROM modules m
        LEFT JOIN assignments a ON a.branch_code = m.branch_code AND a.module = m.module AND a.role = 'key_user'
        LEFT JOIN people p ON p.person_code = a.person_code AND (p.left_on IS NULL OR p.left_on > $d)
        GROUP BY 1, 2""", d)
    counts = [c for _, _, c in coverage]
    assert 0 in counts and 1 in counts and max(counts) >= 2  # uncovered, single point of failure, covered
    roles = {r[0] for r in db.rows("SELECT DISTINCT role FROM role_requirements")}
    assert roles == {"project_manager", "key_user", "it_admin", "data_steward", "trainer"}


def test_executives_are_engaged_quiet_or_never_contacted(demo40):
    db, _ = demo40
    d = {"d": TODAY}
    last = db.rows("SELECT e.exec_code, max(t.date) FROM executives e LEFT JOIN touchpoints t USING (exec_code) "
                   "GROUP BY 1")
    assert any(day is None for _, day in last)  # never contacted
    assert any(day is not None and (TODAY - day).days > 60 for _, day in last)  # gone quiet
    assert any(day is not None and (TODAY - day).days <= 14 for _, day in last)  # engaged
    assert db.scalar("SELECT count(*) FROM executives WHERE branch_code IS NULL") == 6  # regional presidents
    assert db.scalar("SELECT count(*) FROM touchpoints WHERE date > $d OR date < $d - INTERVAL 200 DAY", d) == 0
    assert {r[0] for r in db.rows("SELECT DISTINCT channel FROM touchpoints")} == {"email", "phone", "visit",
                                                                                  "meeting"}
    assert db.scalar("SELECT min(sentiment) FROM touchpoints") == -2
    assert db.scalar("SELECT max(sentiment) FROM touchpoints") == 2
    overdue = db.scalar("""
        SELECT count(*) FROM touchpoints t WHERE follow_up_due < $d AND NOT EXISTS (
            SELECT 1 FROM touchpoints u WHERE u.exec_code = t.exec_code AND u.date > t.date AND u.date <= $d)""", d)
    assert overdue >= 1


def test_lessons_are_partly_applied_and_problems_logged_at_live_branches(demo40):
    db, _ = demo40
    assert 6 <= db.scalar("SELECT count(*) FROM lessons") <= 10
    assert db.scalar("SELECT count(DISTINCT category) FROM lessons") == 6
    assert db.scalar("SELECT count(DISTINCT impact) FROM lessons") == 3
    pilot_live = db.scalar("SELECT actual_go_live FROM branches WHERE is_pilot")
    assert db.scalar("SELECT min(recorded_on) FROM lessons") > pilot_live
    assert sorted(r[0] for r in db.rows("SELECT DISTINCT status FROM lesson_applications")) == \
        sorted(APPLICATION_STATUSES)
    possible = db.scalar("SELECT count(*) FROM lessons, branches WHERE NOT is_pilot")
    assert 0 < db.scalar("SELECT count(*) FROM lesson_applications") < possible * 0.8  # many missing
    assert db.scalar("SELECT count(*) FROM problems p JOIN branches b USING (branch_code) "
                     "WHERE b.actual_go_live IS NULL OR p.opened_on < b.actual_go_live") == 0
    assert db.scalar("SELECT count(*) FROM problems WHERE severity = 'critical'") >= 1
    assert db.scalar("SELECT count(*) FROM problems WHERE closed_on IS NULL") >= 1
    assert db.scalar("SELECT count(*) FROM problems WHERE closed_on IS NOT NULL") >= 1
    assert db.scalar("SELECT count(*) FROM master_data WHERE object = 'opening_balances' "
                     "AND records_expected = 0") >= 1
    assert db.scalar("SELECT count(*) FROM master_data WHERE records_validated < records_expected") >= 1


def test_from_kickoff_to_acceptance(demo40):
    db, _ = demo40
    from rollout.metrics import after_go_live, kickoff

    # kick-offs: most passed ones recorded, mostly by the rules, a few with findings
    findings = kickoff.kickoff_findings(db, TODAY)
    with_findings = int(findings["findings"].map(bool).sum())
    assert 3 <= with_findings <= len(findings) // 2
    assert db.scalar("SELECT count(*) FROM kickoffs k JOIN branches b USING (branch_code) "
                     "WHERE k.held_on <> b.planned_kickoff") == 0
    # consultant days by phase, day by day, only up to today, never before four weeks ahead of the kick-off
    phases = {r[0] for r in db.rows("SELECT DISTINCT phase FROM consultant_days")}
    assert {"preparation", "kickoff", "training", "testing"} <= phases
    assert db.scalar("SELECT count(*) FROM consultant_days c JOIN branches b USING (branch_code) "
                     "WHERE c.work_date > ? OR c.work_date < b.planned_kickoff - 28", [TODAY]) == 0
    assert db.scalar("SELECT count(DISTINCT branch_code) FROM consultant_days") >= 10
    # daily entries at live branches only, some branches below 95 % over the last 30 days
    assert db.scalar("SELECT count(*) FROM daily_entries e JOIN branches b USING (branch_code) "
                     "WHERE b.actual_go_live IS NULL OR e.date < b.actual_go_live OR e.date > ?", [TODAY]) == 0
    rates = after_go_live.same_day_entry_rate(db, TODAY)["same_day_entry_rate"]
    assert (rates < 95).any() and (rates >= 95).any()
    # accepted and unaccepted live branches, exactly one overdue payment
    live = after_go_live.live_branches(db, TODAY)
    assert live["accepted"].any() and (~live["accepted"]).any()
    assert int(live["payment_overdue"].sum()) == 1


def test_dates_move_with_today():
    later = date(2030, 3, 10)
    db = Database(":memory:")
    build_demo(db, branches=8, seed=7, today=later, history=False)
    assert db.scalar("SELECT actual_go_live FROM branches WHERE is_pilot") == date(2029, 3, 1)
    assert db.scalar("SELECT max(date) FROM touchpoints") <= later
    assert db.scalar("SELECT max(date) FROM touchpoints") >= later - timedelta(days=30)
    assert db.scalar("SELECT max(completed_on) FROM checklist") <= later
    assert db.scalar("SELECT min(planned_go_live) FROM branches WHERE actual_go_live IS NULL") >= \
        month_start(later, 1)
    assert db.scalar("SELECT count(*) FROM branches WHERE actual_go_live <= ?", [later]) >= 2


def test_month_start_crosses_years():
    assert month_start(date(2026, 1, 31), -1) == date(2025, 12, 1)
    assert month_start(date(2026, 11, 5), 2) == date(2027, 1, 1)
    assert month_start(date(2026, 3, 10), -12) == date(2025, 3, 1)


@pytest.mark.slow
def test_cli_demo_writes_and_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    assert main(["demo", "--db", str(path), "--branches", "4", "--today", "2026-03-10"]) == 0
    assert "demo portfolio written to" in capsys.readouterr().out
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM branches") == 5
    assert main(["demo", "--db", str(path), "--branches", "4"]) == 1  # exists, no --force
    assert main(["demo", "--db", str(path), "--branches", "6", "--force", "--today", "2026-03-10"]) == 0
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM branches") == 7
