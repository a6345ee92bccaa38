"""A message's words, in its recipient's language: an e-mail (subject, plain text, HTML) or a robot's
markdown. The first line says what matters most; every item is named by branch code and item or problem
code and links to the page that shows it (`?branch=`). Text from the data is escaped for each format:
HTML in e-mail, markdown in robot messages (a branch code `[x](http://evil)` shows as text, not a link).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from rollout.core.i18n import _, current, format_day, format_number, ngettext, use_language
from rollout.core.labels import status_label
from rollout.notify.rules import DUE_SOON_DAYS, Content

# markdown's active characters in data (a line never starts with data: each starts with "- " or "**")
_MARKDOWN = re.compile(r"([\\`*_\[\]()#!|<>~])")
MORE_NAMES = 3


@dataclass(frozen=True)
class Line:
    """One line of a message: our own text with {placeholders}, the data filling them (escaped per format),
    and the page it links to. kind: 'head' (the first, most important line), 'title' (a section), 'item'."""

    text: str
    values: dict[str, Any]
    link: str | None = None
    kind: str = "item"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None
    markdown: str


def escape_markdown(text: str) -> str:
    """Markdown's special characters shown as themselves: data never becomes a link or a heading."""
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", " ")


def page_link(app_url: str, page: str, branch: str | None = None) -> str:
    return f"{app_url}/{page}" + (f"?branch={quote(branch, safe='')}" if branch else "")


def _plain(line: Line) -> str:
    return line.text.format(**{k: str(v) for k, v in line.values.items()})


def _names(items: list[dict[str, Any]]) -> str:
    """The branches' names as a list a reader takes in at once (at most three, then an ellipsis); a
    programme-wide action (no branch) is the whole programme's."""
    names = list(dict.fromkeys(_("the whole programme") if i["branch_code"] is None else str(i["branch_name"])
                               for i in items))
    joined = ("、" if current() == "zh" else ", ").join(names[:MORE_NAMES])
    return joined + ("…" if len(names) > MORE_NAMES else "")


def _n(value: float | int) -> str:
    return format_number(value)


# --- my_items -------------------------------------------------------------------------------------------

KINDS = ("overdue", "action_overdue", "due_soon", "action_due_soon", "problem")


def _item_line(kind: str, item: dict[str, Any], app_url: str) -> Line:
    """One item, named by branch code and item, RAID or problem code, linked to the Branch page (a programme
    action: the RAID page)."""
    text = {"overdue": _("{branch} {code} {title}: due {due}, {days} days late"),
            "action_overdue": _("{branch} {code} {title}: due {due}, {days} days late"),
            "due_soon": _("{branch} {code} {title}: due {due}"),
            "action_due_soon": _("{branch} {code} {title}: due {due}"),
            "problem": _("{branch} {code} {title}: {days} days past its limit")}[kind]
    programme = item["branch_code"] is None
    link = page_link(app_url, "raid") if programme else page_link(app_url, "branch", item["branch_code"])
    return Line(text, {"branch": _("Programme") if programme else item["branch_code"], "code": item["code"],
                       "title": item["title"], "due": format_day(item["due"]), "days": _n(item["days"])}, link)


def _my_items(content: Content, app_url: str) -> list[Line]:
    items = content.facts["items"]
    groups = {kind: [i for i in items if i["kind"] == kind] for kind in KINDS}
    late = groups["overdue"] + groups["action_overdue"]
    soon = groups["due_soon"] + groups["action_due_soon"]
    if late:
        head = ngettext("{count} item overdue at {branches}", "{count} items overdue at {branches}", len(late))
        first = late
    elif groups["problem"]:
        head = ngettext("{count} problem past its limit at {branches}", "{count} problems past their limit at "
                        "{branches}", len(groups["problem"]))
        first = groups["problem"]
    else:
        head = ngettext("{count} item due within {days} days at {branches}",
                        "{count} items due within {days} days at {branches}", len(soon))
        first = soon
    lines = [Line(head, {"count": _n(len(first)), "branches": _names(first), "days": DUE_SOON_DAYS}, kind="head"),
             Line(_("Your items as of {day}"), {"day": format_day(content.day)}, kind="title")]
    titles = {"overdue": _("Overdue checklist items"), "action_overdue": _("Overdue action items"),
              "due_soon": _("Checklist items due within {days} days"),
              "action_due_soon": _("Action items due within {days} days"),
              "problem": _("Problems past their time limit")}
    for kind, group in groups.items():
        if group:
            lines.append(Line(titles[kind], {"days": DUE_SOON_DAYS}, kind="title"))
            lines += [_item_line(kind, item, app_url) for item in group]
    return lines


