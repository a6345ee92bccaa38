"""The users' journeys, in real Chromium against a real streamlit server on a copy of the sample.

(a) the CIO opens the Portfolio, filters a region, opens a red branch and reads why;
(b) the team uploads a workbook on the Data page, sees the dry run, confirms and sees the figures change;
(c) someone logs a touchpoint on the Executives page;
(d) the CIO downloads the steering pack.
Every page is also opened once and screenshotted to tests/e2e/screenshots/<page>.png.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from rollout.core.labels import column_label
from ui.navigation import ALL_PAGES

from browser import (
    assert_no_exception,
    browser_page,
    choose,
    metric,
    navigate,
    open_app,
    screenshot,
    wait_for_app,
    wait_for_text,
)
from support import SAMPLE

pytestmark = pytest.mark.e2e

PAGES = [p.url_path for p in ALL_PAGES]


def test_cio_filters_a_region_and_reads_why_a_branch_is_red(page) -> None:
    open_app(page, "portfolio")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=45_000)  # the first visit may rerun once
    wait_for_app(page)
    assert page.get_by_role("heading", name="Portfolio").is_visible()
    assert page.get_by_role("heading", name="Branches").is_visible()
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # the branch table
    assert_no_exception(page)
    screenshot(page, "journey_portfolio")
    red_everywhere = metric(page, "Red")
    choose(page, "regions_picker", "NORTH")
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert "region=NORTH" in page.url  # the filtered view is a shareable link
    # B03, B06 and B09 are the red branches of the north as of 2026-11-22 (the upload journey touches only B05)
    assert metric(page, "Red") == 3 <= red_everywhere
    screenshot(page, "journey_portfolio_north")
    choose(page, "portfolio_branch", "B03")
    page.locator(".st-key-portfolio_open button").click()
    page.get_by_text("Why this status").wait_for()
    wait_for_app(page)
    assert "/branch" in page.url and "branch=B03" in page.url
    assert "as_of=2026-11-22" in page.url and "region=NORTH" in page.url  # the filters came along
    assert page.get_by_role("heading", name=re.compile("B03")).is_visible()
    assert page.get_by_text("Why this status").is_visible()
    reasons = [t for t in page.locator('[data-testid="stText"]').all_inner_texts() if t.startswith("•")]
    assert any("after the planned go-live (more than 30)" in r for r in reasons), reasons  # why it is red
    assert any("overdue item" in r for r in reasons), reasons
    assert_no_exception(page)
    screenshot(page, "journey_branch_red")


@pytest.fixture(scope="module")
def tour(browser: object, app_url: str) -> Iterator[object]:
    """One tab for the tour of every page (one session, as a person going through them)."""
    with browser_page(browser, app_url) as tab:
        yield tab


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_in_the_browser(tour, name: str) -> None:
    page = tour
    if name in ("branch", "staffing", "decisions") or page.url == "about:blank":  # a branch: by its link
        open_app(page, name, branch="B03" if name in ("branch", "staffing", "decisions") else None)
    else:
        navigate(page, name)  # the session's as-of stays, and is written back to the page's URL
        assert "as_of=2026-11-22" in page.url, page.url
    assert_no_exception(page)
    assert page.locator("h1").count() >= 1, "every page has a title"
    assert not page.get_by_text("Page not found").count()
    screenshot(page, name)


def b05_all_done() -> bytes:
    """checklist.csv: every item of B05 (red: readiness 12.5%) marked done on 2026-11-01."""
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE, read_only=True)
    rows = list(book["checklist"].iter_rows(values_only=True))
    book.close()
    header = list(rows[0])
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows[1:]:
        if row[0] != "B05":
            continue
        cells = dict(zip(header, row, strict=True))
        cells.update(status="done", completed_on="2026-11-01")
        writer.writerow(["" if v is None else v.date().isoformat() if isinstance(v, datetime)
                         else v.isoformat() if isinstance(v, date) else v for v in cells.values()])
    return out.getvalue().encode("utf-8")


def test_team_uploads_a_workbook_checks_the_dry_run_and_loads_it(page) -> None:
    open_app(page, "portfolio")
    red, green = metric(page, "Red"), metric(page, "Green")
    open_app(page, "data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "checklist.csv", "mimeType": "text/csv", "buffer": b05_all_done()}])
    wait_for_text(page, "Dry run of checklist.csv")
    alerts = page.locator('[data-testid="stAlertContainer"]')
    assert any("Dry run of checklist.csv" in t and "Nothing is written yet" in t for t in alerts.all_inner_texts())
    screenshot(page, "journey_data_dry_run")
    open_app(page, "portfolio")
    assert metric(page, "Red") == red  # the dry run wrote nothing
    open_app(page, "data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "checklist.csv", "mimeType": "text/csv", "buffer": b05_all_done()}])
    wait_for_text(page, "Dry run of checklist.csv")
    page.locator(".st-key-import_confirm button").click()
    wait_for_text(page, "Loaded checklist.csv")
    assert any(t.startswith("Loaded checklist.csv") for t in page.locator('[data-testid="stAlertContainer"]')
               .all_inner_texts())
    assert_no_exception(page)
    screenshot(page, "journey_data_loaded")
    open_app(page, "portfolio")
    # B05 was red (readiness 12.5%); with every item done it is green: one red fewer, one green more
    assert (metric(page, "Red"), metric(page, "Green")) == (red - 1, green + 1)
    screenshot(page, "journey_portfolio_after_load")


def test_someone_logs_a_touchpoint(page) -> None:
    open_app(page, "executives", as_of=None)  # today: the new touchpoint is dated today
    choose(page, "tp_exec", "X02")
    choose(page, "tp_channel", "visit")
    page.locator(".st-key-tp_hq_contact input").fill("CIO office")
    page.locator(".st-key-tp_topic input").fill("e2e go-live readiness visit")
    page.locator(".st-key-tp_commitment input").fill("names two key users")
    page.locator(".st-key-tp_submit button").click()
    wait_for_text(page, "Saved: visit with X02")
    saved = page.locator('[data-testid="stAlertContainer"]').all_inner_texts()
    assert f"Saved: visit with X02 on {date.today().isoformat()}." in saved, saved
    assert_no_exception(page)
    screenshot(page, "journey_touchpoint_logged")
    with page.expect_download() as download:  # the commitments table now holds the new promise
        page.locator(".st-key-commitment_table_download button").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    # the download has the headers a person reads (labels.column_label), as the screen does
    wanted = {column_label(k): v for k, v in {"exec_code": "X02", "topic": "e2e go-live readiness visit",
                                              "commitment": "names two key users", "state": "open"}.items()}
    topic = column_label("topic")
    assert wanted.items() <= next(r for r in rows if r[topic] == "e2e go-live readiness visit").items()


def test_cio_downloads_the_steering_pack(page, tmp_path) -> None:
    from pptx import Presentation

    open_app(page, "steering")
    assert_no_exception(page)
    screenshot(page, "journey_steering")
    with page.expect_download() as download:
        page.locator(".st-key-pack_pptx button").click()
    assert download.value.suggested_filename == "steering_pack_2026-11-22.pptx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    deck = Presentation(str(saved))
    assert len(deck.slides) == 11  # the title slide and ten sections
    cells = [cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
             for row in shape.table.rows for cell in row.cells]
    text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert "Top 10 risks" in text
    assert "B03" in cells or any("南京" in c for c in cells), cells[:40]  # a red branch is listed
