"""Text helpers: folding for search, control characters out of user text."""

from __future__ import annotations

from isops.text import fold, has_control, strip_control


def test_fold_width_case_and_kana() -> None:
    assert fold("ｶﾌﾞｼｷ Ａｂｃ") == fold("かぶしきabc")


def test_strip_control_removes_nul_and_escapes_but_keeps_lines() -> None:
    assert strip_control("A\x00B\x1b[31mC\x7f\x85D\tE\nF\r\n") == "AB[31mCD\tE\nF\r\n"


def test_strip_control_single_line_turns_breaks_into_spaces() -> None:
    assert (
        strip_control("株式会社\x00サンプル\n本社\t東京", single_line=True)
        == "株式会社サンプル 本社 東京"
    )


def test_has_control() -> None:
    assert has_control("a\x00b")
    assert has_control("\x1b")
    assert not has_control("メモ\n二行目\tタブ")
