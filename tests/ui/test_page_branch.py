"""Branch page (AppTest on the sample database): header, sections, branch choice, plan editing."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.store.db import Database

from support import metrics, texts


@pytest.mark.slow
def test_branch_page_dates_and_branches(open_page) -> None:
    at = open_page("branch", as_of=date(2026, 9, 15), query={"branch": "B03"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="branch_select").value == "B03"

    at.session_state["as_of"] = date(2026, 11, 22)
    at.run()
    assert not at.exception
    shown = metrics(at)  # the readiness header comes first: its "Status" is the one kept
    # expected summary for B03: red, 63.6 %, forecast 2027-01-06, slip 36; go-live 12-01 is 9 days away
    assert shown["Status"] == "Red" and shown["Checklist readiness"] == "63.6%"
    assert shown["Forecast ready"] == "2027-01-06" and shown["Slip (days)"] == "36"
    assert shown["Go-live"] == "2026-12-01" and _delta(at, "Go-live") == "in 9 days"  # the date, then the words
    assert at.text[0].value == "• forecast ready 2027-01-06, 36 days after the planned go-live (more than 30)"

    at.selectbox(key="branch_select").set_value("B11").run()
    assert not at.exception
    assert metrics(at)["Checklist readiness"] == "no plan"
    assert at.query_params["branch"] in ("B11", ["B11"])  # the link follows the choice
    at.selectbox(key="branch_select").set_value("PIL").run()
    assert not at.exception
    assert metrics(at)["Go-live"] == "2026-01-01" and _delta(at, "Go-live") == "live"  # never a negative count
    assert metrics(at)["Status"] == "Live"


def _delta(at, label: str) -> str:
    """The words under a metric tile's value (its delta)."""
    return next(m.delta for m in at.metric if m.label == label)


@pytest.mark.slow
def test_branch_header_in_chinese_words(open_page) -> None:
    """The stage is a word, not a code (阶段：准备期, not 阶段：preparation), and the go-live tile holds its date
    whole: the words go under it (a tile a sixth of the page wide cut "已于 2026-12-01 上线" to "已于 2…")."""
    at = open_page("branch", query={"branch": "B03", "lang": "zh"})
    assert not at.exception, [e.value for e in at.exception]
    header = at.caption[0].value
    assert "阶段：准备期" in header and "preparation" not in header, header
    assert metrics(at)["上线"] == "2026-12-01" and _delta(at, "上线") == "9 天后"
    at = open_page("branch", query={"branch": "PIL", "lang": "zh"})
    assert not at.exception, [e.value for e in at.exception]
    assert "阶段：已上线" in at.caption[0].value and "live" not in at.caption[0].value.replace("\\", "")
    assert metrics(at)["上线"] == "2026-01-01" and _delta(at, "上线") == "已上线"


def _checklist(path) -> list:
    with Database(path) as db:
        return db.rows("SELECT * FROM checklist ORDER BY branch_code, item_code")


def _audits(path) -> int:
    with Database(path) as db:
        return db.scalar("SELECT count(*) FROM audit_log")


def _edit(open_page, sample_db_path, edited_rows: dict, added_rows: list | None = None):
    at = open_page("branch", query={"branch": "B03"})
    assert not at.exception
    shown = at.data_editor(key="checklist_editor").value
    at.session_state["checklist_editor"] = {"edited_rows": edited_rows, "added_rows": added_rows or [],
                                            "deleted_rows": []}
    at.run()
    return at, shown


@pytest.mark.slow
def test_refused_bad_edit_changes_nothing(open_page, sample_db_path) -> None:
    before, audits = _checklist(sample_db_path), _audits(sample_db_path)
    # B03-01 (row 0) to done without a completed_on date, and a good owner change on row 1: all refused
    at, shown = _edit(open_page, sample_db_path, {0: {"status": "done"}, 1: {"owner": "Wang"}})
    assert shown.iloc[0]["item_code"] == "B03-01"
    at.button(key="checklist_save").click().run()
    assert not at.exception
    errors = texts(at.error)  # shown escaped (plain text)
    assert any("B03-01, completed_on: is empty" in e and "nothing was saved" in e for e in errors), errors
    assert _checklist(sample_db_path) == before and _audits(sample_db_path) == audits


