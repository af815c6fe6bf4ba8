"""Manager review services (DOMAIN.md rule 3) on SQLite and PostgreSQL: decisions, the
authorization rule, history, the outbox, and one winner under concurrency."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine, event, func, select, update

from isops.db import make_engine
from isops.enums import ActionStatus, Priority, ReviewState, Role
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.models import Lead, LeadHistory, NoActionReview, Notification
from isops.services.live_lists import KIND_HOME, home_key
from isops.services.reviews import (
    REVIEW_DECIDED,
    REVIEW_REQUESTED,
    REVIEW_RETURNED,
    REVIEW_WITHDRAWN,
    ReviewConfig,
    ReviewDetail,
    approve_review,
    may_decide,
    pending_reviews_for,
    record_review_message,
    return_review,
    review_detail,
    review_for_decision,
    withdraw_pending_review,
)
from isops.unit_of_work import UnitOfWorkFactory, make_uow_factory
from tests import factories
from tests.factories import CALENDAR

CONFIG = ReviewConfig()
# Friday 2026-11-27 10:00 JST.
FRIDAY_10AM = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Team:
    """UM1 manages UR1 and UR3; UM2 manages UR2 (another team); UA is an admin."""

    uow: UnitOfWorkFactory
    ids: dict[str, int]


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> Team:
    ids = {
        "UM1": factories.member(uow_factory(), "UM1", role=Role.MANAGER, name="山田"),
        "UM2": factories.member(uow_factory(), "UM2", role=Role.MANAGER, name="鈴木"),
        "UA": factories.member(uow_factory(), "UA", role=Role.ADMIN, name="管理者"),
    }
    ids["UR1"] = factories.member(uow_factory(), "UR1", manager="UM1", name="佐藤")
    ids["UR2"] = factories.member(uow_factory(), "UR2", manager="UM2", name="田中")
    ids["UR3"] = factories.member(uow_factory(), "UR3", manager="UM1", name="高橋")
    return Team(uow_factory, ids)


def _pending(team: Team, *, rep: str = "UR1", status: int = 4, **lead: Any) -> int:
    lead_id = factories.lead(team.uow(), owner=rep, status=lead.pop("lead_status", 2), **lead)
    return factories.review(team.uow(), lead_id, by=rep, status=status)


def _history(team: Team, lead_id: int) -> list[tuple[str, str | None, str | None, int | None]]:
    with team.uow() as uow:
        rows = uow.session.scalars(
            select(LeadHistory).where(LeadHistory.lead_id == lead_id).order_by(LeadHistory.id)
        )
        return [(h.field, h.old_value, h.new_value, h.member_id) for h in rows]


def _outbox(team: Team) -> list[tuple[str, dict[str, Any]]]:
    """The messages queued, but the rep's Home refreshes (checked on their own)."""
    with team.uow() as uow:
        rows = uow.session.scalars(
            select(Notification).where(Notification.kind != KIND_HOME).order_by(Notification.id)
        )
        return [(n.kind, dict(n.payload)) for n in rows]


def _home_refreshed(team: Team, rep: str) -> bool:
    with team.uow() as uow:
        return (
            home_key(team.ids[rep])
            in uow.session.scalars(
                select(Notification.delivery_key).where(Notification.kind == KIND_HOME)
            ).all()
        )


def _decide(
    decision: Callable[..., ReviewDetail], team: Team, review_id: int, by: str, **kw: Any
) -> ReviewDetail:
    """`by` approves or returns the review (`decision`), with the module's config unless given."""
    kw.setdefault("config", CONFIG)
    return decision(
        team.uow(), review_id=review_id, decider_slack_user_id=by, calendar=CALENDAR, **kw
    )


def _approve(team: Team, review_id: int, by: str = "UM1", **kw: Any) -> ReviewDetail:
    return _decide(approve_review, team, review_id, by, **kw)


def _return(team: Team, review_id: int, by: str = "UM1", **kw: Any) -> ReviewDetail:
    kw.setdefault("reason", "役員が資料を読んでいた。来期予算の前にもう一度")
    return _decide(return_review, team, review_id, by, **kw)


