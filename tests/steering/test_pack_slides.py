"""The steering pack (rollout/steering/pack.py and its renderers): at most 12 slides at any size, the
summary's figures, the one status palette in every chart, Chinese and English, full lists in Excel
and the HTML appendix only."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches

from rollout.cli import main
from rollout.core import i18n
from rollout.core.access import LOCAL
from rollout.core.errors import RolloutError
from rollout.core.labels import STATUS_COLOURS, STATUS_ORDER, status_label
from rollout.metrics import readiness
from rollout.metrics.summary import summary
from rollout.steering import decisions, pack, snapshots
from rollout.steering.model import MAX_SLIDES, SLIDE_ROWS, Chart, Pack, Section, Table, header
from rollout.steering.render_pptx import label_layout
from rollout.store.db import Database

AS_OF = date(2026, 11, 22)
HOSTILE_FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_HTML = "<script>alert(1)</script>"
CJK = re.compile(r"[\u4e00-\u9fff]")


def slides(data: bytes, tmp_path: Path, name: str = "pack.pptx") -> list:
    path = tmp_path / name
    path.write_bytes(data)
    return list(Presentation(str(path)).slides)


def title(slide) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title else ""


def tables(slide) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in sh.table.rows] for sh in slide.shapes if sh.has_table]


def numbers(table: list[list[str]]) -> list[list[str]]:
    """The numbers in each body cell, in sorted order (a translated sentence may put them in another order)."""
    return [sorted(re.findall(r"\d+(?:[.,]\d+)*", cell)) for row in table[1:] for cell in row]


def charts(slide) -> list:
    return [sh.chart for sh in slide.shapes if sh.has_chart]


def series_colour(series) -> str | None:
    fill = series._element.find(qn("c:spPr") + "/" + qn("a:solidFill") + "/" + qn("a:srgbClr"))
    if fill is None:  # a line series: its line's fill
        fill = series._element.find(qn("c:spPr") + "/" + qn("a:ln") + "/" + qn("a:solidFill") + "/" + qn("a:srgbClr"))
    return None if fill is None else "#" + fill.get("val").lower()


def point_colours(series) -> list[str]:
    return ["#" + p.find(".//" + qn("a:srgbClr")).get("val").lower() for p in series._element.findall(qn("c:dPt"))]


# --- the sample: slides, figures, palette -------------------------------------------------------------

@pytest.mark.slow
def test_sample_pack_is_eleven_slides_without_continuations_and_with_native_charts(sample_db, tmp_path) -> None:
    content = pack.pack(sample_db, AS_OF, "en")
    deck = slides(pack.render(content, "pptx"), tmp_path)
    assert len(deck) == content.slide_count == 11 <= MAX_SLIDES
    titles = [title(s) for s in deck]
    assert titles[1:] == ["Executive summary", "Status by region", "Trend since the last reviews", "Top 10 risks",
                          "Next go-lives (60 days)", "Staffing risks", "Regional heads to call",
                          "Lessons coverage and recurring problems", "Consultant man-days used against budget",
                          "Decisions needed and taken"]
    assert not [t for t in titles if re.search(r"\(\d+/\d+\)", t)], "no continuation slide"
    for slide in deck:
        for table in tables(slide):
            assert len(table) - 1 <= SLIDE_ROWS
    assert sum(len(charts(s)) for s in deck) == 4  # summary, regions, lessons, man-days (no snapshot: no trend)
    assert not [sh for s in deck for sh in s.shapes if sh.shape_type == 13], "no pictures"
    # headers are human words, never snake_case
    headers = [cell for s in deck for t in tables(s) for cell in t[0]]
    assert headers and not [h for h in headers if "_" in h]
    assert {"Branch", "Branch name", "Status", "Reason", "Owner", "Next action", "Readiness %"} <= set(headers)


@pytest.mark.slow
def test_sample_pack_shows_the_summary_figures(sample_db, tmp_path) -> None:
    content = {s.key: s for s in pack.pack(sample_db, AS_OF, "en").sections}
    figures = summary(sample_db, AS_OF)
    by_code = {b["branch_code"]: b for b in figures["branches"]}
    # expected_summary_2026-11-22.json: 12 branches, red 6, amber 2, live 3, no_plan 1, green 0; one silent head
    head = content["summary"]
    assert head.chart.frame.set_index("status")["branches"].to_dict() == {"red": 6, "amber": 2, "green": 0,
                                                                          "no_plan": 1, "live": 3}
    assert head.lines[:2] == ["Overall status: red.",  # 6 of the 8 rated branches are red (>= 10 %)
                              "3 of 12 branches on track (green or live); 6 red, 2 amber."]
    assert "1 regional head silent." in head.lines
    assert "1,004 of 2,600 consultant man-days used (38.6%)." in head.lines  # 1004 / 2600 = 38.6 %
    # region roll-up: the per-branch statuses summed
    regions = content["regions"].tables[0].full
    assert regions[["red", "amber", "green", "no_plan", "live"]].sum().to_dict() == {
        "red": 6, "amber": 2, "green": 0, "no_plan": 1, "live": 3}
    assert int(regions["branches"].sum()) == 12
    # top risks: the 8 red and amber branches, red first; each row's status is the summary's
    risks = content["risks"].tables[0].full
    assert list(risks["status"]) == ["red"] * 6 + ["amber"] * 2
    assert {c: by_code[c]["status"] for c in risks["branch_code"]} == dict(zip(risks["branch_code"], risks["status"],
                                                                               strict=True))
    assert risks["next_action"].str.len().gt(0).all() and risks["reason"].str.len().gt(0).all()
    # staffing: 9 branches not live (B03..B11) below 100 % fill; uncovered at 8, single points at 6 (see the JSON)
    staffing = content["staffing"].tables[0].full.set_index("branch_code")
    assert sorted(staffing.index) == ["B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10", "B11"]
    for code, row in staffing.iterrows():
        assert (row["fill_rate"], row["uncovered_modules"], row["spof_modules"]) == (
            by_code[code]["fill_rate"], by_code[code]["uncovered_modules"], by_code[code]["spof_modules"])
    assert content["staffing"].lines == ["9 branches not live have a staffing risk: 8 with an uncovered module, "
                                         "6 with a single point of failure."]
    # lessons: the summary's coverage; L1, L2, L4 55.6 %, L3 33.3 % -> 50.0 % on average
    lessons = content["lessons"].tables[0].full.set_index("lesson_code")["application_coverage"].to_dict()
    assert lessons == {lesson["lesson_code"]: lesson["application_coverage"] for lesson in figures["lessons"]}
    assert content["lessons"].lines[0] == "4 lessons applied at 50.0% of the branches not yet live, on average."
    # man-days by region: budget 2,600, used 1,004, remaining 1,596, no forecast overrun
    total = content["man_days"].tables[0].full.iloc[-1]
    assert (total["region_name"], total["budget"], total["used"], total["remaining"], total["forecast_overrun"]) == (
        "All regions", 2600, 1004, 1596, 0)
    # next go-lives in 60 days: the branches not live planned between 11-22 and 01-21
    go_lives = content["go_lives"].tables[0].frame
    status = readiness.branch_status(sample_db, AS_OF)
    soon = status[(status["status"] != "live") & status["days_to_go_live"].between(0, 60)]
    assert sorted(go_lives["branch_code"]) == sorted(soon["branch_code"])
    assert list(go_lives["p_ready_by_go_live"].round(1)) == [by_code[c]["p_ready_by_go_live"]
                                                             for c in go_lives["branch_code"]]


@pytest.mark.slow
def test_every_status_series_and_point_is_in_its_palette_colour(sample_db, tmp_path) -> None:
    snapshots.take_snapshot(sample_db, date(2026, 11, 1), caller=LOCAL)
    snapshots.take_snapshot(sample_db, AS_OF, caller=LOCAL)
    deck = slides(pack.report_bytes(sample_db, AS_OF, "pptx", "en"), tmp_path)
    words = {status_label(code): code for code in STATUS_COLOURS}
    by_title = {title(s): charts(s) for s in deck}
    summary_chart = by_title["Executive summary"][0]
    assert list(summary_chart.plots[0].categories) == [status_label(s) for s in STATUS_ORDER]
    assert point_colours(summary_chart.plots[0].series[0]) == [STATUS_COLOURS[s] for s in STATUS_ORDER]
    status_series = 0
    for title_text in ("Status by region", "Trend since the last reviews"):
        for series in by_title[title_text][0].plots[0].series:
            assert series_colour(series) == STATUS_COLOURS[words[series.name]], (title_text, series.name)
            status_series += 1
    assert status_series == 10  # five statuses on each chart
    # counts are labelled as whole numbers, and a stacked column hides its zero parts
    assert by_title["Status by region"][0].plots[0].data_labels.number_format == "#,##0;-#,##0;;"
    assert summary_chart.plots[0].data_labels.number_format == "#,##0"
    # the trend counts equal the snapshots' own (Python-parsed) status counts, oldest first
    trend = by_title["Trend since the last reviews"][0].plots[0]
    listed = snapshots.list_snapshots(sample_db).iloc[::-1]
    red = next(s for s in trend.series if s.name == "red")
    assert list(red.values) == list(listed["red"].astype(float))
    assert list(trend.categories) == ["2026-11-01", "2026-11-22"]


@pytest.mark.slow
def test_chinese_pack_has_chinese_titles_headers_and_charts_and_the_english_figures(sample_db, tmp_path) -> None:
    english = slides(pack.report_bytes(sample_db, AS_OF, "pptx", "en"), tmp_path, "en.pptx")
    chinese = slides(pack.report_bytes(sample_db, AS_OF, "pptx", "zh"), tmp_path, "zh.pptx")
    assert len(chinese) == len(english) == 11
    assert i18n.current() == "en"  # building a Chinese pack leaves the caller's language alone
    for slide in chinese:
        assert CJK.search(title(slide)), title(slide)
        for table in tables(slide):
            assert all(CJK.search(cell) for cell in table[0]), table[0]
        for chart in charts(slide):
            assert CJK.search(chart.chart_title.text_frame.text)
    assert title(chinese[1]) == "总体概况" and title(chinese[4]) == "十大风险"
    # the same figures: every number in every table and chart is the English pack's
    for en_slide, zh_slide in zip(english, chinese, strict=True):
        assert [numbers(t) for t in tables(en_slide)] == [numbers(t) for t in tables(zh_slide)]
        assert [[list(s.values) for s in c.plots[0].series] for c in charts(en_slide)] == \
            [[list(s.values) for s in c.plots[0].series] for c in charts(zh_slide)]
    # status words in Chinese, and every run carries the East Asian typeface and the zh-CN tag
    cells = [cell for s in chinese for t in tables(s) for row in t[1:] for cell in row]
    assert "红" in cells and "red" not in cells
    runs = [r for s in chinese for sh in s.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs
            for r in p.runs]
    assert runs and all(r._r.rPr.find(qn("a:ea")).get("typeface") == "Microsoft YaHei" for r in runs)
    assert all(r._r.rPr.get("lang") == "zh-CN" for r in runs)
    # the Excel pack: Chinese sheet names and headers, the same rows
    book = openpyxl.load_workbook(io.BytesIO(pack.report_bytes(sample_db, AS_OF, "xlsx", "zh")))
    risks = list(book["有风险的分公司"].iter_rows(values_only=True))
    assert risks[0][:4] == ("分公司", "分公司名称", "区域", "状态") and len(risks) == 1 + 8  # 6 red, 2 amber
    assert all(CJK.search(name) for name in book.sheetnames)


# --- full lists: Excel and the HTML appendix ----------------------------------------------------------

def red_portfolio(db_factory, branches: int = 14, names: dict[int, str] | None = None) -> Database:
    """`branches` branches, each with one open item and a go-live in 20 days (readiness 0 < 60 within 60
    days: red), the first going live soonest."""
    names = names or {}
    return db_factory(
        regions=[{"region_code": "E", "region_name": "华东区"}],
        branches=[{"branch_code": f"B{i:02d}", "branch_name": names.get(i, f"分公司{i}"), "region_code": "E",
                   "planned_go_live": (AS_OF + timedelta(days=20 + i)).isoformat(), "consultant_days_budget": 10,
                   "consultant_days_used": i} for i in range(branches)],
        checklist=[{"branch_code": f"B{i:02d}", "item_code": f"B{i:02d}-1", "dimension": "data", "title": "期初数据",
                    "owner": f"负责人{i}", "due_date": "2026-12-01", "status": "open", "gate": True}
                   for i in range(branches)])


@pytest.mark.slow
def test_a_long_list_is_cut_on_the_slide_and_whole_in_excel_and_html(db_factory, tmp_path) -> None:
    db = red_portfolio(db_factory, names={3: HOSTILE_FORMULA, 4: HOSTILE_HTML})
    content = pack.pack(db, AS_OF, "en")
    risks = next(s for s in content.sections if s.key == "risks").tables[0]
    assert (len(risks.frame), len(risks.full)) == (SLIDE_ROWS, 14)
    # the gate is the reason's subject, its owner the owner, closing it the next action
    first = risks.full.iloc[0]
    # (all red, none with a forecast: in code order)
    assert (first["branch_code"], first["owner"], first["next_action"]) == (
        "B00", "负责人0", "Close the gate “期初数据” before go-live.")
    deck = slides(pack.render(content, "pptx"), tmp_path)
    assert len(deck) == 11
    risk_rows = tables(next(s for s in deck if title(s) == "Top 10 risks"))[0]
    assert len(risk_rows) == SLIDE_ROWS + 1
    # Excel: a sheet per list, human headers, every row, formula-safe
    (tmp_path / "pack.xlsx").write_bytes(pack.render(content, "xlsx"))
    book = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    rows = list(book["Branches at risk"].iter_rows(values_only=True))
    assert rows[0] == tuple(header(c) for c in risks.full.columns)
    assert len(rows) == 15 and {r[0] for r in rows[1:]} == {f"B{i:02d}" for i in range(14)}
    assert {r[3] for r in rows[1:]} == {"red"}  # status words
    evil = [c for ws in book for row in ws.iter_rows() for c in row if c.value == HOSTILE_FORMULA]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    days = {r[0]: r for r in book["Man-days by branch"].iter_rows(values_only=True)}
    assert days["B05"][2:6] == (10, 5, 5, 50)  # budget 10, used 5, remaining 5, 50 %
    planned = list(book["Planned go-lives (not live)"].iter_rows(values_only=True))
    assert planned[1][3].date() == date(2026, 12, 12)  # a date, not text: 11-22 + 20 days
    # HTML: the slide's ten rows, then the appendix with all fourteen; user text escaped
    text = pack.render(content, "html").decode("utf-8")
    appendix = text[text.index('id="appendix"'):]
    assert all(f">B{i:02d}<" in appendix for i in range(14))
    assert HOSTILE_HTML not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script" not in text and "http" not in text
    assert '"Noto Sans CJK SC"' in text and '<html lang="en">' in text


def test_pack_of_an_empty_database_renders_in_every_format(tmp_path) -> None:
    with Database(tmp_path / "empty.duckdb") as db:
        content = pack.pack(db, AS_OF)
        assert content.slide_count == 11
        for kind in pack.KINDS:
            assert pack.render(content, kind)
        trend = next(s for s in content.sections if s.key == "trend")
        assert trend.lines == ["No review snapshot yet: take one at each steering review."]


def test_unknown_pack_format_is_refused(tmp_path) -> None:
    with Database(tmp_path / "empty.duckdb") as db:
        with pytest.raises(RolloutError, match=r"\.pptx, \.xlsx or \.html"):
            pack.write_report(db, AS_OF, tmp_path / "pack.pdf")
        with pytest.raises(RolloutError):
            pack.report_bytes(db, AS_OF, "docx")


@pytest.mark.slow
def test_decisions_needed_and_taken_with_the_verdicts_of_the_decisions_page(sample_db) -> None:
    decided = decisions.record_decision(sample_db, "B03", "go_with_conditions", date(2026, 11, 20), "指导委员会",
                                        "close overdue items", date(2026, 12, 1), as_of=AS_OF, caller=LOCAL)
    section = next(s for s in pack.pack(sample_db, AS_OF, "en").sections if s.key == "decisions")
    needed, taken = section.tables[0].full, section.tables[1].full
    # go-lives within 30 days and not live: B03, B04 (2026-12-01); B03 now has a decision
    assert list(needed["branch_code"]) == ["B04"]
    listed = decisions.list_decisions(sample_db, AS_OF)  # the page's verdicts, from the summary
    assert list(taken["branch_code"]) == ["B03"] and listed.loc[0, "decision_id"] == decided
    assert (taken.loc[0, "decision"], taken.loc[0, "status_now"], taken.loc[0, "conditions_met"]) == (
        "go with conditions", listed.loc[0, "status_now"], listed.loc[0, "conditions_met"])


@pytest.mark.slow
def test_cli_report_in_chinese(sample_db_path, tmp_path) -> None:
    out = tmp_path / "pack.html"
    assert main(["report", "--lang", "zh", "--db", str(sample_db_path), "--as-of", "2026-11-22",
                 "--out", str(out)]) == 0
    assert i18n.current() == "en"  # the command's language ends with the command
    text = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and "总体概况" in text and "附录：完整清单" in text


# --- a large portfolio --------------------------------------------------------------------------------

# --- charts a committee reads: bars from 0, labels that do not overlap ---------------------------------

def _chart_pack(language: str) -> Pack:
    """The lessons and man-days slides as a 2,000-branch portfolio has them: coverage between 19 and 25 %, ten
    regions' man-days in tens of thousands with halves, each chart beside its table."""
    lessons = pd.DataFrame({"lesson_code": [f"L0{i}" for i in range(1, 10)],
                            "application_coverage": [22.6, 21.3, 24.1, 24.0, 19.4, 23.8, 23.0, 21.9, 23.4]})
    days = pd.DataFrame({"region_name": [f"区域{i}" for i in range(10)],
                         "budget": [44250.0 - 1000 * i for i in range(10)],
                         "used": [24310.5 - 600 * i for i in range(10)]})
    status = pd.DataFrame({"status": ["red", "amber", "green", "no_plan", "live"],
                           "branches": [368, 345, 487, 150, 651]})
    sections = [Section(key, key, [], Chart("bar", frame, frame.columns[0], list(frame.columns[1:]), key),
                        [Table(key, key, frame, frame)])
                for key, frame in (("lessons", lessons), ("man_days", days), ("summary", status))]
    return Pack("pack", AS_OF, language, sections)


