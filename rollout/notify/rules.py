"""The three rules of NOTIFY.md: what is due at a moment, for whom, computed from METRICS.md figures.

`due_rules(local)` says which rules are due at a local moment; `my_items`, `weekly_brief` and
`region_daily` compute each recipient's content as plain data (no text yet: render.py writes it in the
recipient's language). Every read goes through the recipient's scope: a user's regions (ACCESS.md), a
robot's `regions`; an owner's message holds only the items they own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from rollout.core.access import Caller, regions_from_text, regions_to_text
from rollout.core.i18n import use_language
from rollout.metrics import after_go_live, engagement, raid, readiness, staffing
from rollout.metrics.live import branches_live
from rollout.notify.config import NotifyConfig, Robot, good_address
from rollout.steering.snapshots import branch_statuses, list_snapshots
from rollout.store.db import Database

RULES = ("my_items", "weekly_brief", "region_daily")
SEND_TIME = {"my_items": time(8, 30), "weekly_brief": time(8, 30), "region_daily": time(9, 0)}
DUE_SOON_DAYS = 3
BRIEF_GO_LIVE_DAYS = 13
DAILY_GO_LIVE_DAYS = 6
GATE_WINDOW_DAYS = 30
DAILY_LINES = 15
TOP_CALLS = 5

# Not done as of D, not waived, D <= due_date <= D + 3 (NOTIFY.md `my_items`; "done as of D" as METRICS.md).
_DUE_SOON = """
SELECT c.branch_code, c.item_code, c.title, c.owner, c.due_date
FROM checklist c
WHERE c.status <> 'waived'
  AND NOT (c.status = 'done' AND coalesce(c.completed_on <= $as_of::DATE, false))
  AND c.due_date BETWEEN $as_of::DATE AND $as_of::DATE + $days
ORDER BY c.branch_code, c.due_date, c.item_code
"""


def due_rules(local: datetime) -> list[str]:
    """The rules due at a local moment: workdays (Mon-Fri) for the daily rules, Mondays for the brief,
    each from its send time on."""
    workday = local.weekday() < 5
    due = []
    for rule in RULES:
        on_day = local.weekday() == 0 if rule == "weekly_brief" else workday
        if on_day and local.time() >= SEND_TIME[rule]:
            due.append(rule)
    return due


def period(rule: str, day: date) -> str:
    """The outbox key's period: the day, or for the weekly brief the ISO week of the day."""
    if rule == "weekly_brief":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


@dataclass
class Recipient:
    """Where a message goes: an e-mail address or a robot, with its language and the scope it may see."""

    address: str  # a lower-cased e-mail, or robot:<name>
    lang: str
    scope: frozenset[str] | None = None  # None: every region
    role: str | None = None  # an app user's role (the pack goes to viewers and admins)
    robot: Robot | None = None


@dataclass
class Content:
    """One message's facts, before words: rule, recipient, day, and the rule's own figures."""

    rule: str
    recipient: Recipient
    day: date
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def attach_pack(self) -> bool:
        return self.rule == "weekly_brief" and self.recipient.role in ("viewer", "admin")


@dataclass
class Routing:
    """The owner rule's outcome: items per address, items nobody receives, addresses refused."""

    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unrouted: list[dict[str, Any]] = field(default_factory=list)
    bad_addresses: list[dict[str, Any]] = field(default_factory=list)


def _key(text: Any) -> str:
    """An owner text or a person's field as compared: trimmed, Latin letters without case."""
    return str(text).strip().casefold() if text is not None and not pd.isna(text) else ""


# --- my_items ------------------------------------------------------------------------------------------

