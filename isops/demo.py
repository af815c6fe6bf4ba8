"""A sample team for `isops demo`: a manager, three reps, leads with realistic histories (the
data is `isops.demo_data`; this module writes it).

Everything is placed relative to one business-day morning, so the morning digests show every
kind of reminder: inbound leads due today and overdue, focus leads due, an overdue pile after a
rep's leave, 5C2M sequences at different stages, a decision the manager returned, a pending
review, hygiene problems, a rep on leave whose hot leads go to the manager, and closed history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from isops.calendar import BusinessCalendar
from isops.demo_data import (
    DEMO_CASES,
    LEADS,
    MANAGER,
    SATO,
    SUZUKI,
    TAKAHASHI,
    TEAM,
    Ago,
    DemoLead,
    DemoMember,
    DemoReview,
    Local,
    profile_of,
)
from isops.enums import ActionStatus, Channel, Outcome, ReviewState
from isops.lead_fields import InboundSources, new_lead_fields
from isops.models import Action, AwayPeriod, Lead, Member, NoActionReview
from isops.rules import Targets
from isops.services.case_drafts import clean_draft
from isops.services.cases import write_case
from isops.services.counters import apply_action_to_lead
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DemoTeam:
    business_date: dt.date
    morning: dt.datetime
    members: tuple[DemoMember, ...]
    created: bool  # False: the database already held a team, used as it is


def demo_morning(settings: Settings, calendar: BusinessCalendar, now: dt.datetime) -> dt.datetime:
    """This morning's reminder time, or the next business day's when today is not one."""
    today = calendar.business_day_on_or_after(calendar.local_date(now))
    return dt.datetime.combine(today, settings.remind_at, tzinfo=calendar.tz).astimezone(dt.UTC)


def build_demo(
    uow: UnitOfWork, *, settings: Settings, calendar: BusinessCalendar, now: dt.datetime
) -> DemoTeam:
    """Create the sample team in an empty database (an existing team is left as it is)."""
    morning = demo_morning(settings, calendar, now)
    today = calendar.local_date(morning)
    away_until = calendar.next_business_day(calendar.next_business_day(today))
    members = (
        MANAGER,
        SATO,
        DemoMember(SUZUKI.slack_user_id, SUZUKI.name, SUZUKI.role, away_until),
        TAKAHASHI,
    )
    with uow:
        session = uow.session
        if session.scalar(select(func.count(Member.id))):
            return DemoTeam(today, morning, members, created=False)
        _Builder(
            session,
            settings.targets,
            calendar,
            morning,
            InboundSources.of(settings.inbound_sources),
        ).build(away_until)
        uow.commit()
    return DemoTeam(today, morning, members, created=True)


class _Builder:
    def __init__(
        self,
        session: Session,
        targets: Targets,
        calendar: BusinessCalendar,
        morning: dt.datetime,
        inbound_sources: InboundSources,
    ) -> None:
        self.session = session
        self.targets = targets
        self.calendar = calendar
        self.morning = morning
        self.today = calendar.local_date(morning)
        self.inbound_sources = inbound_sources
        self.ids: dict[str, int] = {}
        self.leads_made = 0

    def at(self, when: Ago | Local) -> dt.datetime:
        """The moment `when` stands for, relative to the demo's morning."""
        if isinstance(when, Ago):
            return self.morning - dt.timedelta(days=when.days, hours=when.hours)
        day = self.today
        for _ in range(when.business_days_ago):
            day = self.calendar.previous_business_day(day)
        local = dt.datetime.combine(day, dt.time(when.hour, when.minute), tzinfo=self.calendar.tz)
        moment = local.astimezone(dt.UTC)
        if when.window_before:
            moment -= dt.timedelta(days=self.targets.early_window_days)
        return moment

    def member(self, who: DemoMember, manager: DemoMember | None = None) -> None:
        row = Member(
            slack_user_id=who.slack_user_id,
            name=who.name,
            role=who.role,
            manager_id=self.ids[manager.slack_user_id] if manager else None,
            team=TEAM,
            timezone="Asia/Tokyo",
        )
        self.session.add(row)
        self.session.flush()
        self.ids[who.slack_user_id] = row.id

    def lead(self, spec: DemoLead) -> None:
        """The lead, its touches (counters kept as logging keeps them) and its review."""
        owner_id = self.ids[spec.owner.slack_user_id]
        cv_at = self.at(spec.cv)
        self.leads_made += 1
        n = self.leads_made
        row = Lead(
            company=spec.company,
            contact_name=spec.contact,
            # Numbers and addresses of the sample only (example.co.jp is reserved).
            phone=f"03-{5100 + n * 7:04d}-{(2300 + n * 389) % 10000:04d}",
            email=f"sales{n:02d}@example.co.jp" if n % 3 else None,
            status=spec.status,
            priority=spec.priority,
            next_action_date=(
                None
                if spec.next_in_days is None
                else self.today + dt.timedelta(days=spec.next_in_days)
            ),
            cv_at=cv_at,
            source=spec.source,
            owner_id=owner_id,
            memo=spec.memo,
            **profile_of(spec.company),
            **new_lead_fields(
                company=spec.company,
                contact_name=spec.contact,
                source=spec.source,
                inbound_sources=self.inbound_sources,
            ),
        )
        self.session.add(row)
        self.session.flush()
        touches = spec.touches
        first = cv_at + dt.timedelta(hours=2)
        for index, kind in enumerate(touches):
            acted_at = first + dt.timedelta(hours=spec.every_hours * index)
            if acted_at >= self.morning:
                acted_at = self.morning - dt.timedelta(minutes=30 * (len(touches) - index))
            last = index == len(touches) - 1
            if kind == "C":
                channel = Channel.CALL
                outcome = Outcome.CONNECTED if (last and spec.connected_at_end) else Outcome.ABSENT
            else:
                channel = Channel.MAIL
                outcome = Outcome.SENT
            action = Action(
                lead_id=row.id,
                member_id=owner_id,
                channel=channel,
                outcome=outcome,
                acted_at=acted_at,
            )
            self.session.add(action)
            apply_action_to_lead(row, action, self.targets)
        if spec.review is not None:
            self.review(row.id, owner_id, spec.review)

    def review(self, lead_id: int, rep_id: int, spec: DemoReview) -> None:
        created_at = self.at(spec.created)
        decided = spec.state != ReviewState.PENDING
        self.session.add(
            NoActionReview(
                lead_id=lead_id,
                requested_by_id=rep_id,
                requested_status=ActionStatus.NO_ACTION_BEFORE_CONNECT,
                previous_status=ActionStatus.NOT_CONNECTED,
                reason_code=spec.reason_code,
                memo=spec.memo,
                state=spec.state,
                decided_by_id=self.ids[MANAGER.slack_user_id] if decided else None,
                decided_at=created_at + dt.timedelta(hours=3) if decided else None,
                return_reason=spec.return_reason,
                created_at=created_at,
            )
        )

    def build(self, away_until: dt.date) -> None:
        self.member(MANAGER)
        for rep in (SATO, SUZUKI, TAKAHASHI):
            self.member(rep, MANAGER)
        self.session.add(
            AwayPeriod(
                member_id=self.ids[SUZUKI.slack_user_id],
                start_date=self.today,
                end_date=away_until,
            )
        )
        for spec in LEADS:
            self.lead(spec)
        for external_id, draft in DEMO_CASES:
            write_case(
                self.session,
                draft=clean_draft(draft),
                member_id=self.ids[MANAGER.slack_user_id],
                now=self.morning,
                external_id=external_id,
            )
