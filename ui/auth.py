"""Who is at the keyboard (ACCESS.md "Sign-in"): Streamlit's own OpenID Connect sign-in, decided once at
the top of every app.py run, and the sidebar's "signed in as".

- With an `[auth]` section in the secrets: a visitor who is not signed in sees a sign-in page and
  nothing else; a signed-in email (lower-cased) becomes a Caller through the users table, read again on
  every run (a removed user loses access at once); an email with no access, or no email claim, gets a
  page that says so. ROLLOUT_ADMINS (environment, else secrets) are always administrators.
- Without it: local mode, the local administrator (decided here, explicitly: nothing defaults to it), with
  a notice that anyone can change the data; for a visitor on this computer only (.streamlit/config.toml
  binds the server to localhost, and a visitor from another computer, should the server listen on the
  network, gets a page that says why not).
- A sign-out is recorded against the sign-in it ends (rollout.store.users.sign_in_key: every tab of the
  browser holds the same identity cookie), so the browser's other tabs are refused on their next interaction
  and asked to sign in again (Streamlit reads the cookie only when a session starts: st.logout in one tab
  leaves st.user set in the others).
- The caller lives for one run (ui.router forgets it when the run ends). A widget callback that writes runs
  before the gate: `acting` decides its caller again from the store, or refuses. A download written on click
  runs on another thread: `download` captures the run's caller and scoped handle, and checks the caller
  against the store again when the click comes.

A refused visitor's page runs as the only page of a hidden navigation, so no page of the app (nor
Streamlit's old pages/ list) is offered to them.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from collections.abc import Callable
from typing import NoReturn, ParamSpec

import streamlit as st

from rollout.core.access import LOCAL, Caller
from rollout.core.errors import AccessDeniedError, RolloutError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.core.typed import email_key
from rollout.store.db import Database
from rollout.store.users import (
    bootstrap_admins,
    caller_for,
    confirm_caller,
    current_caller,
    normalise_email,
    record_session,
    sign_in_key,
    signed_out,
)
from ui.router import CALLER, deferred, guarded
from ui.state import caller, get_db, store
from ui.widgets import plain

P = ParamSpec("P")
SIGNED_IN = "_signed_in"  # the email whose login this session has recorded
ROLE_LABELS = {"viewer": N_("viewer"), "editor": N_("editor"), "admin": N_("administrator")}


def _secret(name: str) -> object:
    """A top-level secret, or None when it (or the whole secrets file) is missing."""
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets file: Streamlit raises its own error type
        return None


def sign_in_on() -> bool:
    """Whether the secrets configure Streamlit's sign-in (an [auth] section)."""
    return _secret("auth") is not None


def admins() -> frozenset[str]:
    """The bootstrap administrators: ROLLOUT_ADMINS from the environment, else from the secrets."""
    return bootstrap_admins(os.environ.get("ROLLOUT_ADMINS") or str(_secret("ROLLOUT_ADMINS") or ""))


def _only(render: Callable[[], None], title: str) -> NoReturn:
    """Show this page and nothing else: the run's only page, behind a hidden navigation."""
    st.navigation([st.Page(render, title=title, url_path="signin", default=True)], position="hidden").run()
    st.stop()
    raise AssertionError("unreachable: st.stop always ends the run")


def _sign_in_page() -> None:
    st.title(_("ERP rollout"))
    st.write(_("Sign in with your company account to see the rollout."))
    if st.button(_("Sign in"), key="sign_in", type="primary", icon=":material/login:"):
        st.login()


def _signed_out_page() -> None:
    st.title(_("ERP rollout"))
    st.warning(_("You signed out of this browser in another tab or window. Sign in again to go on."),
               icon=":material/lock:")
    if st.button(_("Sign in"), key="sign_in_again", type="primary", icon=":material/login:"):
        st.login()


def _identity() -> tuple[str, str | None]:
    """The signed-in email ('' without the claim) and which sign-in this session holds."""
    return normalise_email(str(st.user.get("email") or "")), sign_in_key(st.user)


def _refused_page(message: str, email: str | None) -> Callable[[], None]:
    def render() -> None:
        st.title(_("ERP rollout"))
        st.warning(plain(message), icon=":material/lock:")
        if email:
            st.write(plain(_("Signed in as {email}").format(email=email)))
        if st.button(_("Sign out"), key="sign_out_refused", icon=":material/logout:"):
            _sign_out(email)
    return render


def _sign_out(email: str | None) -> None:
    """Record the sign-out against this sign-in (the browser's other tabs are refused from their next
    interaction), forget the session's caller and end Streamlit's sign-in (a new session follows)."""
    if email:
        record_session(store(), email, "logout", _identity()[1])
    for key in (CALLER, SIGNED_IN):
        st.session_state.pop(key, None)
    st.logout()
    st.stop()


def from_another_computer() -> bool:
    """Whether this visitor reached the app over the network: Streamlit gives no address (None) for a
    visitor on this computer's loopback interface, the visitor's address otherwise (and something that is
    not text when no browser connection stands behind the run, as in AppTest: no visitor from anywhere)."""
    address = st.context.ip_address
    if not isinstance(address, str):
        return False
    try:
        return not ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:  # not an address: whoever it is, it is not this computer's loopback
        return True