# -- approve ---------------------------------------------------------------------------------------


def test_approve_keeps_status_4_and_records_who_and_when(team: Team) -> None:
    review_id = _pending(team, status=4)
    with time_machine.travel(FRIDAY_10AM, tick=False):
        detail = _approve(team, review_id)
    assert detail.state is ReviewState.APPROVED
    assert (detail.decided_by_slack_user_id, detail.decided_by_name) == ("UM1", "山田")
    assert detail.decided_at == FRIDAY_10AM
    assert detail.lead_status == ActionStatus.NO_ACTION_BEFORE_CONNECT
    assert detail.reapproach_date is None  # rule 6 is for status 6 only
    assert _history(team, detail.lead_id)[-1] == ("review", "pending", "approved", team.ids["UM1"])
    assert _outbox(team)[-1] == (REVIEW_DECIDED, {"review_id": review_id})
    assert _home_refreshed(team, "UR1")  # the lead leaves the rep's list


def test_approving_status_6_suggests_a_re_approach_on_a_business_day(team: Team) -> None:
    review_id = _pending(team, status=6, lead_status=3)
    with time_machine.travel(FRIDAY_10AM, tick=False):
        detail = _approve(team, review_id)
    # 3 months after Fri 2026-11-27 is Sat 2027-02-27: the next business day is Mon 03-01.
    assert detail.reapproach_date == dt.date(2027, 3, 1)
    assert detail.lead_status == ActionStatus.NO_ACTION_AFTER_CONNECT
    with team.uow() as uow:
        note = uow.session.scalar(
            select(LeadHistory.note).where(LeadHistory.new_value == "approved")
        )
    assert note == "再アプローチ予定 2027/3/1(月)"


def test_a_manager_can_rule_the_re_approach_out(team: Team) -> None:
    review_id = _pending(team, status=6, lead_status=3)
    assert _approve(team, review_id, reapproach=False).reapproach_date is None
    other = _pending(team, status=6, lead_status=3)
    no_suggestion = ReviewConfig(reapproach_months=0)
    assert _approve(team, other, config=no_suggestion).reapproach_date is None


def test_a_decision_never_sets_where_the_message_is(team: Team) -> None:
    """Only the sender that posted the manager's message records where it is: a decision
    made before that leaves the location unset; the sender then stores it, sees the verdict
    (and shows it there). A location stored earlier is never replaced by a decision."""
    first = _pending(team)
    detail = _approve(team, first)
    assert (detail.message_channel, detail.message_ts) == (None, None)
    recorded = record_review_message(
        team.uow(), review_id=first, channel="DUM1", ts="1.000100", config=CONFIG
    )
    assert recorded is not None and recorded.stored and not recorded.detail.pending
    assert (recorded.detail.message_channel, recorded.detail.message_ts) == ("DUM1", "1.000100")
    second = _pending(team)
    record_review_message(team.uow(), review_id=second, channel="C1", ts="2.0", config=CONFIG)
    detail = _return(team, second)
    assert (detail.message_channel, detail.message_ts) == ("C1", "2.0")


# -- return ----------------------------------------------------------------------------------------


def test_return_from_4_goes_back_to_2_with_date_priority_history_and_a_dm(team: Team) -> None:
    review_id = _pending(team, status=4, priority=2)
    with time_machine.travel(FRIDAY_10AM, tick=False):
        detail = _return(
            team,
            review_id,
            reason="  決裁者は別部署。情シス経由で再アプローチを  ",
            next_action_date=dt.date(2026, 12, 3),
            priority=Priority.FOCUS,
        )
    assert detail.state is ReviewState.RETURNED
    assert detail.return_reason == "決裁者は別部署。情シス経由で再アプローチを"
    assert (detail.lead_status, detail.priority) == (2, 1)
    assert detail.next_action_date == dt.date(2026, 12, 3)
    with team.uow() as uow:
        lead = uow.session.get_one(Lead, detail.lead_id)
        assert lead.owner_id == team.ids["UR1"]  # the same rep keeps it
    m1 = team.ids["UM1"]
    assert _history(team, detail.lead_id)[-4:] == [
        ("review", "pending", "returned", m1),
        ("status", "4", "2", m1),
        ("next_action_date", None, "2026-12-03", m1),
        ("priority", "2", "1", m1),
    ]
    payload = {"review_id": review_id}
    assert _outbox(team)[-2:] == [(REVIEW_DECIDED, payload), (REVIEW_RETURNED, payload)]
    assert _home_refreshed(team, "UR1")  # the lead is back on the rep's list


