"""The interface in English and Chinese (issue 17): the sidebar's choice, ?lang= in the URL, the browser's
locale, and every page drawn in both languages through app.py."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd
import pytest

from rollout.core import i18n
from rollout.core.labels import COLUMN_LABELS, column_label
from ui.navigation import ALL_PAGES
from ui.state import language_wanted

from support import LAZY_TABS, texts

PAGES = [p.url_path for p in ALL_PAGES]
# The navigation's titles (each page's own title is the same words).
CHINESE_TITLES = {"raid": "风险问题与差异需求", "portfolio": "推广总览", "branch": "分公司", "executives": "高管参与度",
                  "steering": "指导委员会汇报材料", "decisions": "上线决策", "staffing": "人员配置",
                  "lessons": "经验教训", "planning": "上线计划", "data": "数据导入导出", "methodology": "计算方法",
                  "settings": "参数设置", "notifications": "消息提醒", "access": "访问权限"}


@pytest.mark.parametrize(("chosen", "url", "browser", "expected"), [
    (None, None, None, ("en", False)),             # nobody asked: English
    (None, None, "zh-CN", ("zh", False)),          # the browser's language, not written into links
    (None, None, "fr-FR", ("en", False)),          # a browser language we do not have: English
    (None, "zh", "en-US", ("zh", True)),           # a shared link beats the browser
    (None, "klingon", "zh-CN", ("zh", False)),     # an unknown ?lang= is skipped, with no error
    ("en", "zh", "zh-CN", ("en", True)),           # the sidebar's choice beats the link
    ("zh", None, None, ("zh", True)),
])
def test_the_language_of_a_run(chosen: str | None, url: str | None, browser: str | None,
                               expected: tuple[str, bool]) -> None:
    assert language_wanted(chosen, url, browser) == expected


def test_every_page_title_has_a_chinese_translation() -> None:
    with i18n.use_language("zh"):
        assert {p.url_path: p.name() for p in ALL_PAGES} == CHINESE_TITLES


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(open_page, page: str, language: str) -> None:
    at = open_page(page, query={"lang": language})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.query_params["lang"] == language  # kept in the URL
    assert at.sidebar.segmented_control(key="lang_picker").value == language
    if language == "zh":
        assert at.title[0].value == CHINESE_TITLES[page], at.title[0].value
        assert at.sidebar.date_input(key="as_of_picker").label == "截至"
    # every table header is a label a person reads (labels.COLUMN_LABELS), in the page's language
    # each lazy tab opened in a run of its own (AppTest reruns a page with a picker of translated words in English)
    runs = [at] + [open_page(page, query={"lang": language}, state={LAZY_TABS[page]: t.label})
                   for t in at.tabs[1:] if page in LAZY_TABS]
    assert not [e.value for run in runs for e in run.exception]
    headers = {str(c) for run in runs for d in run.dataframe for c in d.value.columns}
    # no library name (snake_case) left, but for an editor's columns: named in the frame, labelled on screen by
    # ui.widgets.header_config (a data editor hands its edits back under the library's names)
    assert sorted(h for h in headers if "_" in h and h not in COLUMN_LABELS) == []
    if language == "zh":
        english = {str(v) for v in COLUMN_LABELS.values()}
        with i18n.use_language("zh"):
            alike = {v for v in english if i18n.gettext(v) == v}  # FTE, KPI: the same word in both
        assert sorted(headers & (english - alike)) == []


@pytest.mark.slow
def test_the_sidebar_switch_changes_the_language_and_the_link(open_page) -> None:
    # (AppTest formats a picker's value outside the script run, in English: the pages it walks through here
    # have no picker whose words depend on the language; the browser journey covers the others.)
    at = open_page("settings")
    assert at.title[0].value == "Settings" and "lang" not in at.query_params  # no choice made: none in the link
    at.sidebar.segmented_control(key="lang_picker").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "参数设置"
    assert at.query_params["lang"] == "zh"
    assert at.sidebar.date_input(key="as_of_picker").label == "截至"
    at.switch_page("pages/methodology.py").run()  # navigating keeps the language and writes it into the link
    assert not at.exception
    assert at.title[0].value == "计算方法"
    assert at.query_params["lang"] == "zh"
    at.sidebar.segmented_control(key="lang_picker").set_value("en").run()
    assert at.title[0].value == "Methodology" and at.query_params["lang"] == "en"


@pytest.mark.slow
def test_an_unknown_language_in_the_link_falls_back_quietly(open_page) -> None:
    at = open_page("settings", query={"lang": "xx", "region": "EAST"})
    assert not at.exception and not at.error and not at.warning
    assert at.title[0].value == "Settings"
    assert "lang" not in at.query_params and at.query_params["region"] == "EAST"  # the rest of the link stays


@pytest.mark.slow
def test_a_callback_answers_in_the_language_of_its_page(open_page, sample_db_path) -> None:
    """The touchpoint form saves in a callback, which runs before app.py chooses the run's language."""
    at = open_page("executives", query={"lang": "zh"})
    when = min(date.today(), date(2026, 11, 20))
    with i18n.use_language("zh"):  # AppTest formats the pickers' values here, outside the script run
        at.selectbox(key="tp_exec").set_value("R2")
        at.date_input(key="tp_date").set_value(when)
        at.text_input(key="tp_topic").set_value("启动会准备")
        at.button(key="tp_submit").click().run()
    assert not at.exception and not at.error
    assert texts(at.success) == [f"已保存：{when.isoformat()} 与 R2 的邮件。"]


