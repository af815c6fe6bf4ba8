"""A fake Slack Web API served over real HTTP, for end-to-end tests of the bot.

Point ``slack_sdk.WebClient(base_url=fake.api_url, token=fake.token)`` at it. Every request is
recorded (failed ones too) so tests can assert on what the bot sent, and answers have the shapes of
Slack's real ones (see shared/slack-fixtures/api_*.json).

Posted messages are kept per channel (with their metadata) and `conversations.history` reads them
back. Files go through Slack's external upload flow (`files.getUploadURLExternal` → POST the bytes
to the returned `upload_url` → `files.completeUploadExternal`): the bytes are recorded
(`uploads`), and a completed upload shared to a channel appears in its history with `files`. For delivery tests a method can be held open (`hold_next`: the test decides when the answer
goes out, or that it never does), delayed (`delay_next`, for benchmarks) or have its connection
dropped (`drop_next`), before or after Slack "accepted" the request.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .blockkit_limits import message_problems, view_problems

JsonDict = dict[str, Any]

TEAM_ID = "T111"
APP_ID = "A111"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
MAX_MESSAGE_TEXT = 40000
# How long a held request waits for the test at most, so a forgotten hold cannot hang a run.
HOLD_TIMEOUT = 60.0
# Form fields slack_sdk (or a caller) may send as JSON text; recorded decoded.
_JSON_FIELDS = (
    "blocks",
    "attachments",
    "view",
    "metadata",
    "unfurls",
    "user_auth_blocks",
    "files",
)
# Recorded as the "method" of a POST of file bytes to an upload_url (fail_next works on it).
FILE_UPLOAD = "file_upload"
MAX_ALT_TEXT = 1000
_NOT_INTERACTIVE = (None, "image", "plain_text", "mrkdwn")
_TZ_LABELS = {"Asia/Tokyo": "Japan Standard Time", "UTC": "Coordinated Universal Time"}


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received. ``headers`` keys are lower-case."""

    method: str  # "chat.postMessage", ..., or "response_url"
    params: JsonDict
    headers: dict[str, str]
    status: int
    response: JsonDict
    path: str = ""  # request path, e.g. "/response/<name>" tells response URLs apart


