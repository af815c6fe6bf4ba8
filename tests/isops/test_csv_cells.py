"""Reading single CSV cells: dates at the calendar's edges, channels and outcomes, headers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from isops.csvio.cells import (
    CellError,
    parse_channel,
    parse_date,
    parse_datetime,
    parse_outcome,
)
from isops.csvio.columns import header_key
from isops.enums import Channel, Outcome

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize("text", ["0001-01-01T00:00+09:00", "9999-12-31 23:00 -05:00"])
def test_a_moment_past_the_calendar_is_a_cell_error_not_a_crash(text: str) -> None:
    with pytest.raises(CellError, match="範囲外"):
        parse_datetime(text, TOKYO)
    if text.startswith("9999"):
        with pytest.raises(CellError, match="範囲外"):
            parse_date(text, TOKYO)


def test_channels_and_outcomes_in_japanese_or_english() -> None:
    assert [parse_channel(t) for t in ("架電", "ﾒｰﾙ", "Other", "CALL", "e-mail")] == [
        Channel.CALL,
        Channel.MAIL,
        Channel.OTHER,
        Channel.CALL,
        Channel.MAIL,
    ]
    assert parse_outcome("Bad Number", Channel.CALL) is Outcome.BAD_NUMBER
    assert parse_outcome("返信あり", Channel.MAIL) is Outcome.REPLIED
    with pytest.raises(CellError, match="架電の結果ではありません"):
        parse_outcome("送信", Channel.CALL)
    with pytest.raises(CellError, match="読めません"):
        parse_channel("FAX")


def test_headers_match_whatever_their_width_case_and_separators() -> None:
    assert header_key("Acted At") == header_key("acted_at") == header_key("ＡＣＴＥＤ－ＡＴ")
