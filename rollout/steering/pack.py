"""The steering pack: ten slides a steering committee reads (`pack(db, as_of)`), rendered as PowerPoint,
Excel or HTML, at most 12 slides whatever the portfolio's size.

Each figure is read once, from the function of the module that owns it (readiness.branch_status,
staffing/engagement summary fields, lessons, man_days, decisions, snapshots), so the pack shows the
summary's numbers. A slide shows the top of each list (model.SLIDE_ROWS rows); the full lists go to
the Excel pack and the HTML pack's appendix, never onto continuation slides. Every title, header and
sentence is translated into the pack's language (rollout.core.i18n) when the pack is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from rollout.core.errors import RolloutError
from rollout.core.i18n import _, current, format_number, ngettext, use_language
from rollout.core.labels import N_, STATUS_COLOURS, STATUS_ORDER, status_label
from rollout.core.values import is_missing, round1
from rollout.metrics import engagement, lessons, raid, readiness, staffing, track_record
from rollout.metrics import man_days as man_days_metrics
from rollout.metrics.portfolio import region_rollup, risk_order
from rollout.metrics.summary import json_value
from rollout.steering import decisions, snapshots
from rollout.steering.model import SLIDE_ROWS, Chart, Deferred, Pack, Section, Table
from rollout.steering.render_html import html_text
from rollout.steering.render_pptx import pptx_bytes
from rollout.steering.render_xlsx import xlsx_bytes
from rollout.store.db import Database
from rollout.store.settings import get_settings

GO_LIVE_DAYS = 60  # "next go-lives": planned in the next 60 days
DECISION_DAYS = 30  # a go-live this close without a go / no-go decision needs one
TREND_REVIEWS = 13  # the latest review and the 12 weekly reviews before it
HALF_ROWS = 5  # a slide with two tables shows five rows of each
ENGAGEMENT_WORDS = {"engaged": N_("engaged"), "cooling": N_("cooling"), "silent": N_("silent")}
CHANNEL_WORDS = {"visit": N_("visit"), "meeting": N_("meeting"), "phone": N_("phone"), "email": N_("email")}
DECISION_WORDS = {"go": N_("go"), "no_go": N_("no go"), "go_with_conditions": N_("go with conditions")}
VERDICT_WORDS = {"met": N_("met"), "open": N_("open"), "no conditions": N_("no conditions"),
                 "follow-up overdue, improved": N_("follow-up overdue, improved"),
                 "follow-up overdue, not improved": N_("follow-up overdue, not improved"),
                 "not yet available": N_("not yet available"), "decided after this date": N_("decided after this date")}


# --- what the pack reads, once --------------------------------------------------------------------------


READERS = 2  # threads reading the pack's figures at once (one per core here; each query has its own cursor)


class Figures:
    """Every figure the pack needs as of a date, each read once. The reads are independent, so they run on
    READERS threads (the store gives each query its own cursor): on a big portfolio one thread's Python work
    overlaps another's query."""

    def __init__(self, db: Database, as_of: date) -> None:
        self.as_of = as_of
        self.settings = settings = get_settings(db)
        read = _read_all({  # the longest reads first, so the two threads finish together
            # every branch's status and figures, then the track record from the same branch figures; the
            # reasons in words only where a slide shows them (the full lists word theirs when a renderer reads
            # them: model.Deferred)
            "status": lambda: status_and_record(db, as_of, settings),
            "staffing": lambda: staffing.summary_fields(db, as_of, settings),
            "heads": lambda: heads_and_calls(db, as_of),
            "man_days": lambda: man_days_metrics.man_days_forecast(db, as_of),  # per branch: regions and appendix
            "changes": lambda: snapshots.raid_changes_between(db),
            "raid_risks": lambda: raid_risks(db, as_of),
            "late": lambda: readiness.most_late_items(db, as_of),  # the item a reason or an action names
            "gates": lambda: readiness.failing_gate_titles(db, as_of),  # what reasons and next actions name
            "recurring": lambda: lessons.recurring_lessons(db, as_of),
            "coverage": lambda: lessons.application_coverage(db, as_of),
            "trend": lambda: snapshots.status_counts(db, TREND_REVIEWS),
            "decided": lambda: db.rows("SELECT DISTINCT branch_code FROM decisions"),
            "regions": lambda: db.rows("SELECT region_code, region_name FROM regions"),
            "lesson_titles": lambda: db.df("SELECT lesson_code, title AS lesson_title FROM lessons"),
        })
        (self.status, self.track_record), self.staffing = read["status"], read["staffing"]
        self.heads, self.calls = read["heads"]
        self.regions = {str(code): str(name) for code, name in read["regions"]}
        self.coverage, self.lesson_titles, self.recurring = read["coverage"], read["lesson_titles"], read["recurring"]
        self.man_days = man_days_metrics.by_region(read["man_days"])
        self.per_branch_days = read["man_days"]  # the man-days appendix's rows
        self.gates, self.late = read["gates"], read["late"]
        self.trend, self.raid_risks, self.changes = read["trend"], read["raid_risks"], read["changes"]
        self.p80_note = track_record.p80_note(self.track_record, settings)
        decided = self.status[self.status["branch_code"].isin([code for (code,) in read["decided"]])]
        self.decisions = decisions.list_decisions(db, as_of, current=current_figures(decided))

    def region_name(self, code: Any) -> str:
        return region_name(self.regions, code)


