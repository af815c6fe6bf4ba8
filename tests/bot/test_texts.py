"""The bot's vocabulary lives in `bot/texts.py`: no builder spells a symbol itself, so a
symbol is changed in one file on every surface."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine

import bot.blocks
from bot import texts
from isops import messages

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


def test_one_symbol_per_concept_and_nothing_left_to_unify() -> None:
    source = Path(texts.__file__).read_text(encoding="utf-8")
    assert "unify:" not in source
    marks = {
        name: value
        for name, value in vars(texts).items()
        if name.endswith("_MARK") and isinstance(value, str)
    }
    by_symbol: dict[str, list[str]] = {}
    for name, value in marks.items():
        by_symbol.setdefault(value, []).append(name)
    assert {s: n for s, n in by_symbol.items() if len(n) > 1} == {}
    assert all(not re.fullmatch(r":[a-z_]+:", value) for value in marks.values())


def test_one_date_form_and_one_word_for_today() -> None:
    with time_machine.travel(dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC), tick=False):
        assert texts.jp_date(dt.date(2026, 12, 2)) == "12/2(水)"
        assert texts.jp_date(dt.date(2027, 1, 5)) == "2027/1/5(火)"  # not this year
        moment = dt.datetime(2026, 12, 2, 13, 28, tzinfo=dt.UTC)
        assert texts.jp_moment(moment) == "12/2(水) 13:28"
    sources = [*BUILDERS, Path(texts.__file__), Path(messages.__file__)]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "本日" not in text, path.name
        assert "%Y/%m/%d" not in text and "%m/%d" not in text, path.name


def test_every_contact_name_gets_its_honorific() -> None:
    assert texts.lead_label("株式会社A", "山田 太郎") == "株式会社A 山田 太郎 様"
    assert texts.lead_label("株式会社A", None) == "株式会社A"
