"""Owner assignment at inflow: explicit owner, routing rules, and a round-robin that is fair
under concurrency, survives restarts and gives a rep back from leave no catch-up flood."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, func, select

from isops.db import make_engine
from isops.enums import Role
from isops.errors import InvalidInput, NotFound
from isops.models import AssignmentRule, Lead, Member, Notification
from isops.services.assignment import (
    LEAD_UNASSIGNED,
    RuleSpec,
    add_rule,
    list_rules,
    read_rules_file,
    remove_rule,
    replace_rules,
)
from isops.services.away import set_away
from isops.services.intake import InboundLead, IntakeResult, receive_lead
from isops.services.members import add_member
from isops.settings import DEFAULT_INBOUND_SOURCES
from isops.unit_of_work import UnitOfWorkFactory, make_uow_factory
from tests import factories
from tests.factories import CALENDAR

# Friday 2026-11-27 10:00 JST, a business day.
NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)


def intake(uow_factory: UnitOfWorkFactory, **fields: object) -> IntakeResult:
    data = {"company": "株式会社テスト", **fields}
    return receive_lead(
        uow_factory(),
        lead=InboundLead.model_validate(data),
        calendar=CALENDAR,
        inbound_sources=DEFAULT_INBOUND_SOURCES,
        inbound_cutoff=dt.time(18, 0),
    )


def reps(uow_factory: UnitOfWorkFactory, *ids: str, team: str = "東京") -> None:
    for slack_id in ids:
        factories.member(uow_factory(), slack_id, team=team)


def owners(results: list[IntakeResult]) -> list[str | None]:
    return [r.owner_slack_user_id for r in results]


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def test_round_robin_rotates_in_order(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1", "U2", "U3")
    results = [intake(uow_factory) for _ in range(6)]
    assert owners(results) == ["U1", "U2", "U3", "U1", "U2", "U3"]
    assert {r.how for r in results} == {"rotation"}


def test_rotation_survives_a_restart(database_url: str) -> None:
    first = make_engine(database_url)
    reps(make_uow_factory(first), "U1", "U2", "U3")
    assert owners([intake(make_uow_factory(first)) for _ in range(2)]) == ["U1", "U2"]
    first.dispose()
    second = make_engine(database_url)  # a new process: only the database remembers
    try:
        assert owners([intake(make_uow_factory(second)) for _ in range(2)]) == ["U3", "U1"]
    finally:
        second.dispose()


def test_away_rep_is_skipped_and_gets_no_catch_up_flood(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1", "U2", "U3")
    set_away(
        uow_factory(),
        slack_user_id="U2",
        start_date=dt.date(2026, 11, 27),
        end_date=dt.date(2026, 12, 1),
    )
    during = [intake(uow_factory) for _ in range(6)]
    assert owners(during) == ["U1", "U3"] * 3
    with time_machine.travel(dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC), tick=False):
        after = [intake(uow_factory) for _ in range(6)]
    # Back from leave: one lead first, then the normal turn — not six in a row.
    assert owners(after) == ["U2", "U1", "U3", "U2", "U1", "U3"]


def test_inactive_members_and_managers_get_no_leads(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1")
    factories.member(uow_factory(), "U2", active=False, team="東京")
    factories.member(uow_factory(), "U9", role=Role.MANAGER, team="東京")
    assert owners([intake(uow_factory) for _ in range(3)]) == ["U1", "U1", "U1"]


def test_rules_route_by_source_and_industry(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1", "U2", team="東京")
    reps(uow_factory, "U5", "U6", team="大阪")
    reps(uow_factory, "U8", team="金融チーム")
    add_rule(uow_factory(), spec=RuleSpec(industry="金融", member="U8"))
    add_rule(uow_factory(), spec=RuleSpec(source="セミナー", team="大阪"))
    seminar = [intake(uow_factory, source="セミナー", industry="製造") for _ in range(3)]
    assert owners(seminar) == ["U5", "U6", "U5"]
    assert "規則 2" in seminar[0].reason and "大阪" in seminar[0].reason
    # Width-folded matching: half-width katakana from a form tool still matches.
    assert intake(uow_factory, source="ｾﾐﾅｰ").owner_slack_user_id == "U6"
    # The first matching rule wins (position 1: industry 金融 → U8).
    assert intake(uow_factory, source="セミナー", industry="金融").owner_slack_user_id == "U8"
    # No rule matches: everyone rotates (U1 and U2 have not had a lead yet).
    assert owners([intake(uow_factory, source="資料請求") for _ in range(2)]) == ["U1", "U2"]


def test_rule_falls_through_when_its_target_is_away(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1", team="東京")
    reps(uow_factory, "U8", team="金融")
    add_rule(uow_factory(), spec=RuleSpec(industry="金融", member="U8"))
    set_away(uow_factory(), slack_user_id="U8", start_date=NOW.date(), end_date=NOW.date())
    assert intake(uow_factory, industry="金融").owner_slack_user_id == "U1"


def test_explicit_owner_by_id_or_email_when_active(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1", "U2")
    add_member(
        uow_factory(), slack_user_id="U3", name="鈴木", role=Role.REP, email="Suzuki@Example.com"
    )
    assert intake(uow_factory, owner="U2").owner_slack_user_id == "U2"
    by_mail = intake(uow_factory, owner="suzuki@example.com")
    assert (by_mail.owner_slack_user_id, by_mail.how) == ("U3", "explicit")
    unknown = intake(uow_factory, owner="nobody@example.com")
    assert unknown.how == "rotation" and "未登録" in unknown.reason


def test_nobody_available_stores_the_lead_and_tells_managers(
    uow_factory: UnitOfWorkFactory,
) -> None:
    factories.member(uow_factory(), "U9", role=Role.MANAGER)
    reps(uow_factory, "U1")
    set_away(uow_factory(), slack_user_id="U1", start_date=NOW.date(), end_date=NOW.date())
    result = intake(uow_factory, source="資料請求")
    assert result.owner_slack_user_id is None and result.how == "none"
    with uow_factory() as uow:
        notes = uow.session.scalars(select(Notification)).all()
        assert [(n.kind, n.payload["recipient"]) for n in notes] == [(LEAD_UNASSIGNED, "U9")]
        assert uow.session.get_one(Lead, result.lead_id).owner_id is None


@pytest.mark.parametrize("workers", [8])
def test_concurrent_intake_is_exactly_fair(
    uow_factory: UnitOfWorkFactory, engine: Engine, workers: int
) -> None:
    """Many leads at once from threads, each with its own transaction: no rep is picked
    twice for the same turn, so 4 reps × 10 turns = exactly 10 each."""
    reps(uow_factory, "U1", "U2", "U3", "U4")
    start = threading.Barrier(workers)

    def one(i: int) -> IntakeResult:
        if i < workers:
            start.wait(timeout=10)
        return intake(uow_factory, external_id=f"X{i}")

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, range(40)))
    assert len({r.lead_id for r in results}) == 40
    assert Counter(owners(results)) == {"U1": 10, "U2": 10, "U3": 10, "U4": 10}
    with uow_factory() as uow:
        seqs = uow.session.scalars(select(Member.last_assigned_seq)).all()
    assert len(set(seqs)) == 4  # every turn claimed once: distinct cursor values


def test_concurrent_duplicates_make_one_lead(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1", "U2")
    start = threading.Barrier(6)

    def one(_: int) -> IntakeResult:
        start.wait(timeout=10)
        return intake(uow_factory, external_id="SAME")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(one, range(6)))
    assert len({r.lead_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lead)) == 1
        # The losers' rotation turns were rolled back with their transactions.
        assert sorted(uow.session.scalars(select(Member.last_assigned_seq))) == [0, 1]


def test_rules_add_list_remove_and_replace(uow_factory: UnitOfWorkFactory) -> None:
    reps(uow_factory, "U1")
    add_rule(uow_factory(), spec=RuleSpec(source="資料請求", team="東京"))
    add_rule(uow_factory(), spec=RuleSpec(industry="金融", member="U1"), position=1)
    rules = list_rules(uow_factory())
    assert [(r.position, r.industry, r.member_slack_user_id) for r in rules] == [
        (1, "金融", "U1"),
        (2, None, None),
    ]
    remove_rule(uow_factory(), rule_id=rules[0].id)
    assert [r.source for r in list_rules(uow_factory())] == ["資料請求"]
    with pytest.raises(NotFound):
        remove_rule(uow_factory(), rule_id=rules[0].id)
    replaced = replace_rules(
        uow_factory(), specs=[RuleSpec(source="セミナー", team="大阪"), RuleSpec(team="東京")]
    )
    assert [(r.position, r.source, r.team) for r in replaced] == [
        (1, "セミナー", "大阪"),
        (2, None, "東京"),
    ]


def test_bad_rules_change_nothing(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    add_rule(uow_factory(), spec=RuleSpec(team="東京"))
    with pytest.raises(InvalidInput) as info:
        replace_rules(
            uow_factory(),
            specs=[RuleSpec(source="資料請求"), RuleSpec(team="大阪", member="U404")],
        )
    assert set(info.value.field_errors) == {"rule1", "rule2"}
    assert "規則 2" in info.value.field_errors["rule2"]
    with uow_factory() as uow:
        assert uow.session.scalars(select(AssignmentRule.team)).all() == ["東京"]


def test_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(
        "rules:\n  - source: 資料請求\n    team: 東京\n  - industry: 金融\n    member: U1\n",
        encoding="utf-8",
    )
    assert read_rules_file(path) == [
        RuleSpec(source="資料請求", team="東京"),
        RuleSpec(industry="金融", member="U1"),
    ]
    path.write_text("rules:\n  - sourse: 資料請求\n    team: 東京\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="規則 1"):
        read_rules_file(path)
