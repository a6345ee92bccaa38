"""Real receivers for the notification tests: an SMTP server (aiosmtpd) and group-robot endpoints
(http.server on 127.0.0.1) that check each platform's request shape and signature as it documents them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from support import free_port

SMTP_USER, SMTP_PASSWORD = "rollout@example.cn", "smtp-Pa55-word-9431"


class Mailbox:
    """Every message the SMTP server took, parsed."""

    user, password = SMTP_USER, SMTP_PASSWORD

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()  # recipients answered 550
        self.port = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (SMTP_USER,
                                                                                             SMTP_PASSWORD)
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=_authenticate,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    box.port = port
    try:
        yield box
    finally:
        controller.stop()


class Robots:
    """What the robot endpoints received (checked), and what they answer next."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets  # path -> signing secret
        self.port = 0
        self.received: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []  # popped first; then success
        self.problems: list[str] = []

    def check(self, kind: str, query: dict[str, str], body: dict[str, Any], secret: str | None) -> None:
        if kind == "wecom":
            if set(body) != {"msgtype", "markdown"} or body["msgtype"] != "markdown" or \
                    set(body["markdown"]) != {"content"} or len(body["markdown"]["content"].encode()) > 4096:
                self.problems.append(f"wecom shape {body}")
        elif kind == "dingtalk":
            if body.get("msgtype") != "markdown" or set(body["markdown"]) != {"title", "text"}:
                self.problems.append(f"dingtalk shape {body}")
            if secret:
                stamp = query.get("timestamp", "")
                want = base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(),
                                                 hashlib.sha256).digest()).decode()
                if query.get("sign") != want:  # parse_qs already url-decoded it once
                    self.problems.append("dingtalk signature")
        elif kind == "feishu":
            if body.get("msg_type") not in ("post", "interactive"):
                self.problems.append(f"feishu shape {body}")
            if secret:
                stamp = body.get("timestamp", "")
                want = base64.b64encode(hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
                if body.get("sign") != want or not isinstance(stamp, str):
                    self.problems.append("feishu signature")


@pytest.fixture
def robots() -> Iterator[Robots]:
    state = Robots({"/dingtalk": "SECdingtalk-secret-4711", "/feishu": "feishu-secret-0815"})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            body = json.loads(raw.decode("utf-8"))
            kind = parts.path.strip("/").split("/")[0]
            state.check(kind, query, body, state.secrets.get(parts.path))
            state.received.append({"kind": kind, "query": query, "body": body})
            answer = state.answers.pop(0) if state.answers else ({"code": 0, "msg": "success"} if kind == "feishu"
                                                                 else {"errcode": 0, "errmsg": "ok"})
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.port = server.server_address[1]
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
