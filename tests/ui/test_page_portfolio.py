"""Portfolio page (AppTest on the sample database): coloured tiles, the region roll-up that filters the page,
the trend, what changed, the branch table risk first, the heatmap of the N most at risk, opening a branch.

One AppTest session walks through the page (each fresh AppTest costs seconds)."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.core import i18n
from rollout.core.access import LOCAL
from rollout.core.labels import column_label
from rollout.metrics import portfolio, readiness
from rollout.store.db import Database

from support import frame_with, metrics, texts


def _branch_table(at):
    return frame_with(at, "branch_code", "top_reason")


def _rollup(at):
    return frame_with(at, "region_code", "readiness_median")


@pytest.mark.slow
@pytest.mark.parametrize(("language", "words"), [("en", ["Live", "Green", "Amber", "Red", "No plan"]),
                                                  ("zh", ["已上线", "绿", "黄", "红", "无计划"])])
def test_region_rollup_heads_its_counts_with_the_status_words(open_page, language: str, words: list[str]) -> None:
    """The roll-up's count columns are headed as the tiles above them are (not the codes live, green, amber)."""
    at = open_page("portfolio", query={"lang": language})
    assert not at.exception, [e.value for e in at.exception]
    with i18n.use_language(language):
        median = column_label("readiness_median")
    headers = list(next(d.value for d in at.dataframe if median in d.value.columns).columns)
    assert headers[3:8] == words, headers
    assert not {"live", "green", "amber", "red", "no plan", "no_plan"} & set(headers)
    tiles = [m.label for m in at.metric][:5]
    assert tiles == words


@pytest.mark.slow
def test_portfolio_dates_filters_and_opening_a_branch(open_page, sample_db_path) -> None:
    at = open_page("portfolio", as_of=date(2026, 9, 15))
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Portfolio"
    assert len(_branch_table(at)) == 12

    at.session_state["as_of"] = date(2026, 11, 22)
    at.run()
    assert not at.exception
    tiles = metrics(at)
    # the public expected summary: live B01 B02 PIL; red B03 B05 B06 B07 B09 B10; amber B04 B08; no plan B11
    assert (tiles["Live"], tiles["Red"], tiles["Amber"], tiles["Green"], tiles["No plan"]) == ("3", "6", "2", "0", "1")
    # planned go-lives 2026-11-22 .. 2027-01-21, not live: B03, B04 (12-01), B05, B06 (01-01)
    assert tiles["Go-lives in next 60 days"] == "4"
    table = _branch_table(at)
    # risk first: the six reds, then the two ambers, then no plan, then the three live branches
    assert list(table["Status"]) == ["red"] * 6 + ["amber"] * 2 + ["no plan"] + ["live"] * 3
    assert set(table["branch_code"][:6]) == {"B03", "B05", "B06", "B07", "B09", "B10"}
    assert set(table["branch_code"][6:8]) == {"B04", "B08"} and table["branch_code"][8] == "B11"
    b03 = table[table["branch_code"] == "B03"].iloc[0]
    assert (b03["Readiness %"], b03["Slip (days)"]) == ("63.6", "36")  # text: other branches have blanks
    b01 = table[table["branch_code"] == "B01"].iloc[0]
    assert b01["Go-live"].startswith("live since ")  # never a negative count of days
    assert not {"None", "nan", "NaT"} & set(table.astype(str).to_numpy().ravel())

    # the roll-up equals the per-branch statuses summed (every region, whatever the filter)
    with Database(sample_db_path) as db:
        status = readiness.branch_status(db, date(2026, 11, 22))
    rollup = _rollup(at).set_index("region_code")
    for region, rows in status.groupby("region_code"):
        counts = rows["status"].value_counts()
        assert [rollup.loc[region, s] for s in ("live", "green", "amber", "red", "no_plan")] == \
            [counts.get(s, 0) for s in ("live", "green", "amber", "red", "no_plan")], region
    assert rollup["Branches"].sum() == 12

    at.session_state["regions"] = ["EAST"]
    at.run()
    assert not at.exception
    assert sorted(_branch_table(at)["branch_code"]) == ["B01", "B04", "B07", "B10", "PIL"]  # the EAST branches
    assert metrics(at)["Live"] == "2"  # B01, PIL
    assert len(_rollup(at)) == len(rollup)  # the roll-up still shows every region, EAST chosen

    at.selectbox(key="portfolio_branch").set_value("B07").run()
    at.button(key="portfolio_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["branch"] in ("B07", ["B07"])
    assert at.selectbox(key="branch_select").value == "B07"
    # the filters survive the page switch: still as of 2026-11-22, still EAST only
    assert at.sidebar.date_input(key="as_of_picker").value == date(2026, 11, 22)
    assert at.sidebar.multiselect(key="regions_picker").value == ["EAST"]
    assert any("as of 2026-11-22" in c for c in texts(at.caption))


@pytest.mark.slow
def test_portfolio_heatmap_holds_the_n_most_at_risk(open_page, sample_db_path) -> None:
    at = open_page("portfolio", as_of=date(2026, 11, 22))
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="portfolio_top_n").value == 25  # the default N
    with Database(sample_db_path) as db:
        status = readiness.branch_status(db, date(2026, 11, 22))

    def heatmap_rows() -> list[str]:
        import json

        chart = next(c for c in at.get("plotly_chart") if "Readiness of the" in c.proto.spec)
        return list(json.loads(chart.proto.spec)["data"][0]["y"])

    assert heatmap_rows() == list(reversed(portfolio.top_at_risk(status, 25)))  # 8 red or amber, risk first at top
    at.number_input(key="portfolio_top_n").set_value(3).run()
    assert not at.exception
    rows = heatmap_rows()
    assert len(rows) == 3 and rows == list(reversed(portfolio.top_at_risk(status, 3)))
    assert any("8 branches are red or amber" in c for c in texts(at.caption))


