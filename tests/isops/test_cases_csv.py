"""`isops cases import|export`: atomic, idempotent by 外部ID, round trips (issue 14 point 7)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from isops.case_vocabulary import CompanySize
from isops.csvio.cases_export import export_cases
from isops.csvio.cases_import import import_cases
from isops.db import make_engine
from isops.enums import Role, RoleLevel
from isops.migrate import downgrade, upgrade
from isops.models import Case, CaseTag
from isops.services.cases import CaseDetail, case_detail, load_details
from isops.unit_of_work import UnitOfWorkFactory, make_uow_factory
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")
HEADER = "外部ID,タイトル,顧客,業種,企業規模,役職区分,現状,課題,機能,接続,便益,数値,リンク\n"
ROWS = (
    'C-1,受注率を上げた営業改革,製造業 A社,製造,300〜999名,マネージャー,"商談がベテラン頼み",'
    '"受注率が低い\n営業の採用が増える","商談の録画・分析\n受注商談の共有",'
    '"成功事例の共有\nオンボーディングの短縮","受注率の向上\n立ち上がりが早い",'
    '"18%→24%\n6か月→3か月",https://example.com/c1\n'
    "C-2,新製品の立ち上げ,,IT,120,役員,,新製品の投入,商談の分析,PDCA の効率化,"
    "製品改善が速い,,\n"
)


def _import(
    uow_factory: UnitOfWorkFactory, text: str, *, encoding: str = "utf-8", dry_run: bool = False
):  # type: ignore[no-untyped-def]
    return import_cases(uow_factory, stream=io.BytesIO(text.encode(encoding)), dry_run=dry_run)


def _cases(uow_factory: UnitOfWorkFactory) -> list[CaseDetail]:
    with uow_factory() as uow:
        ids = list(uow.session.scalars(select(Case.id).order_by(Case.id)))
        details = load_details(uow.session, ids)
    return [details[i] for i in ids]


def _comparable(case: CaseDetail) -> tuple[object, ...]:
    return (
        case.external_id,
        case.title,
        case.customer,
        case.industry,
        case.company_size,
        case.role_level,
        case.situation,
        case.chains,
        case.link,
        case.archived,
    )


def test_import_reads_chains_line_by_line(uow_factory: UnitOfWorkFactory) -> None:
    result = _import(uow_factory, HEADER + ROWS)
    assert result.error_count == 0, result.errors
    assert result.summary() == "2 行: 新規 2 件, 更新 0 件, 変更なし 0 件"
    first, second = _cases(uow_factory)
    assert (first.external_id, first.company_size, first.role_level) == (
        "C-1",
        CompanySize.LARGE,
        RoleLevel.MANAGER,
    )
    assert [(c.problem, c.feature, c.connection, c.benefit, c.figures) for c in first.chains] == [
        ("受注率が低い", "商談の録画・分析", "成功事例の共有", "受注率の向上", "18%→24%"),
        (
            "営業の採用が増える",
            "受注商談の共有",
            "オンボーディングの短縮",
            "立ち上がりが早い",
            "6か月→3か月",
        ),
    ]
    assert second.company_size is CompanySize.MID and second.customer is None
    assert second.created_by is None  # imported, not typed by a member


def test_import_again_changes_nothing_and_an_edit_updates(uow_factory: UnitOfWorkFactory) -> None:
    _import(uow_factory, HEADER + ROWS)
    again = _import(uow_factory, HEADER + ROWS)
    assert again.summary() == "2 行: 新規 0 件, 更新 0 件, 変更なし 2 件"
    edited = _import(uow_factory, HEADER + ROWS.replace("新製品の立ち上げ", "新製品の早期立ち上げ"))
    assert edited.summary() == "2 行: 新規 0 件, 更新 1 件, 変更なし 1 件"
    assert [c.title for c in _cases(uow_factory)] == [
        "受注率を上げた営業改革",
        "新製品の早期立ち上げ",
    ]
    # A file with fewer columns touches only those: archive C-2 by id.
    archived = _import(uow_factory, "外部ID,アーカイブ\nC-2,はい\n")
    assert archived.summary() == "1 行: 新規 0 件, 更新 1 件, 変更なし 0 件"
    cases = _cases(uow_factory)
    assert cases[1].archived and cases[1].title == "新製品の早期立ち上げ"
    assert cases[1].revision == 3  # an editor who opened it before the imports must reopen


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(
    uow_factory: UnitOfWorkFactory,
) -> None:
    text = (
        HEADER
        + ROWS
        + "C-3,,,製造,大企業,部長,,課題,,,,,ftp://x\n"
        + 'C-4,タイトル,,製造,,,,"課題1\n課題2","","","便益1\n便益2\n便益3",,\n'
        + "C-1,重複,,製造,,,,課題,,,便益,,\n"
        + ",外部IDなし,,製造,,,,課題,,,便益,,\n"
        + "C-5,NUL\x00,,製造,,,,課題,,,便益,,\n"
    )
    result = _import(uow_factory, text)
    assert [str(e) for e in result.errors] == [
        "行 4, 列 企業規模: 「大企業」は読めません (1-49 / 50-299 / 300-999 / 1000+ (50〜299名、従業員数の数字も可))",
        "行 4, 列 役職区分: 「部長」は読めません (担当 / マネージャー / 役員)",
        "行 5, 列 便益: 便益が 3 行、課題が 2 行です (便益の n 行目は n 番目の課題に対応します)",
        "行 6, 列 外部ID: 外部ID C-1 は 行 2 にもあります",
        "行 7, 列 外部ID: 外部ID を入力してください",
        "行 8, 列 タイトル: 制御文字 (NUL など) が含まれています。ファイルの文字コードか、この列の内容を確認してください",
    ]
    assert result.summary() == "エラー 6 件のため何も取り込んでいません"
    assert _cases(uow_factory) == []


def test_a_row_missing_required_fields_is_reported_and_nothing_is_written(
    uow_factory: UnitOfWorkFactory,
) -> None:
    text = HEADER + ROWS + "C-3,,,製造,,,,課題だけ,,,,,https://x\n"
    result = _import(uow_factory, text)
    assert [str(e) for e in result.errors] == [
        "行 4, 列 タイトル: タイトルを入力してください",
        "行 4, 列 便益: 便益を 1 つ以上入力してください",
    ]
    assert _cases(uow_factory) == []
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count(CaseTag.id))) == 0


def test_header_problems_stop_before_any_row(uow_factory: UnitOfWorkFactory) -> None:
    result = _import(uow_factory, "タイトル,課題\nA,B\n")
    assert [str(e) for e in result.errors] == [
        "行 1: 見出し行に 外部ID (external_id) がありません (再取り込みで同じ事例を更新するためのキーです)",
        "行 1: 課題・機能・接続・便益・数値 の列は 課題 と 便益 を含めて組で指定してください",
    ]


def test_cp932_and_bom_files_and_a_dry_run(uow_factory: UnitOfWorkFactory) -> None:
    dry = import_cases(
        uow_factory, stream=io.BytesIO((HEADER + ROWS).encode("cp932")), dry_run=True
    )
    assert (dry.encoding, dry.summary()) == (
        "cp932",
        "(試行のみ・未保存) 2 行: 新規 2 件, 更新 0 件, 変更なし 0 件",
    )
    assert _cases(uow_factory) == []
    bom = import_cases(uow_factory, stream=io.BytesIO((HEADER + ROWS).encode("utf-8-sig")))
    assert bom.encoding == "utf-8-sig" and len(_cases(uow_factory)) == 2


def test_english_headers_are_read_too(uow_factory: UnitOfWorkFactory) -> None:
    text = "External ID,Title,Industry,Problems,Benefits,Role_Level,company size\nE1,T,IT,P,B,manager,1000+\n"
    assert _import(uow_factory, text).error_count == 0
    (case,) = _cases(uow_factory)
    assert (case.role_level, case.company_size) == (RoleLevel.MANAGER, CompanySize.ENTERPRISE)


def test_export_then_import_on_a_fresh_database_gives_the_same_cases(
    uow_factory: UnitOfWorkFactory, database_url: str
) -> None:
    factories.member(uow_factory(), "UM1", role=Role.MANAGER, name="山田")
    _import(uow_factory, HEADER + ROWS)
    # A case typed in Slack, with a formula-like figure, a blank feature in the middle and an
    # archived flag, travels as well.
    from isops.services.case_drafts import CaseDraft, ChainDraft
    from isops.services.cases import create_case, update_case

    saved = create_case(
        uow_factory(),
        slack_user_id="UM1",
        draft=CaseDraft(
            title='=HYPERLINK("x")',
            industry="小売",
            situation="複数行の\n現状",
            chains=(
                ChainDraft("在庫が多い", "", "", "回転率の改善", "-20%"),
                ChainDraft("人手不足", "自動化", "作業の削減", "", ""),
            ),
        ),
    ).case
    update_case(
        uow_factory(),
        slack_user_id="UM1",
        case_id=saved.id,
        draft=CaseDraft(**{**saved.draft().__dict__, "archived": True}),
        revision=saved.revision,
    )
    before = [_comparable(c) for c in _cases(uow_factory)]
    out = io.StringIO(newline="")
    assert export_cases(uow_factory(), out=out, tz=TOKYO) == 3
    exported = out.getvalue()
    # Importing the export into the same database changes nothing.
    back = import_cases(uow_factory, stream=io.BytesIO(exported.encode("utf-8")))
    assert back.summary() == "3 行: 新規 0 件, 更新 0 件, 変更なし 3 件"
    # A fresh database.
    downgrade(database_url, "base")
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        fresh = make_uow_factory(engine)
        result = import_cases(fresh, stream=io.BytesIO(exported.encode("utf-8")))
        assert result.summary() == "3 行: 新規 3 件, 更新 0 件, 変更なし 0 件"
        assert [_comparable(c) for c in _cases(fresh)] == before
    finally:
        engine.dispose()


def test_a_case_detail_is_unchanged_by_an_unrelated_import(uow_factory: UnitOfWorkFactory) -> None:
    _import(uow_factory, HEADER + ROWS)
    first = _cases(uow_factory)[0]
    _import(uow_factory, HEADER + ROWS.split("\n", 1)[0] + "\n")
    assert case_detail(uow_factory(), case_id=first.id).revision == first.revision


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_export_encodings(uow_factory: UnitOfWorkFactory, encoding: str) -> None:
    _import(uow_factory, HEADER + ROWS)
    out = io.StringIO(newline="")
    export_cases(uow_factory(), out=out, tz=TOKYO)
    data = out.getvalue().encode(encoding)
    assert import_cases(uow_factory, stream=io.BytesIO(data)).summary().endswith("変更なし 2 件")


def test_text_cells_keep_their_inner_spaces_and_lose_line_breaks(
    uow_factory: UnitOfWorkFactory,
) -> None:
    header = "外部ID,タイトル,業種,課題,便益,現状\n"
    good = 'K-1,"A  社の\n改革",製造,課題,便益,"一行目\n二行目"\n'
    bad_ids = '"K\n2",T,製造,課題,便益,\n' + f"{'x' * 201},T,製造,課題,便益,\n"
    result = _import(uow_factory, header + good + bad_ids)
    # Rows are records, as a spreadsheet counts them (a multi-line cell is one row).
    assert [str(e) for e in result.errors] == [
        "行 3, 列 外部ID: 外部ID に改行やタブは使えません",
        "行 4, 列 外部ID: 200 文字以内にしてください (201 文字)",
    ]
    long_title = _import(uow_factory, header + f"K-3,{'長' * 201},製造,課題,便益,\n")
    assert [str(e) for e in long_title.errors] == [
        "行 2, 列 タイトル: タイトルは 200 文字以内にしてください (201 文字)"
    ]
    ok = _import(uow_factory, header + good)
    assert ok.error_count == 0, ok.errors
    (case,) = _cases(uow_factory)
    assert (case.title, case.situation) == ("A  社の 改革", "一行目\n二行目")
