"""Slack's external upload flow (bot.files) against the fake Slack: the three steps, the bytes
recorded, the file shared in the DM's history, and failures at each step."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.files import UploadFailed, find_shared_file, upload_file
from tests.fake_slack import FakeSlack
from tests.fake_slack.server import FILE_UPLOAD

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token="xoxb-test") as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def test_uploads_through_the_three_steps_into_the_dm(fake: FakeSlack, client: WebClient) -> None:
    shared = upload_file(
        client,
        channel="UR1",
        filename="chart.png",
        content=PNG,
        title="推移",
        alt_text="当日対応率 80%",
        initial_comment="8週間の推移",
    )
    methods = [c.method for c in fake.calls]
    assert methods == [
        "conversations.open",
        "files.getUploadURLExternal",
        FILE_UPLOAD,
        "files.completeUploadExternal",
    ]
    started = fake.calls_to("files.getUploadURLExternal")[0].params
    assert started["filename"] == "chart.png"
    assert int(started["length"]) == len(PNG)
    assert started["alt_txt"] == "当日対応率 80%"
    completed = fake.calls_to("files.completeUploadExternal")[0].params
    assert completed["channel_id"] == "DUR1"
    assert completed["files"] == [{"id": shared.file_id, "title": "推移"}]
    (upload,) = fake.uploads()
    assert upload.content == PNG and upload.completed and upload.channel == "DUR1"
    (message,) = fake.messages("UR1")
    assert message["files"][0]["id"] == shared.file_id
    assert message["text"] == "8週間の推移"
    assert find_shared_file(client, channel="UR1", filename="chart.png", oldest=0) == (
        shared.file_id
    )
    assert find_shared_file(client, channel="UR1", filename="other.png", oldest=0) is None


def test_a_refused_upload_url_shares_nothing(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next(FILE_UPLOAD, status=500)
    with pytest.raises(UploadFailed):
        upload_file(client, channel="UR1", filename="c.png", content=PNG, title="t", alt_text="a")
    assert not fake.calls_to("files.completeUploadExternal")
    assert fake.messages("UR1") == []


def test_rate_limited_start_raises_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("files.getUploadURLExternal", retry_after=30)
    with pytest.raises(SlackApiError) as raised:
        upload_file(client, channel="UR1", filename="c.png", content=PNG, title="t", alt_text="a")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "30"


def test_the_fake_answers_like_slack_on_bad_calls(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as empty:
        client.files_getUploadURLExternal(filename="x.png", length=0)
    assert empty.value.response["error"] == "missing_argument"
    with pytest.raises(SlackApiError) as long_alt:
        client.files_getUploadURLExternal(filename="x.png", length=3, alt_txt="あ" * 1001)
    assert long_alt.value.response["error"] == "alt_txt_too_large"
    started = client.files_getUploadURLExternal(filename="x.png", length=3)
    # Completing before the bytes were POSTed: no file to complete.
    with pytest.raises(SlackApiError) as early:
        client.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="DUR1")
    assert early.value.response["error"] == "file_not_found"
    # A user id is not a conversation id.
    with pytest.raises(SlackApiError) as user_channel:
        client.files_completeUploadExternal(files=[{"id": started["file_id"]}], channel_id="UR1")
    assert user_channel.value.response["error"] == "channel_not_found"