# --- no English sentence on a Chinese page ------------------------------------------------------------

# Three English words in a row: a sentence or a phrase left untranslated (one word may be a code or a unit).
ENGLISH = re.compile(r"[A-Za-z]+(?:[ ,;:'’/-]+[A-Za-z]+){2,}")
# What a Chinese page may still write in Latin letters: codes (B03, P50, P80, a scenario named S1), the
# pins' format, and the abbreviations the glossary keeps.
ALLOWED = re.compile(r"CODE=YYYY-MM-01|YYYY-MM-DD|YYYY-MM-01|\b(?:[A-Z]+\d+|CSV|ERP|FTE|BOM)\b")
WIDGETS = ("button", "checkbox", "date_input", "download_button", "multiselect", "number_input", "radio",
           "segmented_control", "selectbox", "text_area", "text_input", "toggle")


def words_shown(at: Any) -> list[str]:
    """Every text of a page a person reads but tables and charts: titles, captions, markdown, messages,
    metric labels and helps, widget labels, helps, placeholders and radio options, tab, expander and
    status labels."""
    shown = [t for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
                            "success") for t in texts(getattr(at, kind))]
    shown += [text for m in at.metric for text in (m.label, m.help)]
    for kind in WIDGETS:
        for widget in getattr(at, kind):
            shown += [str(getattr(widget, name, "") or "") for name in ("label", "help", "placeholder")]
    shown += [option for radio in at.radio for option in radio.options]
    shown += [block.label for kind in ("tabs", "expander", "status") for block in getattr(at, kind)]
    return [text for text in shown if text]


def english_in(shown: list[str]) -> list[str]:
    """The texts holding three English words in a row (codes of the allow-list taken out first)."""
    return [text for text in shown if ENGLISH.search(ALLOWED.sub(" · ", text))]


def english_headers(frame: Any) -> list[str]:
    """A table's headers written in English words only (a Chinese header has a Chinese character; P50 ready
    date reads 'P50 就绪日期')."""
    return [str(c) for c in frame.columns if re.fullmatch(r"[A-Za-z %()'-]+", ALLOWED.sub("", str(c)))]


def test_the_allow_list_keeps_codes_and_finds_sentences() -> None:
    assert english_in(["每行一个，格式 CODE=YYYY-MM-01", "B03 与 P80 的 CSV", "截至 2026-11-22"]) == []
    assert english_in(["Optimise the plan", "方案 Apply these changes", "Plan: optimal", "P80 ready"]) == [
        "Optimise the plan", "方案 Apply these changes"]
    assert english_headers(pd.DataFrame(columns=["分公司", "P50 就绪日期", "planned go-live", "kickoff"])) == [
        "planned go-live", "kickoff"]


@pytest.mark.slow
def test_the_launch_planning_page_in_chinese_has_no_english_sentence(open_page, sample_db_path) -> None:
    from rollout.core.access import LOCAL
    from rollout.planning import planner, scenarios
    from rollout.store.db import Database

    with Database(sample_db_path) as db:  # a saved plan: the page opens on it, with its figures and scenarios
        plan = planner.plan_json(db, date(2026, 11, 22), overrides={"solve_time_limit_s": 3.0})
        scenarios.save_scenario(db, "S1", {"prep_months": 3}, plan, caller=LOCAL)
    at = open_page("planning", query={"lang": "zh"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "上线计划"
    shown, headers = words_shown(at), []
    tabs = [tab.label for tab in at.tabs]
    assert len(tabs) == 3
    with i18n.use_language("zh"):  # AppTest formats the pickers' values here, outside the script run
        for tab in tabs:  # each tab is drawn only when open
            at.session_state["planning_tab"] = tab
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            shown += words_shown(at)
            headers += [h for d in at.dataframe for h in english_headers(d.value)]
        at.button(key="plan_apply_preview").click().run()  # the changes a scenario would make
        shown += words_shown(at)
        at.button(key="plan_apply_confirm").click().run()  # applied: the message of the next run
        shown += words_shown(at)
        at.number_input(key="plan_solve_time_limit_s").set_value(3.0)
        at.button(key="plan_run").click().run()  # optimised: the status box and its result
    assert not at.exception, [e.value for e in at.exception]
    shown += words_shown(at)
    headers += [h for d in at.dataframe for h in english_headers(d.value)]
    assert any("方案" in text for text in shown)
    assert sorted(set(english_in(shown))) == []
    assert sorted(set(headers)) == []


@pytest.mark.slow
def test_the_go_lives_at_risk_in_chinese_have_no_english_sentence(open_page) -> None:
    at = open_page("portfolio", query={"lang": "zh"})
    assert not at.exception, [e.value for e in at.exception]
    shown = words_shown(at)
    assert any("上线" in text and "90" in text for text in texts(at.warning))  # the section is on the page
    assert sorted(set(english_in(shown))) == []
    with i18n.use_language("zh"):  # the table is found by its Chinese headers
        wanted = {column_label("p_ready_by_go_live"), column_label("ready_p80_on")}
    risky = next(d.value for d in at.dataframe if wanted <= set(d.value.columns))
    assert len(risky) == 5 and english_headers(risky) == []
