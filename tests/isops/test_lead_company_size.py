"""Leads carry a company size band (issue 14): the lead CSV import/export and the webhook's
model read `50-299`, `50〜299名` or a headcount."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pydantic import ValidationError
from sqlalchemy import select

from isops.case_vocabulary import CompanySize
from isops.csvio import ImportPolicy, export_leads, import_leads
from isops.models import Lead
from isops.services.intake import InboundLead
from isops.unit_of_work import UnitOfWorkFactory

TOKYO = ZoneInfo("Asia/Tokyo")
POLICY = ImportPolicy(tz=TOKYO, inbound_sources=("資料請求",))
NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)


def _import(uow_factory: UnitOfWorkFactory, text: str):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        return import_leads(uow_factory, stream=io.BytesIO(text.encode()), policy=POLICY)


def _sizes(uow_factory: UnitOfWorkFactory) -> dict[str, CompanySize | None]:
    with uow_factory() as uow:
        return dict(uow.session.execute(select(Lead.external_id, Lead.company_size)).all())


def test_the_lead_import_reads_bands_labels_and_headcounts(uow_factory: UnitOfWorkFactory) -> None:
    text = "外部ID,会社名,企業規模\nL-1,A社,50-299\nL-2,B社,300〜999名\nL-3,C社,1200\nL-4,D社,\n"
    result = _import(uow_factory, text)
    assert result.ok, result.errors
    assert _sizes(uow_factory) == {
        "L-1": CompanySize.MID,
        "L-2": CompanySize.LARGE,
        "L-3": CompanySize.ENTERPRISE,
        "L-4": None,
    }
    english = _import(uow_factory, "external_id,company_size\nL-4,15\n")
    assert english.ok and english.updated == 1
    assert _sizes(uow_factory)["L-4"] is CompanySize.SMALL


def test_an_unreadable_size_is_a_row_error(uow_factory: UnitOfWorkFactory) -> None:
    result = _import(uow_factory, "外部ID,会社名,企業規模\nL-1,A社,大企業\n")
    assert [str(e) for e in result.errors] == [
        "行 2, 列 企業規模: 「大企業」は読めません (1-49 / 50-299 / 300-999 / 1000+ (50〜299名、従業員数の数字も可))"
    ]
    assert _sizes(uow_factory) == {}


def test_the_lead_export_writes_the_band_and_reads_back_unchanged(
    uow_factory: UnitOfWorkFactory,
) -> None:
    _import(uow_factory, "外部ID,会社名,企業規模\nL-1,A社,50〜299名\n")
    out = io.StringIO(newline="")
    export_leads(uow_factory(), out=out, tz=TOKYO)
    header, row = out.getvalue().splitlines()[:2]
    assert "業種,企業規模,メール" in header and ",50-299," in row
    again = _import(uow_factory, out.getvalue())
    assert (again.ok, again.unchanged) == (True, 1)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ("50-299", CompanySize.MID),
        ("50〜299名", CompanySize.MID),
        (120, CompanySize.MID),
        ("1000+", CompanySize.ENTERPRISE),
        ("", None),
        (None, None),
    ],
)
def test_the_webhook_model_reads_the_size(value: object, size: CompanySize | None) -> None:
    lead = InboundLead.model_validate({"company": "A社", "company_size": value})
    assert lead.company_size is size


def test_the_webhook_model_refuses_a_size_that_is_not_one_band() -> None:
    with pytest.raises(ValidationError, match="複数の規模にまたがります"):
        InboundLead.model_validate({"company": "A社", "company_size": "100名以上"})
