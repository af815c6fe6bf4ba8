"""Clicks on the bot's messages over HTTP and what comes back, shared by the HTTP test files:
a signed button click (on a message or in an ephemeral list), the reply to its response_url,
waiting for a matching Slack call, the action ids and button values a payload offers, and two
requests released at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.fake_slack import RecordedCall, SentResponse
from tests.harness import BotHarness


def await_call(bot: BotHarness, method: str, match: Callable[[RecordedCall], bool]) -> RecordedCall:
    """The first call to `method` that `match`es, waiting for it (wait_for times out)."""
    count = 1
    while True:
        calls = bot.fake.wait_for(method, count=count)
        for call in calls:
            if match(call):
                return call
        count = len(calls) + 1


def click(
    bot: BotHarness,
    *,
    user: str,
    action_id: str,
    message: dict[str, Any],
    channel: str,
    **kw: Any,
) -> tuple[SentResponse, str]:
    """Click `action_id` on `message` in `channel` as `user`; the answer must be 200. Returns
    the answer and the click's response_url."""
    response_url = bot.response_url()
    answer = bot.sender.block_actions(
        user_id=user,
        actions=[{"action_id": action_id}],
        message=message,
        channel_id=channel,
        response_url=response_url,
        **kw,
    )
    assert answer.status == 200
    return answer, response_url


def reply_to(bot: BotHarness, response_url: str) -> RecordedCall:
    """What the bot posted to this response_url, waiting for it."""
    path = response_url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    return await_call(bot, "response_url", lambda c: c.path == f"/{path}")


def _action_elements(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The elements of the payload's actions blocks, in order."""
    return [
        e
        for b in payload.get("blocks") or []
        if b.get("type") == "actions"
        for e in b.get("elements") or []
    ]


def action_ids(payload: dict[str, Any]) -> list[str]:
    """The action ids of the elements in the payload's actions blocks, in order."""
    return [str(e.get("action_id")) for e in _action_elements(payload)]


def click_in_list(bot: BotHarness, *, user: str, action_id: str, block_id: str, value: str) -> str:
    """Click a button in an ephemeral list (a slash command's answer): Slack sends no message
    then, only the response_url. The answer must be 200; returns the response_url."""
    response_url = bot.response_url()
    answer = bot.sender.block_actions(
        user_id=user,
        actions=[{"action_id": action_id, "block_id": block_id, "type": "button", "value": value}],
        response_url=response_url,
    )
    assert answer.status == 200
    return response_url


def button_values(payload: dict[str, Any], action_id: str | None = None) -> list[str]:
    """The values of the elements in the payload's actions blocks (only `action_id`'s when
    given), in order."""
    return [
        str(e.get("value"))
        for e in _action_elements(payload)
        if action_id is None or e.get("action_id") == action_id
    ]


def at_once(**requests: Callable[[], Any]) -> dict[str, Any]:
    """Run each request in its own thread, all released at the same instant; returns what each
    returned, by name."""
    barrier = threading.Barrier(len(requests))
    answers: dict[str, Any] = {}

    def run(name: str, request: Callable[[], Any]) -> None:
        barrier.wait(10)
        answers[name] = request()

    threads = [threading.Thread(target=run, args=item) for item in requests.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers
