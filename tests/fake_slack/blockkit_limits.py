"""Block Kit limits Slack enforces server-side, as pure checks.

Each public function returns a list of messages shaped like Slack's own
``response_metadata.messages`` (``"[ERROR] <what> [json-pointer:<where>]"``); empty means valid.
Only the limits a bot realistically hits are checked, not the whole schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_URL = 3000
MAX_ID = 255  # action_id, block_id, callback_id, external_id
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_INPUT_LABEL = 2000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_SELECT_OPTIONS = 100
MAX_CHOICE_OPTIONS = 10  # checkboxes, radio_buttons
MAX_OVERFLOW_OPTIONS = 5
MAX_MODAL_TEXT = 24  # title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_PLAIN_TEXT_INPUT_LENGTH = 3000

# Most options an element may carry (also per option group), by element type.
_OPTION_LIMITS = {
    "static_select": MAX_SELECT_OPTIONS,
    "multi_static_select": MAX_SELECT_OPTIONS,
    "checkboxes": MAX_CHOICE_OPTIONS,
    "radio_buttons": MAX_CHOICE_OPTIONS,
    "overflow": MAX_OVERFLOW_OPTIONS,
}


def message_problems(payload: Mapping[str, Any]) -> list[str]:
    """Problems in the ``blocks`` of a chat.* / response_url payload (no blocks: none)."""
    blocks = payload.get("blocks")
    if blocks is None:
        return []
    return blocks_problems(blocks, max_blocks=MAX_MESSAGE_BLOCKS, pointer="")


def view_problems(view: object) -> list[str]:
    """Problems in a modal or Home tab view object."""
    if not isinstance(view, Mapping):
        return ["[ERROR] failed to parse view [json-pointer:/view]"]
    out: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        out.append("[ERROR] must be one of modal, home [json-pointer:/view/type]")
    if kind == "modal":
        _text(view.get("title"), MAX_MODAL_TEXT, "/view/title", out)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                _text(view[key], MAX_MODAL_TEXT, f"/view/{key}", out)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            out.append("[ERROR] submit is required with input blocks [json-pointer:/view/submit]")
    _too_long(view.get("private_metadata"), MAX_PRIVATE_METADATA, "/view/private_metadata", out)
    _too_long(view.get("callback_id"), MAX_ID, "/view/callback_id", out)
    _too_long(view.get("external_id"), MAX_ID, "/view/external_id", out)
    out += blocks_problems(view.get("blocks", []), max_blocks=MAX_VIEW_BLOCKS, pointer="/view")
    return out


def blocks_problems(blocks: object, *, max_blocks: int, pointer: str) -> list[str]:
    """Problems in a blocks array; ``pointer`` is the JSON pointer of its parent."""
    where = f"{pointer}/blocks"
    if not isinstance(blocks, list):
        return [f"[ERROR] expected array [json-pointer:{where}]"]
    out: list[str] = []
    if len(blocks) > max_blocks:
        out.append(f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{where}]")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        _block(block, f"{where}/{i}", seen_ids, out)
    return out


def _block(block: object, p: str, seen_ids: set[str], out: list[str]) -> None:
    if not isinstance(block, Mapping):
        out.append(f"[ERROR] expected object [json-pointer:{p}]")
        return
    block_id = block.get("block_id")
    if isinstance(block_id, str):
        _too_long(block_id, MAX_ID, f"{p}/block_id", out)
        if block_id in seen_ids:
            out.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{p}/block_id]")
        seen_ids.add(block_id)
    kind = block.get("type")
    if kind == "section":
        if "text" in block:
            _text(block["text"], MAX_SECTION_TEXT, f"{p}/text", out)
        fields = block.get("fields")
        if isinstance(fields, list):
            _max_items(fields, MAX_SECTION_FIELDS, f"{p}/fields", out)
            for i, field in enumerate(fields):
                _text(field, MAX_SECTION_FIELD_TEXT, f"{p}/fields/{i}", out)
        if "accessory" in block:
            _element(block["accessory"], f"{p}/accessory", out)
    elif kind == "header":
        _text(block.get("text"), MAX_HEADER_TEXT, f"{p}/text", out)
    elif kind == "actions":
        elements = block.get("elements")
        if isinstance(elements, list):
            _max_items(elements, MAX_ACTIONS_ELEMENTS, f"{p}/elements", out)
            for i, element in enumerate(elements):
                _element(element, f"{p}/elements/{i}", out)
    elif kind == "context":
        elements = block.get("elements")
        if isinstance(elements, list):
            _max_items(elements, MAX_CONTEXT_ELEMENTS, f"{p}/elements", out)
    elif kind == "input":
        _text(block.get("label"), MAX_INPUT_LABEL, f"{p}/label", out)
        _element(block.get("element"), f"{p}/element", out)


def _element(element: object, p: str, out: list[str]) -> None:
    if not isinstance(element, Mapping):
        out.append(f"[ERROR] expected object [json-pointer:{p}]")
        return
    _too_long(element.get("action_id"), MAX_ID, f"{p}/action_id", out)
    kind = element.get("type")
    if kind == "button":
        _text(element.get("text"), MAX_BUTTON_TEXT, f"{p}/text", out)
        _too_long(element.get("value"), MAX_BUTTON_VALUE, f"{p}/value", out)
        _too_long(element.get("url"), MAX_BUTTON_URL, f"{p}/url", out)
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if isinstance(max_length, int) and max_length > MAX_PLAIN_TEXT_INPUT_LENGTH:
            out.append(
                f"[ERROR] must be less than {MAX_PLAIN_TEXT_INPUT_LENGTH + 1} "
                f"[json-pointer:{p}/max_length]"
            )
    limit = _OPTION_LIMITS.get(kind) if isinstance(kind, str) else None
    if limit is not None:
        _options(element.get("options"), limit, f"{p}/options", out)
        groups = element.get("option_groups")
        if isinstance(groups, list):
            _max_items(groups, MAX_SELECT_OPTIONS, f"{p}/option_groups", out)
            for i, group in enumerate(groups):
                if isinstance(group, Mapping):
                    _options(group.get("options"), limit, f"{p}/option_groups/{i}/options", out)
    if isinstance(element.get("initial_option"), Mapping):
        _option(element["initial_option"], f"{p}/initial_option", out)


def _options(options: object, limit: int, p: str, out: list[str]) -> None:
    if not isinstance(options, list):
        return
    _max_items(options, limit, p, out)
    for i, option in enumerate(options):
        _option(option, f"{p}/{i}", out)


def _option(option: object, p: str, out: list[str]) -> None:
    if not isinstance(option, Mapping):
        out.append(f"[ERROR] expected object [json-pointer:{p}]")
        return
    _text(option.get("text"), MAX_OPTION_TEXT, f"{p}/text", out)
    _too_long(option.get("value"), MAX_OPTION_VALUE, f"{p}/value", out)


def _text(obj: object, limit: int, p: str, out: list[str]) -> None:
    """A composition text object: required, non-empty, at most ``limit`` characters."""
    if not isinstance(obj, Mapping):
        out.append(f"[ERROR] missing required field: text [json-pointer:{p}]")
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        # Slack rejects empty text objects; a common bug when a value is formatted as "".
        out.append(f"[ERROR] must be more than 0 characters [json-pointer:{p}/text]")
    else:
        _too_long(text, limit, f"{p}/text", out)


def _too_long(value: object, limit: int, p: str, out: list[str]) -> None:
    if isinstance(value, str) and len(value) > limit:
        out.append(f"[ERROR] must be less than {limit + 1} characters [json-pointer:{p}]")


def _max_items(items: list[Any], limit: int, p: str, out: list[str]) -> None:
    if len(items) > limit:
        out.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{p}]")