# --- weekly_brief ---------------------------------------------------------------------------------------

def _signed(value: int) -> str:
    return f"+{_n(value)}" if value > 0 else _n(value)


def _weekly_brief(content: Content, app_url: str) -> list[Line]:
    facts = content.facts
    counts, change = facts["counts"], facts["change"]
    if facts["turned_red"]:
        head = Line(ngettext("{count} branch turned red since {day}", "{count} branches turned red since {day}",
                             len(facts["turned_red"])),
                    {"count": _n(len(facts["turned_red"])), "day": format_day(facts["snapshot_day"])}, kind="head")
    elif facts["go_lives"]:
        head = Line(ngettext("{count} go-live planned in the next two weeks",
                             "{count} go-lives planned in the next two weeks", len(facts["go_lives"])),
                    {"count": _n(len(facts["go_lives"]))}, kind="head")
    else:
        head = Line(ngettext("{count} branch red", "{count} branches red", counts["red"]),
                    {"count": _n(counts["red"])}, kind="head")
    lines = [head, Line(_("Weekly brief as of {day}"), {"day": format_day(content.day)}, kind="title")]
    for status in ("red", "amber", "green", "no_plan", "live"):
        if change is not None and status in change:
            lines.append(Line(_("{status}: {count} ({change} since the last snapshot)"),
                              {"status": status_label(status), "count": _n(counts[status]),
                               "change": _signed(change[status])}))
        else:
            lines.append(Line(_("{status}: {count}"), {"status": status_label(status), "count": _n(counts[status])}))
    if facts["turned_red"]:
        lines.append(Line(_("Turned red"), {}, kind="title"))
        for row in facts["turned_red"]:
            lines.append(Line(_("{branch} {name}"), {"branch": row["branch_code"], "name": row["branch_name"]},
                              page_link(app_url, "branch", row["branch_code"])))
    if facts["go_lives"]:
        lines.append(Line(_("Go-lives in the next two weeks"), {}, kind="title"))
        for row in facts["go_lives"]:
            chance = _("no forecast") if row["chance"] is None else f"{format_number(row['chance'], 1)} %"
            lines.append(Line(_("{branch} {name}: go-live {day}, chance of being ready {chance}"),
                              {"branch": row["branch_code"], "name": row["branch_name"],
                               "day": format_day(row["on"]), "chance": chance},
                              page_link(app_url, "branch", row["branch_code"])))
    if facts["calls"]:
        lines.append(Line(_("Executives to call first"), {}, kind="title"))
        for row in facts["calls"]:
            lines.append(Line(_("{code} {name}: {reason}"), {"code": row["exec_code"], "name": row["name"],
                                                          "reason": row["reason"]},
                              page_link(app_url, "executives")))
    lines.append(Line(_("Open matters"), {}, kind="title"))
    lines.append(Line(_("Overdue checklist items: {items}; problems past their limit: {problems}; acceptance "
                        "overdue: {acceptance}; payment overdue: {payment}"),
                      {"items": _n(facts["overdue_items"]), "problems": _n(facts["problems_past_limit"]),
                       "acceptance": _n(facts["acceptance_overdue"]), "payment": _n(facts["payment_overdue"])}))
    lines.append(Line(_("The steering pack"), {}, page_link(app_url, "steering")))
    return lines


# --- region_daily ---------------------------------------------------------------------------------------

