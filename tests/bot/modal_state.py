"""`state.values` of a modal as Slack sends it on submit: initial values unless changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.ids import unversioned
from tests.fake_slack import state_value

UNSET = object()


def _initial(element: Mapping[str, Any]) -> dict[str, Any]:
    kind = element["type"]
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": element.get("initial_date_time")}
    if kind == "users_select":
        return {"type": kind, "selected_user": element.get("initial_user")}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": element.get("initial_options") or []}
    return {"type": kind, "value": element.get("initial_value")}


def _changed(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in ("plain_text_input", "email_text_input"):
        return {"type": kind, "value": value}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "checkboxes":
        return state_value("checkboxes", value)
    if kind == "datepicker" and isinstance(value, dt.date):
        return state_value("datepicker", value)
    if kind == "datetimepicker":
        return state_value("datetimepicker", value)
    if kind == "radio_buttons":
        chosen = next((o for o in element["options"] if o["value"] == value), None)
        return {"type": kind, "selected_option": chosen}
    if kind in ("static_select", "external_select") and value is not None:
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options += group["options"]
        text = next((o["text"]["text"] for o in options if o["value"] == str(value)), str(value))
        return state_value(kind, str(value), text=text)
    return state_value(kind, value)


def fill(view: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """State values for every input of `view`; `changes` by block base id (ids.versioned
    suffix ignored) set what the user typed or picked (None clears it)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        base = unversioned(block["block_id"])
        value = changes.pop(base, UNSET)
        state = _initial(element) if value is UNSET else _changed(element, value)
        values[block["block_id"]] = {element["action_id"]: state}
    if changes:
        raise AssertionError(f"no such inputs in the view: {sorted(changes)}")
    return values


def block_id(view: Mapping[str, Any], base: str) -> str:
    """The (maybe versioned) block_id of `base` in `view`."""
    for block in view["blocks"]:
        if unversioned(str(block.get("block_id", ""))) == base:
            return str(block["block_id"])
    raise AssertionError(f"no block {base}")


def element(view: Mapping[str, Any], base: str) -> dict[str, Any]:
    for block in view["blocks"]:
        if unversioned(str(block.get("block_id", ""))) == base:
            found: dict[str, Any] = block["element"]
            return found
    raise AssertionError(f"no block {base}")
