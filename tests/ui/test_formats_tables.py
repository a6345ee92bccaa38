"""ui/formats.py's readable(): tables a person reads (headers, blanks, dates, statuses) and go-live words."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from rollout.core.i18n import use_language
from ui.formats import go_live_text, readable, unique_headers


def test_readable_headers_blanks_dates_and_statuses() -> None:
    frame = pd.DataFrame({
        "branch_code": ["B01", "B02", "B03"],
        "status": ["live", "red", None],
        "planned_go_live": pd.to_datetime(["2026-03-02", None, "2027-01-01"]),
        "checklist_readiness": [100.0, np.nan, 63.6],
        "overdue_items": pd.array([0, None, 4], dtype="Int64"),
        "failing_gates": [0, 1, 2],
        "top_reason": ["", None, "gate G2 fails"],
        "opened_on": [date(2026, 1, 5), None, date(2026, 2, 1)],
    })
    shown, statuses = readable(frame)
    assert list(shown.columns) == ["Branch", "Status", "Planned go-live", "Readiness %", "Overdue items",
                                   "Failing gates", "Top reason", "Opened on"]
    assert statuses == ["Status"]
    assert shown["Status"].tolist() == ["live", "red", ""]
    assert shown["Planned go-live"].tolist() == ["2026-03-02", "", "2027-01-01"]
    assert shown["Opened on"].tolist() == ["2026-01-05", "", "2026-02-01"]
    assert shown["Readiness %"].tolist() == ["100.0", "", "63.6"]
    assert shown["Overdue items"].tolist() == ["0", "", "4"]
    assert shown["Failing gates"].tolist() == [0, 1, 2]  # complete numbers stay numbers (they sort)
    assert shown["Top reason"].tolist() == ["", "", "gate G2 fails"]
    text = shown.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaT", "<NA>"} & set(text)
    with use_language("zh"):
        assert readable(frame)[0].columns[0] != "Branch"  # headers follow the language


def test_a_status_column_of_other_words_is_left_alone() -> None:
    shown, statuses = readable(pd.DataFrame({"status": ["engaged", "silent"]}))
    assert statuses == [] and shown["Status"].tolist() == ["engaged", "silent"]


def test_a_stage_column_is_in_words_in_either_language() -> None:
    stages = pd.DataFrame({"stage": ["preparation", "stage 1 live", "live", "before kick-off", "not scheduled"]})
    with use_language("zh"):
        assert readable(stages)[0]["阶段"].tolist() == ["准备期", "一期已上线", "已上线", "项目启动会前", "未排期"]
    assert readable(stages)[0]["Stage"].tolist() == stages["stage"].tolist()  # the English words are the codes
    shown, _ = readable(pd.DataFrame({"stage": ["a stage typed by hand"]}))  # not a stage code: left alone
    assert shown["Stage"].tolist() == ["a stage typed by hand"]


def test_go_live_words_never_show_negative_days() -> None:
    assert go_live_text(-333, pd.Timestamp("2025-12-27")) == "live since 2025-12-27"
    assert go_live_text(21) == "in 21 days" and go_live_text(1) == "in 1 day"
    assert go_live_text(0) == "today"
    assert go_live_text(-5) == "5 days overdue"
    assert go_live_text(None) == "" and go_live_text(np.nan) == ""


def test_the_download_reads_like_the_screen() -> None:
    from rollout.exchange.exporter import frame_to_csv

    frame = pd.DataFrame({"branch_code": ["B01", "B02"], "branch_name": ["北京分公司", "=HYPERLINK(1)"],
                          "slip_days": [None, 3.0]})
    text = frame_to_csv(readable(frame)[0]).decode("utf-8")
    assert text.startswith("\ufeffBranch,Branch name,Slip (days)\r\n")  # a BOM: Excel opens the Chinese right
    assert "B01,北京分公司,\r\n" in text  # the empty slip blank, not None or nan
    assert "'=HYPERLINK(1)" in text  # formula-safe


def test_two_columns_with_one_label_stay_two_columns() -> None:
    assert unique_headers(["Branch", "Branch", "Status"], ["branch_code", "branch", "status"]) == [
        "Branch", "Branch (branch)", "Status"]
