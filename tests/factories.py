"""Test data written straight through the ORM, counters kept as the services keep them (and
read back), and a recorder of the SQL a block runs."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from isops.calendar import BusinessCalendar
from isops.case_vocabulary import CompanySize
from isops.enums import ActionStatus, Channel, MeetingMode, ReviewState, Role, RoleLevel
from isops.models import Action, Handoff, Lead, LeadHistory, Member, NoActionReview, Notification
from isops.rules import Targets
from isops.services.counters import apply_action_to_lead
from isops.settings import Settings
from isops.text import lead_search_text
from isops.unit_of_work import UnitOfWork

_seq = itertools.count(1)
TOKYO_9AM_2026_11_27 = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # 09:00 JST
TOKYO = ZoneInfo("Asia/Tokyo")
# The default settings (no developer .env read) and their business calendar, for tests that
# use them at module level (the `settings` and `calendar` fixtures are the same values).
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
CALENDAR = BusinessCalendar(tz=SETTINGS.tz, company_holidays=SETTINGS.company_holidays)


def jst(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """That wall-clock time in Tokyo, in UTC (as the database stores it)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO).astimezone(dt.UTC)


@contextmanager
def sql_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` runs inside the block, in order (to count them)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _member_id(session: Session, slack_user_id: str | None) -> int | None:
    """The id of the member with this Slack id (None for None or an unknown id)."""
    if slack_user_id is None:
        return None
    return session.scalar(select(Member.id).where(Member.slack_user_id == slack_user_id))


def _saved(uow: UnitOfWork, row: Any) -> int:
    """Add the new row, commit, and return its id (inside the caller's `with uow`)."""
    uow.session.add(row)
    uow.session.flush()
    uow.commit()
    return int(row.id)


def member(
    uow: UnitOfWork,
    slack_user_id: str,
    *,
    role: Role = Role.REP,
    manager: str | None = None,
    name: str | None = None,
    team: str | None = None,
    timezone: str | None = None,
    active: bool = True,
) -> int:
    """Create a member (manager given by Slack id); returns its id."""
    with uow:
        row = Member(
            slack_user_id=slack_user_id,
            name=name or slack_user_id,
            role=role,
            manager_id=_member_id(uow.session, manager),
            team=team,
            timezone=timezone,
            active=active,
        )
        return _saved(uow, row)


# A lead's counters: kept action by action (apply_action_to_lead) or recomputed in SQL.
# bench/reminders.py seeds these columns: bump its DATA_VERSION when this changes.
COUNTERS = (
    "call_count",
    "mail_count",
    "early_action_count",
    "first_action_at",
    "last_action_at",
    "last_outcome",
)


def lead_counters(uow_factory: Callable[[], UnitOfWork], lead_id: int) -> tuple[Any, ...]:
    """The lead's COUNTERS, in that order."""
    with uow_factory() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        return tuple(getattr(lead, name) for name in COUNTERS)


def review_snapshot(uow_factory: Callable[[], UnitOfWork], review_id: int) -> tuple[Any, ...]:
    """Everything a refused review decision must leave alone: the review, its lead's fields,
    and how many history rows and notifications exist."""

    with uow_factory() as uow:
        s = uow.session
        review = s.get_one(NoActionReview, review_id)
        lead = s.get_one(Lead, review.lead_id)
        return (
            review.state,
            review.decided_by_id,
            review.return_reason,
            review.reapproach_date,
            lead.status,
            lead.priority,
            lead.next_action_date,
            s.scalar(select(func.count()).select_from(LeadHistory)),
            s.scalar(select(func.count()).select_from(Notification)),
        )


def manager_with_reps(uow: Callable[[], UnitOfWork], *reps: tuple[str, str]) -> None:
    """Manager UM1 (山田) and their reps, given as (Slack id, name): the usual test team."""
    member(uow(), "UM1", role=Role.MANAGER, name="山田")
    for slack_user_id, name in reps or (("UR1", "佐藤"),):
        member(uow(), slack_user_id, manager="UM1", name=name)


def history(uow_factory: Callable[[], UnitOfWork], lead_id: int) -> list[tuple[Any, ...]]:
    """The lead's history rows as (field, old value, new value, note), oldest first."""

    with uow_factory() as uow:
        rows = uow.session.execute(
            select(
                LeadHistory.field, LeadHistory.old_value, LeadHistory.new_value, LeadHistory.note
            )
            .where(LeadHistory.lead_id == lead_id)
            .order_by(LeadHistory.id)
        ).all()
    return [tuple(row) for row in rows]


def two_managers(uow: Callable[[], UnitOfWork]) -> None:
    """M1 manages reps R1 and R2; M2 is another manager (of nobody)."""
    member(uow(), "M1", role=Role.MANAGER)
    member(uow(), "R1", manager="M1")
    member(uow(), "R2", manager="M1")
    member(uow(), "M2", role=Role.MANAGER)


def count(uow_factory: Callable[[], UnitOfWork], model: type[Any], *where: Any) -> int:
    """How many rows of `model` match `where` (all of them without it)."""
    with uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def lead(
    uow: UnitOfWork,
    *,
    owner: str | None,
    company: str | None = None,
    contact_name: str | None = "担当者",
    status: int = 1,
    priority: int | None = None,
    next_action_date: dt.date | None = None,
    cv_at: dt.datetime = TOKYO_9AM_2026_11_27,
    source: str | None = None,
    inbound: bool = False,
    email: str | None = None,
    memo: str = "",
    phone: str | None = None,
    industry: str | None = None,
    role_level: RoleLevel | None = None,
    company_size: CompanySize | None = None,
) -> int:
    """Create a lead owned by the member with Slack id `owner`; returns its id."""
    company = company or f"株式会社テスト{next(_seq)}"
    with uow:
        row = Lead(
            company=company,
            contact_name=contact_name,
            status=status,
            priority=priority,
            next_action_date=next_action_date,
            cv_at=cv_at,
            source=source,
            inbound=inbound,
            email=email,
            memo=memo,
            phone=phone,
            industry=industry,
            role_level=role_level,
            company_size=company_size,
            owner_id=_member_id(uow.session, owner),
            search_text=lead_search_text(company, contact_name),
        )
        return _saved(uow, row)


def action(
    uow: UnitOfWork,
    lead_id: int,
    *,
    by: str | None,
    channel: Channel = Channel.CALL,
    outcome: str = "不在",
    acted_at: dt.datetime = TOKYO_9AM_2026_11_27,
    targets: Targets | None = None,
) -> int:
    """Add an action to a lead, keeping the lead's counters; returns the action id."""
    with uow:
        row = Action(
            lead_id=lead_id,
            member_id=_member_id(uow.session, by),
            channel=channel,
            outcome=outcome,
            acted_at=acted_at,
        )
        apply_action_to_lead(uow.session.get_one(Lead, lead_id), row, targets or Targets())
        return _saved(uow, row)


def handoff(
    uow: UnitOfWork,
    lead_id: int,
    *,
    rep: str,
    fs: str,
    meeting_at: dt.datetime,
    created_at: dt.datetime,
    decided_by: str | None = None,
    **fields: Any,
) -> int:
    """A hand-off of the lead from rep `rep` to FS `fs` as the service leaves it: online, due
    2 h after the meeting; `fields` set or override columns (a verdict, a case). Returns its id."""

    with uow:
        rep_id = _member_id(uow.session, rep)
        columns: dict[str, Any] = {
            "lead_id": lead_id,
            "rep_id": rep_id,
            "created_by_id": rep_id,
            "fs_member_id": _member_id(uow.session, fs),
            "meeting_at": meeting_at,
            "meeting_mode": MeetingMode.ONLINE,
            "problem": "課題",
            "wants": "事例",
            "created_at": created_at,
            "verdict_due_at": meeting_at + dt.timedelta(hours=2),
            "next_request_at": meeting_at + dt.timedelta(hours=2),
            "decided_by_id": _member_id(uow.session, decided_by),
        }
        row = Handoff(**(columns | fields))
        return _saved(uow, row)


def review(
    uow: UnitOfWork,
    lead_id: int,
    *,
    by: str,
    status: int = 4,
    reason_code: str = "対象外",
    memo: str = "決裁者に届かない",
) -> int:
    """A pending review of `status` (4 or 6) by rep `by`, the lead's status set to it at once
    as logging does; returns the review id (its manager message is queued in the outbox)."""
    from isops.services.reviews import request_review

    with uow:
        member_id = _member_id(uow.session, by)
        assert member_id is not None, f"no member {by}"
        row = uow.session.get_one(Lead, lead_id)
        previous = row.status
        row.status = status
        review_id = request_review(
            uow,
            lead_id=lead_id,
            requested_by_id=member_id,
            requested_status=status,
            previous_status=previous,
            reason_code=reason_code,
            memo=memo,
        )
        uow.commit()
        return review_id


def returned_review(
    uow: UnitOfWork,
    lead_id: int,
    *,
    by: str,
    manager: str,
    reason: str,
    decided_at: dt.datetime,
    status: int = 4,
) -> int:
    """A status-4/6 request by rep `by` that `manager` returned (差し戻し) with `reason` at
    `decided_at`; the lead is back at 2 (from 4) or 3 (from 6), as a return leaves it."""
    from isops.services.reviews import RETURNED_STATUS

    with uow:
        row = uow.session.get_one(Lead, lead_id)
        review = NoActionReview(
            lead_id=lead_id,
            requested_by_id=_member_id(uow.session, by),
            requested_status=status,
            previous_status=row.status,
            reason_code="対象外",
            memo="",
            state=ReviewState.RETURNED,
            decided_by_id=_member_id(uow.session, manager),
            decided_at=decided_at,
            return_reason=reason,
            created_at=decided_at - dt.timedelta(hours=2),
        )
        row.status = RETURNED_STATUS[ActionStatus(status)]
        uow.session.add(review)
        uow.session.flush()
        uow.commit()
        return review.id


def record_field_change(
    uow: UnitOfWork, lead_id: int, *, field: str, old: Any, new: Any, by: str | None = None
) -> None:
    """Change one of a lead's fields with its history row, as another path (a return, an
    import) would."""
    from isops.services.history import record_change

    with uow:
        record_change(
            uow.session,
            lead_id=lead_id,
            member_id=_member_id(uow.session, by),
            field=field,
            old=old,
            new=new,
        )
        setattr(uow.session.get_one(Lead, lead_id), field, new)
        uow.commit()