def _region_daily(content: Content, app_url: str) -> list[Line]:
    facts = content.facts
    rows, more = facts["lines"], facts["more"]
    if rows:
        head = Line(ngettext("{count} branch needs attention today", "{count} branches need attention today",
                             len(rows) + more), {"count": _n(len(rows) + more)}, kind="head")
    else:
        head = Line(ngettext("{count} go-live in the next 7 days", "{count} go-lives in the next 7 days",
                             len(facts["go_lives"])), {"count": _n(len(facts["go_lives"]))}, kind="head")
    lines = [head, Line(_("Rollout today, {day}"), {"day": format_day(content.day)}, kind="title")]
    for row in rows:
        parts = [text for count, text in (
            (row["failing_gates"], ngettext("{count} failing gate", "{count} failing gates", row["failing_gates"])),
            (row["problems_past_limit"], ngettext("{count} problem past its limit", "{count} problems past their "
                                                  "limit", row["problems_past_limit"])),
            (row["overdue_items"], ngettext("{count} overdue item", "{count} overdue items", row["overdue_items"])))
            if count]
        parts = [text.format(count=_n(count)) for text, count in zip(parts, [c for c in (
            row["failing_gates"], row["problems_past_limit"], row["overdue_items"]) if c], strict=True)]
        lines.append(Line(_("{branch} {name}: {counts}"),
                          {"branch": row["branch_code"], "name": row["branch_name"],
                           "counts": ("，" if current() == "zh" else ", ").join(parts)},
                          page_link(app_url, "branch", row["branch_code"])))
    if more:
        lines.append(Line(_("+{count} more"), {"count": _n(more)}, page_link(app_url, "portfolio")))
    if facts["go_lives"]:
        lines.append(Line(_("Go-lives in the next 7 days"), {}, kind="title"))
        for row in facts["go_lives"]:
            lines.append(Line(_("{branch} {name}: go-live {day}"),
                              {"branch": row["branch_code"], "name": row["branch_name"], "day": format_day(row["on"])},
                              page_link(app_url, "branch", row["branch_code"])))
    return lines


def test_lines(day: date, app_url: str) -> list[Line]:
    """The words of `notify test`."""
    return [Line(_("Test message from the ERP rollout app"), {}, kind="head"),
            Line(_("Sent on {day}: this channel works."), {"day": format_day(day)}),
            Line(_("Open the app"), {}, page_link(app_url, "portfolio"))]


_RULES = {"my_items": _my_items, "weekly_brief": _weekly_brief, "region_daily": _region_daily}


# --- the formats ----------------------------------------------------------------------------------------

def as_text(lines: list[Line], footer: list[Line]) -> str:
    out = []
    for line in lines:
        text = _plain(line) + (f" {line.link}" if line.link else "")
        out.append(("- " if line.kind == "item" else "") + text if line.kind != "title" else "\n" + text)
    if footer:  # a robot's message has no footer: no signature dash left hanging at its end
        out += ["", "--"] + [_plain(line) + (f" {line.link}" if line.link else "") for line in footer]
    return "\n".join(out) + "\n"


def as_html(lines: list[Line], footer: list[Line]) -> str:
    def one(line: Line) -> str:
        text = html.escape(line.text).format(**{k: html.escape(str(v)) for k, v in line.values.items()})
        if line.link:
            text += f' <a href="{html.escape(line.link)}">{html.escape(_("open the page"))}</a>'
        return text

    parts = ['<html><body style="font-family: sans-serif">']
    items: list[str] = []

    def flush() -> None:
        if items:
            parts.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for line in lines:
        if line.kind == "item":
            items.append(one(line))
            continue
        flush()
        parts.append(f"<h2>{one(line)}</h2>" if line.kind == "head" else f"<h3>{one(line)}</h3>")
    flush()
    parts += [f'<p style="color: #666; font-size: small">{one(line)}</p>' for line in footer]
    return "\n".join([*parts, "</body></html>"])


def as_markdown(lines: list[Line]) -> str:
    out = []
    for line in lines:
        text = line.text.format(**{k: escape_markdown(str(v)) for k, v in line.values.items()})
        if line.link:
            label = _("open the page")
            text += f" [{escape_markdown(label)}]({line.link})"
        out.append({"head": f"**{text}**", "title": f"\n**{text}**"}.get(line.kind, f"- {text}"))
    return "\n".join(out)


def render_lines(lines: list[Line], app_url: str, email: bool) -> Rendered:
    footer = [Line(_("Switch these messages off or change their language on the Settings page"), {},
                   page_link(app_url, "settings"))] if email else []
    return Rendered(_plain(lines[0]), as_text(lines, footer), as_html(lines, footer), as_markdown(lines))


def render(content: Content, app_url: str) -> Rendered:
    """The message in its recipient's language: subject (the first line), text, HTML and markdown."""
    with use_language(content.recipient.lang):
        return render_lines(_RULES[content.rule](content, app_url), app_url,
                            email=not content.recipient.address.startswith("robot:"))
