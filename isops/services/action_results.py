"""What logging a touch returns: the `ActionResult` the rep's confirmation shows (JSON-safe:
it travels through the outbox as the ACTION_LOGGED payload), and how it is made of a touch and
its lead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from isops.enums import Channel, Outcome
from isops.models import Action, Lead
from isops.rules import FiveC2M, Targets, chases_5c2m

ACTION_LOGGED = "action_logged"  # outbox kind: the rep's confirmation with coaching


class HandedOff(BaseModel):
    """The hand-off to FS a log of status 5 created, for the rep's confirmation."""

    model_config = ConfigDict(frozen=True)

    fs_name: str
    meeting_at: dt.datetime
    meeting_mode: str  # MeetingMode's value


class ActionResult(BaseModel):
    """What was recorded, and the coaching the confirmation shows (JSON-safe for the outbox)."""

    model_config = ConfigDict(frozen=True)

    action_id: int
    duplicate: bool = False
    lead_id: int
    company: str
    contact_name: str | None
    channel: Channel
    outcome: Outcome
    acted_at: dt.datetime
    status_before: int
    status_after: int
    priority: int | None
    next_action_date: dt.date | None
    changed: tuple[str, ...] = ()
    calls: int
    mails: int
    target_calls: int
    target_mails: int
    # Rule 4, early persistence: actions within N days of CV (None when outside the window).
    early_actions: int | None = None
    early_target: int = 0
    early_window_days: int = 0
    # Rule 1: set on the first action of an inbound lead.
    inbound_deadline: dt.date | None = None
    inbound_deadline_met: bool | None = None
    review_requested: bool = False
    review_withdrawn: bool = False
    reason_code: str | None = None
    focus_max_days: int = 60
    backdated: bool = False  # the rep gave 実施日時 (a touch logged late)
    timezone: str | None = None  # the rep's zone (IANA name), to show times as they read them
    handoff: HandedOff | None = None  # status 5: the hand-off created with this log
    # The lead is an item of its owner's morning DM of today: the DM is updated in place.
    updates_morning_dm: bool = False

    @property
    def five_c2m(self) -> FiveC2M:
        return FiveC2M(self.calls, self.mails, self.target_calls, self.target_mails)

    @property
    def chases_5c2m(self) -> bool:
        return chases_5c2m(self.status_after)


def confirmation_payload(
    result: ActionResult, slack_user_id: str, reply_to: str | None
) -> dict[str, Any]:
    """The outbox payload of the rep's confirmation (`reply_to`: where the rep logged from)."""
    return {
        "slack_user_id": slack_user_id,
        "reply_to": reply_to,
        "result": result.model_dump(mode="json"),
    }


def result_of(action: Action, lead: Lead, targets: Targets, **fields: Any) -> ActionResult:
    """An `ActionResult` of this touch on this lead (its counters as they are now)."""
    return ActionResult(
        action_id=action.id,
        lead_id=lead.id,
        company=lead.company,
        contact_name=lead.contact_name,
        channel=action.channel,
        outcome=action.outcome,
        acted_at=action.acted_at,
        calls=lead.call_count,
        mails=lead.mail_count,
        target_calls=targets.calls,
        target_mails=targets.mails,
        **fields,
    )
