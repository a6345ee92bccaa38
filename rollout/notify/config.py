"""`[notify]` of `.streamlit/secrets.toml` (NOTIFY.md "Channels"), checked, with every secret known so it
can be scrubbed from whatever the channels answer.

A robot's URL holds its key or token, so a robot is shown as its name, kind and the last 4 characters
of its URL (`Robot.shown`), and `NotifyConfig.scrub` removes the SMTP password, every robot URL (and
each value of its query) and every signing secret from a text before it is stored, logged or shown.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rollout.core.errors import RolloutError
from rollout.core.i18n import _

ROBOT_KINDS = ("wecom", "dingtalk", "feishu")
SECURITY = ("ssl", "starttls", "none")
LANGUAGES = ("zh", "en")
DEFAULT_TIMEZONE = "Asia/Shanghai"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MASK = "***"


def good_address(address: str | None) -> bool:
    """NOTIFY.md "Safety": one `@`, no spaces, no line breaks (no header injection)."""
    return bool(address) and EMAIL.match(address) is not None and address.count("@") == 1


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Robot:
    name: str
    kind: str
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)
    regions: frozenset[str] | None = None
    lang: str | None = None

    @property
    def shown(self) -> str:
        """How a page or a command names the robot: never its key."""
        return f"{self.name} ({self.kind}, …{self.url[-4:]})"


@dataclass(frozen=True)
class NotifyConfig:
    app_url: str = "http://localhost:8501"
    timezone: str = DEFAULT_TIMEZONE
    lang: str = "zh"
    smtp: Smtp | None = None
    robots: tuple[Robot, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def robot(self, name: str) -> Robot:
        for robot in self.robots:
            if robot.name == name:
                return robot
        raise RolloutError(_("no robot named {name} in [notify.robots] (expected one of {names})").format(
            name=repr(name), names=", ".join(r.name for r in self.robots) or "-"))

    def secrets(self) -> list[str]:
        """Every secret text of the configuration, longest first (so a part never hides the whole)."""
        found: list[str] = []
        if self.smtp and self.smtp.password:
            found.append(self.smtp.password)
        for robot in self.robots:
            found.append(robot.url)
            found += [value for _key, value in parse_qsl(urlsplit(robot.url).query) if len(value) >= 4]
            if robot.secret:
                found.append(robot.secret)
        return sorted({s for s in found if s}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets():
            text = text.replace(secret, MASK)
        return text


def _refuse(key: str, value: Any, expected: str) -> RolloutError:
    return RolloutError(_("[notify] {key} = {value}: expected {expected}").format(
        key=key, value=repr(value) if not isinstance(value, str) or len(value) < 40 else "…", expected=expected))


def _text(section: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = section.get(key)
    if value is None:
        if required:
            raise _refuse(f"{where}.{key}", None, _("a text"))
        return None
    if not isinstance(value, str) or not value.strip():
        raise _refuse(f"{where}.{key}", "…", _("a text"))
    return value.strip()


def _robot(name: str, section: dict[str, Any]) -> Robot:
    where = f"robots.{name}"
    kind = _text(section, "kind", where, required=True)
    if kind not in ROBOT_KINDS:
        raise _refuse(f"{where}.kind", kind, " | ".join(ROBOT_KINDS))
    url = _text(section, "url", where, required=True) or ""
    if urlsplit(url).scheme not in ("https", "http"):
        raise _refuse(f"{where}.url", "…", _("an https:// address"))
    regions = section.get("regions")
    if regions is not None and (not isinstance(regions, list) or not all(isinstance(r, str) for r in regions)):
        raise _refuse(f"{where}.regions", regions, _("a list of region codes"))
    lang = _text(section, "lang", where)
    if lang is not None and lang not in LANGUAGES:
        raise _refuse(f"{where}.lang", lang, " | ".join(LANGUAGES))
    return Robot(name, kind, url, _text(section, "secret", where), frozenset(regions) if regions else None, lang)


def _smtp(section: dict[str, Any]) -> Smtp:
    security = _text(section, "security", "smtp") or "ssl"
    if security not in SECURITY:
        raise _refuse("smtp.security", security, " | ".join(SECURITY))
    port = section.get("port", 465 if security == "ssl" else 587)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise _refuse("smtp.port", port, _("a port number"))
    sender = _text(section, "sender", "smtp", required=True) or ""
    if not good_address(sender.rsplit("<", 1)[-1].rstrip(">").strip()) or "\n" in sender or "\r" in sender:
        raise _refuse("smtp.sender", sender, _("an e-mail address"))
    return Smtp(_text(section, "host", "smtp", required=True) or "", port, security, sender,
                _text(section, "username", "smtp"), section.get("password"))


def parse_config(secrets: dict[str, Any]) -> NotifyConfig:
    """The `[notify]` part of a parsed secrets file; no section: nothing configured (no channels)."""
    section = secrets.get("notify") or {}
    timezone = _text(section, "timezone", "notify") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _refuse("timezone", timezone, _("a time zone such as Asia/Shanghai")) from None
    lang = _text(section, "lang", "notify") or "zh"
    if lang not in LANGUAGES:
        raise _refuse("lang", lang, " | ".join(LANGUAGES))
    robots = section.get("robots") or {}
    return NotifyConfig(
        app_url=(_text(section, "app_url", "notify") or NotifyConfig.app_url).rstrip("/"),
        timezone=timezone, lang=lang,
        smtp=_smtp(section["smtp"]) if isinstance(section.get("smtp"), dict) else None,
        robots=tuple(_robot(name, robots[name]) for name in sorted(robots)))


def load_config(path: str | Path | None) -> NotifyConfig:
    """The configuration of a secrets file; a missing file configures nothing."""
    file = Path(path) if path else Path(".streamlit/secrets.toml")
    if not file.exists():
        if path:
            raise RolloutError(_("{file}: no such secrets file").format(file=file))
        return NotifyConfig()
    try:
        return parse_config(tomllib.loads(file.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise RolloutError(_("{file}: not a TOML file ({reason})").format(file=file, reason=exc)) from None
