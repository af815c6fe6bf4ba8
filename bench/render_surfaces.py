"""Render the rep's surfaces of issue 11 as Slack would show them, at desktop and phone width.

    python -m bench.render_surfaces [-o /tmp/isops-render] [--no-png]

Builds a rep with 35 open leads (Friday 2026-11-27, 09:00 in Tokyo) in a throw-away SQLite
file through the real services, then writes every surface the rep sees in a morning — the
morning DM, the same DM after two one-tap logs, App Home, `/isops today`, the list modal
(すべて表示), the ephemeral confirmation with 取り消す and its undone form, and the owner's
new-lead DM — as `surfaces.json`, and runs ../shared/tools/blockkit_preview.py on it (PNG per
surface with chromium; open OUTDIR/index.html). Not a test: look at the pictures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import time_machine

from bot.blocks.home import build_home
from bot.blocks.lead_intake import LeadNotice, build_lead_assigned
from bot.blocks.lead_list import LIST_LINES
from bot.blocks.morning_dm import build_morning_dm, build_morning_progress, first_lead_ids
from bot.blocks.quick_log import build_quick_confirmation, build_undo_done
from bot.blocks.today_list import build_list_modal, build_today
from isops.calendar import BusinessCalendar
from isops.db import make_engine
from isops.demo_data import DEMO_CASES
from isops.enums import Channel, Role, RoleLevel
from isops.migrate import upgrade
from isops.models import Lead
from isops.services.cases import create_case
from isops.services.home import home_content
from isops.services.morning_delivery import MorningMessage, enqueue_morning, morning_key
from isops.services.morning_progress import morning_progress
from isops.services.outbox import claim, mark_sent
from isops.services.quick_log import QuickChoice, quick_log, touch_version, undo_quick_log
from isops.services.reminders import digest_for_member
from isops.settings import Settings
from isops.unit_of_work import make_uow_factory
from tests import factories as f
from tests.factories import TOKYO, jst

FRI = dt.date(2026, 11, 27)
PREVIEW = Path(__file__).resolve().parents[2] / "shared" / "tools" / "blockkit_preview.py"

COMPANIES = [
    ("株式会社みらい物流", "田中 一郎"),
    ("青葉精機株式会社", "小林 真由美"),
    ("株式会社ミナトHR", "清水 智子"),
    ("大和テクノサービス株式会社", "林 健太"),
    ("株式会社グリーンエナジー", "木村 優子"),
    ("東邦システム開発株式会社", "吉田 大輔"),
    ("株式会社北斗メディカル", "山本 彩"),
    ("さくら印刷株式会社", "井上 誠"),
    ("株式会社オーロラ保険", None),
    ("株式会社フォレスト教育", "三浦 彩花"),
    ("株式会社ブルーオーシャン", "西村 航"),
    ("株式会社かもめ交通", "松本 陽子"),
    ("有限会社つばさ建設", "佐々木 亮"),
    ("株式会社ひまわりフーズ", "山口 直樹"),
    ("株式会社ソレイユ化粧品", "原田 由紀"),
]
MEMOS = [
    "決裁は部長。来期予算の策定が1月から\n資料は導入事例を希望",
    "受付で不在。代表番号より直通がよい",
    "展示会で名刺交換。興味は録画機能",
    "",
]


def seed(url: str) -> dict[str, int]:
    """Rep U001 (佐藤 健) with 35 open leads: 4 inbound, 10 focus (7 overdue), 15 5C2M,
    3 whose date needs care, 1 returned by the manager, 2 waiting for review."""
    uow = make_uow_factory(make_engine(url))
    f.member(uow(), "UMGR", role=Role.MANAGER, name="山田 花子", timezone="Asia/Tokyo")
    f.member(uow(), "U001", manager="UMGR", name="佐藤 健", timezone="Asia/Tokyo")
    leads: dict[str, int] = {}
    n = 0

    def add(kind: str, **kw: Any) -> int:
        nonlocal n
        company, contact = COMPANIES[n % len(COMPANIES)]
        n += 1
        kw.setdefault("memo", MEMOS[n % len(MEMOS)])
        lead_id = f.lead(
            uow(),
            owner="U001",
            company=company if n <= len(COMPANIES) else f"{company} {n // len(COMPANIES) + 1}号",
            contact_name=contact,
            phone=f"03-{5100 + n * 7:04d}-{(2300 + n * 389) % 10000:04d}",
            email=f"sales{n:02d}@example.co.jp" if n % 3 else None,
            **kw,
        )
        leads[f"{kind}{n}"] = lead_id
        return lead_id

    # The article's first case, and two leads it fits (issue 14: the case to talk from).
    create_case(uow(), slack_user_id="UMGR", draft=DEMO_CASES[0][1])
    fits = {"industry": "製造", "role_level": RoleLevel.MANAGER}
    add(
        "inbound",
        inbound=True,
        source="資料請求",
        cv_at=jst(FRI - dt.timedelta(days=2), 10),
        **fits,
    )
    for _ in range(3):
        add("inbound", inbound=True, source="問い合わせ", cv_at=jst(FRI - dt.timedelta(days=1), 19))
    for i in range(7):
        lead_id = add(
            "overdue", status=3, priority=1, next_action_date=FRI - dt.timedelta(days=3 + i)
        )
        f.action(
            uow(),
            lead_id,
            by="U001",
            outcome="接続",
            acted_at=jst(FRI - dt.timedelta(days=10 + i), 14),
        )
    for i in range(3):
        add("due", status=3, priority=1, next_action_date=FRI, **(fits if i == 0 else {}))
    for i in range(15):
        lead_id = add("chase", status=2, cv_at=jst(FRI - dt.timedelta(days=1 + i), 11))
        for j in range(i % 4 + 1):
            channel = Channel.MAIL if j == 2 else Channel.CALL
            outcome = "送信" if channel == Channel.MAIL else ("留守電" if j % 2 else "不在")
            f.action(
                uow(),
                lead_id,
                by="U001",
                channel=channel,
                outcome=outcome,
                acted_at=jst(FRI - dt.timedelta(days=i + 1 - j * 0.2), 15),
            )
    for _ in range(3):
        add("hygiene", status=3, priority=1)
    for _ in range(2):
        pending = add("pending", status=2)
        f.review(uow(), pending, by="U001")
    return leads


def surfaces(url: str) -> list[dict[str, Any]]:
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    calendar = BusinessCalendar(tz=settings.tz, company_holidays=settings.company_holidays)
    uow = make_uow_factory(make_engine(url))
    out: list[dict[str, Any]] = []

    # Who acts, and with what settings: the rep U001 throughout.
    rep: dict[str, Any] = {"slack_user_id": "U001", "settings": settings, "calendar": calendar}

    def add(name: str, title: str, payload: dict[str, Any]) -> None:
        out.append({"name": name, "title": title, "payload": payload})

    with time_machine.travel(jst(FRI), tick=False):
        digest = digest_for_member(uow(), **rep, now=jst(FRI))
        dm = build_morning_dm(digest)
        add("morning-dm", "朝の DM (担当・オープン 35 件)", dm)
        first = first_lead_ids(digest)
        enqueue_morning(
            uow(),
            messages=[MorningMessage(digest.member_id, "U001", FRI, dm, first_lead_ids=first)],
            now=jst(FRI),
            settings=settings,
            calendar=calendar,
        )
        sent = claim(uow(), key=morning_key(digest.member_id, FRI), now=jst(FRI))
        assert sent is not None
        mark_sent(uow(), claim=sent, now=jst(FRI), channel="DU001", ts="1.0")

    def tap(lead_id: int, choice: QuickChoice, at: dt.datetime) -> Any:
        with uow() as u:
            version = touch_version(u.session.get_one(Lead, lead_id).last_action_at)
        return quick_log(uow(), **rep, lead_id=lead_id, choice=choice, version=version)

    with time_machine.travel(jst(FRI, 9, 12), tick=False):
        tap(first[0], QuickChoice.ABSENT, jst(FRI, 9, 12))
    with time_machine.travel(jst(FRI, 9, 20), tick=False):
        logged = tap(first[1], QuickChoice.VOICEMAIL, jst(FRI, 9, 20))
        progress = morning_progress(
            uow(),
            member_id=digest.member_id,
            business_date=FRI,
            now=jst(FRI, 9, 20),
            calendar=calendar,
        )
        assert progress is not None
        add(
            "morning-dm-progress",
            "朝の DM: 2 件記録した後 (chat.update)",
            build_morning_progress(progress, FRI),
        )
        # The rep U001's lists as of 09:20, for Home, /isops today and the list modal.
        as_rep = {**rep, "now": jst(FRI, 9, 20)}
        content = home_content(uow(), **as_rep, limit=LIST_LINES)
        add("home", "App Home (直前の記録と取り消す)", build_home(content))
        today = digest_for_member(uow(), **as_rep, limit=LIST_LINES)
        add("isops-today", "/isops today", build_today(today))
        add(
            "quick-confirmation",
            "1 タップ記録の確認 (エフェメラル)",
            build_quick_confirmation(logged, tz=TOKYO),
        )
        whole = digest_for_member(uow(), **as_rep, limit=None)
        add("list-modal-5c2m", "すべて表示 (5C2M)", {"view": build_list_modal(whole, "5c2m")})
        undone = undo_quick_log(uow(), **rep, action_id=logged.action_id)
        add("undone", "取り消した後 (エフェメラルを置き換え)", build_undo_done(undone, tz=TOKYO))
        notice = LeadNotice(
            lead_id=99,
            company="株式会社あおば",
            contact_name="山田 太郎",
            title="営業部長",
            industry="製造",
            email="yamada@aoba.example.co.jp",
            phone="03-1234-5678",
            source="資料請求",
            inbound=True,
            cv_at=jst(FRI, 9, 5),
            deadline=FRI,
            same_day=True,
            reason="ローテーション",
        )
        add("new-lead-dm", "新しいリードの DM (担当者)", build_lead_assigned(notice, tz=TOKYO))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-o", "--out", default="/tmp/isops-render")
    parser.add_argument("--no-png", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="isops-render-") as folder:
        url = f"sqlite:///{Path(folder) / 'render.db'}"
        upgrade(url)
        seed(url)
        items = surfaces(url)
    source = out / "surfaces.json"
    source.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    command = [
        sys.executable,
        str(PREVIEW),
        str(source),
        "-o",
        str(out),
        "--widths",
        "desktop,mobile",
    ]
    if args.no_png:
        command.append("--no-png")
    print(" ".join(command))
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
