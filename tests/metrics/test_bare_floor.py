"""The benchmark's bare-SQL floor (bench/bare_sql) computes the summary's figures, the seven RAID and
deviation fields among them: bench/run.py's agree() finds no difference on the sample at two dates and on a
small demo, and does find one when a figure differs. DuckDB files only (the floor is DuckDB's SQL)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from bench.run import agree, bare_summary
from rollout.demo.portfolio import build_demo
from rollout.metrics.raid import SUMMARY_COLUMNS
from rollout.metrics.summary import summary
from rollout.store.db import Database

RAID_FIELDS = SUMMARY_COLUMNS[1:]


def totals(rows: list[dict]) -> dict[str, int]:
    return {field: sum(int(row[field]) for row in rows) for field in RAID_FIELDS}


@pytest.mark.slow
@pytest.mark.parametrize(("as_of", "nonzero"), [
    (date(2026, 9, 15), {"open_critical_risks", "open_risks_high", "overdue_actions", "open_issues"}),
    (date(2026, 11, 22), {"open_risks_high", "overdue_actions", "open_issues", "deviations_pending",
                          "deviations_blocking", "requirements_unsigned"})])
def test_the_floor_agrees_on_the_sample(sample_db_file: Path, as_of: date, nonzero: set[str]) -> None:
    with Database(sample_db_file, read_only=True) as db:
        ours, bare = summary(db, as_of), bare_summary(db, as_of)
    assert agree(ours, bare) == []
    assert set(RAID_FIELDS) <= set(bare["raid"][0])
    counted = totals(bare["raid"])
    assert {field for field, value in counted.items() if value} >= nonzero  # the agreement is not of zeros
    assert counted == totals(ours["branches"])
    changed = copy.deepcopy(ours)
    first = changed["branches"][0]
    first["deviations_pending"] += 1
    floor = next(row for row in bare["raid"] if row["branch_code"] == first["branch_code"])
    assert agree(changed, bare) == [f"raid:{first['branch_code']}.deviations_pending "
                                    f"ours={first['deviations_pending']} bare={floor['deviations_pending']}"]


@pytest.mark.slow
def test_the_floor_agrees_on_a_small_demo(tmp_path: Path) -> None:
    today = date(2026, 11, 22)
    with Database(tmp_path / "demo.duckdb") as db:
        build_demo(db, branches=12, seed=7, today=today, history=False)
        for as_of in (today, date(2026, 10, 1)):
            ours, bare = summary(db, as_of), bare_summary(db, as_of)
            assert agree(ours, bare) == []
            assert sum(totals(bare["raid"]).values()) > 0