@pytest.mark.slow
def test_portfolio_shows_the_chance_and_the_go_lives_at_risk(open_page) -> None:
    at = open_page("portfolio", as_of=date(2026, 11, 22))
    assert not at.exception, [e.value for e in at.exception]
    table = _branch_table(at).set_index("branch_code")
    chance = "Chance by go-live %"
    assert table.loc["B06", chance] == "19.1" and table.loc["B09", chance] == "23.8"
    risky = frame_with(at, "p_ready_by_go_live", "ready_p80_on")  # the library's names, labelled by the table
    # planned go-lives in the next 90 days with less than 50 % chance (readiness.go_lives_at_risk)
    assert list(risky["branch_code"]) == ["B03", "B04", "B05", "B06", "B07"]
    assert list(risky["p_ready_by_go_live"]) == [0.0, 1.0, 0.0, 19.1, 3.7]
    assert list(risky.columns[:3]) == ["Branch", "Branch name", "Region"]
    assert any("5 planned go-lives in the next 90 days" in w for w in texts(at.warning))
    at.session_state["regions"] = ["EAST"]
    at.run()
    assert list(frame_with(at, "p_ready_by_go_live", "ready_p80_on")["branch_code"]) == ["B04", "B07"]


@pytest.mark.slow
def test_portfolio_says_what_changed_since_the_last_review(open_page, sample_db_path) -> None:
    from rollout.steering import snapshots

    with Database(sample_db_path) as db:
        snapshots.take_snapshot(db, date(2026, 9, 15), "first review", caller=LOCAL)
        snapshots.take_snapshot(db, date(2026, 11, 22), "second review", caller=LOCAL)
        tables = snapshots.changes_between(db)["tables"]
    at = open_page("portfolio", as_of=date(2026, 11, 22))
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at.markdown)
    assert "Between the reviews of 2026-09-15 and 2026-11-22:" in shown
    lines = next(m for m in shown if "branches changed status" in m).split("\n")
    changed = tables["status_changes"]
    assert len(lines) == 3  # three lines, then the link to the detail
    assert lines[0] == (f"- {len(changed)} branches changed status, "
                        f"{int((changed['status_after'] == 'red').sum())} of them to red")
    top = tables["readiness_up"].iloc[0]
    assert f"Readiness rose most at {top['branch_code']} (+{top['change_points']:.1f} points)" in lines[1]
    assert lines[2].startswith(f"- {len(tables['new_overdue'])} new overdue items")