def gate() -> Caller:
    """The caller of this run; with sign-in on and no access, the run ends on a page that says why."""
    if not sign_in_on():
        if from_another_computer():  # local mode is one person on this computer, never the network's
            _only(_refused_page(_("Sign-in is off, so this app serves only the computer it runs on. To serve a "
                                  "team, configure sign-in (an [auth] section in .streamlit/secrets.toml; see "
                                  "the README, \"Run it for a team\")."), None), _("No access"))
        st.session_state[CALLER] = LOCAL
        return LOCAL
    st.session_state.pop(CALLER, None)  # decided again on every run, never kept from an earlier one
    if not st.user.get("is_logged_in"):
        _only(_sign_in_page, _("Sign in"))
    email, sign_in = _identity()
    if not email:
        _only(_refused_page(_("Your sign-in carries no email address, so the app cannot tell who you are. "
                              "Ask your administrator to include the email claim."), None), _("No access"))
    try:  # unverified, a look-alike of another address, an invisible character: refused (rollout.core.typed)
        email = email_key(st.user.get("email"), st.user.get("email_verified"))
    except RolloutError as exc:
        _only(_refused_page(_("Your sign-in cannot be accepted: {reason}.").format(reason=exc), None),
              _("No access"))
    if signed_out(store(), email, sign_in):
        _only(_signed_out_page, _("Sign in"))
    caller = caller_for(store(), email, admins())
    if caller is None:
        _only(_refused_page(_("You have no access yet — ask an administrator."), email), _("No access"))
    if st.session_state.get(SIGNED_IN) != email:
        record_session(store(), email, "login", sign_in)
        st.session_state[SIGNED_IN] = email
    st.session_state[CALLER] = caller
    return caller


def decide() -> Caller | None:
    """The gate's decision without its pages, for work that runs outside a script run (a callback): the
    local administrator with sign-in off; else the signed-in person as the store says now, or None (refused)."""
    if not sign_in_on():
        return LOCAL
    if not st.user.get("is_logged_in"):
        return None
    email, sign_in = _identity()
    return current_caller(store(), email, sign_in, admins()) if email else None


def acting(func: Callable[P, None]) -> Callable[P, None]:
    """For a widget callback that writes: it runs before the script (so before the gate), with nothing of the
    last run's caller left; its caller is decided again from the store, and a person who signed out, was
    deactivated or never signed in is refused (the refusal shows on the next run; nothing is written)."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        who = decide()
        if who is None:
            raise AccessDeniedError(_("You no longer have access to this app (signed out or deactivated): nothing "
                                      "was saved."))
        st.session_state[CALLER] = who
        try:
            func(*args, **kwargs)
        finally:
            st.session_state.pop(CALLER, None)
    return guarded(wrapper)


def download(write: Callable[[Database], bytes]) -> Callable[[], bytes]:
    """A download written on click (st.download_button's callable data). Streamlit runs it on a thread of its
    own, where no run's caller is known: this run's caller and scoped handle are captured now, and when the
    click comes the store must still give that caller the same role and scope (and the sign-in must not have
    been ended), else the download is refused and nothing is written."""
    who, db, on = caller(), get_db(), sign_in_on()
    sign_in = _identity()[1] if on else None
    whole, bootstrap = store(), admins()

    def written() -> bytes:
        if on:  # with sign-in off the gate always decides the local administrator
            confirm_caller(whole, who, sign_in, bootstrap)
        return write(db)
    return deferred(written)


def role_label(role: str) -> str:
    """A role code as a person reads it."""
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def scope_text(caller: Caller) -> str:
    """'All regions' or the region codes of the caller's scope."""
    if caller.everywhere:
        return _("All regions")
    if not caller.regions:
        return _("No region")  # a stored empty scope: the user sees nothing (ACCESS.md "Scope")
    return _("Regions {codes}").format(codes=", ".join(sorted(caller.regions or ())))


def sidebar_identity(caller: Caller) -> None:
    """Who this run acts for, their role and scope, and the sign-out button (local mode: the notice)."""
    with st.sidebar:
        if not sign_in_on():
            st.caption(_("Sign-in is off: anyone who can open this address can change the data."))
            return
        st.caption(plain(_("Signed in as {email} · {role} · {scope}").format(
            email=caller.email, role=role_label(caller.role), scope=scope_text(caller))))
        if st.button(_("Sign out"), key="sign_out", icon=":material/logout:"):
            _sign_out(caller.email)


SOMEWHERE = "*"  # may_edit's default: in at least one region of the caller's scope


def may_edit(operation: str, region_code: str | None = SOMEWHERE) -> bool:
    """Whether this run's caller may do this (by default: for some branch of their scope). Pages draw an
    edit control only then; the library checks again on every write."""
    who = caller()
    if region_code != SOMEWHERE:
        return who.may(operation, region_code)
    return who.may(operation) or any(who.may(operation, r) for r in sorted(who.regions or ()))
