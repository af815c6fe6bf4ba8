"""CSV import / export: encodings, headers, all-or-nothing validation with line numbers,
re-import idempotence and an export → import round trip that changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event, func, select

from isops import limits
from isops.csvio import (
    ImportPolicy,
    ImportResult,
    export_leads,
    import_leads,
    import_pasted_csv,
)
from isops.csvio.importer import EmailLookup, OwnerBy
from isops.csvio.parsing import CONTROL_CHARACTER
from isops.enums import Channel, ReviewState, Role
from isops.models import Lead, LeadHistory, NoActionReview
from isops.services.members import add_member
from isops.text import has_control, strip_control
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")
POLICY = ImportPolicy(tz=TOKYO, inbound_sources=("資料請求", "問い合わせ"))
NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)

JA_FILE = (
    "外部ID,会社名,氏名,役職,業種,メール,電話,流入元,流入日時,担当者,優先度,ステータス,"
    "次回活動予定日,メモ\n"
    "C-1,株式会社あおば,山田 太郎,部長,製造,yamada@aoba.example,03-1111-2222,資料請求,"
    '2026/11/20 10:00,sato@example.com,注力,未対応,2026/12/01,"資料送付済み,\n来月再連絡"\n'
    "C-2,㈱かえで,鈴木 花子,,小売,suzuki@kaede.example,,セミナー,2026-11-21,U200,非注力,2,,\n"
)


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> None:
    add_member(
        uow_factory(), slack_user_id="U100", name="佐藤", role=Role.REP, email="sato@example.com"
    )
    add_member(uow_factory(), slack_user_id="U200", name="田中", role=Role.REP)


def run(
    uow_factory: UnitOfWorkFactory,
    data: bytes | str,
    *,
    dry_run: bool = False,
    owner_by: OwnerBy = "auto",
    lookup_email: EmailLookup | None = None,
    batch_size: int = 1000,
) -> ImportResult:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return import_leads(
        uow_factory,
        stream=io.BytesIO(raw),
        policy=POLICY,
        dry_run=dry_run,
        owner_by=owner_by,
        lookup_email=lookup_email,
        batch_size=batch_size,
    )


def leads(uow_factory: UnitOfWorkFactory) -> list[dict[str, Any]]:
    """Every lead as plain values (everything the import may touch, plus the counters)."""
    with uow_factory() as uow:
        rows = uow.session.scalars(select(Lead).order_by(Lead.id)).all()
        return [
            {c.key: getattr(row, c.key) for c in Lead.__table__.columns if c.key != "updated_at"}
            for row in rows
        ]


def count_leads(uow_factory: UnitOfWorkFactory) -> int:
    with uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Lead)) or 0)


def export_text(uow_factory: UnitOfWorkFactory, **kw: Any) -> str:
    out = io.StringIO(newline="")
    export_leads(uow_factory(), out=out, tz=TOKYO, **kw)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_japanese_file_in_each_encoding(
    uow_factory: UnitOfWorkFactory, team: None, encoding: str
) -> None:
    result = run(uow_factory, JA_FILE.encode(encoding))
    assert (result.ok, result.created, result.rows) == (True, 2, 2)
    assert result.encoding == encoding
    first, second = leads(uow_factory)
    assert first["company"] == "株式会社あおば"
    assert first["memo"] == "資料送付済み,\n来月再連絡"
    assert first["cv_at"] == dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)  # 10:00 JST
    assert (first["priority"], first["status"]) == (1, 1)
    assert first["next_action_date"] == dt.date(2026, 12, 1)
    assert first["inbound"] is True and second["inbound"] is False
    assert second["company"] == "㈱かえで"  # a CP932 extension character
    assert (second["priority"], second["status"]) == (2, 2)
    assert second["cv_at"] == dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # 00:00 JST
    owners = {m: o for m, o in ((r["email"], r["owner_id"]) for r in (first, second))}
    assert owners["yamada@aoba.example"] != owners["suzuki@kaede.example"]


def test_english_headers_with_bom_and_iso_dates(uow_factory: UnitOfWorkFactory, team: None) -> None:
    text = (
        "Company,Contact,E-mail,Source,CV_AT,Owner,Priority,Status,Next Action Date,Memo\n"
        "Acme,Jane,jane@acme.example,問い合わせ,2026-11-20T10:00:00Z,U100,1,接続済,"
        "2026-12-02,hello\n"
    )
    result = run(uow_factory, text.encode("utf-8-sig"))
    assert result.ok and result.encoding == "utf-8-sig"
    (lead,) = leads(uow_factory)
    assert lead["cv_at"] == dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
    assert (lead["status"], lead["priority"], lead["inbound"]) == (3, 1, True)


def test_a_bad_row_stops_the_whole_import_with_its_line(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    rows = ["会社名,メール,ステータス,次回活動予定日,優先度"]
    rows += [f"会社{i},c{i}@example.com,1,2026/12/01,注力" for i in range(2, 12)]
    rows += [
        "会社12,not-an-email,1,2026/12/01,注力",  # line 12
        "会社13,c13@example.com,9,2026/02/30,最優先",  # line 13: three bad cells
        ",c14@example.com,1,,",  # line 14: a new lead needs a company
    ]
    result = run(uow_factory, "\n".join(rows) + "\n", batch_size=4)
    assert not result.ok and not result.written
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("行 12, 列 メール: ")
    assert [m.split(":")[0] for m in messages[1:4]] == [
        "行 13, 列 ステータス",
        "行 13, 列 次回活動予定日",
        "行 13, 列 優先度",
    ]
    assert messages[4].startswith("行 14, 列 会社名: ")
    assert result.error_count == 5
    assert count_leads(uow_factory) == 0  # nothing imported, not even rows 2–11
    assert "エラー 5 件のため何も取り込んでいません" in result.summary()


def test_unknown_owner_is_a_row_error(uow_factory: UnitOfWorkFactory, team: None) -> None:
    text = "会社名,担当者\nA社,U100\nB社,nobody@example.com\nC社,さとう\n"
    result = run(uow_factory, text)
    assert [str(e).split(":")[0] for e in result.errors] == ["行 3, 列 担当者", "行 4, 列 担当者"]
    assert "メンバーではありません" in result.errors[0].message
    assert count_leads(uow_factory) == 0


def test_owner_emails_resolved_through_slack(uow_factory: UnitOfWorkFactory, team: None) -> None:
    asked: list[str] = []

    def lookup(email: str) -> str | None:
        asked.append(email)
        return {"tanaka@example.com": "U200"}.get(email)

    text = "会社名,担当者\nA社,tanaka@example.com\nB社,tanaka@example.com\nC社,sato@example.com\n"
    result = run(uow_factory, text, owner_by="email", lookup_email=lookup)
    assert result.ok and result.created == 3
    assert asked == ["tanaka@example.com"]  # once per address; members' own e-mails need none
    with uow_factory() as uow:
        owner_ids = uow.session.scalars(select(Lead.owner_id).order_by(Lead.id)).all()
    assert owner_ids[0] == owner_ids[1] != owner_ids[2]


def test_owner_by_slack_id_refuses_emails(uow_factory: UnitOfWorkFactory, team: None) -> None:
    result = run(uow_factory, "会社名,担当者\nA社,sato@example.com\n", owner_by="slack-id")
    assert str(result.errors[0]).startswith("行 2, 列 担当者: ")


def test_reimport_updates_the_same_leads(uow_factory: UnitOfWorkFactory, team: None) -> None:
    first = run(uow_factory, JA_FILE.encode("cp932"))
    before = leads(uow_factory)
    again = run(uow_factory, JA_FILE.encode("cp932"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert leads(uow_factory) == before
    changed = JA_FILE.replace("注力,未対応,2026/12/01", "注力,接続済,2026/12/10")
    third = run(uow_factory, changed.encode("cp932"))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    after = leads(uow_factory)
    assert (after[0]["status"], after[0]["next_action_date"]) == (3, dt.date(2026, 12, 10))
    with uow_factory() as uow:
        history = uow.session.execute(
            select(LeadHistory.field, LeadHistory.old_value, LeadHistory.new_value).where(
                LeadHistory.note == "CSV 取込"
            )
        ).all()
    assert sorted(history) == [
        ("next_action_date", "2026-12-01", "2026-12-10"),
        ("status", "1", "3"),
    ]
    assert first.created == 2 and count_leads(uow_factory) == 2


def test_rows_without_external_id_match_by_email(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    manual = factories.lead(uow_factory(), owner="U100", email="known@example.com", company="既存")
    result = run(uow_factory, "会社名,メール,外部ID,メモ\n既存,known@example.com,CRM-9,電話済\n")
    assert (result.created, result.updated) == (0, 1)
    (lead,) = leads(uow_factory)
    assert (lead["id"], lead["external_id"], lead["memo"]) == (manual, "CRM-9", "電話済")


def test_blank_cells_keep_values_and_dry_run_writes_nothing(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    run(uow_factory, JA_FILE)
    before = leads(uow_factory)
    result = run(uow_factory, "外部ID,会社名,メモ\nC-1,,\nC-3,新規社,\n", dry_run=True)
    assert (result.dry_run, result.written) == (True, False)
    assert (result.created, result.unchanged) == (1, 1)
    assert "試行のみ" in result.summary()
    assert leads(uow_factory) == before


def test_status_4_or_6_needs_a_manager(uow_factory: UnitOfWorkFactory, team: None) -> None:
    run(uow_factory, JA_FILE)
    result = run(uow_factory, "外部ID,ステータス\nC-1,対応不要\nC-2,2\n")
    assert [str(e).split(":")[0] for e in result.errors] == ["行 2, 列 ステータス"]
    assert "マネージャーの承認" in result.errors[0].message
    # A new lead may arrive already dropped (history from the CRM).
    assert run(uow_factory, "外部ID,会社名,ステータス\nC-9,旧社,4\n").created == 1


def _lead_id(uow_factory: UnitOfWorkFactory, external_id: str) -> int:
    with uow_factory() as uow:
        lead_id = uow.session.scalar(select(Lead.id).where(Lead.external_id == external_id))
        assert lead_id is not None
        return lead_id


def test_a_lead_waiting_for_review_keeps_its_status_and_owner(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    run(uow_factory, JA_FILE)
    factories.review(uow_factory(), _lead_id(uow_factory, "C-1"), by="U100", status=4)
    before = leads(uow_factory)
    text = (
        "外部ID,ステータス,担当者,メモ\n"
        "C-1,2,,\n"  # line 2: another status while the manager decides
        "C-1,,U200,\n"  # line 3: another owner
        "C-1,対応不要,sato@example.com,承認待ちのまま\n"  # status and owner as they are: fine
        "C-2,3,U100,\n"  # a lead without a review moves freely
    )
    result = run(uow_factory, text)
    assert [str(e).split(":")[0] for e in result.errors] == [
        "行 2, 列 ステータス",
        "行 3, 列 担当者",
    ]
    assert all(e.message.startswith("承認待ちのため変更できません") for e in result.errors)
    assert not result.written and leads(uow_factory) == before  # nothing imported

    # The same file without the two rows goes in, and the review is still pending.
    fine = run(uow_factory, "\n".join(text.splitlines()[:1] + text.splitlines()[3:]) + "\n")
    assert (fine.ok, fine.updated) == (True, 2)
    with uow_factory() as uow:
        pending = uow.session.scalars(
            select(NoActionReview).where(NoActionReview.state == ReviewState.PENDING)
        ).one()
        lead = uow.session.get_one(Lead, pending.lead_id)
        assert (lead.external_id, lead.status, lead.memo) == ("C-1", 4, "承認待ちのまま")


def test_pending_reviews_are_read_once_per_batch(
    uow_factory: UnitOfWorkFactory, engine: Engine, team: None
) -> None:
    for n in range(6):
        factories.lead(uow_factory(), owner="U100", company=f"社{n}", email=f"s{n}@example.com")
    rows = "".join(f"s{n}@example.com,2\n" for n in range(6))
    with factories.sql_statements(engine) as statements:
        result = run(uow_factory, "メール,ステータス\n" + rows, batch_size=3)
    assert (result.ok, result.updated) == (True, 6)
    # Two batches, checked then written: not one per row.
    assert len([s for s in statements if "no_action_reviews" in s]) == 4


def test_emails_are_stored_lower_cased_and_matched_in_any_case(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    created = run(uow_factory, "会社名,メール\nA社, Taro@Example.COM \n")
    assert created.created == 1
    assert [r["email"] for r in leads(uow_factory)] == ["taro@example.com"]
    again = run(uow_factory, "会社名,メール,メモ\nA社,TARO@example.com,電話済\n")
    assert (again.created, again.updated) == (0, 1)
    assert [(r["email"], r["memo"]) for r in leads(uow_factory)] == [("taro@example.com", "電話済")]


def test_text_limits_are_the_shared_ones(uow_factory: UnitOfWorkFactory, team: None) -> None:
    long_memo = "メ" * limits.IMPORTED_MEMO
    ok = run(uow_factory, f"会社名,メモ\n{'会' * limits.COMPANY},{long_memo}\n")
    assert ok.ok and ok.created == 1
    too_long = run(
        uow_factory,
        f"会社名,電話,メモ\n{'会' * (limits.COMPANY + 1)},{'1' * (limits.PHONE + 1)},"
        f"{long_memo}メ\n",
    )
    assert [str(e).split(":")[0] for e in too_long.errors] == [
        "行 2, 列 会社名",
        "行 2, 列 電話",
        "行 2, 列 メモ",
    ]
    assert f"{limits.COMPANY} 文字以内" in too_long.errors[0].message


def test_duplicate_keys_in_one_file_make_one_lead(uow_factory: UnitOfWorkFactory) -> None:
    text = "外部ID,会社名,メモ\nD-1,A社,一回目\nD-1,A社,二回目\nD-2,B社,\nD-1,A社,三回目\n"
    result = run(uow_factory, text, batch_size=2)  # the third D-1 is in another batch
    assert result.ok
    assert [(r["external_id"], r["memo"]) for r in leads(uow_factory)] == [
        ("D-1", "三回目"),
        ("D-2", ""),
    ]


def test_file_level_problems(uow_factory: UnitOfWorkFactory) -> None:
    assert str(run(uow_factory, b"").errors[0]).startswith("行 1: 空のファイル")
    assert "会社名" in str(run(uow_factory, "氏名,電話\n山田,0\n").errors[0])
    too_wide = run(uow_factory, "会社名\nA社,余分\n")
    assert str(too_wide.errors[0]).startswith("行 2: 見出しより列が多い")
    broken = b"\xef\xbb\xbf\xe4\xbc\x9a\xe7\xa4\xbe\xe5\x90\x8d\nA\xff\n"  # BOM then bad bytes
    assert "読めない文字" in str(run(uow_factory, broken).errors[0])


def test_tab_separated_utf16(uow_factory: UnitOfWorkFactory) -> None:
    text = "会社名\t氏名\nタブ社\t山田\n"
    result = run(uow_factory, text.encode("utf-16"))
    assert result.ok and result.encoding == "utf-16"
    assert [r["contact_name"] for r in leads(uow_factory)] == ["山田"]


def test_export_then_import_changes_nothing(uow_factory: UnitOfWorkFactory, team: None) -> None:
    run(uow_factory, JA_FILE)
    tricky = factories.lead(
        uow_factory(),
        owner="U200",
        company='=HYPERLINK("http://evil.example","x")',
        contact_name='引用 "符" と, カンマ',
        memo="'+先頭が引用符\n改行あり",
        priority=1,
        next_action_date=dt.date(2026, 12, 3),
        status=3,
    )
    factories.lead(uow_factory(), owner=None, company="担当なし・メールなし", contact_name=None)
    factories.action(uow_factory(), tricky, by="U200", channel=Channel.CALL)
    factories.action(uow_factory(), tricky, by="U200", channel=Channel.MAIL, outcome="送信")
    before = leads(uow_factory)
    exported = export_text(uow_factory)
    header = exported.splitlines()[0]
    assert header.startswith("isops ID,外部ID,会社名,氏名")
    assert header.endswith("架電数,メール数,最終活動日時")
    assert "'=HYPERLINK" in exported  # spreadsheets show it as text instead of running it
    result = run(uow_factory, exported.encode("utf-8-sig"))
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 0, 0, 4)
    assert leads(uow_factory) == before
    assert export_text(uow_factory) == exported
    row = next(r for r in csv.reader(io.StringIO(exported)) if r[0] == str(tricky))
    assert row[-3:] == ["1", "1", "2026-11-27T09:00:00+09:00"]


def test_export_owner_as_email_and_english_headers(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    run(uow_factory, JA_FILE)
    text = export_text(uow_factory, owner_as="email", language="en")
    assert text.startswith("isops_id,external_id,company,contact")
    assert "sato@example.com" in text and ",U200," in text  # U200 has no e-mail on file
    result = run(uow_factory, text.encode("utf-8"))
    assert (result.ok, result.unchanged) == (True, 2)


def test_export_reads_in_pages(
    uow_factory: UnitOfWorkFactory, team: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("isops.csvio.exporter._PAGE", 2)
    for n in range(5):
        factories.lead(uow_factory(), owner="U100", company=f"社{n}")
    rows = list(csv.reader(io.StringIO(export_text(uow_factory))))
    assert [r[2] for r in rows[1:]] == [f"社{n}" for n in range(5)]


def test_a_nul_byte_in_row_1201_leaves_the_database_as_it_was(
    uow_factory: UnitOfWorkFactory,
) -> None:
    # PostgreSQL refuses NUL in text: the row is refused in the check, on both databases,
    # instead of 1,000 rows being committed before the write fails.
    rows = [f"社{n},c{n}@example.com" for n in range(1, 1501)]
    rows[1199] = "社\x001200,c1200@example.com"  # data row 1,200 = spreadsheet row 1,201
    result = run(uow_factory, "会社名,メール\n" + "\n".join(rows) + "\n")
    assert [str(e) for e in result.errors] == [
        "行 1201, 列 会社名: 制御文字 (NUL など) が含まれています。"
        "ファイルの文字コードか、この列の内容を確認してください"
    ]
    assert not result.written and count_leads(uow_factory) == 0


def test_the_write_is_one_transaction(uow_factory: UnitOfWorkFactory, engine: Engine) -> None:
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(engine, "commit", committed)
    try:
        # Three batches; on PostgreSQL an ANALYZE after the first, inside the transaction.
        rows = "".join(f"社{n},c{n}@example.com\n" for n in range(2100))
        result = run(uow_factory, "会社名,メール\n" + rows, batch_size=1000)
    finally:
        event.remove(engine, "commit", committed)
    assert (result.ok, result.written, result.created) == (True, True, 2100)
    assert len(commits) == 1 and count_leads(uow_factory) == 2100


def test_control_characters_are_refused_and_one_line_columns_lose_line_breaks(
    uow_factory: UnitOfWorkFactory,
) -> None:
    bad = run(uow_factory, '会社名,氏名,メモ\nA社,"山田\x1b[31m",ok\nB社,鈴木,"メモ\x0c"\n')
    assert [str(e).split(":")[0] for e in bad.errors] == ["行 2, 列 氏名", "行 3, 列 メモ"]
    assert count_leads(uow_factory) == 0
    good = run(
        uow_factory, '会社名,氏名,メモ\n"株式会社\r\nあおば","山田\t太郎","一行目\n\t二行目"\n'
    )
    assert good.ok
    (lead,) = leads(uow_factory)
    assert (lead["company"], lead["contact_name"]) == ("株式会社 あおば", "山田 太郎")
    assert lead["memo"] == "一行目\n\t二行目"  # memos keep their lines and tabs


def test_a_failing_later_batch_rolls_back_the_earlier_ones(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    kept = factories.lead(uow_factory(), owner="U100", company="既存")
    before = leads(uow_factory)
    # Row 4 gives the existing lead the external id row 2 gave a new lead: only the write
    # pass, with row 2 written, can see it; the whole file is refused, row 2 included.
    text = f"isops ID,外部ID,会社名\n,X-1,新規社\n,,別の新規社\n{kept},X-1,\n"
    result = run(uow_factory, text, batch_size=2)
    assert [str(e) for e in result.errors] == [
        "行 4, 列 外部ID: 外部ID X-1 は別のリードが使っています"
    ]
    assert not result.written and "何も取り込んでいません" in result.summary()
    assert leads(uow_factory) == before


def test_an_external_id_of_another_lead_is_a_row_error(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    run(uow_factory, JA_FILE)
    other = factories.lead(uow_factory(), owner="U100", company="別社")
    result = run(uow_factory, f"isops ID,外部ID\n{other},C-1\n")
    assert [str(e) for e in result.errors] == [
        "行 2, 列 外部ID: 外部ID C-1 は別のリードが使っています"
    ]


def test_a_database_refusal_mid_write_saves_nothing(
    uow_factory: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A concurrent change can still make the database refuse a batch after the check (a
    # unique external id taken meanwhile): simulated on the second batch.
    from sqlalchemy.exc import IntegrityError

    from isops.csvio import writing

    real = writing.execute_plan
    calls: list[int] = []

    def second_batch_refused(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        real(*args, **kwargs)

    monkeypatch.setattr(writing, "execute_plan", second_batch_refused)
    result = run(uow_factory, "会社名\n" + "".join(f"社{n}\n" for n in range(5)), batch_size=2)
    assert [str(e) for e in result.errors] == [
        "行 4: 行 4〜5 が取り込み中の別の変更と衝突しました。同じファイルをもう一度取り込んでください"
    ]
    assert not result.written and count_leads(uow_factory) == 0


def test_rows_without_keys_match_company_contact_and_cv_time(
    uow_factory: UnitOfWorkFactory, team: None
) -> None:
    by_hand = factories.lead(
        uow_factory(), owner="U100", company="株式会社みどり", contact_name="佐々木"
    )
    text = (
        "会社名,氏名,流入日時,メモ\n"
        "株式会社あおば,山田 太郎,2026/11/20 10:00,一回目\n"
        "株式会社あおば,山田 太郎,2026/11/21 10:00,\n"  # the same person's next CV: a new lead
        "株式会社かえで,,,\n"
        "株式会社かえで,,,\n"  # the same row twice in a file is one lead
        "株式会社みどり,佐々木,,電話済\n"  # registered with /lead
    )
    first = run(uow_factory, text)
    assert (first.created, first.updated, first.unchanged) == (3, 1, 1)
    before = leads(uow_factory)
    assert [r["memo"] for r in before if r["id"] == by_hand] == ["電話済"]
    again = run(uow_factory, text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert leads(uow_factory) == before
    # Width, case, kana and spaces folded as /lead's duplicate check folds them.
    folded = run(
        uow_factory,
        "会社名,氏名,流入日時,メモ\n株式会社ｱｵﾊﾞ,山田　太郎,2026-11-20T01:00:00Z,二回目\n",
    )
    assert (folded.created, folded.updated) == (0, 1)
    assert count_leads(uow_factory) == 4


def test_dates_out_of_range_are_row_errors(uow_factory: UnitOfWorkFactory) -> None:
    # NOW is 2026-11-27 10:00 in Tokyo: a CV may be up to a day ahead, from 2000 on; a next
    # action date up to the end of 2031.
    text = (
        "会社名,流入日時,次回活動予定日\n"
        "A,2000/01/01 00:00,2031/12/31\n"
        "B,2026/11/28 10:00,2000-01-01\n"
        "C,0001-01-01,9999-12-31\n"  # line 4
        "D,9999-12-31T23:59:59-05:00,0001-01-01T00:00:00+14:00\n"  # line 5
        "E,1999/12/31 23:59,2032/01/01\n"  # line 6
        "F,2026/11/28 10:01,\n"  # line 7: more than a day ahead
    )
    result = run(uow_factory, text)
    assert [str(e).split(":")[0] for e in result.errors] == [
        "行 4, 列 流入日時",
        "行 4, 列 次回活動予定日",
        "行 5, 列 流入日時",
        "行 5, 列 次回活動予定日",
        "行 6, 列 流入日時",
        "行 6, 列 次回活動予定日",
        "行 7, 列 流入日時",
    ]
    assert "2000/1/1(土) から 2031/12/31(水) までの日付" in result.errors[1].message
    assert count_leads(uow_factory) == 0
    fine = run(uow_factory, "\n".join(text.splitlines()[:3]) + "\n")
    assert fine.ok and fine.created == 2


@pytest.mark.parametrize("raw", ["12345678901234567890", "2147483648", "0", "①", "-1", "1.0"])
def test_isops_ids_that_cannot_be_a_lead_are_row_errors(
    uow_factory: UnitOfWorkFactory, raw: str
) -> None:
    result = run(uow_factory, f"isops ID,メモ\n{raw},x\n")
    assert [str(e) for e in result.errors] == [
        f"行 2, 列 isops ID: 「{raw}」は isops のリード番号ではありません"
    ]


def test_full_width_digits_are_an_isops_id(uow_factory: UnitOfWorkFactory) -> None:
    result = run(uow_factory, "isops ID,メモ\n１２,x\n")
    assert [str(e) for e in result.errors] == [
        "行 2, 列 isops ID: isops ID 12 のリードはありません"
    ]


def test_the_control_character_check_is_isops_text_has_control() -> None:
    # has_control(text) is "strip_control would remove something": the same set, removed
    # (Unicode has no control characters beyond the BMP).
    every = "".join(chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000)
    assert CONTROL_CHARACTER.sub("", every) == strip_control(every) != every
    assert has_control("\x00") and not CONTROL_CHARACTER.search("\t\n\r")


def test_pasted_text_with_half_a_surrogate_pair_is_an_error_not_a_crash(
    uow_factory: UnitOfWorkFactory,
) -> None:
    add_member(uow_factory(), slack_user_id="U900", name="管理者", role=Role.ADMIN)
    # Slack's JSON can carry "\ud83d" (half an emoji), which UTF-8 cannot encode.
    result = import_pasted_csv(
        uow_factory, by_slack_user_id="U900", text="会社名\nA社\ud83d\n", policy=POLICY
    )
    assert "読めない文字" in str(result.errors[0])
    assert not result.written and count_leads(uow_factory) == 0