def _bar_charts(data: bytes, tmp_path: Path) -> dict[str, object]:
    return {title(s): charts(s)[0] for s in slides(data, tmp_path)[1:]}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_bar_axes_start_at_zero_and_data_labels_do_not_overlap(tmp_path, language: str) -> None:
    drawn = _bar_charts(pack.render(_chart_pack(language), "pptx"), tmp_path)
    for chart in drawn.values():  # 19.4 % to 24.1 %: an axis from 19 % would make L03 look five times L05
        assert chart.value_axis.minimum_scale == 0
    days = drawn["man_days"].plots[0]
    labels = days._element.find(qn("c:dLbls"))
    # 20 bars on half a slide: "44,250" across would overlap its neighbour; turned upright, whole man-days
    assert labels.find(qn("c:numFmt")).get("formatCode") == "#,##0"
    assert labels.find(qn("c:txPr") + "/" + qn("a:bodyPr")).get("rot") == "-5400000"
    assert labels.find(qn("c:dLblPos")).get("val") == "outEnd"
    for few in (drawn["lessons"], drawn["summary"]):  # room enough: labels across, as before
        found = few.plots[0]._element.find(qn("c:dLbls"))
        assert found is not None and found.find(qn("c:txPr") + "/" + qn("a:bodyPr")).get("rot") is None