def test_return_from_6_goes_back_to_3_and_keeps_fields_left_blank(team: Team) -> None:
    review_id = _pending(team, status=6, lead_status=3, priority=2)
    detail = _return(team, review_id)
    assert (detail.lead_status, detail.priority, detail.next_action_date) == (3, 2, None)
    assert [h[0] for h in _history(team, detail.lead_id)[-2:]] == ["review", "status"]


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_return_without_a_reason_is_refused_and_saves_nothing(team: Team, reason: str) -> None:
    review_id = _pending(team)
    before = factories.review_snapshot(team.uow, review_id)
    with pytest.raises(InvalidInput) as caught:
        _return(team, review_id, reason=reason, next_action_date=dt.date(2099, 1, 1))
    assert set(caught.value.field_errors) == {"reason"}
    assert "理由" in caught.value.field_errors["reason"]
    assert factories.review_snapshot(team.uow, review_id) == before


def test_return_dates_follow_rule_5(team: Team) -> None:
    review_id = _pending(team)
    before = factories.review_snapshot(team.uow, review_id)
    with time_machine.travel(FRIDAY_10AM, tick=False):
        with pytest.raises(InvalidInput) as past:
            _return(team, review_id, next_action_date=dt.date(2026, 11, 26))
        with pytest.raises(InvalidInput) as focus_without_date:
            _return(team, review_id, priority=Priority.FOCUS)
        with pytest.raises(InvalidInput) as too_far:
            _return(team, review_id, priority=1, next_action_date=dt.date(2027, 3, 1))
        with pytest.raises(InvalidInput) as too_long:
            _return(team, review_id, reason="理" * 1001)
    assert "過去" in past.value.field_errors["next_action_date"]
    assert "注力" in focus_without_date.value.field_errors["next_action_date"]
    assert "60 日以内" in too_far.value.field_errors["next_action_date"]
    assert "1000 文字" in too_long.value.field_errors["reason"]
    assert factories.review_snapshot(team.uow, review_id) == before


# -- authorization ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clicker", "refusal"),
    [
        ("UR1", "自分"),  # the rep themself
        ("UM2", "マネージャーか管理者"),  # another team's manager
        ("UR3", "マネージャーか管理者"),  # a fellow rep
        ("UNOBODY", "メンバー登録"),  # not a member
    ],
)
def test_only_the_reps_manager_or_an_admin_may_decide(
    team: Team, clicker: str, refusal: str
) -> None:
    review_id = _pending(team)
    before = factories.review_snapshot(team.uow, review_id)
    for decide in (_approve, _return):
        with pytest.raises(NotAllowed, match=refusal):
            decide(team, review_id, by=clicker)
    with pytest.raises(NotAllowed, match=refusal):
        review_for_decision(
            team.uow(),
            review_id=review_id,
            decider_slack_user_id=clicker,
            config=CONFIG,
            calendar=CALENDAR,
        )
    assert factories.review_snapshot(team.uow, review_id) == before


def test_an_admin_decides_any_review(team: Team) -> None:
    assert _approve(team, _pending(team, rep="UR2"), by="UA").decided_by_slack_user_id == "UA"


def test_an_inactive_manager_may_not_decide(team: Team) -> None:
    review_id = _pending(team)
    with team.uow() as uow:
        uow.session.get_one(factories.Member, team.ids["UM1"]).active = False
        uow.commit()
    with pytest.raises(NotAllowed):
        _approve(team, review_id)


