"""The sample data of `isops demo`: the team, the article's cases, and leads whose histories
are placed relative to the demo's morning (`isops.demo` writes them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isops.case_vocabulary import CompanySize
from isops.enums import ActionStatus, Priority, ReviewState, Role, RoleLevel
from isops.services.case_drafts import CaseDraft, ChainDraft

TEAM = "IS 第1チーム"


@dataclass(frozen=True)
class DemoMember:
    slack_user_id: str
    name: str
    role: Role
    away_until: dt.date | None = None


MANAGER = DemoMember("U0DEMOMGR1", "山田 花子", Role.MANAGER)
SATO = DemoMember("U0DEMOREP1", "佐藤 健", Role.REP)
SUZUKI = DemoMember("U0DEMOREP2", "鈴木 美咲", Role.REP)
TAKAHASHI = DemoMember("U0DEMOREP3", "高橋 翔", Role.REP)

# The case library (issue 14), from the article's example: an online sales tool (video calls
# with recording and analysis, sharing of won meetings) and the three problems it answers.
DEMO_CASES: tuple[tuple[str, CaseDraft], ...] = (
    (
        "demo-case-1",
        CaseDraft(
            title="製造業の営業部が、受注商談の共有で受注率を上げた",
            customer="製造業 A社 (匿名)",
            industry="製造",
            company_size=CompanySize.LARGE,
            role_level=RoleLevel.MANAGER,
            situation="商談はベテラン頼みで、受注率が担当者ごとに大きく違う。若手は先輩の商談を見る機会がない。",
            chains=(
                ChainDraft(
                    "受注率の不振",
                    "商談の録画・分析",
                    "受注した商談を録画で共有し、成功事例を全員が真似できる",
                    "受注率の向上",
                    "受注率 18% → 24% (6か月)",
                ),
            ),
        ),
    ),
    (
        "demo-case-2",
        CaseDraft(
            title="SaaS 企業が、営業の増員をオンボーディング短縮で乗り切った",
            customer="IT サービス B社 (匿名)",
            industry="IT",
            company_size=CompanySize.MID,
            role_level=RoleLevel.EXECUTIVE,
            situation="営業を半年で 10 名採用する計画。教える側のマネージャーが足りない。",
            chains=(
                ChainDraft(
                    "営業の採用数増",
                    "受注商談の共有",
                    "新人が初日から成功した商談を見て学べ、オンボーディング期間が短くなる",
                    "新人の早期戦力化",
                    "独り立ちまで 6か月 → 3か月",
                ),
            ),
        ),
    ),
    (
        "demo-case-3",
        CaseDraft(
            title="新製品の投入で、商談の分析から PDCA を速めた",
            customer="製造業 C社 (匿名)",
            industry="製造",
            company_size=CompanySize.ENTERPRISE,
            role_level=RoleLevel.EXECUTIVE,
            situation="新製品の訴求がはまらず、どこを直すべきか現場の声が開発に届かない。",
            chains=(
                ChainDraft(
                    "新製品の投入",
                    "商談の録画・分析",
                    "顧客の反応を毎週分析して PDCA を回し、機能改善の要望を開発へ返す",
                    "立ち上げの加速",
                    "訴求の見直し 月1回 → 週1回",
                ),
                ChainDraft("受注率の不振", "受注商談の共有", "成功事例の共有", "受注率の向上"),
            ),
        ),
    ),
)


# -- the sample data: when each lead came in, relative to the demo's morning ---------------------


@dataclass(frozen=True)
class Ago:
    """This long before the demo's morning (09:00 on its business day)."""

    days: float
    hours: float = 0


@dataclass(frozen=True)
class Local:
    """A local time on the business day `business_days_ago` before the demo's; with
    `window_before`, the early-action window (N days after CV) ends at that time."""

    business_days_ago: int
    hour: int
    minute: int = 0
    window_before: bool = False


@dataclass(frozen=True)
class DemoReview:
    """A "no action needed" (status 4) decision on the lead, by its owner."""

    state: ReviewState
    created: Ago
    reason_code: str
    memo: str
    return_reason: str | None = None


@dataclass(frozen=True)
class DemoLead:
    """A lead with its touches: `touches` is "CCMC…" (C call, M mail), oldest first, the
    first 2 hours after CV and then every `every_hours` (never after the morning)."""

    owner: DemoMember
    company: str
    contact: str
    cv: Ago | Local
    status: ActionStatus = ActionStatus.NOT_CONNECTED
    priority: Priority | None = None
    next_in_days: int | None = None  # next action date, days from the demo's date
    source: str | None = None
    touches: str = ""
    every_hours: float = 26.0
    connected_at_end: bool = False
    memo: str = ""
    review: DemoReview | None = None


