"""Hand-off to FS (issue 12) forms: the log modal's hand-off section, the verdict modals'
values, and their private metadata. Plain values out of `view.state.values`, checked here
only as far as parsing goes (the services word the rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot import ids
from bot.forms import log as log_form
from bot.forms import state as form_state
from bot.forms.payload_ids import DbId, PayloadRefused, clicked_action, db_id
from bot.forms.state import RecordMetadata, block_ids, plain_values, state_values
from isops.enums import MeetingMode
from isops.errors import InvalidInput
from isops.services.handoff_verdicts import HANDOFF_NOT_FOUND
from isops.services.handoffs import HandoffInput
from isops.text import strip_control

# The section's blocks are named like the service's fields (`handoff_problem`, …).
SECTION_BLOCKS = (
    ids.HANDOFF_FS_BLOCK,
    ids.HANDOFF_DATE_BLOCK,
    ids.HANDOFF_TIME_BLOCK,
    ids.HANDOFF_MODE_BLOCK,
    ids.HANDOFF_PROBLEM_BLOCK,
    ids.HANDOFF_WANTS_BLOCK,
    ids.HANDOFF_SITUATION_BLOCK,
    ids.HANDOFF_DECISION_BLOCK,
    ids.HANDOFF_BUDGET_BLOCK,
    ids.HANDOFF_CASE_BLOCK,
)
NO_CASE_VALUE = "none"  # 「使っていない」 (bot.blocks.handoff_modals)
NOTE_BLOCKS = {
    "problem": ids.HANDOFF_PROBLEM_BLOCK,
    "wants": ids.HANDOFF_WANTS_BLOCK,
    "situation": ids.HANDOFF_SITUATION_BLOCK,
    "decision_process": ids.HANDOFF_DECISION_BLOCK,
    "budget_timing": ids.HANDOFF_BUDGET_BLOCK,
}


@dataclass(frozen=True)
class ParsedHandoff:
    """The section's values (None: the modal has no hand-off section yet) or block errors."""

    handoff: HandoffInput | None
    errors: dict[str, str]


def _text(value: Any) -> str:
    # Control characters (NUL: PostgreSQL refuses it) dropped; line breaks stay.
    return strip_control(value).strip() if isinstance(value, str) else ""


def parse_handoff_section(view: Mapping[str, Any]) -> ParsedHandoff:
    """The hand-off section of a submitted log modal, if it has one."""
    state = state_values(view)
    if ids.HANDOFF_FS_BLOCK not in state:
        return ParsedHandoff(None, {})

    def get(block: str) -> Any:
        field = state.get(block)
        return field.value if field is not None else None

    errors: dict[str, str] = {}
    fs_member_id: int | None = None
    if get(ids.HANDOFF_FS_BLOCK):
        try:
            fs_member_id = db_id(get(ids.HANDOFF_FS_BLOCK), refusal="FS を選び直してください")
        except PayloadRefused as exc:
            errors[state[ids.HANDOFF_FS_BLOCK].block_id] = str(exc)
    meeting_date = form_state.picked_date(get(ids.HANDOFF_DATE_BLOCK))
    if get(ids.HANDOFF_DATE_BLOCK) and meeting_date is None:
        errors[state[ids.HANDOFF_DATE_BLOCK].block_id] = "商談日を選び直してください"
    meeting_time = form_state.picked_time(get(ids.HANDOFF_TIME_BLOCK))
    if get(ids.HANDOFF_TIME_BLOCK) and meeting_time is None:
        errors[state[ids.HANDOFF_TIME_BLOCK].block_id] = "開始時刻を選び直してください"
    case_id: int | None = None
    chosen_case = get(ids.HANDOFF_CASE_BLOCK)
    if chosen_case and chosen_case != NO_CASE_VALUE:
        try:
            case_id = db_id(chosen_case, refusal="事例を選び直してください")
        except PayloadRefused as exc:
            errors[state[ids.HANDOFF_CASE_BLOCK].block_id] = str(exc)
    try:
        mode = MeetingMode(get(ids.HANDOFF_MODE_BLOCK) or MeetingMode.ONLINE)
    except ValueError:
        mode = MeetingMode.ONLINE
    if errors:
        return ParsedHandoff(None, errors)
    notes = {name: _text(get(block)) for name, block in NOTE_BLOCKS.items()}
    return ParsedHandoff(
        HandoffInput(
            fs_member_id=fs_member_id,
            meeting_date=meeting_date,
            meeting_time=meeting_time,
            meeting_mode=mode,
            case_id=case_id,
            **notes,
        ),
        {},
    )


