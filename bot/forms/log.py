"""The log modal's form: its private metadata, its values, and parsing a submission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from bot import ids
from bot.forms import state as form_state
from bot.forms.payload_ids import DbId, SlackId
from bot.forms.state import ModalMetadata, state_values
from isops import messages
from isops.enums import OUTCOMES_BY_CHANNEL, PRIORITIES, Channel, Outcome
from isops.services.actions import MAX_MEMO, MAX_REASON_MEMO, ShownFields, memo_digest
from isops.services.leads import LeadSnapshot
from isops.text import strip_control

Mode = Literal["call", "mail", "any"]

# Service field name → the block showing it.
FIELD_BLOCKS: dict[str, str] = {
    "lead": ids.LOG_LEAD_BLOCK,
    "outcome": ids.LOG_OUTCOME_BLOCK,
    "status": ids.LOG_STATUS_BLOCK,
    "priority": ids.LOG_PRIORITY_BLOCK,
    "next_action_date": ids.LOG_NEXT_DATE_BLOCK,
    "memo": ids.LOG_MEMO_BLOCK,
    "reason_code": ids.LOG_REASON_BLOCK,
    "reason_memo": ids.LOG_REASON_MEMO_BLOCK,
    "confirm": ids.LOG_CONFIRM_BLOCK,
}
# What to say when a value does not parse (Slack checks "required" in the client already):
# the service's words where it checks the same thing (`isops.messages`).
FIELD_MESSAGES: dict[str, str] = {
    "lead_id": "リードを選んでください",
    "outcome": "結果を選んでください",
    "status": messages.CHOOSE_STATUS,
    "priority": messages.CHOOSE_PRIORITY,
    "next_action_date": "日付を選び直してください",
    "memo": messages.MEMO_TOO_LONG,
    "reason_code": "理由を選び直してください",
    "reason_memo": messages.REASON_MEMO_TOO_LONG,
}
_FORM_FIELD_TO_SERVICE = {"lead_id": "lead"}


class ShownModel(BaseModel):
    """`ShownFields` as it travels in private_metadata."""

    lead_id: DbId
    status: int | None = None
    priority: int | None = None
    next_action_date: dt.date | None = None
    memo_digest: str | None = None  # None: the memo was too long to show

    def to_domain(self) -> ShownFields:
        return ShownFields(
            lead_id=self.lead_id,
            status=self.status,
            priority=self.priority,
            next_action_date=self.next_action_date,
            memo_digest=self.memo_digest,
        )


class LogMetadata(ModalMetadata):
    """The log modal's private_metadata (well under Slack's 3,000 characters)."""

    mode: Mode = "any"
    # Where the rep logged from: a channel gets an ephemeral confirmation; None or a DM
    # ("D…") gets a DM.
    reply_to: SlackId | None = None
    shown: ShownModel | None = None
    confirm: bool = False  # the 5C2M confirmation checkbox is on the modal
    pushed: bool = False  # pushed over another modal: close the whole stack on success

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True, exclude_defaults=True)


@dataclass(frozen=True)
class LogValues:
    """Initial values of the modal's inputs (None: empty)."""

    outcome: str | None = None  # option value "call:接続"
    status: int | None = None
    priority: int | None = None
    next_action_date: dt.date | None = None
    memo: str | None = None
    reason_code: str | None = None
    reason_memo: str | None = None


def outcome_value(channel: Channel, outcome: Outcome) -> str:
    return f"{channel.value}:{outcome.value}"


def shown_for(snapshot: LeadSnapshot) -> ShownModel:
    """What the modal shows for `snapshot` (recorded to tell later what the rep changed)."""
    return ShownModel(
        lead_id=snapshot.id,
        status=snapshot.status,
        priority=snapshot.priority,
        next_action_date=snapshot.next_action_date,
        memo_digest=memo_digest(snapshot.memo) if len(snapshot.memo) <= MAX_MEMO else None,
    )


def values_for(snapshot: LeadSnapshot, *, outcome: Outcome | None = None) -> LogValues:
    """A lead's four fields as initial values (a memo too long for Slack is not shown), and
    `outcome` preselected (a list item's 📞 接続…)."""
    channel = next((ch for ch, found in OUTCOMES_BY_CHANNEL.items() if outcome in found), None)
    return LogValues(
        outcome=outcome_value(channel, outcome) if channel and outcome else None,
        status=snapshot.status,
        priority=snapshot.priority,
        next_action_date=snapshot.next_action_date,
        memo=snapshot.memo if len(snapshot.memo) <= MAX_MEMO else None,
    )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def raw_values(view: Mapping[str, Any]) -> LogValues:
    """What the modal currently holds, as initial values for a rebuilt modal."""
    state = state_values(view)

    def get(base: str) -> Any:
        field = state.get(base)
        return field.value if field is not None else None

    date_text = get(ids.LOG_NEXT_DATE_BLOCK)
    try:
        next_date = dt.date.fromisoformat(date_text) if date_text else None
    except ValueError:
        next_date = None
    return LogValues(
        outcome=get(ids.LOG_OUTCOME_BLOCK),
        status=_int(get(ids.LOG_STATUS_BLOCK)),
        priority=_int(get(ids.LOG_PRIORITY_BLOCK)),
        next_action_date=next_date,
        memo=get(ids.LOG_MEMO_BLOCK),
        reason_code=get(ids.LOG_REASON_BLOCK),
        reason_memo=get(ids.LOG_REASON_MEMO_BLOCK),
    )


