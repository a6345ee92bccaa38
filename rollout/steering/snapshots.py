"""Frozen snapshots of the summary and "what changed since last review", computed from two snapshots.

A **snapshot** freezes the figures of a date (METRICS.md's summary JSON) together with the facts
"what changed" needs (branch names, status reasons, overdue items, failing gates, people who left,
lesson applications, the RAID lists). Snapshots are insert-only: nothing here ever updates or deletes one.
**What changed** is computed purely from two frozen snapshots (`what_changed(old, new)`), so the
comparison can be replayed and tested with hand-built JSON.

A snapshot is stored in its **compact form** (`compact`, issue 28): only what its readers read (each
branch's status and the figures "what moved" names, each executive's status, the context's lists),
every list of records as columns of values, and every text (a checklist title repeated on 2,000 branches,
a part of a status reason, a branch code) stored once per snapshot and referred to by its number.
`get_snapshot` expands it back (`expand`) into the dict `what_changed` takes; snapshots stored before in
the full form are read as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd

from rollout.core.access import Caller
from rollout.core.errors import DatabaseError, NotFoundError
from rollout.core.labels import N_
from rollout.core.values import as_date, is_missing, iso_text, round1
from rollout.metrics import raid, readiness
from rollout.metrics.summary import summary
from rollout.store.audit import authorise_own_scope
from rollout.store.audit import record as audit_record
from rollout.store.db import Database
from rollout.store.scope import saved_in_scope, scope_text

APPLIED = ("applied", "verified")
MOVES_SHOWN = 5
FIELD_LABELS = {"checklist_readiness": "readiness", "overdue_items": "overdue items",
                "failing_gates": "failing gates", "slip_days": "slip days", "forecast_ready_on": "forecast ready",
                "data_readiness": "data readiness"}
_OF_SCOPE = saved_in_scope("snapshots")  # a snapshot is seen by the scope it was taken over
WHY_FIELDS = ["checklist_readiness", "failing_gates", "overdue_items", "slip_days", "forecast_ready_on"]


# --- small helpers ------------------------------------------------------------------------------------

def _num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def _shown(value: Any) -> str:
    if is_missing(value):
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) >= 1000 else f"{value:g}"
    return str(value)


# --- snapshots ----------------------------------------------------------------------------------------

def status_reasons(db: Database, as_of: date, status: pd.DataFrame | None = None,
                   gates: pd.DataFrame | None = None) -> dict[str, str]:
    """branch_code -> the reasons of readiness.branch_status, as one text. `status` and `gates`:
    readiness.status_with_forecast and failing_gates of the date when the caller has them (a snapshot; read
    here otherwise, so the function is a read of the store alone, as tests/store/test_scope.py sweeps them)."""
    frame = readiness.branch_status(db, as_of, status=status, gates=gates)
    return {str(code): REASON_SEPARATOR.join(str(r) for r in reasons)
            for code, reasons in zip(frame["branch_code"], frame["reasons"], strict=True)}


def _items(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Overdue items or failing gates (readiness's own lists) as records: branch_code, item_code, title,
    due_date, in branch and item order (column lists, not a loop over rows: 2,000 branches have tens of
    thousands of overdue items, and a snapshot keeps them all)."""
    frame = frame.sort_values(["branch_code", "item_code"], key=lambda s: s.astype(str), kind="stable")
    due = [iso_text(d) for d in frame["due_date"].tolist()]
    return [{"branch_code": str(b), "item_code": str(i), "title": t, "due_date": d}
            for b, i, t, d in zip(frame["branch_code"].tolist(), frame["item_code"].tolist(),
                                  frame["title"].tolist(), due, strict=True)]