@pytest.mark.slow
def test_good_edit_is_saved_and_audited(open_page, sample_db_path) -> None:
    audits = _audits(sample_db_path)
    at, _ = _edit(open_page, sample_db_path, {0: {"status": "done", "completed_on": "2026-11-20"}},
                  [{"dimension": "kickoff", "title": "Minutes signed", "status": "open", "weight": 1}])
    at.button(key="checklist_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Saved" in s.value for s in at.success)
    with Database(sample_db_path) as db:
        assert db.rows("SELECT status, completed_on FROM checklist WHERE item_code = 'B03-01'") == \
            [("done", date(2026, 11, 20))]
        # B03-01 .. B03-08 exist: the new row is B03-09
        assert db.rows("SELECT title FROM checklist WHERE item_code = 'B03-09'") == [("Minutes signed",)]
    assert _audits(sample_db_path) == audits + 3  # status, completed_on, the new row
    # the figures follow: B03 readiness (7 + 3) / (11 + 1) = 83.3 %
    assert metrics(at)["Checklist readiness"] == "83.3%"


@pytest.mark.slow
def test_plan_from_template_preview_then_confirm(open_page, sample_db_path) -> None:
    at = open_page("branch", query={"branch": "B11"})  # no plan yet; the sample's pilot has no checklist
    assert not at.exception
    at.selectbox(key="template_source").set_value("B01").run()
    assert not at.exception
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT count(*) FROM checklist WHERE branch_code = 'B11'") == 0  # preview only
    at.button(key="template_write").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with Database(sample_db_path) as db:
        # B01's 14 items; B01-01 was due 2026-04-14, 48 days before B01's go-live 06-01 -> 48 days before 2027-06-01
        assert db.scalar("SELECT count(*) FROM checklist WHERE branch_code = 'B11' AND status = 'open'") == 14
        assert db.scalar("SELECT due_date FROM checklist WHERE item_code = 'B11-01'") == date(2027, 4, 14)
    assert metrics(at)["Checklist readiness"] == "0.0%"


def _trend_traces(at) -> list[str]:
    import json

    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    trend = [c for c in charts if "Readiness trend" in json.dumps(c.get("layout", {}).get("title", ""))]
    assert trend, "no readiness trend chart"
    return [t.get("name") for t in trend[0]["data"]]


@pytest.mark.slow
def test_branch_page_says_how_sure_the_date_is(open_page) -> None:
    # B06 on 2026-11-22 (the public expected summary): chance 19.1 %, P50 2027-01-17, P80 2027-02-21;
    # only 3 of the last 8 weeks had progress, so the page says not to trust it.
    at = open_page("branch", query={"branch": "B06"})
    assert not at.exception, [e.value for e in at.exception]
    sentences = texts(at.markdown)
    assert ("At the pace of the last 8 weeks, the chance of being ready by the planned go-live (1 Jan 2027) is "
            "19.1%; 50% by 17 Jan 2027, 80% by 21 Feb 2027.") in sentences, sentences
    assert any("Only 3 of the last 8 weeks had any progress" in w and "not to be trusted" in w
               for w in texts(at.warning))
    traces = _trend_traces(at)
    assert "80% chance" in traces and "50% chance" in traces  # the fan

    at.selectbox(key="branch_select").set_value("B07").run()  # 5 weeks with progress: trusted, no warning
    assert not at.exception
    assert any(s.startswith("At the pace of the last 8 weeks, the chance of being ready by the planned go-live "
                            "(1 Feb 2027) is 3.7%; 50% by 14 Mar 2027, 80% by 11 Apr 2027") for s in texts(at.markdown))
    assert not any("not to be trusted" in w for w in texts(at.warning))
    at.selectbox(key="branch_select").set_value("B08").run()  # stalled: no fan, chance 0
    assert not at.exception
    assert any(s.startswith("Nothing was completed in the last 8 weeks: the chance of being ready by the planned "
                            "go-live (1 Mar 2027) is 0.0%") for s in texts(at.markdown))
    assert "80% chance" not in _trend_traces(at)
    at.selectbox(key="branch_select").set_value("PIL").run()  # live: no sentence
    assert not at.exception
    assert not any(s.startswith(("At the pace", "Nothing was completed")) for s in texts(at.markdown))


@pytest.mark.slow  # near the 1 s budget on a slow hour of this machine (CI run, 2026-12-05)
def test_a_long_branch_in_the_link_is_echoed_cut(open_page) -> None:
    at = open_page("branch", query={"branch": "Q" * 3000})
    notices = [t for t in texts(at.warning) if "There is no branch" in t]
    assert notices == [f"There is no branch {'Q' * 40}…; showing another one."]