def owned_items(db: Database, day: date) -> list[dict[str, Any]]:
    """Every item an owner is chased for on D: checklist items at branches not live on D that are overdue
    or due within 3 days, and problems open and past their limit (any branch)."""
    branches = branches_live(db, day)
    live = set(branches.loc[branches["is_live"], "branch_code"])
    names = dict(zip(branches["branch_code"], branches["branch_name"], strict=True))
    regions = dict(zip(branches["branch_code"], branches["region_code"], strict=True))
    items = []
    for row in readiness.overdue_items(db, day).to_dict("records"):
        if row["branch_code"] not in live:
            items.append({"kind": "overdue", "branch_code": row["branch_code"], "code": row["item_code"],
                          "title": row["title"], "owner": row["owner"], "due": _day(row["due_date"]),
                          "days": int(row["days_late"])})
    soon = db.run(_DUE_SOON, {"as_of": day, "days": DUE_SOON_DAYS})
    for row in soon.to_dict("records"):
        if row["branch_code"] not in live:
            due = _day(row["due_date"])
            items.append({"kind": "due_soon", "branch_code": row["branch_code"], "code": row["item_code"],
                          "title": row["title"], "owner": row["owner"], "due": due, "days": (due - day).days})
    problems = after_go_live.problems_against_limits(db, day)
    for row in problems[problems["past_limit"]].to_dict("records"):
        items.append({"kind": "problem", "branch_code": row["branch_code"], "code": row["problem_code"],
                      "title": row["title"], "owner": row["owner"], "due": _day(row["due_by"]),
                      "days": int(row["age_days"]) - int(row["limit_days"]), "severity": row["severity"]})
    items += owned_actions(db, day)
    for item in items:
        item["branch_name"] = names.get(item["branch_code"]) or item["branch_code"]
        item["region_code"] = regions.get(item["branch_code"])
    return items


def owned_actions(db: Database, day: date) -> list[dict[str, Any]]:
    """The RAID log's action items open on D that are overdue (METRICS.md "RAID log") or due within 3 days
    (D <= due_date <= D + 3), at any branch, live or not (a meeting's action is chased until it is closed),
    and the programme's own (branch_code None)."""
    frame = raid.open_items(db, day)
    items = []
    for row in frame[frame["kind"] == "action"].to_dict("records"):
        if row["due_date"] is None or pd.isna(row["due_date"]):
            continue
        due = _day(row["due_date"])
        days = (due - day).days
        if not (row["overdue"] or 0 <= days <= DUE_SOON_DAYS):
            continue
        branch = row["branch_code"] if isinstance(row["branch_code"], str) and row["branch_code"] else None
        items.append({"kind": "action_overdue" if row["overdue"] else "action_due_soon", "branch_code": branch,
                      "code": row["raid_code"], "title": row["title"], "owner": row["owner"], "due": due,
                      "days": abs(days)})
    return items


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()


def route_owners(db: Database, day: date, items: list[dict[str, Any]]) -> Routing:
    """NOTIFY.md "Recipients": the one active person of the item's branch whose person_code, name or email
    equals the owner text; else the branch's active project managers with an email; else unrouted.
    A programme-wide action (no branch): the one active person of any branch so named, else the active app
    user with that e-mail, else unrouted (the programme has no project managers of its own)."""
    people = staffing.active_people(db, day)[["person_code", "name", "branch_code"]]
    emails = dict(db.rows("SELECT person_code, email FROM people"))
    by_branch: dict[str, list[dict[str, Any]]] = {}
    for person in people.to_dict("records"):
        person["email"] = (emails.get(person["person_code"]) or "").strip()
        by_branch.setdefault(person["branch_code"], []).append(person)
    managers: dict[str, list[dict[str, Any]]] = {}
    assignments = staffing.active_assignments(db, day)
    for row in assignments[assignments["role"] == "project_manager"].to_dict("records"):
        email = (emails.get(row["person_code"]) or "").strip()
        if email:
            managers.setdefault(row["branch_code"], []).append({"person_code": row["person_code"], "email": email})
    routing = Routing()
    refused: set[tuple[str, str]] = set()

    def usable(person: dict[str, Any]) -> str | None:
        if not person["email"]:
            return None
        if not good_address(person["email"]):
            if (person["person_code"], person["email"]) not in refused:
                refused.add((person["person_code"], person["email"]))
                routing.bad_addresses.append({"person_code": person["person_code"], "address": person["email"]})
            return None
        return person["email"].lower()

    everyone = [p for staff in by_branch.values() for p in staff]
    users = {_key(email): email for (email,) in db.rows("SELECT email FROM users WHERE active")}
    for item in items:
        wanted = _key(item["owner"])
        programme = item["branch_code"] is None  # a programme-wide RAID action: nobody's branch
        found = [p for p in (everyone if programme else by_branch.get(item["branch_code"], [])) if wanted and
                 wanted in (_key(p["person_code"]), _key(p["name"]), _key(p["email"]))]
        addresses = [usable(found[0])] if len(found) == 1 else []
        if programme and not found and wanted in users:  # HQ owners are app users, seldom branch staff
            addresses = [usable({"person_code": None, "email": users[wanted]})]
        if not programme and not [a for a in addresses if a]:
            addresses = [usable(p) for p in managers.get(item["branch_code"], [])]
        addresses = sorted({a for a in addresses if a})
        if not addresses:
            routing.unrouted.append(item)
        for address in addresses:
            routing.items.setdefault(address, []).append(item)
    return routing


