"""The 「期限超過を振り分ける」 button of the lists' focus section: spread the clicker's overdue
dates. Answered in place: an ephemeral reply where there is a response_url (`/isops today`),
else the Home or list modal it came from is redrawn through the outbox."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from slack_bolt import Ack, Respond

from bot.blocks.today_list import build_reschedule_result
from bot.deps import Deps
from bot.listeners.actions.quick_log import open_list_of
from bot.listeners.errors import reports_errors
from isops.services.reschedule import reschedule_overdue


class RescheduleClick(BaseModel):
    """Only who clicked matters: whose leads move is decided from the database."""

    user_id: str

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> RescheduleClick:
        return cls(user_id=body["user"]["id"])


@reports_errors
def handle_reschedule_overdue(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Move the clicking rep's overdue focus leads to upcoming business days (a non-member
    is told why not, by the decorator)."""
    ack()
    click = RescheduleClick.from_body(body)
    result = reschedule_overdue(
        deps.uow(),
        slack_user_id=click.user_id,
        calendar=deps.calendar,
        open_list=open_list_of(body),
    )
    deps.wake_outbox()
    if body.get("response_url"):
        respond(**build_reschedule_result(result))
