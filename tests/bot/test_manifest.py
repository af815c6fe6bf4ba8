"""manifest.yml is valid for Slack and matches the commands the app handles."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot import ids
from tests.conftest import shared_path
from tests.harness import BotHarness

ROOT = Path(__file__).resolve().parents[2]


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    return data


def _manifest_commands() -> set[str]:
    return {c["command"] for c in _manifest()["features"]["slash_commands"]}


def _registered_commands() -> set[str]:
    """First arguments of every `app.command(...)` in bot/, read from the source."""
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "command"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "app"
                and node.args
            ):
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
                    found.add(getattr(ids, arg.attr))
                else:
                    pytest.fail(f"{path}: app.command() with a name this test cannot read")
    return found


def test_manifest_matches_slacks_schema() -> None:
    schema_path = shared_path("slack-manifest-schema", "manifest.schema.1.0.0.json")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft7Validator(schema).iter_errors(_manifest()), key=lambda e: e.path
    )
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_every_registered_command_is_in_the_manifest_and_back() -> None:
    assert _registered_commands() == _manifest_commands()


def test_manifest_routes_everything_to_one_url() -> None:
    manifest = _manifest()
    settings = manifest["settings"]
    urls = {c["url"] for c in manifest["features"]["slash_commands"]}
    urls |= {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        settings["interactivity"]["message_menu_options_url"],
    }
    assert len(urls) == 1
    assert urls.pop().endswith("/slack/events")
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]


def test_every_manifest_command_reaches_a_listener(bot: BotHarness) -> None:
    for command in sorted(_manifest_commands()):
        assert bot.command(command, "help", user_id="U100").status == 200, command
    # An unknown command is not silently accepted.
    assert bot.command("/not-ours", user_id="U100").status == 404
