"""The Notifications page's parts (NOTIFY.md "Commands and pages") and the Settings page's own switches.

The channels come from `[notify]` of the secrets (the same file the CLI reads); the demo gets channels
that look configured and contact nobody (rollout.demo.notify). Secrets never reach the page: a robot is
its name, kind and the last 4 characters of its URL; the mail server its host, port and security.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pandas as pd
import streamlit as st

from rollout.core.errors import RolloutError
from rollout.core.i18n import _
from rollout.core.labels import N_
from rollout.demo.notify import demo_config
from rollout.notify import outbox
from rollout.notify.config import NotifyConfig, parse_config
from rollout.notify.preferences import my_preferences, save_preferences
from rollout.notify.rules import RULES, Due, due_contents
from rollout.notify.run import send_test
from rollout.store.db import Database
from ui.state import cached, caller, get_db, is_demo
from ui.widgets import plain, show_error, table

RULE_WORDS = {"my_items": N_("My overdue and due items (e-mail, workdays)"),
              "weekly_brief": N_("Weekly brief (e-mail, Mondays)"),
              "region_daily": N_("Region daily (group robots, workdays)")}


# the same words in every language (a picker's words must not change with the language: AppTest and the
# sidebar's switch read them outside the script run)
LANGUAGE_NAMES = {"": "—", "zh": "中文", "en": "English"}


def configuration(db: Database) -> NotifyConfig:
    """The channels of the secrets file; the demo's when the store is the demo (nothing is contacted)."""
    if is_demo(db):
        return demo_config()
    try:
        secrets = st.secrets.to_dict()
    except Exception:  # no secrets file: Streamlit raises its own error type
        secrets = {}
    return parse_config(secrets)


def day_preview(db: Database, config: NotifyConfig, day: date) -> Due:
    """Every rule of the day, as if each were due (the page's preview; nothing is sent)."""
    return due_contents(db, config, datetime.combine(day, time(9, 0), tzinfo=config.zone), force=True)


def channels_section(config: NotifyConfig) -> None:
    st.subheader(_("Channels"))
    rows = []
    if config.smtp:
        rows.append({_("Channel"): _("E-mail"), _("Name"): config.smtp.host,
                     _("Details"): f"{config.smtp.port}, {config.smtp.security}, {config.smtp.sender}",
                     _("Regions"): "*"})
    for robot in config.robots:
        rows.append({_("Channel"): robot.kind, _("Name"): robot.shown, _("Details"): robot.lang or config.lang,
                     _("Regions"): ", ".join(sorted(robot.regions)) if robot.regions else "*"})
    if not rows:
        st.info(_("No channel is configured: add a [notify] section to .streamlit/secrets.toml (see the README)."))
        return
    table(pd.DataFrame(rows), key="notify_channels", file_name="notify_channels")
    st.caption(_("Time zone {zone}; default language {lang}; links open {url}.").format(
        zone=config.timezone, lang=config.lang, url=config.app_url))


def preview_section(config: NotifyConfig, day: date) -> None:
    st.subheader(_("Preview of {day}").format(day=day.isoformat()))
    st.caption(_("Every rule as if it were due now; nothing is sent."))
    due = cached(day_preview, config, day)
    messages = pd.DataFrame([{_("Rule"): c.rule, _("Recipient"): c.recipient.address, _("Language"): c.recipient.lang,
                              _("Items"): len(c.facts.get("items", c.facts.get("lines", []))),
                              _("Pack attached"): c.attach_pack} for c in due.contents])
    st.write(_("{count} messages, {unrouted} unrouted items, {bad} bad addresses").format(
        count=len(due.contents), unrouted=len(due.unrouted), bad=len(due.bad_addresses)))
    if len(messages):
        table(messages, key="notify_preview", file_name="notify_preview")
    if due.unrouted:
        st.markdown("**" + _("Unrouted items (no owner or project manager with an address)") + "**")
        table(pd.DataFrame([{_("Branch"): i["branch_code"] or _("the whole programme"), _("Item"): i["code"],
                             _("Owner"): i["owner"], _("Subject"): i["title"]} for i in due.unrouted]),
              key="notify_unrouted", file_name="notify_unrouted")
    if due.bad_addresses:
        st.markdown("**" + _("Bad addresses (never used)") + "**")
        table(pd.DataFrame([{_("Person"): b["person_code"], _("Address"): b["address"]} for b in due.bad_addresses]),
              key="notify_bad", file_name="notify_bad_addresses")


def outbox_section(db: Database) -> None:
    st.subheader(_("Outbox"))
    counts = outbox.counts(db)
    st.write(_("{pending} pending, {sent} sent, {failed} failed").format(**counts))
    rows = cached(outbox.status)
    if len(rows):
        table(rows, key="notify_outbox", file_name="notify_outbox")


def test_section(config: NotifyConfig, demo: bool) -> None:
    st.subheader(_("Send a test"))
    with st.form("notify_test"):
        to = st.text_input(_("E-mail address"), key="notify_test_to")
        robot = st.selectbox(_("or a group robot"), [""] + [r.name for r in config.robots], key="notify_test_robot",
                             format_func=lambda name: config.robot(name).shown if name else "-")
        if st.form_submit_button(_("Send a test"), key="notify_test_send"):
            if demo:
                st.info(_("The demo contacts nobody: its channels are examples."))
                return
            try:
                send_test(config, datetime.now(UTC), to=to or None, robot=robot or None)
            except RolloutError as exc:
                show_error(exc, refused=False)
            else:
                st.success(plain(_("test message sent to {target}").format(
                    target=to or config.robot(robot).shown)))


def my_switches() -> None:
    """Settings: the signed-in user's own rules and language (NOTIFY.md "Recipients")."""
    db = get_db()
    who = caller()
    mine = my_preferences(db, who.email)
    st.subheader(_("My notifications"))
    with st.form("notify_mine"):
        languages = ["", "zh", "en"]
        lang = st.selectbox(_("Language of my messages"), languages, index=languages.index(mine["lang"] or ""),
                            format_func=LANGUAGE_NAMES.__getitem__, key="notify_lang",
                            help=_("—: the default language of the messages"))
        on = [rule for rule in RULES if st.checkbox(_(RULE_WORDS[rule]), value=mine["rules"][rule],
                                                      key=f"notify_rule_{rule}")]
        if st.form_submit_button(_("Save my reminders"), key="notify_save"):
            try:
                save_preferences(db, who, lang or None, on)
            except RolloutError as exc:
                show_error(exc)
            else:
                st.success(_("Saved."))
