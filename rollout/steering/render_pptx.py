"""The steering pack as PowerPoint: a title slide and one slide per section, native and editable tables and
charts (never pictures), never a continuation slide.

Every series or point that stands for a status is filled with its colour from the one palette
(rollout.core.labels.STATUS_COLOURS). Every run of text carries an East Asian typeface (`a:ea`) as well
as a Latin one, and the pack's language tag, so Chinese lays out in PowerPoint, WPS and LibreOffice.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from rollout.core.i18n import _, current
from rollout.core.labels import STATUS_COLOURS, status_label
from rollout.steering.model import STATUS_COLUMNS, Chart, Pack, Section, Table, display, header, series_name

LATIN_FONT = "Calibri"
EA_FONT = "Microsoft YaHei"  # PowerPoint's; WPS and LibreOffice substitute PingFang SC / Noto Sans CJK SC
LANGUAGE_TAGS = {"en": "en-GB", "zh": "zh-CN"}
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
LEFT, TOP = Inches(0.4), Inches(1.1)
LINE = Inches(0.32)
CHART_KINDS = {"bar": XL_CHART_TYPE.COLUMN_CLUSTERED, "stacked": XL_CHART_TYPE.COLUMN_STACKED,
               "line": XL_CHART_TYPE.LINE_MARKERS}
# A slide's table cell shows the gist of a text (a lesson's title, a decision's conditions: up to 10,000
# characters each); the Excel pack and the HTML pack hold it whole.
CELL_CHARS, CELL_LINES = 200, 3
ELLIPSIS = "…"
_RUN_ORDER = (qn("a:cs"), qn("a:sym"), qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:rtl"), qn("a:extLst"))


def rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def set_font(font_element: Any, size: int | None = None, bold: bool | None = None) -> None:
    """Latin + East Asian typeface and the pack's language on an a:rPr / a:defRPr element."""
    if size is not None:
        font_element.set("sz", str(size * 100))
    if bold is not None:
        font_element.set("b", "1" if bold else "0")
    font_element.set("lang", LANGUAGE_TAGS.get(current(), "en-GB"))
    if current() == "zh":
        font_element.set("altLang", "en-GB")
    for tag, face in (("a:latin", LATIN_FONT), ("a:ea", EA_FONT)):
        found = font_element.find(qn(tag))
        if found is None:
            found = font_element.makeelement(qn(tag), {})
            # a:latin, a:ea, a:cs come after fills/effects and before hyperlinks.
            anchor = next((c for c in font_element if c.tag in _RUN_ORDER), None)
            if tag == "a:latin" and font_element.find(qn("a:ea")) is not None:
                anchor = font_element.find(qn("a:ea"))
            if anchor is None:
                font_element.append(found)
            else:
                anchor.addprevious(found)
        found.set("typeface", face)


def write_text(text_frame: Any, text: str, size: int, bold: bool = False, colour: str | None = None) -> None:
    """Replace a text frame's text with one run per line, each with both fonts."""
    text_frame.clear()
    for index, line in enumerate(str(text).split("\n")):
        paragraph = text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        set_font(run._r.get_or_add_rPr(), size, bold)
        if colour is not None:
            run.font.color.rgb = rgb(colour)


