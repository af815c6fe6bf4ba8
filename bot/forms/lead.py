"""The /lead modal's form: private metadata and parsing a submission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError, field_validator

from bot import ids
from bot.forms import state as form_state
from bot.forms.payload_ids import SlackId
from bot.forms.state import ModalMetadata, state_values
from isops import messages
from isops.calendar import member_zone
from isops.enums import RoleLevel
from isops.text import strip_control

FIELD_BLOCKS: dict[str, str] = {
    "company": ids.LEAD_COMPANY_BLOCK,
    "contact_name": ids.LEAD_CONTACT_BLOCK,
    "title": ids.LEAD_TITLE_BLOCK,
    "role_level": ids.LEAD_ROLE_LEVEL_BLOCK,
    "industry": ids.LEAD_INDUSTRY_BLOCK,
    "email": ids.LEAD_EMAIL_BLOCK,
    "phone": ids.LEAD_PHONE_BLOCK,
    "source": ids.LEAD_SOURCE_BLOCK,
    "cv_date": ids.LEAD_CV_DATE_BLOCK,
    "cv_time": ids.LEAD_CV_TIME_BLOCK,
    "cv_at": ids.LEAD_CV_DATE_BLOCK,
    "owner": ids.LEAD_OWNER_BLOCK,
}
FIELD_MESSAGES: dict[str, str] = {
    "company": messages.COMPANY_REQUIRED,
    "role_level": "役職レベルを選び直してください",
    "cv_date": "CV 日を選んでください",
    "cv_time": "CV 時刻を選んでください",
}


class LeadMetadata(ModalMetadata):
    """private_metadata of the /lead modal: the time zone the CV date/time is entered in."""

    tz: str = Field(default="Asia/Tokyo", max_length=64)

    def zone(self) -> ZoneInfo:
        return member_zone(self.tz, ZoneInfo("Asia/Tokyo"))


class LeadForm(BaseModel):
    """A submitted /lead modal (the service checks the business rules)."""

    company: str
    contact_name: str | None = None
    title: str | None = None
    role_level: RoleLevel | None = None
    industry: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None
    cv_date: dt.date
    cv_time: dt.time
    owner: SlackId | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _trim(cls, value: Any) -> Any:
        # One line each; control characters (NUL: PostgreSQL refuses it) are dropped.
        if isinstance(value, str):
            return strip_control(value, single_line=True).strip() or None
        return value

    def cv_at(self, zone: ZoneInfo) -> dt.datetime:
        return dt.datetime.combine(self.cv_date, self.cv_time, tzinfo=zone)


@dataclass(frozen=True)
class ParsedLead:
    form: LeadForm | None
    errors: dict[str, str]


def errors_for_view(view: Mapping[str, Any], field_errors: Mapping[str, str]) -> dict[str, str]:
    """Service field errors → `{block_id: message}` (unknown fields go on the company)."""
    return form_state.errors_for_view(
        view, field_errors, field_blocks=FIELD_BLOCKS, default=ids.LEAD_COMPANY_BLOCK
    )


def parse_lead_form(view: Mapping[str, Any]) -> ParsedLead:
    state = state_values(view)
    raw = {
        field: state[block].value
        for field, block in FIELD_BLOCKS.items()
        if field != "cv_at" and block in state
    }
    try:
        return ParsedLead(LeadForm.model_validate(raw), {})
    except ValidationError as exc:
        field_errors = {
            str(e["loc"][0]): FIELD_MESSAGES.get(str(e["loc"][0]), "入力を確認してください")
            for e in exc.errors()
            if e["loc"]
        }
        return ParsedLead(None, errors_for_view(view, field_errors))
