"""A fake Slack Socket Mode endpoint on 127.0.0.1, for end-to-end tests of the bot in Socket Mode.

What Slack does (docs.slack.dev/apis/events-api/using-socket-mode): the app calls
``apps.connections.open`` with its app-level token (``xapp-…``) and gets a one-time WebSocket
URL; on connecting it receives ``hello``, then envelopes ``{"envelope_id", "type":
"slash_commands" | "interactive" | "events_api", "payload", "accepts_response_payload"}``, each
of which it must acknowledge within 3 seconds by sending ``{"envelope_id", "payload"?}`` back.
``{"type": "disconnect", "reason": "refresh_requested"}`` asks the app to open a new connection;
Slack sends nothing more on the old one and holds what comes meanwhile for the new one.

Here ``SocketModeSlack`` is the fake Web API (``FakeSlack``) that also answers
``apps.connections.open`` with a one-time ``ws://127.0.0.1`` URL of its ``FakeSocketMode``. Tests
deliver envelopes with ``socket.deliver(...)``, or point a ``SlackRequestSender`` at
``socket.ingress_url``: the fake turns each of Slack's HTTP-shaped requests into the envelope
Slack would send instead, waits for the acknowledgement and answers with its payload, so the
same test helpers drive the bot in HTTP mode and in Socket Mode. Every envelope and every
acknowledgement is recorded with its time and connection.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

# _Answer is the shape FakeSlack's request handling returns; see SocketModeSlack._answer.
from .server import APP_ID, FakeSlack, Service, _Answer

JsonDict = dict[str, Any]

APP_TOKEN = "xapp-1-A111-1-fakeapptoken"
ACK_DEADLINE = 3.0  # seconds Slack gives an app to acknowledge an envelope
# Interactive payloads whose acknowledgement may carry a response (response_action, options).
_RESPONDING_INTERACTIONS = ("view_submission", "block_suggestion")


@dataclass(frozen=True)
class Ack:
    """One acknowledgement the app sent for an envelope."""

    connection: int
    at: float  # time.monotonic()
    payload: JsonDict | None


@dataclass(frozen=True)
class Envelope:
    """One envelope the fake sent, and every acknowledgement it got (one is right)."""

    envelope_id: str
    type: str
    payload: JsonDict
    connection: int  # the connection it went out on, numbered from 1
    sent_at: float  # time.monotonic()
    acks: tuple[Ack, ...]

    @property
    def ack_seconds(self) -> float | None:
        """Seconds from sending to the first acknowledgement; None while unacknowledged."""
        return self.acks[0].at - self.sent_at if self.acks else None


@dataclass(frozen=True)
class Connection:
    """One WebSocket connection the app opened."""

    number: int
    ticket: str
    disconnect_reason: str | None  # set once the fake asked the app to reconnect
    closed: bool


@dataclass
class _Live:
    number: int
    ticket: str
    websocket: ServerConnection
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    ready: bool = False  # hello sent
    disconnect_reason: str | None = None
    closed: bool = False

    def send(self, message: JsonDict) -> None:
        with self.send_lock:
            self.websocket.send(json.dumps(message, ensure_ascii=False))

    def snapshot(self) -> Connection:
        return Connection(self.number, self.ticket, self.disconnect_reason, self.closed)


@dataclass
class _Sent:
    envelope_id: str
    type: str
    payload: JsonDict
    connection: int
    sent_at: float = 0.0
    on_the_wire: bool = False
    acks: list[Ack] = field(default_factory=list)

    def snapshot(self) -> Envelope:
        return Envelope(
            self.envelope_id,
            self.type,
            self.payload,
            self.connection,
            self.sent_at,
            tuple(self.acks),
        )


class FakeSocketMode(Service):
    """Slack's Socket Mode side: one-time connection URLs, envelopes out, acknowledgements in."""

    def __init__(self, *, app_token: str = APP_TOKEN, host: str = "127.0.0.1") -> None:
        self.app_token = app_token
        self._host = host
        self._cond = threading.Condition()  # guards every piece of state below
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._connections: list[_Live] = []
        self._sent: dict[str, _Sent] = {}
        self._unexpected: list[str] = []
        self._server: Server | None = None
        self._ingress: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = serve(
            self._serve_connection,
            self._host,
            0,
            process_request=self._check_ticket,
            compression=None,
            ping_interval=None,  # the app pings; the fake answers (as websockets always does)
        )
        self._ingress = _IngressServer((self._host, 0), _IngressHandler)
        self._ingress.socket_mode = self
        self._threads = [
            threading.Thread(target=self._server.serve_forever, daemon=True),
            threading.Thread(
                target=self._ingress.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._ingress is None:
            return
        self._ingress.shutdown()
        self._ingress.server_close()
        self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._server = None
        self._ingress = None
        self._threads = []

    @property
    def ws_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        port = self._server.socket.getsockname()[1]
        return f"ws://{self._host}:{port}/link/"

    @property
    def ingress_url(self) -> str:
        """Where a SlackRequestSender posts requests that are to arrive as envelopes."""
        if self._ingress is None:
            raise RuntimeError("FakeSocketMode is not started")
        host, port = self._ingress.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- apps.connections.open -------------------------------------------------------------------

    def connections_open(self, authorization: str) -> JsonDict:
        """The Web API method's answer for this Authorization header."""
        token = authorization.removeprefix("Bearer ").strip()
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        ticket = secrets.token_hex(8)
        with self._cond:
            self._tickets[ticket] = False
        return {"ok": True, "url": f"{self.ws_url}?ticket={ticket}&app_id={APP_ID}"}

    # -- test helpers ----------------------------------------------------------------------------

    @property
    def connections(self) -> list[Connection]:
        with self._cond:
            return [c.snapshot() for c in self._connections]

    @property
    def envelopes(self) -> list[Envelope]:
        """Every envelope sent so far, in order."""
        with self._cond:
            return [s.snapshot() for s in self._sent.values() if s.on_the_wire]

    @property
    def unexpected_messages(self) -> list[str]:
        """Messages from the app that were not acknowledgements."""
        with self._cond:
            return list(self._unexpected)

    def wait_for_connections(self, count: int, timeout: float = 10.0) -> list[Connection]:
        """Block until ``count`` connections have been opened (and greeted with hello)."""
        self._wait(
            lambda: sum(c.ready for c in self._connections) >= count,
            timeout,
            f"{count} Socket Mode connection(s)",
        )
        return self.connections

    def wait_for_closed(self, number: int, timeout: float = 10.0) -> Connection:
        """Block until the app has closed connection ``number``."""
        self._wait(
            lambda: len(self._connections) >= number and self._connections[number - 1].closed,
            timeout,
            f"connection {number} to close",
        )
        return self.connections[number - 1]

    def wait_for_envelopes(self, count: int, timeout: float = 10.0) -> list[Envelope]:
        """Block until ``count`` envelopes have gone out (acknowledged or not)."""
        self._wait(
            lambda: sum(s.on_the_wire for s in self._sent.values()) >= count,
            timeout,
            f"{count} envelope(s) sent",
        )
        return self.envelopes

    def send(
        self,
        type: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 10.0,
    ) -> str:
        """Send one envelope on the newest connection Slack would use (waiting for one while
        the app reconnects); returns its envelope_id without waiting for the acknowledgement."""
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in _RESPONDING_INTERACTIONS
            )
        envelope_id = str(uuid.uuid4())
        message: JsonDict = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            message["retry_attempt"] = retry_attempt
            message["retry_reason"] = retry_reason
        with self._cond:
            self._cond.wait_for(lambda: self._current() is not None, timeout)
            live = self._current()
            if live is None:
                raise AssertionError(
                    f"no Socket Mode connection to send a {type} envelope on within {timeout}s; "
                    f"connections: {[c.snapshot() for c in self._connections]}"
                )
            sent = _Sent(envelope_id, type, payload, live.number)
            self._sent[envelope_id] = sent
        with live.send_lock:  # sent_at just before the frame leaves, so the clock is fair
            sent.sent_at = time.monotonic()
            live.websocket.send(json.dumps(message, ensure_ascii=False))
        with self._cond:
            sent.on_the_wire = True
            self._cond.notify_all()
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Envelope:
        """Block until the envelope is acknowledged; returns it with its acknowledgement(s)."""
        self._wait(lambda: bool(self._sent[envelope_id].acks), timeout, f"ack of {envelope_id}")
        with self._cond:
            return self._sent[envelope_id].snapshot()

    def deliver(self, type: str, payload: JsonDict, **kw: Any) -> Envelope:
        """Send one envelope and wait for its acknowledgement."""
        return self.wait_for_ack(self.send(type, payload, **kw))

    def disconnect(self, reason: str = "refresh_requested") -> int:
        """Ask the app to reconnect on the current connection; no envelope goes out on it
        afterwards. Returns the connection's number."""
        with self._cond:
            live = self._current()
            if live is None:
                raise AssertionError("no open Socket Mode connection to disconnect")
            live.disconnect_reason = reason
        live.send({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-applink"}})
        return live.number

    # -- the WebSocket side (server threads) -----------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        """A URL from apps.connections.open opens one connection; anything else is refused."""
        ticket = _ticket(request.path)
        known = urlsplit(request.path).path.startswith("/link")
        with self._cond:
            if not known or self._tickets.get(ticket, True):  # unknown tickets count as used
                return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")
            self._tickets[ticket] = True
        return None

    def _serve_connection(self, websocket: ServerConnection) -> None:
        request = websocket.request
        with self._cond:
            live = _Live(
                len(self._connections) + 1,
                _ticket(request.path if request else ""),
                websocket,
            )
            self._connections.append(live)
        try:
            live.send(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake-applink", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": APP_ID},
                }
            )
            with self._cond:
                live.ready = True
                self._cond.notify_all()
            for raw in websocket:
                self._receive(live.number, raw)
        except ConnectionClosed:
            pass  # the app closed the socket (the built-in client does so without a close frame)
        finally:
            with self._cond:
                live.closed = True
                self._cond.notify_all()

    def _receive(self, connection: int, raw: str | bytes) -> None:
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            message = None
        with self._cond:
            sent = (
                self._sent.get(str(message.get("envelope_id")))
                if isinstance(message, dict)
                else None
            )
            if sent is None:
                self._unexpected.append(text)
            else:
                payload = message.get("payload")
                sent.acks.append(Ack(connection, time.monotonic(), payload or None))
            self._cond.notify_all()

    def _current(self) -> _Live | None:
        """The connection Slack would deliver on: the newest greeted one not told to go."""
        for live in reversed(self._connections):
            if live.ready and not live.closed and live.disconnect_reason is None:
                return live
        return None

    def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(done, timeout):
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}; "
                    f"connections: {[c.snapshot() for c in self._connections]}"
                )

    # -- HTTP-shaped requests in, envelopes out (ingress threads) --------------------------------

    def _deliver_request(self, content_type: str, body: bytes, headers: dict[str, str]) -> _Answer:
        kind, payload, extra = _envelope_for(content_type, body, headers)
        envelope_id = self.send(kind, payload, **extra)
        try:
            envelope = self.wait_for_ack(envelope_id)
        except AssertionError as exc:
            return _Answer(HTTPStatus.GATEWAY_TIMEOUT, {"ok": False, "error": str(exc)})
        return _Answer(HTTPStatus.OK, envelope.acks[0].payload or {})


