"""The case library over HTTP, as Slack sends it (issue 14 "Done when"): a case added through
the modal is found by /case and shown in the log modal of a fitting lead only; /isops targets
lists exactly the rep's fitting leads and 注力にする sets focus inside rule 5's window; a
manager's list reaches the rep; the weekly post goes out once; the webhook takes a size."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot import ids
from bot.jobs.cases import WeeklyCaseShare
from bot.jobs.reminders import JOB_ID as REMIND_JOB_ID
from isops.case_vocabulary import CompanySize
from isops.enums import Priority, Role, RoleLevel
from isops.models import Case, CaseTag, Lead, LeadHistory
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import create_case
from tests import factories
from tests.bot.modal_state import fill
from tests.fake_slack import RecordedCall
from tests.harness import BotHarness, running_bot

# Friday 2026-11-27 10:00 in Tokyo; the clock ticks so Slack signatures stay fresh.
NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def team(bot: BotHarness) -> Iterator[BotHarness]:
    with time_machine.travel(NOW, tick=True):
        factories.member(bot.uow(), "UM1", role=Role.MANAGER, name="山田")
        factories.member(bot.uow(), "UR1", manager="UM1", name="佐藤")
        factories.member(bot.uow(), "UR2", manager="UM1", name="鈴木")
        factories.member(bot.uow(), "UF1", role=Role.FS, name="FS 田中")
        yield bot


def _shown(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _open(bot: BotHarness, command: str, text: str = "", *, user: str = "UR1") -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    assert bot.command(command, text, user_id=user).status == 200
    call = bot.fake.wait_for("views.open", count=before + 1)[-1]
    assert call.response["ok"], call.response  # the fake checks Block Kit limits
    view: dict[str, Any] = call.response["view"]
    return view


def _reply(bot: BotHarness, count: int = 1) -> RecordedCall:
    return bot.fake.wait_for("response_url", count=count)[-1]


def _lead(
    bot: BotHarness, company: str, *, owner: str = "UR1", cv_days: int = 0, **fields: Any
) -> int:
    """A lead of `owner`'s, its CV 10 - `cv_days` days before NOW, that fits the cases (製造,
    a manager, a large company) unless `fields` (factories.lead's) say otherwise."""
    fitting = {
        "industry": "製造",
        "role_level": RoleLevel.MANAGER,
        "company_size": CompanySize.LARGE,
    }
    cv_at = NOW - dt.timedelta(days=10 - cv_days)
    return factories.lead(bot.uow(), owner=owner, company=company, cv_at=cv_at, **fitting | fields)


def _add_through_the_modal(bot: BotHarness) -> dict[str, Any]:
    view = _open(bot, "/case", "add")
    assert view["callback_id"] == ids.CASE_EDIT_VIEW and view["title"]["text"] == "事例を追加"
    values = fill(
        view,
        **{
            ids.CASE_TITLE_BLOCK: "製造業の営業部が受注率を上げた",
            ids.CASE_CUSTOMER_BLOCK: "製造業 A社",
            ids.CASE_INDUSTRY_BLOCK: "製造",
            ids.CASE_SIZE_BLOCK: "300-999",
            ids.CASE_ROLE_BLOCK: "マネージャー",
            ids.CASE_SITUATION_BLOCK: "商談がベテラン頼み",
            ids.chain_block("problem", 0): "受注率が低い",
            ids.chain_block("feature", 0): "商談の録画・分析",
            ids.chain_block("connection", 0): "成功事例の共有",
            ids.chain_block("benefit", 0): "受注率の向上",
            ids.chain_block("figures", 0): "18%→24%",
        },
    )
    answer = bot.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.status == 200 and answer.json is not None
    assert answer.json["response_action"] == "update"
    saved: dict[str, Any] = answer.json["view"]
    return saved


def test_a_case_added_in_the_modal_is_found_and_shown_for_fitting_leads_only(
    team: BotHarness,
) -> None:
    saved = _add_through_the_modal(team)
    assert saved["callback_id"] == ids.CASE_DETAIL_VIEW
    assert "✅ 保存しました" in _shown(saved) and "*① 受注率が低い*" in _shown(saved)
    with team.uow() as uow:
        (case_id,) = uow.session.scalars(select(Case.id))

    # /case with a keyword: the hit shows the story, the customer and the role.
    nothing = _open(team, "/case", "ｼﾞｭﾁｭｳ")  # kana folds to kana, never to kanji
    assert "条件に合う事例はありません" in _shown(nothing)
    search = _open(team, "/case", "受注")
    assert search["callback_id"] == ids.CASE_SEARCH_VIEW
    text = _shown(search)
    assert "製造業 A社 · 製造 · マネージャー · 300〜999名" in text
    assert "① 受注率が低い → 商談の録画・分析 → *受注率の向上* 18%→24%" in text

    # The filters: industry and role level found by their selects, in place.
    shown = [search]

    def refine(action_id: str, value: str) -> str:
        before = len(team.fake.calls_to("views.update"))
        filters = {
            ids.CASE_SEARCH_FILTERS_BLOCK: {
                ids.CASE_SEARCH_INDUSTRY: {"type": "static_select", "selected_option": None},
                ids.CASE_SEARCH_ROLE: {"type": "static_select", "selected_option": None},
                ids.CASE_SEARCH_SIZE: {"type": "static_select", "selected_option": None},
            }
        }
        filters[ids.CASE_SEARCH_FILTERS_BLOCK][action_id]["selected_option"] = {
            "text": {"type": "plain_text", "text": value},
            "value": value,
        }
        assert (
            team.sender.block_actions(
                user_id="UR1",
                view=shown[-1],
                values=filters,
                actions=[{"action_id": action_id, "selected_option": {"value": value}}],
            ).status
            == 200
        )
        call = team.fake.wait_for("views.update", count=before + 1)[-1]
        assert call.response["ok"], call.response
        shown.append(call.response["view"])
        return _shown(call.params["view"])

    assert "製造業の営業部が受注率を上げた" in refine(ids.CASE_SEARCH_INDUSTRY, "製造")
    assert "製造業の営業部が受注率を上げた" in refine(ids.CASE_SEARCH_ROLE, "マネージャー")
    assert "条件に合う事例はありません" in refine(ids.CASE_SEARCH_ROLE, "役員")

    # The log modal of a lead of that industry and role level shows it; another industry not.
    fitting_id = _lead(team, "ぴったり工業")
    _lead(team, "べつ銀行", industry="金融")
    fitting = _open(team, "/log-call", "ぴったり")
    hint = next(b for b in fitting["blocks"] if "💡" in _shown(b))
    assert (
        hint["text"]["text"]
        == "💡 製造業界・マネージャー向け: 受注率が低い → *受注率の向上* 18%→24% · 業種・役職・規模が一致"
    )
    assert hint["accessory"]["action_id"] == ids.CASE_DETAIL_BUTTON
    assert hint["accessory"]["value"] == str(case_id)
    other = _open(team, "/log-call", "べつ")
    assert "💡" not in _shown(other) and "受注率" not in _shown(other)
    # Picking the fitting lead in that modal brings its case line in.
    updates = len(team.fake.calls_to("views.update"))
    assert (
        team.sender.block_actions(
            user_id="UR1",
            view=other,
            actions=[{"action_id": ids.LEAD_SELECT, "selected_option": {"value": str(fitting_id)}}],
        ).status
        == 200
    )
    picked = team.fake.wait_for("views.update", count=updates + 1)[-1]
    assert picked.response["ok"], picked.response
    assert "💡 製造業界・マネージャー向け" in _shown(picked.params["view"])

    # 詳細 in the log modal pushes the whole case over it.
    assert (
        team.sender.block_actions(
            user_id="UR1", view=fitting, actions=[{"action_id": ids.CASE_DETAIL_BUTTON}]
        ).status
        == 200
    )
    pushed = team.fake.wait_for("views.push")[-1]
    assert pushed.response["ok"], pushed.response
    assert "商談がベテラン頼み" in _shown(pushed.params["view"])
    assert ids.CASE_EDIT_BUTTON not in _shown(pushed.params["view"])  # a rep does not edit


def test_bad_input_comes_back_inline_and_nothing_is_saved(team: BotHarness) -> None:
    view = _open(team, "/case", "add")
    values = fill(
        view,
        **{
            ids.CASE_TITLE_BLOCK: "タイトル",
            ids.CASE_INDUSTRY_BLOCK: "製造",
            ids.chain_block("problem", 0): "受注率が低い",
            ids.CASE_LINK_BLOCK: "javascript:alert(1)",
        },
    )
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.json == {
        "response_action": "errors",
        "errors": {
            ids.chain_block("benefit", 0): "便益を 1 つ以上入力してください",
            ids.CASE_LINK_BLOCK: "リンクは http:// か https:// で始まる URL にしてください",
        },
    }
    with team.uow() as uow:
        assert uow.session.scalar(select(func.count(Case.id))) == 0
        assert uow.session.scalar(select(func.count(CaseTag.id))) == 0


def test_one_more_chain_keeps_what_was_typed(team: BotHarness) -> None:
    view = _open(team, "/case", "add")
    values = fill(
        view, **{ids.CASE_TITLE_BLOCK: "途中まで", ids.chain_block("problem", 0): "課題A"}
    )
    assert (
        team.sender.block_actions(
            user_id="UR1",
            view=view,
            values=values,
            actions=[{"action_id": ids.CASE_ADD_CHAIN_BUTTON}],
        ).status
        == 200
    )
    update = team.fake.wait_for("views.update")[-1]
    assert update.response["ok"], update.response
    grown = update.params["view"]
    block_ids = [b.get("block_id") for b in grown["blocks"]]
    assert ids.chain_block("problem", 1) in block_ids
    assert json.loads(grown["private_metadata"]) == {"chains": 2}
    title = next(b for b in grown["blocks"] if b.get("block_id") == ids.CASE_TITLE_BLOCK)
    assert title["element"]["initial_value"] == "途中まで"


SALES_CHAIN = ChainDraft("受注率が低い", benefit="受注率の向上")


def _case(
    bot: BotHarness,
    *,
    by: str,
    title: str,
    chain: ChainDraft = SALES_CHAIN,
    **draft: Any,
) -> Any:
    """A case in 製造 with one chain, written by `by` through the service; its detail."""
    return create_case(
        bot.uow(),
        slack_user_id=by,
        draft=CaseDraft(title=title, industry="製造", chains=(chain,), **draft),
    ).case


def test_only_managers_and_admins_edit_and_archive(team: BotHarness) -> None:
    saved = _case(team, by="UR1", title="元のタイトル")
    # A rep's 編集 (a forged click: reps are not shown the button) is refused by DM.
    response_url = team.response_url()
    team.sender.block_actions(
        user_id="UR1",
        actions=[{"action_id": ids.CASE_EDIT_BUTTON, "value": str(saved.id), "type": "button"}],
        response_url=response_url,
    )
    refusal = _reply(team)
    assert "マネージャーと管理者" in _shown(refusal.params)
    assert team.fake.calls_to("views.open") == []
    # The manager's search shows 編集; the edit modal saves and archives.
    search = _open(team, "/case", user="UM1")
    assert ids.CASE_EDIT_BUTTON in _shown(search)
    team.sender.block_actions(
        user_id="UM1",
        view=search,
        actions=[{"action_id": ids.CASE_EDIT_BUTTON, "value": str(saved.id)}],
    )
    edit = team.fake.wait_for("views.push")[-1]
    assert edit.response["ok"], edit.response
    form = edit.response["view"]
    assert form["title"]["text"] == "事例を編集"
    values = fill(
        form, **{ids.CASE_TITLE_BLOCK: "新しいタイトル", ids.CASE_ARCHIVED_BLOCK: ["yes"]}
    )
    answer = team.sender.view_submission(user_id="UM1", view=form, values=values)
    assert answer.json is not None and answer.json["response_action"] == "update"
    assert "アーカイブ済み" in _shown(answer.json["view"])
    # The same form again (an older revision) is refused inline, not merged.
    stale = team.sender.view_submission(user_id="UM1", view=form, values=values)
    assert stale.json is not None and stale.json["response_action"] == "errors"
    assert "山田 さんが更新しました" in stale.json["errors"][ids.CASE_TITLE_BLOCK]
    with team.uow() as uow:
        case = uow.session.get_one(Case, saved.id)
        assert (case.title, case.archived, case.revision) == ("新しいタイトル", True, 2)


def test_the_value_map_and_a_stranger(team: BotHarness) -> None:
    for problem, feature in (
        ("受注率が低い", "録画"),
        ("受注率が低い ", "分析"),
        ("採用が増える", "録画"),
    ):
        _case(
            team,
            by="UR1",
            title=problem,
            chain=ChainDraft(problem, feature, benefit="受注率の向上"),
        )
    assert team.command("/case", "map", user_id="UF1").status == 200
    reply = _reply(team)
    text = _shown(reply.params["blocks"])
    assert "*受注率が低い* — 2 件" in text and "→ 録画 → *受注率の向上* (1)" in text
    assert reply.params["response_type"] == "ephemeral"
    assert team.command("/case", "", user_id="U404").status == 200
    assert "メンバー登録されていません" in _shown(_reply(team, 2).params)


def _click_in_reply(
    bot: BotHarness, reply: RecordedCall, user: str, action_id: str, value: str | None = None
) -> None:
    """A click in an ephemeral reply (Slack sends no message back for those)."""
    element: dict[str, Any] | None = None
    block_id = ""
    for block in reply.params["blocks"]:
        candidates = block.get("elements", []) + (
            [block["accessory"]] if "accessory" in block else []
        )
        for candidate in candidates:
            if candidate.get("action_id") == action_id and (
                value is None
                or candidate.get("value") == value
                or any(o["value"] == value for o in candidate.get("options", []))
            ):
                element, block_id = candidate, block.get("block_id", "")
                break
        if element is not None:
            break
    assert element is not None, f"no {action_id} {value} in the reply"
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": element["type"]}
    if element["type"] == "static_select":
        option = next(o for o in element["options"] if o["value"] == value)
        action["selected_option"] = option
    else:
        action["value"] = element["value"]
        action["text"] = element["text"]
    assert (
        bot.sender.block_actions(
            user_id=user, actions=[action], response_url=bot.response_url()
        ).status
        == 200
    )


def test_targets_list_exactly_the_reps_fitting_leads_and_focus_sets_rule_5(
    team: BotHarness,
) -> None:
    case_id = _case(
        team,
        by="UM1",
        title="製造業の受注率改善",
        role_level=RoleLevel.MANAGER,
        company_size=CompanySize.LARGE,
        chain=ChainDraft("受注率が低い", "録画", benefit="受注率の向上"),
    ).id
    older = _lead(team, "古い工業", cv_days=0)
    newer = _lead(team, "新しい工業", cv_days=3)
    _lead(team, "金融銀行", industry="金融")
    _lead(team, "担当者工業", role_level=RoleLevel.STAFF)
    _lead(team, "大きい工業", company_size=CompanySize.ENTERPRISE)
    colleague = _lead(team, "同僚工業", owner="UR2")

    assert team.command("/isops", "targets", user_id="UR1").status == 200
    picker = _reply(team)
    assert "製造業の受注率改善 (製造・マネージャー・300〜999名)" in _shown(picker.params)
    _click_in_reply(
        team, picker, "UR1", ids.CASE_TARGETS_PICK, f"{case_id}:{_member_id(team, 'UR1')}"
    )
    listing = _reply(team, 2)
    assert listing.params["replace_original"] is True
    focus_buttons = [
        b["accessory"]["value"]
        for b in listing.params["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.CASE_TARGETS_FOCUS
    ]
    rep = _member_id(team, "UR1")
    assert focus_buttons == [f"{case_id}:{newer}:{rep}", f"{case_id}:{older}:{rep}"]
    assert "佐藤 さんのリード: 2 件" in _shown(listing.params["blocks"])

    _click_in_reply(team, listing, "UR1", ids.CASE_TARGETS_FOCUS, f"{case_id}:{newer}:{rep}")
    after = _reply(team, 3)
    assert "新しい工業 を注力リードにしました (次回活動予定日 11/30(月))" in _shown(after.params)
    with team.uow() as uow:
        lead = uow.session.get_one(Lead, newer)
        assert lead.priority == Priority.FOCUS
        today = dt.date(2026, 11, 27)
        assert lead.next_action_date is not None
        assert today <= lead.next_action_date <= today + dt.timedelta(days=60)
        fields = set(
            uow.session.scalars(select(LeadHistory.field).where(LeadHistory.lead_id == newer))
        )
        assert fields == {"priority", "next_action_date"}

    # Someone else's lead: refused, nothing changes.
    forged = f"{case_id}:{colleague}:{rep}"
    team.sender.block_actions(
        user_id="UR1",
        actions=[{"action_id": ids.CASE_TARGETS_FOCUS, "value": forged, "type": "button"}],
        response_url=team.response_url(),
    )
    assert "権限がありません" in _shown(_reply(team, 4).params)
    with team.uow() as uow:
        assert uow.session.get_one(Lead, colleague).priority is None


def _member_id(bot: BotHarness, slack_user_id: str) -> int:
    from isops.models import Member

    with bot.uow() as uow:
        return uow.session.scalars(
            select(Member.id).where(Member.slack_user_id == slack_user_id)
        ).one()


def test_a_manager_sends_a_target_list_to_a_rep_by_dm(team: BotHarness) -> None:
    case_id = _case(team, by="UM1", title="製造業の受注率改善").id
    _lead(team, "鈴木さんの工業", owner="UR2")
    rep2 = _member_id(team, "UR2")
    assert team.command("/isops", "targets 受注率", user_id="UM1").status == 200
    first = _reply(team)  # one case matches the words: picked at once, for the manager's leads
    assert "山田 さんのリードに、この事例に合うものはありません" in _shown(first.params)
    _click_in_reply(team, first, "UM1", ids.CASE_TARGETS_REP, f"{case_id}:{rep2}")
    listing = _reply(team, 2)
    assert "鈴木さんの工業" in _shown(listing.params)
    _click_in_reply(team, listing, "UM1", ids.CASE_TARGETS_SEND, f"{case_id}:{rep2}")
    assert "鈴木 さんに DM で送りました" in _shown(_reply(team, 3).params)
    dm = team.fake.wait_for("chat.postMessage")[-1]
    assert dm.params["channel"] == "UR2" and dm.response["ok"], dm.response
    assert "山田 さんから、事例「製造業の受注率改善」" in _shown(dm.params["blocks"])
    assert "鈴木さんの工業" in _shown(dm.params["blocks"])
    _click_in_reply(team, listing, "UM1", ids.CASE_TARGETS_SEND, f"{case_id}:{rep2}")
    assert "今日この事例のリストを送っています" in _shown(_reply(team, 4).params)


def test_the_weekly_case_is_posted_once_on_the_first_business_morning(database_url: str) -> None:
    monday = dt.datetime(2026, 11, 30, 0, 5, tzinfo=dt.UTC)  # 09:05 in Tokyo
    with running_bot(database_url, ISOPS_CASE_CHANNEL="C0CASES") as bot:
        bot.runtime.outbox.stop()  # the runs below send themselves
        with time_machine.travel(monday, tick=True):
            factories.member(bot.uow(), "UR1", name="佐藤")
            create_case(
                bot.uow(),
                slack_user_id="UR1",
                draft=CaseDraft(
                    title="今週の <!channel> 事例",
                    industry="製造",
                    chains=(ChainDraft("受注率が低い", "録画", "成功事例の共有", "受注率の向上"),),
                ),
            )
            assert any(job.id == "cases.weekly_share" for job in bot.runtime.jobs)
            first = WeeklyCaseShare(bot.runtime.deps, bot.runtime.outbox.client)
            second = WeeklyCaseShare(bot.runtime.deps, bot.runtime.outbox.client)
            assert first.run() is not None
            second.run()  # another process: the week is taken
            first.run()
        posts = [
            c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "C0CASES"
        ]
        assert len(posts) == 1 and posts[0].response["ok"], posts
        shown = _shown(posts[0].params["blocks"])
        # The title is plain text in the header (never a mention) and escaped in the fallback.
        header = next(b for b in posts[0].params["blocks"] if b["type"] == "header")
        assert header["text"] == {
            "type": "plain_text",
            "text": "今週の <!channel> 事例",
            "emoji": True,
        }
        assert "&lt;!channel&gt;" in posts[0].params["text"] and "今週の事例" in shown
        assert "→ 便益: *受注率の向上*" in shown
        assert posts[0].params["metadata"]["event_payload"]["key"] == "case-share:2026-W49"
        with time_machine.travel(monday + dt.timedelta(days=1), tick=True):
            assert WeeklyCaseShare(bot.runtime.deps, bot.runtime.outbox.client).run() is None


def test_the_webhook_stores_a_company_size(database_url: str) -> None:
    from tests.bot.test_lead_webhook import TOKEN, post

    with running_bot(database_url, ISOPS_WEBHOOK_TOKEN=TOKEN) as hook:
        factories.member(hook.uow(), "U100", name="佐藤")
        status, body = post(hook, {"company": "A社", "company_size": "50〜299名"})
        assert status == 201, body
        status, body = post(hook, {"company": "B社", "company_size": "100名以上"})
        assert status == 422 and body["errors"][0]["field"] == "company_size"
        with hook.uow() as uow:
            assert uow.session.scalars(select(Lead.company_size)).all() == [CompanySize.MID]


def test_a_list_for_a_rep_who_left_meanwhile_is_dropped_not_retried(team: BotHarness) -> None:
    from isops.enums import DeliveryState
    from isops.models import Member, Notification

    team.runtime.outbox.stop()  # sent below, after the rep has left
    case_id = create_case(
        team.uow(),
        slack_user_id="UM1",
        draft=CaseDraft(
            title="事例", industry="製造", chains=(ChainDraft("課題", benefit="便益"),)
        ),
    ).case.id
    rep2 = _member_id(team, "UR2")
    team.sender.block_actions(
        user_id="UM1",
        actions=[
            {"action_id": ids.CASE_TARGETS_SEND, "value": f"{case_id}:{rep2}", "type": "button"}
        ],
        response_url=team.response_url(),
    )
    assert "鈴木 さんに DM で送りました" in _shown(_reply(team).params)
    with team.uow() as uow:
        uow.session.get_one(Member, rep2).active = False
        uow.commit()
    team.runtime.outbox.run_once()
    assert [c for c in team.fake.calls_to("chat.postMessage") if c.params["channel"] == "UR2"] == []
    with team.uow() as uow:
        (state,) = uow.session.scalars(select(Notification.state))
    assert state is DeliveryState.SENT  # settled: nothing to send, nothing to retry


def test_home_and_the_morning_dm_show_the_case_for_fitting_leads_only(team: BotHarness) -> None:
    _add_through_the_modal(team)
    fitting = factories.lead(
        team.uow(),
        owner="UR1",
        company="ぴったり工業",
        inbound=True,
        cv_at=NOW,
        industry="製造",
        role_level=RoleLevel.MANAGER,
    )
    other = factories.lead(
        team.uow(), owner="UR1", company="べつ銀行", inbound=True, cv_at=NOW, industry="金融"
    )
    hint = "💡 製造業界・マネージャー向け: 受注率が低い → *受注率の向上* 18%→24%"

    def item_text(blocks: list[dict[str, Any]], kind: str, lead_id: int) -> str:
        (block,) = [b for b in blocks if b.get("block_id") == f"{kind}:{lead_id}"]
        return str(block["text"]["text"])

    team.sender.event({"type": "app_home_opened", "user": "UR1", "channel": "DUR1", "tab": "home"})
    home = team.fake.wait_for("views.publish", timeout=5)[-1].params["view"]["blocks"]
    assert item_text(home, ids.LIST_ITEM_BLOCK, fitting).splitlines()[-1] == hint
    assert "💡" not in item_text(home, ids.LIST_ITEM_BLOCK, other)

    team.runtime.outbox.stop()  # the job sends its DMs itself
    next(job for job in team.runtime.jobs if job.id == REMIND_JOB_ID).func()
    (dm,) = [
        call
        for call in team.fake.calls_to("chat.postMessage")
        if call.params["channel"] == "UR1" and call.response.get("ok")
    ]
    blocks = dm.params["blocks"]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    assert item_text(blocks, ids.FIRST_ITEM_BLOCK, fitting).splitlines()[-1] == hint
    assert "💡" not in item_text(blocks, ids.FIRST_ITEM_BLOCK, other)
