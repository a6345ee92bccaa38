"""The outbox (NOTIFY.md "Exactly once"): every message due is written here first, keyed by (rule,
recipient, period); delivery claims one row at a time, sends it, and marks it.

- `queue` inserts with ON CONFLICT DO NOTHING on the key: a second run of the same day adds nothing.
- `claim` takes the oldest pending row whose time has come and marks it `sending` in one committed
  transaction, before anything is sent. On PostgreSQL the row is picked with FOR UPDATE SKIP LOCKED
  (and every write transaction holds the store's write lock), so two runs at once never take the same
  row; the embedded file has one writer (the store's process lock). A row left `sending` by a process
  killed between send and mark is taken again after CLAIM_LEASE: that one message may go out twice,
  never any other.
- `mark_sent` / `mark_failed`: a failure is tried again after 1, 5, 15 and 60 minutes, then `failed`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa

from rollout.store.db import Database

RETRY_MINUTES = (1, 5, 15, 60)
CLAIM_LEASE = timedelta(minutes=10)
STATUSES = ("pending", "sending", "sent", "failed")
COLUMNS = ["outbox_id", "rule", "recipient", "period", "day", "channel", "lang", "scope", "attach_pack", "subject",
           "body_text", "body_html", "status", "attempts", "next_at", "claimed_by", "claimed_at", "sent_at", "error",
           "created_at"]


@dataclass(frozen=True)
class Row:
    """One outbox row as delivery needs it."""

    outbox_id: int
    rule: str
    recipient: str
    day: date
    channel: str
    lang: str
    scope: str
    attach_pack: bool
    subject: str
    body_text: str
    body_html: str | None
    attempts: int


def utc(moment: datetime) -> datetime:
    """A moment as the outbox stores it: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


_QUEUED = pa.schema([("seq", pa.int64()), ("rule", pa.string()), ("recipient", pa.string()), ("period", pa.string()),
                     ("day", pa.date32()), ("channel", pa.string()), ("lang", pa.string()), ("scope", pa.string()),
                     ("attach_pack", pa.bool_()), ("subject", pa.string()), ("body_text", pa.string()),
                     ("body_html", pa.string())])


def queue(db: Database, rows: Iterable[dict[str, Any]], now: datetime) -> int:
    """Write messages due to the outbox in one statement, in the order given; a key already there (or given
    twice) is left as it is. The number added.

    One INSERT from a registered table, not a SELECT and an INSERT per message: 18,000 messages at 10,000
    branches took 76 s one by one."""
    fresh: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:  # the first of a key given twice, as the outbox keeps the first
        fresh.setdefault((row["rule"], row["recipient"], row["period"]), row)
    if not fresh:
        return 0
    table = pa.Table.from_pylist([{"seq": seq, **{f: row[f] for f in _QUEUED.names[1:]}}
                                  for seq, row in enumerate(fresh.values())], schema=_QUEUED)
    with db.transaction() as cur:
        before = cur.execute("SELECT count(*) FROM notify_outbox").fetchone()[0]
        cur.register("notify_queued", table)
        try:
            cur.execute("INSERT INTO notify_outbox (rule, recipient, period, day, channel, lang, scope, attach_pack, "
                        "subject, body_text, body_html, status, attempts, next_at, created_at) "
                        "SELECT rule, recipient, period, day, channel, lang, scope, attach_pack, subject, body_text, "
                        "body_html, 'pending', 0, ?, ? FROM notify_queued ORDER BY seq "
                        "ON CONFLICT (rule, recipient, period) DO NOTHING", [utc(now), utc(now)])
        finally:
            cur.unregister("notify_queued")
        return cur.execute("SELECT count(*) FROM notify_outbox").fetchone()[0] - before


_PICK = ("SELECT outbox_id FROM notify_outbox WHERE day = ? AND ((status = 'pending' AND next_at <= ?) "
         "OR (status = 'sending' AND claimed_at <= ?)) ORDER BY outbox_id LIMIT 1")


def claim(db: Database, day: date, now: datetime, runner: str) -> Row | None:
    """The next row of the day to send, marked as this runner's (committed before it is sent); None: none."""
    pick = _PICK + (" FOR UPDATE SKIP LOCKED" if db.kind == "server" else "")
    with db.transaction() as cur:
        found = cur.execute(pick, [day, utc(now), utc(now - CLAIM_LEASE)]).fetchone()
        if found is None:
            return None
        cur.execute("UPDATE notify_outbox SET status = 'sending', claimed_by = ?, claimed_at = ? WHERE outbox_id = ?",
                    [runner, utc(now), found[0]])
        row = cur.execute("SELECT outbox_id, rule, recipient, day, channel, lang, scope, attach_pack, subject, "
                          "body_text, body_html, attempts FROM notify_outbox WHERE outbox_id = ?",
                          [found[0]]).fetchone()
    return Row(*row)


def mark_sent(db: Database, row: Row, now: datetime) -> None:
    with db.transaction() as cur:
        cur.execute("UPDATE notify_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, error = NULL "
                    "WHERE outbox_id = ?", [utc(now), row.outbox_id])


def mark_failed(db: Database, row: Row, now: datetime, error: str) -> bool:
    """Record a failed attempt (the error already without secrets); True when the row has failed for good."""
    attempts = row.attempts + 1
    final = attempts > len(RETRY_MINUTES)
    next_at = now if final else now + timedelta(minutes=RETRY_MINUTES[attempts - 1])
    with db.transaction() as cur:
        cur.execute("UPDATE notify_outbox SET status = ?, attempts = ?, next_at = ?, error = ?, claimed_by = NULL "
                    "WHERE outbox_id = ?", ["failed" if final else "pending", attempts, utc(next_at), error[:500],
                                            row.outbox_id])
    return final


def expire(db: Database, day: date, error: str) -> int:
    """Rows of an earlier day still unsent: a day the machine was off is not sent late (they fail)."""
    with db.transaction() as cur:
        count = cur.execute("SELECT count(*) FROM notify_outbox WHERE day < ? AND status IN ('pending', 'sending')",
                            [day]).fetchone()[0]
        if count:
            cur.execute("UPDATE notify_outbox SET status = 'failed', error = ? WHERE day < ? "
                        "AND status IN ('pending', 'sending')", [error, day])
    return int(count)


def queued_keys(db: Database, periods: dict[str, str]) -> frozenset[tuple[str, str]]:
    """(rule, recipient) already in the outbox for each rule's period (rule -> period)."""
    found: set[tuple[str, str]] = set()
    for rule, key in periods.items():
        found |= {(rule, r[0]) for r in db.rows("SELECT recipient FROM notify_outbox WHERE rule = ? AND period = ?",
                                                [rule, key])}
    return frozenset(found)


def status(db: Database, limit: int = 500) -> pd.DataFrame:
    """The outbox, newest first, without the message bodies: what `notify status` and the page show."""
    return db.df("SELECT outbox_id, rule, recipient, period, channel, status, attempts, next_at, sent_at, error "
                 "FROM notify_outbox ORDER BY outbox_id DESC LIMIT ?", [int(limit)])


def counts(db: Database) -> dict[str, int]:
    found = dict(db.rows("SELECT status, count(*) FROM notify_outbox GROUP BY status"))
    return {s: int(found.get(s, 0)) for s in STATUSES}
