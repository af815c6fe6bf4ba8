"""Socket Mode (`isops serve` with SLACK_APP_TOKEN): Slack's traffic over a WebSocket.

Bolt's Socket Mode handler on slack_sdk's built-in client: it calls `apps.connections.open`
through the bot's Web API client (so SLACK_API_URL applies), acknowledges each envelope when
a listener acks, and opens a new connection by itself when Slack sends `disconnect`.
"""

from __future__ import annotations

import json

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

# After Slack's `disconnect`, slack_sdk 3.48's built-in client opens the new connection and then
# closes the old one, which waits until the old connection's blocked read times out (3 s); until
# then nothing is read on the new connection, so envelopes Slack sends right after a refresh
# would be acknowledged after Slack's 3 s (tests/bot/test_socket_mode.py). Once the old
# connection has delivered `disconnect`, its reads time out at once, and the switch takes
# milliseconds.
RETIRING_CONNECTION_READ_TIMEOUT = 0.05  # seconds


def build_socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """A Socket Mode handler for `app` (not yet connected)."""
    handler = SocketModeHandler(app, app_token)
    client = handler.client

    def shorten_reads_of_the_retiring_connection(message: str) -> None:
        # Runs on the thread that read `message`, before it reads again; the reconnect has not
        # replaced `current_session` yet (it first calls apps.connections.open and connects).
        if '"disconnect"' not in message:
            return
        try:
            kind = json.loads(message).get("type")
        except ValueError:
            return
        session = client.current_session
        sock = session.sock if session is not None else None
        if kind == "disconnect" and sock is not None:
            sock.settimeout(RETIRING_CONNECTION_READ_TIMEOUT)

    client.on_message_listeners.append(shorten_reads_of_the_retiring_connection)
    return handler
