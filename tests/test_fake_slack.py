"""Tests of the test infrastructure itself: FakeSlack (Web API) and SlackRequestSender."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.fake_slack import FakeSlack, SlackRequestSender, state_value
from tests.fake_slack.blockkit_limits import message_problems, view_problems

TOKEN = "xoxb-test"
SECRET = "test-signing-secret"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.api_url, token=TOKEN)


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def modal(title: str = "Report", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "report",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "note_b",
                "label": {"type": "plain_text", "text": "Note"},
                "element": {"type": "plain_text_input", "action_id": "note_a"},
            }
        ],
        **extra,
    }


# -- FakeSlack: Web API ---------------------------------------------------------------------------


def test_post_message_is_recorded_with_decoded_blocks(fake: FakeSlack, client: WebClient) -> None:
    blocks = [section("hello", "b1")]
    first = client.chat_postMessage(channel="C111", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="U222", text="dm")

    call = fake.calls_to("chat.postMessage")[0]
    assert call.params["blocks"] == blocks
    assert call.params["channel"] == "C111"
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.status == 200
    assert first["message"]["blocks"] == blocks
    assert abs(float(first["ts"]) - time.time()) < 60  # Slack's ts is the posting time
    assert second["ts"] > first["ts"]
    assert second["channel"] == "DU222"  # posting to a user ID lands in the DM


def test_form_encoded_json_fields_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    # api_call(params=...) sends a form body; blocks then travel as a JSON string.
    blocks = [section("form")]
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})

    call = fake.calls_to("chat.postMessage")[0]
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert call.params["blocks"] == blocks
    # Slack fills in the block_id the app left out.
    assert call.response["message"]["blocks"][0]["block_id"]


def test_51_blocks_are_rejected(client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="ok", blocks=[section(str(i)) for i in range(50)])
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x", blocks=[section(str(i)) for i in range(51)])

    assert err.value.response["error"] == "invalid_blocks"
    messages = err.value.response["response_metadata"]["messages"]
    assert messages == ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]


def test_text_less_message_and_long_text(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert err.value.response["error"] == "no_text"

    answer = client.chat_postMessage(channel="C1", text="x" * 40001)
    assert answer["ok"] is True
    assert answer["response_metadata"]["warnings"] == ["message_truncated"]
    assert len(answer["message"]["text"]) == 40000


def test_rate_limit_is_recorded_then_retry_succeeds(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler sleeps Retry-After + random() seconds; record the wait instead of sleeping.
    waits: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=waits.append))
    client = WebClient(
        base_url=fake.api_url,
        token=TOKEN,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=3)

    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert fake.calls[0].response == {"ok": False, "error": "ratelimited"}
    assert len(waits) == 1 and 3 <= waits[0] < 4


def test_rate_limit_sends_retry_after_header_as_given(fake: FakeSlack) -> None:
    fake.fail_next("users.info", retry_after=7)
    request = urllib.request.Request(
        fake.api_url + "users.info?user=U1", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    with err.value:
        assert err.value.code == 429
        assert err.value.headers["Retry-After"] == "7"
        assert json.loads(err.value.read()) == {"ok": False, "error": "ratelimited"}


def test_error_injection(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    fake.fail_next("chat.update", status=500)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="hi")
        assert err.value.response.status_code == 200
        assert err.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True

    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.2", text="x")
    assert err.value.response.status_code == 500
    assert client.chat_update(channel="C1", ts="1.2", text="x")["ts"] == "1.2"
    assert [c.status for c in fake.calls] == [200, 200, 200, 500, 200]


def test_auth_is_required(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=fake.api_url).auth_test()
    assert err.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=fake.api_url, token="xoxb-other").auth_test()
    assert err.value.response["error"] == "invalid_auth"

    me = WebClient(base_url=fake.api_url, token=TOKEN).auth_test()
    assert (me["user_id"], me["bot_id"], me["team_id"]) == ("UBOT", "BBOT", "T111")


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.nonsense")
    assert err.value.response["error"] == "unknown_method"


def test_users_info_and_lookup_by_email(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", name="taro", real_name="山田 太郎", email="Taro@example.com")

    found = client.users_lookupByEmail(email="taro@example.com")["user"]
    assert (found["id"], found["real_name"], found["tz"]) == ("U1", "山田 太郎", "Asia/Tokyo")
    assert found["tz_offset"] == 9 * 3600
    assert "locale" not in found
    assert client.users_info(user="U1", include_locale=True)["user"]["locale"] == "ja-JP"
    assert fake.calls_to("users.info")[0].params == {"user": "U1", "include_locale": "1"}

    with pytest.raises(SlackApiError) as err:
        client.users_lookupByEmail(email="nobody@example.com")
    assert err.value.response["error"] == "users_not_found"
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U404")
    assert err.value.response["error"] == "user_not_found"


def test_conversations_open_and_ephemeral(client: WebClient) -> None:
    assert client.conversations_open(users="U1")["channel"] == {"id": "DU1"}
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert answer["message_ts"]


def test_history_returns_posted_messages_with_metadata_only_when_asked(
    fake: FakeSlack, client: WebClient
) -> None:
    metadata = {"event_type": "isops_delivery", "event_payload": {"key": "k1"}}
    first = client.chat_postMessage(channel="U1", text="one", metadata=metadata)
    second = client.chat_postMessage(channel="U1", text="two")
    client.chat_postMessage(channel="U2", text="elsewhere")
    dm = client.conversations_open(users="U1")["channel"]["id"]

    plain = client.conversations_history(channel=dm)
    assert [m["text"] for m in plain["messages"]] == ["two", "one"]  # newest first
    assert all("metadata" not in m for m in plain["messages"])
    full = client.conversations_history(channel=dm, include_all_metadata=True)
    assert full["messages"][1]["metadata"] == metadata
    assert fake.messages("U1")[0]["metadata"] == metadata

    later = client.conversations_history(channel=dm, oldest=first["ts"])  # exclusive
    assert [m["ts"] for m in later["messages"]] == [second["ts"]]
    page = client.conversations_history(channel=dm, limit=1)
    assert page["has_more"] is True and [m["text"] for m in page["messages"]] == ["two"]
    rest = client.conversations_history(
        channel=dm, limit=1, cursor=page["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["one"] and rest["has_more"] is False

    client.chat_update(channel=dm, ts=first["ts"], text="one, edited")
    edited = client.conversations_history(channel=dm, include_all_metadata=True)["messages"][1]
    assert edited["text"] == "one, edited" and edited["metadata"] == metadata
    with pytest.raises(SlackApiError) as err:
        client.conversations_history(channel="DNOBODY")
    assert err.value.response["error"] == "channel_not_found"
    fake.fail_next("conversations.history", error="missing_scope")
    with pytest.raises(SlackApiError) as err:
        client.conversations_history(channel=dm)
    assert err.value.response["error"] == "missing_scope"


def test_a_held_post_is_carried_out_before_its_answer(fake: FakeSlack, client: WebClient) -> None:
    hold = fake.hold_next("chat.postMessage")
    answers: list[Any] = []
    worker = threading.Thread(
        target=lambda: answers.append(client.chat_postMessage(channel="U1", text="slow"))
    )
    worker.start()
    hold.wait_arrived()
    assert [m["text"] for m in fake.messages("U1")] == ["slow"]  # accepted, not answered
    assert answers == []
    hold.release()
    worker.join(5)
    assert answers[0]["ok"] is True


def test_dropped_connections_before_and_after_slack_accepted(fake: FakeSlack) -> None:
    # slack_sdk's default handlers would post again after a dropped connection: none here.
    client = WebClient(base_url=fake.api_url, token=TOKEN, retry_handlers=[])
    fake.drop_next("chat.postMessage")  # Slack accepted it; the client never hears
    with pytest.raises(OSError):
        client.chat_postMessage(channel="U1", text="accepted")
    assert [m["text"] for m in fake.messages("U1")] == ["accepted"]

    hold = fake.hold_next("chat.postMessage", before_recording=True)
    errors: list[BaseException] = []

    def post() -> None:
        try:
            client.chat_postMessage(channel="U1", text="never arrives")
        except OSError as exc:
            errors.append(exc)

    worker = threading.Thread(target=post)
    worker.start()
    hold.wait_arrived()
    assert len(fake.calls_to("chat.postMessage")) == 1  # not recorded while held
    hold.drop()
    worker.join(5)
    assert len(errors) == 1
    assert [m["text"] for m in fake.messages("U1")] == ["accepted"]
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_views_open_update_publish(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="1.2.3", view=modal())["view"]
    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "report"
    assert fake.calls_to("views.open")[0].params["view"] == modal()

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Done"))
    assert updated["view"]["id"] == opened["id"]
    with pytest.raises(SlackApiError) as err:  # the old hash is stale now
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert err.value.response["error"] == "hash_conflict"

    home = {"type": "home", "blocks": [section("home")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    assert client.views_publish(user_id="U1", view=home)["view"]["id"] == first["id"]


def test_views_open_checks_modal_limits(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="1.2.3", view=modal("x" * 25, private_metadata="m" * 3001))
    assert err.value.response["error"] == "invalid_arguments"
    assert err.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]",
        "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]",
    ]


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    answer = WebhookClient(fake.response_url("cmd")).send(text="done", replace_original=True)
    assert answer.status_code == 200

    call = fake.calls_to("response_url")[0]
    assert call.params == {"text": "done", "replace_original": True}
    assert call.path == "/response/cmd"


def test_wait_for_sees_calls_from_other_threads(fake: FakeSlack, client: WebClient) -> None:
    worker = threading.Thread(
        target=lambda: [client.chat_postMessage(channel="C1", text=str(i)) for i in range(3)]
    )
    worker.start()
    calls = fake.wait_for("chat.postMessage", count=3)
    worker.join()
    assert [c.params["text"] for c in calls] == ["0", "1", "2"]

    with pytest.raises(AssertionError, match=r"views\.open"):
        fake.wait_for("views.open", timeout=0.05)


BUTTON = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Go"}}


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        (section("x" * 3001), "/blocks/0/text/text"),
        (section(""), "/blocks/0/text/text"),
        (
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
            "/blocks/0/fields",
        ),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            "/blocks/0/text/text",
        ),
        ({"type": "actions", "elements": [BUTTON] * 26}, "/blocks/0/elements"),
        (
            {"type": "actions", "elements": [{**BUTTON, "value": "v" * 2001}]},
            "/blocks/0/elements/0/value",
        ),
        (
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
            "/blocks/0/elements",
        ),
        (
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "pick"},
                "accessory": {
                    "type": "static_select",
                    "action_id": "s",
                    "options": [
                        {"text": {"type": "plain_text", "text": "o"}, "value": "v" * 151},
                    ],
                },
            },
            "/blocks/0/accessory/options/0/value",
        ),
        ({**section("x"), "block_id": "b" * 256}, "/blocks/0/block_id"),
    ],
)
def test_block_kit_limits(block: dict[str, Any], pointer: str) -> None:
    problems = message_problems({"blocks": [block]})
    assert len(problems) == 1
    assert problems[0].endswith(f"[json-pointer:{pointer}]")


def test_block_ids_must_be_unique_and_inputs_need_submit() -> None:
    problems = message_problems({"blocks": [section("a", "same"), section("b", "same")]})
    assert problems == ["[ERROR] duplicate block_id 'same' [json-pointer:/blocks/1/block_id]"]
    assert view_problems({**modal(), "submit": None}) == [
        "[ERROR] submit is required with input blocks [json-pointer:/view/submit]"
    ]
    assert view_problems(modal()) == []


# -- SlackRequestSender ---------------------------------------------------------------------------

Handler = Callable[[bytes, dict[str, str]], tuple[int, str]]


@contextmanager
def http_endpoint(handle: Handler) -> Iterator[str]:
    """A throwaway HTTP server passing each POST to ``handle``; yields its base URL."""

    class _Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, text = handle(body, {k.lower(): v for k, v in self.headers.items()})
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def captured() -> Iterator[tuple[SlackRequestSender, list[tuple[bytes, dict[str, str]]]]]:
    seen: list[tuple[bytes, dict[str, str]]] = []

    def handle(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        seen.append((body, headers))
        return 200, '{"ok": true}'

    with http_endpoint(handle) as url:
        yield SlackRequestSender(url, SECRET), seen


def payload_of(body: bytes) -> Any:
    return json.loads(parse_qs(body.decode())["payload"][0])


def test_sender_signatures_verify(
    captured: tuple[SlackRequestSender, list[tuple[bytes, dict[str, str]]]],
) -> None:
    sender, seen = captured
    answer = sender.command("/isops", "help", user_id="U1")
    sender.block_actions(user_id="U1", actions=[{"action_id": "a", "block_id": "b"}])
    sender.view_submission(user_id="U1", view=modal(), values={})
    sender.block_suggestion(user_id="U1", action_id="a", block_id="b", value="ta")
    sender.event({"type": "app_home_opened", "user": "U1", "tab": "home"})

    assert (answer.status, answer.json) == (200, {"ok": True})
    verifier = SignatureVerifier(SECRET)
    assert len(seen) == 5
    for body, headers in seen:
        assert headers["x-slack-signature"].startswith("v0=")
        assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret").is_valid_request(*seen[0])


def test_sender_request_shapes(
    captured: tuple[SlackRequestSender, list[tuple[bytes, dict[str, str]]]],
) -> None:
    sender, seen = captured
    sender.command("/isops", "週報 <@U2>", user_id="U1", response_url="http://r")
    form = {k: v[0] for k, v in parse_qs(seen[-1][0].decode(), keep_blank_values=True).items()}
    assert seen[-1][1]["content-type"] == "application/x-www-form-urlencoded"
    assert form["command"] == "/isops"
    assert form["text"] == "週報 <@U2>"
    assert form["response_url"] == "http://r"
    assert {"token", "team_id", "team_domain", "channel_id", "user_name", "trigger_id"} <= set(form)

    buttons = {"type": "actions", "block_id": "act", "elements": [{**BUTTON, "value": "42"}]}
    message = {"ts": "1700000000.000100", "blocks": [buttons]}
    sender.block_actions(user_id="U1", actions=[{"action_id": "a"}], message=message)
    payload = payload_of(seen[-1][0])
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": "C111",
        "is_ephemeral": False,
    }
    action = payload["actions"][0]
    assert (action["block_id"], action["type"], action["value"]) == ("act", "button", "42")

    values = {"note_b": {"note_a": state_value("plain_text_input", "hi")}}
    sender.view_submission(user_id="U1", view={**modal(), "id": "V9", "hash": "1.a"}, values=values)
    view = payload_of(seen[-1][0])["view"]
    assert (view["id"], view["hash"], view["callback_id"]) == ("V9", "1.a", "report")
    assert view["state"] == {"values": values}

    sender.event({"type": "app_mention", "text": "hi"}, event_id="Ev1", retry_num=1)
    body, headers = seen[-1]
    assert headers["content-type"] == "application/json"
    assert (headers["x-slack-retry-num"], headers["x-slack-retry-reason"]) == ("1", "http_timeout")
    envelope = json.loads(body)
    assert (envelope["type"], envelope["event_id"]) == ("event_callback", "Ev1")
    assert envelope["event"]["text"] == "hi"


def test_state_value_shapes() -> None:
    assert state_value("static_select", "weekly", text="Weekly")["selected_option"] == {
        "text": {"type": "plain_text", "text": "Weekly", "emoji": True},
        "value": "weekly",
    }
    assert state_value("external_select", None) == {
        "type": "external_select",
        "selected_option": None,
    }
    assert state_value("datepicker", date(2026, 1, 13))["selected_date"] == "2026-01-13"
    checked = state_value("checkboxes", ["a", ("Bee", "b")])["selected_options"]
    assert [o["value"] for o in checked] == ["a", "b"]
    with pytest.raises(ValueError):
        state_value("slider", 1)


def test_sender_raw_unsigned_and_stale(
    captured: tuple[SlackRequestSender, list[tuple[bytes, dict[str, str]]]],
) -> None:
    sender, seen = captured
    sender.raw("a=b", "application/x-www-form-urlencoded", sign=False)
    sender.raw("a=b", "application/x-www-form-urlencoded", timestamp=1_000_000_000)
    sender.raw("a=b", "application/x-www-form-urlencoded", signature="v0=bad")

    assert "x-slack-signature" not in seen[0][1]
    assert "x-slack-request-timestamp" not in seen[0][1]
    verifier = SignatureVerifier(SECRET)
    assert seen[1][1]["x-slack-request-timestamp"] == "1000000000"
    assert not verifier.is_valid_request(*seen[1])  # stale
    assert (
        verifier.generate_signature(timestamp="1000000000", body=b"a=b")
        == seen[1][1]["x-slack-signature"]
    )
    assert seen[2][1]["x-slack-signature"] == "v0=bad"


def test_sender_payloads_dispatch_through_bolt(fake: FakeSlack) -> None:
    """End to end: signed requests -> a real bolt App -> the fake Web API."""
    # Bolt takes the token from the client and checks it with auth.test against the fake.
    app = App(client=WebClient(base_url=fake.api_url, token=TOKEN), signing_secret=SECRET)
    submitted: list[dict[str, Any]] = []

    @app.command("/isops")
    def on_command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal())

    @app.view("report")
    def on_submit(ack: Ack, view: dict[str, Any]) -> None:
        submitted.append(view["state"]["values"])
        ack(response_action="errors", errors={"note_b": "too short"})

    def handle(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        request = BoltRequest(body=body.decode(), headers={k: [v] for k, v in headers.items()})
        response = app.dispatch(request)
        return response.status, response.body

    with http_endpoint(handle) as url:
        sender = SlackRequestSender(url, SECRET)
        assert sender.command("/isops", user_id="U1").status == 200
        opened = fake.wait_for("views.open")[0].response["view"]

        values = {"note_b": {"note_a": state_value("plain_text_input", "x")}}
        answer = sender.view_submission(user_id="U1", view=opened, values=values)
        assert answer.json == {"response_action": "errors", "errors": {"note_b": "too short"}}
        assert submitted == [values]

        bad = sender.raw("command=%2Fisops", "application/x-www-form-urlencoded", signature="v0=0")
        assert (bad.status, bad.json) == (401, {"error": "invalid request"})
    assert fake.calls_to("auth.test")


# -- Slack's published known-answer vector (needs ../shared) --------------------------------------


def test_slack_docs_signature_vector() -> None:
    fixtures = SHARED / "slack-fixtures"
    if not fixtures.is_dir():
        pytest.skip(f"../shared/slack-fixtures not found: {fixtures}")
    vector = json.loads((fixtures / "signature_vector_slack_docs.json").read_text())
    body = (fixtures / vector["body_file"]).read_bytes()
    timestamp = vector["x_slack_request_timestamp"]
    verifier = SignatureVerifier(vector["signing_secret"])
    assert (
        verifier.generate_signature(timestamp=timestamp, body=body) == vector["x_slack_signature"]
    )

    # The sender must produce the same bytes-to-signature mapping for this body.
    seen: list[tuple[bytes, dict[str, str]]] = []

    def handle(raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
        seen.append((raw, headers))
        return 200, "{}"

    with http_endpoint(handle) as url:
        sender = SlackRequestSender(url, vector["signing_secret"])
        sender.raw(body, "application/x-www-form-urlencoded", timestamp=timestamp)
    assert seen[0][0] == body
    assert seen[0][1]["x-slack-signature"] == vector["x_slack_signature"]
