"""Latency of the two interactions Slack times out: the lead picker's options load and
/log-call → views.open, over the real HTTP endpoint with 100,000 leads.

    python -m bench.log_latency                      # SQLite (a temporary file)
    python -m bench.log_latency --postgres URL       # … and PostgreSQL (a private schema)

ISOPS_TEST_DATABASE_URL is used for PostgreSQL when --postgres is not given. The data set is
built from a fixed seed, so runs are comparable. Not a test: it prints figures, it asserts
only that the answers are real (options found, the lead preselected).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text

from bench import latency
from bot import ids
from isops.case_vocabulary import CompanySize
from isops.db import make_engine
from isops.enums import ReviewState, Role, RoleLevel
from isops.migrate import upgrade
from isops.models import Lead, Member, NoActionReview
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import create_case
from isops.text import lead_search_text
from isops.unit_of_work import make_uow_factory
from tests.harness import BotHarness, running_bot

SEED = 20261127
TEAMS = 5
REPS_PER_TEAM = 10
BATCH = 5000
INDUSTRIES = (
    "製造",
    "IT",
    "小売",
    "金融",
    "不動産",
    "医療",
    "物流",
    "建設",
    "教育",
    "人材",
    "食品",
    "商社",
)
CASES_PER_INDUSTRY = 5

_KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
_KANJI = "山川田中村本木林森石井上下東西南北大小高橋松竹梅新光明和平安豊富永長谷原野"
_SUFFIX = ("商事", "工業", "システムズ", "製作所", "テック", "物産", "ホールディングス", "電機")
_PREFIX = ("株式会社", "株式会社", "合同会社", "有限会社", "")
_SURNAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
_GIVEN = ("太郎", "花子", "健", "さくら", "ゆうき", "あおい", "翔", "美咲", "大輔", "真一")
_ASCII = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Wayne")


def _company(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"{rng.choice(_ASCII)} {rng.choice(('Japan', 'KK', 'Tokyo', 'Labs'))} {rng.randint(1, 999)}"
    word = "".join(rng.choice(_KATAKANA) for _ in range(rng.randint(2, 5)))
    if rng.random() < 0.4:
        word = "".join(rng.choice(_KANJI) for _ in range(rng.randint(1, 3))) + word
    return f"{rng.choice(_PREFIX)}{word}{rng.choice(_SUFFIX)}"


@dataclass(frozen=True)
class DataSet:
    rep: str  # the rep whose requests are timed
    manager: str  # their manager (searches the whole team)
    rep_leads: list[tuple[str, str | None]]  # (company, contact) of the rep's open leads


def _profile(rng: random.Random) -> dict[str, Any]:
    """業種・役職・規模 as a CRM has them: most leads with an industry (the case to talk from
    is matched on it), some without."""
    if rng.random() < 0.25:
        return {"industry": None, "role_level": None, "company_size": None}
    return {
        "industry": rng.choice(INDUSTRIES),
        "role_level": rng.choice((None, *RoleLevel)),
        "company_size": rng.choice((None, *CompanySize)),
    }


def _add_cases(url: str) -> None:
    """A case library: CASES_PER_INDUSTRY cases for each industry, over role levels and sizes."""
    rng = random.Random(SEED + 2)
    uow = make_uow_factory(make_engine(url))
    with uow() as first:
        first.session.add(
            Member(slack_user_id="UCASES", name="事例担当", role=Role.ADMIN, team="事例")
        )
        first.commit()
    for industry in INDUSTRIES:
        for n in range(CASES_PER_INDUSTRY):
            draft = CaseDraft(
                title=f"{industry}の事例 {n + 1}",
                industry=industry,
                role_level=rng.choice((None, *RoleLevel)),
                company_size=rng.choice((None, *CompanySize)),
                chains=(ChainDraft("受注率の不振", "商談の録画・分析", benefit="受注率の向上"),),
            )
            create_case(uow(), slack_user_id="UCASES", draft=draft)


def seed(url: str, *, leads: int, today: dt.date) -> DataSet:
    """`leads` leads over 5 teams of 10 reps, statuses and counters spread like a real team."""
    rng = random.Random(SEED)
    # Profiles from their own stream: the leads are the same as before profiles were added.
    profiles = random.Random(SEED + 1)
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            rep_ids: list[int] = []
            for t in range(TEAMS):
                manager_id = conn.execute(
                    insert(Member).returning(Member.id),
                    {
                        "slack_user_id": f"UM{t:03d}",
                        "name": f"マネージャー{t}",
                        "role": Role.MANAGER,
                        "team": f"チーム{t}",
                        "created_at": now,
                    },
                ).scalar_one()
                for r in range(REPS_PER_TEAM):
                    rep_ids.append(
                        conn.execute(
                            insert(Member).returning(Member.id),
                            {
                                "slack_user_id": f"UR{t:03d}{r:02d}",
                                "name": f"担当{t}-{r}",
                                "role": Role.REP,
                                "team": f"チーム{t}",
                                "manager_id": manager_id,
                                "created_at": now,
                            },
                        ).scalar_one()
                    )
            statuses = [1] * 15 + [2] * 30 + [3] * 20 + [4] * 10 + [5] * 15 + [6] * 10
            rows: list[dict[str, Any]] = []
            for _ in range(leads):
                company = _company(rng)
                contact = (
                    f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}" if rng.random() < 0.9 else None
                )
                status = rng.choice(statuses)
                cv_at = now - dt.timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
                calls = 0 if status == 1 else rng.randint(0, 8)
                mails = 0 if status == 1 else rng.randint(0, 3)
                touched = calls + mails > 0
                rows.append(
                    {
                        "company": company,
                        "contact_name": contact,
                        "email": f"u{len(rows)}@example.jp" if rng.random() < 0.7 else None,
                        "source": rng.choice(("資料請求", "問い合わせ", "リスト", "展示会")),
                        "inbound": rng.random() < 0.4,
                        "cv_at": cv_at,
                        "owner_id": rng.choice(rep_ids),
                        "status": status,
                        "priority": rng.choice((None, 1, 2)),
                        "next_action_date": (
                            today + dt.timedelta(days=rng.randint(-20, 70))
                            if rng.random() < 0.7
                            else None
                        ),
                        "memo": "",
                        "search_text": lead_search_text(company, contact),
                        "call_count": calls,
                        "mail_count": mails,
                        "early_action_count": min(calls + mails, 5),
                        "first_action_at": cv_at + dt.timedelta(hours=2) if touched else None,
                        "last_action_at": cv_at + dt.timedelta(days=3) if touched else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                rows[-1].update(_profile(profiles))
                if len(rows) == BATCH:
                    conn.execute(insert(Lead), rows)
                    rows = []
            if rows:
                conn.execute(insert(Lead), rows)
            # Half of the 4/6 leads still wait for their manager (承認待ち: still open).
            waiting = conn.execute(
                select(Lead.id, Lead.owner_id, Lead.status).where(Lead.status.in_((4, 6)))
            ).all()
            reviews = [
                {
                    "lead_id": lead_id,
                    "requested_by_id": owner,
                    "requested_status": status,
                    "previous_status": 2 if status == 4 else 3,
                    "reason_code": "対象外",
                    "memo": "",
                    "state": ReviewState.PENDING,
                    "created_at": now,
                }
                for lead_id, owner, status in waiting
                if rng.random() < 0.5
            ]
            for start in range(0, len(reviews), BATCH):
                conn.execute(insert(NoActionReview), reviews[start : start + BATCH])
        _add_cases(url)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            rep = conn.execute(
                select(Member.id).where(Member.slack_user_id == "UR00000")
            ).scalar_one()
            rep_leads = [
                (c, n)
                for c, n in conn.execute(
                    select(Lead.company, Lead.contact_name).where(
                        Lead.owner_id == rep, Lead.status.in_((1, 2, 3))
                    )
                )
            ]
        return DataSet(rep="UR00000", manager="UM000", rep_leads=rep_leads)
    finally:
        engine.dispose()


def _query(rng: random.Random, data: DataSet) -> str:
    """What a rep types: a piece of a company or contact name, sometimes half-width or in
    hiragana, sometimes nothing (the urgency-ordered list)."""
    if rng.random() < 0.1:
        return ""
    company, contact = rng.choice(data.rep_leads)
    source = contact if contact and rng.random() < 0.3 else company
    source = source.replace(" ", "")
    size = min(len(source), rng.randint(2, 4))
    start = rng.randint(0, len(source) - size)
    piece = source[start : start + size]
    if rng.random() < 0.2:  # typed in hiragana
        piece = "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in piece)
    return piece


def _options(bot: BotHarness, user: str, query: str) -> float:
    start = time.perf_counter()
    answer = bot.search_leads(query, user_id=user)
    elapsed = time.perf_counter() - start
    if answer.status != 200 or "options" not in (answer.json or {}):
        raise AssertionError(f"options load failed: {answer.status} {answer.body[:200]}")
    if query == "" and not answer.json["options"]:
        raise AssertionError("no open leads listed for the empty query")
    return elapsed


def _command(bot: BotHarness, user: str, query: str, seen: int) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    ack = bot.sender.command("/log-call", query, user_id=user, channel_id="C0BENCH")
    if ack.status != 200:
        raise AssertionError(f"/log-call answered {ack.status}")
    call = bot.fake.wait_for("views.open", count=seen + 1, timeout=10)[-1]
    elapsed = time.perf_counter() - start
    if not call.response.get("ok"):
        raise AssertionError(f"views.open refused: {call.response}")
    return elapsed, call.params["view"]


def measure(url: str, data: DataSet, *, requests: int, label: str) -> list[str]:
    rng = random.Random(SEED + 1)
    lines = [f"{label}"]
    with running_bot(url) as bot:
        for _ in range(20):  # warm-up: connections, Bolt's auth.test, caches
            _options(bot, data.rep, _query(rng, data))
        rep = [_options(bot, data.rep, _query(rng, data)) for _ in range(requests)]
        lines.append(latency.summary("options load (rep, own open leads)", rep))
        manager = [_options(bot, data.manager, _query(rng, data)) for _ in range(requests)]
        lines.append(latency.summary("options load (manager, team of 10 reps)", manager))

        seen = 0
        for _ in range(20):
            _command(bot, data.rep, "", seen)
            seen += 1
        opened: list[float] = []
        preselected = 0
        for i in range(requests):
            # A third each: no text, a lead's full company name (preselects it), a fragment.
            company, _contact = rng.choice(data.rep_leads)
            query = ("", company, _query(rng, data))[i % 3]
            elapsed, view = _command(bot, data.rep, query, seen)
            seen += 1
            opened.append(elapsed)
            picker = next(b for b in view["blocks"] if b.get("block_id") == ids.LOG_LEAD_BLOCK)
            preselected += "initial_option" in picker["element"]
        lines.append(latency.summary("/log-call → views.open", opened))
        lines.append(f"  ({preselected} of {requests} commands preselected a lead)")
    return lines


def seeded(url: str, *, leads: int) -> tuple[DataSet, float]:
    """Migrate `url` and seed it with `leads` leads as of today; returns the data set and the
    seconds the seeding took."""
    upgrade(url)
    started = time.perf_counter()
    data = seed(url, leads=leads, today=dt.date.today())
    return data, time.perf_counter() - started


def run(name: str, opener: Callable[[], Any], *, leads: int, requests: int) -> list[str]:
    with opener() as url:
        data, took = seeded(url, leads=leads)
        header = (
            f"{name}: {leads:,} leads seeded in {took:.1f} s; the timed rep has "
            f"{len(data.rep_leads):,} open leads"
        )
        return measure(url, data, requests=requests, label=header)


def main(argv: list[str] | None = None) -> int:
    return latency.main(__doc__, run, seed=SEED, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