def test_with_a_review_channel_any_manager_may_decide_if_the_team_allows(team: Team) -> None:
    shared = ReviewConfig(review_channel=True, channel_any_manager=True)
    strict = ReviewConfig(review_channel=True, channel_any_manager=False)
    refused = _pending(team)
    with pytest.raises(NotAllowed):
        _approve(team, refused, by="UM2", config=strict)
    with pytest.raises(NotAllowed):
        _approve(team, refused, by="UR3", config=shared)  # a rep is still not a manager
    assert _approve(team, refused, by="UM2", config=shared).decided_by_slack_user_id == "UM2"


def test_may_decide_rule() -> None:
    shared = ReviewConfig(review_channel=True)

    def ok(decider: int, role: Role, config: ReviewConfig = CONFIG) -> bool:
        return may_decide(
            decider_id=decider, decider_role=role, rep_id=1, rep_manager_id=2, config=config
        )

    assert ok(2, Role.MANAGER)
    assert ok(3, Role.ADMIN)
    assert not ok(1, Role.ADMIN)  # never one's own decision, even as an admin
    assert not ok(4, Role.MANAGER)
    assert ok(4, Role.MANAGER, shared)
    assert not ok(4, Role.REP, shared)
    assert ok(2, Role.REP)  # whoever members.manager_id names


# -- the rep is the lead's owner, not whoever logged the 4/6 ---------------------------------------


def _pending_by(team: Team, *, owner: str | None, by: str, status: int = 4) -> int:
    """A 4/6 logged by `by` on a lead owned by `owner` (e.g. a manager on their rep's lead)."""
    lead_id = factories.lead(team.uow(), owner=owner, status=2)
    return factories.review(team.uow(), lead_id, by=by, status=status)


def _ids(team: Team, slack_user_id: str, config: ReviewConfig = CONFIG) -> list[int]:
    listing = pending_reviews_for(team.uow(), slack_user_id=slack_user_id, config=config)
    return [d.id for d in listing.items]


def test_a_manager_logging_4_on_their_reps_lead_cannot_decide_it_an_admin_does(
    team: Team,
) -> None:
    """UM1 logs 4 on UR1's lead. The rep is UR1 (the owner); UM1 is UR1's manager but
    requested it, so the message goes to an admin, who decides; the return DM is UR1's."""
    review_id = _pending_by(team, owner="UR1", by="UM1")
    detail = review_detail(team.uow(), review_id=review_id, config=CONFIG)
    assert detail is not None
    assert (detail.rep_slack_user_id, detail.rep_name) == ("UR1", "佐藤")
    assert (detail.requested_by_slack_user_id, detail.requested_by_name) == ("UM1", "山田")
    assert not detail.requested_by_rep
    assert detail.reviewer_slack_user_id == "UA"  # not UM1: they may not decide it
    before = factories.review_snapshot(team.uow, review_id)
    for clicker, refusal in (("UM1", "自分の「対応不要」の判断"), ("UR1", "自分が担当する")):
        for decide in (_approve, _return):
            with pytest.raises(NotAllowed, match=refusal):
                decide(team, review_id, by=clicker)
    assert factories.review_snapshot(team.uow, review_id) == before
    assert _ids(team, "UM1") == [] and _ids(team, "UA") == [review_id]
    # With a shared channel that lets any manager decide, another manager may (not UM1).
    shared = ReviewConfig(review_channel=True)
    assert _ids(team, "UM2", shared) == [review_id] and _ids(team, "UM1", shared) == []

    returned = _return(team, review_id, by="UA")
    assert returned.state is ReviewState.RETURNED
    assert returned.rep_slack_user_id == "UR1"  # bot.notifications DMs the rep: the owner
    assert _outbox(team)[-1] == (REVIEW_RETURNED, {"review_id": review_id})
    with team.uow() as uow:
        assert uow.session.get_one(Lead, returned.lead_id).owner_id == team.ids["UR1"]