def profile_of(company: str) -> dict[str, object]:
    """The lead columns of a company's profile (業種, 役職, 規模); none for most companies."""
    if company not in _PROFILES:
        return {}
    industry, role_level, size = _PROFILES[company]
    return {"industry": industry, "role_level": role_level, "company_size": size}


def _inbound(owner: DemoMember, company: str, contact: str, cv: Local, source: str) -> DemoLead:
    """An inbound lead nobody has approached yet."""
    return DemoLead(owner, company, contact, cv, status=ActionStatus.UNTOUCHED, source=source)


def _nurtured(
    owner: DemoMember,
    company: str,
    contact: str,
    days_ago: float,
    next_in_days: int | None,
    touches: str,
    every_hours: float,
    memo: str = "",
) -> DemoLead:
    """A connected focus lead, the last touch a conversation."""
    return DemoLead(
        owner,
        company,
        contact,
        Ago(days_ago),
        status=ActionStatus.CONNECTED,
        priority=Priority.FOCUS,
        next_in_days=next_in_days,
        touches=touches,
        every_hours=every_hours,
        connected_at_end=True,
        memo=memo,
    )


def _chasing(
    owner: DemoMember, company: str, contact: str, cv: Ago | Local, touches: str, every_hours: float
) -> DemoLead:
    """A lead not yet connected, with the touches so far (5C2M in progress)."""
    return DemoLead(owner, company, contact, cv, touches=touches, every_hours=every_hours)


_OVERDUE_PILE = (
    ("東邦システム開発株式会社", "吉田 大輔"),
    ("株式会社北斗メディカル", "山本 彩"),
    ("さくら印刷株式会社", "井上 誠"),
    ("株式会社グリーンエナジー", "木村 優子"),
    ("大和テクノサービス株式会社", "林 健太"),
    ("株式会社ミナトHR", "清水 智子"),
)
_DUE_YESTERDAY = (
    (SATO, "株式会社スターライト", Local(1, 10, 20), "C"),
    (TAKAHASHI, "株式会社かもめ交通", Local(2, 18, 40), "M"),
    (TAKAHASHI, "株式会社オーロラ保険", Local(1, 15, 0), ""),
)
_CLOSED = (
    (SATO, "株式会社エムズキッチン", ActionStatus.MEETING),
    (SATO, "株式会社テラス", ActionStatus.NO_ACTION_AFTER_CONNECT),
    (TAKAHASHI, "株式会社あすなろ", ActionStatus.MEETING),
    (SUZUKI, "株式会社ルミエール", ActionStatus.MEETING),
)

# Some leads' profile (業種, 役職, 規模), so the demo's lists show the case to talk from; the
# others have none and get no case line (issue 14: no industry, no guess).
_PROFILES: dict[str, tuple[str, RoleLevel, CompanySize]] = {
    "青葉精機株式会社": ("製造", RoleLevel.MANAGER, CompanySize.LARGE),
    "株式会社コスモ電機": ("製造", RoleLevel.EXECUTIVE, CompanySize.ENTERPRISE),
    "株式会社シリウス情報": ("IT", RoleLevel.EXECUTIVE, CompanySize.MID),
    "株式会社アルファ商事": ("商社", RoleLevel.STAFF, CompanySize.MID),
}

