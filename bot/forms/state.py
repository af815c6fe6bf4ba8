"""Small helpers shared by the modal forms: a submitted view's state as plain values, field
errors mapped back onto its blocks, and private metadata that never fails to load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.ids import unversioned
from isops.errors import NotFound


@dataclass(frozen=True)
class FieldValue:
    block_id: str  # as in the view (maybe versioned), for `response_action: errors`
    value: Any  # str, date text, list of values, or None when empty


def _plain(element: Mapping[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option")
        return option.get("value") if isinstance(option, Mapping) else None
    if kind == "checkboxes":
        return [o.get("value") for o in element.get("selected_options") or []]
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "timepicker":
        return element.get("selected_time")
    if kind == "datetimepicker":
        return element.get("selected_date_time")  # a UNIX time (seconds)
    if kind == "users_select":
        return element.get("selected_user")
    return element.get("value")


def state_values(view: Mapping[str, Any]) -> dict[str, FieldValue]:
    """`{block base id: FieldValue}` for every input of `view` (one element per block).

    Slack sends `"state": {}` for some views (no `values`), so every level uses `.get()`.
    """
    values = (view.get("state") or {}).get("values") or {}
    out: dict[str, FieldValue] = {}
    for block_id, elements in values.items():
        if not isinstance(elements, Mapping) or not elements:
            continue
        element = next(iter(elements.values()))
        if isinstance(element, Mapping):
            out[unversioned(block_id)] = FieldValue(block_id, _plain(element))
    return out


def plain_values(view: Mapping[str, Any]) -> dict[str, Any]:
    """`{block base id: value}` for every input of `view` (`state_values` without block ids)."""
    return {block: field.value for block, field in state_values(view).items()}


def picked_date(value: Any) -> dt.date | None:
    """A datepicker's value as a date (None: empty, or not a date)."""
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def picked_time(value: Any) -> dt.time | None:
    """A timepicker's value as a time (None: empty, or not a time)."""
    try:
        return dt.time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def selected_option(view: Mapping[str, Any], base_block_id: str) -> Mapping[str, Any] | None:
    """The whole selected option (text and value) of a select in `view`, if any."""
    values = (view.get("state") or {}).get("values") or {}
    for block_id, elements in values.items():
        if unversioned(block_id) != base_block_id or not isinstance(elements, Mapping):
            continue
        for element in elements.values():
            option = element.get("selected_option") if isinstance(element, Mapping) else None
            if isinstance(option, Mapping):
                return option
    return None


def block_ids(view: Mapping[str, Any]) -> dict[str, str]:
    """`{block base id: block_id}` for the blocks of `view` (errors must name real ids)."""
    out: dict[str, str] = {}
    for block in view.get("blocks") or []:
        if isinstance(block, Mapping) and isinstance(block.get("block_id"), str):
            out[unversioned(block["block_id"])] = block["block_id"]
    return out


def errors_for_view(
    view: Mapping[str, Any],
    field_errors: Mapping[str, str],
    *,
    field_blocks: Mapping[str, str],
    fallback_blocks: Sequence[str] = (),
    default: str = "",
) -> dict[str, str]:
    """Service field errors → `{block_id: message}` for `response_action: errors`.

    A field with no block of its own goes on the first of `fallback_blocks` the view has, else
    on `default`; two messages for one block are joined with " / "."""
    present = block_ids(view)
    fallback = next((present[b] for b in fallback_blocks if b in present), default)
    out: dict[str, str] = {}
    for field, message in field_errors.items():
        block = present.get(field_blocks.get(field, ""), fallback)
        out[block] = f"{out[block]} / {message}" if block in out else message
    return out


class RecordMetadata(BaseModel):
    """A modal's private_metadata naming the record it acts on; nothing else is read from it
    (any other key is dropped; who may act comes from the database). Text that cannot be
    ours: NotFound with the subclass's `not_found`."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    not_found: ClassVar[str]

    def dump(self) -> str:
        return self.model_dump_json()

    @classmethod
    def load(cls, text: str | None) -> Self:
        try:
            return cls.model_validate_json(text or "{}")
        except ValidationError:
            raise NotFound(cls.not_found) from None


class ModalMetadata(BaseModel):
    """A modal's private_metadata; text that does not parse loads as the defaults."""

    @classmethod
    def load(cls, text: str | None) -> Self:
        try:
            return cls.model_validate_json(text or "{}")
        except ValidationError:
            return cls()
