"""The interface in Chinese in a real browser (issue 17): switch in the sidebar, follow a link, the language
stays in the URL and no English UI text is left; a browser that asks for Chinese opens in Chinese; a picture
of every page in Chinese (tests/e2e/screenshots/zh_<page>.png) for people to look at."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po

from rollout.core import i18n
from rollout.store.settings import SETTINGS
from ui.navigation import ALL_PAGES

from browser import AS_OF, ROOT, assert_no_exception, browser_page, navigate, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

PLACEHOLDER = re.compile(r"\{[^}]*\}|%\{[^}]*\}|<[^>]*>")


def english_ui_texts() -> tuple[set[str], list[str]]:
    """The English catalogue's messages that read differently in Chinese: whole texts (a line on the page
    that is exactly one is English left over) and the fixed parts, of three words or more, of every message
    (a page line holding one is too)."""
    with (i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as source:
        catalog = read_po(source)
    whole, parts = set(), []
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in ids:
            if not text or text in strings:  # the same in both languages ("CIO", "FTE", "SHA-256")
                continue
            if not PLACEHOLDER.search(text):
                whole.add(text.replace("**", ""))
            stripped = (p.strip(" .:;,()*") for p in PLACEHOLDER.split(text.replace("**", "")))
            parts += [p for p in stripped if len(p.split()) >= 3]
    return whole, sorted(set(parts))


def library_words_not_yet_translated() -> set[str]:
    """The settings' labels and groups (rollout.store.settings, marked by the library's half of issue 17)
    that have no Chinese yet: left out of the check until they do, so the check tightens by itself."""
    with i18n.use_language("zh"):
        return {text for setting in SETTINGS.values() for text in (setting.label, setting.group)
                if i18n.gettext(text) == text}


def material_icons() -> set[str]:
    """The names of the Material icons the app draws (":material/report:"): the browser's text of a page holds
    each icon's ligature name on a line of its own, which no reader sees as a word (a deviation kind "report"
    is also a message, so the icon beside a notice would read as an untranslated word)."""
    sources = [*ROOT.glob("app.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("ui/**/*.py")]
    return {name for path in sources for name in re.findall(r":material/([a-z0-9_]+):", path.read_text("utf-8"))}


def english_left(text: str) -> list[str]:
    whole, parts = english_ui_texts()
    pending = library_words_not_yet_translated() | material_icons()
    lines = [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in pending]
    text = "\n".join(lines)
    found = [line for line in lines if line in whole]
    found += [part for part in parts if part in text]
    return found


def visible_text(page: object) -> str:
    """What a person reads on the page: the app's text, the charts' text (SVG) included; tables are canvases."""
    return page.locator('[data-testid="stApp"]').inner_text()


def test_switch_to_chinese_and_follow_a_link(page) -> None:
    open_app(page, "branch", branch="B03")
    assert page.get_by_role("heading", name="Branch", exact=True).is_visible()
    assert "lang=" not in page.url  # no choice made: the link does not name one
    page.locator(".st-key-lang_picker").get_by_role("radio", name="中文").click()
    page.get_by_role("heading", name="分公司", exact=True).wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["lang"] == ["zh"] and query["branch"] == ["B03"] and query["as_of"] == [AS_OF]
    assert english_left(visible_text(page)) == []
    page.locator('[data-testid="stSidebarNav"]').get_by_text("人员配置", exact=True).click()
    page.get_by_role("heading", name="人员配置", exact=True).wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert "/staffing" in page.url and "lang=zh" in page.url
    assert page.locator(".st-key-as_of_picker input").input_value() == AS_OF  # the filters came along too
    assert english_left(visible_text(page)) == []
    for tab in ("关键用户", "超负荷与离职", "假如此人离职", "编辑"):
        page.get_by_role("tab", name=tab).click()
        wait_for_app(page)
        assert english_left(visible_text(page)) == [], tab
    screenshot(page, "zh_journey_staffing")


def test_a_browser_that_asks_for_chinese_opens_in_chinese(browser, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, base_url=app_url, locale="zh-CN")
    try:
        page = context.new_page()
        open_app(page, "settings")
        page.get_by_role("heading", name="参数设置", exact=True).wait_for()
        assert_no_exception(page)
        assert "lang=" not in page.url  # followed, not chosen: a link copied from here follows its reader
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text("经验教训", exact=True).is_visible()
    finally:
        context.close()


@pytest.fixture(scope="module")
def zh_tab(browser: object, app_url: str) -> Iterator[object]:
    """One tab for every page in Chinese (one session, as a person going through them)."""
    with browser_page(browser, app_url) as tab:
        yield tab


@pytest.mark.parametrize("target", [p.url_path for p in ALL_PAGES])
def test_every_page_in_chinese(zh_tab, target: str) -> None:
    page = zh_tab
    if target == "branch" or page.url == "about:blank":  # the branch is chosen by its link
        open_app(page, target, **({"lang": "zh", "branch": "B01"} if target == "branch" else {"lang": "zh"}))
    else:
        navigate(page, target)  # the session's language stays, and is written back to the page's URL
    assert "lang=zh" in page.url, page.url
    assert_no_exception(page)
    screenshot(page, f"zh_{target}")
    assert english_left(visible_text(page)) == []
