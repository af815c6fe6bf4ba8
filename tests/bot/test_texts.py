"""The bot's vocabulary lives in `bot/texts.py`: no builder spells a symbol itself, so a
symbol is changed in one file on every surface."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import bot.blocks

# Pictographs (☀️ ⚠️ ✉️ 🔥 📥 …), ↩️, ⏰ ⏳, and Slack's `:name:` emoji codes.
_SYMBOL = re.compile(r"[\u2600-\u27bf\U0001f000-\U0001faff\u21a9\u23e9-\u23fa]|:[a-z_]+:")
BUILDERS = sorted(Path(bot.blocks.__file__).parent.glob("*.py"))


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef | ast.FunctionDef))]
    return {
        id(node.body[0].value)
        for node in nodes
        if node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


@pytest.mark.parametrize("path", BUILDERS, ids=lambda p: p.name)
def test_builders_take_their_symbols_from_texts(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    spelled = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and _SYMBOL.search(node.value)
    ]
    assert spelled == [], f"{path.name}: use bot.texts for {spelled}"