# --- the recipients ----------------------------------------------------------------------------------

def preferences(db: Database) -> dict[str, tuple[str | None, frozenset[str]]]:
    """email -> (language or None, rules switched off)."""
    return {email: (lang, frozenset(r for r in (off or "").split(",") if r))
            for email, lang, off in db.rows("SELECT email, lang, rules_off FROM notify_preferences")}


def app_users(db: Database) -> list[dict[str, Any]]:
    """Active app users (ACCESS.md) with their role and scope: the weekly brief's readers."""
    return [{"email": email, "role": role, "regions": regions_from_text(regions)}
            for email, role, regions in db.rows("SELECT email, role, regions FROM users WHERE active ORDER BY email")]


def scoped_store(db: Database, who: str, regions: frozenset[str] | None) -> Database:
    """The store as a recipient may read it (the store's own scope rule, ACCESS.md)."""
    return db.scoped(Caller(who, "viewer", regions))


# --- weekly_brief --------------------------------------------------------------------------------------

def brief_facts(db: Database, day: date) -> dict[str, Any]:
    """The weekly brief's figures over one scope (db is the scoped handle)."""
    status = readiness.branch_status(db, day)
    counts = {s: int((status["status"] == s).sum()) for s in readiness.STATUSES}
    before = list_snapshots(db)
    before = before[before["as_of"] < day]
    change: dict[str, int] | None = None
    turned_red: list[dict[str, Any]] = []
    snapshot_day = None
    if len(before):
        latest = before.iloc[0]
        snapshot_day = latest["as_of"]
        change = {s: counts[s] - int(latest[s]) for s in ("red", "amber", "green", "live") if s in latest}
        old = branch_statuses(db, int(latest["snapshot_id"]))
        turned_red = [{"branch_code": r["branch_code"], "branch_name": r["branch_name"],
                       "was": old.get(r["branch_code"])}
                      for r in status[status["status"] == "red"].to_dict("records")
                      if old.get(r["branch_code"]) != "red"]
    soon = status[status["days_to_go_live"].between(0, BRIEF_GO_LIVE_DAYS) & (status["status"] != "live")]
    go_lives = [{"branch_code": r["branch_code"], "branch_name": r["branch_name"], "on": _day(r["planned_go_live"]),
                 "chance": None if pd.isna(r["p_ready_by_go_live"]) else float(r["p_ready_by_go_live"]),
                 "status": r["status"]}
                for r in soon.sort_values(["planned_go_live", "branch_code"]).to_dict("records")]
    calls = engagement.call_list(db, day, limit=TOP_CALLS)
    problems = after_go_live.problems_past_limit(db, day)
    acceptance = after_go_live.acceptance_overdue(db, day)
    payment = after_go_live.payment_overdue(db, day)
    return {"counts": counts, "change": change, "snapshot_day": snapshot_day, "turned_red": turned_red,
            "go_lives": go_lives,
            "calls": [{"exec_code": r["exec_code"], "name": r["name"], "branch_code": r["branch_code"],
                       "reason": r["reason"]} for r in calls.to_dict("records")],
            "overdue_items": int(status["overdue_items"].fillna(0).sum()),
            "problems_past_limit": int(problems["problems_past_limit"].sum()),
            "acceptance_overdue": int(acceptance["acceptance_overdue"].sum()) if len(acceptance) else 0,
            "payment_overdue": int(payment["payment_overdue"].sum()) if len(payment) else 0}


# --- region_daily --------------------------------------------------------------------------------------

