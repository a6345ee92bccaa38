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
    navigate,
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


# A point of the chart's own data where plotly shows a hover label, in viewport pixels (null: no hoverable
# trace). Read from the drawn chart (_fullData, _fullLayout's axes), so the pointer lands on a cell, bar or
# marker that holds a value rather than on a gap of a fixed grid.
DATA_POINT = r"""(gd) => {
  const fl = gd._fullLayout, svg = gd.querySelector('.main-svg');
  if (!fl || !svg || fl.hovermode === false) return null;
  const box = svg.getBoundingClientRect();
  const axis = (name, letter) => fl[letter + 'axis' + (name || letter).slice(1)];
  const ok = v => v !== null && v !== undefined && !(typeof v === 'number' && isNaN(v));
  for (const t of gd._fullData) {
    if (t.visible !== true || t.hoverinfo === 'skip' || !t.xaxis || !t.yaxis) continue;
    const xa = axis(t.xaxis, 'x'), ya = axis(t.yaxis, 'y');
    if (!xa || !ya || !xa.d2p || !ya.d2p) continue;
    let at = null;
    if (t.type === 'heatmap' && t.z) {
      for (let j = 0; j < t.z.length && !at; j++)
        for (let i = 0; i < (t.z[j] || []).length && !at; i++)
          if (ok(t.z[j][i])) at = [t.x ? t.x[i] : i, t.y ? t.y[j] : j];
    } else if (t.x && t.y) {
      const horizontal = t.type === 'bar' && t.orientation === 'h';
      for (let k = 0; k < t.x.length && !at; k++) {
        if (!ok(t.x[k]) || !ok(t.y[k])) continue;
        if (t.type === 'bar' && !(horizontal ? t.x[k] : t.y[k])) continue;  // a zero-length bar is no target
        at = t.type !== 'bar' ? [t.x[k], t.y[k]]
           : horizontal ? [(t.base ? t.base[k] || 0 : 0) + t.x[k] / 2, t.y[k]]
           : [t.x[k], (t.base ? t.base[k] || 0 : 0) + t.y[k] / 2];
      }
    }
    if (!at) continue;
    const x = xa._offset + xa.d2p(at[0]), y = ya._offset + ya.d2p(at[1]);
    if (isFinite(x) && isFinite(y)) return [box.left + x, box.top + y];
  }
  return null;
}"""

HOVERABLE = """el => el._fullLayout && el.querySelector('.nsewdrag') && el.querySelector('.nsewdrag').onmousemove"""
LABEL_DRAWN = "el => el.querySelector('.hoverlayer text') !== null"


def hover_a_data_point(page, chart) -> list[str] | None:
    """Rest the pointer on a point of the chart's data and wait for plotly's own hover label (the chart's drawn
    state, not a pause); what the label holds that is bad. None: the chart has no hoverable data point.

    Deterministic: the chart is first waited for until plotly has attached its hover handler (a rerun may
    replace the chart), the point is read from the drawn chart, and plotly's throttled hover always draws
    the label of a pointer that rests on a value."""
    chart.scroll_into_view_if_needed()
    chart.element_handle().wait_for_element_state("stable")
    page.wait_for_function(HOVERABLE, arg=chart.element_handle(), timeout=60_000)
    point = chart.evaluate(DATA_POINT)
    if point is None:
        return None
    page.mouse.move(0, 0)
    page.mouse.move(point[0], point[1], steps=2)  # two moves: plotly hovers on the trailing one too
    page.wait_for_function(LABEL_DRAWN, arg=chart.element_handle(), timeout=60_000)
    found = chart.locator(".hoverlayer").evaluate(FINDINGS)
    page.mouse.move(0, 0)
    return found


def hover_every_chart(page) -> list[str]:
    """Move the mouse over a grid of points of every visible chart (what a user sweeping it would see) and
    rest it on a point of each chart's data: what the hover labels held that is bad, and (last) how many
    charts showed the label of their data point (hover_a_data_point waits for it: never vacuous). The charts
    are first waited for until plotly has drawn each one: a finished script run does not mean the browser has
    drawn its charts yet, and a chart not drawn is not found (a busy machine counted 0 charts on Staffing)."""
    charts_drawn(page)
    found, labelled = [], 0
    for chart in page.locator(".js-plotly-plot").all():
        if not chart.is_visible():
            continue
        chart.scroll_into_view_if_needed()
        box = chart.locator(".nsewdrag").first.bounding_box()
        if not box:
            continue
        for i in range(1, 8):
            for j in range(1, 6):
                page.mouse.move(box["x"] + box["width"] * i / 8, box["y"] + box["height"] * j / 6)
                page.wait_for_timeout(15)  # a sample of what a sweep shows; the label check is hover_a_data_point
                layer = chart.locator(".hoverlayer")
                if layer.locator("text").count():
                    found += layer.evaluate(FINDINGS)
        at_point = hover_a_data_point(page, chart)
        if at_point is not None:
            labelled += 1
            found += at_point
    page.mouse.move(0, 0)
    return [*found, f"{labelled} charts labelled"]


@pytest.fixture(scope="module")
def page(browser: object, markup_url: str) -> Iterator[object]:
    """One tab for the module's pages (one session, as a person going through them)."""
    with browser_page(browser, markup_url) as tab:
        yield tab


@pytest.mark.parametrize("name", [p.url_path for p in ALL_PAGES])
def test_markup_in_the_data_stays_text(page, name: str) -> None:
    if name == "branch" or page.url == "about:blank":  # the marked branch is chosen by its link
        open_app(page, name, branch=MARKUP_CODES["B03"] if name == "branch" else None)
    else:
        navigate(page, name)
    assert_no_exception(page)
    if name == "planning":  # the Gantt and the load chart appear once a plan is run
        page.locator(".st-key-plan_run button").click()
        page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
        wait_for_app(page)
    if name in ("portfolio", "staffing"):  # pages with charts in their first tab: one drawn before hovering
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=90_000)
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
        # the hover check is not vacuous: a chart's data point showed its label (waited for, on both pages)
        assert hovered[-1] != "0 charts labelled", hovered
