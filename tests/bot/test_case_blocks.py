"""The case surfaces as plain data: the story's form, escaping, and Slack's limits."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks.case_card import (
    build_case_detail_modal,
    build_case_hint,
    case_card_blocks,
    case_hint_text,
    chain_line,
    industry_phrase,
    outcome_short,
)
from bot.blocks.case_map import build_value_map
from bot.blocks.case_modal import build_case_modal
from bot.blocks.case_search import build_case_search_modal
from bot.blocks.case_share import build_case_share_post
from bot.blocks.case_targets import build_targets_message
from bot.forms.cases import CaseEditMeta, draft_from_view, filters_from_view
from isops.case_vocabulary import CompanySize
from isops.enums import Priority, RoleLevel
from isops.services.case_drafts import MAX_CHAINS, CaseDraft, ChainDraft
from isops.services.cases import CaseDetail, ChainView
from isops.services.cases_matching import CaseMatch
from isops.services.cases_outcomes import CaseOutcome
from isops.services.cases_search import (
    CaseFilters,
    CaseSearch,
    IndustryOption,
    ValueMap,
    ValueMapEntry,
    ValueRoute,
)
from isops.services.cases_targets import CaseOption, MemberRef, TargetLead, TargetsView
from tests.bot.modal_state import fill
from tests.fake_slack.blockkit_limits import message_problems, view_problems

TZ = ZoneInfo("Asia/Tokyo")
T = dt.datetime(2026, 11, 27, 1, tzinfo=dt.UTC)
EVIL = "<!channel> *太字* `code`"


def case(
    case_id: int = 1,
    *,
    chains: int | tuple[ChainView, ...] = 2,
    title: str = "製造業の受注率改善",
    **kw: object,
) -> CaseDetail:
    values: dict[str, object] = {
        "id": case_id,
        "external_id": f"isops-{case_id}",
        "title": title,
        "customer": "製造業 A社",
        "industry": "製造",
        "company_size": CompanySize.LARGE,
        "role_level": RoleLevel.MANAGER,
        "situation": "商談がベテラン頼み",
        "chains": chains
        if isinstance(chains, tuple)
        else tuple(
            ChainView(f"課題{i}", f"機能{i}", f"接続{i}", f"便益{i}", f"+{i}pt")
            for i in range(chains)
        ),
        "link": "https://example.com/a|b>c",
        "archived": False,
        "revision": 1,
        "created_by": "佐藤",
        "updated_by": "山田",
        "created_at": T,
        "updated_at": T,
        "last_shared_at": None,
        "may_edit": False,
    }
    values.update(kw)
    return CaseDetail(**values)  # type: ignore[arg-type]


def test_industry_phrase_reads_naturally() -> None:
    assert [industry_phrase(i) for i in ("製造", "製造業", "IT業界", "小売業")] == [
        "製造業界",
        "製造業界",
        "IT業界",
        "小売業界",
    ]


def test_the_hint_is_one_line_with_why_and_a_detail_button() -> None:
    match = CaseMatch(
        7,
        "t",
        "製造",
        RoleLevel.MANAGER,
        None,
        "受注率が低い",
        "受注率の向上",
        "18%→24%",
        ("業種", "役職"),
    )
    assert case_hint_text(match) == (
        "💡 製造業界・マネージャー向け: 受注率が低い → *受注率の向上* 18%→24% · 業種・役職が一致"
    )
    block = build_case_hint(match)
    assert block["accessory"] == {
        "type": "button",
        "action_id": ids.CASE_DETAIL_BUTTON,
        "text": {"type": "plain_text", "text": "詳細", "emoji": True},
        "value": "7",
    }
    plain = CaseMatch(8, "t", "IT", None, None, "新製品の投入", None, None, ("業種",))
    assert case_hint_text(plain) == "💡 IT業界向け: 新製品の投入 · 業種が一致"


def test_user_text_is_escaped_everywhere() -> None:
    evil = case(
        title=EVIL,
        customer=EVIL,
        industry=EVIL,
        situation=EVIL,
        chains=(ChainView(EVIL, EVIL, EVIL, EVIL, EVIL),),
    )
    surfaces = [
        build_case_detail_modal(evil, tz=TZ),
        build_case_share_post(evil, tz=TZ),
        build_case_search_modal(
            CaseSearch(CaseFilters(), (evil,), 1, (IndustryOption("x", EVIL),), True, True)
        ),
    ]
    for surface in surfaces:
        for block in surface["blocks"]:
            if block["type"] in ("section", "context"):
                shown = json.dumps(block, ensure_ascii=False)
                assert "<!channel>" not in shown and "*太字*" not in shown, shown
    assert "<!channel>" not in build_case_share_post(evil, tz=TZ)["text"]
    line = chain_line(evil.chains[0], 0)
    assert line.startswith("① &lt;!channel&gt; ∗太字∗")


def test_a_link_cannot_break_out_of_its_markup() -> None:
    blocks = case_card_blocks(case(), tz=TZ)
    link = next(b for b in blocks if "🔗" in json.dumps(b, ensure_ascii=False))
    assert link["text"]["text"] == "🔗 <https://example.com/a%7Cb%3Ec|資料を開く>"


def test_the_card_has_a_place_for_more_lines() -> None:
    blocks = case_card_blocks(case(), tz=TZ, extra_context=["FS への引き継ぎ 5 件・有効商談 3 件"])
    assert blocks[-1]["type"] == "context"
    assert blocks[-1]["elements"][-1]["text"] == "FS への引き継ぎ 5 件・有効商談 3 件"


def test_what_works_is_on_the_card_and_the_hit_line_once_looked_up() -> None:
    told = case(outcome=CaseOutcome(handoffs=5, valid=3))
    assert "FS への引き継ぎ 5 件・有効商談 3 件" in json.dumps(
        build_case_detail_modal(told, tz=TZ), ensure_ascii=False
    )
    untold = build_case_detail_modal(case(outcome=CaseOutcome()), tz=TZ)
    assert "FS への引き継ぎ まだなし" in json.dumps(untold, ensure_ascii=False)
    assert "引き継ぎ" not in json.dumps(build_case_detail_modal(case(), tz=TZ), ensure_ascii=False)
    assert "FS への引き継ぎ 5 件" in json.dumps(
        build_case_share_post(told, tz=TZ), ensure_ascii=False
    )
    assert outcome_short(CaseOutcome(5, 3)) == "引き継ぎ 5 · 有効 3"


def test_the_detail_modal_offers_edit_to_editors_only() -> None:
    assert ids.CASE_EDIT_BUTTON not in json.dumps(build_case_detail_modal(case(), tz=TZ))
    assert ids.CASE_EDIT_BUTTON in json.dumps(build_case_detail_modal(case(may_edit=True), tz=TZ))


def test_the_search_modal_stays_within_100_blocks_with_long_cases() -> None:
    hits = tuple(case(i, chains=MAX_CHAINS, title="長い" * 100) for i in range(15))
    view = build_case_search_modal(
        CaseSearch(CaseFilters(keyword="x"), hits, 40, (), may_add=True, may_edit=True)
    )
    assert view_problems(view) == []
    text = json.dumps(view, ensure_ascii=False)
    assert "他 25 件は条件を絞ってください" in text and "ほか 5 件の課題は「詳細」で" in text


def test_the_search_filters_are_read_back_from_the_view() -> None:
    search = CaseSearch(
        CaseFilters(keyword="受注", industry="製造", role_level=RoleLevel.MANAGER),
        (),
        0,
        (IndustryOption("製造", "製造"),),
        may_add=False,
        may_edit=True,
    )
    view = build_case_search_modal(search)
    filters_block = next(
        b for b in view["blocks"] if b.get("block_id") == ids.CASE_SEARCH_FILTERS_BLOCK
    )
    state = {
        "values": {
            ids.CASE_SEARCH_KEYWORD: {
                ids.CASE_SEARCH_KEYWORD: {"type": "plain_text_input", "value": "受注"}
            },
            ids.CASE_SEARCH_PROBLEM: {
                ids.CASE_SEARCH_PROBLEM: {"type": "plain_text_input", "value": None}
            },
            ids.CASE_SEARCH_FILTERS_BLOCK: {
                e["action_id"]: {"type": e["type"], "selected_option": e.get("initial_option")}
                for e in filters_block["elements"]
                if e["type"] == "static_select"
            },
        }
    }
    assert filters_from_view({"state": state}) == CaseFilters(
        keyword="受注", industry="製造", role_level=RoleLevel.MANAGER
    )
    assert ids.CASE_ADD_BUTTON not in json.dumps(view)  # may_add False: no add button


def test_the_edit_modal_round_trips_a_draft_and_caps_chains() -> None:
    draft = CaseDraft(
        title="t",
        industry="製造",
        customer="c",
        company_size=CompanySize.MID,
        role_level=RoleLevel.EXECUTIVE,
        situation="s",
        chains=(ChainDraft("p", "f", "c", "b", "n"), ChainDraft("p2", benefit="b2")),
        link="https://x",
    )
    view = build_case_modal(draft, meta=CaseEditMeta(case_id=3, revision=2), may_archive=True)
    assert view_problems(view) == []
    parsed = draft_from_view({**view, "state": {"values": fill(view)}}, chains=2)
    assert parsed.errors == {} and parsed.draft == draft
    full = build_case_modal(
        CaseDraft(title="t", industry="i", chains=(ChainDraft("p"),) * MAX_CHAINS),
        meta=CaseEditMeta(chains=MAX_CHAINS),
    )
    assert view_problems(full) == []
    assert ids.CASE_ADD_CHAIN_BUTTON not in json.dumps(full)
    assert ids.CASE_ARCHIVED_BLOCK not in json.dumps(full)  # adding: nothing to archive


def test_a_select_value_that_is_not_ours_is_an_inline_error() -> None:
    view = build_case_modal(None, meta=CaseEditMeta())
    values = fill(view, **{ids.CASE_ROLE_BLOCK: "部長"})
    parsed = draft_from_view({**view, "state": {"values": values}}, chains=1)
    assert parsed.errors == {ids.CASE_ROLE_BLOCK: "役職区分を選び直してください"}


def test_the_value_map_keeps_within_50_blocks() -> None:
    entries = tuple(
        ValueMapEntry(
            f"課題{i}", 60 - i, tuple(ValueRoute(f"機能{j}", f"便益{j}", 1) for j in range(12))
        )
        for i in range(60)
    )
    message = build_value_map(ValueMap(entries, 60))
    assert message_problems(message) == [] and len(message["blocks"]) <= 50
    text = json.dumps(message, ensure_ascii=False)
    assert "他 14 件の課題" in text and "他 4 件" in text
    assert build_value_map(ValueMap((), 0))["text"].startswith("まだ事例がありません")


def test_the_targets_message_keeps_within_50_blocks_and_offers_the_right_buttons() -> None:
    me = MemberRef(11, "UR1", "佐藤")
    manager = MemberRef(10, "UM1", "山田")
    leads = tuple(
        TargetLead(
            100 + i,
            f"会社{i}",
            "氏名",
            "部長",
            RoleLevel.MANAGER,
            CompanySize.LARGE,
            "製造",
            T,
            1,
            Priority.FOCUS if i == 0 else None,
            None,
            i % 2 == 1,
        )
        for i in range(20)
    )
    view = TargetsView(
        viewer=manager,
        rep=me,
        reps=(manager, me),
        cases=tuple(CaseOption(i, f"事例{i}", "製造", None, None) for i in range(100)),
        case=case(),
        leads=leads,
        total=35,
        may_send=True,
        notice="✅ <!channel> を注力リードにしました",
    )
    message = build_targets_message(view, tz=TZ)
    assert message_problems(message) == [] and len(message["blocks"]) <= 50
    text = json.dumps(message, ensure_ascii=False)
    assert "他 15 件" in text and "📨 佐藤 さんに送る" in text and "<!channel>" not in text
    accessories = [b["accessory"]["action_id"] for b in message["blocks"] if "accessory" in b]
    # The focus lead gets 記録 instead of 注力にする; the case its 詳細.
    assert accessories[:3] == [ids.CASE_DETAIL_BUTTON, ids.LOG_LEAD_BUTTON, ids.CASE_TARGETS_FOCUS]
    rep_view = TargetsView(me, me, (me,), view.cases, None, (), 0, False)
    picker = build_targets_message(rep_view, tz=TZ)
    assert ids.CASE_TARGETS_REP not in json.dumps(picker) and "事例を選ぶと" in json.dumps(
        picker, ensure_ascii=False
    )