def test_an_admin_logging_4_on_a_reps_lead_goes_to_the_reps_manager(team: Team) -> None:
    review_id = _pending_by(team, owner="UR1", by="UA")
    detail = review_detail(team.uow(), review_id=review_id, config=CONFIG)
    assert detail is not None
    assert (detail.rep_slack_user_id, detail.reviewer_slack_user_id) == ("UR1", "UM1")
    assert _ids(team, "UM1") == [review_id] and _ids(team, "UA") == []
    with pytest.raises(NotAllowed, match="自分の「対応不要」の判断"):
        _approve(team, review_id, by="UA")  # an admin, but the requester
    with pytest.raises(NotAllowed, match="マネージャーか管理者"):
        _approve(team, review_id, by="UM2")
    assert _approve(team, review_id, by="UM1").decided_by_slack_user_id == "UM1"


def test_the_rep_is_the_leads_owner_now(team: Team) -> None:
    """UR1 logged 4, then the lead was reassigned to UR2 (UM2's team): UM2 decides it and UR2
    would get the return DM; UM1 no longer may, and neither UR1 nor UR2 may."""
    review_id = _pending(team, rep="UR1")
    with team.uow() as uow:
        review = uow.session.get_one(NoActionReview, review_id)
        uow.session.get_one(Lead, review.lead_id).owner_id = team.ids["UR2"]
        uow.commit()
    detail = review_detail(team.uow(), review_id=review_id, config=CONFIG)
    assert detail is not None
    assert (detail.rep_slack_user_id, detail.reviewer_slack_user_id) == ("UR2", "UM2")
    assert detail.requested_by_slack_user_id == "UR1"
    assert _ids(team, "UM1") == [] and _ids(team, "UM2") == [review_id]
    for clicker, refusal in (
        ("UM1", "マネージャーか管理者"),
        ("UR1", "自分の「対応不要」の判断"),
        ("UR2", "自分が担当する"),
    ):
        with pytest.raises(NotAllowed, match=refusal):
            _approve(team, review_id, by=clicker)
    assert _return(team, review_id, by="UM2").rep_slack_user_id == "UR2"


def test_a_lead_without_an_owner_falls_back_to_the_requester(team: Team) -> None:
    """Only an admin can log on an unowned lead: they are "the rep", so another admin must
    decide — here there is none, so no one is messaged (it is listed for no one else)."""
    review_id = _pending_by(team, owner=None, by="UA")
    detail = review_detail(team.uow(), review_id=review_id, config=CONFIG)
    assert detail is not None
    assert (detail.rep_slack_user_id, detail.reviewer_slack_user_id) == ("UA", None)
    with pytest.raises(NotAllowed, match="マネージャーか管理者"):
        _approve(team, review_id, by="UM1")
    factories.member(team.uow(), "UA2", role=Role.ADMIN, name="管理者2")
    detail = review_detail(team.uow(), review_id=review_id, config=CONFIG)
    assert detail is not None and detail.reviewer_slack_user_id == "UA2"
    assert _approve(team, review_id, by="UA2").decided_by_slack_user_id == "UA2"


# -- decided once ----------------------------------------------------------------------------------


def test_a_decided_review_cannot_be_decided_again(team: Team) -> None:
    review_id = _pending(team)
    with time_machine.travel(FRIDAY_10AM, tick=False):
        _approve(team, review_id)
    before = factories.review_snapshot(team.uow, review_id)
    with pytest.raises(Conflict, match=r"山田 さんが 11/27\(金\) 10:00 に承認"):
        _approve(team, review_id, by="UA")
    with pytest.raises(Conflict, match=r"山田 さんが 11/27\(金\) 10:00 に承認"):
        _return(team, review_id)
    assert factories.review_snapshot(team.uow, review_id) == before


