"""Where a store is: a file path or a postgresql:// URL, and how to show it without its password.

Kept apart from the server engine so the CLI and the UI can mask a URL without importing a driver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from rollout.core.errors import DatabaseError
from rollout.core.i18n import _

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_location(location: str | Path) -> bool:
    """A postgresql:// URL (the server engine) rather than a file path (the embedded engine)."""
    return isinstance(location, str) and location.strip().lower().startswith(SERVER_SCHEMES)



@dataclass(frozen=True)
class Location:
    """A postgresql:// URL, parsed: what to connect to and what may be shown."""

    url: str = field(repr=False)  # holds the password: shown as `shown`
    user: str
    password: str | None = field(repr=False)  # never in a repr, a log or a traceback's locals
    host: str
    port: int
    dbname: str

    @classmethod
    def parse(cls, url: str) -> Location:
        """The URL's parts. The user information ends at the last `@` before the host, so a password holding
        `/`, `@` or `:` as typed (not percent-encoded) is still read whole, and never shown in a message."""
        url = url.strip()
        if not is_server_location(url):
            raise DatabaseError(_("expected a server URL postgresql://user[:password]@host[:port]/dbname"))
        scheme, userinfo, rest = _split(url)
        user, colon, password = (userinfo or "").partition(":")
        try:
            parts = urlsplit(f"{scheme}{rest}")
            port = parts.port or 5432
        except ValueError:
            raise DatabaseError(_("{url} is not a valid server URL (expected "
                                  "postgresql://user[:password]@host[:port]/dbname)").format(
                url=_masked(url))) from None
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname or not parts.hostname:
            message = _("{url} names no database (expected postgresql://user[:password]@host[:port]/dbname)") \
                if parts.hostname else _("{url} names no host (expected postgresql://user[:password]@host[:port]/dbname)")
            raise DatabaseError(message.format(url=_masked(url)))
        return cls(url, unquote(user), unquote(password) if colon else None, parts.hostname, port, dbname)

    @property
    def shown(self) -> str:
        """The URL with the password masked: safe for messages, logs and the page."""
        return _masked(self.url)

    @property
    def connect_url(self) -> str:
        """The URL the drivers are given: user and password percent-encoded, so a password holding `/`, `@`
        or `:` as typed reaches the server whole (libpq would split the URL at them)."""
        scheme, userinfo, rest = _split(self.url)
        if userinfo is None:
            return self.url
        secret = "" if self.password is None else ":" + quote(self.password, safe="")
        return f"{scheme}{quote(self.user, safe='')}{secret}@{rest}"

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def scrub(self, text: str) -> str:
        """Any message with the password (raw or URL-encoded) and the full URL masked."""
        text = text.replace(self.url, self.shown).replace(self.connect_url, self.shown)
        if self.password:
            for secret in {self.password, quote(self.password, safe=""), quote(self.password)}:
                text = text.replace(secret, "***")
        return text


def _split(url: str) -> tuple[str, str | None, str]:
    """A server URL as (scheme://, user information or None, the rest: host, port, path, query). The user
    information ends at the last `@` of the URL: what follows it is the host (a password may hold `@` and `/`
    as typed). A URL whose database name or query holds an `@` hides more than the password, never less."""
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if not sep or at < 0:
        return (scheme + sep, None, rest) if sep else ("", None, url)
    return scheme + sep, rest[:at], rest[at + 1:]


def _masked(url: str) -> str:
    """The URL with its password (whatever it holds) and any password= parameter replaced by ***."""
    scheme, userinfo, rest = _split(url)
    if userinfo is not None:
        user, colon, _password = userinfo.partition(":")
        url = f"{scheme}{user}{':***' if colon else ''}@{rest}"
    return re.sub(r"(password=)[^&\s]*", r"\1***", url, flags=re.IGNORECASE)


def mask(location: str | Path) -> str:
    """A store location as it may be shown: a server URL's password masked, a path unchanged."""
    return _masked(str(location)) if is_server_location(str(location)) else str(location)




def scrub(text: str, location: str | Path) -> str:
    """text with the password of a server location masked wherever it appears (a path: unchanged)."""
    if not is_server_location(str(location)):
        return text
    try:
        return Location.parse(str(location)).scrub(text)
    except DatabaseError:
        return text.replace(str(location), mask(location))
