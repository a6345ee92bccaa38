"""The steering pack as one standalone HTML page (UTF-8, no scripts, no external files).

Every text that comes from data passes through html.escape, so a branch named
`<script>alert(1)</script>` is shown as text. Charts are drawn as plain HTML bars.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from rollout.steering.model import Pack, Section
from rollout.steering.render_pptx import cell_text

STYLE = """
body{font-family:"Segoe UI","Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f3f3f3}.note{color:#555}.bar{display:inline-block;height:.8em;background:#4e79a7}
.bar.b2{background:#f28e2b}.chart td{border:none;padding:1px 6px}
.status-red{color:#c0392b;font-weight:bold}.status-amber{color:#b9770e}.status-green{color:#1e8449}
"""


def _e(value: Any) -> str:
    return escape(cell_text(value), quote=True)


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(str(c).replace('_', ' '))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            css = f' class="status-{_e(value)}"' if str(column).startswith("status") and isinstance(value, str) else ""
            cells.append(f"<td{css}>{_e(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _bars(section: Section) -> str:
    spec, frame = section.chart, section.frame
    frame = frame[frame[spec.category] != "TOTAL"]  # a total row is not a category
    values = [float(v) for c in spec.values for v in frame[c] if not pd.isna(v)]
    top = max(values, default=0) or 1
    rows = []
    for _, row in frame.iterrows():
        bars = []
        for index, column in enumerate(spec.values):
            value = row[column]
            width = 0 if pd.isna(value) else max(0.0, float(value)) / top * 300
            bars.append(f'<span class="bar{" b2" if index else ""}" style="width:{width:.0f}px"></span> '
                        f"{_e(column.replace('_', ' '))} {_e(value)}")
        rows.append(f"<tr><td>{_e(row[spec.category])}</td><td>{'<br>'.join(bars)}</td></tr>")
    return f'<p class="note">{_e(spec.title)}</p><table class="chart">{"".join(rows)}</table>'


def html_text(pack: Pack) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{_e(pack.title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{_e(pack.title)}</h1>", f'<p class="note">As of {_e(pack.as_of)}</p>']
    for section in pack.sections:
        parts.append(f'<section id="{_e(section.key)}"><h2>{_e(section.title)}</h2>')
        if section.note:
            parts.append(f'<p class="note">{_e(section.note)}</p>')
        if section.frame is not None and not section.frame.empty:
            if section.chart is not None:
                parts.append(_bars(section))
            parts.append(_table(section.frame))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