def status_and_record(db: Database, as_of: date, settings: Mapping[str, float]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every branch's status with its forecast, and the forecast's track record read with the same branch figures
    and the same weeks done (60 weeks: the forecast reads the last 8)."""
    status, done = track_record.status_and_weeks(db, as_of, settings)
    return status, track_record.track_record(db, as_of, status=status, done=done)


def heads_and_calls(db: Database, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every regional head's engagement and the call list's rows in order (ordered on the reading thread, while
    the other one waits for a query)."""
    heads = engagement.executive_table(db, as_of, commitments=False)
    return heads, engagement.call_order(heads)


def _read_all(reads: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each read's result, the reads run on READERS threads, each in this run's context (its language)."""
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        running = {name: pool.submit(copy_context().run, read) for name, read in reads.items()}
        return {name: future.result() for name, future in running.items()}


def current_figures(status: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """branch_code -> today's status, readiness and failing gates (as the summary gives them), for the decisions
    listing's "now" columns."""
    return {code: {"status": now, "checklist_readiness": json_value("checklist_readiness", ready),
                   "failing_gates": json_value("failing_gates", gates)}
            for code, now, ready, gates in status[["branch_code", "status", "checklist_readiness",
                                                   "failing_gates"]].itertuples(index=False, name=None)}


def region_name(regions: Mapping[str, str], code: Any) -> str:
    """A region's name (its code when unnamed, blank when missing)."""
    return regions.get(str(code), "" if is_missing(code) else str(code))


def region_names(regions: Mapping[str, str], codes: pd.Series) -> list[str]:
    """region_name of each code, looked up once per distinct code (thousands of rows, a dozen regions)."""
    names = {code: region_name(regions, code) for code in codes.dropna().unique()}
    return [names.get(code, "") for code in codes]  # a missing code: blank


def _top(frame: pd.DataFrame, rows: int = SLIDE_ROWS) -> pd.DataFrame:
    return frame.head(rows).reset_index(drop=True)


def _table(key: str, title: str, full: pd.DataFrame, rows: int = SLIDE_ROWS) -> Table:
    """A table whose slide shows the first `rows` rows of the full list."""
    full = full.reset_index(drop=True)
    return Table(key, title, _top(full, rows), full)


def _appendix(key: str, title: str, full: pd.DataFrame | Deferred, columns: list[str] | None = None) -> Table:
    """A full list that is only in the Excel pack and the HTML appendix (a deferred one with its columns)."""
    if isinstance(full, Deferred):
        return Table(key, title, pd.DataFrame(columns=columns), full, on_slide=False)
    full = full.reset_index(drop=True)
    return Table(key, title, full.iloc[0:0], full, on_slide=False)


def _deferred(func: Any, *args: Any) -> Deferred:
    """func(*args) written when a renderer reads it, in the pack's language."""
    return Deferred(func, args, current())


def _words(values: pd.Series, words: Mapping[str, str]) -> list[str | None]:
    """Codes as words in the pack's language (unknown codes unchanged, missing as None), each code translated
    once (thousands of rows, a handful of codes)."""
    said = {v: _(words[v]) if v in words else str(v) for v in values.dropna().unique()}
    return [said.get(v) for v in values]  # a missing code: None


def _pct(value: float | None) -> str:
    return "" if value is None or is_missing(value) else format_number(round1(value), 1)


def _days(value: float | None) -> str:
    return "" if value is None or is_missing(value) else format_number(round1(value), 0)


# --- 1. executive summary --------------------------------------------------------------------------------


def overall_status(counts: Mapping[str, int]) -> str:
    """The portfolio's status for the committee: red when at least 10 % of the branches being rated (not
    live, with a plan) are red; amber when any is red or at least 25 % are amber; green otherwise (also
    when nothing is being rated)."""
    rated = counts.get("red", 0) + counts.get("amber", 0) + counts.get("green", 0)
    if not rated:
        return "green"
    if counts.get("red", 0) >= 0.1 * rated:
        return "red"
    if counts.get("red", 0) or counts.get("amber", 0) >= 0.25 * rated:
        return "amber"
    return "green"


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """Branches per status code (0 when none)."""
    counts = status["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def decisions_needed(fig: Figures) -> pd.DataFrame:
    """Branches not live whose planned go-live is within DECISION_DAYS days (or passed) and that have no
    go / no-go decision recorded on or before the date, soonest first."""
    decided = set(fig.decisions.loc[pd.to_datetime(fig.decisions["decided_on"]) <= pd.Timestamp(fig.as_of),
                                    "branch_code"]) if len(fig.decisions) else set()
    status = fig.status
    due = status[(status["status"] != "live") & status["days_to_go_live"].notna()
                 & (status["days_to_go_live"] <= DECISION_DAYS) & ~status["branch_code"].isin(decided)]
    return due.sort_values(["planned_go_live", "branch_code"])


def summary_section(fig: Figures) -> Section:
    counts = status_counts(fig.status)
    total = len(fig.status)
    on_track = counts["green"] + counts["live"]
    silent = int((fig.heads["status"] == "silent").sum())
    needed = len(decisions_needed(fig))
    overall = overall_status(counts)
    total_days = fig.man_days[fig.man_days["region_code"] == "TOTAL"]
    budget = float(total_days["budget"].iloc[0]) if len(total_days) and not is_missing(total_days["budget"].iloc[0]) \
        else None
    used = float(total_days["used"].iloc[0]) if len(total_days) and not is_missing(total_days["used"].iloc[0]) else None
    lines = [
        _("Overall status: {status}.").format(status=status_label(overall)),
        ngettext("{on_track} of {total} branch on track (green or live); {red} red, {amber} amber.",
                 "{on_track} of {total} branches on track (green or live); {red} red, {amber} amber.",
                 total).format(on_track=on_track, total=total, red=counts["red"], amber=counts["amber"]),
        ngettext("{count} go / no-go decision needed (go-live within {days} days, none recorded).",
                 "{count} go / no-go decisions needed (go-live within {days} days, none recorded).",
                 needed).format(count=needed, days=DECISION_DAYS),
        ngettext("{count} regional head silent.", "{count} regional heads silent.", silent).format(count=silent),
    ]
    if budget:
        lines.append(_("{used} of {budget} consultant man-days used ({pct}%).").format(
            used=_days(used or 0), budget=_days(budget), pct=_pct((used or 0) / budget * 100)))
    frame = pd.DataFrame({"status": list(STATUS_ORDER),
                          "branches": [counts[s] for s in STATUS_ORDER]})
    chart = Chart("bar", frame, "status", ["branches"], _("Branches by status"),
                  point_colours=[STATUS_COLOURS[s] for s in STATUS_ORDER])
    return Section("summary", _("Executive summary"), lines, chart, status=overall)


# --- 2. status by region ---------------------------------------------------------------------------------

REGION_COLUMNS = ["region_name", "branches", "red", "amber", "green", "no_plan", "live", "readiness_median"]


def region_section(fig: Figures) -> Section:
    rollup = region_rollup(fig.status, fig.regions)
    rollup["readiness_median"] = [None if is_missing(v) else round1(v) for v in rollup["readiness_median"]]
    shown = _top(rollup)
    chart = Chart("stacked", shown, "region_name", list(STATUS_ORDER), _("Branches by region and status"),
                  colours=dict(STATUS_COLOURS))
    worst = rollup.iloc[0] if len(rollup) else None
    lines = [ngettext("{count} region, the most red branches first.", "{count} regions, the most red branches first.",
                      len(rollup)).format(count=len(rollup))]
    if worst is not None and worst["red"]:
        lines.append(ngettext("{region}: {red} red branch of {branches}.",
                              "{region}: {red} red branches of {branches}.", int(worst["red"])).format(
            region=worst["region_name"], red=int(worst["red"]), branches=int(worst["branches"])))
    every = _appendix("branches", _("All branches, risk first"),
                      _deferred(branch_list, fig.status, fig.gates, fig.late, fig.settings, fig.regions),
                      BRANCH_LIST_COLUMNS)
    return Section("regions", _("Status by region"), lines, chart,
                   [_table("regions", _("Status by region"), rollup[REGION_COLUMNS]), every])


BRANCH_LIST_COLUMNS = ["branch_code", "branch_name", "region_name", "status", "reason", "checklist_readiness",
                       "overdue_items", "failing_gates", "planned_go_live", "forecast_ready_on", "slip_days",
                       "p_ready_by_go_live"]


def branch_list(status: pd.DataFrame, gates: pd.DataFrame, late: pd.DataFrame, settings: Mapping[str, float],
                regions: Mapping[str, str]) -> pd.DataFrame:
    """The appendix's list of every branch, risk first, with its top reason."""
    branches = readiness.with_reasons(risk_order(status), gates, late, settings)
    branches = branches.assign(region_name=region_names(regions, branches["region_code"]))
    return branches.rename(columns={"top_reason": "reason"}).reindex(columns=BRANCH_LIST_COLUMNS)


# --- 3. trend since the last reviews ---------------------------------------------------------------------


def trend_section(fig: Figures) -> Section:
    trend = fig.trend
    title = _("Trend since the last reviews")
    if trend.empty:
        return Section("trend", title, [_("No review snapshot yet: take one at each steering review.")])
    lines = [ngettext("{count} review, the latest on {date}.", "{count} reviews, the latest on {date}.",
                      len(trend)).format(count=len(trend), date=trend["as_of"].iloc[-1].isoformat())]
    if len(trend) > 1:
        before, now = trend.iloc[-2], trend.iloc[-1]
        lines.append(_("Since the review of {date}: red {red_before} → {red_now}, amber {amber_before} → "
                       "{amber_now}, green {green_before} → {green_now}, live {live_before} → {live_now}.").format(
            date=before["as_of"].isoformat(), **{f"{s}_{when}": int(row[s]) for s in ("red", "amber", "green", "live")
                                                 for when, row in (("before", before), ("now", now))}))
    lines += raid_changes(fig.changes)
    chart = Chart("line", trend, "as_of", ["red", "amber", "green", "live", "no_plan"],
                  _("Branches per status at each review"), colours=dict(STATUS_COLOURS))
    return Section("trend", title, lines, chart, [_appendix("trend", title,
                                                            trend[["as_of", "label", *STATUS_ORDER]])])


def raid_changes(changes: Mapping[str, Any]) -> list[str]:
    """"What changed since the last review" of the RAID log, from the two latest snapshots: new critical risks,
    new overdue action items and deviations decided (nothing when the snapshots predate the RAID log)."""
    tables = changes.get("tables") or {}
    if any(tables.get(name) is None for name in snapshots.RAID_CHANGES):
        return []
    risks, actions, decided = (tables[name] for name in snapshots.RAID_CHANGES)
    counts = decided["decision"].value_counts() if len(decided) else pd.Series(dtype=int)
    return [_("Since the review of {date}: {risks} new critical risks, {actions} new overdue action items, "
              "{decided} deviations decided ({approved} approved, {later} after go-live, {rejected} "
              "rejected).").format(date=changes["old_as_of"], risks=len(risks), actions=len(actions),
                                   decided=len(decided), approved=int(counts.get("approved", 0)),
                                   later=int(counts.get("after_go_live", 0)),
                                   rejected=int(counts.get("rejected", 0)))]


# --- 4. top risks ----------------------------------------------------------------------------------------


def _first_by_branch(items: pd.DataFrame, branches: pd.Series) -> dict[str, dict[str, Any]]:
    """The first item of each of these branches (the lists come worst first per branch)."""
    items = items[items["branch_code"].isin(branches)].drop_duplicates("branch_code")
    return {str(r["branch_code"]): r for r in items.to_dict("records")}


def next_action(row: Mapping[str, Any], gate: Mapping[str, Any] | None, late: Mapping[str, Any] | None) -> str:
    """What the committee asks of a red or amber branch: the remedy of the first rule of its status that applies,
    in the order of its reasons (a red gate, a red slip, low readiness, a slip, a stall, overdue items, a gate)."""
    forecast = "" if is_missing(row.get("forecast_ready_on")) else pd.Timestamp(row["forecast_ready_on"]).date() \
        .isoformat()
    if row["status"] == "no_plan":
        return _("Create the checklist, e.g. from the pilot's template.")
    if gate is not None and row.get("red_gate"):
        return _("Close the gate “{item}” before go-live.").format(item=gate["title"])
    if row.get("red_slip"):
        return _("Agree a recovery plan or a later go-live (forecast ready {date}).").format(date=forecast)
    if row.get("red_readiness"):
        return _("Put more people on the open items or move the go-live.")
    if not is_missing(row.get("slip_days")) and row["slip_days"] > 0:
        return _("Speed up the open items (forecast ready {date}).").format(date=forecast)
    if row.get("stalled"):
        return _("Restart the work: nothing was done in the last eight weeks.")
    if late is not None:
        return _("Chase the overdue item “{item}”.").format(item=late["title"])
    if gate is not None:
        return _("Close the gate “{item}” before go-live.").format(item=gate["title"])
    return ""


RISK_COLUMNS = ["branch_code", "branch_name", "region_name", "status", "reason", "owner", "next_action",
                "planned_go_live"]


def risk_list(risky: pd.DataFrame, gates: pd.DataFrame, late: pd.DataFrame, settings: Mapping[str, float],
              regions: Mapping[str, str]) -> pd.DataFrame:
    """Red and amber branches in risk order with the reason, the owner and the next action the committee asks."""
    risky = readiness.with_reasons(risky, gates, late, settings)
    first_gate, first_late = _first_by_branch(gates, risky["branch_code"]), _first_by_branch(late, risky["branch_code"])
    owners, actions = [], []
    for row in risky.to_dict("records"):
        gate, overdue = first_gate.get(row["branch_code"]), first_late.get(row["branch_code"])
        owner = next((i["owner"] for i in (gate, overdue) if i is not None and isinstance(i["owner"], str)
                      and i["owner"]), None)
        owners.append(owner)
        actions.append(next_action(row, gate, overdue))
    frame = risky.assign(reason=risky["top_reason"], owner=owners, next_action=actions,
                         region_name=region_names(regions, risky["region_code"]))
    return frame[RISK_COLUMNS]


def risks_section(fig: Figures) -> Section:
    ordered = risk_order(fig.status)
    risky = ordered[ordered["status"].isin(["red", "amber"])].reset_index(drop=True)
    words = (fig.gates, fig.late, fig.settings, fig.regions)
    counts = status_counts(fig.status)
    lines = [ngettext("{count} branch at risk: {red} red, {amber} amber; the ten riskiest (red first, then by slip).",
                      "{count} branches at risk: {red} red, {amber} amber; the ten riskiest (red first, then by slip).",
                      len(risky)).format(count=len(risky), red=counts["red"], amber=counts["amber"])]
    raid_frame = fig.raid_risks
    critical = int((raid_frame["band"] == _(raid.BAND_WORDS["critical"])).sum())
    lines.append(ngettext("{count} open risk in the RAID log, {critical} critical; the highest scores first.",
                          "{count} open risks in the RAID log, {critical} critical; the highest scores first.",
                          len(raid_frame)).format(count=len(raid_frame), critical=critical))
    title = _("Top 10 risks")
    top = risk_list(risky.head(SLIDE_ROWS), *words)
    branches = Table("risks", _("Branches at risk"),
                     top[["branch_code", "branch_name", "status", "reason", "next_action"]],
                     _deferred(risk_list, risky, *words))
    return Section("risks", title, lines, None, [branches, _table("raid_risks", _("Open RAID risks"), raid_frame)],
                   side_by_side=True)


def raid_risks(db: Database, as_of: date) -> pd.DataFrame:
    """Open risks of the RAID log on the date by score, critical first (unscored last), the band in words and a
    programme-wide risk named as such."""
    risks = raid.open_items(db, as_of, "risk").sort_values(["score", "raised_on", "raid_code"],
                                                       ascending=[False, True, True], na_position="last")
    return pd.DataFrame({"raid_code": risks["raid_code"],
                         "branch_code": risks["branch_code"].fillna(_("the whole programme")),
                         "subject": risks["title"], "score": risks["score"],
                         "band": _words(risks["band"], raid.BAND_WORDS), "owner": risks["owner"],
                         "raised_on": risks["raised_on"]}).reset_index(drop=True)


# --- 5. next go-lives ------------------------------------------------------------------------------------


def go_lives_section(fig: Figures) -> Section:
    status = fig.status
    ahead = status[(status["status"] != "live") & status["planned_go_live"].notna()].sort_values(
        ["planned_go_live", "branch_code"])
    ahead = ahead.assign(region_name=region_names(fig.regions, ahead["region_code"]))
    columns = ["branch_code", "branch_name", "region_name", "planned_go_live", "days_to_go_live", "status",
               "checklist_readiness", "p_ready_by_go_live"]
    soon = ahead[ahead["days_to_go_live"].between(0, GO_LIVE_DAYS)]
    counts = status_counts(soon)
    lines = [ngettext("{count} go-live planned in the next {days} days: {red} red, {amber} amber, {green} green.",
                      "{count} go-lives planned in the next {days} days: {red} red, {amber} amber, {green} green.",
                      len(soon)).format(count=len(soon), days=GO_LIVE_DAYS, red=counts["red"], amber=counts["amber"],
                                        green=counts["green"])]
    lines.append(track_record_line(fig))
    shown = _top(soon[columns])
    full = ahead[columns].reset_index(drop=True)
    return Section("go_lives", _("Next go-lives ({days} days)").format(days=GO_LIVE_DAYS), lines, None,
                   [Table("go_lives", _("Planned go-lives (not live)"), shown, full)])


def track_record_line(fig: Figures) -> str:
    """The go-lives slide's line on how often the forecast came true (METRICS.md "Forecast track record"),
    with its note when P80 dates came true too rarely."""
    line = track_record.headline(fig.track_record)
    if line is None:
        return _("Track record: no P80 date of the last 52 weeks has passed yet.")
    if fig.p80_note is None:
        return _("Track record: {line} (last 52 weeks).").format(line=line)
    return _("Track record: {line} (last 52 weeks): read every P80 date as less sure than 80 %.").format(line=line)


# --- 6. staffing risks -----------------------------------------------------------------------------------


STAFFING_COLUMNS = ["branch_code", "branch_name", "region_name", "status", "planned_go_live", "fill_rate",
                    "uncovered_modules", "spof_modules", "over_allocated_people"]


def staffing_rows(risky: pd.DataFrame) -> pd.DataFrame:
    """Rows of the staffing risks as listed: the fill rate to 1 decimal."""
    return risky.assign(fill_rate=[None if is_missing(v) else round1(v) for v in risky["fill_rate"]])[STAFFING_COLUMNS]


def staffing_section(fig: Figures) -> Section:
    merged = fig.status[fig.status["status"] != "live"].merge(fig.staffing, on="branch_code", how="left")
    uncovered = merged["uncovered_modules"].fillna(0) > 0
    spof = merged["spof_modules"].fillna(0) > 0
    risky = merged[uncovered | spof | (merged["fill_rate"].fillna(100) < 100)
                   | (merged["over_allocated_people"].fillna(0) > 0)]
    risky = risky.assign(_go_live=risky["days_to_go_live"].fillna(10**6)).sort_values(
        ["uncovered_modules", "spof_modules", "fill_rate", "_go_live", "branch_code"],
        ascending=[False, False, True, True, True], na_position="last")
    risky = risky.assign(region_name=region_names(fig.regions, risky["region_code"]))[STAFFING_COLUMNS]
    lines = [ngettext("{count} branch not live has a staffing risk: {uncovered} with an uncovered module, {spof} "
                      "with a single point of failure.",
                      "{count} branches not live have a staffing risk: {uncovered} with an uncovered module, {spof} "
                      "with a single point of failure.", len(risky)).format(
        count=len(risky), uncovered=int(uncovered.sum()), spof=int(spof.sum()))]
    table = Table("staffing", _("Staffing risks (not live)"), staffing_rows(risky.head(SLIDE_ROWS)).reset_index(
        drop=True), _deferred(staffing_rows, risky))
    return Section("staffing", _("Staffing risks"), lines, None, [table])


# --- 7. regional heads to call ---------------------------------------------------------------------------


def call_rows(calls: pd.DataFrame, regions: Mapping[str, str]) -> pd.DataFrame:
    """Rows of engagement.call_order as the pack lists them, with the channel and the reason in words."""
    calls = engagement.call_words(calls)
    return pd.DataFrame({"name": calls["name"], "region_name": region_names(regions, calls["region_code"]),
                         "branch_code": calls["branch_code"],
                         "engagement": _words(calls["status"], ENGAGEMENT_WORDS),
                         "days_since_last_touchpoint": calls["days_since_last_touchpoint"],
                         "suggested_channel": _words(calls["suggested_channel"], CHANNEL_WORDS),
                         "reason": calls["reason"]})


def heads_section(fig: Figures) -> Section:
    silent = int((fig.heads["status"] == "silent").sum())
    lines = [ngettext("{count} regional head to call this week, most urgent first; {silent} silent in all.",
                      "{count} regional heads to call this week, most urgent first; {silent} silent in all.",
                      len(fig.calls)).format(count=len(fig.calls), silent=silent)]
    table = Table("heads", _("This week's call list"), call_rows(fig.calls.head(SLIDE_ROWS), fig.regions),
                  _deferred(call_rows, fig.calls, fig.regions))
    return Section("heads", _("Regional heads to call"), lines, None, [table])


# --- 8. lessons ------------------------------------------------------------------------------------------


def lessons_section(fig: Figures) -> Section:
    recurring = fig.recurring.groupby("lesson_code")["problem_code"].nunique().rename("recurring_problems")
    frame = fig.coverage[["lesson_code", "application_coverage"]].merge(fig.lesson_titles, on="lesson_code",
                                                                         how="left")
    frame = frame.merge(recurring, on="lesson_code", how="left")
    frame["recurring_problems"] = frame["recurring_problems"].fillna(0).astype(int)
    frame["application_coverage"] = [None if is_missing(v) else round1(v) for v in frame["application_coverage"]]
    frame = frame.sort_values(["recurring_problems", "application_coverage", "lesson_code"],
                              ascending=[False, True, True], na_position="last")
    frame = frame[["lesson_code", "lesson_title", "application_coverage", "recurring_problems"]].reset_index(drop=True)
    known = frame["application_coverage"].dropna()
    counts = lessons.recurring_counts(fig.recurring)
    lines = [ngettext("{count} lesson recurred ({problems} problems logged where it was not applied).",
                      "{count} lessons recurred ({problems} problems logged where they were not applied).",
                      counts["lessons"]).format(count=counts["lessons"], problems=counts["problems"])]
    if len(known):
        lines.insert(0, ngettext("{count} lesson applied at {pct}% of the branches not yet live, on average.",
                                 "{count} lessons applied at {pct}% of the branches not yet live, on average.",
                                 len(frame)).format(count=len(frame), pct=_pct(known.mean())))
    shown = _top(frame)
    chart = Chart("bar", shown, "lesson_code", ["application_coverage"], _("Lessons applied (% of branches)"),
                  colours={"application_coverage": STATUS_COLOURS["live"]})
    problems = fig.recurring.reindex(columns=["lesson_code", "lesson_title", "problem_code", "branch_code",
                                              "branch_name", "opened_on", "severity", "problem_title",
                                              "application_status"])
    return Section("lessons", _("Lessons coverage and recurring problems"), lines, chart,
                   [Table("lessons", _("Lessons coverage"), shown, frame),
                    _appendix("recurring", _("Recurring problems"), problems)])


# --- 9. man-days by region -------------------------------------------------------------------------------


def man_days_section(fig: Figures) -> Section:
    days = fig.man_days[["region_code", "budget", "used", "remaining", "forecast_overrun"]].copy()
    days["used_pct"] = [round1(u / b * 100) if not is_missing(u) and not is_missing(b) and b > 0 else None
                        for u, b in zip(days["used"], days["budget"], strict=True)]
    days.insert(1, "region_name", [_("All regions") if c == "TOTAL" else fig.region_name(c)
                                   for c in days["region_code"]])
    days = days.drop(columns="region_code")
    regions = days.iloc[:-1].sort_values("used", ascending=False, na_position="last")
    total = days.iloc[-1] if len(days) else None
    lines = []
    if total is not None and not is_missing(total["budget"]) and total["budget"]:
        lines.append(_("{used} of {budget} man-days used ({pct}%), {remaining} remaining.").format(
            used=_days(total["used"]), budget=_days(total["budget"]), pct=_pct(total["used_pct"]),
            remaining=_days(total["remaining"])))
    if total is not None and not is_missing(total["forecast_overrun"]) and total["forecast_overrun"] > 0:
        lines.append(_("Forecast overrun at go-live: {days} man-days.").format(days=_days(total["forecast_overrun"])))
    shown = pd.concat([_top(regions, SLIDE_ROWS - 1), days.iloc[-1:]], ignore_index=True) if len(days) else days
    chart = Chart("bar", _top(regions), "region_name", ["budget", "used"], _("Man-days per region: budget and used"),
                  colours={"budget": STATUS_COLOURS["no_plan"], "used": STATUS_COLOURS["live"]})
    full = pd.concat([regions, days.iloc[-1:]], ignore_index=True)
    per_branch = _appendix("man_days_branches", _("Man-days by branch"),
                           _deferred(branch_days_rows, fig.per_branch_days, fig.status[["branch_code", "branch_name"]]),
                           BRANCH_DAYS_COLUMNS)
    return Section("man_days", _("Consultant man-days used against budget"), lines, chart,
                   [Table("man_days", _("Man-days by region"), shown, full), per_branch])


BRANCH_DAYS_COLUMNS = ["branch_code", "branch_name", "budget", "used", "remaining", "used_pct"]


def branch_days_rows(forecast: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """The appendix's man-days by branch (man_days's rows, from man_days_forecast's per branch and the branches'
    names), the total row named."""
    days = names.merge(forecast[["branch_code", "budget", "man_days_used"]], on="branch_code", how="left")
    days = man_days_rows(days.rename(columns={"budget": "budget_days", "man_days_used": "used_days"}))
    days = with_used_pct(days).rename(columns={"budget_days": "budget", "used_days": "used",
                                               "remaining_days": "remaining"})
    days["branch_name"] = days["branch_name"].where(days["branch_code"] != "TOTAL", _("All branches"))
    return days


# --- 10. decisions ---------------------------------------------------------------------------------------


def decisions_section(fig: Figures) -> Section:
    needed = decisions_needed(fig)
    needed = needed[["branch_code", "branch_name", "planned_go_live", "days_to_go_live", "status",
                     "checklist_readiness"]]
    taken = fig.decisions
    taken = taken[pd.to_datetime(taken["decided_on"]) <= pd.Timestamp(fig.as_of)] if len(taken) else taken
    taken = pd.DataFrame({"decided_on": taken["decided_on"], "branch_code": taken["branch_code"],
                          "branch_name": taken["branch_name"], "decision": _words(taken["decision"], DECISION_WORDS),
                          "conditions": taken["conditions"], "follow_up_on": taken["follow_up_on"],
                          "status_now": taken["status_now"],
                          "conditions_met": _words(taken["conditions_met"], VERDICT_WORDS)})
    lines = [ngettext("{count} decision needed: go-live within {days} days and no go / no-go recorded.",
                      "{count} decisions needed: go-live within {days} days and no go / no-go recorded.",
                      len(needed)).format(count=len(needed), days=DECISION_DAYS),
             ngettext("{count} decision taken so far, the latest first.",
                      "{count} decisions taken so far, the latest first.", len(taken)).format(count=len(taken))]
    return Section("decisions", _("Decisions needed and taken"), lines, None,
                   [_table("decisions_needed", _("Decisions needed"), needed, HALF_ROWS),
                    _table("decisions_taken", _("Decisions taken"), taken, HALF_ROWS)])


# --- the pack --------------------------------------------------------------------------------------------


def build(db: Database, as_of: date) -> Pack:
    """The ten sections in the current language."""
    fig = Figures(db, as_of)
    sections = [summary_section(fig), region_section(fig), trend_section(fig), risks_section(fig),
                go_lives_section(fig), staffing_section(fig), heads_section(fig), lessons_section(fig),
                man_days_section(fig), decisions_section(fig)]
    return Pack(_("ERP rollout steering pack, as of {date}").format(date=as_of.isoformat()), as_of, current(),
                sections)


def pack(db: Database, as_of: date, language: str | None = None) -> Pack:
    """The steering pack as of a date, in `language` (None: the current language; pages pass it so a
    cached pack is per language)."""
    with use_language(language or current()):
        return build(db, as_of)


KINDS = ("pptx", "xlsx", "html")


def report_bytes(db: Database, as_of: date, kind: str, language: str | None = None) -> bytes:
    """The steering pack as bytes: kind 'pptx', 'xlsx' or 'html' (for the page's download buttons)."""
    kind = kind.lower().lstrip(".")
    if kind not in KINDS:
        raise RolloutError(_("cannot write a steering pack as .{kind} (expected .pptx, .xlsx or .html)").format(
            kind=kind))
    return render(pack(db, as_of, language), kind)


def render(content: Pack, kind: str) -> bytes:
    """One assembled pack in one format, in the pack's own language."""
    with use_language(content.language):
        if kind == "pptx":
            return pptx_bytes(content)
        if kind == "xlsx":
            return xlsx_bytes(content)
        return html_text(content).encode("utf-8")


def write_report(db: Database, as_of: date, out: Path, language: str | None = None) -> Path:
    """Write the steering pack to out; the suffix (.pptx, .xlsx, .html) picks the format."""
    out = Path(out)
    kind = out.suffix.lower().lstrip(".")
    if kind not in KINDS:
        raise RolloutError(_("cannot write a steering pack to {name} (expected a name ending in .pptx, .xlsx or "
                             ".html)").format(name=out.name))
    data = report_bytes(db, as_of, kind, language)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise RolloutError(_("cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc)) from None
    return out


# --- for the Steering and Go / no-go pages ---------------------------------------------------------------


def man_days(db: Database, as_of: date) -> pd.DataFrame:
    """Consultant man-days per branch: budget, used on D (METRICS.md "Man-days used": the logged days,
    else the branches sheet's figure), remaining (budget − used), % used; a total row last."""
    frame = db.df("SELECT branch_code, branch_name, consultant_days_budget AS budget_days FROM branches").merge(
        man_days_metrics.man_days_used(db, as_of)[["branch_code", "man_days_used"]].rename(
            columns={"man_days_used": "used_days"}), on="branch_code", how="left")
    return with_used_pct(man_days_rows(frame))


def with_used_pct(days: pd.DataFrame) -> pd.DataFrame:
    """Rows of man_days_rows with used_pct: used / budget × 100 to 1 decimal (None without a budget)."""
    return days.assign(used_pct=[round1(u / b * 100) if not is_missing(u) and not is_missing(b) and b > 0 else None
                                 for u, b in zip(days["used_days"], days["budget_days"], strict=True)])


def man_days_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Branches (branch_code, branch_name, budget_days, used_days) in code order with remaining_days, and a
    total row last: budget and used summed over every branch, remaining over the branches with both."""
    frame = frame.sort_values("branch_code").reset_index(drop=True)
    frame["remaining_days"] = frame["budget_days"] - frame["used_days"]
    with_both = frame.dropna(subset=["budget_days", "used_days"])
    total = {"branch_code": "TOTAL", "branch_name": "all branches",
             "budget_days": float(frame["budget_days"].sum()) if frame["budget_days"].notna().any() else None,
             "used_days": float(frame["used_days"].sum()) if frame["used_days"].notna().any() else None,
             "remaining_days": float(with_both["remaining_days"].sum()) if len(with_both) else None}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def man_days_totals(days: pd.DataFrame) -> dict[str, float | None]:
    """The total row of man_days: budget, used and remaining man-days (None when unknown)."""
    total = days[days["branch_code"] == "TOTAL"].iloc[0]
    return {field: None if is_missing(total[field]) else float(total[field])
            for field in ("budget_days", "used_days", "remaining_days")}


def man_days_chart_rows(days: pd.DataFrame, limit: int = 40) -> tuple[pd.DataFrame, int]:
    """The branch rows of man_days a chart draws, and how many branches there are: every branch in code
    order, or when there are more than `limit`, the `limit` with the most man-days used (then budget)."""
    per_branch = days[days["branch_code"] != "TOTAL"]
    if len(per_branch) <= limit:
        return per_branch, len(per_branch)
    return (per_branch.sort_values(["used_days", "budget_days"], ascending=False, kind="stable").head(limit),
            len(per_branch))


def branch_choices(db: Database) -> pd.DataFrame:
    """Branches for a picker: code, name, region."""
    return db.df("SELECT branch_code, branch_name, region_code FROM branches ORDER BY branch_code")
