"""What the commands and the pages do (NOTIFY.md "Commands and pages"): preview, run (queue what is due,
deliver what is pending), test, status. The clock comes in as `now` (an aware datetime); the day D and
the send times are read in `[notify] timezone`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rollout.core.access import regions_from_text, regions_to_text
from rollout.core.errors import RolloutError
from rollout.core.i18n import _, use_language
from rollout.notify import outbox
from rollout.notify.channels import RateLimiter, SendError, email_message, post_robot, send_email
from rollout.notify.config import NotifyConfig, good_address
from rollout.notify.render import page_link, render, render_lines, test_lines
from rollout.notify.rules import RULES, Due, due_contents, period, scoped_store
from rollout.steering.pack import report_bytes
from rollout.store.db import Database


def local_moment(now: datetime, config: NotifyConfig) -> datetime:
    """`now` in the configured time zone (a naive moment is refused: --now carries its offset)."""
    if now.tzinfo is None:
        raise RolloutError(_("the moment {now} has no time zone offset (expected e.g. 2026-11-23T08:31:00+08:00)")
                           .format(now=now.isoformat()))
    return now.astimezone(config.zone)


def preview(db: Database, config: NotifyConfig, now: datetime, rule: str | None = None,
            force: bool = False) -> Due:
    """What is due at `now` (with force: every rule of that day, as the page's preview); sends nothing."""
    return due_contents(db, config, local_moment(now, config), rule, force)


def outbox_rows(due: Due, config: NotifyConfig) -> list[dict[str, Any]]:
    rows = []
    for content in due.contents:
        words = render(content, config.app_url)
        robot = content.recipient.robot is not None
        rows.append({"rule": content.rule, "recipient": content.recipient.address,
                     "period": period(content.rule, content.day), "day": content.day,
                     "channel": "robot" if robot else "email", "lang": content.recipient.lang,
                     "scope": regions_to_text(content.recipient.scope), "attach_pack": content.attach_pack,
                     "subject": words.subject, "body_text": words.markdown if robot else words.text,
                     "body_html": None if robot else words.html})
    return rows


@dataclass
class RunReport:
    day: date
    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    due: Due | None = None


def deliver_row(db: Database, config: NotifyConfig, row: outbox.Row, limiter: RateLimiter,
                packs: dict[tuple[str, str, date], bytes] | None = None) -> None:
    """Send one claimed row through its channel (raises SendError). `packs`: the steering packs made so far
    in this run, by (scope, language, day): readers of one scope share one."""
    if row.channel == "robot":
        name = row.recipient.removeprefix("robot:")
        try:
            robot = config.robot(name)
        except RolloutError as exc:
            raise SendError(str(exc)) from None
        limiter.wait(name)
        post_robot(robot, row.subject, row.body_text, page_link(config.app_url, "portfolio"))
        return
    if config.smtp is None:
        raise SendError(_("no [notify.smtp] section: e-mail is not configured"))
    attachment = None
    if row.attach_pack:
        packs = {} if packs is None else packs
        key = (row.scope, row.lang, row.day)
        if key not in packs:
            scoped = scoped_store(db, row.recipient, regions_from_text(row.scope))
            packs[key] = report_bytes(scoped, row.day, "pptx", row.lang)
        attachment = (f"steering-pack-{row.day.isoformat()}.pptx", packs[key])
    with use_language(row.lang):
        message = email_message(config.smtp, row.recipient, row.subject, row.body_text, row.body_html,
                                page_link(config.app_url, "settings"), attachment)
    send_email(config.smtp, message)


def deliver(db: Database, config: NotifyConfig, now: datetime, limiter: RateLimiter | None = None,
            runner: str | None = None) -> RunReport:
    """Send every pending row of the day whose time has come, one claimed row at a time."""
    day = local_moment(now, config).date()
    report = RunReport(day)
    limiter = limiter or RateLimiter()
    runner = runner or outbox.runner_id()
    outbox.expire(db, day, _("its day passed before it could be sent"))
    packs: dict[tuple[str, str, date], bytes] = {}
    while (row := outbox.claim(db, day, now, runner)) is not None:
        try:
            deliver_row(db, config, row, limiter, packs)
        except (SendError, RolloutError, OSError) as exc:
            error = config.scrub(str(exc))
            if outbox.mark_failed(db, row, now, error):
                report.failed.append({"outbox_id": row.outbox_id, "rule": row.rule, "recipient": row.recipient,
                                      "error": error})
            else:
                report.retrying += 1
            continue
        outbox.mark_sent(db, row, now)
        report.sent += 1
    return report


def run(db: Database, config: NotifyConfig, now: datetime, limiter: RateLimiter | None = None) -> RunReport:
    """Queue what is due at `now`, then deliver what is pending (cron: every 15 minutes)."""
    local = local_moment(now, config)
    done = outbox.queued_keys(db, {rule: period(rule, local.date()) for rule in RULES})
    due = due_contents(db, config, local, queued=done)
    queued = outbox.queue(db, outbox_rows(due, config), now)
    report = deliver(db, config, now, limiter)
    report.queued, report.due = queued, due
    return report


def send_test(config: NotifyConfig, now: datetime, to: str | None = None, robot: str | None = None) -> None:
    """One test message to an address or a robot, now (not through the outbox); raises RolloutError."""
    day = local_moment(now, config).date()
    try:
        if robot:
            target = config.robot(robot)
            with use_language(target.lang or config.lang):
                words = render_lines(test_lines(day, config.app_url), config.app_url, email=False)
                post_robot(target, words.subject, words.markdown, page_link(config.app_url, "portfolio"))
            return
        if not to or not good_address(to):
            raise RolloutError(_("{address} is not a usable e-mail address").format(address=repr(to or "")))
        if config.smtp is None:
            raise RolloutError(_("no [notify.smtp] section: e-mail is not configured"))
        with use_language(config.lang):
            words = render_lines(test_lines(day, config.app_url), config.app_url, email=True)
            message = email_message(config.smtp, to.strip(), words.subject, words.text, words.html,
                                    page_link(config.app_url, "settings"))
        send_email(config.smtp, message)
    except SendError as exc:
        raise RolloutError(config.scrub(str(exc))) from None
