"""The README's first-try path: the bot in Socket Mode, wired as `isops serve` wires it, against
the fake Socket Mode server. A slash command, a view submission and an event arrive as
envelopes and each is acknowledged within Slack's 3 s; Slack's `disconnect` arrives while a
submission is in flight, the bot opens a new connection by itself, and no envelope is handled
twice or lost — on SQLite and PostgreSQL.

(That Socket Mode's HTTP server serves no /slack/events is
tests/bot/test_error_paths.py::test_socket_mode_http_server_does_not_serve_slack_requests.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot import ids
from isops.models import Lead
from tests import factories
from tests.bot.modal_state import fill
from tests.fake_slack import SentResponse
from tests.fake_slack.socket_mode import ACK_DEADLINE
from tests.socket_mode_harness import SocketModeHarness, running_socket_mode_bot


@pytest.fixture
def socket_bot(database_url: str) -> Iterator[SocketModeHarness]:
    with running_socket_mode_bot(database_url) as bot:
        factories.manager_with_reps(bot.uow)
        yield bot


def _help(bot: SocketModeHarness) -> None:
    """`/isops help`: acknowledged, then answered on the command's response_url."""
    before = len(bot.fake.calls_to("response_url"))
    assert bot.command("/isops", "help", user_id="UR1").status == 200
    reply = bot.fake.wait_for("response_url", count=before + 1)[before]
    assert "/lead" in reply.params["text"]


def _open_lead_modal(bot: SocketModeHarness) -> dict[str, Any]:
    view = bot.open_modal("/lead", user_id="UR1")
    assert view["callback_id"] == ids.LEAD_CREATE_VIEW
    return view


def _submit_lead(bot: SocketModeHarness, view: dict[str, Any], company: str) -> SentResponse:
    values = fill(view, lead_company=company)
    return bot.sender.view_submission(user_id="UR1", view=view, values=values)


def _open_home(bot: SocketModeHarness, event_id: str, **kw: Any) -> SentResponse:
    event = {"type": "app_home_opened", "user": "UR1", "channel": "DUR1", "tab": "home"}
    return bot.sender.event(event, event_id=event_id, **kw)


def test_envelopes_are_acked_in_time_and_handled_once_across_a_reconnect(
    socket_bot: SocketModeHarness,
) -> None:
    bot = socket_bot
    socket = bot.socket
    # Only what the listeners do is counted below: no outbox sending (a new lead's Home
    # refresh would be one more views.publish).
    bot.runtime.outbox.stop()

    # On the first connection: a slash command, a view submission that writes to the
    # database, and an event.
    _help(bot)
    created = _submit_lead(bot, _open_lead_modal(bot), "株式会社ソケット一")
    assert created.json is not None and created.json["response_action"] == "update"
    assert _open_home(bot, "EvHOME1").status == 200
    bot.fake.wait_for("views.publish", count=1)

    # Slack asks for a new connection while a submission is on its way to the bot, and a
    # command comes right after (Slack holds it for the new connection).
    view = _open_lead_modal(bot)
    in_flight: dict[str, SentResponse] = {}
    sent_before = len(socket.envelopes)
    submit = threading.Thread(
        target=lambda: in_flight.update(answer=_submit_lead(bot, view, "株式会社ソケット二"))
    )
    submit.start()
    socket.wait_for_envelopes(sent_before + 1)
    assert socket.disconnect("refresh_requested") == 1
    _help(bot)
    submit.join(15)
    answer = in_flight["answer"].json
    assert answer is not None and answer["response_action"] == "update"

    # On the new connection: an event, and Slack's retry of the first one (handled already).
    assert _open_home(bot, "EvHOME2").status == 200
    bot.fake.wait_for("views.publish", count=2)
    assert _open_home(bot, "EvHOME1", retry_num=1, retry_reason="timeout").status == 200

    # The bot asked apps.connections.open for a new URL, connected, and closed the old socket.
    assert socket.wait_for_closed(1).disconnect_reason == "refresh_requested"
    assert len(bot.fake.calls_to("apps.connections.open")) >= 2
    envelopes = socket.envelopes
    assert [e.connection for e in envelopes[: sent_before + 1]] == [1] * (sent_before + 1)
    assert all(e.connection > 1 for e in envelopes[sent_before + 1 :])

    # Stop the bot: every listener has finished, so the effects below are final.
    bot.runtime.stop()
    assert len(envelopes) == 9  # help, lead, submit, home; lead, submit, help, home, retry
    for envelope in envelopes:
        assert len(envelope.acks) == 1, envelope
        seconds = envelope.ack_seconds
        assert seconds is not None and seconds <= ACK_DEADLINE, (envelope.type, seconds)
    assert socket.unexpected_messages == []
    with bot.uow() as uow:
        companies = uow.session.scalars(select(Lead.company).order_by(Lead.id)).all()
    assert companies == ["株式会社ソケット一", "株式会社ソケット二"]
    assert len(bot.fake.calls_to("response_url")) == 2  # two /isops help
    assert len(bot.fake.calls_to("views.open")) == 2  # two /lead
    assert len(bot.fake.calls_to("views.publish")) == 2  # the retried event is not re-run
