"""`POST /webhooks/leads`: inbound leads from form tools and CRM workflows (DOMAIN.md rule 1).

Bearer-token authenticated (off, 404, without ISOPS_WEBHOOK_TOKEN); the JSON body is checked
by `isops.services.intake.InboundLead`; the lead, its owner and the owner's DM are stored in
one transaction, then the outbox is woken to send the DM at once.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from bot.deps import Deps
from bot.server import Environ, Route, StartResponse, json_response
from bot.slack_client import LISTENER_RETRY_AFTER_CAP, build_web_client
from bot.slack_lookup import EmailLookup, email_lookup
from isops.errors import InvalidInput, IsopsError
from isops.services.assignment import find_owner
from isops.services.intake import InboundLead, receive_lead
from isops.text import has_control

log = logging.getLogger(__name__)

PATH = "/webhooks/leads"
MAX_BODY_BYTES = 64 * 1024
MAX_IDEMPOTENCY_KEY = 200

_MESSAGES = {
    "missing": "必須です",
    "string_type": "文字列で指定してください",
    "string_too_short": "空にはできません",
    "enum": "担当 / マネージャー / 役員 のいずれかで指定してください",
    "datetime_type": "ISO 8601 の日時で指定してください (例: 2026-11-27T10:00:00+09:00)",
    "datetime_parsing": "ISO 8601 の日時で指定してください (例: 2026-11-27T10:00:00+09:00)",
    "datetime_from_date_parsing": "ISO 8601 の日時で指定してください (例: 2026-11-27T10:00:00+09:00)",
}


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """pydantic's errors as `[{"field", "message", "type"}]` with Japanese messages."""
    out: list[dict[str, str]] = []
    for item in error.errors():
        kind = str(item["type"])
        if kind == "string_too_long":
            message = f"{item.get('ctx', {}).get('max_length')} 文字以内にしてください"
        elif kind == "value_error":
            message = str(item["msg"]).removeprefix("Value error, ")
        else:
            message = _MESSAGES.get(kind, str(item["msg"]))
        field = ".".join(str(part) for part in item["loc"]) or "body"
        out.append({"field": field, "message": message, "type": kind})
    return out


def _authorized(header: str, token: str) -> bool:
    scheme, _, given = header.strip().partition(" ")
    # Constant-time comparison, so the token cannot be guessed byte by byte from timings.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _read_body(environ: Environ) -> bytes | None:
    """The request body, or None when it is larger than MAX_BODY_BYTES."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return None
    data: bytes = environ["wsgi.input"].read(length) if length else b""
    return data


def _invalid_fields(start_response: StartResponse, errors: list[dict[str, str]]) -> Iterable[bytes]:
    """422 with `[{"field", "message", "type"}]`: nothing was stored."""
    return json_response(
        start_response, 422, {"ok": False, "error": "invalid_fields", "errors": errors}
    )


def build_route(deps: Deps) -> Route:
    """The WSGI route of the webhook for this process's settings."""
    secret = deps.settings.webhook_token

    @functools.cache
    def slack_lookup() -> EmailLookup:
        # Built on first use: most leads name no owner, or one already on file. A request
        # waits no longer on a 429 than a listener does: the form tool is waiting for us.
        client = build_web_client(
            token=deps.settings.secret("SLACK_BOT_TOKEN"),
            base_url=deps.settings.slack_api_url,
            sleep=deps.sleep,
            retry_after_cap=LISTENER_RETRY_AFTER_CAP,
        )
        return email_lookup(client, tolerant=True)

    def resolve_owner(lead: InboundLead) -> InboundLead:
        # An owner by e-mail that no member has on file is looked up in Slack, before the
        # transaction (no HTTP call while the database is locked).
        if lead.owner is None or "@" not in lead.owner:
            return lead
        if find_owner(deps.uow(), owner=lead.owner) is not None:
            return lead
        slack_user_id = slack_lookup()(lead.owner)
        return lead.model_copy(update={"owner": slack_user_id}) if slack_user_id else lead

    def handle_lead_webhook(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Store one inbound lead and assign its owner; answer with the lead id."""
        if secret is None:
            return json_response(start_response, 404, {"ok": False, "error": "not_found"})
        if environ.get("REQUEST_METHOD") != "POST":
            return json_response(start_response, 405, {"ok": False, "error": "method_not_allowed"})
        if not _authorized(environ.get("HTTP_AUTHORIZATION", ""), secret.get_secret_value()):
            return json_response(start_response, 401, {"ok": False, "error": "unauthorized"})
        body = _read_body(environ)
        if body is None:
            return json_response(start_response, 413, {"ok": False, "error": "too_large"})
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[…
            return json_response(
                start_response,
                400,
                {"ok": False, "error": "invalid_json", "message": "JSON として読めません"},
            )
        if not isinstance(data, dict):
            return json_response(
                start_response,
                400,
                {
                    "ok": False,
                    "error": "invalid_json",
                    "message": "JSON オブジェクトを送ってください",
                },
            )
        key = (environ.get("HTTP_IDEMPOTENCY_KEY") or "").strip() or None
        try:
            lead = InboundLead.model_validate(data)
        except ValidationError as exc:
            return _invalid_fields(start_response, field_errors(exc))
        if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
            return _invalid_fields(
                start_response,
                [
                    {
                        "field": "Idempotency-Key",
                        "message": f"{MAX_IDEMPOTENCY_KEY} 文字以内にしてください",
                        "type": "string_too_long",
                    }
                ],
            )
        if key is not None and has_control(key):
            # Stored and compared as given, like an external id: refused, not cleaned.
            return _invalid_fields(
                start_response,
                [
                    {
                        "field": "Idempotency-Key",
                        "message": "制御文字は使えません",
                        "type": "value_error",
                    }
                ],
            )
        settings = deps.settings
        try:
            result = receive_lead(
                deps.uow(),
                lead=resolve_owner(lead),
                calendar=deps.calendar,
                inbound_sources=settings.inbound_sources,
                inbound_cutoff=settings.inbound_cutoff,
                idempotency_key=key,
            )
        except InvalidInput as exc:  # e.g. a cv_at outside the window (isops.limits)
            return _invalid_fields(
                start_response,
                [
                    {"field": name, "message": message, "type": "value_error"}
                    for name, message in exc.field_errors.items()
                ],
            )
        except IsopsError as exc:
            return json_response(
                start_response,
                409,
                {"ok": False, "error": "conflict", "message": str(exc)},
                "Conflict",
            )
        if result.created:
            deps.wake_outbox()
        log.info(
            "lead %d %s (owner %s)",
            result.lead_id,
            "created" if result.created else "repeated",
            result.owner_slack_user_id,
        )
        return json_response(
            start_response,
            201 if result.created else 200,
            {
                "ok": True,
                "lead_id": result.lead_id,
                "created": result.created,
                "owner": result.owner_slack_user_id,
                "inbound": result.inbound,
                "deadline": result.deadline.isoformat() if result.deadline else None,
                "assignment": result.how,
                "note": result.reason,
            },
        )

    return handle_lead_webhook


def routes(deps: Deps) -> dict[str, Route]:
    return {PATH: build_route(deps)}
