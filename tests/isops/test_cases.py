"""The case library's core (no Slack): drafts, tags, writes, permissions, search, value map."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select

from isops.case_vocabulary import CompanySize, TagKind, parse_company_size
from isops.enums import Role, RoleLevel
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.models import Case, CaseChain, CaseTag, IdempotencyKey
from isops.services import case_drafts
from isops.services import cases as svc
from isops.services.case_drafts import CaseDraft, ChainDraft, clean_draft
from isops.services.cases_search import CaseFilters, search_cases, value_map
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests import factories

NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)


def draft(
    title: str = "受注率を上げた営業改革",
    industry: str = "製造",
    chains: tuple[ChainDraft, ...] = (
        ChainDraft("受注率が低い", "商談の録画・分析", "成功事例の共有", "受注率の向上", "18%→24%"),
    ),
    **kw: object,
) -> CaseDraft:
    return CaseDraft(title=title, industry=industry, chains=chains, **kw)  # type: ignore[arg-type]


def add_case(uow: UnitOfWork, by: str = "UR1", **kw: object) -> int:
    return svc.create_case(uow, slack_user_id=by, draft=draft(**kw)).case.id  # type: ignore[arg-type]


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    factories.member(uow_factory(), "UM1", role=Role.MANAGER, name="山田")
    factories.member(uow_factory(), "UR1", manager="UM1", name="佐藤")
    factories.member(uow_factory(), "UF1", role=Role.FS, name="FS 田中")
    factories.member(uow_factory(), "UA1", role=Role.ADMIN, name="管理者")
    return uow_factory


def _count(uow: UnitOfWork, model: type) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


# -- company size bands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("50-299", CompanySize.MID),
        ("50〜299名", CompanySize.MID),
        ("５０～２９９人", CompanySize.MID),
        ("120", CompanySize.MID),
        ("1,200名", CompanySize.ENTERPRISE),
        ("1000+", CompanySize.ENTERPRISE),
        ("1000名以上", CompanySize.ENTERPRISE),
        ("1〜49名", CompanySize.SMALL),
        ("49", CompanySize.SMALL),
        ("300-999", CompanySize.LARGE),
        ("100-200名", CompanySize.MID),
    ],
)
def test_company_size_reads_bands_labels_and_headcounts(text: str, size: CompanySize) -> None:
    assert parse_company_size(text) is size


@pytest.mark.parametrize("text", ["0", "大企業", "40-60", "300名以上", "-5", ""])
def test_company_size_refuses_what_is_not_one_band(text: str) -> None:
    with pytest.raises(ValueError, match=r"読めません|またがります"):
        parse_company_size(text)


# -- drafts ----------------------------------------------------------------------------------------


def test_a_draft_needs_title_industry_a_problem_and_a_benefit() -> None:
    with pytest.raises(InvalidInput) as error:
        clean_draft(CaseDraft(title=" ", industry="", chains=(ChainDraft(feature="録画"),)))
    assert error.value.field_errors == {
        "title": "タイトルを入力してください",
        "industry": "業種を入力してください",
        "chain.0.problem": "課題を入力してください (機能・便益だけの行は保存できません)",
        "benefits": "便益を 1 つ以上入力してください",
    }


def test_a_draft_is_trimmed_and_blank_chains_are_left_out() -> None:
    cleaned = clean_draft(
        draft(
            title="  タイトル\x00 ",
            chains=(
                ChainDraft(),
                ChainDraft(" 受注率が低い\n", benefit=" 受注率の向上 "),
                ChainDraft(problem="採用が増える"),
            ),
        )
    )
    assert cleaned.title == "タイトル"
    assert cleaned.chains == (
        ChainDraft("受注率が低い", benefit="受注率の向上"),
        ChainDraft(problem="採用が増える"),
    )


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://x", "example.com", "https://a b"])
def test_a_link_must_be_http_or_https(link: str) -> None:
    with pytest.raises(InvalidInput) as error:
        clean_draft(draft(link=link))
    assert set(error.value.field_errors) == {"link"}


def test_lengths_are_checked_per_part() -> None:
    with pytest.raises(InvalidInput) as error:
        clean_draft(draft(chains=(ChainDraft("課" * 101, benefit="便益"),)))
    assert error.value.field_errors == {
        "chain.0.problem": "課題は 100 文字以内にしてください (101 文字)"
    }


# -- writes and permissions ------------------------------------------------------------------------


def test_a_rep_adds_a_case_with_its_tags_and_chains(team: UnitOfWorkFactory) -> None:
    saved = svc.create_case(
        team(),
        slack_user_id="UR1",
        draft=draft(
            customer="製造業 A社",
            company_size=CompanySize.LARGE,
            role_level=RoleLevel.MANAGER,
            situation="受注率が担当者ごとに違う",
            link="https://example.com/case/1",
            chains=(
                ChainDraft(
                    "受注率が低い", "商談の録画・分析", "成功事例の共有", "受注率の向上", "18%→24%"
                ),
                ChainDraft(
                    "営業の採用が増える",
                    "受注商談の共有",
                    "オンボーディングの短縮",
                    "立ち上がりが早い",
                ),
            ),
        ),
    )
    case = saved.case
    assert saved.created and not case.may_edit  # a rep adds, a manager edits
    assert (case.title, case.customer, case.industry) == (
        "受注率を上げた営業改革",
        "製造業 A社",
        "製造",
    )
    assert (case.company_size, case.role_level) == (CompanySize.LARGE, RoleLevel.MANAGER)
    assert [c.problem for c in case.chains] == ["受注率が低い", "営業の採用が増える"]
    assert case.chains[0].benefit_text == "受注率の向上 (18%→24%)"
    assert case.created_by == case.updated_by == "佐藤"
    assert case.external_id.startswith("isops-")


def test_tags_are_one_per_kind_and_folded_name(team: UnitOfWorkFactory) -> None:
    add_case(team(), chains=(ChainDraft("受注率が低い", "録画", benefit="受注率の向上"),))
    add_case(team(), chains=(ChainDraft("受注率が低い ", "ﾛｸｶﾞ", benefit="受注率の向上"),))
    add_case(team(), chains=(ChainDraft("受注率が低い\u3000", "録画", benefit="受注率の向上"),))
    with team() as uow:
        tags = uow.session.execute(select(CaseTag.kind, CaseTag.name)).all()
    assert sorted(tags) == sorted(
        [
            (TagKind.PROBLEM, "受注率が低い"),
            (TagKind.FEATURE, "録画"),
            (TagKind.FEATURE, "ﾛｸｶﾞ"),
            (TagKind.BENEFIT, "受注率の向上"),
        ]
    )
    mapped = value_map(team(), slack_user_id="UF1")  # anyone on the team reads
    assert mapped.cases == 3
    (entry,) = mapped.entries
    assert (entry.problem, entry.cases) == ("受注率が低い", 3)
    assert [(r.feature, r.benefit, r.cases) for r in entry.routes] == [
        ("録画", "受注率の向上", 2),
        ("ﾛｸｶﾞ", "受注率の向上", 1),
    ]


def test_an_fs_member_reads_but_does_not_add_and_a_stranger_does_neither(
    team: UnitOfWorkFactory,
) -> None:
    with pytest.raises(NotAllowed, match="担当・マネージャー・管理者"):
        add_case(team(), by="UF1")
    with pytest.raises(NotFound):
        add_case(team(), by="U404")
    case_id = add_case(team())
    assert svc.case_detail(team(), case_id=case_id, slack_user_id="UF1").title
    with pytest.raises(NotFound):
        svc.case_detail(team(), case_id=case_id, slack_user_id="U404")


def test_nothing_is_half_saved_when_the_draft_is_refused(team: UnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput):
        add_case(team(), chains=(ChainDraft("受注率が低い", "録画"),))  # no benefit
    assert _count(team(), Case) == _count(team(), CaseTag) == _count(team(), CaseChain) == 0


def test_the_same_submission_twice_adds_one_case(team: UnitOfWorkFactory) -> None:
    first = svc.create_case(team(), slack_user_id="UR1", draft=draft(), idempotency_key="v:1")
    again = svc.create_case(team(), slack_user_id="UR1", draft=draft(), idempotency_key="v:1")
    assert first.case.id == again.case.id
    assert _count(team(), Case) == 1 and _count(team(), IdempotencyKey) == 1


def test_managers_and_admins_edit_and_archive_reps_do_not(team: UnitOfWorkFactory) -> None:
    case_id = add_case(team())
    detail = svc.case_detail(team(), case_id=case_id, slack_user_id="UM1")
    assert detail.may_edit
    with pytest.raises(NotAllowed, match="マネージャーと管理者"):
        svc.case_for_edit(team(), slack_user_id="UR1", case_id=case_id)
    with pytest.raises(NotAllowed):
        svc.update_case(team(), slack_user_id="UR1", case_id=case_id, draft=draft(), revision=1)
    changed = svc.update_case(
        team(),
        slack_user_id="UM1",
        case_id=case_id,
        draft=draft(
            title="新しいタイトル", chains=(ChainDraft("新製品の投入", benefit="PDCA が速い"),)
        ),
        revision=detail.revision,
    ).case
    assert (changed.title, changed.revision, changed.updated_by) == ("新しいタイトル", 2, "山田")
    assert [c.problem for c in changed.chains] == ["新製品の投入"]
    assert _count(team(), CaseChain) == 1  # the old chain is gone
    archived = svc.update_case(
        team(),
        slack_user_id="UA1",
        case_id=case_id,
        draft=changed.draft().__class__(**{**changed.draft().__dict__, "archived": True}),
        revision=changed.revision,
    ).case
    assert archived.archived


def test_an_edit_started_on_an_older_revision_is_refused(team: UnitOfWorkFactory) -> None:
    case_id = add_case(team())
    svc.update_case(
        team(), slack_user_id="UM1", case_id=case_id, draft=draft(title="A"), revision=1
    )
    with pytest.raises(Conflict, match="山田 さんが更新しました"):
        svc.update_case(
            team(), slack_user_id="UA1", case_id=case_id, draft=draft(title="B"), revision=1
        )
    assert svc.case_detail(team(), case_id=case_id).title == "A"
    with pytest.raises(NotFound):
        svc.update_case(team(), slack_user_id="UM1", case_id=999, draft=draft(), revision=1)


# -- search ----------------------------------------------------------------------------------------


def test_search_folds_width_case_and_kana_and_filters(team: UnitOfWorkFactory) -> None:
    with time_machine.travel(NOW, tick=False):
        maker = add_case(
            team(),
            title="製造業の受注率改善",
            industry="製造",
            role_level=RoleLevel.MANAGER,
            company_size=CompanySize.LARGE,
            chains=(ChainDraft("ジュチュウ率が低い", "録画", benefit="受注率の向上"),),
        )
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        saas = add_case(
            team(),
            title="SaaS の立ち上げ",
            industry="ＩＴ",
            role_level=RoleLevel.EXECUTIVE,
            company_size=CompanySize.MID,
            chains=(ChainDraft("新製品の投入", "分析", benefit="PDCA が速い"),),
        )

    def hits(**filters: object) -> list[int]:
        found = search_cases(team(), slack_user_id="UR1", filters=CaseFilters(**filters))  # type: ignore[arg-type]
        return [h.id for h in found.hits]

    assert hits() == [saas, maker]  # most recently updated first
    assert hits(keyword="じゅちゅう") == [maker]
    assert hits(keyword="ｓａａｓ 立ち上げ") == [saas]
    assert hits(problem="ｼﾞｭﾁｭｳ") == [maker]
    assert hits(problem="録画") == []  # a feature, not a problem
    assert hits(industry="it") == [saas]
    assert hits(role_level=RoleLevel.MANAGER) == [maker]
    assert hits(company_size=CompanySize.MID) == [saas]
    assert hits(keyword="100%_") == []  # LIKE wildcards are text
    found = search_cases(team(), slack_user_id="UR1", filters=CaseFilters())
    assert [(i.key, i.label) for i in found.industries] == [("it", "ＩＴ"), ("製造", "製造")]
    assert found.may_add and not found.may_edit


def test_archived_cases_are_found_only_by_editors_who_ask(team: UnitOfWorkFactory) -> None:
    case_id = add_case(team())
    detail = svc.case_detail(team(), case_id=case_id)
    svc.update_case(
        team(),
        slack_user_id="UM1",
        case_id=case_id,
        draft=CaseDraft(**{**detail.draft().__dict__, "archived": True}),
        revision=detail.revision,
    )
    assert search_cases(team(), slack_user_id="UM1", filters=CaseFilters()).total == 0
    shown = CaseFilters(include_archived=True)
    assert search_cases(team(), slack_user_id="UM1", filters=shown).total == 1
    assert search_cases(team(), slack_user_id="UR1", filters=shown).total == 0
    assert value_map(team(), slack_user_id="UR1").cases == 0


def test_field_limits_are_the_column_sizes() -> None:
    pairs = [
        (case_drafts.TITLE, Case.__table__.c.title),
        (case_drafts.CUSTOMER, Case.__table__.c.customer),
        (case_drafts.INDUSTRY, Case.__table__.c.industry),
        (case_drafts.LINK, Case.__table__.c.link),
        (case_drafts.EXTERNAL_ID, Case.__table__.c.external_id),
        (case_drafts.TAG_NAME, CaseTag.__table__.c.name),
        (case_drafts.CONNECTION, CaseChain.__table__.c.connection),
        (case_drafts.FIGURES, CaseChain.__table__.c.figures),
    ]
    assert [(column.name, column.type.length) for _, column in pairs] == [
        (column.name, limit) for limit, column in pairs
    ]
