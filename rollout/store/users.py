"""The `users` table (ACCESS.md "Users"): who may sign in, with which role and region scope.

`caller_for` turns a signed-in email into a Caller, read from the store on every page run (a user
removed or deactivated loses access at once). Emails in ROLLOUT_ADMINS are always administrators of
every region, so the first administrator can sign in before the table has rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

import pandas as pd

from rollout.core.access import ROLES, Caller, regions_from_text, regions_to_text
from rollout.core.errors import AccessDeniedError, NotFoundError, RolloutError
from rollout.core.i18n import _
from rollout.core.typed import ascii_lower, email_key, person_name, region_code_refusal
from rollout.store.audit import authorise, record_json, utc_now
from rollout.store.db import Database

FIELDS = ["name", "role", "regions", "active"]
# The claims of an OpenID Connect ID token that tell one sign-in from another: every tab of a browser holds
# the same (the same identity cookie), a new sign-in gets a new issue time and a new nonce.
SIGN_IN_CLAIMS = ("iss", "sub", "email", "iat", "nonce")


def normalise_email(email: str | None) -> str:
    """The key of a person as looked up: the email trimmed, its ASCII letters lower-cased (only those:
    Unicode's rules would make KELVIN SIGN a `k`). A new key is checked by rollout.core.typed.email_key."""
    return ascii_lower((email or "").strip())


def bootstrap_admins(text: str | None) -> frozenset[str]:
    """The ROLLOUT_ADMINS value ('a@x.cn, b@x.cn') as a set of normalised emails."""
    return frozenset(normalise_email(part) for part in (text or "").split(",") if part.strip())


def caller_for(db: Database, email: str | None, admins: Iterable[str] = ()) -> Caller | None:
    """The signed-in person as a Caller, or None when they have no access yet."""
    try:
        key = email_key(email)
    except RolloutError:  # no email, or one that could pass for another person's: no access
        return None
    if key in set(admins):
        return Caller(key, "admin", None)
    row = db.rows("SELECT role, regions FROM users WHERE email = ? AND active", [key])
    if not row:
        return None
    role, regions = row[0]
    return Caller(key, role, regions_from_text(regions))


def list_users(db: Database) -> pd.DataFrame:
    return db.df("SELECT email, name, role, regions, active, created_on, created_by FROM users ORDER BY email")


def _check_new(db: Database, role: str, regions: Iterable[str]) -> frozenset[str] | None:
    """The scope of a new or changed user (None: every region), or RolloutError with one line: an unknown
    role, a region code that is empty, reserved (`*`, `,`) or unknown, a region given to an administrator."""
    if role not in ROLES:
        raise RolloutError(_("{role} is not a role (expected one of {roles})").format(role=repr(role),
                                                                                    roles=", ".join(ROLES)))
    codes = list(regions)
    for code in codes:
        refusal = region_code_refusal(str(code))
        if refusal:
            raise RolloutError(_("region {code} {refusal}").format(code=repr(code), refusal=refusal))
    scope = frozenset(str(code).strip() for code in codes) or None
    if scope is not None and role == "admin":
        raise RolloutError(_("an administrator sees every region (expected no region for the role admin, got "
                             "{regions})").format(regions=", ".join(sorted(scope))))
    if scope is not None:
        known = {r[0] for r in db.rows("SELECT region_code FROM regions")}
        unknown = sorted(scope - known)
        if unknown:
            raise RolloutError(_("unknown region {regions} (expected one of {known})").format(
                regions=", ".join(unknown), known=", ".join(sorted(known))))
    return scope


def add_user(db: Database, by: Caller, email: str, role: str, regions: Iterable[str] = (),
             name: str | None = None) -> frozenset[str] | None:
    """Add a user or change one's role, scope and name (an upsert by email); admins only, audited. Returns
    the scope stored (None: every region); each region once, however often it was given."""
    authorise(db, by, "users")
    key = email_key(email)
    scope = _check_new(db, role, regions)
    new = {"name": person_name(name), "role": role, "regions": regions_to_text(scope), "active": True}
    with db.transaction() as cur:
        old = cur.execute("SELECT name, role, regions, active FROM users WHERE email = ?", [key]).fetchone()
        if old is None:
            cur.execute("INSERT INTO users VALUES (?, ?, ?, ?, TRUE, ?, ?)",
                        [key, new["name"], role, new["regions"], utc_now(), by.email])
        else:
            _refuse_losing_last_admin(cur, key, role)
            cur.execute("UPDATE users SET name = ?, role = ?, regions = ?, active = TRUE WHERE email = ?",
                        [new["name"], role, new["regions"], key])
        record_json(cur, by.email, "insert" if old is None else "update", "users", {"email": key},
               None if old is None else dict(zip(FIELDS, old, strict=True)), new)
    return scope


def _refuse_losing_last_admin(cur: object, email: str, new_role: str | None) -> None:
    """Removing or demoting the last active administrator would lock everyone out of the Access page."""
    if new_role == "admin":
        return
    others = cur.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active AND email <> ?",
                         [email]).fetchone()[0]
    was_admin = cur.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active AND email = ?",
                            [email]).fetchone()[0]
    if was_admin and not others:
        raise RolloutError(_("{email} is the last active administrator (add another administrator first)").format(
            email=email))