def snapshot_context(db: Database, as_of: date, status: pd.DataFrame | None = None) -> dict[str, Any]:
    """Facts frozen beside the figures so that "what changed" needs nothing but two snapshots. `status`:
    readiness.status_with_forecast of the date when the caller has it (snapshot_figures: the summary's)."""
    branches = {r[0]: {"name": r[1]} for r in db.rows("SELECT branch_code, branch_name FROM branches "
                                                      "ORDER BY branch_code")}
    executives = {r[0]: {"name": r[1]} for r in db.rows("SELECT exec_code, name FROM executives ORDER BY exec_code")}
    lessons = {r[0]: {"title": r[1]} for r in db.rows("SELECT lesson_code, title FROM lessons ORDER BY lesson_code")}
    gates = readiness.failing_gates(db, as_of)
    left = [{"person_code": r[0], "name": r[1], "branch_code": r[2], "left_on": iso_text(r[3])}
            for r in db.rows("SELECT person_code, name, branch_code, left_on FROM people "
                             "WHERE left_on IS NOT NULL AND left_on <= ? ORDER BY person_code", [as_of])]
    applications = [{"lesson_code": r[0], "branch_code": r[1], "status": r[2]}
                    for r in db.rows("SELECT lesson_code, branch_code, status FROM lesson_applications "
                                     "ORDER BY lesson_code, branch_code")]
    return {"branches": branches, "executives": executives, "lessons": lessons,
            "reasons": status_reasons(db, as_of, status, gates),
            "overdue_items": _items(readiness.overdue_items(db, as_of)), "failing_gates": _items(gates),
            "people_left": left, "lesson_applications": applications, "raid": raid_context(db, as_of)}


