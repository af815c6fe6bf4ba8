"""One set of field limits for every write path, and the one stored form of a lead's e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import String

from isops import limits
from isops.csvio.parsing import TEXT_LIMITS as _TEXT_LIMITS
from isops.errors import InvalidInput
from isops.models import Lead
from isops.services.intake import InboundLead
from isops.services.lead_registration import register_lead
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

_COLUMNS = {
    "company": limits.COMPANY,
    "contact_name": limits.CONTACT_NAME,
    "title": limits.TITLE,
    "industry": limits.INDUSTRY,
    "email": limits.EMAIL,
    "phone": limits.PHONE,
    "source": limits.SOURCE,
    "external_id": limits.EXTERNAL_ID,
}


@pytest.mark.parametrize(("column", "limit"), sorted(_COLUMNS.items()))
def test_limits_are_the_column_sizes(column: str, limit: int) -> None:
    kind = Lead.__table__.c[column].type
    assert isinstance(kind, String) and kind.length == limit


def test_the_importer_uses_the_same_limits() -> None:
    assert {k: v for k, v in _TEXT_LIMITS.items() if k != "memo"} == _COLUMNS
    assert _TEXT_LIMITS["memo"] == limits.IMPORTED_MEMO > limits.MEMO


@pytest.mark.parametrize(("field", "limit"), sorted(_COLUMNS.items()))
def test_the_webhook_uses_the_same_limits(field: str, limit: int) -> None:
    value = "a" * (limit - len("@x.example")) + "@x.example" if field == "email" else "a" * limit
    InboundLead.model_validate({"company": "A", field: value})
    with pytest.raises(ValidationError) as caught:
        InboundLead.model_validate({"company": "A", field: "b" + value})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_register_lead_uses_the_same_limits(uow_factory: UnitOfWorkFactory) -> None:
    factories.member(uow_factory(), "R1")
    too_long: dict[str, Any] = {
        "company": "a" * (limits.COMPANY + 1),
        "contact_name": "a" * (limits.CONTACT_NAME + 1),
        "title": "a" * (limits.TITLE + 1),
        "industry": "a" * (limits.INDUSTRY + 1),
        "source": "a" * (limits.SOURCE + 1),
        "phone": "1" * (limits.PHONE + 1),
    }
    with pytest.raises(InvalidInput) as caught:
        register_lead(uow_factory(), slack_user_id="R1", **too_long)
    assert set(caught.value.field_errors) == set(too_long)
    at_limit = {key: value[:-1] for key, value in too_long.items() if key != "phone"}
    assert register_lead(uow_factory(), slack_user_id="R1", **at_limit).created


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Taro@Example.COM", "taro@example.com"),
        ("  hanako@example.com\t", "hanako@example.com"),
        ("already@lower.example", "already@lower.example"),
    ],
)
def test_normalize_email(raw: str, stored: str) -> None:
    assert limits.normalize_email(raw) == stored


TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # Fri 10:00 in Tokyo


@pytest.mark.parametrize(
    ("moment", "ok"),
    [
        (dt.datetime(2000, 1, 1, 0, 0, tzinfo=TOKYO), True),
        (dt.datetime(1999, 12, 31, 23, 59, tzinfo=TOKYO), False),
        (dt.datetime(1999, 12, 31, 15, 0, tzinfo=dt.UTC), True),  # 2000-01-01 00:00 in Tokyo
        (NOW + dt.timedelta(days=1), True),
        (NOW + dt.timedelta(days=1, seconds=1), False),
        (dt.datetime(1, 1, 1, tzinfo=TOKYO), False),  # would overflow converted to UTC
        (dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))), False),
    ],
)
def test_the_cv_time_window(moment: dt.datetime, ok: bool) -> None:
    assert (limits.cv_at_out_of_range(moment, now=NOW, tz=TOKYO) is None) is ok


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (dt.date(2000, 1, 1), True),
        (dt.date(1999, 12, 31), False),
        (dt.date(2031, 12, 31), True),  # a renewal five years ahead
        (dt.date(2032, 1, 1), False),
        (dt.date(9999, 12, 31), False),
    ],
)
def test_the_next_action_date_window(day: dt.date, ok: bool) -> None:
    assert (limits.next_action_date_out_of_range(day, today=NOW.date()) is None) is ok
