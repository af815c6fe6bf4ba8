"""Manager review over real HTTP against the fake Slack (DOMAIN.md rule 3): the manager's
message, 承認 / 差し戻し, refusals, the return modal's inline error, `/isops reviews`, and one
winner when two managers decide at the same moment — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from sqlalchemy import select

from bot import ids
from isops.enums import Channel, ReviewState, Role
from isops.models import Lead, LeadHistory, NoActionReview, Notification
from isops.services.leads import search_leads
from tests import factories
from tests.bot import clicks
from tests.bot.clicks import action_ids, at_once, await_call, click, reply_to
from tests.bot.log_modal_steps import choose_status
from tests.bot.modal_state import fill
from tests.fake_slack import RecordedCall, SentResponse, state_value
from tests.harness import BotHarness, running_bot

REASON = "役員が資料を読んでいた。来期の予算策定前にもう一度提案を"


@pytest.fixture
def team(bot: BotHarness) -> BotHarness:
    return _team(bot)


@pytest.fixture
def channel_bot(database_url: str) -> Iterator[BotHarness]:
    """Reviews go to a shared channel where any manager may decide (the default)."""
    with running_bot(database_url, ISOPS_REVIEW_CHANNEL="CREVIEW") as harness:
        yield _team(harness)


def _team(bot: BotHarness) -> BotHarness:
    """UM1 (山田) manages UR1 (佐藤); UM2 (鈴木) manages UR2; UA is an admin."""
    for uid, role, name in (("UM1", Role.MANAGER, "山田"), ("UM2", Role.MANAGER, "鈴木")):
        factories.member(bot.uow(), uid, role=role, name=name)
    factories.member(bot.uow(), "UA", role=Role.ADMIN, name="管理者")
    factories.member(bot.uow(), "UR1", manager="UM1", name="佐藤")
    factories.member(bot.uow(), "UR2", manager="UM2", name="田中")
    return bot


@dataclasses.dataclass(frozen=True)
class Posted:
    review_id: int
    lead_id: int
    call: RecordedCall

    @property
    def channel(self) -> str:
        return str(self.call.response["channel"])

    @property
    def ts(self) -> str:
        return str(self.call.response["ts"])

    @property
    def message(self) -> dict[str, Any]:
        return dict(self.call.response["message"])


def _request(bot: BotHarness, *, status: int = 4, rep: str = "UR1", to: str = "UM1") -> Posted:
    """A rep's 4/6 decision as logging leaves it, and the manager's message it produces."""
    lead_id = factories.lead(
        bot.uow(),
        owner=rep,
        company=f"株式会社レビュー{status}",
        status=3 if status == 6 else 2,
        source="資料請求",
    )
    review_id = factories.review(bot.uow(), lead_id, by=rep, status=status)
    bot.runtime.deps.wake_outbox()
    call = await_call(
        bot,
        "chat.postMessage",
        lambda c: (
            c.response.get("ok") is True
            and c.params["channel"] == to
            and _button_value(c.params) == str(review_id)
        ),
    )
    return Posted(review_id, lead_id, call)


def _log_call(
    bot: BotHarness,
    *,
    rep: str,
    lead_id: int,
    company: str,
    status: int,
    outcome: str = "不在",
    reason_code: str | None = None,
    reason_memo: str | None = None,
) -> SentResponse:
    """`/log-call <company>` as the rep, then submit the log modal the bot opened."""
    view = bot.open_modal("/log-call", company, user_id=rep)
    if status in (4, 6):  # choosing it shows the reason fields (views.update)
        view = choose_status(bot, view, status, user_id=rep)
    chosen: dict[str, Any] = {
        ids.LOG_LEAD_BLOCK: str(lead_id),
        ids.LOG_OUTCOME_BLOCK: f"call:{outcome}",
        ids.LOG_STATUS_BLOCK: str(status),
    }
    if status in (4, 6):
        chosen |= {ids.LOG_REASON_BLOCK: reason_code, ids.LOG_REASON_MEMO_BLOCK: reason_memo}
    values = fill(view, **chosen)
    answer = bot.sender.view_submission(user_id=rep, view=view, values=values)
    assert answer.status == 200 and not answer.body, answer.body  # saved, the modal closed
    return answer


def _log_4_on_the_fifth_call(bot: BotHarness, *, by: str, company: str, reason_memo: str) -> Posted:
    """A lead of UR1's at 📞4/5 ✉️2/2, then `/log-call` as `by` (the fifth call, so 5C2M is
    complete) setting status 4 with reason 対象外: the review and the message it posted."""
    lead_id = factories.lead(bot.uow(), owner="UR1", company=company, status=2)
    for channel, times in ((Channel.CALL, 4), (Channel.MAIL, 2)):
        for _ in range(times):
            factories.action(bot.uow(), lead_id, by="UR1", channel=channel)
    _log_call(
        bot,
        rep=by,
        lead_id=lead_id,
        company=company,
        status=4,
        reason_code="対象外",
        reason_memo=reason_memo,
    )
    call = await_call(
        bot,
        "chat.postMessage",
        lambda c: _button_value(c.params) != "" and company in _text(c),
    )
    with bot.uow() as uow:
        review_id = uow.session.scalar(
            select(NoActionReview.id).where(NoActionReview.lead_id == lead_id)
        )
    assert review_id is not None
    return Posted(review_id, lead_id, call)


def _drain_outbox(bot: BotHarness) -> None:
    """Send every due notification before returning: stop the dispatcher thread (it finishes
    the batch it is sending) and run what is left here. After this, every Slack call the
    outbox owed has been made, so "no other call" can be asserted without waiting."""
    bot.runtime.outbox.stop()
    while bot.runtime.outbox.run_once() > 0:
        pass


def _button_value(payload: dict[str, Any], action_id: str = ids.REVIEW_APPROVE_BUTTON) -> str:
    for block in payload.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return str(element.get("value"))
    return ""


def _click(
    bot: BotHarness, posted: Posted, user: str, action_id: str, **kw: Any
) -> tuple[SentResponse, str]:
    """Click a button on the manager's message; returns the answer and the response_url."""
    return click(
        bot, user=user, action_id=action_id, message=posted.message, channel=posted.channel, **kw
    )