def test_labels_too_many_to_stand_even_upright_are_left_to_the_table() -> None:
    many = pd.DataFrame({"region_name": [f"R{i}" for i in range(60)], "budget": [40000.0] * 60,
                         "used": [20000.0] * 60})
    assert label_layout(Chart("bar", many, "region_name", ["budget", "used"], "t"), Inches(6)) == "none"
    assert label_layout(Chart("bar", many.head(10), "region_name", ["budget", "used"], "t"), Inches(6)) == "turned"
    assert label_layout(Chart("bar", many.head(5), "region_name", ["budget"], "t"), Inches(6)) == "across"


@pytest.mark.slow
def test_pack_of_2000_branches_is_still_eleven_slides(demo_2000, tmp_path) -> None:
    path = tmp_path / "demo2000.duckdb"
    shutil.copy(demo_2000, path)  # shared by the run: a private copy to open
    with Database(path) as db:
        as_of = db.scalar("SELECT max(as_of) FROM snapshots")
        content = pack.pack(db, as_of, "en")
        figures = summary(db, as_of)
    deck = slides(pack.render(content, "pptx"), tmp_path)
    assert len(deck) == 11
    for slide in deck:
        for table in tables(slide):
            assert len(table) - 1 <= SLIDE_ROWS
    statuses = [b["status"] for b in figures["branches"]]
    sections = {s.key: s for s in content.sections}
    assert sections["summary"].chart.frame.set_index("status")["branches"].to_dict() == {
        s: statuses.count(s) for s in STATUS_ORDER}
    assert len(sections["regions"].tables[1].full) == len(statuses) == 2001  # every branch in the appendix
    assert len(sections["risks"].tables[0].full) == statuses.count("red") + statuses.count("amber")
    assert len(sections["trend"].chart.frame) == 13  # the demo's weekly reviews
    with Database(path) as db:
        chinese = {title(s): charts(s) for s in slides(pack.report_bytes(db, as_of, "pptx", "zh"), tmp_path, "zh.pptx")}
    bars = [c for found in chinese.values() for c in found if c.chart_type != XL_CHART_TYPE.LINE_MARKERS]
    assert len(bars) == 4 and all(c.value_axis.minimum_scale == 0 for c in bars)  # lessons at 19-25 % from 0
    man_days = chinese["实施人天：已投入与预算"][0].plots[0]._element.find(qn("c:dLbls"))
    assert man_days.find(qn("c:txPr") + "/" + qn("a:bodyPr")).get("rot") == "-5400000"  # upright: no overlap


