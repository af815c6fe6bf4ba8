"""Lead intake: validation, inbound deadlines (DOMAIN.md rule 1), idempotency, and the owner's
DM stored in the same transaction as the lead."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from isops.enums import RoleLevel
from isops.errors import InvalidInput
from isops.models import IdempotencyKey, Lead, LeadHistory, Notification
from isops.services.assignment import LEAD_ASSIGNED
from isops.services.intake import InboundLead, IntakeResult, receive_lead
from isops.text import lead_search_text
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories
from tests.isops.test_assignment import CALENDAR, DEFAULT_INBOUND_SOURCES

FRIDAY_10 = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # Fri 10:00 JST


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(FRIDAY_10, tick=False)


def intake(uow_factory: UnitOfWorkFactory, key: str | None = None, **fields: Any) -> IntakeResult:
    return receive_lead(
        uow_factory(),
        lead=InboundLead.model_validate({"company": "株式会社テスト", **fields}),
        calendar=CALENDAR,
        inbound_sources=DEFAULT_INBOUND_SOURCES,
        inbound_cutoff=dt.time(18, 0),
        idempotency_key=key,
    )


def count(uow_factory: UnitOfWorkFactory, model: type[Any]) -> int:
    with uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_lead_owner_history_and_dm_are_stored_together(uow_factory: UnitOfWorkFactory) -> None:
    factories.member(uow_factory(), "U1")
    result = intake(
        uow_factory,
        contact_name="山田 太郎",
        title="部長",
        role_level="マネージャー",
        industry="製造",
        email="yamada@example.com",
        phone="03-1234-5678",
        source="資料請求",
        external_id="F-1",
    )
    assert (result.created, result.owner_slack_user_id, result.inbound) == (True, "U1", True)
    with uow_factory() as uow:
        lead = uow.session.get_one(Lead, result.lead_id)
        assert lead.role_level is RoleLevel.MANAGER
        assert lead.cv_at == FRIDAY_10
        assert lead.search_text == lead_search_text("株式会社テスト", "山田 太郎")
        (note,) = uow.session.scalars(
            select(Notification).where(Notification.kind == LEAD_ASSIGNED)
        ).all()
        assert note.kind == LEAD_ASSIGNED
        assert note.payload["owner_slack_user_id"] == "U1"
        assert note.payload["lead_id"] == result.lead_id
        assert note.payload["deadline"] == "2026-11-27"
        (history,) = uow.session.scalars(select(LeadHistory)).all()
        assert (history.field, history.new_value) == ("owner", "U1")


@pytest.mark.parametrize(
    ("cv_at", "source", "deadline", "same_day"),
    [
        ("2026-11-27T17:59:00+09:00", "資料請求", dt.date(2026, 11, 27), True),
        # After the 18:00 cut-off: next business day (Monday).
        ("2026-11-27T18:00:00+09:00", "問い合わせ", dt.date(2026, 11, 30), False),
        # Saturday: the next business day.
        ("2026-11-28T10:00:00+09:00", "資料請求", dt.date(2026, 11, 30), False),
        # No offset: read in the team's time zone (Asia/Tokyo).
        ("2026-11-27T09:30:00", "資料請求", dt.date(2026, 11, 27), True),
        # Not an inbound source: no same-day deadline.
        ("2026-11-27T10:00:00+09:00", "セミナー", None, False),
    ],
)
def test_first_approach_deadline(
    uow_factory: UnitOfWorkFactory,
    cv_at: str,
    source: str,
    deadline: dt.date | None,
    same_day: bool,
) -> None:
    factories.member(uow_factory(), "U1")
    result = intake(uow_factory, cv_at=cv_at, source=source)
    assert result.deadline == deadline
    with uow_factory() as uow:
        (note,) = uow.session.scalars(
            select(Notification).where(Notification.kind == LEAD_ASSIGNED)
        ).all()
        assert note.payload["same_day"] is same_day
        lead = uow.session.get_one(Lead, result.lead_id)
        assert lead.inbound is (deadline is not None)
        if cv_at == "2026-11-27T09:30:00":
            assert lead.cv_at == dt.datetime(2026, 11, 27, 0, 30, tzinfo=dt.UTC)


def test_same_external_id_twice_is_one_lead(uow_factory: UnitOfWorkFactory) -> None:
    factories.member(uow_factory(), "U1")
    factories.member(uow_factory(), "U2")
    first = intake(uow_factory, external_id="F-1")
    again = intake(uow_factory, external_id="F-1", company="別の表記")
    assert (first.created, again.created) == (True, False)
    assert again.lead_id == first.lead_id
    assert again.owner_slack_user_id == first.owner_slack_user_id == "U1"
    assert count(uow_factory, Lead) == 1
    assert count(uow_factory, Notification) == 2  # the owner's DM and Home refresh, once


def test_same_idempotency_key_twice_is_one_lead(uow_factory: UnitOfWorkFactory) -> None:
    factories.member(uow_factory(), "U1")
    first = intake(uow_factory, key="delivery-1")
    again = intake(uow_factory, key="delivery-1")
    other = intake(uow_factory, key="delivery-2")
    assert again.lead_id == first.lead_id != other.lead_id
    assert count(uow_factory, Lead) == 2
    assert count(uow_factory, IdempotencyKey) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "company"),
        ({"company": "  "}, "company"),
        ({"company": 123}, "company"),
        ({"company": "A", "email": "not-an-address"}, "email"),
        ({"company": "A", "cv_at": "yesterday"}, "cv_at"),
        ({"company": "A", "role_level": "社長"}, "role_level"),
        ({"company": "x" * 201}, "company"),
    ],
)
def test_invalid_input_is_refused(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        InboundLead.model_validate(body)
    assert field in {str(e["loc"][0]) for e in info.value.errors()}


def test_blank_fields_are_none_and_english_role_levels_read() -> None:
    lead = InboundLead.model_validate(
        {"company": " A ", "email": "", "role_level": "Executive", "unknown": 1}
    )
    assert (lead.company, lead.email, lead.role_level) == ("A", None, RoleLevel.EXECUTIVE)


def test_the_email_is_stored_lower_cased(uow_factory: UnitOfWorkFactory) -> None:
    factories.member(uow_factory(), "U1")
    result = intake(uow_factory, email=" Yamada@Example.COM ")
    with uow_factory() as uow:
        lead = uow.session.get_one(Lead, result.lead_id)
        assert lead.email == "yamada@example.com"
        (note,) = uow.session.scalars(
            select(Notification).where(Notification.kind == LEAD_ASSIGNED)
        ).all()
        assert note.payload["email"] == "yamada@example.com"


@pytest.mark.parametrize(
    "cv_at",
    [
        "0001-01-01T00:00:00",  # read in Asia/Tokyo, it would not even convert to UTC
        "9999-12-31T23:59:59-05:00",
        "1999-12-31T23:59:59+09:00",
        "2026-11-28T10:00:01+09:00",  # more than a day after Fri 10:00
    ],
)
def test_a_cv_time_out_of_range_is_refused(uow_factory: UnitOfWorkFactory, cv_at: str) -> None:
    factories.member(uow_factory(), "U1")
    with pytest.raises(InvalidInput) as info:
        intake(uow_factory, cv_at=cv_at, source="資料請求")
    assert set(info.value.field_errors) == {"cv_at"}
    assert "2000/1/1(土) から現在の 1 日後まで" in info.value.field_errors["cv_at"]
    assert count(uow_factory, Lead) == count(uow_factory, Notification) == 0
    assert intake(uow_factory, cv_at="2026-11-28T10:00:00+09:00").created  # the edge is in


def test_typed_text_loses_control_characters_and_identifiers_with_them_are_refused() -> None:
    lead = InboundLead.model_validate(
        {
            "company": "株式会社\x00あおば\n本社",
            "contact_name": "\x1b[31m山田\u0085 太郎",
            "email": "Yamada@Aoba.example\x00",
            "role_level": "役員\x00",
            "source": "資料請求\ud83d",  # half an emoji, as a form that cut the text short sends it
            "title": "\x00",
        }
    )
    assert (lead.company, lead.contact_name, lead.email) == (
        "株式会社あおば 本社",
        "[31m山田 太郎",
        "yamada@aoba.example",
    )
    assert (lead.role_level, lead.source, lead.title) == (RoleLevel.EXECUTIVE, "資料請求", None)
    for field in ("external_id", "owner"):
        with pytest.raises(ValidationError) as info:
            InboundLead.model_validate({"company": "A", field: "CRM-\x001"})
        assert [e["loc"] for e in info.value.errors()] == [(field,)]