def _text(call: RecordedCall) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def _state(bot: BotHarness, review_id: int) -> ReviewState:
    with bot.uow() as uow:
        return uow.session.get_one(NoActionReview, review_id).state


def _rep_list(bot: BotHarness, rep: str) -> set[int]:
    """The rep's open leads as the log modal's lead picker lists them."""
    deps = bot.runtime.deps
    found = search_leads(
        bot.uow(),
        slack_user_id=rep,
        query="",
        calendar=deps.calendar,
        targets=deps.settings.targets,
        limit=100,
    )
    return {option.id for option in found}


def _open_return_modal(bot: BotHarness, posted: Posted, user: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    _click(bot, posted, user, ids.REVIEW_RETURN_BUTTON)
    opened = bot.fake.wait_for("views.open", count=before + 1)[-1]
    assert opened.response["ok"], opened.response
    return dict(opened.response["view"])


def _submit_return(
    bot: BotHarness, view: dict[str, Any], user: str, reason: str = REASON, **fields: Any
) -> SentResponse:
    values = {
        ids.REVIEW_RETURN_REASON: {
            ids.REVIEW_RETURN_REASON: state_value("plain_text_input", reason or None)
        },
        ids.REVIEW_RETURN_NEXT_DATE: {
            ids.REVIEW_RETURN_NEXT_DATE: state_value("datepicker", fields.get("next_action_date"))
        },
        ids.REVIEW_RETURN_PRIORITY: {
            ids.REVIEW_RETURN_PRIORITY: state_value("static_select", fields.get("priority"))
        },
    }
    return bot.sender.view_submission(user_id=user, view=view, values=values)


# -- Done when: 4 → manager message; approve → updated, out of the rep's list ----------------------


def test_status_4_logged_in_the_modal_reaches_the_manager_and_approval_updates_it(
    team: BotHarness,
) -> None:
    bot = team
    company = "株式会社ログ経由"
    posted = _log_4_on_the_fifth_call(
        bot, by="UR1", company=company, reason_memo="受付で毎回断られる。決裁者は別会社"
    )
    lead_id, review_id = posted.lead_id, posted.review_id
    assert posted.channel == "DUM1"  # the manager's DM
    assert action_ids(posted.call.params) == [ids.REVIEW_APPROVE_BUTTON, ids.REVIEW_RETURN_BUTTON]
    for shown in ("受付で毎回断られる", "対象外", "📞5/5 ✉️2/2", "5C2M 達成", "2 未接続"):
        assert shown in _text(posted.call), shown
    assert lead_id in _rep_list(bot, "UR1")  # 承認待ち: still shown to the rep

    _click(bot, posted, "UM1", ids.REVIEW_APPROVE_BUTTON)

    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    assert updated.params["channel"] == posted.channel
    assert action_ids(updated.params) == []  # buttons gone
    assert "<@UM1> さんが" in _text(updated) and "承認しました" in _text(updated)
    assert _state(bot, review_id) is ReviewState.APPROVED
    assert lead_id not in _rep_list(bot, "UR1")
    assert bot.fake.calls_to("response_url") == []  # no refusal, no error


def test_a_new_action_on_a_pending_lead_withdraws_the_review(team: BotHarness) -> None:
    bot = team
    posted = _request(bot, status=4)
    # The customer called back: the rep logs it, which withdraws the review (rule 3).
    _log_call(
        bot,
        rep="UR1",
        lead_id=posted.lead_id,
        company="株式会社レビュー4",
        status=3,
        outcome="接続",
    )
    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    assert "取り下げられました" in _text(updated) and action_ids(updated.params) == []
    assert _state(bot, posted.review_id) is ReviewState.WITHDRAWN
    _, response_url = _click(bot, posted, "UM1", ids.REVIEW_APPROVE_BUTTON)
    assert "取り下げ" in reply_to(bot, response_url).params["text"]


def test_approving_status_6_sets_a_re_approach_date_unless_unticked(team: BotHarness) -> None:
    bot = team
    kept = _request(bot, status=6)
    box = [a for a in action_ids(kept.call.params) if a == ids.REVIEW_REAPPROACH_CHECKBOX]
    assert box == [ids.REVIEW_REAPPROACH_CHECKBOX]
    # Ticking or unticking the box is acknowledged (Slack shows an error otherwise).
    toggle, _ = _click(bot, kept, "UM1", ids.REVIEW_REAPPROACH_CHECKBOX, trigger_id="1.2.unticked")
    assert toggle.status == 200
    _click(bot, kept, "UM1", ids.REVIEW_APPROVE_BUTTON)
    await_call(bot, "chat.update", lambda c: c.params["ts"] == kept.ts)

    ruled_out = _request(bot, status=6)
    # Slack sends the message's inputs with a click; an unticked box has no selected options.
    state = {
        f"{ids.REVIEW_ACTIONS_BLOCK}:{ruled_out.review_id}": {
            ids.REVIEW_REAPPROACH_CHECKBOX: {"type": "checkboxes", "selected_options": []}
        }
    }
    _send_with_state(bot, ruled_out, "UM1", state)
    await_call(bot, "chat.update", lambda c: c.params["ts"] == ruled_out.ts)
    with bot.uow() as uow:
        first = uow.session.get_one(NoActionReview, kept.review_id)
        second = uow.session.get_one(NoActionReview, ruled_out.review_id)
        assert first.reapproach_date is not None and first.reapproach_date > dt.date.today()
        assert second.state is ReviewState.APPROVED and second.reapproach_date is None


def _send_with_state(bot: BotHarness, posted: Posted, user: str, values: dict[str, Any]) -> None:
    """An approve click whose payload carries the message's `state.values`, built as Slack
    builds it (the sender helper sends messages with empty state)."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T111"},
        "api_app_id": "A111",
        "token": "verification_token",
        "container": {
            "type": "message",
            "message_ts": posted.ts,
            "channel_id": posted.channel,
            "is_ephemeral": False,
        },
        "trigger_id": "1.2.3",
        "team": {"id": "T111", "domain": "fake-workspace"},
        "channel": {"id": posted.channel, "name": "directmessage"},
        "message": posted.message,
        "state": {"values": values},
        "response_url": bot.response_url(),
        "actions": [
            {
                "action_id": ids.REVIEW_APPROVE_BUTTON,
                "block_id": f"{ids.REVIEW_ACTIONS_BLOCK}:{posted.review_id}",
                "type": "button",
                "value": str(posted.review_id),
                "text": {"type": "plain_text", "text": "承認"},
                "action_ts": "1.0",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
    assert bot.sender.raw(body, "application/x-www-form-urlencoded").status == 200


# -- Done when: 6 → return with reason → status 3, rep DM, message updated -------------------------


def test_return_of_status_6_goes_back_to_3_and_tells_the_rep_why(team: BotHarness) -> None:
    bot = team
    posted = _request(bot, status=6)
    view = _open_return_modal(bot, posted, "UM1")
    assert view["callback_id"] == ids.REVIEW_RETURN_VIEW
    next_date = dt.date.today() + dt.timedelta(days=14)

    answer = _submit_return(bot, view, "UM1", next_action_date=next_date, priority="2")

    assert answer.status == 200 and not answer.body  # plain ack: the modal closes
    dm = await_call(bot, "chat.postMessage", lambda c: c.params["channel"] == "UR1")
    assert REASON in _text(dm) and "接続後不対応 → 接続済" in _text(dm)
    assert _button_value(dm.params, ids.LOG_LEAD_BUTTON) == str(posted.lead_id)
    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    assert "差し戻しました" in _text(updated) and REASON in _text(updated)
    assert action_ids(updated.params) == []
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, posted.lead_id)
        assert (lead.status, lead.next_action_date, lead.priority) == (3, next_date, 2)
        review = uow.session.get_one(NoActionReview, posted.review_id)
        assert (review.state, review.return_reason) == (ReviewState.RETURNED, REASON)
    assert posted.lead_id in _rep_list(bot, "UR1")  # back on the rep's list


def test_the_return_modal_without_a_reason_gets_an_inline_error(team: BotHarness) -> None:
    bot = team
    posted = _request(bot, status=4)
    view = _open_return_modal(bot, posted, "UM1")
    before = factories.review_snapshot(bot.uow, posted.review_id)

    answer = _submit_return(bot, view, "UM1", reason="  ")

    assert answer.json is not None
    assert answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) == {ids.REVIEW_RETURN_REASON}
    assert "理由" in answer.json["errors"][ids.REVIEW_RETURN_REASON]
    assert factories.review_snapshot(bot.uow, posted.review_id) == before


def test_a_forged_message_location_in_the_return_modal_is_ignored(team: BotHarness) -> None:
    """private_metadata comes back from the client: only its review id is used. A location
    slipped into it (here another review's message) is never written to; the verdict goes to
    the message stored on the review."""
    bot = team
    posted = _request(bot, status=4)
    target = _request(bot, status=4)  # a real message the forged location points at
    view = _open_return_modal(bot, posted, "UM1")
    assert json.loads(view["private_metadata"]) == {"review_id": posted.review_id}
    forged = json.dumps({"review_id": posted.review_id, "channel": target.channel, "ts": target.ts})

    answer = _submit_return(bot, {**view, "private_metadata": forged}, "UM1")

    assert answer.status == 200 and not answer.body
    await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    await_call(bot, "chat.postMessage", lambda c: c.params["channel"] == "UR1")  # the rep's DM
    _drain_outbox(bot)  # a stray update would be one more notification of the return
    updates = [(c.params["channel"], c.params["ts"]) for c in bot.fake.calls_to("chat.update")]
    assert updates == [(posted.channel, posted.ts)]
    assert _state(bot, posted.review_id) is ReviewState.RETURNED
    assert _state(bot, target.review_id) is ReviewState.PENDING


def test_a_manager_logging_4_on_their_reps_lead_goes_to_an_admin_and_returns_to_the_rep(
    team: BotHarness,
) -> None:
    """The rep is the lead's owner (UR1), not who logged the 4 (their manager UM1). UM1 may
    not decide their own request, so the message goes to the admin; the return DM goes to
    the owner UR1."""
    bot = team
    company = "株式会社マネージャー記録"
    posted = _log_4_on_the_fifth_call(
        bot, by="UM1", company=company, reason_memo="決裁者は本社。支店では判断できない"
    )
    lead_id, review_id = posted.lead_id, posted.review_id
    assert posted.call.params["channel"] == "UA"  # not UM1: the requester may not decide
    assert "<@UM1> さんの判断 (担当: <@UR1> さん)" in _text(posted.call)
    before = factories.review_snapshot(bot.uow, review_id)
    _, response_url = _click(bot, posted, "UM1", ids.REVIEW_APPROVE_BUTTON)
    assert "自分" in reply_to(bot, response_url).params["text"]
    assert factories.review_snapshot(bot.uow, review_id) == before

    view = _open_return_modal(bot, posted, "UA")
    answer = _submit_return(bot, view, "UA")

    assert answer.status == 200 and not answer.body
    dm = await_call(bot, "chat.postMessage", lambda c: c.params["channel"] == "UR1")
    assert REASON in _text(dm)
    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    assert "差し戻しました" in _text(updated)
    told = [
        c.params["channel"] for c in bot.fake.calls_to("chat.postMessage") if REASON in _text(c)
    ]
    assert told == ["UR1"]  # the owner only, not UM1 who logged the 4
    assert lead_id in _rep_list(bot, "UR1")


# -- Done when: refusals change nothing ----------------------------------------------------------


@pytest.mark.parametrize(("clicker", "refusal"), [("UR1", "自分"), ("UM2", "マネージャーか管理者")])
def test_the_rep_and_another_teams_manager_are_refused(
    team: BotHarness, clicker: str, refusal: str
) -> None:
    bot = team
    posted = _request(bot, status=4)
    before = factories.review_snapshot(bot.uow, posted.review_id)
    for button in (ids.REVIEW_APPROVE_BUTTON, ids.REVIEW_RETURN_BUTTON):
        _, response_url = _click(bot, posted, clicker, button)
        refused = reply_to(bot, response_url)
        assert refusal in refused.params["text"]
        assert refused.params.get("response_type") == "ephemeral"
        assert refused.params.get("replace_original") is False
    assert factories.review_snapshot(bot.uow, posted.review_id) == before
    assert bot.fake.calls_to("chat.update") == []
    assert bot.fake.calls_to("views.open") == []


def test_a_second_click_after_the_decision_is_refused_naming_who_decided(
    team: BotHarness,
) -> None:
    bot = team
    posted = _request(bot, status=4)
    _click(bot, posted, "UM1", ids.REVIEW_APPROVE_BUTTON)
    await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    before = factories.review_snapshot(bot.uow, posted.review_id)

    for user, button in (("UM1", ids.REVIEW_APPROVE_BUTTON), ("UA", ids.REVIEW_RETURN_BUTTON)):
        _, response_url = _click(bot, posted, user, button)
        refused = reply_to(bot, response_url)
        assert (
            "山田 さんが" in refused.params["text"] and "承認しています" in refused.params["text"]
        )

    assert (
        factories.review_snapshot(bot.uow, posted.review_id) == before
    )  # no new notification either
    assert bot.fake.calls_to("views.open") == []
    for update in bot.fake.calls_to("chat.update"):
        assert "承認しました" in _text(update) and "差し戻しました" not in _text(update)


def test_a_return_submitted_after_someone_else_approved_says_who(team: BotHarness) -> None:
    bot = team
    posted = _request(bot, status=4)
    view = _open_return_modal(bot, posted, "UA")  # the admin opens the modal …
    _click(bot, posted, "UM1", ids.REVIEW_APPROVE_BUTTON)  # … the manager approves
    await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    before = factories.review_snapshot(bot.uow, posted.review_id)

    answer = _submit_return(bot, view, "UA")

    assert answer.json is not None and answer.json["response_action"] == "update"
    assert "山田 さんが" in json.dumps(answer.json["view"], ensure_ascii=False)
    assert factories.review_snapshot(bot.uow, posted.review_id) == before


# -- Done when: concurrent approve + return, one wins (SQLite and PostgreSQL) ---------------------


def _race(bot: BotHarness, posted: Posted, view: dict[str, Any]) -> dict[str, Any]:
    """UM1 clicks 承認 while UA submits the return modal, released at the same instant."""
    return at_once(
        approve=lambda: _click(bot, posted, "UM1", ids.REVIEW_APPROVE_BUTTON),
        give_back=lambda: _submit_return(bot, view, "UA"),
    )


def test_concurrent_approve_and_return_one_wins(team: BotHarness) -> None:
    bot = team
    for _ in range(3):
        posted = _request(bot, status=4)
        answers = _race(bot, posted, _open_return_modal(bot, posted, "UA"))

        await_call(bot, "chat.update", lambda c, ts=posted.ts: c.params["ts"] == ts)
        returned: SentResponse = answers["give_back"]
        if returned.json is None:  # the return won: the approve click is refused
            refused = reply_to(bot, answers["approve"][1])
            assert "管理者 さんが" in refused.params["text"]
            expected, lead_status = ReviewState.RETURNED, 2
        else:  # the approval won: the modal says who approved
            assert returned.json["response_action"] == "update"
            assert "山田 さんが" in json.dumps(returned.json["view"], ensure_ascii=False)
            expected, lead_status = ReviewState.APPROVED, 4
        with bot.uow() as uow:
            review = uow.session.get_one(NoActionReview, posted.review_id)
            assert review.state is expected
            assert uow.session.get_one(Lead, posted.lead_id).status == lead_status
            decisions = uow.session.scalars(
                select(LeadHistory.new_value).where(
                    LeadHistory.lead_id == posted.lead_id, LeadHistory.field == "review"
                )
            ).all()
            assert decisions == ["pending", expected.value]


# -- the rest of the flow ----------------------------------------------------------------------


def test_isops_reviews_lists_oldest_first_and_decides_from_the_list(team: BotHarness) -> None:
    bot = team
    first = _request(bot, status=4)
    second = _request(bot, status=6)
    _request(bot, status=4, rep="UR2", to="UM2")  # another team's: not listed

    bot.command("/isops", "reviews", user_id="UM1")
    (listing,) = bot.fake.wait_for("response_url")
    approve_values = clicks.button_values(listing.params, ids.REVIEW_APPROVE_BUTTON)
    assert approve_values == [str(first.review_id), str(second.review_id)]
    assert listing.params["response_type"] == "ephemeral"

    response_url = clicks.click_in_list(
        bot,
        user="UM1",
        action_id=ids.REVIEW_APPROVE_BUTTON,
        block_id=f"{ids.REVIEW_ACTIONS_BLOCK}:{second.review_id}",
        value=str(second.review_id),
    )
    receipt = reply_to(bot, response_url)
    assert "承認しました" in _text(receipt) and receipt.params["replace_original"] is False
    # … and the manager's DM message is updated in place too.
    await_call(bot, "chat.update", lambda c: c.params["ts"] == second.ts)
    assert _state(bot, second.review_id) is ReviewState.APPROVED


def test_isops_reviews_for_a_rep_lists_nothing(team: BotHarness) -> None:
    bot = team
    _request(bot, status=4)
    bot.command("/isops", "reviews", user_id="UR1")
    (reply,) = bot.fake.wait_for("response_url")
    assert "承認待ちはありません" in reply.params["text"]


def test_a_review_channel_pings_the_manager_and_any_manager_may_decide(
    channel_bot: BotHarness,
) -> None:
    bot = channel_bot
    posted = _request(bot, status=4, to="CREVIEW")
    assert "<@UM1>" in _text(posted.call)
    _, response_url = _click(bot, posted, "UR1", ids.REVIEW_APPROVE_BUTTON)
    assert "自分" in reply_to(bot, response_url).params["text"]

    _click(bot, posted, "UM2", ids.REVIEW_APPROVE_BUTTON)  # another team's manager

    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == posted.ts)
    assert updated.params["channel"] == "CREVIEW" and "<@UM2> さんが" in _text(updated)


def test_a_slack_outage_delays_the_managers_message_but_never_loses_it(
    team: BotHarness,
) -> None:
    bot = team
    bot.runtime.outbox.stop()  # send by hand below, so each attempt is observed in turn
    bot.fake.fail_next("chat.postMessage", status=503, times=2)
    lead_id = factories.lead(bot.uow(), owner="UR1", status=2, source="資料請求")
    review_id = factories.review(bot.uow(), lead_id, by="UR1", status=4)
    assert bot.runtime.outbox.run_once() == 0  # 503: back in the queue, retried later
    for _ in range(2):  # after each back-off (the second try gets the second 503)
        with bot.uow() as uow:
            retry_at = uow.session.scalars(select(Notification.next_attempt_at)).one()
        with time_machine.travel(retry_at + dt.timedelta(seconds=1), tick=True):
            bot.runtime.outbox.run_once()
    assert bot.sleeps.waits == []  # the outbox never waits in place
    # A 503 may hide a post that arrived: each retry looked for it before posting again.
    assert len(bot.fake.calls_to("conversations.history")) == 2
    call = next(c for c in bot.fake.calls_to("chat.postMessage") if c.response.get("ok"))
    posted = Posted(review_id, lead_id, call)
    bot.runtime.outbox.start()
    _click(bot, posted, "UM1", ids.REVIEW_APPROVE_BUTTON)
    await_call(
        bot,
        "chat.update",
        lambda c: (c.params["channel"], c.params["ts"]) == (posted.channel, posted.ts),
    )
    delivered = [c for c in bot.fake.calls_to("chat.postMessage") if c.response.get("ok")]
    assert len(delivered) == 1  # posted once, updated in place
