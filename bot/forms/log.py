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
from isops.enums import PRIORITIES, Channel, Outcome
from isops.rules import outcome_channel
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
    "acted_at": ids.LOG_ACTED_AT_BLOCK,
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
    "acted_at": "実施日時を選び直してください",
}
_FORM_FIELD_TO_SERVICE = {"lead_id": "lead"}


class ShownModel(BaseModel):
    """`ShownFields` as it travels in private_metadata."""

    lead_id: DbId
    status: int | None = None
    priority: int | None = None
    next_action_date: dt.date | None = None
    memo_digest: str | None = None  # None: the memo was too long to show
    suggested_next_action_date: dt.date | None = None  # pre-filled instead of the lead's

    @property
    def shown_next_action_date(self) -> dt.date | None:
        """The date the picker showed: the suggestion, else the lead's own."""
        return self.suggested_next_action_date or self.next_action_date

    def to_domain(self) -> ShownFields:
        return ShownFields(
            lead_id=self.lead_id,
            status=self.status,
            priority=self.priority,
            next_action_date=self.next_action_date,
            memo_digest=self.memo_digest,
            suggested_next_action_date=self.suggested_next_action_date,
        )


class LogMetadata(ModalMetadata):
    """The log modal's private_metadata (well under Slack's 3,000 characters).

    The counters version blocks whose value the bot sets over what the rep chose: Slack keeps
    a block's state across views.update unless its block_id changes (see bot.ids)."""

    mode: Mode = "any"
    # Where the rep logged from: a channel gets an ephemeral confirmation; None or a DM
    # ("D…") gets a DM.
    reply_to: SlackId | None = None
    shown: ShownModel | None = None
    confirm: bool = False  # the rep chose このまま申請する (5C2M incomplete, status 4)
    pushed: bool = False  # pushed over another modal: close the whole stack on success
    status_resets: int = 0  # 架電を続ける put the status back
    date_picks: int = 0  # a quick date choice set the date

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True, exclude_defaults=True)

    @property
    def channel(self) -> Channel:
        """The outcomes the modal offers: a mail modal's, else a call's."""
        return Channel.MAIL if self.mode == "mail" else Channel.CALL


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
    acted_at: dt.datetime | None = None


def outcome_value(channel: Channel, outcome: Outcome) -> str:
    return f"{channel.value}:{outcome.value}"


def mode_for(mode: Mode, outcome: Outcome | None) -> Mode:
    """The modal's channel: a preset outcome's, else the command's (a 記録 button: call)."""
    if outcome is not None:
        channel = outcome_channel(outcome)
        return "mail" if channel == Channel.MAIL else "call"
    return "mail" if mode == "mail" else "call"


def shown_for(snapshot: LeadSnapshot) -> ShownModel:
    """What the modal shows for `snapshot` (recorded to tell later what the rep changed)."""
    return ShownModel(
        lead_id=snapshot.id,
        status=snapshot.status,
        priority=snapshot.priority,
        next_action_date=snapshot.next_action_date,
        memo_digest=memo_digest(snapshot.memo) if len(snapshot.memo) <= MAX_MEMO else None,
        suggested_next_action_date=snapshot.suggested_next_action_date,
    )


def values_for(snapshot: LeadSnapshot, *, outcome: Outcome | None = None) -> LogValues:
    """A lead's four fields as initial values (a memo too long for Slack is not shown; a due,
    overdue or missing date shows the suggested one), and `outcome` preselected (a list item's
    📞 接続…)."""
    return LogValues(
        outcome=outcome_value(outcome_channel(outcome), outcome) if outcome else None,
        status=snapshot.status,
        priority=snapshot.priority,
        next_action_date=snapshot.suggested_next_action_date or snapshot.next_action_date,
        memo=snapshot.memo if len(snapshot.memo) <= MAX_MEMO else None,
    )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _moment(value: Any) -> dt.datetime | None:
    """A datetimepicker's UNIX time as an aware UTC datetime (None: empty or not a time)."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def raw_values(view: Mapping[str, Any]) -> LogValues:
    """What the modal currently holds, as initial values for a rebuilt modal."""
    state = state_values(view)

    def get(base: str) -> Any:
        field = state.get(base)
        return field.value if field is not None else None

    return LogValues(
        outcome=get(ids.LOG_OUTCOME_BLOCK),
        status=_int(get(ids.LOG_STATUS_BLOCK)),
        priority=_int(get(ids.LOG_PRIORITY_BLOCK)),
        next_action_date=form_state.picked_date(get(ids.LOG_NEXT_DATE_BLOCK)),
        memo=get(ids.LOG_MEMO_BLOCK),
        reason_code=get(ids.LOG_REASON_BLOCK),
        reason_memo=get(ids.LOG_REASON_MEMO_BLOCK),
        acted_at=_moment(get(ids.LOG_ACTED_AT_BLOCK)),
    )


def values_after_lead_change(
    current: LogValues, shown: ShownModel | None, snapshot: LeadSnapshot
) -> LogValues:
    """Initial values once the rep picks `snapshot` in the modal: the new lead's four fields,
    except what the rep already changed by hand, which is kept (never lose what they typed).
    A memo typed before picking is added under the lead's memo rather than replacing it."""
    lead = values_for(snapshot)

    def was(field: str) -> Any:  # what the modal showed (nothing before a first pick)
        if shown is None:
            return None
        if field == "next_action_date":
            return shown.shown_next_action_date
        return getattr(shown, field)

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
    acted_at: dt.datetime | None = None

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
    acted_at_raw = get(ids.LOG_ACTED_AT_BLOCK)
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
        "acted_at": _moment(acted_at_raw),
    }
    errors: dict[str, str] = {}
    if acted_at_raw not in (None, "") and raw["acted_at"] is None:
        errors["acted_at"] = FIELD_MESSAGES["acted_at"]
    try:
        form = LogForm.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "lead_id"
            name = "outcome" if name == "channel" else name
            errors[_FORM_FIELD_TO_SERVICE.get(name, name)] = FIELD_MESSAGES.get(
                name, "入力を確認してください"
            )
        form = None
    if errors:
        return ParsedLog(None, errors_for_view(view, errors))
    return ParsedLog(form, {})
