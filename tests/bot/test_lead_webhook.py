"""`POST /webhooks/leads` over real HTTP: the owner's DM reaches (fake) Slack, bad requests
store nothing, duplicates make one lead, and concurrent leads are shared exactly fairly."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot import ids
from bot.slack_client import LISTENER_RETRY_AFTER_CAP
from isops.clock import utcnow
from isops.enums import DeliveryState, Role
from isops.models import Lead, Notification
from isops.services.assignment import LEAD_ASSIGNED
from isops.services.members import add_member
from tests import factories
from tests.harness import BotHarness, running_bot

TOKEN = "hook-secret-123"


@pytest.fixture
def hook(database_url: str) -> Iterator[BotHarness]:
    """The bot with the webhook switched on."""
    with running_bot(database_url, ISOPS_WEBHOOK_TOKEN=TOKEN) as harness:
        yield harness


def post(
    bot: BotHarness,
    body: bytes | dict[str, Any],
    *,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
    method: str = "POST",
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(
        f"{bot.base_url}/webhooks/leads", data=data, method=method, headers=dict(headers or {})
    )
    request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def lead_count(bot: BotHarness) -> int:
    with bot.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Lead)) or 0)


def test_lead_is_stored_assigned_and_the_owner_is_told(hook: BotHarness) -> None:
    factories.member(hook.uow(), "U100", name="佐藤")
    status, body = post(
        hook,
        {
            "company": "株式会社あおば <!channel>",
            "contact_name": "山田 太郎",
            "title": "部長",
            "source": "資料請求",
            "email": "yamada@aoba.example",
            "cv_at": "2026-11-27T10:00:00+09:00",
            "external_id": "FORM-1",
        },
    )
    assert status == 201
    assert body["ok"] and body["created"] and body["owner"] == "U100"
    assert body["deadline"] == "2026-11-27"
    (dm,) = hook.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U100"
    assert dm.response["ok"] is True
    text = json.dumps(dm.params["blocks"], ensure_ascii=False)
    assert "株式会社あおば &lt;!channel&gt;" in text and "<!channel>" not in text
    assert "資料請求" in text and "11/27(金) 中 (今日中) に初回アプローチ" in text
    buttons = [e for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    lead = body["lead_id"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (f"{ids.QUICK_LOG_MENU}:{choice}", f"{lead}:{choice}:0")
        for choice in ("absent", "voicemail", "mail", "connected", "detail")
    ]
    # 詳しく記録 in the DM opens the log modal for this lead (the log feature's modal).
    hook.sender.block_actions(
        user_id="U100",
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        actions=[{"action_id": f"{ids.QUICK_LOG_MENU}:detail"}],
    )
    (opened,) = hook.fake.wait_for("views.open")
    assert opened.response["ok"], opened.response
    assert str(body["lead_id"]) in json.dumps(opened.params["view"])


@pytest.mark.parametrize(
    ("token", "body", "status", "error"),
    [
        (None, {"company": "A"}, 401, "unauthorized"),
        ("wrong", {"company": "A"}, 401, "unauthorized"),
        (TOKEN, b"{not json", 400, "invalid_json"),
        (TOKEN, b"[1, 2]", 400, "invalid_json"),
        (TOKEN, b"[" * 60_000, 400, "invalid_json"),  # nested too deep for the JSON parser
        (TOKEN, {"contact_name": "山田"}, 422, "invalid_fields"),
        (TOKEN, {"company": "A", "email": "nope", "cv_at": "昨日"}, 422, "invalid_fields"),
    ],
)
def test_bad_requests_store_nothing(
    hook: BotHarness, token: str | None, body: Any, status: int, error: str
) -> None:
    factories.member(hook.uow(), "U100")
    got, answer = post(hook, body, token=token)
    assert (got, answer["ok"], answer["error"]) == (status, False, error)
    if status == 422:
        fields = {e["field"]: e["message"] for e in answer["errors"]}
        assert set(fields) == ({"company"} if "contact_name" in body else {"email", "cv_at"})
        assert all(fields.values())
    assert lead_count(hook) == 0
    with hook.uow() as uow:
        assert uow.session.scalars(select(Notification)).all() == []
    assert hook.fake.calls_to("chat.postMessage") == []


def test_wrong_method_and_webhook_off(hook: BotHarness, bot: BotHarness) -> None:
    status, _ = post(hook, b"", method="GET")
    assert status == 405
    status, body = post(bot, {"company": "A"})  # ISOPS_WEBHOOK_TOKEN unset: no endpoint
    assert (status, body["error"]) == (404, "not_found")
    assert lead_count(bot) == 0


def test_duplicate_delivery_answers_the_same_lead(hook: BotHarness) -> None:
    factories.member(hook.uow(), "U100")
    factories.member(hook.uow(), "U200")
    first = post(hook, {"company": "A", "external_id": "CRM-7"})
    again = post(hook, {"company": "A", "external_id": "CRM-7"})
    keyed = [post(hook, {"company": "B"}, headers={"Idempotency-Key": "k-1"}) for _ in range(2)]
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["lead_id"] == first[1]["lead_id"]
    assert again[1]["owner"] == first[1]["owner"] == "U100"
    assert [s for s, _ in keyed] == [201, 200]
    assert keyed[0][1]["lead_id"] == keyed[1][1]["lead_id"] != first[1]["lead_id"]
    assert lead_count(hook) == 2
    hook.fake.wait_for("chat.postMessage", count=2)
    assert len(hook.fake.calls_to("chat.postMessage")) == 2  # one DM per lead


def test_concurrent_webhooks_are_shared_exactly_fairly(hook: BotHarness) -> None:
    for slack_id in ("U1", "U2", "U3"):
        factories.member(hook.uow(), slack_id, team="東京")
    start = threading.Barrier(12)

    def one(i: int) -> tuple[int, Any]:
        if i < 12:
            start.wait(timeout=10)
        return post(hook, {"company": f"会社{i}", "source": "問い合わせ"})

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(one, range(30)))
    assert {status for status, _ in answers} == {201}
    assert len({body["lead_id"] for _, body in answers}) == 30
    assert Counter(body["owner"] for _, body in answers) == {"U1": 10, "U2": 10, "U3": 10}
    dms = hook.fake.wait_for("chat.postMessage", count=30, timeout=20)
    assert Counter(c.params["channel"] for c in dms) == {"U1": 10, "U2": 10, "U3": 10}


def test_owner_given_by_email_is_found_in_slack(hook: BotHarness) -> None:
    factories.member(hook.uow(), "U100")
    add_member(hook.uow(), slack_user_id="U300", name="鈴木", role=Role.REP)  # no e-mail on file
    hook.fake.add_user("U300", email="suzuki@example.com")
    status, body = post(hook, {"company": "A", "owner": "Suzuki@Example.com"})
    assert (status, body["owner"], body["assignment"]) == (201, "U300", "explicit")
    assert hook.fake.calls_to("users.lookupByEmail")[0].params["email"] == "Suzuki@Example.com"


def test_a_rate_limited_owner_lookup_is_not_waited_out(hook: BotHarness) -> None:
    """A 429 with a long Retry-After on `users.lookupByEmail` is not waited out inside the
    request (the form tool would time out): the lead goes to the rotation at once."""
    factories.member(hook.uow(), "U100")
    add_member(hook.uow(), slack_user_id="U300", name="鈴木", role=Role.REP)  # no e-mail on file
    hook.fake.add_user("U300", email="suzuki@example.com")
    hook.fake.fail_next("users.lookupByEmail", retry_after=120)
    status, body = post(hook, {"company": "A", "owner": "suzuki@example.com"})
    assert (status, body["assignment"]) == (201, "rotation")
    assert len(hook.fake.calls_to("users.lookupByEmail")) == 1
    assert all(wait <= LISTENER_RETRY_AFTER_CAP for wait in hook.sleeps.waits)


def test_slack_down_keeps_the_lead_and_retries_the_dm(hook: BotHarness) -> None:
    factories.member(hook.uow(), "U100")
    hook.runtime.outbox.stop()  # send by hand below, so each attempt is observed in turn
    # The first send fails; the outbox retries it later (its client does not retry a 5xx in
    # place: the post may have arrived, which the outbox checks before sending again).
    hook.fake.fail_next("chat.postMessage", status=503)
    status, _ = post(hook, {"company": "障害中株式会社", "source": "資料請求"})
    assert status == 201 and lead_count(hook) == 1
    assert hook.runtime.outbox.run_once() == 0  # the DM failed; the owner's Home waits 1 s
    assert len(hook.fake.calls_to("chat.postMessage")) == 1
    assert hook.sleeps.waits == []  # no waiting while holding the claim
    with hook.uow() as uow:
        note = uow.session.scalars(
            select(Notification).where(Notification.kind == LEAD_ASSIGNED)
        ).one()
        assert (note.state, note.attempts) == (DeliveryState.PENDING, 1)
        retry_at = note.next_attempt_at
    assert hook.runtime.outbox.run_once() == 0  # backing off: not yet
    with time_machine.travel(retry_at + dt.timedelta(seconds=1), tick=True):
        assert utcnow() > retry_at
        assert hook.runtime.outbox.run_once() == 2  # the DM, and the owner's Home
    assert [c.params["user_id"] for c in hook.fake.calls_to("views.publish")] == ["U100"]
    delivered = [c for c in hook.fake.calls_to("chat.postMessage") if c.status == 200]
    assert [c.params["channel"] for c in delivered] == ["U100"]
    assert "障害中株式会社" in json.dumps(delivered[0].params["blocks"], ensure_ascii=False)
    with hook.uow() as uow:
        states = uow.session.scalars(select(Notification.state)).all()
        assert states == [DeliveryState.SENT, DeliveryState.SENT]


def test_no_rep_available_tells_the_managers(hook: BotHarness) -> None:
    factories.member(hook.uow(), "U900", role=Role.MANAGER)
    status, body = post(hook, {"company": "担当者なし株式会社", "source": "問い合わせ"})
    assert (status, body["owner"], body["assignment"]) == (201, None, "none")
    (dm,) = hook.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U900" and dm.response["ok"]
    assert "担当者を割り当てられなかったリード" in dm.params["text"]
    assert lead_count(hook) == 1


def _future(days: int) -> str:
    return (utcnow() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"company": "A", "cv_at": "0001-01-01T00:00:00"}, "cv_at"),
        ({"company": "A", "cv_at": "9999-12-31T23:59:59+09:00"}, "cv_at"),
        ({"company": "A", "cv_at": "1999-12-31T00:00:00Z"}, "cv_at"),
        ({"company": "A", "cv_at": _future(2)}, "cv_at"),
        ({"company": "A", "external_id": "CRM-\u00001"}, "external_id"),
        ({"company": "\u0000"}, "company"),
    ],
)
def test_values_a_database_cannot_take_are_422(
    hook: BotHarness, body: dict[str, Any], field: str
) -> None:
    factories.member(hook.uow(), "U100")
    status, answer = post(hook, body)
    assert (status, answer["error"]) == (422, "invalid_fields")
    assert [e["field"] for e in answer["errors"]] == [field]
    assert lead_count(hook) == 0


def test_an_idempotency_key_with_control_characters_is_422(hook: BotHarness) -> None:
    # waitress refuses C0 controls in headers itself; byte 0x85 (obs-text) reaches the app
    # as U+0085, a C1 control.
    status, answer = post(hook, {"company": "A"}, headers={"Idempotency-Key": "form\x854711"})
    assert (status, [e["field"] for e in answer["errors"]]) == (422, ["Idempotency-Key"])
    assert lead_count(hook) == 0


def test_control_characters_in_typed_text_are_removed(hook: BotHarness) -> None:
    factories.member(hook.uow(), "U100")
    status, body = post(
        hook,
        {
            "company": "株式会社\u0000あおば",
            "contact_name": "山田\n太郎\u001b",
            "email": "Yamada@Aoba.example\u0000",
            "source": "資料請求",
            "cv_at": _future(0),
        },
    )
    assert status == 201, body
    with hook.uow() as uow:
        lead = uow.session.get_one(Lead, body["lead_id"])
        assert (lead.company, lead.contact_name, lead.email) == (
            "株式会社あおば",
            "山田 太郎",
            "yamada@aoba.example",
        )