def test_a_withdrawn_review_says_so(team: Team) -> None:
    review_id = _pending(team)
    with team.uow() as uow:
        lead_id = uow.session.get_one(NoActionReview, review_id).lead_id
        assert withdraw_pending_review(uow, lead_id=lead_id, by_member_id=team.ids["UR1"])
        uow.commit()
    assert _outbox(team)[-1] == (REVIEW_WITHDRAWN, {"review_id": review_id})
    with pytest.raises(Conflict, match="取り下げ"):
        _approve(team, review_id)


def test_withdrawing_after_a_decision_changes_nothing(team: Team) -> None:
    review_id = _pending(team)
    detail = _approve(team, review_id)
    with team.uow() as uow:
        assert withdraw_pending_review(uow, lead_id=detail.lead_id, by_member_id=1) is None
        uow.commit()
    with team.uow() as uow:
        assert uow.session.get_one(NoActionReview, review_id).state is ReviewState.APPROVED


def test_unknown_review(team: Team) -> None:
    with pytest.raises(NotFound):
        _approve(team, 999_999)
    assert review_detail(team.uow(), review_id=999_999, config=CONFIG) is None


# -- concurrency -----------------------------------------------------------------------------------


def test_a_decision_committed_after_the_loser_read_pending_still_wins(
    team: Team, engine: Engine, database_url: str
) -> None:
    """The loser reads "pending", the winner commits, then the loser's conditional UPDATE
    touches no row: it reports the winner and saves nothing (no lock-free double decision)."""
    review_id = _pending(team)
    loser_engine = make_engine(database_url)
    at_update = threading.Event()
    winner_committed = threading.Event()

    @event.listens_for(loser_engine, "before_cursor_execute")
    def pause_before_update(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE NO_ACTION_REVIEWS"):
            at_update.set()
            winner_committed.wait(10)

    outcome: list[BaseException | ReviewDetail] = []

    def loser() -> None:
        try:
            outcome.append(
                approve_review(
                    make_uow_factory(loser_engine)(),
                    review_id=review_id,
                    decider_slack_user_id="UA",
                    config=CONFIG,
                    calendar=CALENDAR,
                )
            )
        except BaseException as exc:
            outcome.append(exc)

    with engine.connect() as winner:
        winner.begin()  # on SQLite: BEGIN IMMEDIATE, the write lock
        winner.execute(
            update(NoActionReview)
            .where(NoActionReview.id == review_id, NoActionReview.state == ReviewState.PENDING)
            .values(state=ReviewState.RETURNED, decided_by_id=team.ids["UM1"])
        )
        thread = threading.Thread(target=loser)
        thread.start()
        if engine.dialect.name == "postgresql":
            # The loser got past its "pending" check and is about to update: a stale read.
            assert at_update.wait(10)
        winner.commit()
        winner_committed.set()
        thread.join(20)
    loser_engine.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert "山田 さんが" in str(outcome[0]) and "差し戻し" in str(outcome[0])
    with team.uow() as uow:
        review = uow.session.get_one(NoActionReview, review_id)
        assert (review.state, review.decided_by_id) == (ReviewState.RETURNED, team.ids["UM1"])
        assert (
            uow.session.scalar(
                select(func.count())
                .select_from(LeadHistory)
                .where(LeadHistory.new_value == "approved")
            )
            == 0
        )


def _race(team: Team, review_id: int) -> dict[str, BaseException | ReviewDetail]:
    """The rep's manager approves while an admin returns, released at the same instant."""
    barrier = threading.Barrier(2)
    results: dict[str, BaseException | ReviewDetail] = {}

    def run(name: str, decide: Any, by: str) -> None:
        barrier.wait(10)
        try:
            results[name] = decide(team, review_id, by=by)
        except BaseException as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=run, args=("approve", _approve, "UM1")),
        threading.Thread(target=run, args=("return", _return, "UA")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_approve_and_return_exactly_one_wins(team: Team) -> None:
    for review_id in [_pending(team) for _ in range(6)]:
        results = _race(team, review_id)
        winners = [k for k, v in results.items() if isinstance(v, ReviewDetail)]
        losses = [v for v in results.values() if isinstance(v, Conflict)]
        assert len(winners) == 1 and len(losses) == 1, results
        approved = winners[0] == "approve"
        assert ("山田" if approved else "管理者") in str(losses[0])
        with team.uow() as uow:
            review = uow.session.get_one(NoActionReview, review_id)
            state, lead_status = review.state, uow.session.get_one(Lead, review.lead_id).status
            decisions = uow.session.scalars(
                select(LeadHistory.new_value).where(
                    LeadHistory.lead_id == review.lead_id, LeadHistory.field == "review"
                )
            ).all()
        expected = ReviewState.APPROVED if approved else ReviewState.RETURNED
        assert state is expected
        assert lead_status == (4 if approved else 2)
        assert decisions == ["pending", expected.value]


# -- reading -------------------------------------------------------------------------------------


def test_pending_reviews_for_a_manager_are_their_reps_oldest_first(team: Team) -> None:
    with time_machine.travel(FRIDAY_10AM, tick=False):
        newer = _pending(team, rep="UR3")
    with time_machine.travel(FRIDAY_10AM - dt.timedelta(days=1), tick=False):
        older = _pending(team, rep="UR1")
    decided = _pending(team, rep="UR1")
    _approve(team, decided)
    other_team = _pending(team, rep="UR2")

    mine = pending_reviews_for(team.uow(), slack_user_id="UM1", config=CONFIG)
    assert [d.id for d in mine.items] == [older, newer]
    assert mine.total == 2
    assert [
        d.id for d in pending_reviews_for(team.uow(), slack_user_id="UM2", config=CONFIG).items
    ] == [other_team]
    everyone = pending_reviews_for(team.uow(), slack_user_id="UA", config=CONFIG, limit=2)
    assert ([d.id for d in everyone.items], everyone.total) == ([older, newer], 3)
    shared = ReviewConfig(review_channel=True)
    assert pending_reviews_for(team.uow(), slack_user_id="UM2", config=shared).total == 3
    assert pending_reviews_for(team.uow(), slack_user_id="UR1", config=CONFIG).total == 0
    with pytest.raises(NotAllowed):
        pending_reviews_for(team.uow(), slack_user_id="UNOBODY", config=CONFIG)


def test_detail_has_what_the_manager_needs(team: Team) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="株式会社ABC", source="資料請求")
    for _ in range(2):
        factories.action(team.uow(), lead_id, by="UR1", outcome="不在")
    review_id = factories.review(team.uow(), lead_id, by="UR1", status=4, memo="番号が違う")
    detail = review_detail(team.uow(), review_id=review_id, config=CONFIG)
    assert detail is not None
    assert (detail.company, detail.source, detail.rep_name) == ("株式会社ABC", "資料請求", "佐藤")
    assert (detail.previous_status, detail.requested_status, detail.memo) == (1, 4, "番号が違う")
    assert detail.progress.label() == "架電 2/5・メール 0/2" and not detail.progress.complete
    assert detail.last_outcome == "不在"
    assert detail.reviewer_slack_user_id == "UM1"
    assert _outbox(team)[-1] == (REVIEW_REQUESTED, {"review_id": review_id})


def test_without_an_active_manager_the_review_goes_to_an_admin(team: Team) -> None:
    factories.member(team.uow(), "UR9", name="無所属")
    detail = review_detail(team.uow(), review_id=_pending(team, rep="UR9"), config=CONFIG)
    assert detail is not None and detail.reviewer_slack_user_id == "UA"


def test_the_first_recorded_message_location_wins(team: Team) -> None:
    review_id = _pending(team)
    first = record_review_message(
        team.uow(), review_id=review_id, channel="DUM1", ts="1.1", config=CONFIG
    )
    again = record_review_message(
        team.uow(), review_id=review_id, channel="DUM1", ts="2.2", config=CONFIG
    )
    assert first is not None and first.stored and first.detail.pending
    assert again is not None and not again.stored
    assert (again.detail.message_channel, again.detail.message_ts) == ("DUM1", "1.1")
