"""Portfolio page (AppTest on the sample database): tiles, table, filters, opening a branch.

One AppTest session walks through the page (each fresh AppTest costs seconds)."""

from __future__ import annotations

from datetime import date

import pytest

from support import frame_with, metrics, texts


def _branch_table(at):
    return frame_with(at, "top reason")


@pytest.mark.slow
def test_portfolio_dates_filters_and_opening_a_branch(open_page) -> None:
    at = open_page("portfolio", as_of=date(2026, 9, 15))
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Portfolio"
    assert len(_branch_table(at)) == 12
    assert len(at.get("plotly_chart")) == 2  # heatmap and status counts

    at.session_state["as_of"] = date(2026, 11, 22)
    at.run()
    assert not at.exception
    tiles = metrics(at)
    # the public expected summary: live B01 B02 PIL; red B03 B05 B06 B07 B09 B10; amber B04 B08; no plan B11
    assert (tiles["Live"], tiles["Red"], tiles["Amber"], tiles["Green"], tiles["No plan"]) == ("3", "6", "2", "0", "1")
    # planned go-lives 2026-11-22 .. 2027-01-21, not live: B03, B04 (12-01), B05, B06 (01-01)
    assert tiles["Go-lives in next 60 days"] == "4"
    table = _branch_table(at)
    b03 = table[table["branch"] == "B03"].iloc[0]
    assert (b03["status"], b03["readiness %"], b03["slip days"]) == ("Red", 63.6, 36)

    at.session_state["regions"] = ["EAST"]
    at.run()
    assert not at.exception
    table = _branch_table(at)
    assert sorted(table["branch"]) == ["B01", "B04", "B07", "B10", "PIL"]  # the EAST branches
    assert metrics(at)["Live"] == "2"  # B01, PIL

    at.selectbox(key="portfolio_branch").set_value("B07").run()
    at.button(key="portfolio_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["branch"] in ("B07", ["B07"])
    assert at.selectbox(key="branch_select").value == "B07"
    # the filters survive the page switch: still as of 2026-11-22, still EAST only
    assert at.sidebar.date_input(key="as_of_picker").value == date(2026, 11, 22)
    assert at.sidebar.multiselect(key="regions_picker").value == ["EAST"]
    assert any("as of 2026-11-22" in c for c in texts(at.caption))


def test_portfolio_shows_the_chance_and_the_go_lives_at_risk(open_page) -> None:
    at = open_page("portfolio", as_of=date(2026, 11, 22))
    assert not at.exception, [e.value for e in at.exception]
    table = _branch_table(at).set_index("branch")
    assert table.loc["B06", "chance by go-live %"] == 19.1 and table.loc["B09", "chance by go-live %"] == 23.8
    risky = frame_with(at, "chance by go-live %", "P80 ready")
    # planned go-lives in the next 90 days with less than 50 % chance (readiness.go_lives_at_risk)
    assert list(risky["branch"]) == ["B03", "B04", "B05", "B06", "B07"]
    assert list(risky["chance by go-live %"]) == [0.0, 1.0, 0.0, 19.1, 3.7]
    assert any("5 planned go-live(s) in the next 90 days" in w for w in texts(at.warning))
    at.session_state["regions"] = ["EAST"]
    at.run()
    assert list(frame_with(at, "chance by go-live %", "P80 ready")["branch"]) == ["B04", "B07"]
