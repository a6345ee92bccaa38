"""Each signed-in user's own notification settings (NOTIFY.md "Recipients"): language and rules switched off.

A user changes only their own row (the caller's email is the key, whatever their role), audited like every
write. An empty language means `[notify] lang`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rollout.core.access import Caller
from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.notify.config import LANGUAGES
from rollout.notify.rules import RULES
from rollout.store.audit import record_json, utc_now
from rollout.store.db import Database


def my_preferences(db: Database, email: str) -> dict[str, object]:
    """{'lang': 'zh' | 'en' | None, 'rules': {rule: on}} of one user (every rule on when never set)."""
    row = db.rows("SELECT lang, rules_off FROM notify_preferences WHERE email = ?", [email])
    lang, off = row[0] if row else (None, "")
    return {"lang": lang, "rules": {rule: rule not in (off or "").split(",") for rule in RULES}}


def save_preferences(db: Database, caller: Caller, lang: str | None, rules_on: Iterable[str]) -> None:
    """The caller's own language and rules; audited."""
    if lang is not None and lang not in LANGUAGES:
        raise RolloutError(_("{value} is not a language (expected one of {languages})").format(
            value=repr(lang), languages=", ".join(LANGUAGES)))
    on = set(rules_on)
    unknown = on - set(RULES)
    if unknown:
        raise RolloutError(_("unknown rule {rules} (expected one of {known})").format(
            rules=", ".join(sorted(unknown)), known=", ".join(RULES)))
    off = ",".join(rule for rule in RULES if rule not in on)
    with db.transaction() as cur:
        old = cur.execute("SELECT lang, rules_off FROM notify_preferences WHERE email = ?", [caller.email]).fetchone()
        cur.execute("DELETE FROM notify_preferences WHERE email = ?", [caller.email])
        cur.execute("INSERT INTO notify_preferences VALUES (?, ?, ?, ?)", [caller.email, lang, off, utc_now()])
        record_json(cur, caller.email, "update" if old else "insert", "notify_preferences", {"email": caller.email},
                    None if old is None else {"lang": old[0], "rules_off": old[1]}, {"lang": lang, "rules_off": off})
