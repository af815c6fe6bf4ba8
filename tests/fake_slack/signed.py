"""Send requests to the bot's HTTP endpoint signed exactly as Slack signs them.

Bodies follow shared/slack-fixtures: slash commands are plain form fields, interactive payloads are
one form field ``payload=<JSON>``, events are a JSON body. Each request carries
``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` (v0 HMAC-SHA256 over ``v0:{ts}:{body}``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

JsonDict = dict[str, Any]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Port 9 (discard) on loopback: a bot that answers a payload without a real response_url fails
# fast and locally instead of reaching hooks.slack.com.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/unset"


@dataclass(frozen=True)
class SentResponse:
    """The bot's HTTP answer. ``headers`` keys are lower-case; ``json`` is None if not JSON."""

    status: int
    body: str
    json: Any | None
    headers: dict[str, str]


def state_value(kind: str, value: Any, *, text: str | None = None) -> JsonDict:
    """One ``state.values[block_id][action_id]`` entry as Slack sends it.

    ``value``: plain_text_input/number_input a string (numbers are sent as strings);
    static_select/external_select/radio_buttons an option value (``text`` defaults to it; None = nothing
    selected, sent as ``selected_option: null``); datepicker a ``date`` or "YYYY-MM-DD";
    timepicker "HH:MM"; datetimepicker an aware ``datetime`` or a UNIX time; checkboxes a
    list of values or ``(text, value)`` pairs.
    """
    if kind in ("plain_text_input", "number_input"):
        return {"type": kind, "value": None if value is None else str(value)}
    if kind in ("static_select", "external_select", "radio_buttons"):
        selected = None if value is None else _option(text if text is not None else value, value)
        return {"type": kind, "selected_option": selected}
    if kind == "datepicker":
        picked = value.isoformat() if isinstance(value, date) else value
        return {"type": kind, "selected_date": picked}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    if kind == "datetimepicker":
        picked = int(value.timestamp()) if isinstance(value, datetime) else value
        return {"type": kind, "selected_date_time": picked}
    if kind == "checkboxes":
        items: Sequence[str | tuple[str, str]] = value or []
        options = [_option(*i) if isinstance(i, tuple) else _option(i, i) for i in items]
        return {"type": kind, "selected_options": options}
    raise ValueError(f"unsupported element kind: {kind}")


def _option(text: str, value: str) -> JsonDict:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