@dataclass
class Upload:
    """A file started with files.getUploadURLExternal: its bytes once POSTed to the upload
    URL, and where it was shared once completed."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    content: bytes | None = None
    completed: bool = False
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int
    times: int


class Hold:
    """A request held by the fake (`FakeSlack.hold_next`): the test sees it arrive, then
    lets it go on (`release`) or closes its connection without an answer (`drop`)."""

    def __init__(self, method: str, *, before_recording: bool, seconds: float | None) -> None:
        self.method = method
        self.before_recording = before_recording
        self._seconds = seconds  # a delay: released by itself after this long
        self._arrived = threading.Event()
        self._released = threading.Event()
        self._dropped = False

    def wait_arrived(self, timeout: float = 5.0) -> None:
        """Block until the held request has arrived (and, unless held before recording, has
        been recorded and carried out: Slack accepted it)."""
        if not self._arrived.wait(timeout):
            raise AssertionError(f"no {self.method} call arrived within {timeout}s to hold")

    @property
    def arrived(self) -> bool:
        return self._arrived.is_set()

    def release(self) -> None:
        """Let the request go on: answered (or, held before recording, carried out first)."""
        self._released.set()

    def drop(self) -> None:
        """Close the connection without an answer; held before recording, it is never carried
        out (Slack never got it), else it was and the client never hears (Slack accepted it)."""
        self._dropped = True
        self._released.set()

    def _block(self) -> bool:
        """Called on the server thread; True when the connection is to be dropped."""
        self._arrived.set()
        self._released.wait(self._seconds if self._seconds is not None else HOLD_TIMEOUT)
        return self._dropped


@dataclass
class _Answer:
    status: int
    body: JsonDict
    headers: dict[str, str] = field(default_factory=dict)
    # A plain-text answer instead of JSON (the upload URL answers "OK - <bytes>").
    text: str | None = None


def _err(error: str, *messages: str) -> JsonDict:
    body: JsonDict = {"ok": False, "error": error}
    if messages:
        body["response_metadata"] = {"messages": list(messages)}
    return body


class Service:
    """A fake served from threads of its own: `with fake:` starts it and stops it again."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class FakeSlack(Service):
    """Fake Slack Web API on 127.0.0.1 (free port), usable as a context manager."""

    def __init__(self, *, token: str = "xoxb-test", host: str = "127.0.0.1") -> None:
        self.token = token
        self._host = host
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()  # guards every piece of state below
        self._calls: list[RecordedCall] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._users: dict[str, JsonDict] = {}
        self._views: dict[str, JsonDict] = {}
        self._home_view_ids: dict[str, str] = {}
        self._holds: dict[str, deque[Hold]] = {}
        # Messages per channel id, oldest first, as conversations.history serves them.
        self._messages: dict[str, list[JsonDict]] = {}
        self._known_channels: set[str] = set()
        self._uploads: dict[str, Upload] = {}
        self._counter = itertools.count(1)
        self._last_ts_micros = 0
        self._handlers: dict[str, Callable[[JsonDict], JsonDict]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "views.open": lambda p: self._views_write("views.open", p),
            "views.push": lambda p: self._views_write("views.push", p),
            "views.update": lambda p: self._views_write("views.update", p),
            "views.publish": lambda p: self._views_write("views.publish", p),
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server((self._host, 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """What ``WebClient(base_url=...)`` takes (ends with a slash)."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        """A response_url for payloads; POSTs to it are recorded as method "response_url"."""
        return f"{self.base_url}/response/{name}"

    # -- test helpers ----------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def clear(self) -> None:
        """Forget recorded calls, pending failures and holds (users, views and messages are
        kept)."""
        with self._cond:
            self._calls.clear()
            self._failures.clear()
            self._holds.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until ``count`` calls to ``method`` (failed ones included) were recorded."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(c.method == method for c in self._calls) >= count, timeout
            )
            calls = [c for c in self._calls if c.method == method]
            seen = [c.method for c in self._calls]
        if not done:
            raise AssertionError(
                f"expected {count} call(s) to {method} within {timeout}s, got {len(calls)}; "
                f"calls seen: {seen}"
            )
        return calls

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int = 1,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        Default is HTTP 429 with ``Retry-After: retry_after``; ``status=500`` a server error;
        ``error="channel_not_found"`` an HTTP 200 ``{"ok": false, "error": ...}``.
        """
        if status is None:
            status = 200 if error is not None else 429
        with self._cond:
            self._failures.setdefault(method, deque()).append(
                _Failure(status=status, error=error, retry_after=retry_after, times=times)
            )

    def hold_next(self, method: str, *, before_recording: bool = False) -> Hold:
        """Hold the next call to ``method`` open until the test releases or drops it.

        By default the call is recorded and carried out first (a posted message is stored), so
        Slack has accepted it and only the answer waits; ``before_recording=True`` holds it
        before the fake looks at it, as if it had not reached Slack yet.
        """
        hold = Hold(method, before_recording=before_recording, seconds=None)
        with self._cond:
            self._holds.setdefault(method, deque()).append(hold)
        return hold

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` ``seconds`` late (carried out at
        once): a slow Slack, for benchmarks. Tests use `hold_next` instead of waiting."""
        with self._cond:
            queue = self._holds.setdefault(method, deque())
            for _ in range(times):
                queue.append(Hold(method, before_recording=False, seconds=seconds))

    def drop_next(self, method: str, *, after_recording: bool = True, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls to ``method`` without an answer:
        after carrying them out (Slack accepted, the client never heard) or before."""
        with self._cond:
            queue = self._holds.setdefault(method, deque())
            for _ in range(times):
                hold = Hold(method, before_recording=not after_recording, seconds=0)
                hold.drop()
                queue.append(hold)

    def uploads(self) -> list[Upload]:
        """Every upload started, in order (bytes and sharing as far as the bot got)."""
        with self._cond:
            return [Upload(**vars(u)) for u in self._uploads.values()]

    def messages(self, channel: str) -> list[JsonDict]:
        """The messages stored in ``channel`` (a user id means the bot's DM with them), oldest
        first, with their metadata."""
        with self._cond:
            return [dict(m) for m in self._messages.get(_channel_id(channel), [])]

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "Asia/Tokyo",
        locale: str = "ja-JP",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> JsonDict:
        """Register a user for users.info / users.lookupByEmail; returns its user object."""
        name = name or user_id.lower()
        real_name = real_name if real_name is not None else name
        profile: JsonDict = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": name,
            "display_name_normalized": name,
            "team": TEAM_ID,
        }
        # Slack omits profile.email entirely when unknown (or without users:read.email).
        if email is not None:
            profile["email"] = email
        try:
            zone = ZoneInfo(tz)
            offset = datetime.now(zone).utcoffset()
            tz_offset = int(offset.total_seconds()) if offset is not None else 0
            tz_label = _TZ_LABELS.get(tz) or datetime.now(zone).tzname() or tz
        except ZoneInfoNotFoundError:
            tz_offset, tz_label = 0, tz
        user: JsonDict = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "locale": locale,
        }
        with self._cond:
            self._users[user_id] = user
        return dict(user)

    # -- request handling (server threads) -------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        url = urlsplit(req.path)
        headers = {k.lower(): v for k, v in req.headers.items()}
        raw = req.rfile.read(int(headers.get("content-length") or 0))
        params, parse_error = _parse_params(url.query, raw, headers.get("content-type", ""))
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        elif url.path.startswith("/upload/"):
            # File bytes, not parameters: recorded as their length, kept raw for `uploads`.
            method = FILE_UPLOAD
            params, parse_error = (
                {"file_id": url.path.removeprefix("/upload/"), "length": len(raw)},
                None,
            )
        elif url.path.startswith("/response/"):
            method = "response_url"
        else:
            method = url.path
        with self._cond:
            queue = self._holds.get(method)
            hold = queue.popleft() if queue else None
        if hold is not None and hold.before_recording and hold._block():
            _drop(req)  # never reached "Slack": not recorded, not carried out
            return
        with self._cond:
            if parse_error is not None:
                answer = _Answer(200, _err(parse_error))
            else:
                try:
                    answer = self._answer(method, params, headers, url.path, raw)
                except Exception as exc:  # a bug in the fake must show up in the test, not hang it
                    answer = _Answer(500, _err("fake_slack_internal_error", repr(exc)))
            # Recorded before replying, so a test sees the call as soon as the client returns.
            self._calls.append(
                RecordedCall(method, params, headers, answer.status, answer.body, url.path)
            )
            self._cond.notify_all()
        if hold is not None and not hold.before_recording and hold._block():
            _drop(req)  # carried out, but the client never hears
            return
        if answer.text is not None:
            data, content_type = answer.text.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(answer.body).encode(), "application/json; charset=utf-8"
        # A client that gave up (or was killed) while its answer was held is not an error.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            req.send_response(answer.status)
            req.send_header("Content-Type", content_type)
            req.send_header("Content-Length", str(len(data)))
            for key, value in answer.headers.items():
                req.send_header(key, value)
            req.end_headers()
            req.wfile.write(data)

    def _answer(
        self, method: str, params: JsonDict, headers: dict[str, str], path: str, raw: bytes = b""
    ) -> _Answer:
        injected = self._take_failure(method)
        if injected is not None:
            return injected
        if method == FILE_UPLOAD:  # the upload URL is pre-signed: no token
            return self._file_upload(str(params["file_id"]), raw)
        if method == "response_url":  # response URLs carry no token
            # Real Slack answers a bad payload here with HTTP 400 and a bare "invalid_blocks" text
            # body; the fake adds the details so a failing test says what was wrong.
            problems = message_problems(params)
            if problems:
                return _Answer(400, _err("invalid_blocks", *problems))
            return _Answer(200, {"ok": True})
        if not path.startswith("/api/"):
            return _Answer(404, _err("not_found"))
        auth = headers.get("authorization", "")
        if not auth:
            return _Answer(200, _err("not_authed"))
        if auth != f"Bearer {self.token}":
            return _Answer(200, _err("invalid_auth"))
        handler = self._handlers.get(method)
        if handler is None:
            return _Answer(200, {**_err("unknown_method"), "req_method": method})
        return _Answer(200, handler(params))

    def _take_failure(self, method: str) -> _Answer | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        if failure.status == 429:
            return _Answer(
                429,
                _err(failure.error or "ratelimited"),
                {"Retry-After": str(failure.retry_after)},
            )
        default = "fatal_error" if failure.status >= 500 else "invalid_request"
        return _Answer(failure.status, _err(failure.error or default))

    # -- ids -------------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        # Like Slack's: the posting time (the test's clock, time-machine included), unique and
        # increasing within the fake.
        micros = max(int(time.time() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_hash(self) -> str:
        digest = hashlib.sha1(str(next(self._counter)).encode()).hexdigest()
        return f"1700000000.{digest[:8]}"

    def _next_view_id(self) -> str:
        return f"V{next(self._counter):010d}"

    # -- methods ---------------------------------------------------------------------------------

    def _auth_test(self, p: JsonDict) -> JsonDict:
        return {
            "ok": True,
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "isops-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message_problem(self, p: JsonDict) -> JsonDict | None:
        if not p.get("channel"):
            return _err("channel_not_found")
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            return _err("no_text")
        problems = message_problems(p)
        return _err("invalid_blocks", *problems) if problems else None

    def _message(self, p: JsonDict, ts: str) -> JsonDict:
        message: JsonDict = {
            "user": BOT_USER_ID,
            "type": "message",
            "ts": ts,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": str(p.get("text") or "")[:MAX_MESSAGE_TEXT],
            "team": TEAM_ID,
        }
        if isinstance(p.get("blocks"), list):
            message["blocks"] = _with_ids(p["blocks"])
        for key in ("attachments", "thread_ts", "metadata"):
            if p.get(key) is not None:
                message[key] = p[key]
        return message

    def _chat_post_message(self, p: JsonDict) -> JsonDict:
        problem = self._message_problem(p)
        if problem is not None:
            return problem
        ts = self._next_ts()
        channel = _channel_id(str(p["channel"]))
        message = self._message(p, ts)
        self._known_channels.add(channel)
        self._messages.setdefault(channel, []).append(message)
        body: JsonDict = {"ok": True, "channel": channel, "ts": ts, "message": message}
        if len(str(p.get("text") or "")) > MAX_MESSAGE_TEXT:
            body["response_metadata"] = {
                "messages": [
                    "[WARN] Your message was truncated but still posted. "
                    "The `text` field accepts up to 40,000 characters."
                ],
                "warnings": ["message_truncated"],
            }
        return body

    def _chat_post_ephemeral(self, p: JsonDict) -> JsonDict:
        problem = self._message_problem(p)
        if problem is not None:
            return problem
        if not p.get("user"):
            return _err("user_not_found")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, p: JsonDict) -> JsonDict:
        if not p.get("ts"):
            return _err("message_not_found")
        problem = self._message_problem(p)
        if problem is not None:
            return problem
        ts = str(p["ts"])
        message = self._message(p, ts)
        stored = self._messages.get(str(p["channel"]), [])
        for i, old in enumerate(stored):
            if old["ts"] == ts:
                # An update keeps the message's metadata unless it sends new metadata.
                if "metadata" in old and "metadata" not in message:
                    message["metadata"] = old["metadata"]
                stored[i] = message
        return {
            "ok": True,
            "channel": str(p["channel"]),
            "ts": ts,
            "text": str(p.get("text") or ""),
            "message": message,
        }

    def _chat_delete(self, p: JsonDict) -> JsonDict:
        if not p.get("channel"):
            return _err("channel_not_found")
        if not p.get("ts"):
            return _err("message_not_found")
        stored = self._messages.get(str(p["channel"]), [])
        stored[:] = [m for m in stored if m["ts"] != str(p["ts"])]
        return {"ok": True, "channel": str(p["channel"]), "ts": str(p["ts"])}

    def _views_write(self, method: str, p: JsonDict) -> JsonDict:
        view = p.get("view")
        if view is None:
            return _err("invalid_arguments", "[ERROR] missing required field: view")
        if method in ("views.open", "views.push") and not p.get("trigger_id"):
            return _err("invalid_arguments", "[ERROR] missing required field: trigger_id")
        if method == "views.publish" and not p.get("user_id"):
            return _err("invalid_arguments", "[ERROR] missing required field: user_id")
        problems = view_problems(view)
        if not problems and isinstance(view, Mapping):
            wanted = "home" if method == "views.publish" else "modal"
            if method != "views.update" and view.get("type") != wanted:
                problems = [f"[ERROR] must be {wanted} [json-pointer:/view/type]"]
        if problems or not isinstance(view, Mapping):
            return _err("invalid_arguments", *problems)

        previous: JsonDict | None = None
        if method == "views.update":
            view_id = p.get("view_id")
            external_id = p.get("external_id")
            if not view_id and not external_id:
                return _err("invalid_arguments", "[ERROR] view_id or external_id is required")
            previous = self._views.get(str(view_id)) if view_id else None
            if previous is None and external_id:
                previous = next(
                    (v for v in self._views.values() if v.get("external_id") == external_id), None
                )
            if previous is None:
                return _err("not_found")
            if p.get("hash") and p["hash"] != previous["hash"]:
                return _err("hash_conflict")
            view_id = previous["id"]
        elif method == "views.publish":
            user_id = str(p["user_id"])
            view_id = self._home_view_ids.setdefault(user_id, self._next_view_id())
        else:
            view_id = self._next_view_id()

        echo: JsonDict = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type"),
            "blocks": _with_ids(view.get("blocks") or []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._next_hash(),
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous.get("previous_view_id") if previous else None,
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = echo
        return {"ok": True, "view": echo}

    def _conversations_open(self, p: JsonDict) -> JsonDict:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": str(p["channel"])}}
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if not users:
            return _err("users_list_not_supplied")
        channel = _channel_id(users[0]) if len(users) == 1 else "G" + "".join(users)
        self._known_channels.add(channel)
        return {"ok": True, "channel": {"id": channel}}

    def _conversations_history(self, p: JsonDict) -> JsonDict:
        """Newest first, between `oldest` and `latest` (exclusive unless `inclusive`), pages of
        `limit` with a cursor; metadata only with `include_all_metadata` (as Slack does)."""
        channel = str(p.get("channel") or "")
        if not channel:
            return _err("channel_not_found")
        if channel not in self._known_channels:
            return _err("channel_not_found")
        inclusive = _flag(p.get("inclusive"))
        oldest = float(p.get("oldest") or 0)
        latest = float(p["latest"]) if p.get("latest") else float("inf")
        limit = max(1, min(int(p.get("limit") or 100), 999))
        start = 0
        if p.get("cursor"):
            try:
                start = int(base64.b64decode(str(p["cursor"])).decode().removeprefix("next:"))
            except ValueError:
                return _err("invalid_cursor")

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        with_metadata = _flag(p.get("include_all_metadata"))
        found = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in reversed(self._messages.get(channel, []))
            if within(float(m["ts"]))
        ]
        page = found[start : start + limit]
        has_more = start + limit < len(found)
        body: JsonDict = {
            "ok": True,
            "messages": page,
            "has_more": has_more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if has_more:
            cursor = base64.b64encode(f"next:{start + limit}".encode()).decode()
            body["response_metadata"] = {"next_cursor": cursor}
        return body

    # -- files: the external upload flow -----------------------------------------------------------

    def _files_get_upload_url_external(self, p: JsonDict) -> JsonDict:
        filename = str(p.get("filename") or "")
        if not filename:
            return _err("invalid_arguments", "[ERROR] missing required field: filename")
        try:
            length = int(p.get("length") or 0)
        except ValueError:
            return _err("invalid_arguments", "[ERROR] length must be an integer")
        if length <= 0:
            return _err("missing_argument")  # Slack: "typically only when `length` is 0"
        alt_txt = p.get("alt_txt")
        if alt_txt is not None and len(str(alt_txt)) > MAX_ALT_TEXT:
            return _err("alt_txt_too_large")
        file_id = f"F{next(self._counter):010d}"
        self._uploads[file_id] = Upload(
            file_id, filename, length, None if alt_txt is None else str(alt_txt)
        )
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _file_upload(self, file_id: str, raw: bytes) -> _Answer:
        upload = self._uploads.get(file_id)
        if upload is None or upload.completed:
            return _Answer(404, {}, text="Not Found")
        upload.content = raw
        return _Answer(200, {}, text=f"OK - {len(raw)}")

    def _files_complete_upload_external(self, p: JsonDict) -> JsonDict:
        files = p.get("files")
        if not isinstance(files, list) or not files:
            return _err("invalid_arguments", "[ERROR] missing required field: files")
        channel = p.get("channel_id")
        if channel is not None and not str(channel).startswith(("C", "D", "G")):
            return _err("channel_not_found")  # a channel id, not a user id (conversations.open)
        found: list[Upload] = []
        for item in files:
            upload = self._uploads.get(str((item or {}).get("id") or ""))
            # Bytes never POSTed (or of another length): Slack finds no file to complete.
            if upload is None or upload.content is None or len(upload.content) != upload.length:
                return _err("file_not_found")
            found.append(upload)
        for item, upload in zip(files, found, strict=True):
            upload.completed = True
            upload.title = str(item.get("title") or upload.filename)
        shared: JsonDict = {}
        if channel is not None:
            channel = str(channel)
            ts = self._next_ts()
            message: JsonDict = {
                "user": BOT_USER_ID,
                "type": "message",
                "subtype": "file_share",
                "ts": ts,
                "bot_id": BOT_ID,
                "text": str(p.get("initial_comment") or ""),
                "files": [self._file_object(u) for u in found],
                "upload": True,
            }
            if p.get("thread_ts"):
                message["thread_ts"] = str(p["thread_ts"])
            self._known_channels.add(channel)
            self._messages.setdefault(channel, []).append(message)
            for upload in found:
                upload.channel = channel
                upload.initial_comment = p.get("initial_comment")
                upload.thread_ts = p.get("thread_ts")
                upload.message_ts = ts
            shared = {channel: [{"ts": ts}]}
        return {
            "ok": True,
            "files": [
                {**self._file_object(u), "shares": {"private": shared} if shared else {}}
                for u in found
            ],
        }

    def _file_object(self, upload: Upload) -> JsonDict:
        name = upload.filename
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        return {
            "id": upload.file_id,
            "name": name,
            "title": upload.title or name,
            "filetype": filetype,
            "mimetype": "image/png" if filetype == "png" else "application/octet-stream",
            "size": upload.length,
            "alt_txt": upload.alt_txt,
            "user": BOT_USER_ID,
        }

    def _user_answer(self, user: JsonDict, p: JsonDict) -> JsonDict:
        user = dict(user)
        # Slack returns locale only when asked; slack_sdk sends booleans as "1"/"0".
        if str(p.get("include_locale", "")).lower() not in ("1", "true"):
            user.pop("locale", None)
        return {"ok": True, "user": user}

    def _users_info(self, p: JsonDict) -> JsonDict:
        user = self._users.get(str(p.get("user") or ""))
        return self._user_answer(user, p) if user else _err("user_not_found")

    def _users_lookup_by_email(self, p: JsonDict) -> JsonDict:
        email = str(p.get("email") or "").lower()
        for user in self._users.values():
            if email and str(user["profile"].get("email", "")).lower() == email:
                return self._user_answer(user, p)
        return _err("users_not_found")


def _parse_params(query: str, raw: bytes, content_type: str) -> tuple[JsonDict, str | None]:
    """Merge query string and body (form or JSON) params; JSON-in-form fields are decoded."""
    params: JsonDict = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    ctype = content_type.split(";")[0].strip().lower()
    text = raw.decode("utf-8", errors="replace")
    if ctype == "application/json" and text.strip():
        try:
            body = json.loads(text)
        except json.JSONDecodeError:
            return params, "invalid_json"
        if not isinstance(body, dict):
            return params, "invalid_json"
        params.update(body)
    elif ctype == "application/x-www-form-urlencoded":
        params.update({k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()})
    for key in _JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            # Undecodable text stays text; the block checks then report it.
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)
    return params, None


def _flag(value: Any) -> bool:
    # slack_sdk sends booleans as "1"/"0" (form) or true/false (JSON).
    return value is True or str(value).lower() in ("1", "true")


def _drop(req: BaseHTTPRequestHandler) -> None:
    """Close the client's connection without an answer."""
    req.close_connection = True
    with contextlib.suppress(OSError):
        req.connection.shutdown(socket.SHUT_RDWR)


def _channel_id(channel: str) -> str:
    # Posting to a user ID lands in the app's DM with that user, as conversations.open returns.
    return "D" + channel if channel[:1] in ("U", "W") else channel


def _with_ids(blocks: list[Any]) -> list[Any]:
    """Copy of blocks with the block_id / action_id Slack fills in when the app left them out."""

    def auto_id(obj: Any, salt: str) -> str:
        digest = hashlib.sha1(f"{salt}:{json.dumps(obj, sort_keys=True)}".encode()).hexdigest()
        return digest[:5]

    def element(el: Any, salt: str) -> Any:
        interactive = isinstance(el, dict) and el.get("type") not in _NOT_INTERACTIVE
        if interactive and "action_id" not in el:
            return {**el, "action_id": auto_id(el, salt)}
        return el

    out: list[Any] = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            out.append(block)
            continue
        block = dict(block)
        block.setdefault("block_id", auto_id(block, str(i)))
        if block.get("type") == "actions" and isinstance(block.get("elements"), list):
            block["elements"] = [element(e, f"{i}.{j}") for j, e in enumerate(block["elements"])]
        for key in ("accessory", "element"):
            if key in block:
                block[key] = element(block[key], f"{i}.{key}")
        out.append(block)
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean
