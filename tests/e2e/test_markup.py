"""Codes and names holding HTML render as text on every page, charts included (issue 14, item 6).

A fresh server runs on the public sample whose codes and names hold `<a href>`, `<b>`, `<i>` and
`<img onerror>` (support.MARKUP_CODES / MARKUP_TEXT). On every page (each tab opened, the launch plan
run, every chart hovered across its plot area) the DOM holds no link, image, bold or italic element
made from that data, in HTML or in plotly's SVG (axis ticks, legends, hover labels).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ui.navigation import ALL_PAGES

from browser import (
    assert_no_exception,
    browser_page,
    charts_drawn,
    open_app,
    screenshot,
    streamlit_server,
    wait_for_app,
)
from support import MARKUP_CODES

pytestmark = pytest.mark.e2e

# Elements made from the data: links to evil.test, the img src=x, any onerror handler, and bold or italic
# text (HTML or plotly's SVG tspans) holding one of the marked codes or names.
FINDINGS = r"""(root) => {
  const found = [];
  const say = (why, el) => found.push(why + ": " + (el.outerHTML || "").slice(0, 200));
  const marks = /ZQ|NORTH|B05|X03|P022/;
  root.querySelectorAll("a").forEach(a => {
    const href = a.getAttribute("href") || a.getAttribute("xlink:href") || "";
    if (href.includes("evil.test")) say("link", a);
  });
  root.querySelectorAll("img, image").forEach(el => {
    const src = el.getAttribute("src") || el.getAttribute("href") || el.getAttribute("xlink:href") || "";
    if (src === "x" || src.endsWith("/x")) say("image", el);
  });
  root.querySelectorAll("[onerror]").forEach(el => say("onerror", el));
  root.querySelectorAll("b, strong, i, em").forEach(el => { if (marks.test(el.textContent)) say("styled", el); });
  root.querySelectorAll("tspan, text").forEach(el => {
    const style = el.getAttribute("style") || "";
    if (/font-weight:\s*bold|font-style:\s*italic/.test(style) && marks.test(el.textContent)) say("styled svg", el);
  });
  return found;
}"""


@pytest.fixture(scope="module")
def markup_url(markup_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e-markup")
    shutil.copy(markup_db_file, folder / "rollout.duckdb")
    with streamlit_server(folder / "rollout.duckdb", folder / "logs") as url:
        yield url


def findings(page) -> list[str]:
    return page.locator("body").evaluate(FINDINGS)


def hover_every_chart(page) -> list[str]:
    """Move the mouse over a grid of points of every visible chart; what the hover labels held that is bad,
    and (last) how many hover labels were seen. A chart that showed none is swept again more slowly: on a
    busy machine plotly may draw its hover label after the first sweep's short pause."""
    found, labels = [], 0
    for chart in page.locator(".js-plotly-plot").all():
        if not chart.is_visible():
            continue
        chart.scroll_into_view_if_needed()
        box = chart.locator(".nsewdrag").first.bounding_box()
        if not box:
            continue
        for pause in (15, 250, 800):
            chart.scroll_into_view_if_needed()
            box = chart.locator(".nsewdrag").first.bounding_box() or box  # a rerun may have moved it
            seen = 0
            for i in range(1, 8):
                for j in range(1, 6):
                    page.mouse.move(box["x"] + box["width"] * i / 8, box["y"] + box["height"] * j / 6)
                    page.wait_for_timeout(pause)
                    layer = chart.locator(".hoverlayer")
                    if layer.locator("text").count():
                        seen += 1
                        found += layer.evaluate(FINDINGS)
            labels += seen
            if seen:
                break
    page.mouse.move(0, 0)
    return [*found, f"{labels} hover labels"]


@pytest.mark.parametrize("name", [p.url_path for p in ALL_PAGES])
def test_markup_in_the_data_stays_text(browser, markup_url: str, name: str) -> None:
    with browser_page(browser, markup_url) as page:
        open_app(page, name, branch=MARKUP_CODES["B03"] if name == "branch" else None)
        assert_no_exception(page)
        if name == "planning":  # the Gantt and the load chart appear once a plan is run
            page.locator(".st-key-plan_run button").click()
            page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
            wait_for_app(page)
        bad = findings(page)
        hovered = hover_every_chart(page)
        bad += hovered[:-1]
        tabs = page.locator('[data-baseweb="tab-list"] [role="tab"]')
        for index in range(tabs.count()):
            tabs.nth(index).click()
            wait_for_app(page)
            bad += findings(page) + hover_every_chart(page)[:-1]
        if tabs.count():  # back to the first tab: a tab is drawn only while it is open (ui.widgets.lazy_tabs)
            tabs.first.click()
            wait_for_app(page)
            charts_drawn(page)
        screenshot(page, f"markup_{name}")
        assert bad == [], bad
        assert_no_exception(page)
        shown = page.locator("body").evaluate("b => b.textContent").replace("\u2060", "")  # ui.widgets.plain
        assert MARKUP_CODES["B03"] in shown or name not in ("branch", "portfolio", "staffing")  # as typed
        if name in ("portfolio", "staffing"):  # charts included: the codes are their axis labels
            drawn = " ".join(page.locator(".js-plotly-plot").all_text_contents())
            assert MARKUP_CODES["B05"] in drawn and MARKUP_CODES["B03"] in drawn, drawn[:500]
            # the sweep saw hover labels (it is not vacuous); on Staffing's heatmap a busy browser sometimes
            # draws none at all, so the guard holds on the Portfolio (see the closing note of 2026-11-30)
            assert hovered[-1] != "0 hover labels" or name == "staffing"