def raid_context(db: Database, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """The RAID facts a review compares: critical risks open, actions overdue and deviations decided, as of
    the date (so the next review lists what is new since)."""
    items = raid.open_items(db, as_of)

    def listed(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
        return [{c: (None if is_missing(v) else iso_text(v) if isinstance(v, (date, pd.Timestamp)) else v)
                 for c, v in row.items()} for row in frame[columns].to_dict("records")]

    frames = {"critical_risks": items[(items["kind"] == "risk") & (items["band"] == "critical")],
              "overdue_actions": items[items["overdue"]],
              "deviations_decided": raid.decided_between(db, date(1990, 1, 1), as_of)}
    return {name: listed(frame, RAID_COLUMNS[name]) for name, frame in frames.items()}


def snapshot_figures(db: Database, as_of: date) -> dict[str, Any]:
    """What a snapshot freezes, in full: the summary JSON plus its frozen context, and the scope it covers
    (only that scope sees the snapshot again: rollout.store.scope). Stored as `compact(...)` of it."""
    status = readiness.status_with_forecast(db, as_of)  # the summary's statuses and the context's reasons
    figures = summary(db, as_of, status)
    figures["context"] = snapshot_context(db, as_of, status)
    figures["scope"] = scope_text(db)
    return figures


def take_snapshot(db: Database, as_of: date, label: str | None = None, *, caller: Caller) -> int:
    """Freeze the figures of as_of, as the caller sees them; returns the new snapshot_id (snapshots are never
    changed later). The scope and the branches per status are stored beside the JSON, for the readers that
    need only those."""
    authorise_own_scope(db, caller, "snapshots")
    label = (label or "").strip() or None
    figures = snapshot_figures(db.scoped(caller), as_of)
    payload = json.dumps(compact(figures), ensure_ascii=False, separators=(",", ":"), default=str)
    statuses = [b.get("status") for b in figures["branches"]]
    counts = [statuses.count(s) for s in readiness.STATUSES]
    columns = ", ".join(f"{s}_branches" for s in readiness.STATUSES)
    with db.transaction() as cur:
        snapshot_id = cur.execute(f"INSERT INTO snapshots (as_of, taken_at, label, summary_json, scope, {columns}) "
                                  f"VALUES (?, ?, ?, ?, ?{', ?' * len(counts)}) RETURNING snapshot_id",
                                  [as_of, datetime.now(), label, payload, figures["scope"], *counts]).fetchone()[0]
        audit_record(cur, caller.email, "insert", "snapshots", json.dumps({"snapshot_id": snapshot_id}),
                     new=json.dumps({"as_of": as_of.isoformat(), "label": label}, ensure_ascii=False))
    return int(snapshot_id)


_COUNTS = ", ".join(f"{s}_branches AS {s}" for s in readiness.STATUSES)


def list_snapshots(db: Database) -> pd.DataFrame:
    """Every snapshot, newest first, with its branches per status (stored beside its JSON); as_of a date."""
    frame = db.df(f"SELECT snapshot_id, as_of, taken_at, coalesce(label, '') AS label, red, amber, green, live "
                  f"FROM (SELECT *, {_COUNTS} FROM snapshots WHERE {_OF_SCOPE}) "
                  "ORDER BY as_of DESC, snapshot_id DESC", [scope_text(db)])
    frame["as_of"] = [as_date(v) for v in frame["as_of"]]
    return frame


def status_counts(db: Database, reviews: int = 13) -> pd.DataFrame:
    """Branches per status at each of the last `reviews` review dates (the newest snapshot of each date),
    oldest first: snapshot_id, as_of, label, live, green, amber, red, no_plan."""
    frame = db.df(f"""
        SELECT snapshot_id, as_of, coalesce(label, '') AS label, {_COUNTS} FROM snapshots WHERE {_OF_SCOPE}
        QUALIFY row_number() OVER (PARTITION BY as_of ORDER BY snapshot_id DESC) = 1
        ORDER BY as_of DESC LIMIT ?""", [scope_text(db), int(reviews)])
    frame["as_of"] = [as_date(v) for v in frame["as_of"]]
    for status in readiness.STATUSES:
        frame[status] = frame[status].astype(int)
    return frame.sort_values("as_of").reset_index(drop=True)


def _stored(db: Database, snapshot_id: int) -> dict[str, Any]:
    """A snapshot's JSON as stored, if the handle's scope took it (else it does not exist for it)."""
    text = db.scalar(f"SELECT summary_json FROM snapshots WHERE snapshot_id = ? AND {_OF_SCOPE}",
                     [int(snapshot_id), scope_text(db)])
    if text is None:
        raise NotFoundError(f"snapshot {snapshot_id} does not exist")
    return json.loads(text)


def get_snapshot(db: Database, snapshot_id: int) -> dict[str, Any]:
    """A snapshot of the handle's scope as the dict what_changed takes (a compact one expanded, one stored
    in the full form before issue 28 as it was stored)."""
    stored = _stored(db, snapshot_id)
    return expand(stored) if "form" in stored else stored


def branch_statuses(db: Database, snapshot_id: int) -> dict[str, str | None]:
    """branch_code -> status in a snapshot of the handle's scope (the weekly brief's "turned red"): the
    branches alone, without expanding the snapshot's lists."""
    stored = _stored(db, snapshot_id)
    if "form" in stored:
        stored = expand({**stored, "context": {}})
    return {b["branch_code"]: b.get("status") for b in stored["branches"]}


def latest_pair(db: Database) -> tuple[int | None, int | None]:
    """(the previous review, the latest) snapshot ids; None where missing.

    The latest is the snapshot with the latest as-of date (the newest one taken on that date);
    the previous review is the newest snapshot of an earlier as-of date, or, when every snapshot
    has the same date, the one taken before the latest.
    """
    rows = db.rows(f"SELECT snapshot_id, as_of FROM snapshots WHERE {_OF_SCOPE} ORDER BY as_of DESC, snapshot_id DESC",
                   [scope_text(db)])
    if not rows:
        return None, None
    latest_id, latest_as_of = rows[0]
    earlier = [r[0] for r in rows[1:] if r[1] < latest_as_of]
    before = earlier[0] if earlier else (rows[1][0] if len(rows) > 1 else None)
    return (None if before is None else int(before)), int(latest_id)


# --- the stored form ----------------------------------------------------------------------------------

FORM = 2  # the compact form; a snapshot without "form" holds the full summary (stored before issue 28)
# What the compact form keeps: of the summary's lists, the fields the readers read (what_changed, the
# weekly brief's statuses); of the context's maps (code -> facts), the names; its lists whole.
KEPT_FIGURES = {"branches": ["branch_code", "status", *WHY_FIELDS],
                "executives": ["exec_code", "status", "days_since_last_touchpoint", "engagement_score"]}
KEPT_NAMES = {"branches": ("branch_code", "name"), "executives": ("exec_code", "name"),
              "lessons": ("lesson_code", "title")}
ITEM_COLUMNS = ["branch_code", "item_code", "title", "due_date"]
KEPT_LISTS = {"overdue_items": ITEM_COLUMNS, "failing_gates": ITEM_COLUMNS,
              "people_left": ["person_code", "name", "branch_code", "left_on"],
              "lesson_applications": ["lesson_code", "branch_code", "status"]}
REASON_SEPARATOR = "; "  # status_reasons joins a branch's reasons with it: each reason is a shared text


def compact(figures: dict[str, Any]) -> dict[str, Any]:
    """The stored form of snapshot_figures(...): what the readers read, each list of records as columns
    (column name -> its values in row order), a column of texts as {"codes": [...]}: indexes into the
    snapshot's texts of that column name ("texts": name -> distinct texts, shared by every table, so a
    branch code or a checklist title is written once). A part the figures lack is left out, so expand()
    gives it back as absent ("not yet available")."""
    pools: dict[str, dict[str, int]] = {}

    def column(name: str, values: list[Any]) -> Any:
        if not all(isinstance(v, str) or v is None for v in values):
            return values
        pool = pools.setdefault(name, {})
        return {"codes": [None if v is None else pool.setdefault(v, len(pool)) for v in values]}

    def pack(records: list[dict[str, Any]], columns: list[str]) -> dict[str, Any]:
        return {c: column(c, [r.get(c) for r in records]) for c in columns}

    context = figures.get("context") or {}
    packed_context: dict[str, Any] = {
        name: pack([{key: code, field: (facts or {}).get(field)} for code, facts in context[name].items()],
                   [key, field]) for name, (key, field) in KEPT_NAMES.items() if name in context}
    if "reasons" in context:
        packed_context["reasons"] = pack([{"branch_code": code, "reason": part} for code, text in
                                          context["reasons"].items() if text for part in
                                          text.split(REASON_SEPARATOR)], ["branch_code", "reason"])
    packed_context.update({name: pack(context[name], columns) for name, columns in KEPT_LISTS.items()
                           if name in context})
    if context.get("raid") is not None:
        packed_context["raid"] = {name: pack(context["raid"].get(name, []), columns)
                                  for name, columns in RAID_COLUMNS.items()}
    packed = {"form": FORM, "as_of": figures.get("as_of"), "scope": figures.get("scope"),
              **{name: pack(figures.get(name) or [], columns) for name, columns in KEPT_FIGURES.items()},
              "context": packed_context}
    packed["texts"] = {name: list(pool) for name, pool in pools.items()}
    return packed


def _unpack(table: dict[str, Any], texts: dict[str, list[str]]) -> list[dict[str, Any]]:
    """A compact table (column name -> values, or text codes into texts[name]) as its records."""

    def values(name: str, column: Any) -> list[Any]:
        if isinstance(column, dict):
            pool = texts.get(name, [])
            return [None if code is None else pool[code] for code in column["codes"]]
        return column

    names = list(table)
    return [dict(zip(names, row, strict=True))
            for row in zip(*(values(name, column) for name, column in table.items()), strict=True)]


def _check_form(stored: dict[str, Any]) -> None:
    if stored.get("form") != FORM:
        raise DatabaseError(f"a snapshot of form {stored.get('form')!r}: this version of the app reads form {FORM}")


def expand(stored: dict[str, Any]) -> dict[str, Any]:
    """The dict what_changed takes, from a snapshot's compact form (compact's inverse on what it keeps)."""
    _check_form(stored)
    texts = stored["texts"]

    def unpack(table: dict[str, Any]) -> list[dict[str, Any]]:
        return _unpack(table, texts)

    packed = stored["context"]
    context: dict[str, Any] = {name: {r[key]: {field: r[field]} for r in unpack(packed[name])}
                               for name, (key, field) in KEPT_NAMES.items() if name in packed}
    if "reasons" in packed:
        reasons: dict[str, list[str]] = {}
        for r in unpack(packed["reasons"]):
            reasons.setdefault(r["branch_code"], []).append(r["reason"])
        context["reasons"] = {code: REASON_SEPARATOR.join(parts) for code, parts in reasons.items()}
    context.update({name: unpack(packed[name]) for name in KEPT_LISTS if name in packed})
    if "raid" in packed:
        context["raid"] = {name: unpack(table) for name, table in packed["raid"].items()}
    return {"as_of": stored["as_of"], "scope": stored["scope"],
            **{name: unpack(stored[name]) for name in KEPT_FIGURES}, "context": context}


# What the pack's RAID line reads of a stored snapshot, extracted by the database (a compact snapshot of
# 10,000 branches is 4.6 MB of JSON; its RAID lists and their keys' texts are a few hundred kB).
_RAID_FIELDS = ("raid_code", "deviation_code", "decision")
_RAID_PATHS = "[" + ", ".join(f"'$.{path}'" for path in ("form", "as_of", "context.raid",
                                                          *(f"texts.{name}" for name in _RAID_FIELDS))) + "]"


def _raid_part(db: Database, snapshot_id: int) -> dict[str, Any]:
    """A stored snapshot's date and RAID lists, each entry with its key (and a deviation's decision) alone, as
    what_changed reads them; a snapshot of the handle's scope only."""
    found = db.rows(f"SELECT json_extract(summary_json, {_RAID_PATHS}) FROM snapshots WHERE snapshot_id = ? "
                    f"AND {_OF_SCOPE}", [int(snapshot_id), scope_text(db)])
    if not found:
        raise NotFoundError(f"snapshot {snapshot_id} does not exist")
    form, as_of, lists, *pools = (None if value is None else json.loads(value) for value in found[0][0])
    if form is not None:
        _check_form({"form": form})
    if lists is None:
        return {"as_of": as_of, "context": {"raid": None}}
    texts = {name: pool or [] for name, pool in zip(_RAID_FIELDS, pools, strict=True)}

    def keys(table: Any) -> list[dict[str, Any]]:
        if form is None:  # the full form: a list of records
            return [{f: entry.get(f) for f in _RAID_FIELDS if f in entry} for entry in table]
        return _unpack({f: table[f] for f in _RAID_FIELDS if f in table}, texts)

    return {"as_of": as_of, "context": {"raid": {name: keys(table) for name, table in lists.items()}}}


# --- what changed -------------------------------------------------------------------------------------

CHANGE_TABLES = {
    "status_changes": N_("Branches whose status changed"),
    "readiness_up": N_("Readiness up most"),
    "readiness_down": N_("Readiness down most"),
    "new_overdue": N_("New overdue items"),
    "new_failing_gates": N_("New failing gates"),
    "went_silent": N_("Executives who went silent"),
    "people_left": N_("People who left"),
    "lessons_applied": N_("Lessons newly applied"),
    "new_critical_risks": N_("New critical risks"),
    "new_overdue_actions": N_("New overdue action items"),
    "deviations_decided": N_("Deviations decided"),
}
# The RAID facts a snapshot freezes (context "raid"), the key of each entry, and the change table they feed.
RAID_COLUMNS = {"critical_risks": ["raid_code", "branch_code", "title", "owner", "score", "raised_on"],
                "overdue_actions": ["raid_code", "branch_code", "title", "owner", "due_date"],
                "deviations_decided": ["deviation_code", "branch_code", "title", "decision", "decided_on",
                                       "effort_days"]}
RAID_CHANGES = {"new_critical_risks": "critical_risks", "new_overdue_actions": "overdue_actions",
                "deviations_decided": "deviations_decided"}


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(r[key]): r for r in rows or []}


def _delta_text(name: str, before: Any, after: Any) -> str:
    return f"{FIELD_LABELS.get(name, name)} {_shown(before)} → {_shown(after)}"


def what_changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, pd.DataFrame | None]:
    """The change list between two frozen snapshots (old = the previous review, new = this one).

    Pure: reads nothing but the two JSON objects. A table is None when the snapshots do not hold
    what it needs (e.g. hand-built snapshots without context, or figures that were null then).
    """
    old_ctx, new_ctx = old.get("context") or {}, new.get("context") or {}
    names = _names(old, new)
    old_b, new_b = _by(old.get("branches", []), "branch_code"), _by(new.get("branches", []), "branch_code")
    both = sorted(set(old_b) & set(new_b))
    result: dict[str, pd.DataFrame | None] = {}

    # Status changes, with the figures that moved and the reasons frozen in the newer snapshot.
    rows = []
    for code in both:
        before, after = old_b[code].get("status"), new_b[code].get("status")
        if before is None or after is None or before == after:
            continue
        why = [_delta_text(f, old_b[code].get(f), new_b[code].get(f)) for f in WHY_FIELDS
               if old_b[code].get(f) != new_b[code].get(f)]
        rows.append({"branch_code": code, "branch_name": names.get(code), "status_before": before,
                     "status_after": after, "what_moved": "; ".join(why),
                     "reasons_now": (new_ctx.get("reasons") or {}).get(code, "")})
    has_status = any(b.get("status") for b in new_b.values()) and any(b.get("status") for b in old_b.values())
    result["status_changes"] = pd.DataFrame(rows, columns=["branch_code", "branch_name", "status_before",
                                                           "status_after", "what_moved", "reasons_now"]) \
        if has_status else None

    # Readiness moves: the largest rises and the largest falls (percentage points).
    moves = []
    for code in both:
        before, after = _num(old_b[code].get("checklist_readiness")), _num(new_b[code].get("checklist_readiness"))
        if before is not None and after is not None and after != before:
            moves.append({"branch_code": code, "branch_name": names.get(code), "readiness_before": before,
                          "readiness_after": after, "change_points": round1(after - before)})
    has_ready = any(_num(b.get("checklist_readiness")) is not None for b in new_b.values())
    columns = ["branch_code", "branch_name", "readiness_before", "readiness_after", "change_points"]
    if has_ready:
        ups = sorted((m for m in moves if m["change_points"] > 0),
                     key=lambda m: (-m["change_points"], m["branch_code"]))
        downs = sorted((m for m in moves if m["change_points"] < 0),
                       key=lambda m: (m["change_points"], m["branch_code"]))
        result["readiness_up"] = pd.DataFrame(ups[:MOVES_SHOWN], columns=columns)
        result["readiness_down"] = pd.DataFrame(downs[:MOVES_SHOWN], columns=columns)
    else:
        result["readiness_up"] = result["readiness_down"] = None

    # New overdue items and failing gates: item by item where both snapshots list them.
    for table, listed, count in (("new_overdue", "overdue_items", "overdue_items"),
                                 ("new_failing_gates", "failing_gates", "failing_gates")):
        if listed in old_ctx and listed in new_ctx:
            seen = {(i["branch_code"], i["item_code"]) for i in old_ctx[listed]}
            items = [{"branch_code": i["branch_code"], "branch_name": names.get(i["branch_code"]),
                      "item_code": i["item_code"], "title": i.get("title"), "due_date": i.get("due_date")}
                     for i in new_ctx[listed] if (i["branch_code"], i["item_code"]) not in seen]
            result[table] = pd.DataFrame(items, columns=["branch_code", "branch_name", "item_code", "title",
                                                         "due_date"])
        elif any(b.get(count) is not None for b in new_b.values()):
            rises = [{"branch_code": c, "branch_name": names.get(c), "before": old_b[c].get(count),
                      "after": new_b[c].get(count)} for c in both
                     if new_b[c].get(count) is not None and old_b[c].get(count) is not None
                     and new_b[c][count] > old_b[c][count]]
            result[table] = pd.DataFrame(rises, columns=["branch_code", "branch_name", "before", "after"])
        else:
            result[table] = None

    # Executives who went silent: silent now, engaged or cooling at the previous review.
    old_x, new_x = _by(old.get("executives", []), "exec_code"), _by(new.get("executives", []), "exec_code")
    exec_names = {**{c: v.get("name") for c, v in (old_ctx.get("executives") or {}).items()},
                  **{c: v.get("name") for c, v in (new_ctx.get("executives") or {}).items()}}
    if any(x.get("status") for x in new_x.values()) and any(x.get("status") for x in old_x.values()):
        silent = [{"exec_code": c, "name": exec_names.get(c), "status_before": old_x[c]["status"],
                   "status_after": "silent", "days_since_last_touchpoint": new_x[c].get("days_since_last_touchpoint"),
                   "engagement_score": new_x[c].get("engagement_score")}
                  for c in sorted(set(old_x) & set(new_x))
                  if new_x[c].get("status") == "silent" and old_x[c].get("status") in ("engaged", "cooling")]
        result["went_silent"] = pd.DataFrame(silent, columns=["exec_code", "name", "status_before", "status_after",
                                                              "days_since_last_touchpoint", "engagement_score"])
    else:
        result["went_silent"] = None

    # People who left since the previous review.
    if "people_left" in old_ctx and "people_left" in new_ctx:
        gone = {p["person_code"] for p in old_ctx["people_left"]}
        left = [{"person_code": p["person_code"], "name": p.get("name"), "branch_code": p.get("branch_code"),
                 "branch_name": names.get(p.get("branch_code")), "left_on": p.get("left_on")}
                for p in new_ctx["people_left"] if p["person_code"] not in gone]
        result["people_left"] = pd.DataFrame(left, columns=["person_code", "name", "branch_code", "branch_name",
                                                            "left_on"])
    else:
        result["people_left"] = None

    # Lessons newly applied: applied or verified now, not before (no row counts as not applied).
    if "lesson_applications" in old_ctx and "lesson_applications" in new_ctx:
        before = {(a["lesson_code"], a["branch_code"]): a["status"] for a in old_ctx["lesson_applications"]}
        titles = {**{c: v.get("title") for c, v in (old_ctx.get("lessons") or {}).items()},
                  **{c: v.get("title") for c, v in (new_ctx.get("lessons") or {}).items()}}
        applied = [{"lesson_code": a["lesson_code"], "title": titles.get(a["lesson_code"]),
                    "branch_code": a["branch_code"], "branch_name": names.get(a["branch_code"]),
                    "status_before": before.get((a["lesson_code"], a["branch_code"])), "status_after": a["status"]}
                   for a in new_ctx["lesson_applications"]
                   if a["status"] in APPLIED and before.get((a["lesson_code"], a["branch_code"])) not in APPLIED]
        result["lessons_applied"] = pd.DataFrame(applied, columns=["lesson_code", "title", "branch_code",
                                                                   "branch_name", "status_before", "status_after"])
    else:
        result["lessons_applied"] = None

    result.update(raid_changes(old, new))
    return result


