"""The public acceptance test: the sample workbook's summary equals its expected figures.

One test per (field group, date), so each metric group is checked on its own; numbers within 0.05.
The expected files may hold fields of metrics not built yet: every field the summary prints is
checked, in the expected order; the others wait.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from rollout.metrics.summary import BRANCH_FIELDS, EXECUTIVE_FIELDS, LESSON_FIELDS, summary

from support import FIXTURES, SAMPLE_DATES

GROUPS = {
    "readiness": ("branches", "branch_code", ["checklist_readiness", "overdue_items", "failing_gates",
                                              "data_readiness", "forecast_ready_on", "slip_days", "status"]),
    "staffing": ("branches", "branch_code", ["fill_rate", "over_allocated_people", "uncovered_modules",
                                             "spof_modules"]),
    "forecast": ("branches", "branch_code", ["p_ready_by_go_live", "ready_p50_on", "ready_p80_on"]),
    "golive": ("branches", "branch_code", ["kickoff_findings", "man_days_used", "man_days_overrun",
                                           "problems_past_limit", "same_day_entry_rate", "ready_for_acceptance",
                                           "acceptance_overdue", "payment_overdue"]),
    "raid": ("branches", "branch_code", ["open_critical_risks", "open_risks_high", "overdue_actions", "open_issues",
                                         "deviations_pending", "deviations_blocking", "requirements_unsigned"]),
    "engagement": ("executives", "exec_code", ["engagement_score", "days_since_last_touchpoint", "status",
                                               "overdue_follow_ups"]),
    "lessons": ("lessons", "lesson_code", ["application_coverage"]),
}


def close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= 0.05
    return a == b


@pytest.fixture(scope="module")
def summaries(sample_store):
    """The summary on each engine (sample_store is parametrized: an embedded file, then PostgreSQL)."""
    from rollout.store.db import Database

    with Database(sample_store) as db:
        return {d: summary(db, d) for d in SAMPLE_DATES}


@pytest.mark.parametrize("as_of", SAMPLE_DATES, ids=str)
def test_summary_shape(summaries, as_of: date) -> None:
    expected = json.loads((FIXTURES / f"expected_summary_{as_of}.json").read_text())
    actual = summaries[as_of]
    assert actual["as_of"] == expected["as_of"]
    for part, key, fields in (("branches", "branch_code", BRANCH_FIELDS), ("executives", "exec_code", EXECUTIVE_FIELDS),
                              ("lessons", "lesson_code", LESSON_FIELDS)):
        assert [r[key] for r in actual[part]] == [r[key] for r in expected[part]]
        assert all(set(fields) <= set(r) for r in expected[part]), f"{part}: a field the expected file lacks"
        assert [list(r) for r in actual[part]] == [[f for f in r if f in fields] for r in expected[part]]


@pytest.mark.parametrize("as_of", SAMPLE_DATES, ids=str)
@pytest.mark.parametrize("group", list(GROUPS))
def test_sample_figures_match_expected(summaries, group: str, as_of: date) -> None:
    part, key, fields = GROUPS[group]
    expected = json.loads((FIXTURES / f"expected_summary_{as_of}.json").read_text())[part]
    actual = summaries[as_of][part]
    mismatches = [(e[key], f, a[f], e[f]) for a, e in zip(actual, expected, strict=True)
                  for f in fields if not close(a[f], e[f])]
    assert not mismatches, f"(code, field, actual, expected): {mismatches[:12]}"