def remove_user(db: Database, by: Caller, email: str) -> None:
    """Deactivate a user (the row stays for the audit trail); admins only; never the last admin."""
    authorise(db, by, "users")
    key = normalise_email(email)
    with db.transaction() as cur:
        old = cur.execute("SELECT name, role, regions, active FROM users WHERE email = ? AND active",
                          [key]).fetchone()
        if old is None:
            raise NotFoundError(_("{email} is not an active user").format(email=key))
        _refuse_losing_last_admin(cur, key, None)
        cur.execute("UPDATE users SET active = FALSE WHERE email = ?", [key])
        record_json(cur, by.email, "deactivate", "users", {"email": key}, dict(zip(FIELDS, old, strict=True)),
               {"active": False})


def sign_in_key(claims: Mapping[str, object]) -> str | None:
    """Which sign-in a session holds: a digest of the ID token's issuer, subject, email, issue time and nonce
    (so no claim is written to the audit trail as it is). Every session of one browser shares it (Streamlit's
    identity cookie); None when the token carries neither an issue time nor a nonce (OpenID Connect requires
    both here: Streamlit sends a nonce), and then a sign-out cannot reach the browser's other tabs."""
    parts = {name: claims.get(name) for name in SIGN_IN_CLAIMS}
    if parts["iat"] is None and parts["nonce"] is None:
        return None
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def record_session(db: Database, email: str, action: str, sign_in: str | None) -> None:
    """A sign-in or sign-out in the audit trail (ACCESS.md "Audit"): action `login` or `logout`, keyed by the
    sign-in (sign_in_key) when known, so a sign-out ends every session of that sign-in (signed_out)."""
    if action not in ("login", "logout"):
        raise ValueError(f"unknown session event {action!r}")
    with db.transaction() as cur:
        record_json(cur, normalise_email(email), action, "session", None if sign_in is None else {"sign_in": sign_in})


def signed_out(db: Database, email: str, sign_in: str | None) -> bool:
    """Whether this sign-in of email was ended (in any tab of the browser that holds it): its sessions are
    refused from their next interaction on, however long their page stays open."""
    if sign_in is None:
        return False
    return bool(db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'session' AND action = 'logout' "
                          "AND actor = ? AND row_key = ?",
                          [normalise_email(email), json.dumps({"sign_in": sign_in}, ensure_ascii=False)]))


def current_caller(db: Database, email: str | None, sign_in: str | None, admins: Iterable[str] = ()) -> Caller | None:
    """The signed-in person as the store says now: None when the sign-in was ended or they have no access."""
    if signed_out(db, email or "", sign_in):
        return None
    return caller_for(db, email, admins)


def confirm_caller(db: Database, caller: Caller, sign_in: str | None, admins: Iterable[str] = ()) -> None:
    """Before work started for a caller decided earlier (a download written on click): refuse unless the store
    still gives that person the same role and scope and the sign-in was not ended. Unknown means refused."""
    if current_caller(db, caller.email, sign_in, admins) != caller:
        raise AccessDeniedError(_("{email} no longer has this access (signed out, deactivated, or given another "
                                  "role or scope): nothing was written. Reload the page.").format(email=caller.email))