def _names(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """branch_code -> name in either snapshot (the newer one's name wins)."""
    return {code: facts.get("name") for snapshot in (old, new)
            for code, facts in ((snapshot.get("context") or {}).get("branches") or {}).items()}


def raid_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, pd.DataFrame | None]:
    """what_changed's RAID tables: critical risks, overdue actions and decided deviations not listed at the
    previous review (None when either snapshot predates the RAID log)."""
    names = _names(old, new)
    old_raid, new_raid = (old.get("context") or {}).get("raid"), (new.get("context") or {}).get("raid")
    result: dict[str, pd.DataFrame | None] = {}
    for table, listed in RAID_CHANGES.items():
        if old_raid is None or new_raid is None:
            result[table] = None
            continue
        key, branch, *rest = RAID_COLUMNS[listed]
        seen = {entry[key] for entry in old_raid.get(listed, [])}
        fresh = [{**entry, "branch_name": names.get(entry.get("branch_code"))} for entry in new_raid.get(listed, [])
                 if entry[key] not in seen]
        result[table] = pd.DataFrame(fresh, columns=[key, branch, "branch_name", *rest])
    return result


def changes_between(db: Database, old_id: int | None = None, new_id: int | None = None) -> dict[str, Any]:
    """What changed between two stored snapshots (default: the latest and the one before)."""
    return _between(db, old_id, new_id, get_snapshot, what_changed)


def raid_changes_between(db: Database) -> dict[str, Any]:
    """changes_between of the latest two reviews with its RAID tables alone, each row holding the entry's key
    and a deviation's decision, nothing else (the steering pack's line counts them): only the snapshots' RAID
    lists are read, not 10,000 branches' figures twice."""
    return _between(db, None, None, _raid_part, raid_changes)


def _between(db: Database, old_id: int | None, new_id: int | None,
             read: Callable[[Database, int], dict[str, Any]],
             compare: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """compare(read(old), read(new)) of two stored snapshots (default: the latest and the one before), with
    their ids and dates; tables None when either is missing."""
    if old_id is None and new_id is None:
        old_id, new_id = latest_pair(db)
    if old_id is None or new_id is None:
        return {"old_id": old_id, "new_id": new_id, "old_as_of": None, "new_as_of": None, "tables": None}
    old, new = read(db, old_id), read(db, new_id)
    return {"old_id": int(old_id), "new_id": int(new_id), "old_as_of": old.get("as_of"),
            "new_as_of": new.get("as_of"), "tables": compare(old, new)}
