"""The steering pack as one standalone HTML page (UTF-8, no scripts, no external files): the ten
sections as on the slides, then an appendix with every full list.

Every text that comes from data passes through html.escape, so a branch named
`<script>alert(1)</script>` is shown as text. Charts are drawn as plain HTML bars in the status
palette; the font stack carries CJK faces so Chinese lays out on Windows, macOS and Linux.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from rollout.core.i18n import _
from rollout.core.labels import STATUS_COLOURS
from rollout.steering.model import DATE_COLUMNS, STATUS_COLUMNS, Chart, Pack, Table, display, header, series_name

FONT_STACK = ('"Segoe UI","Microsoft YaHei","PingFang SC","Hiragino Sans GB","Noto Sans CJK SC",'
              '"Source Han Sans SC","WenQuanYi Micro Hei",sans-serif')
LANGUAGE_TAGS = {"en": "en", "zh": "zh-CN"}
BAR_WIDTH = 320  # pixels of the longest bar
STYLE = f"""
body{{font-family:{FONT_STACK};margin:2em;color:#222;line-break:strict;word-break:normal}}
h1{{font-size:1.6em}}h2{{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}}h3{{font-size:1em}}
table{{border-collapse:collapse;font-size:.85em}}th,td{{border:1px solid #ddd;padding:3px 8px;text-align:left}}
th{{background:#f3f3f3}}td.num{{text-align:right;white-space:nowrap}}td.code{{white-space:nowrap}}
.lines p{{margin:.2em 0}}
.bar{{display:inline-block;height:.8em;vertical-align:middle}}.chart td{{border:none;padding:1px 6px}}
.status{{font-weight:bold}}
"""
NUMERIC = "biufc"
UNBROKEN = {"branch_code", "lesson_code", "problem_code", *DATE_COLUMNS}  # codes and dates never wrap


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _table(table: Table, frame: pd.DataFrame) -> str:
    if frame.empty:
        none = _("{title}: none.").format(title=table.title)
        return f"<p>{_e(none)}</p>"
    head = "".join(f"<th>{_e(header(c))}</th>" for c in frame.columns)
    numeric = {c for c in frame.columns if frame[c].dtype.kind in NUMERIC}
    body = []
    for row in zip(*(frame[c].tolist() for c in frame.columns), strict=True):  # column-wise: fast on Arrow text
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            colour = STATUS_COLOURS.get(value) if column in STATUS_COLUMNS and isinstance(value, str) else None
            css = (f' class="status" style="color:{colour}"' if colour else ' class="num"' if column in numeric
                   else ' class="code"' if column in UNBROKEN else "")
            cells.append(f"<td{css}>{_e(display(column, value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _stacked(spec: Chart) -> str:
    """One bar per category made of its series' parts (statuses in their colours), with the figures in words."""
    records = spec.frame.to_dict("records")
    totals = [sum(float(r[c]) for c in spec.values if not pd.isna(r[c])) for r in records]
    top = max(totals, default=0) or 1
    rows = []
    for row in records:
        parts, words = [], []
        for column in spec.values:
            value = row[column]
            if pd.isna(value) or not value:
                continue
            colour = spec.colours.get(column, "#4e79a7")
            parts.append(f'<span class="bar" style="width:{float(value) / top * BAR_WIDTH * 1.5:.0f}px;'
                         f'background:{colour}"></span>')
            words.append(f"{_e(series_name(column))} {_e(display(column, value))}")
        rows.append(f"<tr><td>{_e(display(spec.category, row[spec.category]))}</td><td>{''.join(parts)}</td>"
                    f"<td>{' · '.join(words)}</td></tr>")
    return f'<h3>{_e(spec.title)}</h3><table class="chart">{"".join(rows)}</table>'


def _bars(spec: Chart) -> str:
    if spec.kind in ("stacked", "line"):  # statuses side by side read best as one stacked bar per category
        return _stacked(spec)
    values = [float(v) for c in spec.values for v in spec.frame[c] if not pd.isna(v)]
    top = max(values, default=0) or 1
    rows = []
    for index, row in enumerate(spec.frame.to_dict("records")):
        bars = []
        for column in spec.values:
            value = row[column]
            colour = (spec.point_colours[index] if spec.point_colours else spec.colours.get(column, "#4e79a7"))
            width = 0 if pd.isna(value) else max(0.0, float(value)) / top * BAR_WIDTH
            name = "" if len(spec.values) == 1 else f"{_e(series_name(column))} "
            bars.append(f'<span class="bar" style="width:{width:.0f}px;background:{colour}"></span> '
                        f"{name}{_e(display(column, value))}")
        rows.append(f"<tr><td>{_e(display(spec.category, row[spec.category]))}</td><td>{'<br>'.join(bars)}</td></tr>")
    return f'<h3>{_e(spec.title)}</h3><table class="chart">{"".join(rows)}</table>'


def html_text(pack: Pack) -> str:
    lang = LANGUAGE_TAGS.get(pack.language, "en")
    parts = ["<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8">',
             f"<title>{_e(pack.title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{_e(pack.title)}</h1>"]
    for section in pack.sections:
        parts.append(f'<section id="{_e(section.key)}"><h2>{_e(section.title)}</h2><div class="lines">')
        for index, line in enumerate(section.lines):
            style = f' class="status" style="color:{STATUS_COLOURS[section.status]}"' \
                if index == 0 and section.status else ""
            parts.append(f"<p{style}>{_e(line)}</p>")
        parts.append("</div>")
        if section.chart is not None and not section.chart.frame.empty:
            parts.append(_bars(section.chart))
        for table in section.tables:
            if table.on_slide:
                parts.append(f"<h3>{_e(table.title)}</h3>{_table(table, table.frame)}")
                if len(table.full) > len(table.frame):
                    more = _("The full list ({count} rows) is in the appendix.").format(count=len(table.full))
                    parts.append(f'<p><a href="#full-{_e(table.key)}">{_e(more)}</a></p>')
        parts.append("</section>")
    appendix = _("Appendix: the full lists")
    parts.append(f'<section id="appendix"><h2>{_e(appendix)}</h2>')
    for section in pack.sections:
        for table in section.tables:
            parts.append(f'<h3 id="full-{_e(table.key)}">{_e(table.title)}</h3>{_table(table, table.full)}')
    parts.append("</section></body></html>")
    return "\n".join(parts)