class SlackRequestSender:
    """Posts signed Slack requests to ``{base_url}/slack/events``."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        path: str = "/slack/events",
        team_id: str = "T111",
        team_domain: str = "fake-workspace",
        api_app_id: str = "A111",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        timeout: float = 10.0,
    ) -> None:
        self.url = base_url.rstrip("/") + path
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.timeout = timeout
        self._verifier = SignatureVerifier(signing_secret)
        self._counter = itertools.count(1)
        # No proxies: requests go to a local bot even if http_proxy is set in the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- request kinds ---------------------------------------------------------------------------

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        channel_id: str = "C111",
        trigger_id: str | None = None,
        response_url: str | None = None,
        team_id: str | None = None,
        user_name: str | None = None,
        channel_name: str = "general",
    ) -> SentResponse:
        """A slash command, e.g. ``command("/isops", "help", user_id="U1")``."""
        fields = {
            "token": "verification_token",
            "team_id": team_id or self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or UNSET_RESPONSE_URL,
            "trigger_id": trigger_id or self._trigger_id(),
        }
        return self._send(urlencode(fields).encode(), FORM)

    def block_actions(
        self,
        *,
        user_id: str,
        actions: list[JsonDict],
        container: JsonDict | None = None,
        view: JsonDict | None = None,
        message: JsonDict | None = None,
        channel_id: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        values: JsonDict | None = None,
    ) -> SentResponse:
        """A click/select in a message (``message``/``channel_id``) or a view (``view``).

        Without ``message`` (and ``container``) the click is in an ephemeral message, which Slack
        never sends back. In a view, ``values`` (default: the view's own) is its ``state.values``.
        Missing ``block_id``/``type``/``text``/``value`` of each action are taken from the element
        with the same ``action_id`` in the message or view, so ``[{"action_id": "done"}]`` works.
        """
        payload: JsonDict = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification_token",
            "container": container,
            "trigger_id": trigger_id or self._trigger_id(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        blocks: list[Any] = []
        if view is not None:
            if values is None:
                values = (view.get("state") or {}).get("values", {})
            full = self._full_view(view, values or {})
            payload["view"] = full
            payload["container"] = container or {"type": "view", "view_id": full["id"]}
            blocks = full["blocks"]
        else:
            channel = channel_id or (container or {}).get("channel_id") or "C111"
            payload["channel"] = {"id": channel, "name": "general"}
            if message is not None:
                payload["message"] = message
                blocks = message.get("blocks") or []
            payload["container"] = container or {
                "type": "message",
                "message_ts": (message or {}).get("ts") or self._ts(),
                "channel_id": channel,
                # Ephemeral messages are not sent back to the app, so no message means ephemeral.
                "is_ephemeral": message is None,
            }
            payload["state"] = {"values": {}}
            payload["response_url"] = response_url or UNSET_RESPONSE_URL
        payload["actions"] = [self._complete_action(a, blocks) for a in actions]
        return self._send_payload(payload)

    def view_submission(
        self,
        *,
        user_id: str,
        view: JsonDict,
        values: JsonDict,
        trigger_id: str | None = None,
    ) -> SentResponse:
        """Submit ``view`` (as opened by the bot) with ``values`` as its ``state.values``."""
        payload: JsonDict = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification_token",
            "trigger_id": trigger_id or self._trigger_id(),
            "view": self._full_view(view, values),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._send_payload(payload)

    def view_closed(
        self, *, user_id: str, view: JsonDict, is_cleared: bool = False
    ) -> SentResponse:
        """``view`` (opened with ``notify_on_close``) closed by the user."""
        payload: JsonDict = {
            "type": "view_closed",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification_token",
            "view": self._full_view(view, {}),
            "is_cleared": is_cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._send_payload(payload)

    def block_suggestion(
        self,
        *,
        user_id: str,
        action_id: str,
        block_id: str,
        value: str,
        view: JsonDict | None = None,
    ) -> SentResponse:
        """An options request for an external_select (typed text in ``value``)."""
        payload: JsonDict = {
            "type": "block_suggestion",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification_token",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": {"id": self.team_id, "domain": self.team_domain},
        }
        if view is not None:
            full = self._full_view(view, (view.get("state") or {}).get("values", {}))
            payload["container"] = {"type": "view", "view_id": full["id"]}
            payload["view"] = full
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": self._ts(),
                "channel_id": "C111",
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": "C111", "name": "general"}
        return self._send_payload(payload)

    def event(
        self,
        event: JsonDict,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> SentResponse:
        """An Events API ``event_callback``; ``retry_num`` makes it a retry delivery."""
        now = int(time.time())
        envelope: JsonDict = {
            "token": "verification_token",
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{now}.{next(self._counter):06d}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(12)}",
        }
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self._send(json.dumps(envelope).encode(), JSON, headers)

    def raw(
        self,
        body: str | bytes,
        content_type: str,
        *,
        timestamp: str | int | None = None,
        signature: str | None = None,
        sign: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> SentResponse:
        """Send ``body`` as is; for bad (``signature=``), stale (``timestamp=``) or unsigned
        (``sign=False``: no signature header, and a timestamp header only if given) requests."""
        data = body.encode() if isinstance(body, str) else body
        return self._send(
            data,
            content_type,
            dict(headers or {}),
            timestamp=None if timestamp is None else str(timestamp),
            signature=signature,
            sign=sign,
        )

    # -- internals -------------------------------------------------------------------------------

    def _send_payload(self, payload: JsonDict) -> SentResponse:
        compact = json.dumps(payload, separators=(",", ":"))
        return self._send(urlencode({"payload": compact}).encode(), FORM)

    def _send(
        self,
        body: bytes,
        content_type: str,
        extra_headers: Mapping[str, str] | None = None,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        sign: bool = True,
    ) -> SentResponse:
        headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        if sign or timestamp is not None:
            # Read the clock per request so time-machine travel in a test moves it too.
            headers["X-Slack-Request-Timestamp"] = ts = timestamp or str(int(time.time()))
            if sign:
                headers["X-Slack-Signature"] = signature or str(
                    self._verifier.generate_signature(timestamp=ts, body=body)
                )
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                return _response(resp.status, resp.read(), dict(resp.headers.items()))
        except urllib.error.HTTPError as err:  # 4xx/5xx are answers too (e.g. 401 bad signature)
            with err:
                return _response(err.code, err.read(), dict(err.headers.items()))

    def _user(self, user_id: str) -> JsonDict:
        name = user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _trigger_id(self) -> str:
        return f"{int(time.time())}{next(self._counter):03d}.1111.{secrets.token_hex(16)}"

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._counter):06d}"

    def _full_view(self, view: Mapping[str, Any], values: JsonDict) -> JsonDict:
        """``view`` completed with the fields Slack adds, its state set to ``values``."""
        # A view without an id (e.g. the request params of views.open) gets one derived from its
        # content, so repeated payloads for the same view agree.
        digest = hashlib.sha1(json.dumps(view, sort_keys=True).encode()).hexdigest()
        view_id = str(view.get("id") or "V" + digest[:10].upper())
        full: JsonDict = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "hash": f"{int(time.time())}.{digest[10:18]}",
            "title": {"type": "plain_text", "text": "App", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        full.update({k: v for k, v in view.items() if k != "state"})
        full["state"] = {"values": values}
        return full

    def _complete_action(self, action: JsonDict, blocks: list[Any]) -> JsonDict:
        found = _find_element(blocks, str(action.get("action_id", "")))
        done: JsonDict = {}
        if found is not None:
            block_id, element = found
            done["block_id"] = block_id
            done["type"] = element.get("type")
            for key in ("text", "value"):
                if key in element and element.get("type") == "button":
                    done[key] = element[key]
        done.update(action)
        done.setdefault("action_ts", f"{time.time():.6f}")
        return done


def _find_element(blocks: list[Any], action_id: str) -> tuple[str, JsonDict] | None:
    """(block_id, element) of the interactive element with ``action_id``, if any."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    return None


def _response(status: int, raw: bytes, headers: Mapping[str, str]) -> SentResponse:
    body = raw.decode("utf-8", errors="replace")
    try:
        parsed: Any | None = json.loads(body) if body else None
    except json.JSONDecodeError:
        parsed = None
    return SentResponse(status, body, parsed, {k.lower(): v for k, v in headers.items()})
