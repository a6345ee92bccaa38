"""A national chain: the demo's settings stay within the Settings limits up to 20,000 branches, a larger
demo is refused in one line, and the demo build reports its progress up to 100 %."""

from __future__ import annotations

import io
from datetime import date

import pytest

from rollout.cli import main, progress_bar
from rollout.core.progress import silent
from rollout.demo.history import planner_overrides
from rollout.demo.portfolio import MAX_BRANCHES, build_demo, demo_tables
from rollout.store.db import Database
from rollout.store.settings import SETTINGS, check_setting

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize("branches", [1, 40, 2_000, 5_000, 10_000, 12_001, MAX_BRANCHES])
def test_the_demos_planner_settings_are_within_the_settings_limits(branches):
    overrides = planner_overrides(branches)
    assert MAX_BRANCHES == 20_000
    for key, value in overrides.items():
        setting = SETTINGS[key]
        assert setting.minimum <= value <= setting.maximum, (branches, key, value)
        assert check_setting(key, value) == value  # the rule the Settings page and `plan` apply
    # the largest demo asks for more than the old limits (100,000 days, 1,000 go-lives) allowed
    if branches == MAX_BRANCHES:
        assert overrides["capacity_days_per_month"] > 100_000
        assert overrides["max_go_lives_per_month"] > 1_000


def test_the_capacity_limit_holds_one_branch_of_the_largest_budget_the_workbook_takes():
    """A monthly capacity below one branch's largest budget could never plan such a branch in one month."""
    from rollout.exchange.spec import SHEETS

    budget = next(c for c in SHEETS["branches"].columns if c.name == "consultant_days_budget")
    assert SETTINGS["capacity_days_per_month"].maximum >= budget.maximum


def test_more_than_20000_branches_is_refused_in_one_line(tmp_path, capsys):
    target = tmp_path / "big.duckdb"
    assert main(["demo", "--db", str(target), "--branches", "20001"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: --branches 20001 is too many (expected at most 20,000 branches)"]
    assert not target.exists()
    with pytest.raises(ValueError):
        demo_tables(MAX_BRANCHES + 1, today=TODAY)


@pytest.mark.slow
def test_the_demo_build_reports_progress_up_to_100_percent():
    seen: list[tuple[float, str]] = []
    with Database(":memory:") as db:
        build_demo(db, branches=8, seed=7, today=TODAY, history=False, progress=lambda done, step: seen.append(
            (done, step)))
    fractions = [done for done, _step in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)  # never goes back
    assert all(step for _done, step in seen)
    assert any("writing branches" in step for _done, step in seen)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_line_bar_is_drawn_on_a_terminal_and_erased_at_the_end():
    terminal = Terminal()
    with progress_bar(terminal) as progress:
        progress(0.0, "writing branches")
        progress(0.5, "writing checklist")  # within a tenth of a second: skipped
        progress(1.0, "done")
    text = terminal.getvalue()
    assert "[" + "." * 30 + "]   0% writing branches" in text
    assert "[" + "#" * 30 + "] 100% done" in text
    assert "writing checklist" not in text
    assert text.endswith("\r\x1b[K")  # erased: the command's own output starts on a clean line
    piped = io.StringIO()
    with progress_bar(piped) as progress:
        assert progress is silent  # a pipe or a log file gets no bar
        progress(1.0, "done")
    assert piped.getvalue() == ""
