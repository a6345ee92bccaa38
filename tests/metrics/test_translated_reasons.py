"""Status reasons, planner explanations and call-list reasons in Chinese, built from the same figures as the
English ones (hand-computed here: see tests/metrics/test_readiness.py for the English of branch A)."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.core import i18n
from rollout.metrics import readiness
from rollout.planning import planner
from rollout.planning.scenarios import moved_words

from support import make_db

D = date(2026, 6, 1)


def item(code: str, weight: float, status: str, completed_on: date | None = None, due_date: date | None = None,
         gate: bool = False, title: str | None = None, owner: str | None = None) -> dict:
    return {"branch_code": "A", "item_code": code, "dimension": "data", "title": title or f"task {code}",
            "owner": owner, "due_date": due_date, "weight": weight, "status": status, "completed_on": completed_on,
            "gate": gate}


@pytest.fixture(scope="module")
def db():
    """A: red (a failing gate, 92 days of slip, 33.3 % ready, 2 overdue items); P: peak season all year, so no
    month of the horizon suits it and the plan is infeasible; K: a kick-off planned on a Saturday."""
    database = make_db(
        regions=[{"region_code": "R", "region_name": "R"}],
        branches=[{"branch_code": "A", "branch_name": "A", "region_code": "R", "planned_go_live": date(2026, 6, 21)},
                  {"branch_code": "P", "branch_name": "P", "region_code": "R", "planned_go_live": date(2026, 9, 1),
                   "peak_months": ",".join(str(m) for m in range(1, 13))},
                  {"branch_code": "K", "branch_name": "K", "region_code": "R", "planned_kickoff": date(2026, 3, 7)}],
        checklist=[item("A-1", 2, "done", date(2026, 5, 20)), item("A-2", 1, "done", date(2026, 6, 10),
                                                                       date(2026, 5, 25)),
                   item("A-4", 1, "open", due_date=date(2026, 5, 15), gate=True, title="Opening balances loaded",
                        owner="Li"),
                   item("A-5", 2, "in_progress", due_date=D)])
    yield database
    database.close()


def reasons(db, language: str) -> list[str]:
    with i18n.use_language(language):
        status = readiness.branch_status(db, D)
    return list(status[status["branch_code"] == "A"].iloc[0]["reasons"])


def test_status_reasons_in_both_languages(db) -> None:
    assert reasons(db, "en") == ["gate 'Opening balances loaded' not done, go-live in 20 days",
                                 "forecast ready 2026-09-21, 92 days after the planned go-live (more than 30)",
                                 "readiness 33.3% (below 60%), go-live in 20 days",
                                 "2 overdue items, most late 'Opening balances loaded' (Li, 17 days late)"]
    assert reasons(db, "zh") == ["上线关口“Opening balances loaded”未完成，距上线 20 天",
                                 "预计 2026-09-21 就绪，比计划上线日期晚 92 天（超过 30 天）",
                                 "准备度 33.3%（低于 60%），距上线 20 天",
                                 "2 个事项逾期，最晚的是“Opening balances loaded”（Li，逾期 17 天）"]


@pytest.mark.parametrize(("days", "english", "chinese"), [
    (1, "go-live in 1 day", "距上线 1 天"), (21, "go-live in 21 days", "距上线 21 天"),
    (0, "go-live today", "今天上线"), (-1, "planned go-live passed 1 day ago", "计划上线日期已过 1 天"),
    (-5, "planned go-live passed 5 days ago", "计划上线日期已过 5 天"), (None, "no planned go-live", "无计划上线日期"),
])
def test_go_live_words_and_their_plurals(days: int | None, english: str, chinese: str) -> None:
    assert readiness.go_live_words(days) == english
    with i18n.use_language("zh"):
        assert readiness.go_live_words(days) == chinese


def test_an_infeasible_plan_is_explained_in_chinese(db) -> None:
    english = planner.plan_json(db, D, ignore_forecast=True)
    with i18n.use_language("zh"):
        chinese = planner.plan_json(db, D, ignore_forecast=True)
        text = planner.plan_text(chinese)
    assert english["status"] == chinese["status"] == "infeasible"  # the JSON's codes stay as PLANNING.md has them
    assert english["conflicts"] == ["P: cannot go live in its peak months (1,2,3,4,5,6,7,8,9,10,11,12), but the "
                                    "horizon 2026-07..2028-06 leaves no such month"]
    assert chinese["conflicts"] == ["P：不能在其业务旺季月份（1,2,3,4,5,6,7,8,9,10,11,12）上线，但计划期 "
                                    "2026-07..2028-06 内没有这样的月份"]
    assert text.splitlines()[:2] == ["上线计划（截至 2026-06-01）：无可行方案",
                                     "没有满足全部规则的计划（无可行方案）；冲突如下："]


def test_a_kickoff_on_a_saturday_is_named_in_the_language(db) -> None:
    with i18n.use_language("zh"):
        flags = readiness.kickoff_flags(db, "K")
    assert flags.to_dict("records") == [{"rule": "weekend",
                                         "finding": "计划启动会日期 2026-03-07 是星期六（请安排在工作日上午召开）"}]
    assert readiness.kickoff_flags(db, "K")["finding"].tolist() == [
        "planned kick-off 2026-03-07 is a Saturday (hold it on a working day, in the morning)"]


@pytest.mark.parametrize(("months", "english", "chinese"), [
    (1, "later by 1 month", "推迟 1 个月"), (3, "later by 3 months", "推迟 3 个月"),
    (-1, "earlier by 1 month", "提前 1 个月"), (0, "unchanged", "未变"), (None, "new date", "新日期"),
])
def test_scenario_moves_in_words(months: int | None, english: str, chinese: str) -> None:
    assert moved_words(months) == english
    with i18n.use_language("zh"):
        assert moved_words(months) == chinese
