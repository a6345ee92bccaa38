"""The steering pack as PowerPoint: native, editable tables and charts (never pictures).

Every run of text carries an East Asian font (`a:ea`) as well as a Latin one, so Chinese branch
names render in PowerPoint, WPS and LibreOffice alike.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from rollout.core.values import is_missing
from rollout.steering.model import Pack, Section

LATIN_FONT = "Calibri"
EA_FONT = "Microsoft YaHei"
ROWS_PER_SLIDE = 12
MAX_COLUMNS = 10
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
LEFT, TOP = Inches(0.4), Inches(1.2)


def set_font(font_element: Any, size: int | None = None, bold: bool | None = None) -> None:
    """Latin + East Asian typeface on an a:rPr / a:defRPr element."""
    if size is not None:
        font_element.set("sz", str(size * 100))
    if bold is not None:
        font_element.set("b", "1" if bold else "0")
    for tag, face in (("a:latin", LATIN_FONT), ("a:ea", EA_FONT)):
        found = font_element.find(qn(tag))
        if found is None:
            found = font_element.makeelement(qn(tag), {})
            # a:latin, a:ea, a:cs come after fills/effects and before hyperlinks.
            anchor = next((c for c in font_element if c.tag in (qn("a:cs"), qn("a:sym"), qn("a:hlinkClick"),
                                                                   qn("a:hlinkMouseOver"), qn("a:rtl"),
                                                                   qn("a:extLst"))), None)
            if tag == "a:latin" and font_element.find(qn("a:ea")) is not None:
                anchor = font_element.find(qn("a:ea"))
            if anchor is None:
                font_element.append(found)
            else:
                anchor.addprevious(found)
        found.set("typeface", face)


def write_text(text_frame: Any, text: str, size: int, bold: bool = False) -> None:
    """Replace a text frame's text with one run per line, each with both fonts."""
    text_frame.clear()
    for index, line in enumerate(str(text).split("\n")):
        paragraph = text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        set_font(run._r.get_or_add_rPr(), size, bold)


def cell_text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _title_slide(prs: Presentation, title: str, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    for shape, top in ((slide.shapes.title, Inches(2.2)), (slide.placeholders[1], Inches(4.0))):
        shape.left, shape.top, shape.width, shape.height = LEFT, top, WIDTH - 2 * LEFT, Inches(1.2)
    write_text(slide.shapes.title.text_frame, title, 36, True)
    write_text(slide.placeholders[1].text_frame, subtitle, 20)


def _slide(prs: Presentation, title: str) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    title_shape = slide.shapes.title
    title_shape.left, title_shape.top, title_shape.width, title_shape.height = (LEFT, Inches(0.3), WIDTH - 2 * LEFT,
                                                                                Inches(0.8))
    write_text(slide.shapes.title.text_frame, title, 26, True)
    return slide


def _note(slide: Any, text: str, top: Emu = TOP) -> None:
    box = slide.shapes.add_textbox(LEFT, top, WIDTH - 2 * LEFT, Inches(0.6))
    box.text_frame.word_wrap = True
    write_text(box.text_frame, text, 14)


def _table(slide: Any, frame: pd.DataFrame, top: Emu) -> None:
    columns = list(frame.columns)[:MAX_COLUMNS]
    rows = len(frame) + 1
    height = Inches(0.32) * rows
    shape = slide.shapes.add_table(rows, len(columns), LEFT, top, WIDTH - 2 * LEFT, height)
    table = shape.table
    texts = [[cell_text(v) for v in frame[c]] for c in columns]
    weights = [min(max([len(str(c)) * 0.7, *(len(t) for t in values)]), 60) + 4
               for c, values in zip(columns, texts, strict=True)]
    for j, weight in enumerate(weights):
        table.columns[j].width = int((WIDTH - 2 * LEFT) * weight / sum(weights))
    for j, column in enumerate(columns):
        write_text(table.cell(0, j).text_frame, str(column).replace("_", " "), 11, True)
    for i, row in enumerate(frame[columns].itertuples(index=False, name=None), start=1):
        for j, value in enumerate(row):
            write_text(table.cell(i, j).text_frame, cell_text(value), 10)


def _chart(slide: Any, frame: pd.DataFrame, section: Section) -> None:
    spec = section.chart
    data = CategoryChartData()
    data.categories = [cell_text(v) for v in frame[spec.category]]
    for column in spec.values:
        data.add_series(column.replace("_", " "), [None if pd.isna(v) else float(v) for v in frame[column]])
    kind = XL_CHART_TYPE.PIE if spec.kind == "pie" else XL_CHART_TYPE.COLUMN_CLUSTERED
    graphic = slide.shapes.add_chart(kind, LEFT, TOP, WIDTH - 2 * LEFT, HEIGHT - TOP - Inches(0.3), data)
    chart = graphic.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = spec.title
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            set_font(run._r.get_or_add_rPr(), 16, True)
    chart.has_legend = len(spec.values) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    if spec.kind != "pie":
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.font.size = Pt(10)
    chart.font.size = Pt(11)
    chart.font.name = LATIN_FONT
    text_props = chart._chartSpace.find(qn("c:txPr"))
    if text_props is not None:
        for default in text_props.iter(qn("a:defRPr")):
            set_font(default)


def _section(prs: Presentation, section: Section) -> None:
    frame = section.frame
    if frame is None:
        _note(_slide(prs, section.title), section.note or "not yet available")
        return
    chart_frame = frame if section.chart is None else frame[frame[section.chart.category] != "TOTAL"]
    if section.chart is not None and len(chart_frame):  # a total row is not a category
        _chart(_slide(prs, section.title), chart_frame, section)
    if frame.empty:
        _note(_slide(prs, section.title), section.note or "None.")
        return
    longest = max((len(cell_text(v)) for c in frame.columns[:MAX_COLUMNS] for v in frame[c]), default=0)
    per_slide = ROWS_PER_SLIDE if longest <= 60 else ROWS_PER_SLIDE // 2  # long reasons wrap onto several lines
    chunks = [frame.iloc[i:i + per_slide] for i in range(0, len(frame), per_slide)]
    for index, chunk in enumerate(chunks):
        title = section.title if len(chunks) == 1 else f"{section.title} ({index + 1}/{len(chunks)})"
        slide = _slide(prs, title)
        top = TOP
        if section.note and index == 0:
            _note(slide, section.note)
            top = TOP + Inches(0.6)
        _table(slide, chunk, top)


def pptx_bytes(pack: Pack) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _title_slide(prs, "ERP rollout: steering committee", f"As of {pack.as_of.isoformat()}")
    for section in pack.sections:
        _section(prs, section)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
