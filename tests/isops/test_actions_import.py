"""Activity-history CSV import: all or nothing, idempotent, counters and coaching follow."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import func, select

from isops.csvio.actions_import import ActionImportResult, import_actions
from isops.enums import ReviewState, Role
from isops.models import Action, Lead, NoActionReview, Notification
from isops.services.live_lists import KIND_HOME
from isops.services.reminders import MorningDigest, digest_for_member
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f
from tests.factories import CALENDAR as CAL
from tests.factories import SETTINGS, TOKYO, jst

DAY = dt.timedelta(days=1)
FRI = dt.date(2026, 11, 27)
THU, WED = FRI - DAY, FRI - 2 * DAY


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(jst(FRI, 9), tick=False)


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    f.member(uow_factory(), "UMGR", role=Role.MANAGER, name="山田")
    f.member(uow_factory(), "U1", manager="UMGR", name="佐藤")
    f.member(uow_factory(), "U2", manager="UMGR", name="鈴木")
    return uow_factory


def run(
    uow_factory: UnitOfWorkFactory, text: str, *, encoding: str = "utf-8", **kw: Any
) -> ActionImportResult:
    return import_actions(
        uow_factory,
        stream=io.BytesIO(text.encode(encoding)),
        tz=TOKYO,
        targets=SETTINGS.targets,
        **kw,
    )


def digest(uow_factory: UnitOfWorkFactory, user: str) -> MorningDigest:
    return digest_for_member(
        uow_factory(), slack_user_id=user, now=jst(FRI), settings=SETTINGS, calendar=CAL
    )


def ids(part: Any) -> list[int]:
    return [line.lead_id for line in part.items]


def home_refreshes(uow_factory: UnitOfWorkFactory) -> int:
    with uow_factory() as uow:
        return len(
            uow.session.scalars(select(Notification.id).where(Notification.kind == KIND_HOME)).all()
        )


def count(uow_factory: UnitOfWorkFactory, model: type[Any]) -> int:
    with uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def lead_values(uow_factory: UnitOfWorkFactory, lead_id: int) -> dict[str, Any]:
    with uow_factory() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        return {c.key: getattr(lead, c.key) for c in Lead.__mapper__.column_attrs}


def test_history_changes_5c2m_early_figures_and_sections_and_a_reimport_nothing(
    team: UnitOfWorkFactory,
) -> None:
    uow = team
    # 🔥 before: inbound, due Wednesday, nothing logged in isops.
    waiting = f.lead(uow(), owner="U1", inbound=True, cv_at=jst(WED, 10), email="a@example.jp")
    # Its 7-day window ended on Thursday with no action: the manager's 5-in-7 figure is 0/1.
    window_ended = f.lead(uow(), owner="U1", status=2, cv_at=jst(THU, 8) - 7 * DAY)
    with uow() as u:
        u.session.get_one(Lead, window_ended).external_id = "CRM-2"
        u.commit()
    # Due Thursday, first touched Thursday afternoon in the CRM: on time.
    thursday = f.lead(uow(), owner="U1", inbound=True, cv_at=jst(THU, 11))
    # A touch logged in isops on Thursday; the CRM has an older one.
    logged = f.lead(uow(), owner="U2", status=2, cv_at=jst(FRI, 9) - 20 * DAY)
    f.action(uow(), logged, by="U2", outcome="不在", acted_at=jst(THU, 10))
    # A decision waiting for the manager: history must not withdraw it.
    pending = f.lead(uow(), owner="U1", status=2, cv_at=jst(FRI, 9) - 30 * DAY)
    f.review(uow(), pending, by="U1")

    before = digest(uow, "U1")
    assert ids(before.rep.inbound) == [waiting, thursday]
    manager = digest(uow, "UMGR").manager
    assert manager is not None
    assert (manager.figures.inbound_on_time, manager.figures.inbound_due) == (0, 1)
    assert (manager.figures.early_reached, manager.figures.early_due) == (0, 1)
    assert [(o.name, o.count) for o in manager.figures.most_overdue] == [("佐藤", 2)]
    notifications = count(uow, Notification)
    homes = home_refreshes(uow)
    csv = (
        "メール,外部ID,isops ID,実施日時,種別,結果,メモ,担当者\n"
        "a@example.jp,,,2026/11/25 11:00,架電,不在,受付で不在,U1\n"
        "A@Example.jp,,,2026/11/25 12:00,メール,,資料送付,\n"
        f",CRM-2,,{jst(THU, 8) - 7 * DAY + dt.timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ},架電,不在,,\n"
        ",CRM-2,,2026/11/20 10:00,架電,留守電,,\n"
        ",CRM-2,,2026/11/21 10:00,架電,不在,,\n"
        ",CRM-2,,2026/11/22 10:00,メール,送信,,\n"
        ",CRM-2,,2026/11/23 10:00,メール,返信あり,,\n"
        f",,{thursday},2026/11/26 15:00,架電,不在,,U2\n"
        f",,{logged},2026/11/10 10:00,架電,接続,古い接続,\n"
        f",,{pending},2026/11/01 10:00,その他,,展示会で名刺交換,\n"
    )
    result = run(uow, csv)
    assert result.ok and result.written, result.errors
    assert (result.rows, result.imported, result.already, result.leads) == (10, 10, 0, 5)
    assert result.summary() == "10 行: 取込 10 件, 取込済み 0 件 (リード 5 件の集計を更新)"

    after = digest(uow, "U1")
    assert ids(after.rep.inbound) == []
    five = {line.lead_id: line for line in after.rep.five_c2m.items}
    assert five[waiting].progress.label() == "架電 1/5・メール 1/2"  # 🔥 → 🔁
    assert five[window_ended].progress.label() == "架電 3/5・メール 2/2"
    manager = digest(uow, "UMGR").manager
    assert manager is not None
    assert (manager.figures.inbound_on_time, manager.figures.inbound_due) == (1, 1)
    assert (manager.figures.early_reached, manager.figures.early_due) == (1, 1)
    assert manager.figures.most_overdue == ()

    # Older than the touch logged in isops: first moves back, last stays the latest.
    assert f.lead_counters(uow, logged) == (
        2,
        0,
        1,
        jst(dt.date(2026, 11, 10), 10),
        jst(THU, 10),
        "不在",
    )
    waiting_lead = lead_values(uow, waiting)
    assert waiting_lead["status"] == 1  # the CRM's status is left as it is
    assert waiting_lead["first_action_at"] == jst(WED, 11)
    with uow() as u:
        members = dict(
            u.session.execute(
                select(Action.lead_id, Action.member_id).where(Action.lead_id == thursday)
            ).all()
        )
        assert members == {thursday: 3}  # U2, named in the file
        owner_default = u.session.scalar(select(Action.member_id).where(Action.memo == "資料送付"))
        assert owner_default == 2  # blank: the lead's owner, U1
        review = u.session.scalars(select(NoActionReview)).one()
        assert review.state == ReviewState.PENDING
    assert lead_values(uow, pending)["status"] == 4
    # No DM, no withdrawal notice: only the owners' Homes follow the new touches.
    added = count(uow, Notification) - notifications
    assert added == home_refreshes(uow) - homes > 0

    # The same file again, then the same touches in English with other spellings: nothing new.
    snapshot = {
        lead_id: f.lead_counters(uow, lead_id) for lead_id in (waiting, window_ended, logged)
    }
    again = run(uow, csv)
    assert (again.imported, again.already, again.leads) == (0, 10, 0)
    english = (
        "Email,Acted At,Channel,Outcome,Memo\n"
        "a@example.jp,2026-11-25T02:00:00Z,call,absent,受付で不在\n"
        "a@example.jp,2026-11-25 12:00:00+09:00,MAIL,sent,資料送付\r\n"
    )
    assert run(uow, english, encoding="utf-16").already == 2
    assert count(uow, Action) == 11
    assert {lead_id: f.lead_counters(uow, lead_id) for lead_id in snapshot} == snapshot
    assert digest(uow, "U1") == after


def test_identical_rows_are_separate_touches_and_stay_so_on_reimport(
    team: UnitOfWorkFactory,
) -> None:
    lead_id = f.lead(team(), owner="U1", status=2, cv_at=jst(WED))
    row = f"{lead_id},2026/11/26,架電,不在\n"
    twice = "isops ID,実施日時,種別,結果\n" + row * 2
    assert run(team, twice).imported == 2  # two absent calls the same day, no time given
    assert run(team, twice).imported == 0
    thrice = run(team, "isops ID,実施日時,種別,結果\n" + row * 3)
    assert (thrice.imported, thrice.already) == (1, 2)
    assert lead_values(team, lead_id)["call_count"] == 3


def test_any_bad_row_writes_nothing_and_every_problem_is_listed(
    team: UnitOfWorkFactory,
) -> None:
    good = f.lead(team(), owner="U1", status=2, cv_at=jst(WED), email="good@example.jp")
    f.lead(team(), owner="U1", email="twice@example.jp")
    f.lead(team(), owner="U2", email="twice@example.jp")
    with team() as u:
        u.session.get_one(Lead, good).external_id = "CRM-1"
        u.commit()
    before = f.lead_counters(team, good)
    csv = (
        "isops ID,外部ID,メール,実施日時,種別,結果,メモ,担当者\n"
        f"{good},,,2026/11/26 10:00,架電,不在,,\n"  # 2: fine
        "999,,,2026/11/26 10:00,架電,不在,,\n"  # 3: no such lead
        ",CRM-404,,2026/11/26 10:00,架電,不在,,\n"  # 4: no such external id
        ",,twice@example.jp,2026/11/26 10:00,架電,不在,,\n"  # 5: two leads
        f"{good},,,2026/11/26 10:00,メール,接続,,\n"  # 6: not a mail outcome
        f"{good},,,2026/11/26 10:00,架電,,,\n"  # 7: a call needs an outcome
        f"{good},,,2026/11/27 09:01,架電,不在,,\n"  # 8: in the future
        f"{good},,,1999/12/31 23:00,架電,不在,,\n"  # 9: too old
        f"{good},,,0001-01-01T00:00+09:00,架電,不在,,\n"  # 10: outside the calendar
        f"{good},,,2026/11/26 10:00,架電,不在,a\x00b,\n"  # 11: NUL
        f"{good},,,2026/11/26 10:00,架電,不在,,U404\n"  # 12: not a member
        ",,,2026/11/26 10:00,架電,不在,,\n"  # 13: no lead
        f"{good},,,2026/11/26 10:00,FAX,不在,,\n"  # 14: no such channel
        f"{good},,,,架電,不在,,,extra\n"  # 15: too many cells
        f"{good},,,2026/02/30,架電,不在,,bad id\n"  # 16: no such date; member
        f"{good},CRM-9,,2026/11/26 10:00,架電,不在,,\n"  # 17: another lead's external id
        f"{good},,,,架電,不在,,\n"  # 18: no date
        f"１{good},,,2026/11/26 10:00,架電,不在,,\n"  # 19: full-width digits: lead 11
    )
    result = run(team, csv)
    assert not result.written and result.error_count == 18
    assert result.summary() == "エラー 18 件のため何も取り込んでいません"
    messages = [str(e) for e in result.errors]
    assert messages == [
        "行 3, 列 isops ID: isops ID 999 のリードはありません",
        "行 4, 列 外部ID: 外部ID CRM-404 のリードはありません",
        "行 5, 列 メール: メール twice@example.jp のリードが複数あります (isops ID 2, 3):"
        " isops ID か外部ID の列で指定してください",
        "行 6, 列 結果: 「接続」はメールの結果ではありません (送信 / 返信あり / 不達)",
        "行 7, 列 結果: 架電の結果が空欄です (接続 / 不在 / 留守電 / 受付拒否 / 番号不通)",
        "行 8, 列 実施日時: 「2026/11/27 09:01」は未来の日時です",
        "行 9, 列 実施日時: 「1999/12/31 23:00」は 2000 年より前の日時です",
        "行 10, 列 実施日時: 「0001-01-01T00:00+09:00」は扱える範囲外の日時です",
        "行 11, 列 メモ: 制御文字 (NUL など) は使えません",
        "行 12, 列 担当者: U404 は isops のメンバーではありません"
        " (isops member add で登録するか、空欄ならリードの担当者になります)",
        "行 13: リードを示す isops ID・外部ID・メール がどれも空です",
        "行 14, 列 種別: 「FAX」は読めません (架電 / メール / その他、または call / mail / other)",
        "行 15: 見出しより列が多いです (9 列, 見出しは 8 列)",
        "行 16, 列 実施日時: 「2026/02/30」は存在しない日付・時刻です",
        "行 16, 列 担当者: 「bad id」は読めません (Slack ユーザー ID (U…) かメールアドレス)",
        "行 17, 列 外部ID: isops ID 1 のリードの外部ID は CRM-1 です (ファイルでは CRM-9)",
        "行 18, 列 実施日時: 空欄です",
        "行 19, 列 isops ID: isops ID 11 のリードはありません",
    ]
    assert count(team, Action) == 0
    assert f.lead_counters(team, good) == before


def test_dry_run_counts_and_writes_nothing(team: UnitOfWorkFactory) -> None:
    lead_id = f.lead(team(), owner="U1", cv_at=jst(WED), email="x@example.jp")
    csv = "メール,実施日時,種別,結果\nx@example.jp,2026/11/26 10:00,架電,接続\n"
    result = run(team, csv, dry_run=True)
    assert (result.imported, result.leads, result.written) == (1, 1, False)
    assert result.summary().startswith("(試行のみ・未保存) 1 行: 取込 1 件")
    assert count(team, Action) == 0
    assert lead_values(team, lead_id)["first_action_at"] is None


def test_encodings_and_header_problems(team: UnitOfWorkFactory) -> None:
    lead_id = f.lead(team(), owner="U1", cv_at=jst(WED), email="x@example.jp")
    with team() as u:
        u.session.get_one(Lead, lead_id).external_id = "CRM-①"
        u.commit()
    ja = "外部ID,実施日時,種別,結果,メモ,備考\nCRM-①,2026/11/26 10:00,ﾒｰﾙ,不達,宛先不明,x\n"
    result = run(team, ja, encoding="cp932")
    assert (result.encoding, result.imported, result.ignored_columns) == ("cp932", 1, ("備考",))
    bom = run(team, "\ufeff" + ja.replace("不達,宛先不明", "送信,再送"), encoding="utf-8")
    assert (bom.encoding, bom.imported) == ("utf-8-sig", 1)
    assert lead_values(team, lead_id)["mail_count"] == 2

    missing = run(team, "会社名,種別\n株式会社A,架電\n")
    assert [str(e) for e in missing.errors] == [
        "行 1: 見出し行にリードを示す列 (isops ID / 外部ID / メール のどれか) がありません",
        "行 1: 見出し行に 実施日時 (acted_at) がありません",
    ]
    twice = run(team, "メール,email,実施日時,種別\n")
    assert [str(e) for e in twice.errors] == ["行 1: 見出し「email」と「メール」が同じ項目です"]
    assert run(team, "").summary() == "エラー 1 件のため何も取り込んでいません"
    assert count(team, Action) == 2


def test_members_by_email_registered_or_through_slack(team: UnitOfWorkFactory) -> None:
    from isops.services.members import add_member

    add_member(team(), slack_user_id="U3", name="田中", role=Role.REP, email="Tanaka@Example.jp")
    f.member(team(), "U4", name="高橋")  # registered without an e-mail
    lead_id = f.lead(team(), owner="U1", cv_at=jst(WED))
    csv = (
        "isops ID,実施日時,種別,結果,担当者\n"
        f"{lead_id},2026/11/26 10:00,架電,不在,tanaka@example.jp\n"
        f"{lead_id},2026/11/26 11:00,架電,不在,takahashi@example.jp\n"
    )
    asked: list[str] = []

    def lookup(email: str) -> str | None:
        asked.append(email)
        return "U4" if email == "takahashi@example.jp" else None

    result = run(team, csv, lookup_email=lookup)
    assert result.imported == 2, result.errors
    assert asked == ["takahashi@example.jp"]  # once, only for the one not registered by e-mail
    with team() as u:
        by = u.session.scalars(select(Action.member_id).order_by(Action.acted_at)).all()
    assert by == [4, 5]


def test_statements_do_not_grow_with_rows_or_leads_within_a_batch(
    team: UnitOfWorkFactory, engine: Any
) -> None:

    def statements(rows: int) -> int:
        lead_ids = [f.lead(team(), owner="U1", cv_at=jst(WED)) for _ in range(rows)]
        csv = "isops ID,実施日時,種別,結果\n" + "".join(
            f"{lead_id},2026/11/26 10:{i % 60:02d},架電,不在\n"
            for i, lead_id in enumerate(lead_ids)
        )
        with f.sql_statements(engine) as seen:
            assert run(team, csv).imported == rows
        return len(seen)

    assert statements(3) == statements(60)


@pytest.mark.parametrize("raw", ["①", "2147483648", "0"])
def test_an_isops_id_is_read_as_the_lead_import_reads_it(team: UnitOfWorkFactory, raw: str) -> None:
    result = run(team, f"isops ID,実施日時,種別,結果\n{raw},2026/11/26 10:00,架電,不在\n")
    assert [str(e) for e in result.errors] == [
        f"行 2, 列 isops ID: 「{raw}」は isops のリード番号ではありません"
    ]


def test_ignored_columns_are_listed_without_control_characters(team: UnitOfWorkFactory) -> None:
    f.lead(team(), owner="U1", cv_at=jst(WED), email="x@example.jp")
    result = run(
        team, "メール,実施日時,種別,結果,備考\x1b[31m\nx@example.jp,2026/11/26 10:00,架電,不在,\n"
    )
    assert result.ok and result.ignored_columns == ("備考[31m",)