@pytest.mark.slow
def test_a_long_lesson_or_decision_is_cut_on_the_slide_and_whole_in_excel_and_html(sample_db, tmp_path) -> None:
    """A 10,000-character text (the longest a cell may hold) is cut in a slide's cell with "…"."""
    from rollout.steering.render_pptx import CELL_CHARS

    def long_text(word: str) -> str:
        return (" ".join(f"{word}{i}" for i in range(3000)))[:10_000]

    with sample_db.transaction() as cur:  # every lesson's title at the limit, each its own words
        for (code,) in cur.execute("SELECT lesson_code FROM lessons").fetchall():
            cur.execute("UPDATE lessons SET title = ? WHERE lesson_code = ?", [long_text(f"lesson{code}x"), code])
    conditions = long_text("condition")
    decisions.record_decision(sample_db, "B03", "go_with_conditions", date(2026, 11, 20), "committee", conditions,
                              date(2026, 12, 1), as_of=AS_OF, caller=LOCAL)
    content = pack.pack(sample_db, AS_OF, "en")
    deck = slides(pack.render(content, "pptx"), tmp_path)
    cells = [cell for slide in deck for table in tables(slide) for row in table for cell in row]
    assert max(len(cell) for cell in cells) <= CELL_CHARS
    assert conditions[:CELL_CHARS - 1].rstrip() + "…" in cells
    lesson_cells = [c for c in cells if c.startswith("lesson")]
    assert lesson_cells and all(c.endswith("…") and len(c) == CELL_CHARS for c in lesson_cells)
    # the Excel and HTML packs keep every text whole
    (tmp_path / "pack.xlsx").write_bytes(pack.render(content, "xlsx"))
    book = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    values = {c.value for ws in book for row in ws.iter_rows() for c in row}
    assert conditions in values and long_text("lessonL1x") in values
    html = pack.render(content, "html").decode("utf-8")
    assert conditions in html and long_text("lessonL1x") in html
