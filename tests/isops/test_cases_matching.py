"""The case for a lead: industry first, then role level, then size; explained; none without
an industry (issue 14 point 3)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from isops.calendar import BusinessCalendar
from isops.case_vocabulary import CompanySize
from isops.enums import Role, RoleLevel
from isops.models import Lead
from isops.rules import Targets
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import create_case
from isops.services.cases_matching import (
    CaseCandidate,
    LeadProfile,
    best_case_for_lead,
    best_cases_for_leads,
    pick_best_case,
)
from isops.services.leads import start_log
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests import factories

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def candidate(
    case_id: int,
    industry: str = "製造",
    role: RoleLevel | None = None,
    size: CompanySize | None = None,
    updated: int = 0,
) -> CaseCandidate:
    return CaseCandidate(
        id=case_id,
        industry=industry,
        industry_key=industry.casefold(),
        role_level=role,
        company_size=size,
        updated_at=T0 + dt.timedelta(days=updated),
        title=f"事例{case_id}",
        problem="受注率が低い",
        benefit="受注率の向上",
        figures="18%→24%",
    )


MANAGER_MID = LeadProfile("製造", RoleLevel.MANAGER, CompanySize.MID)


def test_the_industry_must_match() -> None:
    assert pick_best_case([candidate(1, "IT", RoleLevel.MANAGER)], MANAGER_MID) is None


def test_a_lead_without_an_industry_gets_no_case() -> None:
    lead = LeadProfile(None, RoleLevel.MANAGER, CompanySize.MID)
    assert pick_best_case([candidate(1)], lead) is None
    assert pick_best_case([candidate(1)], LeadProfile("  ", None, None)) is None


def test_role_level_beats_size_and_size_beats_recency() -> None:
    by_size = candidate(1, size=CompanySize.MID, updated=9)
    by_role = candidate(2, role=RoleLevel.MANAGER, updated=1)
    both = candidate(3, role=RoleLevel.MANAGER, size=CompanySize.MID, updated=0)
    plain = candidate(4, updated=20)
    match = pick_best_case([by_size, by_role, plain, both], MANAGER_MID)
    assert match is not None and match.case_id == 3
    assert match.explanation == "業種・役職・規模が一致"
    match = pick_best_case([by_size, by_role, plain], MANAGER_MID)
    assert match is not None and (match.case_id, match.explanation) == (2, "業種・役職が一致")
    match = pick_best_case([by_size, plain], MANAGER_MID)
    assert match is not None and (match.case_id, match.explanation) == (1, "業種・規模が一致")
    match = pick_best_case([plain, candidate(5, updated=3)], MANAGER_MID)
    assert match is not None and (match.case_id, match.explanation) == (4, "業種が一致")


def test_ties_go_to_the_most_recently_updated_then_the_highest_id() -> None:
    older, newer = candidate(1, updated=1), candidate(2, updated=2)
    assert pick_best_case([newer, older], MANAGER_MID).case_id == 2  # type: ignore[union-attr]
    same_a, same_b = candidate(7, updated=2), candidate(8, updated=2)
    assert pick_best_case([same_b, same_a], MANAGER_MID).case_id == 8  # type: ignore[union-attr]
    assert pick_best_case([same_a, same_b], MANAGER_MID).case_id == 8  # type: ignore[union-attr]


def test_an_unknown_role_level_matches_no_role() -> None:
    lead = LeadProfile("製造", None, None)
    match = pick_best_case([candidate(1, role=RoleLevel.MANAGER, updated=5)], lead)
    assert match is not None and match.explanation == "業種が一致"


# -- on the database ---------------------------------------------------------------------------------


def _add(
    uow: UnitOfWork,
    industry: str,
    role: RoleLevel | None = None,
    size: CompanySize | None = None,
    archived_title: str = "",
) -> int:
    return create_case(
        uow,
        slack_user_id="UR1",
        draft=CaseDraft(
            title=archived_title or f"{industry} {role or ''} {size or ''}",
            industry=industry,
            role_level=role,
            company_size=size,
            chains=(ChainDraft("受注率が低い", "録画", benefit="受注率の向上", figures="+8pt"),),
        ),
    ).case.id


def _lead(
    uow: UnitOfWork,
    industry: str | None,
    role: RoleLevel | None = None,
    size: CompanySize | None = None,
) -> int:
    lead_id = factories.lead(uow, owner="UR1")
    with uow:
        lead = uow.session.get_one(Lead, lead_id)
        lead.industry, lead.role_level, lead.company_size = industry, role, size
        uow.commit()
    return lead_id


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    factories.member(uow_factory(), "UM1", role=Role.MANAGER)
    factories.member(uow_factory(), "UR1", manager="UM1")
    return uow_factory


def test_best_case_on_the_database_folds_the_industry_and_skips_archived(
    team: UnitOfWorkFactory,
) -> None:
    _add(team(), "製造")
    manager_case = _add(team(), "ｾｲｿﾞｳ", RoleLevel.MANAGER)
    it_case = _add(team(), "IT", RoleLevel.MANAGER)
    with team() as uow:
        match = best_case_for_lead(uow.session, LeadProfile("セイゾウ", RoleLevel.MANAGER, None))
        assert match is not None and match.case_id == manager_case
        assert match.benefit_text == "受注率の向上 (+8pt)"
        assert best_case_for_lead(uow.session, LeadProfile(None, RoleLevel.MANAGER, None)) is None
        found = best_cases_for_leads(
            uow.session,
            {
                1: LeadProfile("it", RoleLevel.MANAGER, None),
                2: LeadProfile("小売", None, None),
                3: LeadProfile(None, None, None),
            },
        )
    assert {k: v.case_id for k, v in found.items()} == {1: it_case}


def test_the_log_modal_start_carries_the_best_case(team: UnitOfWorkFactory) -> None:
    case_id = _add(team(), "製造", RoleLevel.MANAGER)
    fits = _lead(team(), "製造", RoleLevel.MANAGER)
    other = _lead(team(), "金融", RoleLevel.MANAGER)
    calendar = BusinessCalendar(tz=ZoneInfo("Asia/Tokyo"))
    start = start_log(
        team(), slack_user_id="UR1", lead_id=fits, calendar=calendar, targets=Targets()
    )
    assert start.lead is not None and start.lead.case_hint is not None
    assert start.lead.case_hint.case_id == case_id
    assert start.lead.case_hint.explanation == "業種・役職が一致"
    start = start_log(
        team(), slack_user_id="UR1", lead_id=other, calendar=calendar, targets=Targets()
    )
    assert start.lead is not None and start.lead.case_hint is None
