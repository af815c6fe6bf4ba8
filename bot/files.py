"""Files into Slack through the external upload flow (the old `files.upload` is retired):

1. `files.getUploadURLExternal(filename, length, alt_txt)` answers a pre-signed `upload_url`
   and a `file_id`;
2. the bytes are POSTed to that URL (raw, no token: the URL is the permission); Slack answers
   HTTP 200 once it has them;
3. `files.completeUploadExternal(files=[{id, title}], channel_id, initial_comment)` finishes
   the upload and shares the file in the channel (a conversation id: a DM is opened first).

A step that fails raises (`SlackApiError`, or `UploadFailed` for step 2) and nothing is shared:
a file whose upload was never completed stays private and unlisted, so the caller may start
again from step 1. Callers that must share a file once (the outbox's senders) look for it in
the channel's history first (`find_shared_file`).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

# Slack refuses alt text longer than this (`alt_txt_too_large`).
MAX_ALT_TEXT = 1000
UPLOAD_TIMEOUT_SECONDS = 30.0


class UploadFailed(Exception):
    """The upload URL did not take the bytes (a 5xx, a refused or dropped connection)."""


@dataclass(frozen=True)
class SharedFile:
    file_id: str
    channel: str


def conversation_id(client: WebClient, channel: str) -> str:
    """A conversation id for `channel`: a user id (U…/W…) means the bot's DM with them."""
    if channel[:1] in ("U", "W"):
        opened = client.conversations_open(users=channel)
        return str(opened["channel"]["id"])
    return channel


def upload_file(
    client: WebClient,
    *,
    channel: str,
    filename: str,
    content: bytes,
    title: str,
    alt_text: str | None = None,
    initial_comment: str | None = None,
    thread_ts: str | None = None,
) -> SharedFile:
    """Upload `content` and share it in `channel` (a channel id, or a user id for their DM)."""
    conversation = conversation_id(client, channel)
    started = client.files_getUploadURLExternal(
        filename=filename,
        length=len(content),
        alt_txt=alt_text[:MAX_ALT_TEXT] if alt_text else None,
    )
    file_id = str(started["file_id"])
    _post_bytes(str(started["upload_url"]), content)
    client.files_completeUploadExternal(
        files=[{"id": file_id, "title": title}],
        channel_id=conversation,
        initial_comment=initial_comment,
        thread_ts=thread_ts,
    )
    return SharedFile(file_id, conversation)


def _post_bytes(url: str, content: bytes) -> None:
    request = urllib.request.Request(
        url,
        data=content,
        method="POST",
        headers={"Content-Type": "application/octet-stream"},
    )
    try:
        with urllib.request.urlopen(request, timeout=UPLOAD_TIMEOUT_SECONDS) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as error:
        with error:
            raise UploadFailed(f"upload URL answered HTTP {error.code}") from None
    except (OSError, urllib.error.URLError) as error:
        raise UploadFailed(f"upload URL unreachable: {error}") from None
    if status != 200:
        raise UploadFailed(f"upload URL answered HTTP {status}")


def find_shared_file(
    client: WebClient, *, channel: str, filename: str, oldest: float, pages: int = 5
) -> str | None:
    """The id of a file named `filename` shared in `channel` since `oldest` (epoch seconds),
    from the channel's history (scope im:history for a DM); None when not found."""
    conversation = conversation_id(client, channel)
    cursor: str | None = None
    for _ in range(pages):
        page: Any = client.conversations_history(
            channel=conversation, oldest=f"{oldest:.6f}", limit=200, cursor=cursor
        )
        for message in page.get("messages") or []:
            for shared in message.get("files") or []:
                if shared.get("name") == filename:
                    return str(shared.get("id"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or cursor is None:
            return None
    return None
