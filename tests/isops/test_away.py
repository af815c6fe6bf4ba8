"""Away periods: parsing `/isops away` ranges and storing them."""

from __future__ import annotations

import datetime as dt

import pytest

from isops.enums import Role
from isops.errors import InvalidInput
from isops.services.away import (
    away_member_ids,
    cancel_away,
    parse_away_range,
    set_away,
    upcoming_away,
)
from isops.services.members import add_member
from isops.unit_of_work import UnitOfWorkFactory

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/1-12/5", (dt.date(2026, 12, 1), dt.date(2026, 12, 5))),
        ("12/28〜1/5", (dt.date(2026, 12, 28), dt.date(2027, 1, 5))),
        ("2027/2/1", (dt.date(2027, 2, 1), dt.date(2027, 2, 1))),
        ("1/6", (dt.date(2027, 1, 6), dt.date(2027, 1, 6))),
        ("11/20-11/30", (dt.date(2026, 11, 20), dt.date(2026, 11, 30))),
    ],
)
def test_parse_away_range(text: str, expected: tuple[dt.date, dt.date]) -> None:
    assert parse_away_range(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "来週", "12/5-12/1", "2/30", "1/1-12/31"])
def test_parse_away_range_refuses(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_away_range(text, today=TODAY)


def test_set_merge_and_cancel(uow_factory: UnitOfWorkFactory) -> None:
    add_member(uow_factory(), slack_user_id="U1", name="佐藤", role=Role.REP)
    set_away(
        uow_factory(),
        slack_user_id="U1",
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 3),
    )
    set_away(
        uow_factory(),
        slack_user_id="U1",
        start_date=dt.date(2026, 12, 4),
        end_date=dt.date(2026, 12, 5),
    )
    (period,) = upcoming_away(uow_factory(), slack_user_id="U1", today=TODAY)
    assert (period.start_date, period.end_date) == (dt.date(2026, 12, 1), dt.date(2026, 12, 5))
    assert len(away_member_ids(uow_factory(), on=dt.date(2026, 12, 2))) == 1
    assert away_member_ids(uow_factory(), on=dt.date(2026, 12, 6)) == set()
    assert cancel_away(uow_factory(), slack_user_id="U1", on=TODAY) == 1
    assert upcoming_away(uow_factory(), slack_user_id="U1", today=TODAY) == []
