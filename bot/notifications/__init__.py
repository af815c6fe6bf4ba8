"""Outbox senders, one module per notification kind; `register_senders` wires them."""

from __future__ import annotations

from bot.notifications import (
    assignment,
    cases,
    handoffs,
    live_lists,
    log_confirmation,
    morning,
    reassign,
    reviews,
    scorecard,
)
from bot.outbox import OutboxDispatcher


def register_senders(outbox: OutboxDispatcher) -> None:
    """Register every feature's sender on `outbox`."""
    reviews.register(outbox)
    assignment.register(outbox)
    log_confirmation.register(outbox)
    morning.register(outbox)
    cases.register(outbox)
    handoffs.register(outbox)
    scorecard.register(outbox)
    reassign.register(outbox)
    live_lists.register(outbox)
