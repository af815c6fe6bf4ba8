"""The domain core never imports Slack or the Slack adapter (HELPERS.md: `isops/` never imports
slack_* or bot), not even lazily inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ISOPS = Path(__file__).resolve().parents[2] / "isops"
FORBIDDEN = ("slack_sdk", "slack_bolt", "slack", "bot")


def forbidden_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of a forbidden package anywhere in `source`: at the top,
    inside functions and classes, under `if TYPE_CHECKING:`, or through `importlib`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            top = name.split(".")[0]
            if top in FORBIDDEN or top.startswith("slack_"):
                found.append((node.lineno, name))
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import slack_sdk",
        "from slack_bolt import App",
        "def f():\n    from bot.texts import NOT_REGISTERED\n",
        "class C:\n    def m(self):\n        import bot.ids as ids\n",
        "if TYPE_CHECKING:\n    from slack_sdk.web import WebClient\n",
        "importlib.import_module('bot.app')",
    ],
)
def test_the_check_sees_every_kind_of_import(source: str) -> None:
    assert forbidden_imports(source)


def test_relative_and_look_alike_imports_are_not_slack() -> None:
    assert (
        forbidden_imports("from . import text\nimport botocore\nfrom isops import bot_rules\n")
        == []
    )


def test_no_module_under_isops_imports_slack_or_bot() -> None:
    modules = sorted(ISOPS.rglob("*.py"))
    assert len(modules) > 30  # the whole package was walked
    offenders = [
        f"{path.relative_to(ISOPS.parent)}:{line}: {name}"
        for path in modules
        for line, name in forbidden_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