LEADS: tuple[DemoLead, ...] = (
    # Sato. 🔥 Inbound: one after yesterday's cut-off (due today), one two days late.
    _inbound(SATO, "株式会社みらい物流", "田中 一郎", Local(1, 19, 42), "資料請求"),
    _inbound(SATO, "青葉精機株式会社", "小林 真由美", Local(2, 11, 5), "問い合わせ"),
    # 📅 Focus leads due today, connected and nurtured.
    _nurtured(
        SATO,
        "株式会社サンライズ不動産",
        "中村 悠斗 (営業部長)",
        30,
        0,
        "CMCCC",
        60,
        memo="営業部長。オンライン商談の録画分析に関心。来期予算の確認待ち",
    ),
    _nurtured(SATO, "ひかり食品株式会社", "加藤 里奈", 45, 0, "CCMCM", 90),
    # ⏰ Overdue pile from before Sato's last leave: grouped with one button.
    *(
        _nurtured(SATO, company, contact, 60 + index, -(3 + index), "CCMC", 100)
        for index, (company, contact) in enumerate(_OVERDUE_PILE)
    ),
    # 🔁 5C2M in progress: fresh leads first (inside the 7-day window), then older ones.
    _chasing(SATO, "株式会社アルファ商事", "松本 翼", Ago(2, 3), "CC", 20),
    _chasing(SATO, "ベイサイド建設株式会社", "石井 春香", Ago(4, 3), "CCM", 20),
    _chasing(SATO, "株式会社ネクストリテール", "森 拓也", Ago(6, 3), "C", 20),
    _chasing(SATO, "株式会社オリオン製薬", "池田 千尋", Ago(20, 3), "CCCC", 20),
    _chasing(SATO, "丸の内ファイナンス株式会社", "橋本 亮", Ago(35, 3), "CCCCCM", 20),
    # 5C2M complete: no longer on the list.
    _chasing(SATO, "株式会社ユニオンフーズ", "藤田 恵", Ago(12), "CCMCCMC", 30),
    # ↩️ Returned by the manager with the reason to chase.
    DemoLead(
        SATO,
        "株式会社コスモ電機",
        "岡田 直樹",
        Ago(15),
        touches="CCMC",
        every_hours=40,
        review=DemoReview(
            ReviewState.RETURNED,
            Ago(0, 20),
            "時期尚早",
            "受付で断られた",
            return_reason=(
                "先月の展示会で課長が資料を持ち帰っています。受付ではなく課長宛てにメールで"
                "事例を送ってから判断しましょう"
            ),
        ),
    ),
    # ⏳ Waiting for the manager's decision.
    DemoLead(
        SATO,
        "有限会社はやて運輸",
        "後藤 修",
        Ago(25),
        status=ActionStatus.NO_ACTION_BEFORE_CONNECT,
        touches="CCCCCMM",
        every_hours=50,
        review=DemoReview(ReviewState.PENDING, Ago(2), "対象外", "従業員3名で対象外"),
    ),
    # 🧹 Focus leads whose next action date needs attention.
    _nurtured(SATO, "株式会社シリウス情報", "村上 美穂", 50, None, "CMCC", 70),
    _nurtured(SATO, "株式会社ヤマト精工", "近藤 健一", 70, 120, "CCMC", 60),
    # Suzuki, on leave: these reach the manager instead.
    _inbound(SUZUKI, "株式会社トライアングル", "遠藤 美里", Local(1, 20, 10), "資料請求"),
    _nurtured(SUZUKI, "株式会社ソレイユ化粧品", "原田 由紀", 40, 0, "CMCC", 80),
    # Takahashi.
    _chasing(TAKAHASHI, "株式会社ブルーオーシャン", "西村 航", Ago(3), "MCC", 18),
    _nurtured(TAKAHASHI, "株式会社フォレスト教育", "三浦 彩花", 28, 0, "CCMCC", 70),
    DemoLead(
        TAKAHASHI,
        "株式会社カメリア",
        "福田 学",
        Ago(9),
        status=ActionStatus.NO_ACTION_BEFORE_CONNECT,
        touches="CCM",
        every_hours=30,
        review=DemoReview(ReviewState.PENDING, Ago(5), "重複", "別部署で商談中"),
    ),
    # Yesterday's figures. Inbound leads due yesterday: two approached the same day, one not.
    *(
        DemoLead(
            rep,
            company,
            "ご担当者",
            cv,
            status=ActionStatus.NOT_CONNECTED if touches else ActionStatus.UNTOUCHED,
            source="問い合わせ",
            touches=touches,
            every_hours=1,
        )
        for rep, company, cv, touches in _DUE_YESTERDAY
    ),
    # Leads whose 7-day window closed yesterday: one with 5 actions, one short.
    _chasing(
        TAKAHASHI,
        "株式会社ノースブリッジ",
        "坂本 陸",
        Local(1, 9, 30, window_before=True),
        "CCMCC",
        24,
    ),
    _chasing(
        SATO, "株式会社リバーサイド", "長谷川 葵", Local(1, 11, 30, window_before=True), "CC", 24
    ),
    # Older closed leads (meetings, approved drops): never in the reminders.
    *(
        DemoLead(
            rep,
            company,
            "ご担当者",
            Ago(90 + 10 * index),
            status=status,
            touches="CCMCCMC",
            every_hours=48,
            connected_at_end=True,
        )
        for index, (rep, company, status) in enumerate(_CLOSED)
    ),
)
