"""What works (issue 14 point 6) and the case a hand-off names (point 3), without Slack, on
both databases: hand-offs and 有効商談 per case in one statement, a deleted case leaving its
hand-offs, the hand-off section's case choices, the case checked when the hand-off is saved."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from isops.enums import HandoffVerdict, Role, RoleLevel
from isops.errors import InvalidInput
from isops.models import Case, Handoff
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import case_detail, create_case
from isops.services.cases_matching import LeadProfile, best_case_for_lead
from isops.services.cases_outcomes import CaseOutcome, case_outcomes
from isops.services.cases_search import CaseFilters, search_cases
from isops.services.handoff_cases import CASE_GONE, case_choices, check_case
from isops.services.handoff_details import handoff_detail
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

NOW = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    factories.member(uow_factory(), "M1", role=Role.MANAGER, name="山田")
    factories.member(uow_factory(), "R1", manager="M1", name="佐藤")
    factories.member(uow_factory(), "F1", role=Role.FS, manager="M1", name="田中")
    return uow_factory


IDS = {"M1": 1, "R1": 2, "F1": 3}


def _case(
    uow_factory: UnitOfWorkFactory,
    title: str,
    industry: str = "製造",
    *,
    archived: bool = False,
    **draft: Any,
) -> int:
    case_id = create_case(
        uow_factory(),
        slack_user_id="M1",
        draft=CaseDraft(
            title=title,
            industry=industry,
            chains=(ChainDraft("受注率が低い", benefit="受注率の向上", figures="18%→24%"),),
            **draft,
        ),
    ).case.id
    if archived:
        with uow_factory() as uow:
            uow.session.get_one(Case, case_id).archived = True
            uow.commit()
    return case_id


def _handoff(
    uow_factory: UnitOfWorkFactory, case_id: int | None, verdict: HandoffVerdict | None = None
) -> int:
    """A hand-off row naming `case_id` as the service leaves it (each on a lead of its own)."""
    return factories.handoff(
        uow_factory(),
        factories.lead(uow_factory(), owner="R1", status=5),
        rep="R1",
        fs="F1",
        meeting_at=NOW,
        created_at=NOW,
        case_id=case_id,
        verdict=verdict,
        decided_at=NOW if verdict else None,
        decided_by="F1" if verdict else None,
    )


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    with factories.sql_statements(engine) as seen:
        yield seen


def test_hand_offs_and_valid_ones_per_case_in_one_statement(
    team: UnitOfWorkFactory, statements: list[str]
) -> None:
    told = _case(team, "よく使う事例")
    quiet = _case(team, "まだ使われていない事例")
    old = _case(team, "アーカイブした事例", archived=True)
    for verdict in (
        HandoffVerdict.VALID,
        HandoffVerdict.VALID,
        HandoffVerdict.INVALID,
        HandoffVerdict.RETURNED,
        None,  # waiting for the FS
    ):
        _handoff(team, told, verdict)
    _handoff(team, old, HandoffVerdict.VALID)
    _handoff(team, None, HandoffVerdict.VALID)  # no case named: counts for none

    with team() as uow:
        statements.clear()
        outcomes = case_outcomes(uow.session, [told, quiet, old, 999])
        assert len([s for s in statements if "handoffs" in s]) == 1

    assert outcomes == {
        told: CaseOutcome(handoffs=5, valid=2),
        quiet: CaseOutcome(0, 0),
        old: CaseOutcome(1, 1),  # archived cases keep their record
        999: CaseOutcome(0, 0),
    }
    with team() as uow:
        assert case_outcomes(uow.session, []) == {}


def test_the_detail_and_search_carry_the_outcome(team: UnitOfWorkFactory) -> None:
    told = _case(team, "よく使う事例")
    quiet = _case(team, "まだ使われていない事例")
    _handoff(team, told, HandoffVerdict.VALID)
    _handoff(team, told, HandoffVerdict.INVALID)

    assert case_detail(team(), case_id=told, slack_user_id="R1").outcome == CaseOutcome(2, 1)
    hits = search_cases(team(), slack_user_id="R1", filters=CaseFilters()).hits
    assert {h.id: h.outcome for h in hits} == {told: CaseOutcome(2, 1), quiet: CaseOutcome(0, 0)}


def test_a_deleted_case_leaves_its_hand_offs_naming_none(team: UnitOfWorkFactory) -> None:
    case_id = _case(team, "消える事例")
    handoff_id = _handoff(team, case_id, HandoffVerdict.VALID)
    detail = handoff_detail(team(), handoff_id=handoff_id)
    assert detail is not None and detail.case is not None
    assert (detail.case.title, detail.case.problem, detail.case.benefit_text) == (
        "消える事例",
        "受注率が低い",
        "受注率の向上 (18%→24%)",
    )

    with team() as uow:  # the database's ON DELETE SET NULL, not the ORM
        uow.session.execute(delete(Case).where(Case.id == case_id))
        uow.commit()

    with team() as uow:
        assert uow.session.scalars(select(Handoff.case_id)).all() == [None]
        assert case_outcomes(uow.session, [case_id]) == {case_id: CaseOutcome(0, 0)}
    detail = handoff_detail(team(), handoff_id=handoff_id)
    assert detail is not None and detail.case is None and detail.verdict is HandoffVerdict.VALID


def test_the_choices_put_the_best_match_first_then_titles_and_no_archived(
    team: UnitOfWorkFactory,
) -> None:
    best = _case(team, "ん: 製造・マネージャー", role_level=RoleLevel.MANAGER)
    _case(team, "か: 製造")
    _case(team, "あ: 小売", "小売")
    _case(team, "さ: 製造 (アーカイブ)", archived=True)
    with team() as uow:
        match = best_case_for_lead(uow.session, LeadProfile("製造", RoleLevel.MANAGER, None))
        assert match is not None and match.case_id == best
        titles = [c.title for c in case_choices(uow.session, best=match)]
        no_match = [c.title for c in case_choices(uow.session, best=None)]
    assert titles == ["ん: 製造・マネージャー", "あ: 小売", "か: 製造"]
    assert no_match == ["あ: 小売", "か: 製造", "ん: 製造・マネージャー"]


def test_with_more_cases_than_fit_the_leads_industry_comes_first(
    team: UnitOfWorkFactory,
) -> None:
    best = _case(team, "z: 製造・役員", role_level=RoleLevel.EXECUTIVE)
    same_industry = _case(team, "y: 製造")
    for n in range(3):
        _case(team, f"a{n}: 小売", "小売")  # newer, and first by title
    with team() as uow:
        match = best_case_for_lead(uow.session, LeadProfile("製造", RoleLevel.EXECUTIVE, None))
        kept = [c.id for c in case_choices(uow.session, best=match, limit=3)]
    # Kept: the best, the lead's industry, then the newest of the rest; shown by title.
    assert kept[0] == best and same_industry in kept and len(kept) == 3
    assert len(set(kept) - {best, same_industry}) == 1


def test_only_an_existing_active_case_may_be_named(team: UnitOfWorkFactory) -> None:
    active = _case(team, "使える事例")
    archived = _case(team, "しまった事例", archived=True)
    with team() as uow:
        for chosen, expected, error in (
            (None, None, None),
            (active, active, None),
            (archived, None, CASE_GONE),
            (999_999, None, CASE_GONE),
        ):
            errors: dict[str, str] = {}
            assert check_case(uow.session, chosen, errors) == expected
            assert errors == ({"handoff_case": error} if error else {})


def test_an_archived_case_refuses_the_whole_hand_off(team: UnitOfWorkFactory) -> None:
    """Through the service a hand-off is saved whole or not at all (the log modal path is in
    tests/bot/test_handoffs_http.py)."""
    from isops.calendar import BusinessCalendar
    from isops.services.handoffs import HandoffInput, create_handoff_in
    from isops.settings import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    calendar = BusinessCalendar(tz=settings.tz, company_holidays=settings.company_holidays)
    archived = _case(team, "しまった事例", archived=True)
    lead_id = factories.lead(team(), owner="R1", status=3)
    # Tuesday 12/1 at 10:00 in Tokyo, a meeting on Thursday: everything but the case is valid.
    now = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    handoff = HandoffInput(
        fs_member_id=IDS["F1"],
        meeting_date=dt.date(2026, 12, 3),
        meeting_time=dt.time(14),
        problem="課題",
        wants="事例",
        case_id=archived,
    )

    def create(case_id: int | None) -> None:
        with team() as uow:
            create_handoff_in(
                uow,
                lead_id=lead_id,
                handoff=dataclasses.replace(handoff, case_id=case_id),
                slack_user_id="R1",
                settings=settings,
                calendar=calendar,
            )
            uow.commit()

    with time_machine.travel(now, tick=False):
        with pytest.raises(InvalidInput) as refused:
            create(archived)
        assert refused.value.field_errors == {"handoff_case": CASE_GONE}
        with team() as uow:
            assert uow.session.scalars(select(Handoff.id)).all() == []
        create(None)  # the same hand-off without the archived case is saved
    with team() as uow:
        assert len(uow.session.scalars(select(Handoff.id)).all()) == 1
