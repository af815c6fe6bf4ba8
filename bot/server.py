"""HTTP mode: Bolt behind a WSGI router served by waitress (production-grade, pure Python)."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy import text
from waitress.server import create_server

from bot.deps import Deps
from bot.slack_request import SlackRequestGate

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Route = Callable[[Environ, StartResponse], Iterable[bytes]]

SLACK_EVENTS_PATH = "/slack/events"


def json_response(
    start_response: StartResponse, status: int, body: Any, reason: str = ""
) -> list[bytes]:
    """A JSON answer (used by /healthz and webhooks)."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        f"{status} {reason or _REASONS.get(status, 'OK')}",
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
        ],
    )
    return [payload]


_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    503: "Service Unavailable",
}


def build_wsgi_app(
    bolt_app: App, deps: Deps, routes: dict[str, Route] | None = None, *, slack_route: bool = True
) -> WsgiApp:
    """`POST /slack/events` to Bolt (unless `slack_route` is off), `GET /healthz`, and
    feature routes by path.

    Socket Mode turns the Slack route off: its app does not verify signatures (Slack's
    traffic comes over the socket), so an HTTP route to it would accept forged requests."""
    slack_events = _slack_events_route(bolt_app, deps) if slack_route else None
    extra = dict(routes or {})

    def healthz(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            with deps.uow() as uow:
                uow.session.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check failed: %s", type(exc).__name__)
            return json_response(start_response, 503, {"ok": False, "database": "unreachable"})
        return json_response(start_response, 200, {"ok": True, "database": "ok"})

    def application(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return healthz(environ, start_response)
        route = extra.get(path)
        if route is not None:
            return route(environ, start_response)
        if slack_events is None:
            return json_response(start_response, 404, {"ok": False, "error": "not_found"})
        return slack_events(environ, start_response)

    return application


def _slack_events_route(bolt_app: App, deps: Deps) -> Route:
    """Bolt's WSGI handler behind the signature check (see bot.slack_request): nothing that
    is not proven to come from Slack reaches Bolt, its middleware or its error handler."""
    secret = deps.settings.secret("SLACK_SIGNING_SECRET")
    gate = SlackRequestGate(secret)
    bolt_handler = SlackRequestHandler(bolt_app, path=SLACK_EVENTS_PATH)

    def slack_events(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != SLACK_EVENTS_PATH:
            return bolt_handler(environ, start_response)  # Bolt answers 404, reading nothing
        body = _read_body(environ)
        signed = body is not None and gate.is_signed(
            body,
            timestamp=environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            signature=environ.get("HTTP_X_SLACK_SIGNATURE"),
        )
        if body is None or not signed:
            log.info("unsigned or badly signed request to %s refused", SLACK_EVENTS_PATH)
            return json_response(start_response, 401, {"error": "invalid request"})
        if not gate.parses(body, WsgiHttpRequest(environ).get_headers()):
            log.warning("signed request with a body Bolt cannot parse refused")
            return json_response(start_response, 400, {"error": "bad request"})
        # Bolt reads the body again from the environ.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return bolt_handler(environ, start_response)

    return slack_events


def _read_body(environ: Environ) -> bytes | None:
    """The request body as sent (None when its length is not a number)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length < 0:
        return None
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length else b""


class HttpServer:
    """waitress on host:port; `run()` blocks, `stop()` from another thread ends it."""

    def __init__(self, app: WsgiApp, *, host: str, port: int, threads: int = 8) -> None:
        self._server: Any = create_server(app, host=host, port=port, threads=threads, ident="isops")
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def run(self) -> None:
        """Serve until stopped; SIGTERM (SystemExit) lets in-flight requests finish first."""
        log.info("listening on http://%s:%d", self._server.effective_host, self.port)
        self._server.run()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="isops-http", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Close the listener and every connection, then wait for running requests."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        server = self._server
        closed = threading.Event()

        def close_everything() -> None:
            # Runs in the serving thread, so no socket is closed under a running select().
            while server._map:
                for dispatcher in list(server._map.values()):
                    # Channels and the trigger clean up in handle_close; the listening
                    # server has none of its own (asyncore would log "unhandled close").
                    if dispatcher is server:
                        dispatcher.close()
                    else:
                        dispatcher.handle_close()
            closed.set()

        try:
            server.trigger.pull_trigger(close_everything)
        except OSError:  # the trigger is already closed: the loop has ended
            closed.set()
        if not closed.wait(5):  # the loop was not running: close from here
            close_everything()
        server.task_dispatcher.shutdown(timeout=5)
