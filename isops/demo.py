"""A sample team for `isops demo`: a manager, three reps, leads with realistic histories.

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
from isops.enums import ActionStatus, Channel, Outcome, Priority, ReviewState, Role
from isops.lead_fields import InboundSources, new_lead_fields
from isops.models import Action, AwayPeriod, Lead, Member, NoActionReview
from isops.rules import Targets
from isops.services.counters import apply_action_to_lead
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

TEAM = "IS 第1チーム"


@dataclass(frozen=True)
class DemoMember:
    slack_user_id: str
    name: str
    role: Role
    away_until: dt.date | None = None


@dataclass(frozen=True)
class DemoTeam:
    business_date: dt.date
    morning: dt.datetime
    members: tuple[DemoMember, ...]
    created: bool  # False: the database already held a team, used as it is


MANAGER = DemoMember("U0DEMOMGR1", "山田 花子", Role.MANAGER)
SATO = DemoMember("U0DEMOREP1", "佐藤 健", Role.REP)
SUZUKI = DemoMember("U0DEMOREP2", "鈴木 美咲", Role.REP)
TAKAHASHI = DemoMember("U0DEMOREP3", "高橋 翔", Role.REP)


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

    # -- helpers ---------------------------------------------------------------------------------

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.calendar.tz).astimezone(
            dt.UTC
        )

    def business_days_ago(self, n: int) -> dt.date:
        day = self.today
        for _ in range(n):
            day = self.calendar.previous_business_day(day)
        return day

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

    def lead(
        self,
        owner: DemoMember,
        company: str,
        contact: str,
        *,
        cv_at: dt.datetime,
        status: ActionStatus = ActionStatus.NOT_CONNECTED,
        priority: Priority | None = None,
        next_action_date: dt.date | None = None,
        source: str | None = None,
        touches: str = "",
        every_hours: float = 26.0,
        connected_at_end: bool = False,
        memo: str = "",
    ) -> int:
        """A lead with its actions: `touches` is "CCMC…" (C call, M mail), oldest first."""
        row = Lead(
            company=company,
            contact_name=contact,
            status=status,
            priority=priority,
            next_action_date=next_action_date,
            cv_at=cv_at,
            source=source,
            owner_id=self.ids[owner.slack_user_id],
            memo=memo,
            **new_lead_fields(
                company=company,
                contact_name=contact,
                source=source,
                inbound_sources=self.inbound_sources,
            ),
        )
        self.session.add(row)
        self.session.flush()
        first = cv_at + dt.timedelta(hours=2)
        for index, kind in enumerate(touches):
            acted_at = first + dt.timedelta(hours=every_hours * index)
            if acted_at >= self.morning:
                acted_at = self.morning - dt.timedelta(minutes=30 * (len(touches) - index))
            last = index == len(touches) - 1
            if kind == "C":
                channel = Channel.CALL
                outcome = Outcome.CONNECTED if (last and connected_at_end) else Outcome.ABSENT
            else:
                channel = Channel.MAIL
                outcome = Outcome.SENT
            action = Action(
                lead_id=row.id,
                member_id=self.ids[owner.slack_user_id],
                channel=channel,
                outcome=outcome,
                acted_at=acted_at,
            )
            self.session.add(action)
            apply_action_to_lead(row, action, self.targets)
        return row.id

    def review(
        self,
        lead_id: int,
        rep: DemoMember,
        *,
        state: ReviewState,
        created_at: dt.datetime,
        reason_code: str,
        memo: str,
        requested_status: ActionStatus = ActionStatus.NO_ACTION_BEFORE_CONNECT,
        return_reason: str | None = None,
    ) -> None:
        self.session.add(
            NoActionReview(
                lead_id=lead_id,
                requested_by_id=self.ids[rep.slack_user_id],
                requested_status=requested_status,
                previous_status=ActionStatus.NOT_CONNECTED,
                reason_code=reason_code,
                memo=memo,
                state=state,
                decided_by_id=self.ids[MANAGER.slack_user_id]
                if state != ReviewState.PENDING
                else None,
                decided_at=created_at + dt.timedelta(hours=3)
                if state != ReviewState.PENDING
                else None,
                return_reason=return_reason,
                created_at=created_at,
            )
        )

    # -- the team --------------------------------------------------------------------------------

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
        self.sato()
        self.suzuki()
        self.takahashi()
        self.closed_history()

    def sato(self) -> None:
        today, yesterday = self.today, self.business_days_ago(1)
        day = dt.timedelta(days=1)
        # 🔥 Inbound: one after yesterday's cut-off (due today), one two days late.
        self.lead(
            SATO,
            "株式会社みらい物流",
            "田中 一郎",
            cv_at=self.local(yesterday, 19, 42),
            status=ActionStatus.UNTOUCHED,
            source="資料請求",
        )
        self.lead(
            SATO,
            "青葉精機株式会社",
            "小林 真由美",
            cv_at=self.local(self.business_days_ago(2), 11, 5),
            status=ActionStatus.UNTOUCHED,
            source="問い合わせ",
        )
        # 📅 Focus leads due today, connected and nurtured.
        self.lead(
            SATO,
            "株式会社サンライズ不動産",
            "中村 悠斗 (営業部長)",
            cv_at=self.morning - 30 * day,
            status=ActionStatus.CONNECTED,
            priority=Priority.FOCUS,
            next_action_date=today,
            touches="CMCCC",
            every_hours=60,
            connected_at_end=True,
            memo="営業部長。オンライン商談の録画分析に関心。来期予算の確認待ち",
        )
        self.lead(
            SATO,
            "ひかり食品株式会社",
            "加藤 里奈",
            cv_at=self.morning - 45 * day,
            status=ActionStatus.CONNECTED,
            priority=Priority.FOCUS,
            next_action_date=today,
            touches="CCMCM",
            every_hours=90,
            connected_at_end=True,
        )
        # ⏰ Overdue pile from before Sato's last leave: grouped with one button.
        for index, (company, contact) in enumerate(
            [
                ("東邦システム開発株式会社", "吉田 大輔"),
                ("株式会社北斗メディカル", "山本 彩"),
                ("さくら印刷株式会社", "井上 誠"),
                ("株式会社グリーンエナジー", "木村 優子"),
                ("大和テクノサービス株式会社", "林 健太"),
                ("株式会社ミナトHR", "清水 智子"),
            ]
        ):
            self.lead(
                SATO,
                company,
                contact,
                cv_at=self.morning - (60 + index) * day,
                status=ActionStatus.CONNECTED,
                priority=Priority.FOCUS,
                next_action_date=today - (3 + index) * day,
                touches="CCMC",
                every_hours=100,
                connected_at_end=True,
            )
        # 🔁 5C2M in progress: fresh leads first (inside the 7-day window), then older ones.
        for company, contact, days_ago, touches in [
            ("株式会社アルファ商事", "松本 翼", 2, "CC"),
            ("ベイサイド建設株式会社", "石井 春香", 4, "CCM"),
            ("株式会社ネクストリテール", "森 拓也", 6, "C"),
            ("株式会社オリオン製薬", "池田 千尋", 20, "CCCC"),
            ("丸の内ファイナンス株式会社", "橋本 亮", 35, "CCCCCM"),
        ]:
            self.lead(
                SATO,
                company,
                contact,
                cv_at=self.morning - days_ago * day - dt.timedelta(hours=3),
                status=ActionStatus.NOT_CONNECTED,
                touches=touches,
                every_hours=20,
            )
        # 5C2M complete: no longer on the list.
        self.lead(
            SATO,
            "株式会社ユニオンフーズ",
            "藤田 恵",
            cv_at=self.morning - 12 * day,
            status=ActionStatus.NOT_CONNECTED,
            touches="CCMCCMC",
            every_hours=30,
        )
        # ↩️ Returned by the manager with the reason to chase.
        returned = self.lead(
            SATO,
            "株式会社コスモ電機",
            "岡田 直樹",
            cv_at=self.morning - 15 * day,
            status=ActionStatus.NOT_CONNECTED,
            touches="CCMC",
            every_hours=40,
        )
        self.review(
            returned,
            SATO,
            state=ReviewState.RETURNED,
            created_at=self.morning - 20 * dt.timedelta(hours=1),
            reason_code="時期尚早",
            memo="受付で断られた",
            return_reason=(
                "先月の展示会で課長が資料を持ち帰っています。受付ではなく課長宛てにメールで"
                "事例を送ってから判断しましょう"
            ),
        )
        # ⏳ Waiting for the manager's decision.
        pending = self.lead(
            SATO,
            "有限会社はやて運輸",
            "後藤 修",
            cv_at=self.morning - 25 * day,
            status=ActionStatus.NO_ACTION_BEFORE_CONNECT,
            touches="CCCCCMM",
            every_hours=50,
        )
        self.review(
            pending,
            SATO,
            state=ReviewState.PENDING,
            created_at=self.morning - 2 * day,
            reason_code="対象外",
            memo="従業員3名で対象外",
        )
        # 🧹 Focus leads whose next action date needs attention.
        self.lead(
            SATO,
            "株式会社シリウス情報",
            "村上 美穂",
            cv_at=self.morning - 50 * day,
            status=ActionStatus.CONNECTED,
            priority=Priority.FOCUS,
            touches="CMCC",
            every_hours=70,
            connected_at_end=True,
        )
        self.lead(
            SATO,
            "株式会社ヤマト精工",
            "近藤 健一",
            cv_at=self.morning - 70 * day,
            status=ActionStatus.CONNECTED,
            priority=Priority.FOCUS,
            next_action_date=today + 120 * day,
            touches="CCMC",
            every_hours=60,
            connected_at_end=True,
        )

    def suzuki(self) -> None:
        # On leave: these reach the manager instead.
        self.lead(
            SUZUKI,
            "株式会社トライアングル",
            "遠藤 美里",
            cv_at=self.local(self.business_days_ago(1), 20, 10),
            status=ActionStatus.UNTOUCHED,
            source="資料請求",
        )
        self.lead(
            SUZUKI,
            "株式会社ソレイユ化粧品",
            "原田 由紀",
            cv_at=self.morning - 40 * dt.timedelta(days=1),
            status=ActionStatus.CONNECTED,
            priority=Priority.FOCUS,
            next_action_date=self.today,
            touches="CMCC",
            every_hours=80,
            connected_at_end=True,
        )

    def takahashi(self) -> None:
        day = dt.timedelta(days=1)
        self.lead(
            TAKAHASHI,
            "株式会社ブルーオーシャン",
            "西村 航",
            cv_at=self.morning - 3 * day,
            status=ActionStatus.NOT_CONNECTED,
            touches="MCC",
            every_hours=18,
        )
        self.lead(
            TAKAHASHI,
            "株式会社フォレスト教育",
            "三浦 彩花",
            cv_at=self.morning - 28 * day,
            status=ActionStatus.CONNECTED,
            priority=Priority.FOCUS,
            next_action_date=self.today,
            touches="CCMCC",
            every_hours=70,
            connected_at_end=True,
        )
        pending = self.lead(
            TAKAHASHI,
            "株式会社カメリア",
            "福田 学",
            cv_at=self.morning - 9 * day,
            status=ActionStatus.NO_ACTION_BEFORE_CONNECT,
            touches="CCM",
            every_hours=30,
        )
        self.review(
            pending,
            TAKAHASHI,
            state=ReviewState.PENDING,
            created_at=self.morning - 5 * day,
            reason_code="重複",
            memo="別部署で商談中",
        )

    def closed_history(self) -> None:
        """Yesterday's figures and closed leads (which never appear in the reminders)."""
        previous = self.business_days_ago(1)
        before = self.business_days_ago(2)
        # Inbound leads due yesterday: two approached the same day, one not (still waiting).
        for rep, company, cv_at, touches in [
            (SATO, "株式会社スターライト", self.local(previous, 10, 20), "C"),
            (TAKAHASHI, "株式会社かもめ交通", self.local(before, 18, 40), "M"),
            (TAKAHASHI, "株式会社オーロラ保険", self.local(previous, 15, 0), ""),
        ]:
            self.lead(
                rep,
                company,
                "ご担当者",
                cv_at=cv_at,
                status=ActionStatus.NOT_CONNECTED if touches else ActionStatus.UNTOUCHED,
                source="問い合わせ",
                touches=touches,
                every_hours=1,
            )
        # Leads whose 7-day window closed yesterday: one with 5 actions, one short.
        window = dt.timedelta(days=self.targets.early_window_days)
        start = self.local(previous, 9, 30) - window
        self.lead(
            TAKAHASHI,
            "株式会社ノースブリッジ",
            "坂本 陸",
            cv_at=start,
            status=ActionStatus.NOT_CONNECTED,
            touches="CCMCC",
            every_hours=24,
        )
        self.lead(
            SATO,
            "株式会社リバーサイド",
            "長谷川 葵",
            cv_at=start + dt.timedelta(hours=2),
            status=ActionStatus.NOT_CONNECTED,
            touches="CC",
            every_hours=24,
        )
        # Older closed leads: meetings, approved drops.
        for index, (rep, company, status) in enumerate(
            [
                (SATO, "株式会社エムズキッチン", ActionStatus.MEETING),
                (SATO, "株式会社テラス", ActionStatus.NO_ACTION_AFTER_CONNECT),
                (TAKAHASHI, "株式会社あすなろ", ActionStatus.MEETING),
                (SUZUKI, "株式会社ルミエール", ActionStatus.MEETING),
            ]
        ):
            self.lead(
                rep,
                company,
                "ご担当者",
                cv_at=self.morning - (90 + 10 * index) * dt.timedelta(days=1),
                status=status,
                touches="CCMCCMC",
                every_hours=48,
                connected_at_end=True,
            )
