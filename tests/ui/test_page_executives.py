"""AppTest of pages/executives.py on the public sample (as of 2026-11-22)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rollout.store.db import Database

from support import frame_with, metrics

AS_OF = date(2026, 11, 22)


def heads(at):
    return frame_with(at, "status", "open commitments")


def calls(at):
    return frame_with(at, "suggested_channel")


@pytest.mark.slow
def test_page_renders_with_call_list_and_downloads(open_page) -> None:
    at = open_page("executives", as_of=AS_OF)
    assert not at.exception
    assert not at.error
    # Sample on 2026-11-22: X10 cooling (B10 goes live 2027-05-01), X11 engaged with 1 overdue follow-up,
    # R2 never contacted.
    call_list = calls(at)
    assert list(call_list["exec_code"]) == ["X10", "X11", "R2"]
    assert list(call_list["suggested_channel"]) == ["phone", "email", "visit"]  # R2: B05 in 40 days
    download = at.download_button(key="call_list_download")
    assert download.proto.url.endswith(".csv")
    assert at.download_button(key="exec_table_download").proto.url.endswith(".csv")
    table = heads(at).set_index("executive")
    assert table.loc["R2", "last contact"] == "never contacted"
    assert table.loc["X11", "overdue follow-ups"] == 1
    # The region filter applies to every table.
    at.session_state["regions"] = ["EAST"]
    at.run()
    assert not at.exception
    assert set(heads(at)["region"]) == {"EAST"}
    assert list(calls(at)["exec_code"]) == ["X10"]


def fill_form(at, exec_code: str, when: date) -> None:
    at.selectbox(key="tp_exec").set_value(exec_code)
    at.date_input(key="tp_date").set_value(when)
    at.selectbox(key="tp_channel").set_value("visit")
    at.text_input(key="tp_topic").set_value("kick-off plan")
    at.select_slider(key="tp_sentiment").set_value(1)


@pytest.mark.slow
def test_refused_then_good_touchpoint(open_page, sample_db_path) -> None:
    at = open_page("executives", as_of=AS_OF)
    with Database(sample_db_path) as db:
        before = db.scalar("SELECT count(*) FROM touchpoints")
    fill_form(at, "R2", date.today() + timedelta(days=1))
    at.button(key="tp_submit").click().run()
    assert not at.exception
    assert any("in the future" in e.value for e in at.error)
    db = Database(sample_db_path)
    assert db.scalar("SELECT count(*) FROM touchpoints") == before
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name <> 'import_log'") == 0
    assert heads(at).set_index("executive").loc["R2", "last contact"] == "never contacted"
    db.close()

    # Corrected: a date not in the future is saved, audited, and the figures update at once.
    when = min(date.today(), AS_OF - timedelta(days=2))
    fill_form(at, "R2", when)
    at.button(key="tp_submit").click().run()
    assert not at.exception
    assert not at.error
    assert any("Saved" in s.value for s in at.success)
    db = Database(sample_db_path)
    assert db.scalar("SELECT count(*) FROM touchpoints WHERE exec_code = 'R2'") == 1
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'touchpoints' AND action = 'insert'") == 1
    # R2 now has a visit: on 2026-11-20 it scores 3 × 0.5^(2/30) = 2.86 (cooling), no longer never contacted.
    # Before: R2 never contacted, score 0, silent (call list rank 3).
    row = heads(at).set_index("executive").loc["R2"]
    assert row["last contact"] != "never contacted"
    assert row["score"] > 0
    if when == AS_OF - timedelta(days=2):
        # A visit 2 days before the as-of date: 3 × 0.5^(2/30) = 2.8621 (cooling, < 3).
        assert row["score"] == pytest.approx(3 * 0.5 ** (2 / 30))
        assert (row["status"], row["last contact"]) == ("cooling", "2 days ago")
        # Cooling with B05 going live in 40 days: now first on the call list, by phone.
        assert list(calls(at)["exec_code"]) == ["R2", "X10", "X11"]
        assert calls(at)["suggested_channel"].iloc[0] == "phone"


def _branch_section_script() -> None:
    from datetime import date

    from ui.sections.engagement import branch_section

    branch_section("B03", date(2026, 11, 22))
    branch_section("PIL", date(2026, 11, 22))


def test_branch_section_shows_the_branch_head(open_section) -> None:
    at = open_section(_branch_section_script)
    assert not at.exception
    # X03 heads B03 on 2026-11-22: score 3.46 -> "3.5", last touchpoint 2026-10-30 (23 days), engaged, none overdue.
    assert metrics(at) == {"Status": "engaged", "Engagement score": "3.5", "Last contact": "23 days ago",
                       "Overdue follow-ups": "0"}
    assert any("No executive" in i.value for i in at.info)  # the pilot has no head in the sample