def _ticket(path: str) -> str:
    return parse_qs(urlsplit(path).query).get("ticket", [""])[0]


def _envelope_for(
    content_type: str, body: bytes, headers: dict[str, str]
) -> tuple[str, JsonDict, dict[str, Any]]:
    """(envelope type, payload, send options) for a request as Slack would POST it."""
    text = body.decode("utf-8")
    if content_type.split(";")[0].strip().lower() == "application/json":
        retry = headers.get("x-slack-retry-num")
        extra: dict[str, Any] = {}
        if retry is not None:
            extra = {
                "retry_attempt": int(retry),
                "retry_reason": headers.get("x-slack-retry-reason", ""),
            }
        return "events_api", json.loads(text), extra
    fields = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
    if "payload" in fields:
        return "interactive", json.loads(fields["payload"]), {}
    return "slash_commands", fields, {}


class _IngressServer(ThreadingHTTPServer):
    daemon_threads = True
    socket_mode: FakeSocketMode


class _IngressHandler(BaseHTTPRequestHandler):
    server: _IngressServer

    def do_POST(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = self.rfile.read(int(headers.get("content-length") or 0))
        answer = self.server.socket_mode._deliver_request(
            headers.get("content-type", ""), body, headers
        )
        data = json.dumps(answer.body).encode() if answer.body else b""
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean


class SocketModeSlack(FakeSlack):
    """FakeSlack that also serves Socket Mode: ``apps.connections.open`` (app-level token only)
    returns a one-time URL of ``self.socket``."""

    def __init__(
        self, *, token: str = "xoxb-test", app_token: str = APP_TOKEN, host: str = "127.0.0.1"
    ) -> None:
        super().__init__(token=token, host=host)
        self.socket = FakeSocketMode(app_token=app_token, host=host)

    def start(self) -> Self:
        self.socket.start()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        self.socket.stop()

    def _answer(
        self, method: str, params: JsonDict, headers: dict[str, str], path: str, raw: bytes = b""
    ) -> _Answer:
        # FakeSlack checks for the bot token before it looks a method up, but this method takes
        # the app-level token (and refuses a bot token), so it is answered before that check.
        if path == "/api/apps.connections.open":
            answer = self.socket.connections_open(headers.get("authorization", ""))
            return _Answer(HTTPStatus.OK, answer)
        return super()._answer(method, params, headers, path, raw)