def daily_facts(db: Database, day: date) -> dict[str, Any]:
    """region_daily over one scope: one line per branch needing attention (worst first: failing gates within
    30 days of go-live, then problems past limit, then overdue items), and the go-lives of D..D+6."""
    status = readiness.branch_status(db, day)
    problems = after_go_live.problems_past_limit(db, day).set_index("branch_code")["problems_past_limit"]
    lines = []
    for row in status.to_dict("records"):
        live = row["status"] == "live"
        near = not pd.isna(row["days_to_go_live"]) and row["days_to_go_live"] <= GATE_WINDOW_DAYS
        gates = int(row["failing_gates"] or 0) if (near and not live) else 0
        overdue = 0 if live else int(row["overdue_items"] or 0)
        past = int(problems.get(row["branch_code"], 0))
        if gates or overdue or past:
            lines.append({"branch_code": row["branch_code"], "branch_name": row["branch_name"],
                          "failing_gates": gates, "problems_past_limit": past, "overdue_items": overdue})
    lines.sort(key=lambda r: (-r["failing_gates"], -r["problems_past_limit"], -r["overdue_items"], r["branch_code"]))
    soon = status[status["days_to_go_live"].between(0, DAILY_GO_LIVE_DAYS) & (status["status"] != "live")]
    go_lives = [{"branch_code": r["branch_code"], "branch_name": r["branch_name"], "on": _day(r["planned_go_live"]),
                 "status": r["status"]}
                for r in soon.sort_values(["planned_go_live", "branch_code"]).to_dict("records")]
    return {"lines": lines[:DAILY_LINES], "more": max(0, len(lines) - DAILY_LINES), "go_lives": go_lives}


# --- everything due -------------------------------------------------------------------------------------

@dataclass
class Due:
    """What is due at a moment: the messages' contents, and what the preview reports beside them."""

    day: date
    rules: list[str]
    contents: list[Content] = field(default_factory=list)
    unrouted: list[dict[str, Any]] = field(default_factory=list)
    bad_addresses: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # recipients with the rule switched off


def due_contents(db: Database, config: NotifyConfig, local: datetime, only: str | None = None,
                 force: bool = False, queued: frozenset[tuple[str, str]] = frozenset()) -> Due:
    """Every message due at the local moment (or every rule's, with force: the preview of a quiet hour).
    `queued`: (rule, recipient) already in the outbox for this period, not computed again (a run every 15
    minutes then costs little once the day's messages are queued)."""
    day = local.date()
    rules = list(RULES) if force else due_rules(local)
    if only:
        rules = [r for r in rules if r == only]
    due = Due(day, rules)
    prefs = preferences(db)
    users = app_users(db)
    roles = {u["email"]: u for u in users}

    def lang_of(email: str) -> str:
        return prefs.get(email, (None, frozenset()))[0] or config.lang

    def switched_off(email: str, rule: str) -> bool:
        off = rule in prefs.get(email, (None, frozenset()))[1]
        if off:
            due.skipped.append({"rule": rule, "address": email})
        return off

    if "my_items" in rules:
        routing = route_owners(db, day, owned_items(db, day))
        due.unrouted, due.bad_addresses = routing.unrouted, routing.bad_addresses
        for address, items in sorted(routing.items.items()):
            user = roles.get(address, {})
            if user.get("regions") is not None and user.get("role") != "admin":  # their scope and the programme's
                items = [i for i in items if i["branch_code"] is None or i["region_code"] in user["regions"]]
            if items and not switched_off(address, "my_items"):
                due.contents.append(Content("my_items", Recipient(address, lang_of(address), user.get("regions"),
                                                                  user.get("role")), day, {"items": items}))
    if "weekly_brief" in rules:
        by_scope: dict[tuple[str, str], dict[str, Any]] = {}
        for user in users:
            if not good_address(user["email"]):
                due.bad_addresses.append({"person_code": None, "address": user["email"]})
                continue
            if ("weekly_brief", user["email"]) in queued or switched_off(user["email"], "weekly_brief"):
                continue
            key = regions_to_text(user["regions"] if user["role"] != "admin" else None)
            lang = lang_of(user["email"])
            if (key, lang) not in by_scope:  # the call list's reasons are words: one set per language
                with use_language(lang):
                    by_scope[key, lang] = brief_facts(scoped_store(db, user["email"], regions_from_text(key)), day)
            recipient = Recipient(user["email"], lang, regions_from_text(key), user["role"])
            due.contents.append(Content("weekly_brief", recipient, day, by_scope[key, lang]))
    if "region_daily" in rules:
        for robot in config.robots:
            if ("region_daily", f"robot:{robot.name}") in queued:
                continue
            facts = daily_facts(scoped_store(db, f"robot:{robot.name}", robot.regions), day)
            if facts["lines"] or facts["go_lives"]:
                recipient = Recipient(f"robot:{robot.name}", robot.lang or config.lang, robot.regions, robot=robot)
                due.contents.append(Content("region_daily", recipient, day, facts))
    return due