def values_after_lead_change(
    current: LogValues, shown: ShownModel | None, snapshot: LeadSnapshot
) -> LogValues:
    """Initial values once the rep picks `snapshot` in the modal: the new lead's four fields,
    except what the rep already changed by hand, which is kept (never lose what they typed).
    A memo typed before picking is added under the lead's memo rather than replacing it."""
    lead = values_for(snapshot)

    def was(field: str) -> Any:  # what the modal showed (nothing before a first pick)
        return getattr(shown, field) if shown is not None else None

    def keep(now: Any, before: Any, fresh: Any) -> Any:
        return now if now is not None and now != before else fresh

    typed_memo = (current.memo or "").strip()
    memo = lead.memo
    if typed_memo and memo_digest(current.memo or "") != was("memo_digest"):
        if lead.memo and typed_memo not in lead.memo:
            memo = f"{lead.memo}\n{typed_memo}"
        elif not lead.memo:
            memo = typed_memo
    return replace(
        current,
        status=keep(current.status, was("status"), lead.status),
        priority=keep(current.priority, was("priority"), lead.priority),
        next_action_date=keep(
            current.next_action_date, was("next_action_date"), lead.next_action_date
        ),
        memo=memo,
    )


class LogForm(BaseModel):
    """A submitted log modal, validated."""

    lead_id: DbId
    channel: Channel
    outcome: Outcome
    status: int = Field(ge=1, le=6)
    priority: int | None = None
    next_action_date: dt.date | None = None
    memo: str = Field(default="", max_length=MAX_MEMO)
    reason_code: str | None = None
    reason_memo: str = Field(default="", max_length=MAX_REASON_MEMO)
    confirmed: bool = False

    @field_validator("memo", "reason_memo", mode="before")
    @classmethod
    def _trim(cls, value: Any) -> Any:
        # Control characters (NUL: PostgreSQL refuses it) are dropped; line breaks stay.
        return strip_control(value or "").strip() if isinstance(value, str | None) else value

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: int | None) -> int | None:
        if value is not None and value not in PRIORITIES:
            raise ValueError("priority")
        return value


@dataclass(frozen=True)
class ParsedLog:
    form: LogForm | None
    errors: dict[str, str]  # block_id → Japanese message


def errors_for_view(view: Mapping[str, Any], field_errors: Mapping[str, str]) -> dict[str, str]:
    """Service field errors → `{block_id: message}` (unknown fields go on the status, else
    on the lead)."""
    return form_state.errors_for_view(
        view,
        field_errors,
        field_blocks=FIELD_BLOCKS,
        fallback_blocks=(ids.LOG_STATUS_BLOCK, ids.LOG_LEAD_BLOCK),
    )


def parse_log_form(view: Mapping[str, Any]) -> ParsedLog:
    """The submitted values of a log modal, or field errors for the blocks that hold them."""
    state = state_values(view)

    def get(base: str) -> Any:
        field = state.get(base)
        return field.value if field is not None else None

    channel, _, outcome = str(get(ids.LOG_OUTCOME_BLOCK) or "").partition(":")
    raw: dict[str, Any] = {
        "lead_id": get(ids.LOG_LEAD_BLOCK),
        "channel": channel or None,
        "outcome": outcome or None,
        "status": get(ids.LOG_STATUS_BLOCK),
        "priority": get(ids.LOG_PRIORITY_BLOCK),
        "next_action_date": get(ids.LOG_NEXT_DATE_BLOCK),
        "memo": get(ids.LOG_MEMO_BLOCK),
        "reason_code": get(ids.LOG_REASON_BLOCK),
        "reason_memo": get(ids.LOG_REASON_MEMO_BLOCK),
        "confirmed": "yes" in (get(ids.LOG_CONFIRM_BLOCK) or []),
    }
    try:
        return ParsedLog(LogForm.model_validate(raw), {})
    except ValidationError as exc:
        field_errors: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "lead_id"
            name = "outcome" if name == "channel" else name
            field_errors[_FORM_FIELD_TO_SERVICE.get(name, name)] = FIELD_MESSAGES.get(
                name, "入力を確認してください"
            )
        return ParsedLog(None, errors_for_view(view, field_errors))