def errors_for_log_view(view: Mapping[str, Any], field_errors: Mapping[str, str]) -> dict[str, str]:
    """Service field errors → block errors of the log modal, the hand-off section's own
    fields (named like its blocks) included."""
    present = block_ids(view)
    handoff = {f: m for f, m in field_errors.items() if f in SECTION_BLOCKS and f in present}
    rest = {f: m for f, m in field_errors.items() if f not in handoff}
    errors = log_form.errors_for_view(view, rest) if rest else {}
    for field, message in handoff.items():
        block = present[field]
        errors[block] = f"{errors[block]} / {message}" if block in errors else message
    return errors


# -- the verdict modals ------------------------------------------------------------------------------


class VerdictContext(RecordMetadata):
    """A verdict modal's private_metadata: which hand-off, and whether an admin is changing a
    verdict."""

    not_found = HANDOFF_NOT_FOUND

    handoff_id: DbId
    change: bool = False


class HandoffClick(BaseModel):
    """A click on a hand-off button: which hand-off (`12` or `12:change`) and who clicked."""

    model_config = ConfigDict(frozen=True)

    handoff_id: DbId
    change: bool = False
    user_id: str
    trigger_id: str = ""
    ephemeral: bool = False  # in the `/isops handoffs` list (Slack sends no message back)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> HandoffClick:
        action = clicked_action(body)
        raw = str(action.get("value") or "")
        number, _, flag = raw.partition(":")
        return cls(
            handoff_id=db_id(number, refusal=HANDOFF_NOT_FOUND),
            change=flag == "change",
            user_id=str((body.get("user") or {}).get("id") or ""),
            trigger_id=str(body.get("trigger_id") or ""),
            ephemeral=bool((body.get("container") or {}).get("is_ephemeral")),
        )


# Verdict modals: service field → input block.
VERDICT_FIELD_BLOCKS = {
    "reason": ids.HANDOFF_REASON_INPUT,
    "comment": ids.HANDOFF_COMMENT_INPUT,
    "next_action_date": ids.HANDOFF_NEXT_DATE_INPUT,
    "meeting_date": ids.HANDOFF_NEW_DATE_INPUT,
    "meeting_time": ids.HANDOFF_NEW_TIME_INPUT,
}


@dataclass(frozen=True)
class VerdictForm:
    """What the FS typed in a verdict modal (each modal fills its own fields)."""

    reason: str | None = None
    comment: str = ""
    next_action_date: dt.date | None = None
    meeting_date: dt.date | None = None
    meeting_time: dt.time | None = None

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> VerdictForm:
        values = plain_values(view)
        errors: dict[str, str] = {}
        next_date = form_state.picked_date(values.get(ids.HANDOFF_NEXT_DATE_INPUT))
        if values.get(ids.HANDOFF_NEXT_DATE_INPUT) and next_date is None:
            errors["next_action_date"] = "日付を選び直してください"
        meeting_date = form_state.picked_date(values.get(ids.HANDOFF_NEW_DATE_INPUT))
        if values.get(ids.HANDOFF_NEW_DATE_INPUT) and meeting_date is None:
            errors["meeting_date"] = "日付を選び直してください"
        meeting_time = form_state.picked_time(values.get(ids.HANDOFF_NEW_TIME_INPUT))
        if values.get(ids.HANDOFF_NEW_TIME_INPUT) and meeting_time is None:
            errors["meeting_time"] = "時刻を選び直してください"
        if errors:
            raise InvalidInput(errors)
        return cls(
            reason=_text(values.get(ids.HANDOFF_REASON_INPUT)) or None,
            comment=_text(values.get(ids.HANDOFF_COMMENT_INPUT)),
            next_action_date=next_date,
            meeting_date=meeting_date,
            meeting_time=meeting_time,
        )


def verdict_errors(field_errors: Mapping[str, str], view: Mapping[str, Any]) -> dict[str, str]:
    """Service field errors → the verdict modal's blocks (unknown ones on its first input)."""
    present = block_ids(view)
    first = next((b for b in present.values() if b in VERDICT_FIELD_BLOCKS.values()), "")
    errors: dict[str, str] = {}
    for field, message in field_errors.items():
        block = VERDICT_FIELD_BLOCKS.get(field, "")
        block = block if block in present else first
        errors[block] = f"{errors[block]} / {message}" if block in errors else message
    return errors
