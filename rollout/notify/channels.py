"""The channels (NOTIFY.md "Channels"): e-mail through SMTP, and the WeCom, DingTalk and Feishu group robots.

Each send raises `SendError` with a message that holds no secret (the caller scrubs it once more with
the configuration's secrets); success returns nothing. Robots are plain HTTPS POSTs with urllib: each
platform answers HTTP 200 with an error code in its JSON (`errcode` or `code`), anything but 0 is a
failure. At most 20 messages a minute go to one robot (`RateLimiter`: DingTalk locks a faster robot for
10 minutes). A text too long for the platform is cut at a line boundary and ends with "+N more" and a
link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import quote_plus

from rollout.core.i18n import _
from rollout.notify.config import Robot, Smtp, good_address

TIMEOUT_S = 20
PER_MINUTE = 20
LIMITS = {"wecom": 4096, "dingtalk": 20000, "feishu": 20000}  # bytes of UTF-8 (Feishu: the whole body)


class SendError(Exception):
    """A message that could not be sent: the reason, without secrets."""


# --- e-mail ----------------------------------------------------------------------------------------------

def email_message(smtp: Smtp, to: str, subject: str, text: str, html: str | None, unsubscribe: str,
                  attachment: tuple[str, bytes] | None = None) -> EmailMessage:
    """A plain-text and an HTML part, the pack attached when given, List-Unsubscribe at the Settings page."""
    if not good_address(to):
        raise SendError(_("{address} is not a usable e-mail address").format(address=repr(to)))
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = to
    message["Subject"] = subject.replace("\r", " ").replace("\n", " ")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rsplit("@", 1)[-1].rstrip(">").strip() or None)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment:
        name, data = attachment
        message.add_attachment(data, maintype="application",
                               subtype="vnd.openxmlformats-officedocument.presentationml.presentation", filename=name)
    return message


def send_email(smtp: Smtp, message: EmailMessage) -> None:
    """One message through the configured server: TLS unless security = "none" is written out."""
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_S,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(message)
    except smtplib.SMTPResponseException as exc:
        raise SendError(_("the mail server refused the message: {code} {reason}").format(
            code=exc.smtp_code, reason=_decoded(exc.smtp_error))) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(_("the mail server refused the recipient: {reason}").format(
            reason="; ".join(f"{code} {_decoded(text)}" for code, text in exc.recipients.values()))) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(_("could not reach the mail server {host}:{port}: {reason}").format(
            host=smtp.host, port=smtp.port, reason=type(exc).__name__ + (f" {exc}" if str(exc) else ""))) from None


def _decoded(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --- robots ----------------------------------------------------------------------------------------------

def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\\n" + secret)))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = empty))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def fit(markdown: str, limit: int, link: str) -> str:
    """The text cut at a line boundary to fit `limit` bytes, ending with "+N more" and the link."""
    if len(markdown.encode()) <= limit:
        return markdown
    lines = markdown.split("\n")
    for keep in range(len(lines) - 1, 0, -1):
        label = _("open the page")
        tail = _("+{count} more").format(count=len(lines) - keep) + f" [{label}]({link})"
        text = "\n".join([*lines[:keep], tail])
        if len(text.encode()) <= limit:
            return text
    return lines[0].encode()[:limit].decode(errors="ignore")


def robot_request(robot: Robot, title: str, markdown: str, link: str, now_s: float) -> tuple[str, dict]:
    """The URL and JSON body of one message, as the platform documents them (signed when it has a secret)."""
    text = fit(markdown, LIMITS[robot.kind] - (400 if robot.kind == "feishu" else 0), link)
    url = robot.url
    if robot.kind == "wecom":
        return url, {"msgtype": "markdown", "markdown": {"content": text}}
    if robot.kind == "dingtalk":
        if robot.secret:
            stamp = int(now_s * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={stamp}&sign={dingtalk_sign(robot.secret, stamp)}"
        return url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    body: dict = {"msg_type": "interactive", "card": {
        "header": {"title": {"tag": "plain_text", "content": title}},
        "elements": [{"tag": "markdown", "content": text}]}}
    if robot.secret:
        stamp = int(now_s)
        body = {"timestamp": str(stamp), "sign": feishu_sign(robot.secret, stamp), **body}
    return url, body


def post_robot(robot: Robot, title: str, markdown: str, link: str, now_s: float | None = None) -> None:
    """POST one message; the JSON answer's errcode / code says whether it was taken."""
    url, body = robot_request(robot, title, markdown, link, time.time() if now_s is None else now_s)
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(_("robot {name} answered HTTP {code}").format(name=robot.name, code=exc.code)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(_("could not reach robot {name}: {reason}").format(name=robot.name, reason=reason)) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SendError(_("robot {name} answered something that is not JSON").format(name=robot.name)) from None
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0))) if isinstance(answer, dict) else -1
    if code != 0:
        reason = answer.get("errmsg") or answer.get("msg") or "" if isinstance(answer, dict) else ""
        raise SendError(_("robot {name} refused the message: {code} {reason}").format(
            name=robot.name, code=code, reason=str(reason)[:200]))


class RateLimiter:
    """At most `per_minute` messages to one robot in any 60 seconds: waits (really) before the next."""

    def __init__(self, per_minute: int = PER_MINUTE, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_minute, self.clock, self.sleep = per_minute, clock, sleep
        self._sent: dict[str, deque[float]] = {}

    def wait(self, name: str) -> None:
        sent = self._sent.setdefault(name, deque())
        now = self.clock()
        while sent and now - sent[0] >= 60:
            sent.popleft()
        if len(sent) >= self.per_minute:
            self.sleep(60 - (now - sent[0]))
            sent.popleft()
        sent.append(self.clock())
