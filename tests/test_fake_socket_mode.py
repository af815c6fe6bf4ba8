"""Tests of the fake Socket Mode server itself, driven by a plain WebSocket client as the app."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.fake_slack import SlackRequestSender
from tests.fake_slack.socket_mode import APP_TOKEN, SocketModeSlack

BOT_TOKEN = "xoxb-test"


@pytest.fixture
def fake() -> Iterator[SocketModeSlack]:
    with SocketModeSlack(token=BOT_TOKEN, app_token=APP_TOKEN) as server:
        yield server


@contextmanager
def _open(fake: SocketModeSlack) -> Iterator[ClientConnection]:
    """apps.connections.open as the app calls it, then the WebSocket and its hello."""
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    with connect(url, compression=None) as websocket:
        assert json.loads(websocket.recv(timeout=5))["type"] == "hello"
        yield websocket


def _receive(websocket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(websocket.recv(timeout=5))
    return message


def test_connections_open_takes_the_app_token_only(fake: SocketModeSlack) -> None:
    client = WebClient(base_url=fake.api_url)
    for token, error in ((BOT_TOKEN, "not_allowed_token_type"), ("xapp-1-other", "invalid_auth")):
        with pytest.raises(SlackApiError) as refused:
            client.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    opened = client.apps_connections_open(app_token=APP_TOKEN)
    assert str(opened["url"]).startswith("ws://127.0.0.1:")
    assert WebClient(base_url=fake.api_url, token=BOT_TOKEN).auth_test()["ok"]  # bot token still
    assert [c.method for c in fake.calls].count("apps.connections.open") == 3


def test_a_connection_url_opens_one_connection(fake: SocketModeSlack) -> None:
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    with connect(url, compression=None) as websocket:
        hello = _receive(websocket)
        assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A111"}
        with pytest.raises(InvalidStatus):  # a used ticket, as Slack's URLs are one-time
            connect(url, compression=None)
    with pytest.raises(InvalidStatus):
        connect(fake.socket.ws_url + "?ticket=made-up", compression=None)
    assert len(fake.socket.connections) == 1


def test_acks_are_recorded_and_after_disconnect_envelopes_wait_for_the_next_connection(
    fake: SocketModeSlack,
) -> None:
    socket = fake.socket
    with _open(fake) as first:
        socket.wait_for_connections(1)
        event = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_home_opened"}}
        envelope_id = socket.send("events_api", event)
        assert _receive(first) == {
            "envelope_id": envelope_id,
            "payload": event,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        first.send(json.dumps({"envelope_id": envelope_id}))
        acked = socket.wait_for_ack(envelope_id)
        assert (acked.connection, len(acked.acks), acked.acks[0].payload) == (1, 1, None)
        assert acked.ack_seconds is not None and acked.ack_seconds >= 0

        assert socket.disconnect() == 1
        assert _receive(first)["type"] == "disconnect"
        sent: dict[str, str] = {}  # sent while the app reconnects: held for the next connection
        command = threading.Thread(
            target=lambda: sent.update(id=socket.send("slash_commands", {"command": "/isops"}))
        )
        command.start()
        with _open(fake) as second:
            message = _receive(second)
            command.join(5)
            assert message["envelope_id"] == sent["id"]
            assert message["accepts_response_payload"] is True
            second.send(json.dumps({"envelope_id": sent["id"], "payload": {"text": "ok"}}))
            assert socket.wait_for_ack(sent["id"]).acks[0].payload == {"text": "ok"}
            assert [e.connection for e in socket.envelopes] == [1, 2]
    assert socket.wait_for_closed(1).disconnect_reason == "refresh_requested"
    assert socket.wait_for_closed(2).disconnect_reason is None
    assert socket.unexpected_messages == []


def test_the_ingress_delivers_slacks_requests_as_envelopes_and_answers_with_the_ack(
    fake: SocketModeSlack,
) -> None:
    socket = fake.socket
    received: list[dict[str, Any]] = []
    with _open(fake) as app:

        def acknowledge_each() -> None:
            for _ in range(3):
                envelope = _receive(app)
                received.append(envelope)
                reply = {"seen": envelope["type"]} if envelope["type"] != "events_api" else None
                app.send(json.dumps({"envelope_id": envelope["envelope_id"], "payload": reply}))

        worker = threading.Thread(target=acknowledge_each)
        worker.start()
        sender = SlackRequestSender(socket.ingress_url, "unused-in-socket-mode")
        command = sender.command("/isops", "help", user_id="U1")
        view = {"id": "V1", "callback_id": "cb", "blocks": []}
        submitted = sender.view_submission(user_id="U1", view=view, values={})
        event = sender.event({"type": "app_home_opened", "user": "U1"}, event_id="Ev9", retry_num=1)
        worker.join(5)

    assert (command.status, command.json) == (200, {"seen": "slash_commands"})
    assert (submitted.status, submitted.json) == (200, {"seen": "interactive"})
    assert (event.status, event.body) == (200, "")
    slash, interactive, events = received
    assert slash["payload"]["command"] == "/isops" and slash["payload"]["text"] == "help"
    assert interactive["payload"]["type"] == "view_submission"
    assert interactive["accepts_response_payload"] is True
    assert events["payload"]["event_id"] == "Ev9"
    assert (events["retry_attempt"], events["retry_reason"]) == (1, "http_timeout")