def _title_slide(prs: Presentation, pack: Pack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    for shape, top in ((slide.shapes.title, Inches(2.2)), (slide.placeholders[1], Inches(4.0))):
        shape.left, shape.top, shape.width, shape.height = LEFT, top, WIDTH - 2 * LEFT, Inches(1.2)
    write_text(slide.shapes.title.text_frame, _("ERP rollout: steering committee"), 36, True)
    overall = pack.sections[0].status if pack.sections else None
    subtitle = _("As of {date}").format(date=pack.as_of.isoformat())
    if overall:
        subtitle += "\n" + _("Overall status: {status}.").format(status=status_label(overall))
    write_text(slide.placeholders[1].text_frame, subtitle, 20)


def _slide(prs: Presentation, title: str) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    title_shape = slide.shapes.title
    title_shape.left, title_shape.top, title_shape.width, title_shape.height = (LEFT, Inches(0.3), WIDTH - 2 * LEFT,
                                                                                Inches(0.7))
    write_text(title_shape.text_frame, title, 26, True)
    return slide


def _lines(slide: Any, lines: list[str], status: str | None) -> Emu:
    """The section's sentences under the title; returns where the body starts."""
    if not lines:
        return TOP
    box = slide.shapes.add_textbox(LEFT, TOP, WIDTH - 2 * LEFT, LINE * len(lines))
    box.text_frame.word_wrap = True
    write_text(box.text_frame, "\n".join(lines), 14)
    if status is not None:  # the overall status sentence in its colour
        run = box.text_frame.paragraphs[0].runs[0]
        run.font.bold = True
        run.font.color.rgb = rgb(STATUS_COLOURS[status])
    return TOP + LINE * len(lines) + Inches(0.1)


def on_slide(text: str) -> str:
    """A cell's text as a slide shows it: at most CELL_LINES lines and CELL_CHARS characters, a cut text
    ending in "…" (so a reader knows there is more, in the Excel or HTML pack)."""
    lines = text.split("\n")
    short = "\n".join(lines[:CELL_LINES])
    if len(short) > CELL_CHARS:
        short = short[:CELL_CHARS - len(ELLIPSIS)]
    if short == text:
        return text
    return short.rstrip() + ELLIPSIS


def _table(slide: Any, table: Table, left: Emu, top: Emu, width: Emu) -> Emu:
    """A native table of the slide's rows; returns its bottom."""
    frame = table.frame
    columns = list(frame.columns)
    if frame.empty:
        box = slide.shapes.add_textbox(left, top, width, LINE)
        write_text(box.text_frame, _("{title}: none.").format(title=table.title), 12)
        return top + LINE
    texts = [[on_slide(display(c, v)) for v in frame[c]] for c in columns]
    shape = slide.shapes.add_table(len(frame) + 1, len(columns), left, top, width, Inches(0.3) * (len(frame) + 1))
    grid = shape.table
    weights = [min(max([len(header(c)) * 0.8, *(len(t) for t in values)]), 48) + 3
               for c, values in zip(columns, texts, strict=True)]
    for j, weight in enumerate(weights):
        grid.columns[j].width = int(width * weight / sum(weights))
    for j, column in enumerate(columns):
        write_text(grid.cell(0, j).text_frame, header(column), 11, True)
        for i, text in enumerate(texts[j], start=1):
            raw = frame[column].iloc[i - 1]
            colour = STATUS_COLOURS.get(raw) if column in STATUS_COLUMNS else None
            write_text(grid.cell(i, j).text_frame, text, 10, bold=colour is not None, colour=colour)
    return top + Inches(0.3) * (len(frame) + 1)


def _values(spec: Chart) -> Any:
    """Every value the chart draws (empty cells left out)."""
    values = spec.frame[spec.values].to_numpy(dtype=float).ravel()
    return values[~pd.isna(values)]


def _whole_labels(spec: Chart) -> bool:
    """Labels without decimals: every value whole, or values from 1,000 up (a decimal there is noise that
    widens every label)."""
    values = _values(spec)
    return bool(((values % 1) == 0).all()) or (values.size > 0 and float(abs(values).max()) >= 1000)


def label_format(spec: Chart) -> str:
    """Data labels: whole numbers without decimals, others with one (_whole_labels); a stacked chart hides
    its zeros."""
    shown = "#,##0" if _whole_labels(spec) else "#,##0.0"
    return f"{shown};-{shown};;" if spec.kind == "stacked" else shown


LABEL_SIZE, TURNED_LABEL_SIZE = 10, 8  # points: labels across, and labels turned to read upwards
PLOT_SHARE = 0.82  # of a chart's width, what its bars get (the value axis and margins take the rest)
GAP_WIDTH = 1.5  # the gap between categories, in bar widths (PowerPoint's default 150 %)


def label_layout(spec: Chart, width: int) -> str:
    """How a bar chart's data labels fit side by side: "across" (they do), "turned" (upright, 90°, smaller:
    each as wide as a line of text) or "none" (not even then: the values are in the table beside). Two
    labels next to each other may not overlap: over bars of one category or of neighbouring ones."""
    values = _values(spec)
    widest = max((len(f"{v:,.{0 if _whole_labels(spec) else 1}f}") for v in values), default=0)
    bars = 1 if spec.kind == "stacked" else len(spec.values)
    slot = Emu(width).inches * PLOT_SHARE / max(len(spec.frame), 1)  # one category's share, gap included
    pitch = slot if bars == 1 else slot / (bars + GAP_WIDTH)  # from one label's middle to its neighbour's
    if widest * LABEL_SIZE * 0.6 / 72 <= pitch:
        return "across"
    return "turned" if pitch >= TURNED_LABEL_SIZE * 1.25 / 72 else "none"


def _bar_labels(plot: Any, spec: Chart, width: int) -> None:
    """The data labels a bar chart can hold without overlaps (label_layout)."""
    layout = label_layout(spec, width)
    plot.has_data_labels = layout != "none"
    if not plot.has_data_labels:
        return
    labels = plot.data_labels
    labels.font.size = Pt(LABEL_SIZE if layout == "across" else TURNED_LABEL_SIZE)
    labels.number_format = label_format(spec)
    labels.number_format_is_linked = False
    if layout == "turned":
        labels._element.get_or_add_txPr().find(qn("a:bodyPr")).set("rot", "-5400000")
        if spec.kind != "stacked":
            labels.position = XL_LABEL_POSITION.OUTSIDE_END


def _chart(slide: Any, spec: Chart, left: Emu, top: Emu, width: Emu, height: Emu) -> None:
    data = CategoryChartData()
    data.categories = [display(spec.category, v) for v in spec.frame[spec.category]]
    for column in spec.values:
        data.add_series(series_name(column), [None if pd.isna(v) else float(v) for v in spec.frame[column]])
    chart = slide.shapes.add_chart(CHART_KINDS[spec.kind], left, top, width, height, data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = spec.title
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            set_font(run._r.get_or_add_rPr(), 16, True)
    chart.has_legend = len(spec.values) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    if spec.kind != "line":
        _bar_labels(plot, spec, width)
        if spec.kind == "stacked":
            plot.overlap = 100
        if not (_values(spec) < 0).any():  # a bar's length is its value: from 0, or 21 % looks twice 20 %
            chart.value_axis.minimum_scale = 0
    for series, column in zip(plot.series, spec.values, strict=True):
        colour = spec.colours.get(column)
        if colour is None:
            continue
        if spec.kind == "line":
            series.format.line.color.rgb = rgb(colour)
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = rgb(colour)
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = rgb(colour)
    if spec.point_colours:
        for index, colour in enumerate(spec.point_colours):
            point = plot.series[0].points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb(colour)
    chart.font.size = Pt(11)
    chart.font.name = LATIN_FONT
    text_props = chart._chartSpace.find(qn("c:txPr"))
    if text_props is not None:
        for default in text_props.iter(qn("a:defRPr")):
            set_font(default)


def _section(prs: Presentation, section: Section) -> None:
    slide = _slide(prs, section.title)
    top = _lines(slide, section.lines, section.status)
    tables = [t for t in section.tables if t.on_slide]
    body_width, body_height = WIDTH - 2 * LEFT, HEIGHT - top - Inches(0.3)
    if section.chart is not None and not section.chart.frame.empty:
        chart_width = body_width if not tables else int(body_width * 0.5)
        _chart(slide, section.chart, LEFT, top, chart_width, body_height)
        if tables:
            _table(slide, tables[0], LEFT + chart_width + Inches(0.2), top, body_width - chart_width - Inches(0.2))
        return
    if section.side_by_side and len(tables) == 2:
        half = int((body_width - Inches(0.2)) / 2)
        for index, table in enumerate(tables):
            left = LEFT + index * (half + Inches(0.2))
            box = slide.shapes.add_textbox(left, top, half, LINE)
            write_text(box.text_frame, table.title, 14, True)
            _table(slide, table, left, top + LINE, half)
        return
    for table in tables:
        if len(tables) > 1:
            box = slide.shapes.add_textbox(LEFT, top, body_width, LINE)
            write_text(box.text_frame, table.title, 14, True)
            top += LINE
        top = _table(slide, table, LEFT, top, body_width) + Inches(0.2)


def pptx_bytes(pack: Pack) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _title_slide(prs, pack)
    for section in pack.sections:
        _section(prs, section)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
