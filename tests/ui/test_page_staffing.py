"""pages/staffing.py through AppTest on the public sample: renders, what-if, refused and saved edits."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from rollout.store.db import Database

from support import chart_text, metrics, open_tab

AS_OF = date(2026, 11, 22)


def counts(path) -> tuple[int, int, int]:
    with Database(path) as db:
        return (db.scalar("SELECT count(*) FROM assignments"), db.scalar("SELECT count(*) FROM audit_log"),
                db.scalar("SELECT count(*) FROM training"))


@pytest.mark.slow
def test_page_renders_and_what_if(open_page) -> None:
    at = open_page("staffing", as_of=AS_OF)
    assert not at.exception
    assert at.title[0].value == "Staffing"
    # sample on 2026-11-22: 10 branches have an uncovered module (all but B03 and PIL), 8 SPOF modules
    shown = metrics(at)
    assert shown["Branches with an uncovered module"] == "10"
    assert shown["Single points of failure"] == "8"
    assert not at.text  # no what-if before a person is chosen
    assert not at.get("selectbox")  # the what-if tab is not drawn until it is opened
    open_tab(at, "staffing_tab", "What if someone leaves")
    assert not at.exception and not at.text
    at.selectbox(key="whatif_person").select("P022").run()
    assert not at.exception
    # P022 and P024 are B08's finance and hr key users: both become single points of failure
    assert "Modules becoming a single point of failure: B08/finance, B08/hr" in at.text[0].value


@pytest.mark.slow
@pytest.mark.parametrize(("language", "roles", "gap"), [("en", ["Project manager", "Key user", "IT admin"], "gap"),
                                                         ("zh", ["项目经理", "关键用户", "IT 管理员"], "缺口")])
def test_fill_heatmap_ranks_the_branches_going_live_soonest_by_gap(open_page, language: str, roles: list[str],
                                                                   gap: str) -> None:
    """Not the lowest fill rates (at 2,000 branches 40 rows of 0 % far from go-live) but the branches going live
    within 60 days, the largest gap in fte first, each role named in words above the first row."""
    at = open_page("staffing", as_of=AS_OF, query={"lang": language})
    assert not at.exception, [e.value for e in at.exception]
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"heatmap"' in chart_text(c)
                 and ("Fill rate" in chart_text(c) or "到岗率" in chart_text(c)))
    # sample on 2026-11-22, go-live within 60 days: B03, B04 (12-01), B05, B06 (01-01); gaps 1.2, 2.7, 1.5, 0.9
    assert chart["data"][0]["y"] == [f"B04 · {gap} 2.7", f"B05 · {gap} 1.5", f"B03 · {gap} 1.2", f"B06 · {gap} 0.9"]
    assert chart["data"][0]["x"] == roles  # no column for a role none of them requires (data steward, trainer)
    assert chart["layout"]["xaxis"]["side"] == "top" and chart["layout"]["yaxis"]["autorange"] == "reversed"


@pytest.mark.slow
def test_page_region_filter(open_page) -> None:
    at = open_page("staffing", as_of=AS_OF, regions=["NORTH"])
    assert not at.exception
    # NORTH = B03, B06, B09: uncovered modules at B06 (1) and B09 (3)
    assert metrics(at)["Branches with an uncovered module"] == "2"


@pytest.mark.slow
def test_refused_edit_saves_nothing_good_edit_saved_and_audited(open_page, sample_db_path) -> None:
    at = open_tab(open_page("staffing", as_of=AS_OF), "staffing_tab", "Edit")
    before = counts(sample_db_path)
    at.selectbox(key="assign_person").select("P007")
    at.selectbox(key="assign_branch").select("B03")
    at.selectbox(key="assign_role").select("trainer")
    at.number_input(key="assign_fte").set_value(1.5)
    at.button(key="assign_submit").click().run()
    assert not at.exception
    assert any("fte" in e.value and "out of range" in e.value for e in at.error)
    assert counts(sample_db_path) == before

    at.number_input(key="assign_fte").set_value(0.25)
    at.button(key="assign_submit").click().run()
    assert not at.exception and not at.error
    assert any("Assigned P007 to B03" in s.value for s in at.success)
    assert counts(sample_db_path) == (before[0] + 1, before[1] + 1, before[2])
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT fte FROM assignments WHERE person_code = 'P007' AND role = 'trainer'") == 0.25
        assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'assignments' AND action = 'insert'") == 1

    # a training result in the future is refused; a good one is saved (course left empty: "<module> basics")
    at.selectbox(key="train_person").select("P008")
    at.selectbox(key="train_module").select("supply_chain")
    at.date_input(key="train_completed_on").set_value(date.today() + timedelta(days=30))
    at.number_input(key="train_score").set_value(90)
    at.button(key="train_submit").click().run()
    assert any("future" in e.value for e in at.error)
    assert counts(sample_db_path)[2] == before[2]
    at.date_input(key="train_completed_on").set_value(date(2026, 11, 20))
    at.button(key="train_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("updated for P008" in s.value for s in at.success)
    with Database(sample_db_path) as db:  # P008 had supply_chain basics at 63: the course gets the new score
        assert db.scalar("SELECT score FROM training WHERE person_code = 'P008' AND module = 'supply_chain'") == 90
        assert db.scalar("SELECT old_value FROM audit_log WHERE table_name = 'training' AND column_name = 'score'") \
            == "63.0"

    # a departure is recorded (left_on) and audited
    at.selectbox(key="depart_person").select("P009")
    at.date_input(key="depart_left_on").set_value(AS_OF)
    at.button(key="depart_submit").click().run()
    assert not at.exception and not at.error
    with Database(sample_db_path) as db:
        assert db.scalar("SELECT left_on FROM people WHERE person_code = 'P009'") == AS_OF
        assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'people' AND column_name = 'left_on'") == 1


def _branch_section_script() -> None:
    from datetime import date

    from ui.sections.staffing import branch_section

    branch_section("B08", date(2026, 11, 22))


def test_branch_section_for_one_branch(open_section) -> None:
    at = open_section(_branch_section_script)
    assert not at.exception
    shown = metrics(at)
    # B08 on 2026-11-22 (expected summary): fill 50.0, 2 over-allocated, 2 uncovered, 0 SPOF
    assert (shown["Fill rate"], shown["Over-allocated people"], shown["Uncovered modules"],
            shown["Single points of failure"]) == ("50.0%", "2", "2", "0")
