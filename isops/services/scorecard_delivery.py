"""The weekly scorecard in the outbox: one notification per member and week, ever.

On the first business morning of a week (team time zone, from ISOPS_REMIND_AT until
ISOPS_REMIND_CATCHUP_UNTIL) the job computes the previous week's scorecards and stores each
member's with the unique key `scorecard:<member id>:<YYYY-Www>` (`INSERT … ON CONFLICT DO
NOTHING`, as the morning DM): the run or process that inserts it owns that member's week; later
runs, restarts and other processes find it taken, and members already queued are not even
computed again. A member away every business day of the week gets a settled row (nothing to
send, the key taken). The outbox then sends each once, waiting out 429s and retrying errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from isops.models import Member, Notification
from isops.services import outbox
from isops.services.scorecard_weeks import Week
from isops.unit_of_work import UnitOfWork

KIND_SCORECARD = "scorecard"
# A scorecard sent by hand (`isops scorecard --week`) is worth sending for at least this long.
BY_HAND_WINDOW = dt.timedelta(hours=1)


def scorecard_key(member_id: int, week: Week) -> str:
    return f"{KIND_SCORECARD}:{member_id}:{week.label}"


@dataclass(frozen=True)
class ScorecardMessage:
    """One member's scorecard DM for one week; `message` None: nothing to send (away).

    `chart` is the trend's data (`TrendChart.to_payload()`): the sender draws the PNG, so a
    retry sends the same picture without the bytes sitting in the database."""

    member_id: int
    slack_user_id: str
    week: Week
    message: dict[str, Any] | None
    chart: dict[str, Any] | None = None
    chart_heading: str = ""

    @property
    def key(self) -> str:
        return scorecard_key(self.member_id, self.week)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "member_id": self.member_id,
            "slack_user_id": self.slack_user_id,
            "week": self.week.label,
        }
        if self.message is not None:
            data.update(text=self.message["text"], blocks=self.message["blocks"])
        if self.chart is not None:
            data.update(chart=self.chart, chart_heading=self.chart_heading)
        return data


def active_member_ids(uow: UnitOfWork) -> set[int]:
    """Everyone who may get a scorecard (the computation decides who does)."""
    with uow:
        return set(uow.session.scalars(select(Member.id).where(Member.active.is_(True))))


def queued_members(uow: UnitOfWork, *, member_ids: Iterable[int], week: Week) -> set[int]:
    """Members whose scorecard of `week` is stored already (in any state)."""
    by_key = {scorecard_key(m, week): m for m in member_ids}
    if not by_key:
        return set()
    with uow:
        keys = uow.session.scalars(
            select(Notification.delivery_key).where(Notification.delivery_key.in_(sorted(by_key)))
        ).all()
    return {by_key[key] for key in keys}


def enqueue_scorecards(
    uow: UnitOfWork,
    *,
    messages: Sequence[ScorecardMessage],
    now: dt.datetime,
    expires_at: dt.datetime,
    by_hand: bool = False,
) -> set[str]:
    """Store each member's scorecard unless their week has one; returns the keys this call
    stored. One transaction, members in id order (two runs never wait on each other
    crosswise)."""
    if by_hand:
        expires_at = max(expires_at, now + BY_HAND_WINDOW)
    stored: set[str] = set()
    with uow:
        for item in sorted(messages, key=lambda m: m.member_id):
            if outbox.enqueue_once(
                uow,
                kind=KIND_SCORECARD,
                key=item.key,
                payload=item.payload(),
                now=now,
                expires_at=expires_at,
                settled=item.message is None,
            ):
                stored.add(item.key)
        uow.commit()
    return stored
