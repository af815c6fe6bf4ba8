"""A new lead's computed fields (search text, inbound) are the same however it came in."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from isops.calendar import BusinessCalendar
from isops.csvio import ImportPolicy, import_leads
from isops.lead_fields import InboundSources, new_lead_fields
from isops.models import Lead
from isops.services.intake import InboundLead, receive_lead
from isops.services.lead_registration import register_lead
from isops.text import lead_search_text
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
# A team whose inbound source is not one of the defaults, written in full width.
SOURCES = ("ウェビナー",)


def test_inbound_is_the_source_folded_against_the_team_s_sources() -> None:
    sources = InboundSources.of(("資料請求", "Web Form"))
    assert sources.match("資料請求") and sources.match("ｗｅｂ　ｆｏｒｍ")
    assert not sources.match("セミナー") and not sources.match(None) and not sources.match("")
    fields = new_lead_fields(
        company="株式会社ＡＢＣ", contact_name="やまだ", source="web form", inbound_sources=sources
    )
    assert fields == {"search_text": lead_search_text("株式会社ＡＢＣ", "やまだ"), "inbound": True}


def test_lead_webhook_and_import_compute_the_same_fields(uow_factory: UnitOfWorkFactory) -> None:
    factories.member(uow_factory(), "U1")
    calendar = BusinessCalendar(tz=TOKYO)
    with time_machine.travel(NOW, tick=False):
        by_hand = register_lead(
            uow_factory(),
            slack_user_id="U1",
            company="株式会社ミナト",
            contact_name="山田",
            source="ｳｪﾋﾞﾅｰ",
            inbound_sources=SOURCES,
        )
        by_webhook = receive_lead(
            uow_factory(),
            lead=InboundLead(company="株式会社みなと", contact_name="山 田", source="ウェビナー"),
            calendar=calendar,
            inbound_sources=SOURCES,
            inbound_cutoff=dt.time(18, 0),
        )
        imported = import_leads(
            uow_factory,
            stream=io.BytesIO("会社名,氏名,流入元\nミナト,山田,うぇびなー\n".encode()),
            policy=ImportPolicy(tz=TOKYO, inbound_sources=SOURCES),
        )
    assert imported.created == 1
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(
                Lead.id,
                Lead.company,
                Lead.contact_name,
                Lead.source,
                Lead.search_text,
                Lead.inbound,
            ).order_by(Lead.id)
        ).all()
    assert [row.id for row in rows[:2]] == [by_hand.lead.id, by_webhook.lead_id]
    expected = InboundSources.of(SOURCES)
    for row in rows:
        assert row.inbound is True
        assert (
            row.search_text
            == new_lead_fields(
                company=row.company,
                contact_name=row.contact_name,
                source=row.source,
                inbound_sources=expected,
            )["search_text"]
        )
