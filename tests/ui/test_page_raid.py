"""The RAID and changes page on the sample: every tab draws, the log is filtered, an editor's save is checked and
audited, and the Branch page shows its own records and the requirement-analysis finding."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.store.db import Database

from support import frame_with, open_tab

AS_OF = date(2026, 11, 22)


@pytest.mark.slow
def test_every_tab_draws_and_the_log_filters(open_page) -> None:
    at = open_page("raid", as_of=AS_OF)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "RAID and changes"
    total = len(frame_with(at, "raid_code", "probability"))
    assert total > 0
    at.multiselect(key="raid_kind").set_value(["risk"]).run()
    risks = frame_with(at, "raid_code", "probability")
    assert 0 < len(risks) < total and set(risks["kind"]) == {"risk"}
    at.multiselect(key="raid_branch").set_value([""]).run()  # the whole programme: the sample's R999
    assert frame_with(at, "raid_code", "probability")["raid_code"].tolist() == ["R999"]
    for label in ("Risk heat map", "Deviations", "Edit"):
        at = open_tab(at, "raid_tabs", label)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]


@pytest.mark.slow
def test_a_saved_item_is_checked_and_audited(open_page, sample_db_path) -> None:
    at = open_page("raid", as_of=AS_OF, state={"raid_tabs": "Edit"})
    at.text_input(key="raid_code_in").input("N1")
    at.selectbox(key="raid_branch_in").set_value("B03")
    at.button(key="raid_item_save").click().run()  # no title: refused, nothing saved
    assert at.error and "title" in at.error[0].value
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT count(*) FROM raid WHERE raid_code = 'N1'") == 0
    at.text_input(key="raid_title_in").input("确认关键用户名单")
    at.date_input(key="raid_raised_in").set_value(AS_OF)
    at.button(key="raid_item_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with Database(sample_db_path) as db:
        assert db.rows("SELECT kind, branch_code, title FROM raid WHERE raid_code = 'N1'") == [
            ("action", "B03", "确认关键用户名单")]
        assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'raid' AND action = 'insert'") == 1


@pytest.mark.slow
def test_the_branch_page_shows_its_records_and_the_unsigned_finding(open_page) -> None:
    at = open_page("branch", as_of=AS_OF, query={"branch": "B03"})  # the sample: requirements_unsigned true
    assert not at.exception, [e.value for e in at.exception]
    assert "• requirement analysis not signed" in [t.value for t in at.text]
    assert len(frame_with(at, "raid_code", "probability")) > 0
    assert any("man-days approved" in c.value for c in at.caption)


def blank(value: object) -> bool:
    """An empty cell as the page's tables draw it: a blank, never "None", "NaT" or "nan" (ui.widgets.table)."""
    return value == ""


@pytest.mark.slow
def test_the_register_shows_each_deviation_as_it_stood_on_the_as_of_date(open_page) -> None:
    """The sample's DV037 is approved on 2026-12-14 and DV019 delivered on 2026-10-30: replayed on earlier dates,
    neither later fact shows (the page replays the past, as every figure does)."""
    at = open_tab(open_page("raid", as_of=date(2026, 10, 20)), "raid_tabs", "Deviations")
    register = frame_with(at, "deviation_code", "blocking").set_index("deviation_code")
    assert register.loc["DV019", "decision"] == "approved" and str(register.loc["DV019", "decided_on"])[:10] == \
        "2026-10-16"
    assert blank(register.loc["DV019", "delivered_on"])
    at = open_tab(open_page("raid", as_of=AS_OF), "raid_tabs", "Deviations")
    register = frame_with(at, "deviation_code", "blocking").set_index("deviation_code")
    assert register.loc["DV037", "decision"] == "proposed"
    assert blank(register.loc["DV037", "decided_on"])
    assert str(register.loc["DV019", "delivered_on"])[:10] == "2026-10-30"
